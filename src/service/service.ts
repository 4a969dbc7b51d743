/** service/service.ts - the one entry point for submitting and querying, called by REST and P2P alike: admission through the intake (service/intake.ts), lookups on the mempool. Imports protocol and mempool; never api or p2p. */
import { EventEmitter } from 'node:events';
import { checkPow, reportPreimage } from '../protocol/pow.ts';
import { inventoryId, reportId } from '../protocol/ids.ts';
import type { SchemaRegistry } from '../protocol/schema.ts';
import type { VerifyPool } from '../protocol/verify-pool.ts';
import type { Announcement, Attestation, Dispute, EntityKind, Offer, OracleCapability, OracleId, Report, ReportContent } from '../protocol/types.ts';
import { verifyDispute, verifyReportFacts, type CapabilityLookup } from '../protocol/verify.ts';
import type { AcceptedEvent, AnnouncementFilter, EvictedEvent, InventoryEntry, Mempool, OfferFilter, Page, StoredAnnouncement, StoredCapability, StoredOffer, StoredOracle, StoredReport } from '../mempool/mempool.ts';
import { describeDlcProof, DlcProofIndex, faultContent, type DlcFault, type DlcProof } from './dlc-evidence.ts';
import { AdmissionRules, type AdmissionOptions, type BidGate } from './admission.ts';
import { buildOwnReport, MAX_OWN_REPORTS_IN_FLIGHT } from './own-reports.ts';
import { Intake } from './intake.ts';
import { LOCAL_SOURCE, type AdmissionResult, type AdmissionSource } from './types.ts';

export type { AcceptedEvent, AnnouncementFilter, EvictedEvent, InventoryEntry, OfferFilter, StoredAnnouncement, StoredCapability, StoredOffer, StoredOracle, StoredReport } from '../mempool/mempool.ts';
export type { DlcFault, DlcProof } from './dlc-evidence.ts';

/** Something valid to pass on to peers: a newly stored version, or a valid item of another shard. */
export interface RelayItem {
  kind: EntityKind;
  /** Inventory id (protocol/ids.ts inventoryId). */
  id: string;
  /** Version hash, full hex (relay keys on its short id, docs/PROTOCOL.md 11.6). */
  version: string;
  msg: OracleId | OracleCapability | Report | Dispute | Announcement | Attestation | Offer;
  /** Hop limit as received; null for disputes and attestations (never limited). */
  cTTL: number | null;
}

/** Minimum PoW difficulty per entity type (the config slice). */
export type ServiceOptions = AdmissionOptions;

/** Injected collaborators. */
export interface ServiceDeps {
  mempool: Mempool;
  schemas: SchemaRegistry;
  /** Threads that check signatures ahead of admission (the node owns them); null or absent = inline. */
  verifier?: VerifyPool | null;
  /** Check an entity arriving alone inline rather than on a thread (service/intake.ts ALONE_GAP_MS; default true; tests of batching turn it off). */
  inlineAlone?: boolean;
  /** Where bugs inside admission are reported (the item is dropped); default: rethrown on a later turn. */
  onBug?: (err: unknown) => void;
  now?: () => number;
}

/** Events the service re-exposes so relay never imports the mempool. */
export interface ServiceEvents {
  'mempool:accepted': [AcceptedEvent];
  'mempool:evicted': [EvictedEvent];
  /** Every admission outcome, for metrics and logs (`source` is the opaque submitter id). */
  'admission': [AdmissionResult, string];
  /** A valid item to relay (driven by mempool:accepted, plus items of other shards). */
  'item:relay': [RelayItem];
  /** A dlc-equivocation or dlc-nonce-reuse report was stored (not restored): a DLC oracle fault is proven (service/dlc-evidence.ts). */
  'report:proof': [DlcProof];
}

/** Admission (one door: {@link admit}) and lookup. */
export class MegaService extends EventEmitter<ServiceEvents> {
  private readonly mempool: Mempool;
  private readonly schemas: SchemaRegistry;
  private readonly lookupCapability: CapabilityLookup;
  private readonly intake: Intake;
  private readonly rules: AdmissionRules;
  /** Lightning bids (identity/bids.ts, set by node.ts); null = every bid counts 0. */
  private bidGate: BidGate | null = null;
  /** Stored DLC proof reports by announcement id. */
  private readonly dlcProofs = new DlcProofIndex();
  /** Ids of the reports this node is building right now (submitOwnReport), so each is mined and submitted once. */
  private readonly reporting = new Set<string>();
  private reportDifficulty: number;
  private readonly onBug: (err: unknown) => void;

