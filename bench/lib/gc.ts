/** bench/lib/gc.ts - record this process's GC pauses (perf_hooks) with wall-clock times comparable across processes, and summarize them per kind over a time window. */
import { constants as perf, PerformanceObserver } from 'node:perf_hooks';
import { r } from './measure.ts';

/** One GC: wall-clock start (ms since the epoch), pause, kind. */
export interface GcEvent {
  at: number;
  ms: number;
  kind: 'minor' | 'major' | 'incremental' | 'weakcb';
}

/** Count, longest and total pause of one GC kind. */
export interface GcStats {
  count: number;
  maxMs: number;
  totalMs: number;
}

const KIND: Record<number, GcEvent['kind']> = {
  [perf.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perf.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perf.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perf.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Now, in ms since the epoch with sub-ms precision (the clock GcEvent.at uses). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Start recording this process's GCs into `events` (appended as they happen); returns the stop function. */
export function recordGc(events: GcEvent[]): () => void {
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = KIND[(e as { detail?: { kind?: number } }).detail?.kind ?? 0];
      if (kind) events.push({ at: performance.timeOrigin + e.startTime, ms: e.duration, kind });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

/** Per kind: count, longest and total pause of the GCs that started in [from, to]. */
export function gcSummary(events: readonly GcEvent[], from: number, to: number): Partial<Record<GcEvent['kind'], GcStats>> {
  const out: Partial<Record<GcEvent['kind'], GcStats>> = {};
  for (const e of events) {
    if (e.at < from || e.at > to) continue;
    const s = (out[e.kind] ??= { count: 0, maxMs: 0, totalMs: 0 });
    s.count++;
    s.maxMs = Math.max(s.maxMs, r(e.ms, 2));
    s.totalMs = r(s.totalMs + e.ms, 2);
  }
  return out;
}
