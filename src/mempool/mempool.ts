/** mempool/mempool.ts - the in-memory registry: storage, per-type limits, rank eviction, seqNo updates, sharding, lookups, events. Imports only protocol. */
import { EventEmitter } from 'node:events';
import { signingHash } from '../protocol/canonical.ts';
import type { Dispute, OracleCapability, OracleId, Report, Verified } from '../protocol/types.ts';
import { outranks, RankedSet } from './ranked-set.ts';
import { questionWords, SetIndex } from './text-index.ts';
import { isInShard, type Shard } from './shard.ts';

/** Limits and shard of one mempool (the config slice). */
export interface MempoolOptions {
  /** Oracle ads, global. */
  maxOracles: number;
  /** Capability ads per oracle. */
  maxCapabilities: number;
  /** Reports per oracle. */
  maxReports: number;
  shard: Shard;
}

/** Injected collaborators. */
export interface MempoolDeps {
  /** Clock in milliseconds since the epoch (tests use a fake one). */
  now: () => number;
}

/** A stored oracle ad with its capabilities and the reports against it. */
export interface StoredOracle {
  msg: Verified<OracleId>;
  /** Bid amount (msat) proven by payment; 0 until bids are verified. */
  verifiedBid: number;
  receivedAt: number;
  capabilities: RankedSet<StoredCapability>;
  reports: RankedSet<StoredReport>;
}

/** A stored capability ad. */
export interface StoredCapability {
  msg: Verified<OracleCapability>;
  receivedAt: number;
  /** Index keys currently registered for it (kept so removal needs no re-tokenizing). */
  words: string[];
}

/** A stored report and the dispute attached to it, if any. */
export interface StoredReport {
  id: string;
  msg: Report;
  receivedAt: number;
  dispute: { id: string; msg: Verified<Dispute>; receivedAt: number } | null;
}

/** The kinds of stored things. */
export type StoredKind = 'oracle' | 'capability' | 'report' | 'dispute';

/** Payload of `accepted`: something new or newer is stored. */
export interface AcceptedEvent {
  kind: StoredKind;
  /** oracle: pubkey; capability: capabilityPubKey; report: report id; dispute: dispute id. */
  id: string;
  oraclePubKey: string;
  /** True when a stored version was superseded (higher seqNo, or a PoW upgrade; see supersedesAd/supersedesReport). */
  replaced: boolean;
  /** The stored message. */
  entity: OracleId | OracleCapability | Report | Dispute;
}

/** Payload of `evicted`: something left the mempool. */
export interface EvictedEvent {
  kind: StoredKind;
  id: string;
  oraclePubKey: string;
  /** `rank`: pushed out by a higher-ranked newcomer; `oracle-evicted`: its oracle left. */
  cause: 'rank' | 'oracle-evicted';
}

/**
 * Typed event map (gossipsub-style). Listeners run synchronously after the change is complete and
 * MUST NOT throw: a throwing listener would surface as an exception from the add call that
 * triggered it, after the change was made.
 */
export interface MempoolEvents {
  'mempool:accepted': [AcceptedEvent];
  'mempool:evicted': [EvictedEvent];
}

/** Result of an insertion attempt. */
export type AddResult =
  | { status: 'accepted'; replaced: boolean; evicted: EvictedEvent[] }
  | { status: 'duplicate' }
  | { status: 'out-of-shard' }
  | { status: 'rejected'; reason: MempoolRejectReason; message: string };

/** Why the mempool refused an otherwise valid entry. */
export type MempoolRejectReason = 'rank-too-low' | 'unknown-oracle' | 'report-not-found';

/** A page request. */
export interface Page {
  page: number;
  chunkSize: number;
}

/**
 * Does a signed ad replace the stored version? A higher seqNo does. At an equal seqNo, the same
 * signed content with more PoW does too: PoW is outside the signature precisely so that work can
 * be raised later without re-signing. Anything else is a duplicate.
 */
export function supersedesAd<T extends OracleId | OracleCapability>(next: T, cur: T): boolean {
  if (next.seqNo !== cur.seqNo) return next.seqNo > cur.seqNo;
  return next.pow.difficulty > cur.pow.difficulty && signingHash(next, 'oracleSignature') === signingHash(cur, 'oracleSignature');
}