  constructor(opts: ServiceOptions, deps: ServiceDeps) {
    super();
    this.mempool = deps.mempool;
    this.schemas = deps.schemas;
    // A capability of a key counts for every older key rotated to it: after a rotation the oracle
    // re-advertises its capabilities under the new key and still answers reports against the old one.
    this.lookupCapability = (o, c) => this.mempool.getCapability(o, c)?.msg ?? this.capabilityUnderNewerKey(o, c);
    const now = deps.now ?? Date.now;
    this.reportDifficulty = opts.powThresholdReports;
    const rules = (this.rules = new AdmissionRules(opts, {
      mempool: this.mempool,
      schemas: this.schemas,
      lookupCapability: this.lookupCapability,
      relayUnstored: (kind, id, version, msg) => this.relay({ kind, id, version, msg, cTTL: hopLimit(kind, msg) }),
      dlc: { now, onFault: (f) => this.reportFault(f) },
      bidGate: () => this.bidGate,
    }));
    const onBug =
      deps.onBug ??
      ((err: unknown) =>
        setImmediate(() => {
          throw err;
        }));
    this.onBug = onBug;
    this.intake = new Intake({ rules, verifier: deps.verifier ?? null, inlineAlone: deps.inlineAlone ?? true, onResult: (r, source) => this.emit('admission', r, source.id), onBug, now: deps.now, tracksVersion: (vid) => this.mempool.tracksVersion(vid) });
    this.mempool.on('mempool:version-retired', (vid) => this.intake.retired(vid));
    this.mempool.on('mempool:accepted', (e) => {
      this.dlcProofs.onAccepted(e);
      this.emit('mempool:accepted', e);
      const proof = e.kind === 'report' && !e.restored ? describeDlcProof(e.id, e.entity as Report) : null;
      if (proof) this.emit('report:proof', proof);
      // Restored items are this node's own past: indexes learn them from the event, peers by sync.
      if (e.restored) return;
      this.relay({
        kind: e.kind,
        // A report's, an announcement's and an offer's inventory id is its id (no need to hash it again).
        id: e.kind === 'report' || e.kind === 'announcement' || e.kind === 'offer' ? e.id : inventoryId(e.kind, e.entity),
        version: e.version,
        msg: e.entity,
        cTTL: hopLimit(e.kind, e.entity),
      });
    });
    this.mempool.on('mempool:evicted', (e) => {
      this.dlcProofs.onEvicted(e);
      this.emit('mempool:evicted', e);
    });
  }

  /** Change the admission thresholds (PoW minimums, announcement horizon) at run time (SIGHUP); the next admission uses them. */
  configure(opts: Partial<ServiceOptions>): void {
    this.rules.configure(opts);
    if (opts.powThresholdReports !== undefined) this.reportDifficulty = opts.powThresholdReports;
  }

  /**
   * The one way in: validate (schema), check and admit an untrusted payload, after every payload
   * offered before it. Resolves with the outcome; never rejects. `bytes` is its size on the wire
   * (intake back-pressure). See service/intake.ts.
   */
  admit(kind: EntityKind, payload: unknown, source: AdmissionSource = LOCAL_SOURCE, bytes = 0): Promise<AdmissionResult> {
    return this.intake.admit(kind, payload, source, bytes);
  }

  /**
   * {@link admit} without a Promise, for the P2P relay: the outcome goes to `source.onOutcome` with
   * `tag` (one per received entity, so no Promise, closure or microtask per entity). Same door, same order.
   */
  offer(kind: EntityKind, payload: unknown, source: AdmissionSource, bytes = 0, tag?: string): void {
    this.intake.offer(kind, payload, source, bytes, tag);
  }

  /** Is this short version id the current version of a stored item? (Mempool.tracksVersion: allocates nothing.) */
  storesVersion(vid: string): boolean {
    return this.mempool.tracksVersion(vid);
  }

  /** Is this short version id stored here, waiting in the intake, or recently decided? (The relay does not fetch it.) */
  knowsVersion(vid: string): boolean {
    // tracksVersion answers the same as getByShortId(vid) !== undefined without building an inventory entry (an anti-entropy round asks once per stored item).
    return this.intake.knows(vid) || this.mempool.tracksVersion(vid);
  }

  /** Entities waiting in the intake, and their payload bytes. */
  intakeBacklog(): { entities: number; bytes: number } {
    return { entities: this.intake.length, bytes: this.intake.waitingBytes };
  }

  /** Stop admitting (the node is stopping): waiting entities are answered `shutting-down`. */
  close(): void {
    this.intake.close();
  }

