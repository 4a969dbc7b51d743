/** api/stats.ts - admission tallies for GET /stats: outcomes and rejection reasons per entity type, evictions, and accepted items per second over the last minute. Imports service types only. */
import type { EntityKind } from '../protocol/types.ts';
import type { EvictedEvent } from '../service/service.ts';
import type { AdmissionResult } from '../service/types.ts';
import { STATS_MAX_REASONS, STATS_WINDOW_SECONDS } from './constants.ts';
import { CONFIG_SCHEMA, type MegaConfig } from '../config/schema.ts';

/** One configured limit as the config names it (`maxCapabilities`, 100, `entries per oracle`): the page shows exactly this. */
export interface LimitInfo {
  key: string;
  value: number;
  /** The config schema's unit of the key (docs/configuration.md). */
  unit: string;
}

/** The config keys the page shows as limits, in this order. */
export const LIMIT_KEYS = [
  'maxOracles',
  'maxCapabilities',
  'maxReports',
  'maxMempoolBytes',
  'maxAnnouncements',
  'maxAnnouncementsPerCapability',
  'maxAnnouncementBytes',
  'powThresholdOracles',
  'powThresholdCapabilities',
  'powThresholdReports',
  'powThresholdAnnouncements',
] as const satisfies readonly (keyof MegaConfig)[];

/** The limits of `config` with the units its schema gives them (node.ts hands these to monitoring). */
export function configLimits(config: Pick<MegaConfig, (typeof LIMIT_KEYS)[number]>): LimitInfo[] {
  return LIMIT_KEYS.map((key) => ({ key, value: config[key], unit: CONFIG_SCHEMA[key].unit ?? '' }));
}

/**
 * Admission outcomes of one entity type since the node started. `duplicate` (already known: gossip
 * brings each item from every peer) and `outOfShard` (valid, stored by another shard) are not
 * failures: the page's "accepted / new" is accepted / (accepted + rejected).
 */
export interface TypeStats {
  accepted: number;
  duplicate: number;
  outOfShard: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

/** The body of GET /stats. */
export interface StatsSnapshot {
  since: string;
  admissions: Record<EntityKind, TypeStats>;
  evictions: Record<EntityKind, number>;
  /** Accepted items in each of the last `windowSeconds` whole seconds, oldest first; the last is the current, partial second. */
  acceptedPerSecond: number[];
  windowSeconds: number;
}

const KINDS: readonly EntityKind[] = ['oracle', 'capability', 'report', 'dispute', 'announcement', 'attestation', 'offer'];

const emptyType = (): TypeStats => ({ accepted: 0, duplicate: 0, outOfShard: 0, rejected: 0, rejectedByReason: {} });

/** Counts fed by the service's `admission` and `mempool:evicted` events. O(1) per event. */
export class AdmissionStats {
  private readonly now: () => number;
  private readonly since: number;
  private readonly admissions: Record<EntityKind, TypeStats> = { oracle: emptyType(), capability: emptyType(), report: emptyType(), dispute: emptyType(), announcement: emptyType(), attestation: emptyType(), offer: emptyType() };
  private readonly evictions: Record<EntityKind, number> = { oracle: 0, capability: 0, report: 0, dispute: 0, announcement: 0, attestation: 0, offer: 0 };
  // Ring of per-second counts; `head` is the epoch second of the newest bucket.
  private readonly buckets = new Array<number>(STATS_WINDOW_SECONDS).fill(0);
  private head: number;

  constructor(now: () => number) {
    this.now = now;
    this.since = now();
    this.head = Math.floor(this.since / 1000);
  }

  /** Count one admission outcome. */
  recordAdmission(r: AdmissionResult): void {
    const t = this.admissions[r.kind];
    if (!t) return;
    switch (r.status) {
      case 'accepted':
        t.accepted++;
        this.buckets[this.advance() % STATS_WINDOW_SECONDS]!++;
        return;
      case 'duplicate':
        t.duplicate++;
        return;
      case 'out-of-shard':
        t.outOfShard++;
        return;
      case 'rejected': {
        t.rejected++;
        const known = Object.hasOwn(t.rejectedByReason, r.reason);
        const key = known || Object.keys(t.rejectedByReason).length < STATS_MAX_REASONS ? r.reason : 'other';
        t.rejectedByReason[key] = (t.rejectedByReason[key] ?? 0) + 1;
        return;
      }
    }
  }

  /** Count one eviction. */
  recordEviction(e: EvictedEvent): void {
    if (Object.hasOwn(this.evictions, e.kind)) this.evictions[e.kind]++;
  }

  /** A copy of every count. */
  snapshot(): StatsSnapshot {
    const head = this.advance();
    const series: number[] = [];
    for (let i = STATS_WINDOW_SECONDS - 1; i >= 0; i--) series.push(this.buckets[(head - i) % STATS_WINDOW_SECONDS] ?? 0);
    const admissions = {} as Record<EntityKind, TypeStats>;
    for (const k of KINDS) admissions[k] = { ...this.admissions[k], rejectedByReason: { ...this.admissions[k].rejectedByReason } };
    return { since: new Date(this.since).toISOString(), admissions, evictions: { ...this.evictions }, acceptedPerSecond: series, windowSeconds: STATS_WINDOW_SECONDS };
  }

  /** Move the ring to the current second, zeroing the seconds that passed; returns it. A clock that steps back counts into the newest bucket. */
  private advance(): number {
    const s = Math.floor(this.now() / 1000);
    if (s <= this.head) return this.head;
    const gap = Math.min(s - this.head, STATS_WINDOW_SECONDS);
    for (let i = 1; i <= gap; i++) this.buckets[(this.head + i) % STATS_WINDOW_SECONDS] = 0;
    this.head = s;
    return s;
  }
}
