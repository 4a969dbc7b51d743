/** mempool/version-index.ts - the index short version id (protocol/ids.ts shortId) -> stored entry that answers inv and getdata. Imports only mempool internals. */
import { OracleEntry } from './stored.ts';
import type { InventoryEntry, StoredCapability, StoredDispute, StoredReport } from './types.ts';

/** Anything stored under its own version: an oracle, a capability, a report or a dispute. Its `version` is the index key. */
export type Versioned = OracleEntry | StoredCapability | StoredReport | StoredDispute;

/**
 * Short version id -> stored entry, for every stored oracle, capability, report and dispute. The key
 * is the entry's own `version` string (no copy), so an entry costs one Map slot. Contract with the
 * mempool: `remove(e)` before `e.version` changes or `e` leaves, `add(e)` after it is stored.
 * Removing checks identity, so a (self-inflicted, section 11.6) collision can never make the removal
 * of one entry drop another's key.
 */
export class VersionIndex {
  private readonly byId = new Map<string, Versioned>();
  /** Told every short id that leaves the index (its entry was replaced or removed). */
  private readonly onRetired: (vid: string) => void;

  constructor(onRetired: (vid: string) => void = () => {}) {
    this.onRetired = onRetired;
  }

  /** Index an entry under its current version. */
  add(e: Versioned): void {
    this.byId.set(e.version, e);
  }

  /** Unindex an entry (no-op when another entry holds its key). */
  remove(e: Versioned): void {
    if (this.byId.get(e.version) !== e) return;
    this.byId.delete(e.version);
    this.onRetired(e.version);
  }

  /** Is a stored entry's current version this short id? O(1), allocates nothing. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Number of indexed versions (tests compare it with the inventory). */
  get size(): number {
    return this.byId.size;
  }

  /** The stored item whose current version has this short id, as relay and sync see it; written into `into` when given (a caller's reused object: no object per lookup). */
  get(id: string, into?: InventoryEntry): InventoryEntry | undefined {
    const e = this.byId.get(id);
    if (e === undefined) return undefined;
    // Entries carry no kind tag (it would cost a field per entry): their shapes tell them apart.
    if (into !== undefined) {
      into.version = e.version;
      into.msg = e.msg;
      if (e instanceof OracleEntry) {
        into.kind = 'oracle';
        into.id = e.msg.pubkey;
        into.cTTL = e.msg.cTTL;
      } else if ('dispute' in e) {
        into.kind = 'report';
        into.id = e.id;
        into.cTTL = e.msg.cTTL;
      } else if ('id' in e) {
        into.kind = 'dispute';
        into.id = e.msg.reportId;
        into.cTTL = null;
      } else {
        into.kind = 'capability';
        into.id = e.msg.oraclePubKey + e.msg.capabilityPubKey;
        into.cTTL = e.msg.cTTL;
      }
      return into;
    }
    if (e instanceof OracleEntry) return { kind: 'oracle', id: e.msg.pubkey, version: e.version, msg: e.msg, cTTL: e.msg.cTTL };
    if ('dispute' in e) return { kind: 'report', id: e.id, version: e.version, msg: e.msg, cTTL: e.msg.cTTL };
    if ('id' in e) return { kind: 'dispute', id: e.msg.reportId, version: e.version, msg: e.msg, cTTL: null };
    return { kind: 'capability', id: e.msg.oraclePubKey + e.msg.capabilityPubKey, version: e.version, msg: e.msg, cTTL: e.msg.cTTL };
  }

  /**
   * Keep the highest cTTL seen for a stored version (docs/PROTOCOL.md 11.7): cTTL is unsigned and
   * outside the version hash, so a copy with a higher one is the same version. Returns the cTTL
   * before, or null when nothing changed (no such version, a dispute, or not higher). Only the
   * stored message's `cTTL` changes; rank, indexes and byte accounting do not depend on it (its
   * JSON grows by at most 2 digits, not re-counted).
   */
  raiseCTTL(id: string, cTTL: number): number | null {
    const e = this.byId.get(id);
    if (e === undefined || (!(e instanceof OracleEntry) && 'id' in e && !('dispute' in e))) return null;
    const msg = e.msg as { cTTL: number };
    if (!(cTTL > msg.cTTL)) return null;
    const before = msg.cTTL;
    msg.cTTL = cTTL;
    return before;
  }
}
