/** mempool/byte-budget.ts - the mempool's byte budget (maxMempoolBytes): JSON size of every stored entry, one rank order over all kinds, and the plan of which lowest-ranked entries make room for a newcomer. Imports only mempool internals. */
import { RankedSet } from './ranked-set.ts';
import { isProof } from './report-class.ts';
import { OracleEntry } from './stored.ts';
import type { StoredCapability, StoredReport } from './types.ts';

/** An entry the budget counts: an oracle ad, a capability or a report that is not a proof (a dispute counts with its report; proofs have the proof store's own limits, mempool/proofs.ts). */
export type Budgeted = OracleEntry | StoredCapability | StoredReport;

/**
 * Size of a stored message as the budget counts it: its JSON length (what it took on the wire, near
 * what its strings take in V8's one-byte form). `known`: that very number when the caller already
 * has it (admission gets it from the canonical member texts of the version hash: protocol/canonical.ts
 * memoJsonLength, equal to `JSON.stringify(msg).length`), so the message is not serialized again;
 * null or absent = serialize to count.
 */
export function jsonBytes(msg: unknown, known: number | null = null): number {
  return known ?? JSON.stringify(msg).length;
}

/** Among equal difficulty, leaves go before the oracle they hang on: a report first, then a capability, then an oracle ad. */
function kindOrder(e: Budgeted): number {
  if (e instanceof OracleEntry) return 2;
  return 'dispute' in e ? 0 : 1;
}