/**
 * Does a report replace the stored one with the same id? Reports are unsigned and their content
 * (hence id and PoW preimage) never changes, so the only meaningful update is more work: a new
 * version must carry strictly more PoW and must not lower seqNo. A higher seqNo alone is free to
 * make (the proof stays valid at any seqNo) and would let anyone churn relays, so it is a
 * duplicate; a higher seqNo with less work would be a downgrade making the report easy to evict.
 */
export function supersedesReport(next: Report, cur: Report): boolean {
  return next.seqNo >= cur.seqNo && next.pow.difficulty > cur.pow.difficulty;
}

const reject = (reason: MempoolRejectReason, message: string): AddResult => ({ status: 'rejected', reason, message });

/** The PoW-ranked registry. Knows nothing of the network: a sender never reaches it. */
export class Mempool extends EventEmitter<MempoolEvents> {
  readonly options: Readonly<MempoolOptions>;
  private readonly now: () => number;
  private readonly oracles = new RankedSet<StoredOracle>();
  private readonly reportsById = new Map<string, StoredReport>();
  private readonly capsByWord = new SetIndex<StoredCapability>();
  private readonly capsByTag = new SetIndex<StoredCapability>();
  private readonly oraclesByTag = new SetIndex<string>();
  private capabilityCount = 0;
  private disputeCount = 0;

  constructor(options: MempoolOptions, deps: MempoolDeps) {
    super();
    for (const k of ['maxOracles', 'maxCapabilities', 'maxReports'] as const) {
      if (!Number.isInteger(options[k]) || options[k] < 1) throw new RangeError(`mempool ${k} must be an integer >= 1`);
    }
    if (!Number.isInteger(options.shard.count) || options.shard.count < 1 || !Number.isInteger(options.shard.index) || options.shard.index < 0 || options.shard.index >= options.shard.count) {
      throw new RangeError('mempool shard must have integer count >= 1 and 0 <= index < count');
    }
    this.options = Object.freeze({ ...options, shard: Object.freeze({ ...options.shard }) });
    this.now = deps.now;
  }

  /** Entry counts. */
  counts(): { oracles: number; capabilities: number; reports: number; disputes: number } {
    return {
      oracles: this.oracles.size,
      capabilities: this.capabilityCount,
      reports: this.reportsById.size,
      disputes: this.disputeCount,
    };
  }

  // ---- oracle ads ----------------------------------------------------------------------------

  /** Cheap pre-check before signature verification: would this ad be a duplicate or rank too low? */
  precheckOracle(msg: OracleId): AddResult | null {
    const stored = this.oracles.get(msg.pubkey);
    if (stored) return supersedesAd(msg, stored.msg) ? null : { status: 'duplicate' };
    if (this.oracles.size < this.options.maxOracles) return null;
    const lowest = this.oracles.lowest();
    if (lowest && !outranks({ primary: 0, secondary: msg.pow.difficulty }, lowest.key)) {
      return reject('rank-too-low', `the mempool holds ${this.options.maxOracles} oracles and this ad does not outrank the lowest (difficulty ${lowest.key.secondary})`);
    }
    return null;
  }

  /** Store a verified oracle ad (new, or a higher seqNo of a stored one). */
  addOracle(msg: Verified<OracleId>): AddResult {
    const pre = this.precheckOracle(msg);
    if (pre) return pre;
    const stored = this.oracles.get(msg.pubkey);
    const evicted: EvictedEvent[] = [];
    if (stored) {
      this.oraclesByTag.remove(stored.msg.tags ?? [], msg.pubkey);
      stored.msg = msg;
      stored.receivedAt = this.now();
      this.oracles.set(msg.pubkey, stored.verifiedBid, msg.pow.difficulty, stored);
    } else {
      if (this.oracles.size >= this.options.maxOracles) {
        const lowest = this.oracles.lowest();
        if (lowest) this.removeOracle(lowest.value, 'rank', evicted);
      }
      const entry: StoredOracle = {
        msg,
        verifiedBid: 0,
        receivedAt: this.now(),
        capabilities: new RankedSet(),
        reports: new RankedSet(),
      };
      this.oracles.set(msg.pubkey, 0, msg.pow.difficulty, entry);
    }
    this.oraclesByTag.add(msg.tags ?? [], msg.pubkey);
    this.emitAll(evicted);
    this.emit('mempool:accepted', { kind: 'oracle', id: msg.pubkey, oraclePubKey: msg.pubkey, replaced: !!stored, entity: msg });
    return { status: 'accepted', replaced: !!stored, evicted };
  }

