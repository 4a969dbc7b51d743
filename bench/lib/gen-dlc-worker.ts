/** bench/lib/gen-dlc-worker.ts - worker-thread entry of the DLC lookup workload: generates the batches of bench/lib/gen-dlc-sign.ts the node thread asks for (jobs numbered by `seq`) and posts them back. */
import { parentPort, workerData } from 'node:worker_threads';
import { announcementBatch, offerBatch, type DlcBatch, type DlcGenPlan } from './gen-dlc-sign.ts';

/** A job of the node thread: announcements from..to-1, or offers from..to-1 with the ids of their announcements. */
export type ToGenerator = { type: 'job'; seq: number; kind: 'announcements'; from: number; to: number } | { type: 'job'; seq: number; kind: 'offers'; from: number; to: number; annIds: string[] };
/** A job's batch, or why it failed. */
export type FromGenerator = { type: 'batch'; seq: number; batch: DlcBatch } | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('bench/lib/gen-dlc-worker.ts runs as a worker thread (bench/lib/gen-dlc.ts starts it)');
const { plan } = workerData as { plan: DlcGenPlan };
port.on('message', (m: ToGenerator) => {
  try {
    const batch = m.kind === 'announcements' ? announcementBatch(plan, m.from, m.to) : offerBatch(plan, m.from, m.to, m.annIds);
    port.postMessage({ type: 'batch', seq: m.seq, batch } satisfies FromGenerator);
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromGenerator);
  }
});