/** Larger key = lower rank, as in stored.ts, so the order is total and the same on every node. */
function keyOrder(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/**
 * {@link keyOrder} of the ids of two entries of one kind (kindOrder equal): an oracle's pubkey, a
 * report's id, a capability's capabilityPubKey + oraclePubKey. The capability pair is compared
 * part by part, which orders as the joined strings do when the first parts have one length (always:
 * both are 66-character keys); the joined strings are built only otherwise. No string is built per
 * comparison on the hot path (a B+ tree insert compares ~log n times).
 */
function sameKindKeyOrder(a: Budgeted, b: Budgeted): number {
  if (a instanceof OracleEntry) return keyOrder(a.msg.pubkey, (b as OracleEntry).msg.pubkey);
  if ('dispute' in a) return keyOrder(a.id, (b as StoredReport).id);
  const x = a.msg;
  const y = (b as StoredCapability).msg;
  if (x.capabilityPubKey.length !== y.capabilityPubKey.length) return keyOrder(x.capabilityPubKey + x.oraclePubKey, y.capabilityPubKey + y.oraclePubKey);
  return keyOrder(x.capabilityPubKey, y.capabilityPubKey) || keyOrder(x.oraclePubKey, y.oraclePubKey);
}

/** The verified Lightning bid an entry ranks with (an oracle ad's; 0 for everything else). */
function bidOf(e: Budgeted): number {
  return e instanceof OracleEntry ? e.verifiedBid : 0;
}

/**
 * Byte-eviction rank, ascending: verified bid (oracle ads only, docs/PROTOCOL.md 7.2: paid
 * placement is what the operator sold, so it goes last), PoW difficulty, then kind (report,
 * capability, oracle), then id (larger = lower).
 */
export function compareForBytes(a: Budgeted, b: Budgeted): number {
  return bidOf(a) - bidOf(b) || a.msg.pow.difficulty - b.msg.pow.difficulty || kindOrder(a) - kindOrder(b) || sameKindKeyOrder(a, b);
}

/** Bytes an entry holds: its message, plus its dispute's for a report. */
export function heldBytes(e: Budgeted): number {
  return 'dispute' in e && e.dispute ? e.bytes + e.dispute.bytes : e.bytes;
}

/**
 * The byte account of one mempool. Contract with the mempool (as for its other indexes): `remove(e)`
 * before an entry's verified bid, difficulty or bytes change, its dispute is attached, or it leaves; `add(e)` once
 * it is stored.
 *
 * The rank order is needed only to choose evictions, i.e. once the budget is full. Below half of
 * `maxBytes` entries are only counted (a Set: O(1), no comparisons; a B+ tree insert costs ~log2 n
 * rank comparisons, and this order holds every entry of every kind). Past half, every new entry goes
 * into the order and each add also moves at least twice its bytes of the waiting entries into it, so
 * the order is complete before the budget is reached (what waits held at most half of it); `plan`
 * completes it itself if a large entry got there first. Same plan as an order kept from the start.
 */
export class ByteBudget {
  readonly maxBytes: number;
  private total = 0;
  private readonly order = new RankedSet<Budgeted>(compareForBytes);
  /** Counted entries not yet in {@link order} (all of them while the budget is under half full). */
  private readonly waiting = new Set<Budgeted>();
  /** Past half the budget: new entries are ordered at once and the waiting ones are moved over. */
  private ordering = false;
  /** Long-lived iterator over {@link waiting} (a fresh one per call would walk the deleted slots again). */
  private moveIter: IterableIterator<Budgeted> | null = null;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes of everything stored. */
  get bytes(): number {
    return this.total;
  }

  /** Entries counted but not yet in the rank order (tests and diagnostics). */
  get unordered(): number {
    return this.waiting.size;
  }

  /** Count a stored entry. */
  add(e: Budgeted): void {
    if (this.waiting.has(e)) return;
    const bytes = heldBytes(e);
    if (!this.ordering && this.total + bytes <= this.maxBytes / 2) {
      this.waiting.add(e);
      this.total += bytes;
      return;
    }
    this.ordering = true;
    if (!this.order.add(e)) return;
    this.total += bytes;
    this.moveWaiting(2 * bytes);
  }

  /** Stop counting an entry. */
  remove(e: Budgeted): void {
    if (this.waiting.delete(e) || this.order.delete(e)) this.total -= heldBytes(e);
  }

  /** Move at least `bytes` bytes of waiting entries (at least one entry) into the rank order. */
  private moveWaiting(bytes: number): void {
    let moved = 0;
    while (this.waiting.size > 0 && moved < bytes) {
      let next = this.moveIter?.next();
      if (!next || next.done) {
        this.moveIter = this.waiting.values();
        next = this.moveIter.next();
        if (next.done) break;
      }
      const w = next.value;
      this.waiting.delete(w);
      this.order.add(w);
      moved += heldBytes(w);
    }
    if (this.waiting.size === 0) this.moveIter = null;
  }

  /**
   * Which entries to evict so that `incoming` more bytes fit: the lowest-ranked first, each strictly
   * below (`bid`, `difficulty`) (a newcomer no better than what it would push out is refused, as for
   * the count limits; only an oracle ad has a bid) and not `kept` (the newcomer's own oracle, the version it replaces). An oracle
   * counts with everything that hangs on it (its eviction takes them). Null when they cannot free
   * enough; then nothing may be changed. O(k log n) for k entries looked at.
   */
  plan(incoming: number, difficulty: number, kept: (e: Budgeted) => boolean, bid = 0): Budgeted[] | null {
    let need = this.total + incoming - this.maxBytes;
    if (need <= 0) return [];
    if (this.waiting.size > 0) {
      this.ordering = true;
      this.moveWaiting(Infinity);
    }
    const out: Budgeted[] = [];
    const covered = new Set<Budgeted>();
    const cover = (e: Budgeted): void => {
      if (covered.has(e)) return;
      covered.add(e);
      need -= heldBytes(e);
    };
    for (const e of this.order.values()) {
      const eb = bidOf(e);
      if (eb > bid || (eb === bid && e.msg.pow.difficulty >= difficulty)) break;
      if (kept(e) || covered.has(e)) continue;
      out.push(e);
      cover(e);
      if (e instanceof OracleEntry) {
        for (const c of e.capabilities.values()) cover(c);
        // Proofs are not counted here (the proof store bounds them) and stay when their oracle goes.
        for (const r of e.reports.values()) if (!isProof(r.msg)) cover(r);
      }
      if (need <= 0) return out;
    }
    return null;
  }
}