  /** The stored oracle ad and its standing. */
  getOracle(pubkey: string): StoredOracle | undefined {
    return this.oracles.get(pubkey);
  }

  /** Re-rank an oracle after its bid was verified (or un-verified). */
  setVerifiedBid(pubkey: string, amountMsat: number): boolean {
    const o = this.oracles.get(pubkey);
    if (!o) return false;
    o.verifiedBid = amountMsat;
    this.oracles.set(pubkey, amountMsat, o.msg.pow.difficulty, o);
    return true;
  }

  /** Oracles, highest rank first; filtered by question words and/or a tag when given. */
  listOracles(page: Page, filter: { question?: string; tag?: string } = {}): StoredOracle[] {
    const offset = page.page * page.chunkSize;
    if (filter.question === undefined && filter.tag === undefined) {
      return [...this.oracles.descending(offset, page.chunkSize)];
    }
    let keys: Set<string> | null = null;
    if (filter.question !== undefined) {
      keys = new Set();
      for (const c of this.matchCapabilities(filter.question)) keys.add(c.msg.oraclePubKey);
    }
    if (filter.tag !== undefined) {
      const byTag = new Set<string>(this.oraclesByTag.get(filter.tag));
      for (const c of this.capsByTag.get(filter.tag)) byTag.add(c.msg.oraclePubKey);
      keys = keys ? new Set([...keys].filter((k) => byTag.has(k))) : byTag;
    }
    const found: { o: StoredOracle; key: { primary: number; secondary: number; id: string } }[] = [];
    for (const k of keys ?? []) {
      const o = this.oracles.get(k);
      const key = this.oracles.rankOf(k);
      if (o && key) found.push({ o, key });
    }
    found.sort((a, b) => b.key.primary - a.key.primary || b.key.secondary - a.key.secondary || (a.key.id < b.key.id ? -1 : 1));
    return found.slice(offset, offset + page.chunkSize).map((f) => f.o);
  }

  // ---- capabilities --------------------------------------------------------------------------

  /** Cheap pre-check: unknown oracle, duplicate, or rank too low for a full per-oracle set. */
  precheckCapability(msg: OracleCapability): AddResult | null {
    const oracle = this.oracles.get(msg.oraclePubKey);
    if (!oracle) return reject('unknown-oracle', 'the oracle of this capability is not known to this node; submit its OracleId first');
    const stored = oracle.capabilities.get(msg.capabilityPubKey);
    if (stored) return supersedesAd(msg, stored.msg) ? null : { status: 'duplicate' };
    if (oracle.capabilities.size < this.options.maxCapabilities) return null;
    const lowest = oracle.capabilities.lowest();
    if (lowest && !outranks({ primary: msg.pow.difficulty, secondary: 0 }, lowest.key)) {
      return reject('rank-too-low', `this oracle has ${this.options.maxCapabilities} capabilities and this one does not outrank the lowest (difficulty ${lowest.key.primary})`);
    }
    return null;
  }

