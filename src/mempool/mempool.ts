/** mempool/mempool.ts - the in-memory registry: storage, per-type limits, rank eviction, seqNo updates, sharding, events; lookups are in queries.ts. Imports only protocol. */
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

import { ByteBudget, jsonBytes, type Budgeted } from './byte-budget.ts';
import { Lookups } from './queries.ts';
import { RotationLinks } from './rotation.ts';
import { classRankOf, idPrefix, OracleEntry, outranks } from './stored.ts';
import { DEFAULT_MAX_PROOF_BYTES, DEFAULT_MAX_PROOFS, ProofStore } from './proofs.ts';
import { CLASS_RANK, isAnswered, isProof, reportClass } from './report-class.ts';
import { isInShard } from './shard.ts';
import { shortId } from '../protocol/ids.ts';
import { VersionIndex } from './version-index.ts';
import { compactCapability, compactOracle, compactReport } from './compact.ts';
import { AnnouncementStore, DEFAULT_ANNOUNCEMENT_OPTIONS, type AnnouncementAdd, type AnnouncementFilter, type StoredAnnouncement } from './announcements.ts';
import type { OracleAnnouncement, OracleAttestation } from '../dlc/index.ts';
import type { Announcement, Attestation, DlcSigningVersion, Offer } from '../protocol/types.ts';
import { DEFAULT_OFFER_OPTIONS, OfferStore, type OfferAdd, type OfferContext, type OfferFilter, type StoredOffer } from './offers.ts';

export { supersedesAd, supersedesReport } from './supersede.ts';
export type * from './types.ts';
export type { AnnouncementAdd, AnnouncementFilter, StoredAnnouncement, StoredAttestation } from './announcements.ts';
export type { OfferAdd, OfferContext, OfferFilter, StoredOffer } from './offers.ts';

const reject = (reason: MempoolRejectReason, message: string): AddResult => ({ status: 'rejected', reason, message });

/** The PoW-ranked registry. Knows nothing of the network: a sender never reaches it. */
export class Mempool extends EventEmitter<MempoolEvents> {
  readonly options: Readonly<MempoolOptions>;
  private readonly now: () => number;
  private readonly oracles = new Map<string, OracleEntry>();
  private readonly reportsById = new Map<string, StoredReport>();
  /** Rank order, word and tag indexes, and the paged queries over them. */
  private readonly lookups = new Lookups();
  /** Key rotation: old key -> stored ads whose verified previousId chain names it. */
  private readonly rotation = new RotationLinks();
  /** Short version id -> stored entry, for inv and getdata (every add, replacement and removal keeps it exact). */
  /** Announces a version that stopped being current (replaced or removed), for every kind's store. */
  private readonly retire = (vid: string): void => void this.emit('mempool:version-retired', vid);
  private readonly versions = new VersionIndex(this.retire);
  /** JSON bytes of everything stored, and which lowest-ranked entries make room (maxBytes). */
  private readonly budget: ByteBudget;
  /** DLC announcements and their attestations (kept on every shard; own count and byte bounds). */
  private readonly dlc: AnnouncementStore;
  /** Offers (sharded by id like reports; own count and byte bounds, mempool/offers.ts). */
  private readonly offers: OfferStore;
  /** Every stored proof report, by accused key; bounded on its own and kept when the accused oracle leaves (mempool/proofs.ts). */
  private readonly proofs: ProofStore;
  /** announcement id -> ids of stored fact-missing reports naming it (its attestation answers them). */
  private readonly missingByAnnouncement = new Map<string, Set<string>>();
  private capabilityCount = 0;
  private disputeCount = 0;
  private isRestoring = false;

  constructor(options: MempoolOptions, deps: MempoolDeps) {
    super();
    for (const k of ['maxOracles', 'maxCapabilities', 'maxReports'] as const) {
      if (!Number.isInteger(options[k]) || options[k] < 1) throw new RangeError(`mempool ${k} must be an integer >= 1`);
    }
    if (!Number.isInteger(options.shard.count) || options.shard.count < 1 || !Number.isInteger(options.shard.index) || options.shard.index < 0 || options.shard.index >= options.shard.count) {
      throw new RangeError('mempool shard must have integer count >= 1 and 0 <= index < count');
    }
    if (options.maxBytes !== undefined && !(options.maxBytes >= 1)) throw new RangeError('mempool maxBytes must be >= 1');
    this.options = Object.freeze({ ...options, shard: Object.freeze({ ...options.shard }) });
    this.now = deps.now;
    this.budget = new ByteBudget(options.maxBytes ?? Infinity);
    this.dlc = new AnnouncementStore({ ...DEFAULT_ANNOUNCEMENT_OPTIONS, ...options.announcements }, deps.now, this.retire);
    this.offers = new OfferStore({ ...DEFAULT_OFFER_OPTIONS, ...options.offers }, deps.now, this.retire);
    this.proofs = new ProofStore(options.maxProofs ?? DEFAULT_MAX_PROOFS, options.maxProofBytes ?? DEFAULT_MAX_PROOF_BYTES);
  }

