/** mempool/proofs.ts - the proof store: every stored proof report (mempool/report-class.ts), keyed by the accused key, bounded in count and bytes, ranked by the accused oracle's PoW; it outlives the accused oracle's eviction (docs/PROTOCOL.md 9.5). Imports only protocol types and mempool internals. */
import { RankedSet } from './ranked-set.ts';
import type { StoredReport } from './types.ts';

/** Default most proofs kept (all accused keys together). */
export const DEFAULT_MAX_PROOFS = 10_000;
/** Default most JSON bytes of proofs kept: 10,000 proofs of ~1.6 KiB (two facts and an embedded capability ad) fit. */
export const DEFAULT_MAX_PROOF_BYTES = 16 * 1024 * 1024;

/** One stored proof: the report, and the PoW of the accused oracle's ad when the proof was stored (0 when it was not known). */
export interface ProofEntry {
  readonly report: StoredReport;
  /** Difficulty of the accused (holder) oracle's ad at admission: the first key of the proof's rank in this store. */
  readonly accusedPow: number;
}

/** Larger id = lower, as everywhere in the mempool (total order, the same on every node). */
function idTieBreak(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** Proof-store rank, ascending: the accused oracle's PoW, then the report's PoW, then report id (larger = lower). */
export function compareProofs(a: ProofEntry, b: ProofEntry): number {
  return a.accusedPow - b.accusedPow || a.report.msg.pow.difficulty - b.report.msg.pow.difficulty || idTieBreak(a.report.id, b.report.id);
}

/** Proof reports against an accused key, highest report PoW first (the order the oracle's report set lists them in). */
function compareByReport(a: ProofEntry, b: ProofEntry): number {
  return a.report.msg.pow.difficulty - b.report.msg.pow.difficulty || idTieBreak(a.report.id, b.report.id);
}

/**
 * Why the accused oracle's PoW ranks proofs: pushing out the proofs against an oracle needs as many
 * new proofs against oracles with at least its identity work, so flooding the store costs the
 * attacker as much identity work as the oracle it wants to clear, per slot.
 */
export class ProofStore {
  readonly maxProofs: number;
  readonly maxBytes: number;
  private total = 0;
  private readonly byId = new Map<string, ProofEntry>();
  private readonly order = new RankedSet<ProofEntry>(compareProofs);
  private readonly byAccused = new Map<string, RankedSet<ProofEntry>>();

  constructor(maxProofs: number, maxBytes: number) {
    if (!Number.isInteger(maxProofs) || maxProofs < 1) throw new RangeError('proof store maxProofs must be an integer >= 1');
    if (!(maxBytes >= 1)) throw new RangeError('proof store maxBytes must be >= 1');
    this.maxProofs = maxProofs;
    this.maxBytes = maxBytes;
  }

  /** Number of proofs kept. */
  get size(): number {
    return this.byId.size;
  }

  /** JSON bytes of the proofs kept. */
  get bytes(): number {
    return this.total;
  }

  /** The entry of a stored proof. */
  get(id: string): ProofEntry | undefined {
    return this.byId.get(id);
  }

  /** Number of proofs against `accused`. O(1). */
  count(accused: string): number {
    return this.byAccused.get(accused)?.size ?? 0;
  }

  /** Proofs against `accused`, highest report PoW first. */
  *against(accused: string): IterableIterator<StoredReport> {
    const set = this.byAccused.get(accused);
    if (!set) return;
    for (const e of set.descending()) yield e.report;
  }

  /** Every entry, lowest rank first. */
  values(): IterableIterator<ProofEntry> {
    return this.order.values();
  }

  /**
   * Which proofs to evict so that a newcomer of rank (`accusedPow`, `difficulty`) and `bytes` fits
   * (`replacing`: the stored version it replaces, which frees its place): the lowest first, each
   * strictly below the newcomer (ids aside). Null when they cannot free enough; nothing is changed.
   */
  plan(accusedPow: number, difficulty: number, bytes: number, replacing?: ProofEntry): ProofEntry[] | null {
    let count = this.size + (replacing ? 0 : 1) - this.maxProofs;
    let need = this.total + bytes - (replacing?.report.bytes ?? 0) - this.maxBytes;
    const out: ProofEntry[] = [];
    for (const e of this.order.values()) {
      if (count <= 0 && need <= 0) return out;
      if (e === replacing) continue;
      if (e.accusedPow > accusedPow || (e.accusedPow === accusedPow && e.report.msg.pow.difficulty >= difficulty)) return null;
      out.push(e);
      count--;
      need -= e.report.bytes;
    }
    return count <= 0 && need <= 0 ? out : null;
  }

  /** Keep a proof (its bytes are fixed while it is here: remove, change, add). */
  add(report: StoredReport, accusedPow: number): ProofEntry {
    const e: ProofEntry = { report, accusedPow };
    this.byId.set(report.id, e);
    this.order.add(e);
    const accused = report.msg.oraclePubKey;
    let set = this.byAccused.get(accused);
    if (!set) this.byAccused.set(accused, (set = new RankedSet(compareByReport)));
    set.add(e);
    this.total += report.bytes;
    return e;
  }

  /** Drop a proof; its entry, or undefined when it was not kept. */
  remove(id: string): ProofEntry | undefined {
    const e = this.byId.get(id);
    if (!e) return undefined;
    this.byId.delete(id);
    this.order.delete(e);
    const accused = e.report.msg.oraclePubKey;
    const set = this.byAccused.get(accused);
    set?.delete(e);
    if (set?.size === 0) this.byAccused.delete(accused);
    this.total -= e.report.bytes;
    return e;
  }
}