  /** Store a verified capability ad of a known oracle. */
  addCapability(msg: Verified<OracleCapability>): AddResult {
    const pre = this.precheckCapability(msg);
    if (pre) return pre;
    const oracle = this.oracles.get(msg.oraclePubKey) as StoredOracle;
    const stored = oracle.capabilities.get(msg.capabilityPubKey);
    const evicted: EvictedEvent[] = [];
    if (stored) {
      this.unindexCapability(stored);
      stored.msg = msg;
      stored.receivedAt = this.now();
      stored.words = questionWords(msg.question);
      oracle.capabilities.set(msg.capabilityPubKey, msg.pow.difficulty, 0, stored);
      this.indexCapability(stored);
    } else {
      if (oracle.capabilities.size >= this.options.maxCapabilities) {
        const lowest = oracle.capabilities.lowest();
        if (lowest) {
          this.removeCapability(oracle, lowest.value);
          evicted.push({ kind: 'capability', id: lowest.key.id, oraclePubKey: msg.oraclePubKey, cause: 'rank' });
        }
      }
      const entry: StoredCapability = { msg, receivedAt: this.now(), words: questionWords(msg.question) };
      oracle.capabilities.set(msg.capabilityPubKey, msg.pow.difficulty, 0, entry);
      this.capabilityCount++;
      this.indexCapability(entry);
    }
    this.emitAll(evicted);
    this.emit('mempool:accepted', { kind: 'capability', id: msg.capabilityPubKey, oraclePubKey: msg.oraclePubKey, replaced: !!stored, entity: msg });
    return { status: 'accepted', replaced: !!stored, evicted };
  }

  /** A stored capability of an oracle. */
  getCapability(oraclePubKey: string, capabilityPubKey: string): StoredCapability | undefined {
    return this.oracles.get(oraclePubKey)?.capabilities.get(capabilityPubKey);
  }

  /** Capabilities, highest PoW first, of one oracle and/or matching question words and/or a tag. */
  listCapabilities(page: Page, filter: { pubkey?: string; question?: string; tag?: string }): StoredCapability[] {
    const offset = page.page * page.chunkSize;
    let set: Set<StoredCapability> | null = null;
    if (filter.question !== undefined) set = this.matchCapabilities(filter.question);
    if (filter.tag !== undefined) {
      const byTag = this.capsByTag.get(filter.tag);
      set = set ? new Set([...set].filter((c) => byTag.has(c))) : new Set(byTag);
    }
    if (filter.pubkey !== undefined) {
      const oracle = this.oracles.get(filter.pubkey);
      if (!oracle) return [];
      if (!set) return [...oracle.capabilities.descending(offset, page.chunkSize)];
      set = new Set([...set].filter((c) => c.msg.oraclePubKey === filter.pubkey));
    }
    if (!set) return [];
    return [...set]
      .sort((a, b) => b.msg.pow.difficulty - a.msg.pow.difficulty || (a.msg.capabilityPubKey < b.msg.capabilityPubKey ? -1 : 1))
      .slice(offset, offset + page.chunkSize);
  }

  // ---- reports and disputes ------------------------------------------------------------------

  /** Cheap pre-check: unknown oracle, duplicate, or rank too low for a full per-oracle set. */
  precheckReport(msg: Report, id: string): AddResult | null {
    const oracle = this.oracles.get(msg.oraclePubKey);
    if (!oracle) return reject('unknown-oracle', 'the reported oracle is not known to this node');
    const stored = this.reportsById.get(id);
    if (stored) return supersedesReport(msg, stored.msg) ? null : { status: 'duplicate' };
    if (!isInShard(id, this.options.shard)) return null; // validated fully, then answered out-of-shard
    if (oracle.reports.size < this.options.maxReports) return null;
    const lowest = oracle.reports.lowest();
    if (lowest && !outranks({ primary: msg.pow.difficulty, secondary: 0 }, lowest.key)) {
      return reject('rank-too-low', `this oracle has ${this.options.maxReports} reports and this one does not outrank the lowest (difficulty ${lowest.key.primary})`);
    }
    return null;
  }