  /**
   * Run `fn` as a restore of contents this node already accepted (persist/store.ts replays its
   * journal this way): its `accepted` events carry `restored: true`, so every index learns them
   * through the same event as a fresh admission, while the journal and the relay skip them.
   */
  restoring<T>(fn: () => T): T {
    this.isRestoring = true;
    try {
      return fn();
    } finally {
      this.isRestoring = false;
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

  /** Proofs kept (reports counts them too) and their JSON bytes: the proof store's use of its limits, outside maxBytes. */
  proofUsage(): { proofs: number; bytes: number; maxProofs: number; maxBytes: number } {
    return { proofs: this.proofs.size, bytes: this.proofs.bytes, maxProofs: this.proofs.maxProofs, maxBytes: this.proofs.maxBytes };
  }

  /** JSON bytes of everything stored (the quantity maxBytes bounds). */
  get bytes(): number {
    return this.budget.bytes;
  }

  // ---- oracle ads ----------------------------------------------------------------------------

  /**
   * Cheap pre-check before signature verification: would this ad be a duplicate or rank too low?
   * `bidMsat`: the verified bid a newcomer ranks with (0 unless this node's LND confirmed it).
   */
  precheckOracle(msg: OracleId, bidMsat = 0): AddResult | null {
    const stored = this.oracles.get(msg.pubkey);
    if (stored) return supersedesAd(msg, stored.msg) ? null : { status: 'duplicate' };
    if (this.oracles.size < this.options.maxOracles) return null;
    const lowest = this.lookups.oracleOrder.lowest();
    if (lowest && !outranks({ primary: bidMsat, secondary: msg.pow.difficulty }, { primary: lowest.verifiedBid, secondary: lowest.msg.pow.difficulty })) {
      return reject('rank-too-low', `the mempool holds ${this.options.maxOracles} oracles and this ad (verified bid ${bidMsat} msat, difficulty ${msg.pow.difficulty}) does not outrank the lowest (verified bid ${lowest.verifiedBid} msat, difficulty ${lowest.msg.pow.difficulty})`);
    }
    return null;
  }

  /**
   * Store a verified oracle ad (new, or superseding the stored one). `version`: its versionHash if
   * the caller has it. `bidMsat`: the verified bid a new ad ranks with from the start (a replaced
   * ad keeps its stored weight until setVerifiedBid changes it). `knownBytes`: `JSON.stringify(msg).length`
   * if the caller has it (see jsonBytes), else it is computed. `prechecked`: precheckOracle has just
   * answered null for it with this bid (admission; nothing changed since).
   */
  addOracle(msg: Verified<OracleId>, knownVersion?: string, bidMsat = 0, knownBytes: number | null = null, prechecked = false): AddResult {
    const pre = prechecked ? null : this.precheckOracle(msg, bidMsat);
    if (pre) return pre;
    const version = knownVersion ?? versionHash(msg);
    const vid = shortId(version);
    const stored = this.oracles.get(msg.pubkey);
    const bytes = jsonBytes(msg, knownBytes);
    const room = this.budget.plan(bytes - (stored?.bytes ?? 0), msg.pow.difficulty, (e) => e === stored, stored?.verifiedBid ?? bidMsat);
    if (!room) return this.noRoom(bytes);
    compactOracle(msg, stored?.msg.pubkey);
    const evicted: EvictedEvent[] = [];
    if (stored) {
      this.budget.remove(stored);
      this.rotation.unlink(stored.msg);
      this.versions.remove(stored); // the replaced version is gone: getdata for it answers notfound
      if (msg.pow.difficulty === stored.msg.pow.difficulty) {
        // Same rank (a seqNo update): the ranked sets stay valid, only the ad's own tags may move.
        const oldTags = stored.msg.tags ?? [];
        stored.msg = msg;
        this.lookups.retagOracle(stored, oldTags);
      } else {
        // A PoW upgrade re-ranks: out of every ranked set, change, back in.
        this.lookups.unlinkOracle(stored);
        stored.msg = msg;
        this.lookups.linkOracle(stored);
      }
      stored.version = vid;
      stored.receivedAt = this.now();
      stored.bytes = bytes;
      this.versions.add(stored);
      this.budget.add(stored);
    } else {
      if (this.oracles.size >= this.options.maxOracles) {
        const lowest = this.lookups.oracleOrder.lowest();
        if (lowest) this.removeOracle(lowest, 'rank', evicted);
      }
      const entry = new OracleEntry(msg, vid, this.now(), bytes);
      entry.verifiedBid = bidMsat; // before it joins any ranked set
      this.oracles.set(msg.pubkey, entry);
      this.lookups.linkOracle(entry);
      this.versions.add(entry);
      this.budget.add(entry);
    }
    this.evictForBytes(room, evicted);
    this.rotation.link(msg);
    // A key coming back holds the proofs kept against it (and against its older keys whose ads are gone).
    if (!stored) this.attachProofs(this.oracles.get(msg.pubkey) as OracleEntry);
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
    if (o.verifiedBid === amountMsat) return true;
    this.lookups.unlinkOracle(o);
    this.budget.remove(o); // the byte order ranks oracle ads by verified bid too
    o.verifiedBid = amountMsat;
    this.budget.add(o);
    this.lookups.linkOracle(o);
    return true;
  }

  /** Oracles, highest rank first; filtered by question words and/or a tag when given (see Lookups.listOracles). */
  listOracles(page: Page, filter: { question?: string; tag?: string } = {}): StoredOracle[] {
    return this.lookups.listOracles(page, filter);
  }

  // ---- capabilities --------------------------------------------------------------------------

  /** Cheap pre-check: unknown oracle, duplicate, or rank too low for a full per-oracle set. */
  precheckCapability(msg: OracleCapability): AddResult | null {
    const oracle = this.oracles.get(msg.oraclePubKey);
    if (!oracle) return reject('unknown-oracle', 'the oracle of this capability is not known to this node; submit its OracleId first');
    const stored = oracle.capability(msg.capabilityPubKey);
    if (stored) return supersedesAd(msg, stored.msg) ? null : { status: 'duplicate' };
    if (oracle.capabilities.size < this.options.maxCapabilities) return null;
    const lowest = oracle.caps?.lowest();
    if (lowest && !outranks({ primary: msg.pow.difficulty, secondary: 0 }, { primary: lowest.msg.pow.difficulty, secondary: 0 })) {
      return reject('rank-too-low', `this oracle has ${this.options.maxCapabilities} capabilities and this one does not outrank the lowest (difficulty ${lowest.msg.pow.difficulty})`);
    }
    return null;
  }

  /** Store a verified capability ad of a known oracle. `knownVersion`, `knownBytes`: its versionHash and JSON length if the caller has them; `prechecked`: precheckCapability has just answered null for it (admission; nothing changed since). */
  addCapability(msg: Verified<OracleCapability>, knownVersion?: string, knownBytes: number | null = null, prechecked = false): AddResult {
    const pre = prechecked ? null : this.precheckCapability(msg);
    if (pre) return pre;
    const version = knownVersion ?? versionHash(msg);
    const vid = shortId(version);
    const oracle = this.oracles.get(msg.oraclePubKey) as OracleEntry;
    const stored = oracle.capability(msg.capabilityPubKey);
    const bytes = jsonBytes(msg, knownBytes);
    const room = this.budget.plan(bytes - (stored?.bytes ?? 0), msg.pow.difficulty, (e) => e === oracle || e === stored);
    if (!room) return this.noRoom(bytes);
    compactCapability(msg, oracle.msg.pubkey, stored?.msg.capabilityPubKey);
    const caps = oracle.capsForWrite();
    const evicted: EvictedEvent[] = [];
    if (stored) {
      // Rank and index keys may change: out of every set, change, back in.
      this.budget.remove(stored);
      caps.delete(stored);
      this.lookups.removeCapability(oracle, stored);
      this.versions.remove(stored);
      stored.msg = msg;
      stored.version = vid;
      stored.receivedAt = this.now();
      stored.bytes = bytes;
      caps.add(stored);
      this.lookups.addCapability(oracle, stored);
      this.versions.add(stored);
      this.budget.add(stored);
    } else {
      if (caps.size >= this.options.maxCapabilities) {
        const lowest = caps.lowest();
        if (lowest) {
          this.removeCapability(oracle, lowest);
          evicted.push({ kind: 'capability', id: lowest.msg.capabilityPubKey, oraclePubKey: msg.oraclePubKey, cause: 'rank' });
        }
      }
      const entry: StoredCapability = { msg, keyPrefix: idPrefix(msg.capabilityPubKey), version: vid, receivedAt: this.now(), bytes };
      caps.add(entry);
      this.capabilityCount++;
      this.lookups.addCapability(oracle, entry);
      this.versions.add(entry);
      this.budget.add(entry);
    }
    this.evictForBytes(room, evicted);
    this.emitAll(evicted);
    this.emitAccepted({ kind: 'capability', id: msg.capabilityPubKey, oraclePubKey: msg.oraclePubKey, replaced: !!stored, version, entity: msg });
    return { status: 'accepted', replaced: !!stored, evicted };
  }

  /** A stored capability of an oracle. */
  getCapability(oraclePubKey: string, capabilityPubKey: string): StoredCapability | undefined {
    return this.oracles.get(oraclePubKey)?.capability(capabilityPubKey);
  }

  /** Capabilities, highest PoW first, of one oracle and/or matching question words and/or a tag (see Lookups.listCapabilities). */
  listCapabilities(page: Page, filter: { pubkey?: string; question?: string; tag?: string }): StoredCapability[] {
    const oracle = filter.pubkey === undefined ? undefined : (this.oracles.get(filter.pubkey) ?? null);
    return this.lookups.listCapabilities(page, { question: filter.question, tag: filter.tag, oracle });
  }

  // ---- reports and disputes ------------------------------------------------------------------

  /**
   * Cheap pre-check: unknown oracle, duplicate, or rank too low for a full per-oracle set.
   * `holder` is the stored oracle that keeps the report: the reported key itself, or (for a report
   * against a rotated-away key whose ad is gone) the newer key it was rotated to. `knownBytes`:
   * `JSON.stringify(msg).length` if the caller has it (a proof's size is planned against the proof store).
   */
  precheckReport(msg: Report, id: string, holder = this.reportHolder(msg.oraclePubKey), knownBytes: number | null = null): AddResult | null {
    const oracle = this.oracles.get(holder);
    const proof = isProof(msg);
    // A proof needs no stored oracle: it outlives the accused's eviction (admission checks its capability binding).
    if (!oracle && !proof) return reject('unknown-oracle', 'the reported oracle is not known to this node');
    const stored = this.reportsById.get(id);
    if (stored) return supersedesReport(msg, stored.msg) ? null : { status: 'duplicate' };
    if (!isInShard(id, this.options.shard)) return null; // validated fully, then answered out-of-shard
    if (proof) {
      if (this.proofs.plan(oracle?.msg.pow.difficulty ?? 0, msg.pow.difficulty, jsonBytes(msg, knownBytes))) return null;
      return reject('rank-too-low', `the proof store is full (${this.proofs.size} of ${this.proofs.maxProofs} proofs, ${this.proofs.bytes} of ${this.proofs.maxBytes} bytes) and this proof does not outrank enough of them (accused oracle PoW first)`);
    }
    if (!oracle) return null; // (unreachable: only proofs pass without an oracle)
    if (oracle.claimSlots < this.options.maxReports) return null;
    const lowest = oracle.lowestClaim();
    const cls = CLASS_RANK[reportClass(msg, false)];
    if (lowest && !outranks({ primary: cls, secondary: msg.pow.difficulty }, { primary: classRankOf(lowest), secondary: lowest.msg.pow.difficulty })) {
      return reject('rank-too-low', `this oracle has ${this.options.maxReports} claims and this one does not outrank the lowest (class ${reportClass(lowest.msg, isAnswered(lowest))}, difficulty ${lowest.msg.pow.difficulty})`);
    }
    return null;
  }

  /** Store a verified report (`id` = its report id) unless it belongs to another shard. `knownVersion`, `knownBytes`: its versionHash and JSON length if the caller has them; `prechecked`: precheckReport has just answered null for it with this holder (admission; nothing changed since). */
  addReport(msg: Verified<Report>, id: string, holder = this.reportHolder(msg.oraclePubKey), knownVersion?: string, knownBytes: number | null = null, prechecked = false): AddResult {
    const pre = prechecked ? null : this.precheckReport(msg, id, holder, knownBytes);
    if (pre) return pre;
    if (!isInShard(id, this.options.shard)) return { status: 'out-of-shard' };
    const version = knownVersion ?? versionHash(msg);
    const vid = shortId(version);
    const stored = this.reportsById.get(id);
    if (isProof(msg)) return this.addProof(msg, id, holder, version, stored, knownBytes);
    // A replacement stays with the oracle that keeps it (the old key's ad may have arrived since).
    if (stored) holder = [msg.oraclePubKey, ...this.newerKeys(msg.oraclePubKey)].find((k) => this.oracles.get(k)?.holds(stored)) ?? holder;
    const oracle = this.oracles.get(holder) as OracleEntry;
    const bytes = jsonBytes(msg, knownBytes);
    const room = this.budget.plan(bytes - (stored?.bytes ?? 0), msg.pow.difficulty, (e) => e === oracle || e === stored);
    if (!room) return this.noRoom(bytes);
    this.compactReport(msg, holder);
    const evicted: EvictedEvent[] = [];
    if (stored) {
      this.budget.remove(stored);
      oracle.dropReport(stored); // its rank changes: out, change, back in
      this.versions.remove(stored); // (its dispute, if any, stays: it answers the report id, not a version)
      stored.msg = msg;
      stored.version = vid;
      stored.receivedAt = this.now();
      stored.bytes = bytes;
      oracle.holdReport(stored);
      this.versions.add(stored);
      this.budget.add(stored);
    } else {
      // Only claims take slots, and the lowest slot is always a claim: a claim never evicts a proof.
      if (oracle.claimSlots >= this.options.maxReports) {
        const gone = oracle.lowestClaim();
        if (gone) {
          this.removeReport(oracle, gone);
          if (gone.dispute) evicted.push({ kind: 'dispute', id: gone.dispute.id, oraclePubKey: holder, cause: 'rank' });
          evicted.push({ kind: 'report', id: gone.id, oraclePubKey: holder, cause: 'rank' });
        }
      }
      const entry: StoredReport = { id, msg, version: vid, receivedAt: this.now(), bytes, dispute: null };
      this.linkMissing(entry);
      oracle.holdReport(entry);
      this.reportsById.set(id, entry);
      this.versions.add(entry);
      this.budget.add(entry);
    }
    this.evictForBytes(room, evicted);
    this.emitAll(evicted);
    this.emitAccepted({ kind: 'report', id, oraclePubKey: msg.oraclePubKey, replaced: !!stored, version, entity: msg });
    return { status: 'accepted', replaced: !!stored, evicted };
  }

  /** A stored report by id. */
  getReport(id: string): StoredReport | undefined {
    return this.reportsById.get(id);
  }

  /**
   * Reports an oracle keeps, by rank (class, then PoW; docs/PROTOCOL.md 9.5). For a key whose ad is
   * not stored: the proofs kept against it (an evicted oracle's record stays served).
   */
  listReports(pubkey: string, page: Page): StoredReport[] {
    const offset = page.page * page.chunkSize;
    const oracle = this.oracles.get(pubkey);
    if (oracle) return [...oracle.reports.descending(offset, page.chunkSize)];
    const out: StoredReport[] = [];
    let i = 0;
    for (const r of this.proofs.against(pubkey)) {
      if (out.length >= page.chunkSize) break;
      if (i++ >= offset) out.push(r);
    }
    return out;
  }

  /** Number of proofs kept against `pubkey` (whether or not its ad is stored). O(1). */
  proofCount(pubkey: string): number {
    return this.proofs.count(pubkey);
  }

  /** Attach a verified dispute to its stored report (`id` = disputeId(msg), which is also its version hash). A report keeps its first valid dispute. */
  addDispute(msg: Verified<Dispute>, id: string): AddResult {
    const report = this.reportsById.get(msg.reportId);
    if (!report) return reject('report-not-found', 'no stored report has this reportId');
    if (report.dispute) return { status: 'duplicate' };
    // A dispute ranks with the report it answers; it may push out only what ranks below that report.
    const bytes = jsonBytes(msg);
    const holder = this.holderOf(report);
    const room = this.budget.plan(bytes, report.msg.pow.difficulty, (e) => e === report || e === holder);
    if (!room) return this.noRoom(bytes);
    this.budget.remove(report);
    // Answered: its class (hence rank) changes, so out of the holder's set, change, back in.
    holder?.dropReport(report);
    // A dispute has no cTTL: its version hash is its id (protocol/ids.ts).
    report.dispute = { id, msg, receivedAt: this.now(), version: shortId(id), bytes };
    holder?.holdReport(report);
    this.disputeCount++;
    this.versions.add(report.dispute);
    this.budget.add(report);
    const evicted: EvictedEvent[] = [];
    this.evictForBytes(room, evicted);
    this.emitAll(evicted);
    this.emitAccepted({ kind: 'dispute', id, oraclePubKey: msg.oraclePubKey, replaced: false, version: id, entity: msg });
    return { status: 'accepted', replaced: false, evicted };
  }

  // ---- DLC announcements and attestations (mempool/announcements.ts) --------------------------

  /** Stored announcements, attestations and their bytes. */
  dlcCounts(): { announcements: number; attestations: number; bytes: number } {
    return this.dlc.counts();
  }

  /** Cheap pre-check before signatures: duplicate (no more PoW), expired, or rank too low. */
  precheckAnnouncement(msg: Announcement, id: string, maturityEpoch: number): AnnouncementAdd | null {
    return this.dlc.precheck(msg, id, maturityEpoch);
  }

  /** Store a verified announcement (`question`: its capability's, for the word filter; `signingVersion`: its capability's). */
  addAnnouncement(msg: Verified<Announcement>, id: string, decoded: OracleAnnouncement, signingVersion: DlcSigningVersion, question: string, knownVersion?: string): AnnouncementAdd {
    this.sweepAnnouncements();
    const version = knownVersion ?? versionHash(msg);
    const r = this.dlc.add(msg, id, decoded, signingVersion, question, version);
    if (r.status !== 'accepted') return r;
    this.emitAll(r.evicted);
    this.emitAccepted({ kind: 'announcement', id, oraclePubKey: msg.oraclePubKey, replaced: r.replaced, version, entity: msg });
    return r;
  }

  /** Attach a verified attestation (`id`: SHA-256 of its TLV) to its stored announcement. */
  addAttestation(msg: Verified<Attestation>, id: string, decoded: OracleAttestation, knownVersion?: string): AnnouncementAdd {
    this.sweepAnnouncements();
    const version = knownVersion ?? versionHash(msg);
    const r = this.dlc.attest(msg, id, decoded, version);
    if (r.status !== 'accepted') return r;
    this.emitAll(r.evicted);
    const ann = this.dlc.get(msg.announcementId) as StoredAnnouncement;
    this.answerMissing(msg.announcementId, id);
    this.emitAccepted({ kind: 'attestation', id, oraclePubKey: ann.msg.oraclePubKey, replaced: false, version, entity: msg });
    return r;
  }

  /** A stored announcement by id. */
  getAnnouncement(id: string): StoredAnnouncement | undefined {
    return this.dlc.get(id);
  }

  /** The stored announcement of DLC key `oracleKey` that committed `nonce`. */
  announcementByNonce(oracleKey: string, nonce: string): StoredAnnouncement | undefined {
    return this.dlc.byNonce(oracleKey, nonce);
  }

  /** Announcements, earliest maturity first, matching every given filter. */
  listAnnouncements(page: Page, filter: AnnouncementFilter): StoredAnnouncement[] {
    return this.dlc.list(page, filter);
  }

  /** Evict announcements whose retention ended (the node calls it periodically; adds call it too). */
  sweepAnnouncements(): number {
    const gone = this.dlc.sweep();
    this.emitAll(gone);
    return gone.length;
  }

  // ---- offers --------------------------------------------------------------------------------

  /** Stored offers (every status), open ones, and their bytes. */
  offerCounts(): { offers: number; open: number; bytes: number } {
    return this.offers.counts();
  }

  /** Cheap pre-check before the signature: duplicate or stale version, the maker's limit, or rank too low; out-of-shard ids are not stored here. */
  precheckOffer(msg: Offer, id: string): OfferAdd | { status: 'out-of-shard' } | null {
    if (!isInShard(id, this.options.shard)) return { status: 'out-of-shard' };
    return this.offers.precheck(msg, id);
  }

  /** Store a verified offer (`ctx`: what it needs of its announcement). */
  addOffer(msg: Verified<Offer>, id: string, ctx: OfferContext, knownVersion?: string): OfferAdd | { status: 'out-of-shard' } {
    if (!isInShard(id, this.options.shard)) return { status: 'out-of-shard' };
    this.sweepOffers();
    const version = knownVersion ?? versionHash(msg);
    const r = this.offers.add(msg, id, ctx, version, this.dlc.get(msg.content.announcementId));
    if (r.status !== 'accepted') return r;
    this.emitAll(r.evicted);
    this.emitAccepted({ kind: 'offer', id, oraclePubKey: ctx.oraclePubKey, replaced: r.replaced, version, entity: msg });
    return r;
  }

  /** A stored offer by id. */
  getOffer(id: string): StoredOffer | undefined {
    return this.offers.get(id);
  }

  /** Offers matching every given filter (status default open), highest PoW first. */
  listOffers(page: Page, filter: OfferFilter): StoredOffer[] {
    return this.offers.list(page, filter);
  }

  /** Evict offers whose expiresAt passed (the node calls it periodically; adds call it too). */
  sweepOffers(): number {
    const gone = this.offers.sweep();
    this.emitAll(gone);
    return gone.length;
  }

  // ---- inventory (relay and sync) -------------------------------------------------------------

  /** Every stored item as (kind, inventory id, short version id, message). Oracles come before what hangs on them. */
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
    // After every capability: an announcement's capability comes first in a sync.
    yield* this.dlc.inventory();
    // After announcements: an offer's announcement comes first in a sync.
    yield* this.offers.inventory();
    // Proofs whose accused oracle is gone: still stored, so still synced and snapshotted.
    for (const e of this.proofs.values()) {
      const r = e.report;
      if (!this.holderOf(r)) yield { kind: 'report', id: r.id, version: r.version, msg: r.msg, cTTL: r.msg.cTTL };
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
      case 'announcement':
      case 'attestation':
        return this.dlc.getByInventoryId(kind, id);
      case 'offer':
        return this.offers.getByInventoryId(id);
    }
  }

  /**
   * The stored item whose current version has this short version id (docs/PROTOCOL.md 11.6); a
   * replaced or removed version is not found. O(1). `into`: a caller's reused object the answer is
   * written into for oracles, capabilities, reports and disputes (the relay serving getdata: no
   * entry object per served item); read it before the next call.
   */
  getByShortId(id: string, into?: InventoryEntry): InventoryEntry | undefined {
    return this.versions.get(id, into) ?? this.dlc.getByShortId(id) ?? this.offers.getByShortId(id);
  }

  /**
   * Is this short version id the current version of a stored item (any kind)? Its leaving (replaced
   * or removed) is announced by `mempool:version-retired`. O(1), allocates nothing.
   */
  tracksVersion(id: string): boolean {
    return this.versions.has(id) || this.dlc.hasVersion(id) || this.offers.hasVersion(id);
  }

  /** Raise the stored cTTL of the version with this short id to `cTTL` if that is higher (11.7: the highest cTTL seen wins); returns the cTTL before, or null when unchanged. O(1). */
  raiseCTTL(id: string, cTTL: number): number | null {
    return this.versions.raiseCTTL(id, cTTL) ?? this.offers.raiseCTTL(id, cTTL);
  }

  /** Number of versions in the short-id index (equals the number of stored items; tests check it). */
  get indexedVersions(): number {
    return this.versions.size + this.dlc.indexedVersions + this.offers.indexedVersions;
  }

  // ---- key rotation links ---------------------------------------------------------------------

  /** Stored newer keys of `pubkey` (transitively through stored ads' previousId chains), nearest first. */
  newerKeys(pubkey: string): string[] {
    return this.rotation.newerKeys(pubkey);
  }

  /**
   * The stored oracle that keeps reports against `pubkey`: its own ad when stored, else the newest
   * stored key it was rotated to (farthest along the chain; ties by smallest pubkey), else the key
   * itself (then the report is refused as unknown-oracle). Rotation never launders reports.
   */
  reportHolder(pubkey: string): string {
    if (this.oracles.get(pubkey) || !this.rotation.has(pubkey)) return pubkey;
    const newer = this.newerKeys(pubkey);
    return newer[newer.length - 1] ?? pubkey;
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Share the strings of a report about to be stored with its stored oracle and capability (mempool/compact.ts). */
  private compactReport(msg: Report, holder: string): void {
    const h = this.oracles.get(holder);
    compactReport(msg, this.oracles.get(msg.oraclePubKey)?.msg.pubkey, (k) => h?.capability(k)?.msg.capabilityPubKey);
  }

  private removeCapability(oracle: OracleEntry, c: StoredCapability): void {
    this.budget.remove(c);
    oracle.caps?.delete(c);
    this.lookups.removeCapability(oracle, c);
    this.versions.remove(c);
    this.capabilityCount--;
  }

  /** A new fact-missing naming an announcement: indexed, and answered at once when the announcement is already attested (a restore may replay the attestation first). */
  private linkMissing(r: StoredReport): void {
    const c = r.msg.content;
    if (c.type !== 'fact-missing' || c.announcementId === undefined) return;
    const att = this.dlc.get(c.announcementId)?.attestation;
    if (att) {
      r.attestationId = att.id;
      return;
    }
    let set = this.missingByAnnouncement.get(c.announcementId);
    if (!set) this.missingByAnnouncement.set(c.announcementId, (set = new Set()));
    set.add(r.id);
  }

  private unlinkMissing(r: StoredReport): void {
    const c = r.msg.content;
    if (c.type !== 'fact-missing' || c.announcementId === undefined) return;
    const set = this.missingByAnnouncement.get(c.announcementId);
    set?.delete(r.id);
    if (set?.size === 0) this.missingByAnnouncement.delete(c.announcementId);
  }

  /** The attestation of an announcement arrived: every stored fact-missing naming it is answered (its class changes, so it is re-ranked). */
  private answerMissing(announcementId: string, attestationId: string): void {
    const ids = this.missingByAnnouncement.get(announcementId);
    if (!ids) return;
    this.missingByAnnouncement.delete(announcementId);
    for (const id of ids) {
      const r = this.reportsById.get(id);
      if (!r || r.attestationId !== undefined) continue;
      const holder = this.holderOf(r);
      holder?.dropReport(r);
      r.attestationId = attestationId;
      holder?.holdReport(r);
    }
  }

  private removeReport(oracle: OracleEntry, r: StoredReport): void {
    this.unlinkMissing(r);
    this.budget.remove(r);
    oracle.dropReport(r);
    this.reportsById.delete(r.id);
    this.versions.remove(r);
    if (r.dispute) {
      this.versions.remove(r.dispute);
      this.disputeCount--;
    }
  }

  /** Remove an oracle with everything that hangs on it; evictions are appended to `out`. */
  private removeOracle(o: OracleEntry, cause: EvictedEvent['cause'], out: EvictedEvent[]): void {
    const pubkey = o.msg.pubkey;
    // Out of the oracle-level sets first (that walk needs its capabilities), then drop what hangs on it.
    this.lookups.unlinkOracle(o);
    this.budget.remove(o);
    for (const c of o.capabilities.values()) {
      this.budget.remove(c);
      this.lookups.dropCapability(c);
      this.versions.remove(c);
      this.capabilityCount--;
      out.push({ kind: 'capability', id: c.msg.capabilityPubKey, oraclePubKey: pubkey, cause: 'oracle-evicted' });
    }
    for (const r of o.reports.values()) {
      // A proof outlives its oracle: it stays stored in the proof store, served and synced (no event).
      if (isProof(r.msg)) continue;
      this.unlinkMissing(r);
      this.budget.remove(r);
      if (r.dispute) {
        out.push({ kind: 'dispute', id: r.dispute.id, oraclePubKey: pubkey, cause: 'oracle-evicted' });
        this.versions.remove(r.dispute);
        this.disputeCount--;
      }
      this.versions.remove(r);
      this.reportsById.delete(r.id);
      out.push({ kind: 'report', id: r.id, oraclePubKey: pubkey, cause: 'oracle-evicted' });
    }
    o.caps = null;
    o.reps = null;
    this.rotation.unlink(o.msg);
    this.versions.remove(o);
    this.oracles.delete(pubkey);
    out.push({ kind: 'oracle', id: pubkey, oraclePubKey: pubkey, cause });
  }

  /** Refusal of an entry that the byte budget has no room for. */
  private noRoom(bytes: number): AddResult {
    return reject('rank-too-low', `the mempool holds ${this.budget.bytes} of its ${this.budget.maxBytes} bytes and this ${bytes}-byte entry does not outrank enough stored entries to make room`);
  }

  /** The stored oracle that keeps a stored report (its own key's, or a newer key's after rotation). */
  private holderOf(r: StoredReport): OracleEntry | undefined {
    if (this.reportsById.get(r.id) !== r) return undefined;
    for (const k of [r.msg.oraclePubKey, ...this.newerKeys(r.msg.oraclePubKey)]) {
      const o = this.oracles.get(k);
      if (o?.holds(r)) return o;
    }
    return undefined;
  }

  /** Store a verified proof report (mempool/proofs.ts): bounded by the proof store, not by maxReports or maxBytes; held by its oracle when that is stored. */
  private addProof(msg: Verified<Report>, id: string, holderKey: string, version: string, stored: StoredReport | undefined, knownBytes: number | null): AddResult {
    const oracle = this.oracles.get(holderKey);
    const bytes = jsonBytes(msg, knownBytes);
    const prev = stored ? this.proofs.get(id) : undefined;
    const accusedPow = Math.max(prev?.accusedPow ?? 0, oracle?.msg.pow.difficulty ?? 0);
    const victims = this.proofs.plan(accusedPow, msg.pow.difficulty, bytes, prev);
    if (!victims) return reject('rank-too-low', `the proof store is full and this proof does not outrank enough of its proofs`);
    const evicted: EvictedEvent[] = [];
    for (const v of victims) this.dropProof(v.report, evicted);
    this.compactReport(msg, holderKey);
    const vid = shortId(version);
    if (stored) {
      // More work on the same proof: out of every ranked set, change, back in.
      const h = this.holderOf(stored);
      h?.dropReport(stored);
      this.proofs.remove(id);
      this.versions.remove(stored);
      stored.msg = msg;
      stored.version = vid;
      stored.receivedAt = this.now();
      stored.bytes = bytes;
      this.proofs.add(stored, accusedPow);
      this.versions.add(stored);
      h?.holdReport(stored);
    } else {
      const entry: StoredReport = { id, msg, version: vid, receivedAt: this.now(), bytes, dispute: null };
      this.reportsById.set(id, entry);
      this.versions.add(entry);
      this.proofs.add(entry, accusedPow);
      oracle?.holdReport(entry);
    }
    this.emitAll(evicted);
    this.emitAccepted({ kind: 'report', id, oraclePubKey: msg.oraclePubKey, replaced: !!stored, version, entity: msg });
    return { status: 'accepted', replaced: !!stored, evicted };
  }

  /** Remove a proof pushed out of the proof store by a higher-ranked one. */
  private dropProof(r: StoredReport, out: EvictedEvent[]): void {
    const holder = this.holderOf(r);
    holder?.dropReport(r);
    this.proofs.remove(r.id);
    this.reportsById.delete(r.id);
    this.versions.remove(r);
    out.push({ kind: 'report', id: r.id, oraclePubKey: holder?.msg.pubkey ?? r.msg.oraclePubKey, cause: 'rank' });
  }

  /** A newly stored oracle holds the proofs kept against its key and against older keys of its chain whose ads are not stored. */
  private attachProofs(o: OracleEntry): void {
    const keys = [o.msg.pubkey];
    for (let p = o.msg.previousId; p !== undefined && keys.length <= 16; p = p.previousId) keys.push(p.pubkey);
    for (const k of keys) {
      if (k !== o.msg.pubkey && this.oracles.has(k)) continue; // its own ad holds them
      for (const r of this.proofs.against(k)) if (!this.holderOf(r)) o.holdReport(r);
    }
  }

  /** Evict a byte-budget plan (ByteBudget.plan), lowest first; entries already gone with their oracle are skipped. */
  private evictForBytes(victims: Budgeted[], out: EvictedEvent[]): void {
    for (const v of victims) {
      if (v instanceof OracleEntry) {
        if (this.oracles.get(v.msg.pubkey) === v) this.removeOracle(v, 'rank', out);
      } else if ('dispute' in v) {
        const holder = this.holderOf(v);
        if (!holder) continue;
        this.removeReport(holder, v);
        if (v.dispute) out.push({ kind: 'dispute', id: v.dispute.id, oraclePubKey: holder.msg.pubkey, cause: 'rank' });
        out.push({ kind: 'report', id: v.id, oraclePubKey: holder.msg.pubkey, cause: 'rank' });
      } else {
        const o = this.oracles.get(v.msg.oraclePubKey);
        if (!o?.caps?.has(v)) continue;
        this.removeCapability(o, v);
        out.push({ kind: 'capability', id: v.msg.capabilityPubKey, oraclePubKey: o.msg.pubkey, cause: 'rank' });
      }
    }
  }

  private emitAll(evicted: EvictedEvent[]): void {
    for (const e of evicted) {
      // An announcement gone (expired, rank): its attestation can no longer arrive here.
      if (e.kind === 'announcement') this.missingByAnnouncement.delete(e.id);
      this.emit('mempool:evicted', e);
    }
  }

  private emitAccepted(e: AcceptedEvent): void {
    if (this.isRestoring) e.restored = true;
    this.emit('mempool:accepted', e);
  }
}