  /** Announce an item and let what waited for it in again. */
  private relay(item: RelayItem): void {
    this.emit('item:relay', item);
    this.intake.release(item.kind, item.id);
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Oracle ads, highest rank first. */
  listOracles(page: Page, filter: { question?: string; tag?: string }): StoredOracle[] {
    return this.mempool.listOracles(page, filter);
  }

  /** One oracle. */
  /** The capability ad `capabilityPubKey` of oracle `oraclePubKey` (or of a key it rotated to), if stored. */
  findCapability(oraclePubKey: string, capabilityPubKey: string): OracleCapability | undefined {
    return this.lookupCapability(oraclePubKey, capabilityPubKey);
  }

  getOracle(pubkey: string): StoredOracle | undefined {
    return this.mempool.getOracle(pubkey);
  }

  /** Capability ads, highest PoW first. */
  listCapabilities(page: Page, filter: { pubkey?: string; question?: string; tag?: string }): StoredCapability[] {
    return this.mempool.listCapabilities(page, filter);
  }

  /** Reports against an oracle, highest PoW first. */
  listReports(pubkey: string, page: Page): StoredReport[] {
    return this.mempool.listReports(pubkey, page);
  }

  /** Stored newer keys `pubkey` was rotated to, nearest first. */
  newerKeys(pubkey: string): string[] {
    return this.mempool.newerKeys(pubkey);
  }

  /** The stored oracle that keeps reports against `pubkey` (itself, or the newest key it was rotated to). */
  reportHolder(pubkey: string): string {
    return this.mempool.reportHolder(pubkey);
  }

  /** Re-rank an oracle after its bid was verified (or un-verified); false when it is not stored. */
  setVerifiedBid(pubkey: string, amountMsat: number): boolean {
    return this.mempool.setVerifiedBid(pubkey, amountMsat);
  }

  /**
   * A report this node builds itself (service/own-reports.ts): mined at its own powThresholdReports and
   * submitted through the one door after what waits. Once per content while in flight (afterwards the
   * stored report answers repeats as duplicates), at most MAX_OWN_REPORTS_IN_FLIGHT at once. Returns
   * the report id at once.
   */
  submitOwnReport(oraclePubKey: string, content: ReportContent, source: AdmissionSource): string {
    const id = reportId({ oraclePubKey, content });
    if (this.reporting.has(id) || this.reporting.size >= MAX_OWN_REPORTS_IN_FLIGHT) return id;
    this.reporting.add(id);
    buildOwnReport(oraclePubKey, content, this.reportDifficulty)
      .then((report) => this.admit('report', report, source))
      .catch((err: unknown) => this.onBug(err))
      .finally(() => this.reporting.delete(id));
    return id;
  }

  /** Let admission rank newcomers by their Lightning bids (node.ts sets the BidVerifier when LND is configured). */
  setBidGate(gate: BidGate | null): void {
    this.bidGate = gate;
  }

  /** Source of reports kept by other shards (the P2P layer sets it; none on a lone node). */
  private networkReports: ((pubkey: string, depth: number) => Promise<unknown[]>) | null = null;

  /** Let GET /reports?scope=network reach peers (node.ts wires the P2P query here); `depth` 1 also reaches shards no connected peer stores, one hop further. */
  setNetworkReportSource(source: (pubkey: string, depth: number) => Promise<unknown[]>): void {
    this.networkReports = source;
  }

  /**
   * Reports against an oracle from this node and from peers storing other shards. Remote answers
   * are untrusted: each must be a schema-valid report against `pubkey` whose id and PoW check out
   * (and whose facts verify), and a dispute is kept only if it verifies against it.
   */
  async listReportsNetwork(pubkey: string, page: Page, depth = 1): Promise<{ id: string; report: Report; dispute: Dispute | null }[]> {
    const merged = new Map<string, { id: string; report: Report; dispute: Dispute | null }>();
    for (const r of this.mempool.listReports(pubkey, { page: 0, chunkSize: this.mempool.options.maxReports })) {
      merged.set(r.id, { id: r.id, report: r.msg, dispute: r.dispute?.msg ?? null });
    }
    const remote = this.networkReports ? await this.networkReports(pubkey, depth) : [];
    for (const item of remote) {
      const e = item as { report?: unknown; dispute?: unknown };
      if (typeof e !== 'object' || e === null || !this.schemas.validateEntity('report', e.report).ok) continue;
      const report = e.report as Report;
      // Reports against an older key of this oracle count under it too (rotation never launders reports).
      if (report.oraclePubKey !== pubkey && !this.mempool.newerKeys(report.oraclePubKey).includes(pubkey)) continue;
      const id = reportId(report);
      if (merged.has(id) || checkPow(report.pow, reportPreimage(report)) !== null) continue;
      if (verifyReportFacts(report, this.lookupCapability) !== null) continue;
      let dispute: Dispute | null = null;
      if (e.dispute && this.schemas.validateEntity('dispute', e.dispute).ok) {
        const d = e.dispute as Dispute;
        if (d.reportId === id && verifyDispute(d, report, this.lookupCapability) === null) dispute = d;
      }
      merged.set(id, { id, report, dispute });
    }
    const all = [...merged.values()].sort((a, b) => b.report.pow.difficulty - a.report.pow.difficulty || (a.id < b.id ? -1 : 1));
    return all.slice(page.page * page.chunkSize, (page.page + 1) * page.chunkSize);
  }

  /** Every stored item, for sync (`mempool` answers). */
  inventory(): IterableIterator<InventoryEntry> {
    return this.mempool.inventory();
  }

  /** The stored item whose current version has this short version id, for `inv` and `getdata` (docs/PROTOCOL.md 11.6); a replaced version is not found. `into`: see Mempool.getByShortId (a reused object, read before the next call). */
  getItemByShortId(shortVersionId: string, into?: InventoryEntry): InventoryEntry | undefined {
    return this.mempool.getByShortId(shortVersionId, into);
  }

  /** Keep the highest cTTL seen for a stored version (docs/PROTOCOL.md 11.7; the relay calls it, no admission work): the cTTL before, or null when unchanged. */
  raiseCTTL(shortVersionId: string, cTTL: number): number | null {
    return this.mempool.raiseCTTL(shortVersionId, cTTL);
  }

  /** Entry counts. */
  counts(): ReturnType<Mempool['counts']> {
    return this.mempool.counts();
  }

  // ---- DLC announcements and attestations ----------------------------------------------------

  /** Stored announcements, attestations and their bytes. */
  dlcCounts(): ReturnType<Mempool['dlcCounts']> {
    return this.mempool.dlcCounts();
  }

  /** Announcements, earliest maturity first, matching every given filter. */
  listAnnouncements(page: Page, filter: AnnouncementFilter): StoredAnnouncement[] {
    return this.mempool.listAnnouncements(page, filter);
  }

  /** One stored announcement (with its attestation, if any). */
  getAnnouncement(id: string): StoredAnnouncement | undefined {
    return this.mempool.getAnnouncement(id);
  }

  /** The stored DLC proof reports naming an announcement (lowest report id first when several): an equivocation of it, a nonce reuse involving it. */
  dlcEvidence(announcementId: string): { equivocation: StoredReport | null; nonceReuse: StoredReport | null } {
    const first = (type: 'dlc-equivocation' | 'dlc-nonce-reuse'): StoredReport | null => {
      for (const id of this.dlcProofs.reportsOf(announcementId, type)) {
        const r = this.mempool.getReport(id);
        if (r) return r;
      }
      return null;
    };
    return { equivocation: first('dlc-equivocation'), nonceReuse: first('dlc-nonce-reuse') };
  }

  /** Evict announcements whose retention ended (node.ts calls it every announcementSweepIntervalMs); returns how many left. */
  sweepAnnouncements(): number {
    return this.mempool.sweepAnnouncements();
  }

  // ---- offers --------------------------------------------------------------------------------

  /** Stored offers (every status), open ones, and their bytes. */
  offerCounts(): ReturnType<Mempool['offerCounts']> {
    return this.mempool.offerCounts();
  }

  /** Offers matching every given filter (status default open), highest PoW first. */
  listOffers(page: Page, filter: OfferFilter): StoredOffer[] {
    return this.mempool.listOffers(page, filter);
  }

  /** One stored offer. */
  getOffer(id: string): StoredOffer | undefined {
    return this.mempool.getOffer(id);
  }

  /** Evict offers whose expiresAt passed (node.ts calls it with the announcement sweep); returns how many left. */
  sweepOffers(): number {
    return this.mempool.sweepOffers();
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * A DLC fault this node's admission found: build its proof report (mined at this node's own
   * powThresholdReports) and submit it through the one door like any reporter's, after the current
   * admission. Once per fault while it is in flight; afterwards the stored report answers repeats
   * as duplicates.
   */
  private reportFault(f: DlcFault): void {
    this.submitOwnReport(f.capability.oraclePubKey, faultContent(f), NODE_PROOF_SOURCE);
  }

  private capabilityUnderNewerKey(oraclePubKey: string, capabilityPubKey: string): OracleCapability | undefined {
    for (const k of this.mempool.newerKeys(oraclePubKey)) {
      const c = this.mempool.getCapability(k, capabilityPubKey)?.msg;
      if (c) return c;
    }
    return undefined;
  }
}

/** The source of the DLC proof reports this node builds itself. */
const NODE_PROOF_SOURCE: AdmissionSource = Object.freeze({ id: 'local:dlc-proof' });

/** Hop limit of a relayed item: disputes and attestations carry none (they are never limited). */
function hopLimit(kind: EntityKind, msg: RelayItem['msg']): number | null {
  return kind === 'dispute' || kind === 'attestation' ? null : (msg as OracleId).cTTL;
}
