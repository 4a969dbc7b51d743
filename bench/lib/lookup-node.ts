/** bench/lib/lookup-node.ts - the node side of bench/lookup.ts, run as its own process (own V8 heap and event loop): start a bench node, store the oracles, capabilities and reports, then serve until told to stop, recording its GC pauses. */
import type { Report, Verified } from '../../src/protocol/types.ts';
import { reportId } from '../../src/protocol/ids.ts';
import { stopAll } from '../../test/helpers/network.ts';
import { makeBundle, makeMissingReport } from './gen.ts';
import { recordGc, type GcEvent } from './gc.ts';
import { flag, note, QUICK } from './measure.ts';
import { benchNode, stored } from './node.ts';

/** Messages from this process to bench/lookup.ts. */
export type FromNode =
  | { type: 'pubkeys'; pubkeys: string[] }
  | {
      type: 'ready';
      port: number;
      oracles: number;
      reportsPer: number;
      populateSeconds: number;
      heapSettled: boolean;
      heapUsedMiB: number;
      stored: number;
      counts: Record<string, number>;
    }
  | { type: 'gc'; events: GcEvent[]; heapUsedMiB: number };

/** Messages from bench/lookup.ts to this process. */
export type ToNode = { type: 'gc' } | { type: 'stop' };

if (!process.send) throw new Error('bench/lib/lookup-node.ts is started by bench/lookup.ts (it needs the IPC channel)');
const send = (m: FromNode): Promise<void> =>
  new Promise((resolve, reject) => {
    process.send?.(m, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve()));
  });

const n = flag('oracles', QUICK ? 10_000 : 100_000);
const reportsPer = flag('reports', 10);
const node = await benchNode({ maxOracles: 1_000_000, maxReports: Math.max(1000, reportsPer) });
note(`lookup node (pid ${process.pid}): generating and storing ${n} oracles + capabilities (service.admit, signatures verified)`);
const t0 = performance.now();
const pubkeys: string[] = [];
let reports = 0;
for (let i = 0; i < n; i++) {
  const b = makeBundle(i);
  pubkeys.push(b.oracle.pubkey);
  if ((await node.service.admit('oracle', b.oracle)).status !== 'accepted') throw new Error('oracle not accepted');
  if ((await node.service.admit('capability', b.capability)).status !== 'accepted') throw new Error('capability not accepted');
  // Reports go straight into the mempool (id computed as the service does): the lookup path is the
  // same, and admitting 1M reports through the service would dominate the run (see ingest for that path).
  for (let j = 0; j < reportsPer; j++) {
    const rep = makeMissingReport(b, j);
    if (node.mempool.addReport(rep as Verified<Report>, reportId(rep)).status === 'accepted') reports++;
  }
  if (i % 10_000 === 9_999) note(`lookup node: ${i + 1} oracles, ${reports} reports`);
}
const populateSeconds = (performance.now() - t0) / 1000;
// The keys go to the client before the heap is settled: serializing 100k of them is several MB that
// would otherwise still be in the young generation when the first query is measured.
await send({ type: 'pubkeys', pubkeys: pubkeys.splice(0) });
// Settle the heap before serving: building a ~1 GB heap in a few minutes leaves a major GC (marking,
// sweeping) in progress, and its pauses would land on the first queries. A node that holds this much
// has long finished that; lookups are measured in that steady state.
const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < 2; i++) gc?.();
const heapUsedMiB = (): number => Math.round(process.memoryUsage().heapUsed / 2 ** 20);

// The node's GC pauses from here on; bench/lookup.ts collects them after each query's samples.
const events: GcEvent[] = [];
const stopGc = recordGc(events);

process.on('message', (m: ToNode) => {
  if (m.type === 'gc') void send({ type: 'gc', events: events.splice(0), heapUsedMiB: heapUsedMiB() });
  else if (m.type === 'stop') {
    stopGc();
    stopAll([node]).then(
      () => process.exit(0),
      (err: unknown) => {
        note(`lookup node: stop failed: ${String(err)}`);
        process.exit(1);
      },
    );
  }
});
note(`lookup node: stored ${stored(node)} entries in ${populateSeconds.toFixed(1)} s, heap ${heapUsedMiB()} MiB`);
await send({
  type: 'ready',
  port: node.httpPort,
  oracles: n,
  reportsPer,
  populateSeconds,
  heapSettled: gc !== undefined,
  heapUsedMiB: heapUsedMiB(),
  stored: stored(node),
  counts: { ...node.service.counts() },
});
