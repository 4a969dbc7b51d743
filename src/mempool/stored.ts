/** mempool/stored.ts - stored-entry implementation and the rank order of each kind (oracle, capability, report). Imports only protocol types and mempool internals. */
import type { OracleId, Verified } from '../protocol/types.ts';
import { EMPTY_VIEW, RankedSet, type RankedView } from './ranked-set.ts';
import { CLASS_RANK, isAnswered, reportClass } from './report-class.ts';
import type { StoredCapability, StoredOracle, StoredReport } from './types.ts';

/** Among equal ranks the lexicographically larger id counts as lower, so order is total and the same on every node. */
function idTieBreak(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** Hex digits an {@link idPrefix} reads: 28 bits, a small integer V8 keeps in the entry itself. */
const PREFIX_DIGITS = 7;

/**
 * The first 7 digits of a lowercase-hex id as a number, or -1 when the id does not start with 7
 * lowercase hex digits. Two ids with prefixes order as their prefixes do whenever those differ
 * (same digit count, and '0'-'9' sort below 'a'-'f'), so a stored entry keeps its key's prefix and
 * most rank ties are broken without reading either key string (each read a cache miss in a large
 * index: the comparators were ~7 % of a syncing node's main thread, docs/benchmarks.md round 7).
 * Lowercase only, unlike the hex readers of protocol/ids.ts and mempool/shard.ts: 'A' sorts below 'a'
 * as text but is the same digit, so a mixed-case prefix would not order as its string.
 */
export function idPrefix(id: string): number {
  if (id.length < PREFIX_DIGITS) return -1;
  let n = 0;
  for (let i = 0; i < PREFIX_DIGITS; i++) {
    const c = id.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** idTieBreak of two ids with their {@link idPrefix}es: by prefix when both have one and they differ, else by the strings (so does a test fake without the field: undefined >= 0 is false). */
function prefixTieBreak(pa: number, pb: number, a: string, b: string): number {
  return pa !== pb && pa >= 0 && pb >= 0 ? pb - pa : idTieBreak(a, b);
}

/** Oracle rank, ascending: verified bid, then PoW difficulty, then pubkey (larger = lower). */
export function compareOracles(a: StoredOracle, b: StoredOracle): number {
  return a.verifiedBid - b.verifiedBid || a.msg.pow.difficulty - b.msg.pow.difficulty || prefixTieBreak(a.keyPrefix, b.keyPrefix, a.msg.pubkey, b.msg.pubkey);
}

/**
 * Capability rank, ascending: PoW difficulty, then capabilityPubKey, then oraclePubKey (larger =
 * lower). Within one oracle this is (difficulty, capabilityPubKey); across oracles the oracle key
 * only separates two oracles that reuse one capability key.
 */
export function compareCapabilities(a: StoredCapability, b: StoredCapability): number {
  return a.msg.pow.difficulty - b.msg.pow.difficulty || prefixTieBreak(a.keyPrefix, b.keyPrefix, a.msg.capabilityPubKey, b.msg.capabilityPubKey) || idTieBreak(a.msg.oraclePubKey, b.msg.oraclePubKey);
}

/** The class rank of a stored report (mempool/report-class.ts): proof > paid claim > claim > answered. */
export function classRankOf(r: StoredReport): number {
  return CLASS_RANK[reportClass(r.msg, isAnswered(r))];
}

/** Report rank, ascending: class (docs/PROTOCOL.md 9.5), then PoW difficulty, then report id (larger = lower). */
export function compareReports(a: StoredReport, b: StoredReport): number {
  return classRankOf(a) - classRankOf(b) || a.msg.pow.difficulty - b.msg.pow.difficulty || idTieBreak(a.id, b.id);
}

/** Is a newcomer of rank (primary, secondary) strictly above `b`, ignoring the id tie-break? (A newcomer must beat the lowest this way.) */
export function outranks(a: { primary: number; secondary: number }, b: { primary: number; secondary: number }): boolean {
  return a.primary > b.primary || (a.primary === b.primary && a.secondary > b.secondary);
}

/** The reports an oracle keeps, by rank, with its tallies by class (kept by OracleEntry.holdReport/dropReport). */
class HeldReports extends RankedSet<StoredReport> {
  /** Held proofs, open claims (paid or not), answered claims. */
  proofs = 0;
  open = 0;
  answered = 0;

  constructor() {
    super(compareReports);
  }
}

/**
 * A stored oracle ad. Its capability and report sets are created on first use: most oracles have
 * few or none, and two empty sets would cost more than the ad itself (docs/benchmarks.md, memory).
 * The report tallies live with the report set, so an oracle without reports does not carry them.
 * Only the mempool changes an entry; its rank fields (`verifiedBid`, `msg.pow`) change only while
 * it is out of every ranked set (Mempool and Lookups unlink, change, relink).
 */
export class OracleEntry implements StoredOracle {
  msg: Verified<OracleId>;
  /** idPrefix of msg.pubkey, which never changes for an entry (a replacing ad has the same key). */
  readonly keyPrefix: number;
  version: string;
  verifiedBid = 0;
  receivedAt: number;
  bytes: number;
  /** Capabilities by rank; null until the first one. */
  caps: RankedSet<StoredCapability> | null = null;
  /** Reports kept by this oracle, by rank, and their tallies; null until the first one. */
  reps: HeldReports | null = null;

  constructor(msg: Verified<OracleId>, version: string, receivedAt: number, bytes: number) {
    this.msg = msg;
    this.keyPrefix = idPrefix(msg.pubkey);
    this.version = version;
    this.receivedAt = receivedAt;
    this.bytes = bytes;
  }

  get capabilities(): RankedView<StoredCapability> {
    return this.caps ?? EMPTY_VIEW;
  }

  get reports(): RankedView<StoredReport> {
    return this.reps ?? EMPTY_VIEW;
  }

  /** Held proofs. */
  get proofCount(): number {
    return this.reps?.proofs ?? 0;
  }

  /** Held claims not answered (paid or not). */
  get openClaims(): number {
    return this.reps?.open ?? 0;
  }

  /** Held fact-missing reports answered with a valid fact (or an attestation). */
  get answeredClaims(): number {
    return this.reps?.answered ?? 0;
  }

  /** The capability with this key. O(k) over this oracle's capabilities (k ≤ maxCapabilities, default 100): a per-oracle map would cost more memory than it saves time. */
  capability(capabilityPubKey: string): StoredCapability | undefined {
    if (!this.caps) return undefined;
    for (const c of this.caps.values()) if (c.msg.capabilityPubKey === capabilityPubKey) return c;
    return undefined;
  }

  /** The capability set, created on first use. */
  capsForWrite(): RankedSet<StoredCapability> {
    return (this.caps ??= new RankedSet(compareCapabilities));
  }

  /** Reports that take one of the maxReports slots (claims and answered claims; proofs are bounded by the proof store). */
  get claimSlots(): number {
    return this.openClaims + this.answeredClaims;
  }

  /** Hold a report (its rank fields must not change while held: drop, change, hold). */
  holdReport(r: StoredReport): void {
    const reps = (this.reps ??= new HeldReports());
    if (reps.add(r)) tally(reps, r, 1);
  }

  /** Stop holding a report; false when it was not held. */
  dropReport(r: StoredReport): boolean {
    if (!this.reps?.delete(r)) return false;
    tally(this.reps, r, -1);
    return true;
  }

  /** Does this oracle hold `r`? */
  holds(r: StoredReport): boolean {
    return this.reps?.has(r) ?? false;
  }

  /** The lowest-ranked report taking a slot (a claim or an answered claim), if any. */
  lowestClaim(): StoredReport | undefined {
    const low = this.reps?.lowest();
    return low && classRankOf(low) < CLASS_RANK.proof ? low : undefined;
  }
}

/** Count `r` in (d = 1) or out of (d = -1) its class's tally. */
function tally(reps: HeldReports, r: StoredReport, d: 1 | -1): void {
  const c = reportClass(r.msg, isAnswered(r));
  if (c === 'proof') reps.proofs += d;
  else if (c === 'answered') reps.answered += d;
  else reps.open += d;
}