  /** Store a verified report (`id` = its report id) unless it belongs to another shard. */
  addReport(msg: Verified<Report>, id: string): AddResult {
    const pre = this.precheckReport(msg, id);
    if (pre) return pre;
    if (!isInShard(id, this.options.shard)) return { status: 'out-of-shard' };
    const oracle = this.oracles.get(msg.oraclePubKey) as StoredOracle;
    const stored = this.reportsById.get(id);
    const evicted: EvictedEvent[] = [];
    if (stored) {
      stored.msg = msg;
      stored.receivedAt = this.now();
      oracle.reports.set(id, msg.pow.difficulty, 0, stored);
    } else {
      if (oracle.reports.size >= this.options.maxReports) {
        const lowest = oracle.reports.lowest();
        if (lowest) {
          const gone = lowest.value;
          this.removeReport(oracle, gone);
          if (gone.dispute) evicted.push({ kind: 'dispute', id: gone.dispute.id, oraclePubKey: msg.oraclePubKey, cause: 'rank' });
          evicted.push({ kind: 'report', id: lowest.key.id, oraclePubKey: msg.oraclePubKey, cause: 'rank' });
        }
      }
      const entry: StoredReport = { id, msg, receivedAt: this.now(), dispute: null };
      oracle.reports.set(id, msg.pow.difficulty, 0, entry);
      this.reportsById.set(id, entry);
    }
    this.emitAll(evicted);
    this.emit('mempool:accepted', { kind: 'report', id, oraclePubKey: msg.oraclePubKey, replaced: !!stored, entity: msg });
    return { status: 'accepted', replaced: !!stored, evicted };
  }

  /** A stored report by id. */
  getReport(id: string): StoredReport | undefined {
    return this.reportsById.get(id);
  }

  /** Reports against an oracle, highest PoW first. */
  listReports(pubkey: string, page: Page): StoredReport[] {
    const oracle = this.oracles.get(pubkey);
    if (!oracle) return [];
    return [...oracle.reports.descending(page.page * page.chunkSize, page.chunkSize)];
  }

  /** Attach a verified dispute to its stored report. A report keeps its first valid dispute. */
  addDispute(msg: Verified<Dispute>, id: string): AddResult {
    const report = this.reportsById.get(msg.reportId);
    if (!report) return reject('report-not-found', 'no stored report has this reportId');
    if (report.dispute) return { status: 'duplicate' };
    report.dispute = { id, msg, receivedAt: this.now() };
    this.disputeCount++;
    this.emit('mempool:accepted', { kind: 'dispute', id, oraclePubKey: msg.oraclePubKey, replaced: false, entity: msg });
    return { status: 'accepted', replaced: false, evicted: [] };
  }

  // ---- internals -----------------------------------------------------------------------------

  private matchCapabilities(question: string): Set<StoredCapability> {
    return this.capsByWord.intersect(questionWords(question));
  }

  private indexCapability(c: StoredCapability): void {
    this.capsByWord.add(c.words, c);
    this.capsByTag.add(c.msg.tags ?? [], c);
  }

  private unindexCapability(c: StoredCapability): void {
    this.capsByWord.remove(c.words, c);
    this.capsByTag.remove(c.msg.tags ?? [], c);
  }

  private removeCapability(oracle: StoredOracle, c: StoredCapability): void {
    this.unindexCapability(c);
    oracle.capabilities.delete(c.msg.capabilityPubKey);
    this.capabilityCount--;
  }

  private removeReport(oracle: StoredOracle, r: StoredReport): void {
    oracle.reports.delete(r.id);
    this.reportsById.delete(r.id);
    if (r.dispute) this.disputeCount--;
  }

  /** Remove an oracle with everything that hangs on it; evictions are appended to `out`. */
  private removeOracle(o: StoredOracle, cause: EvictedEvent['cause'], out: EvictedEvent[]): void {
    const pubkey = o.msg.pubkey;
    for (const c of [...o.capabilities.values()]) {
      this.removeCapability(o, c);
      out.push({ kind: 'capability', id: c.msg.capabilityPubKey, oraclePubKey: pubkey, cause: 'oracle-evicted' });
    }
    for (const r of [...o.reports.values()]) {
      if (r.dispute) out.push({ kind: 'dispute', id: r.dispute.id, oraclePubKey: pubkey, cause: 'oracle-evicted' });
      this.removeReport(o, r);
      out.push({ kind: 'report', id: r.id, oraclePubKey: pubkey, cause: 'oracle-evicted' });
    }
    this.oraclesByTag.remove(o.msg.tags ?? [], pubkey);
    this.oracles.delete(pubkey);
    out.push({ kind: 'oracle', id: pubkey, oraclePubKey: pubkey, cause });
  }

  private emitAll(evicted: EvictedEvent[]): void {
    for (const e of evicted) this.emit('mempool:evicted', e);
  }
}
