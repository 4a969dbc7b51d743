/** bench/lib/gc.ts - record this process's GC pauses (perf_hooks) with wall-clock times comparable across processes, summarize them per kind over a time window, measure the V8 heap bytes a stretch of work allocates, and take sampling heap profiles. */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { constants as perf, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
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

/** Long enough for the GC performance entries of what came before to be delivered to their observers. */
const DELIVERY_MS = 30;

/**
 * Bytes of V8 heap allocated between start() and end(), exact while no GC ran in between: the
 * heap's used size only grows between collections (young objects are bump-allocated, and nothing is
 * freed until a GC), so its growth is what was allocated. start() first empties the young
 * generation with a forced scavenge (needs --expose-gc; without it the stretch is more likely to
 * meet a GC) so that a whole young generation (1–16 MiB) is free for the stretch; end() reports how
 * many GCs ran in between (a measurement with gcs > 0 is not exact: discard it). Off-heap bytes
 * (Buffer backing stores) are reported apart: they never fill the young generation.
 */
export class AllocMeter {
  private gcs = 0;
  private readonly observer = new PerformanceObserver((list) => {
    this.gcs += list.getEntries().length;
  });
  private from = { used: 0, external: 0, gcs: 0 };

  constructor(private readonly gc: ((opts?: { type: 'minor' | 'major' }) => void) | undefined) {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  async start(): Promise<void> {
    this.gc?.({ type: 'minor' });
    await sleep(DELIVERY_MS);
    const h = v8.getHeapStatistics();
    this.from = { used: h.used_heap_size, external: h.external_memory, gcs: this.gcs };
  }

  async end(): Promise<{ bytes: number; external: number; gcs: number }> {
    const h = v8.getHeapStatistics();
    await sleep(DELIVERY_MS);
    return { bytes: h.used_heap_size - this.from.used, external: h.external_memory - this.from.external, gcs: this.gcs - this.from.gcs };
  }
}

/**
 * A sampling heap profile (V8's HeapProfiler over the inspector) that keeps the samples of objects
 * already collected by minor and major GCs: every allocation of the stretch, not only what survived
 * it. Written as a .heapprofile (Chrome DevTools' Memory panel opens it).
 */
export class HeapSampler {
  private session: Session | null = null;

  async start(intervalBytes: number): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('HeapProfiler.enable');
    await this.session.post('HeapProfiler.startSampling', { samplingInterval: intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  }

  async stop(file: string): Promise<void> {
    if (!this.session) throw new Error('heap sampling was not started');
    const { profile } = await this.session.post('HeapProfiler.stopSampling');
    this.session.disconnect();
    this.session = null;
    fs.writeFileSync(file, JSON.stringify(profile));
  }
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** The `n` functions that allocated most in a .heapprofile (self bytes, per request of `requests`), as `bytes function file:line`. */
export function topAllocators(file: string, requests: number, n: number): string[] {
  const { head } = JSON.parse(fs.readFileSync(file, 'utf8')) as { head: ProfileNode };
  const self = new Map<string, number>();
  const visit = (node: ProfileNode): void => {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const c of node.children) visit(c);
  };
  visit(head);
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${Math.round(v / requests)} B ${k}`);
}
