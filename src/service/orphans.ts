/** service/orphans.ts - the orphan pool: entities refused only because what they depend on is not here yet, kept (bounded) until it arrives (bitcoin's orphan pool); the intake re-queues them. Imports protocol types and util only. */
import type { EntityKind } from '../protocol/types.ts';
import { LruMap } from '../util/lru.ts';
import type { AdmissionSource } from './types.ts';

/** Most dependency keys with waiting orphans. */
const MAX_ORPHANS = 1_000;
/** Most orphans waiting on one dependency. */
const MAX_ORPHANS_PER_KEY = 50;
/** Total JSON size of all orphans. */
const MAX_ORPHAN_BYTES = 16 * 1024 * 1024;
/** How long an orphan waits for its dependency. */
const ORPHAN_TTL_MS = 60_000;

/** An item waiting for a dependency. */
export interface Orphan {
  kind: EntityKind;
  payload: unknown;
  size: number;
  source: AdmissionSource;
  /** Its short version id. */
  vid: string;
}

/** What a refused item waits for, as `kind:inventoryId` of the dependency, or null if not an orphan. */
function dependencyKey(kind: EntityKind, payload: unknown, reason: string): string | null {
  const p = payload as { oraclePubKey?: unknown; capabilityPubKey?: unknown; reportId?: unknown; announcementId?: unknown; content?: { request?: { capabilityPubKey?: unknown }; capabilityPubKey?: unknown; announcementId?: unknown }; fact?: { request?: { capabilityPubKey?: unknown } } };
  if (typeof p !== 'object' || p === null) return null;
  switch (reason) {
    case 'unknown-oracle':
      return typeof p.oraclePubKey === 'string' ? `oracle:${p.oraclePubKey}` : null;
    case 'unknown-capability': {
      // A report names it in its request, or (a DLC proof) at the top of its content.
      const cap = kind === 'dispute' ? p.fact?.request?.capabilityPubKey : kind === 'announcement' ? p.capabilityPubKey : (p.content?.request?.capabilityPubKey ?? p.content?.capabilityPubKey);
      return typeof p.oraclePubKey === 'string' && typeof cap === 'string' ? `capability:${p.oraclePubKey}${cap}` : null;
    }
    case 'report-not-found':
      return typeof p.reportId === 'string' ? `report:${p.reportId}` : null;
    case 'announcement-not-found': {
      // An attestation names it at the top; a fact-missing and an offer in their content.
      const id = kind === 'report' || kind === 'offer' ? p.content?.announcementId : p.announcementId;
      return typeof id === 'string' ? `announcement:${id}` : null;
    }
    default:
      return null;
  }
}

/** Orphans by the dependency they wait for: at most 1000 keys, 50 items per key, 16 MiB, 60 s each. */
export class OrphanPool {
  private readonly orphans: LruMap<string, Orphan[]>;
  private orphanBytes = 0;
  /** Dependency keys that may have waiting orphans (stale ones are dropped by recount). */
  private readonly orphanKeys = new Set<string>();

  constructor(now: () => number) {
    this.orphans = new LruMap(MAX_ORPHANS, ORPHAN_TTL_MS, now);
  }

  /**
   * Keep an item refused for `reason` if that reason means only that its oracle, capability or
   * report is not here yet (it may be in flight from another peer).
   */
  keep(kind: EntityKind, payload: unknown, reason: string, source: AdmissionSource, vid: string): void {
    const key = dependencyKey(kind, payload, reason);
    if (key === null) return;
    const size = JSON.stringify(payload).length;
    if (this.orphanBytes + size > MAX_ORPHAN_BYTES || this.orphanKeys.size > 2 * MAX_ORPHANS) this.recount();
    if (size > MAX_ORPHAN_BYTES / 16 || this.orphanBytes + size > MAX_ORPHAN_BYTES) return;
    const list = this.orphans.get(key) ?? [];
    if (list.length >= MAX_ORPHANS_PER_KEY) return;
    list.push({ kind, payload, size, source, vid });
    this.orphans.set(key, list);
    this.orphanKeys.add(key);
    this.orphanBytes += size;
  }

  /** The orphans waiting for the item `kind` with inventory id `id` (which just arrived), removed from the pool. */
  take(kind: EntityKind, id: string): Orphan[] {
    if (this.orphanKeys.size === 0) return []; // every stored entity asks: no key string built when nothing waits
    const key = `${kind}:${id}`;
    if (!this.orphanKeys.has(key)) return [];
    const list = this.orphans.get(key);
    this.orphanKeys.delete(key);
    if (!list) {
      this.recount(); // expired or evicted meanwhile
      return [];
    }
    this.orphans.delete(key);
    for (const o of list) this.orphanBytes -= o.size;
    return list;
  }

  /** Drop bookkeeping of orphan lists that expired or were evicted from the LRU. */
  private recount(): void {
    let bytes = 0;
    for (const key of [...this.orphanKeys]) {
      const list = this.orphans.get(key);
      if (!list) this.orphanKeys.delete(key);
      else for (const o of list) bytes += o.size;
    }
    this.orphanBytes = bytes;
  }
}
