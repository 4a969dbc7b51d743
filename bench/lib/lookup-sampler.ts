/** bench/lib/lookup-sampler.ts - the light HTTP client of bench/lookup.ts's latency samples, run as its own small process: given a listing's request paths over IPC, it sends them one after another on one keep-alive connection, counting each answer's bytes without keeping them, and returns the latencies, start times and its own GC pauses. */
import { recordGc, wallNow, type GcEvent } from './gc.ts';
import { getLength } from './measure.ts';

/**
 * Messages from bench/lookup.ts. `sample`: GET paths[0..warmup-1] (not timed), then every path in
 * order, timed (paths are precomputed by the parent, so this process holds nothing of the
 * population: its heap stays a few MiB and its GCs stay rare and short).
 */
export type ToSampler = { type: 'sample'; port: number; warmup: number; paths: string[] } | { type: 'stop' };

/** Messages to bench/lookup.ts: per `sample`, one `samples` (wall-clock times in ms since the epoch, comparable with the node's GcEvent.at). */
export type FromSampler =
  | { type: 'ready' }
  | {
      type: 'samples';
      /** Latency of each timed request, ms, in request order. */
      lat: number[];
      /** Wall-clock start of each timed request. */
      startedAt: number[];
      /** Answer bytes of all timed requests. */
      bytes: number;
      /** Timed requests answered with a status other than 200 (path and status of the first one). */
      non200: number;
      firstNon200: string | null;
      /** Wall clock at the first timed request's start and after the last one's answer. */
      from: number;
      to: number;
      /** This process's GC pauses from the warm-up's start to the last answer. */
      gc: GcEvent[];
      heapUsedMiB: number;
    }
  | { type: 'error'; message: string };

if (!process.send) throw new Error('bench/lib/lookup-sampler.ts is started by bench/lookup.ts (it needs the IPC channel)');
const send = (m: FromSampler): void => {
  process.send?.(m);
};

const events: GcEvent[] = [];
const stopGc = recordGc(events);

/** Long enough for the GC performance entries of the samples to reach the observer (gc.ts waits as long). */
const DELIVERY_MS = 30;

async function sample(port: number, warmup: number, paths: string[]): Promise<FromSampler> {
  events.length = 0;
  for (let i = 0; i < warmup; i++) await getLength(port, paths[i % paths.length] as string);
  const lat = new Array<number>(paths.length);
  const startedAt = new Array<number>(paths.length);
  let bytes = 0;
  let non200 = 0;
  let firstNon200: string | null = null;
  const from = wallNow();
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i] as string;
    const t = performance.now();
    const res = await getLength(port, path);
    lat[i] = performance.now() - t;
    startedAt[i] = performance.timeOrigin + t;
    bytes += res.bytes;
    if (res.status !== 200 && non200++ === 0) firstNon200 = `${path}: HTTP ${res.status}`;
  }
  const to = wallNow();
  await new Promise((resolve) => setTimeout(resolve, DELIVERY_MS));
  return { type: 'samples', lat, startedAt, bytes, non200, firstNon200, from, to, gc: events.splice(0), heapUsedMiB: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10 };
}

process.on('message', (m: ToSampler) => {
  if (m.type === 'stop') {
    stopGc();
    process.disconnect();
    process.exit(0);
  }
  sample(m.port, m.warmup, m.paths).then(send, (err: unknown) => send({ type: 'error', message: String(err) }));
});
send({ type: 'ready' });
