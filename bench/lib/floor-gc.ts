/** bench/lib/floor-gc.ts - bench/floor.ts's garbage step: bytes a stretch of main-thread work allocates (V8's GC profiler: heap growth between collections, collections included) and what its collections cost (main-thread pauses, and the other threads' CPU meanwhile). */
import v8 from 'node:v8';
import { mainThreadNs, otherThreadsNs } from './thread-cpu.ts';

/** What one stretch allocated and what its collections cost. */
export interface AllocStats {
  /** V8 heap bytes allocated on this thread (garbage and survivors alike). */
  bytes: number;
  scavenges: number;
  /** Mark-compacts (full collections), incremental steps included in their cost. */
  majors: number;
  /** Main-thread pause µs of every collection (V8's own measure of each GC's cost). */
  pauseUs: number;
  /** Of which scavenges. */
  scavengeUs: number;
  /** CPU µs of this thread and of every other thread of the process over the stretch. */
  mainUs: number;
  otherUs: number;
}

interface GcRecord {
  gcType: string;
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

/**
 * Start measuring; the returned function ends the stretch. Allocation = the used heap's growth between collections:
 * nothing is freed except by a collection, so each collection's "before" minus the previous one's "after" (the start,
 * for the first) is what was allocated in between; exact up to V8's own allocations during the collections.
 */
export function allocMeter(): () => AllocStats {
  const profiler = new v8.GCProfiler();
  profiler.start();
  const used0 = v8.getHeapStatistics().used_heap_size;
  const main0 = mainThreadNs();
  const other0 = otherThreadsNs();
  return () => {
    const used1 = v8.getHeapStatistics().used_heap_size;
    const main1 = mainThreadNs();
    const other1 = otherThreadsNs();
    const stats = (profiler.stop() as unknown as { statistics: GcRecord[] }).statistics;
    let bytes = 0;
    let after = used0;
    const out: AllocStats = { bytes: 0, scavenges: 0, majors: 0, pauseUs: 0, scavengeUs: 0, mainUs: (main1 - main0) / 1000, otherUs: (other1 - other0) / 1000 };
    for (const g of stats) {
      bytes += Math.max(0, g.beforeGC.heapStatistics.usedHeapSize - after);
      after = g.afterGC.heapStatistics.usedHeapSize;
      out.pauseUs += g.cost;
      if (g.gcType === 'Scavenge' || g.gcType === 'MinorMarkCompact') {
        out.scavenges++;
        out.scavengeUs += g.cost;
      } else if (g.gcType === 'MarkSweepCompact') out.majors++;
    }
    out.bytes = bytes + Math.max(0, used1 - after);
    return out;
  };
}

/** Run `fn` once under an allocMeter. */
export function measureAlloc(fn: () => void): AllocStats {
  const end = allocMeter();
  fn();
  return end();
}

/**
 * Wait (event loop free) until the process's other threads are idle: less than 0.5 ms of CPU in a 25 ms window, or
 * `maxMs`. A forced full GC leaves sweeping to V8's helper threads, and fresh code is optimized there too: without
 * this, tens of ms of that work land inside the next measured stretch. Returns the ms waited.
 */
export async function settle(maxMs = 1500): Promise<number> {
  const t0 = performance.now();
  let before = otherThreadsNs();
  while (performance.now() - t0 < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = otherThreadsNs();
    if (now - before < 500_000) break;
    before = now;
  }
  return performance.now() - t0;
}
