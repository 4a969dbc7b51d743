/**
 * bench/scavenge.ts - not in `npm run bench`: does a young-generation GC (scavenge) pause grow with the old generation when nothing survives? Retains `--retain-mib` of small objects, settles the heap, then allocates only short-lived objects and prints the scavenges' count, median and max pause (docs/benchmarks.md, "Where the tail comes from").
 *
 * Run: node --expose-gc --max-old-space-size=8192 [--max-semi-space-size=64] --import tsx bench/scavenge.ts --retain-mib=2000
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { flag } from './lib/measure.ts';

const mib = flag('retain-mib', 500);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const keep: { a: string; b: number; c: number[] }[] = [];
// ~120 bytes per retained object (object, string, array), until about `mib` MiB are held.
for (let bytes = 0; bytes < mib * 2 ** 20; bytes += 120) keep.push({ a: `x${keep.length}`, b: keep.length, c: [keep.length] });
gc();
gc();
const pauses: number[] = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) pauses.push(e.duration);
});
obs.observe({ entryTypes: ['gc'] });
let sink = 0;
for (let i = 0; i < 3e7; i++) {
  const o = { i, s: `y${i & 1023}` };
  sink += o.s.length;
}
// GC entries are delivered asynchronously: let the observer run before reading them.
await new Promise<void>((resolve) => setImmediate(resolve));
await new Promise<void>((resolve) => setImmediate(resolve));
obs.disconnect();
pauses.sort((a, b) => a - b);
const r2 = (x: number | undefined): number => Math.round((x ?? 0) * 100) / 100;
console.log(
  JSON.stringify({
    retainedObjects: keep.length,
    heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    execArgv: process.execArgv,
    scavenges: pauses.length,
    medianMs: r2(pauses[pauses.length >> 1]),
    maxMs: r2(pauses[pauses.length - 1]),
    checksum: sink,
  }),
);
