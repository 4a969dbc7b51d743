/** mempool/mempool.ts - the in-memory registry: storage, per-type limits, rank eviction, seqNo updates, sharding, lookups, events. Imports only protocol. */
import { EventEmitter } from 'node:events';
import { versionHash } from '../protocol/ids.ts';
import type { Dispute, OracleCapability, OracleId, Report, Verified } from '../protocol/types.ts';
import { supersedesAd, supersedesReport } from './supersede.ts';
import type {
  AcceptedEvent,
  AddResult,
  EvictedEvent,
  InventoryEntry,
  MempoolDeps,
  MempoolEvents,
  MempoolOptions,
  MempoolRejectReason,
  Page,
  StoredCapability,
  StoredKind,
  StoredOracle,
  StoredReport,
} from './types.ts';

import { outranks, RankedSet } from './ranked-set.ts';
import { questionWords, SetIndex } from './text-index.ts';
import { isInShard } from './shard.ts';

export { supersedesAd, supersedesReport } from './supersede.ts';
export type * from './types.ts';

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
  /** Key rotation: old key -> stored ads whose verified previousId chain names it (docs/PROTOCOL.md 4.4). */
  private readonly rotatedTo = new Map<string, Set<string>>();
  private capabilityCount = 0;
  private disputeCount = 0;
  private isMuted = false;

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

  /**
   * Run `fn` with events muted: changes it makes are neither announced nor relayed. Only for
   * restoring contents this node already accepted (persist/store.ts replays its journal this way).
   */
  muted<T>(fn: () => T): T {
    this.isMuted = true;
    try {
      return fn();
    } finally {
      this.isMuted = false;
    }
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

  /** Store a verified oracle ad (new, or superseding the stored one). `version`: its versionHash if the caller has it. */
  addOracle(msg: Verified<OracleId>, knownVersion?: string): AddResult {
    const pre = this.precheckOracle(msg);
    if (pre) return pre;
    const version = knownVersion ?? versionHash(msg);
    const stored = this.oracles.get(msg.pubkey);
    const evicted: EvictedEvent[] = [];
    if (stored) {
      this.oraclesByTag.remove(stored.msg.tags ?? [], msg.pubkey);
      this.unlinkRotation(stored.msg);
      stored.msg = msg;
      stored.version = version;
      stored.receivedAt = this.now();
      this.oracles.set(msg.pubkey, stored.verifiedBid, msg.pow.difficulty, stored);
    } else {
      if (this.oracles.size >= this.options.maxOracles) {
        const lowest = this.oracles.lowest();
        if (lowest) this.removeOracle(lowest.value, 'rank', evicted);
      }
      const entry: StoredOracle = {
        msg,
        version,
        verifiedBid: 0,
        receivedAt: this.now(),
        capabilities: new RankedSet(),
        reports: new RankedSet(),
      };
      this.oracles.set(msg.pubkey, 0, msg.pow.difficulty, entry);
    }
    this.oraclesByTag.add(msg.tags ?? [], msg.pubkey);
    this.linkRotation(msg);
    this.emitAll(evicted);
    this.emitAccepted({ kind: 'oracle', id: msg.pubkey, oraclePubKey: msg.pubkey, replaced: !!stored, version, entity: msg });
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
  addCapability(msg: Verified<OracleCapability>, knownVersion?: string): AddResult {
    const pre = this.precheckCapability(msg);
    if (pre) return pre;
    const version = knownVersion ?? versionHash(msg);
    const oracle = this.oracles.get(msg.oraclePubKey) as StoredOracle;
    const stored = oracle.capabilities.get(msg.capabilityPubKey);
    const evicted: EvictedEvent[] = [];
    if (stored) {
      this.unindexCapability(stored);
      stored.msg = msg;
      stored.version = version;
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
      const entry: StoredCapability = { msg, version, receivedAt: this.now(), words: questionWords(msg.question) };
      oracle.capabilities.set(msg.capabilityPubKey, msg.pow.difficulty, 0, entry);
      this.capabilityCount++;
      this.indexCapability(entry);
    }
    this.emitAll(evicted);
    this.emitAccepted({ kind: 'capability', id: msg.capabilityPubKey, oraclePubKey: msg.oraclePubKey, replaced: !!stored, version, entity: msg });
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

  /**
   * Cheap pre-check: unknown oracle, duplicate, or rank too low for a full per-oracle set.
   * `holder` is the stored oracle that keeps the report: the reported key itself, or (for a report
   * against a rotated-away key whose ad is gone) the newer key it was rotated to.
   */
  precheckReport(msg: Report, id: string, holder = this.reportHolder(msg.oraclePubKey)): AddResult | null {
    const oracle = this.oracles.get(holder);
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
  addReport(msg: Verified<Report>, id: string, holder = this.reportHolder(msg.oraclePubKey), knownVersion?: string): AddResult {
    const pre = this.precheckReport(msg, id, holder);
    if (pre) return pre;
    if (!isInShard(id, this.options.shard)) return { status: 'out-of-shard' };
    const version = knownVersion ?? versionHash(msg);
    const stored = this.reportsById.get(id);
    // A replacement stays with the oracle that keeps it (the old key's ad may have arrived since).
    if (stored) holder = [msg.oraclePubKey, ...this.newerKeys(msg.oraclePubKey)].find((k) => this.oracles.get(k)?.reports.get(id)) ?? holder;
    const oracle = this.oracles.get(holder) as StoredOracle;
    const evicted: EvictedEvent[] = [];
    if (stored) {
      stored.msg = msg;
      stored.version = version;
      stored.receivedAt = this.now();
      oracle.reports.set(id, msg.pow.difficulty, 0, stored);
    } else {
      if (oracle.reports.size >= this.options.maxReports) {
        const lowest = oracle.reports.lowest();
        if (lowest) {
          const gone = lowest.value;
          this.removeReport(oracle, gone);
          if (gone.dispute) evicted.push({ kind: 'dispute', id: gone.dispute.id, oraclePubKey: holder, cause: 'rank' });
          evicted.push({ kind: 'report', id: lowest.key.id, oraclePubKey: holder, cause: 'rank' });
        }
      }
      const entry: StoredReport = { id, msg, version, receivedAt: this.now(), dispute: null };
      oracle.reports.set(id, msg.pow.difficulty, 0, entry);
      this.reportsById.set(id, entry);
    }
    this.emitAll(evicted);
    this.emitAccepted({ kind: 'report', id, oraclePubKey: msg.oraclePubKey, replaced: !!stored, version, entity: msg });
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

  /** Attach a verified dispute to its stored report (`id` = disputeId(msg), which is also its version hash). A report keeps its first valid dispute. */
  addDispute(msg: Verified<Dispute>, id: string): AddResult {
    const report = this.reportsById.get(msg.reportId);
    if (!report) return reject('report-not-found', 'no stored report has this reportId');
    if (report.dispute) return { status: 'duplicate' };
    // A dispute has no cTTL: its version hash is its id (protocol/ids.ts).
    report.dispute = { id, msg, receivedAt: this.now(), version: id };
    this.disputeCount++;
    this.emitAccepted({ kind: 'dispute', id, oraclePubKey: msg.oraclePubKey, replaced: false, version: report.dispute.version, entity: msg });
    return { status: 'accepted', replaced: false, evicted: [] };
  }

  // ---- inventory (relay and sync) -------------------------------------------------------------

  /** Every stored item as (kind, inventory id, version, message). Oracles come before what hangs on them. */
  *inventory(): IterableIterator<InventoryEntry> {
    for (const o of this.oracles.values()) {
      yield { kind: 'oracle', id: o.msg.pubkey, version: o.version, msg: o.msg, cTTL: o.msg.cTTL };
      for (const c of o.capabilities.values()) {
        yield { kind: 'capability', id: c.msg.oraclePubKey + c.msg.capabilityPubKey, version: c.version, msg: c.msg, cTTL: c.msg.cTTL };
      }
      for (const r of o.reports.values()) {
        yield { kind: 'report', id: r.id, version: r.version, msg: r.msg, cTTL: r.msg.cTTL };
        if (r.dispute) yield { kind: 'dispute', id: r.id, version: r.dispute.version, msg: r.dispute.msg, cTTL: null };
      }
    }
  }

  /** The stored item with this inventory id (see protocol/ids.ts inventoryId). */
  getByInventoryId(kind: StoredKind, id: string): InventoryEntry | undefined {
    switch (kind) {
      case 'oracle': {
        const o = this.oracles.get(id);
        return o && { kind, id, version: o.version, msg: o.msg, cTTL: o.msg.cTTL };
      }
      case 'capability': {
        const c = this.getCapability(id.slice(0, 66), id.slice(66));
        return c && { kind, id, version: c.version, msg: c.msg, cTTL: c.msg.cTTL };
      }
      case 'report': {
        const r = this.reportsById.get(id);
        return r && { kind, id, version: r.version, msg: r.msg, cTTL: r.msg.cTTL };
      }
      case 'dispute': {
        const d = this.reportsById.get(id)?.dispute;
        return d ? { kind, id, version: d.version, msg: d.msg, cTTL: null } : undefined;
      }
    }
  }

  // ---- key rotation links ---------------------------------------------------------------------

  /** Stored newer keys of `pubkey` (transitively through stored ads' previousId chains), nearest first. */
  newerKeys(pubkey: string): string[] {
    const seen = new Set<string>([pubkey]);
    const out: string[] = [];
    for (let i = -1; i < out.length && out.length < 64; i++) {
      const k = i < 0 ? pubkey : (out[i] as string);
      for (const s of [...(this.rotatedTo.get(k) ?? [])].sort()) {
        if (!seen.has(s)) {
          seen.add(s);
          out.push(s);
        }
      }
    }
    return out;
  }

  /**
   * The stored oracle that keeps reports against `pubkey`: its own ad when stored, else the newest
   * stored key it was rotated to (farthest along the chain; ties by smallest pubkey), else the key
   * itself (then the report is refused as unknown-oracle). Rotation never launders reports.
   */
  reportHolder(pubkey: string): string {
    if (this.oracles.get(pubkey) || !this.rotatedTo.has(pubkey)) return pubkey;
    const newer = this.newerKeys(pubkey);
    return newer[newer.length - 1] ?? pubkey;
  }

  // ---- internals -----------------------------------------------------------------------------

  private linkRotation(o: OracleId): void {
    for (let p = o.previousId, n = 0; p !== undefined && n < 16; p = p.previousId, n++) {
      let set = this.rotatedTo.get(p.pubkey);
      if (!set) this.rotatedTo.set(p.pubkey, (set = new Set()));
      set.add(o.pubkey);
    }
  }

  private unlinkRotation(o: OracleId): void {
    for (let p = o.previousId, n = 0; p !== undefined && n < 16; p = p.previousId, n++) {
      const set = this.rotatedTo.get(p.pubkey);
      set?.delete(o.pubkey);
      if (set?.size === 0) this.rotatedTo.delete(p.pubkey);
    }
  }


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
    this.unlinkRotation(o.msg);
    this.oracles.delete(pubkey);
    out.push({ kind: 'oracle', id: pubkey, oraclePubKey: pubkey, cause });
  }

  private emitAll(evicted: EvictedEvent[]): void {
    if (this.isMuted) return;
    for (const e of evicted) this.emit('mempool:evicted', e);
  }

  private emitAccepted(e: AcceptedEvent): void {
    if (!this.isMuted) this.emit('mempool:accepted', e);
  }
}
