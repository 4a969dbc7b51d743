/** service/service.ts - the one entry point for submitting and querying, called by REST and P2P alike. Imports protocol and mempool; never api or p2p. */
import { EventEmitter } from 'node:events';
import { checkPow, capabilityPreimage, oraclePreimage, reportPreimage } from '../protocol/pow.ts';
import { HashMemo, withHashMemo } from '../protocol/canonical.ts';
import { collectSignatureWork, withVerifiedWork, type SignatureWork } from '../protocol/keys.ts';
import { disputeId, inventoryId, reportId, versionHash } from '../protocol/ids.ts';
import type { SchemaRegistry } from '../protocol/schema.ts';
import type { Dispute, EntityKind, OracleCapability, OracleId, Pow, Report, Verified } from '../protocol/types.ts';
import { verifyCapability, verifyDispute, verifyDisputeFactAlone, verifyOracleId, verifyReportFacts, type CapabilityLookup } from '../protocol/verify.ts';
import { isInShard } from '../mempool/shard.ts';
import type { AcceptedEvent, AddResult, EvictedEvent, InventoryEntry, Mempool, Page, StoredCapability, StoredOracle, StoredReport } from '../mempool/mempool.ts';
import { banScoreFor, type AdmissionResult } from './types.ts';

export type { AcceptedEvent, EvictedEvent, InventoryEntry, StoredCapability, StoredOracle, StoredReport } from '../mempool/mempool.ts';

/** Something valid to pass on to peers: a newly stored version, or a valid report of another shard. */
export interface RelayItem {
  kind: EntityKind;
  /** Inventory id (protocol/ids.ts inventoryId). */
  id: string;
  /** Version hash, full hex (relay keys on its short id, docs/PROTOCOL.md 11.6). */
  version: string;
  msg: OracleId | OracleCapability | Report | Dispute;
  /** Hop limit as received; null for disputes (never limited). */
  cTTL: number | null;
}

/** A capability lookup that finds nothing: preparing checks what a message carries, not what is stored. */
const NO_CAPABILITIES: CapabilityLookup = () => undefined;

/** A schema-valid payload and what its admission will need, from {@link MegaService.prepare}. */
export interface Prepared {
  readonly kind: EntityKind;
  readonly payload: unknown;
  /** Its version hash (dispute: its id). */
  readonly version: string;
  /** The signature and public-key checks its admission will make. */
  readonly work: SignatureWork;
  /** Hashes computed while preparing, reused when admitting. */
  readonly memo: HashMemo;
}

/** Minimum PoW difficulty per entity type (the config slice). */
export interface ServiceOptions {
  powThresholdOracles: number;
  powThresholdCapabilities: number;
  powThresholdReports: number;
}

/** Injected collaborators. */
export interface ServiceDeps {
  mempool: Mempool;
  schemas: SchemaRegistry;
}

/** Events the service re-exposes so relay never imports the mempool. */
export interface ServiceEvents {
  'mempool:accepted': [AcceptedEvent];
  'mempool:evicted': [EvictedEvent];
  /** Every admission outcome, for metrics and logs (`source` is the opaque submitter id). */
  'admission': [AdmissionResult, string];
  /** A valid item to relay (driven by mempool:accepted, plus out-of-shard reports). */
  'item:relay': [RelayItem];
}

/** Admission and lookup. Order of checks: structure, duplicate, PoW, threshold, rank, signature, semantics (cheapest first). */
export class MegaService extends EventEmitter<ServiceEvents> {
  private readonly mempool: Mempool;
  private readonly schemas: SchemaRegistry;
  private readonly opts: ServiceOptions;
  private readonly lookupCapability: CapabilityLookup;

  constructor(opts: ServiceOptions, deps: ServiceDeps) {
    super();
    this.opts = opts;
    this.mempool = deps.mempool;
    this.schemas = deps.schemas;
    // A capability of a key counts for every older key rotated to it: after a rotation the oracle
    // re-advertises its capabilities under the new key and still answers reports against the old one.
    this.lookupCapability = (o, c) => this.mempool.getCapability(o, c)?.msg ?? this.capabilityUnderNewerKey(o, c);
    this.mempool.on('mempool:accepted', (e) => {
      this.emit('mempool:accepted', e);
      this.emit('item:relay', {
        kind: e.kind,
        // A report's inventory id is its id (no need to hash it again).
        id: e.kind === 'report' ? e.id : inventoryId(e.kind, e.entity),
        version: e.version,
        msg: e.entity,
        cTTL: e.kind === 'dispute' ? null : (e.entity as OracleId).cTTL,
      });
    });
    this.mempool.on('mempool:evicted', (e) => this.emit('mempool:evicted', e));
  }

  /** Tokens handed out by {@link prepare}, so only those skip the schema check. */
  private readonly prepared = new WeakSet<Prepared>();

  /**
   * The stateless part of admitting a payload, done ahead (the P2P intake): the schema check, its
   * version hash, and the signature and public-key checks admission will make, so a verifier
   * thread can do those first (protocol/verify-pool.ts). Null when the payload is not schema-valid.
   * Pass the result to {@link submitPrepared}; the payload must not change in between.
   */
  prepare(kind: EntityKind, payload: unknown): Prepared | null {
    if (!this.schemas.validateEntity(kind, payload).ok) return null;
    const memo = new HashMemo();
    return withHashMemo(memo, () => this.prepareValid(kind, payload, memo));
  }

  private prepareValid(kind: EntityKind, payload: unknown, memo: HashMemo): Prepared {
    const version = kind === 'dispute' ? disputeId(payload as Dispute) : versionHash(payload as object);
    const work = collectSignatureWork(() => {
      switch (kind) {
        case 'oracle':
          return verifyOracleId(payload as OracleId);
        case 'capability':
          return verifyCapability(payload as OracleCapability);
        case 'report':
          return verifyReportFacts(payload as Report, NO_CAPABILITIES);
        case 'dispute':
          return verifyDisputeFactAlone(payload as Dispute, NO_CAPABILITIES);
      }
    });
    const p: Prepared = { kind, payload, version, work, memo };
    this.prepared.add(p);
    return p;
  }

  /** Admit a payload {@link prepare} found schema-valid (its signature checks may be done by now). */
  submitPrepared(p: Prepared, source = 'local'): AdmissionResult {
    if (!this.prepared.has(p)) return this.submit(p.kind, p.payload, source, p.version);
    return withHashMemo(p.memo, () => withVerifiedWork(p.work, () => this.admitValid(p.kind, p.payload, source, p.version)));
  }

  /** Validate an untrusted payload against the spec schema of `kind`, then admit it (the P2P path). */
  submit(kind: EntityKind, payload: unknown, source = 'local', version?: string): AdmissionResult {
    const check = this.schemas.validateEntity(kind, payload);
    if (!check.ok) return this.done(rejected(kind, null, 'schema-violation', check.message), source);
    return this.admitValid(kind, payload, source, version);
  }

  private admitValid(kind: EntityKind, payload: unknown, source: string, version?: string): AdmissionResult {
    switch (kind) {
      case 'oracle':
        return this.submitOracle(payload as OracleId, source, version);
      case 'capability':
        return this.submitCapability(payload as OracleCapability, source, version);
      case 'report':
        return this.submitReport(payload as Report, source, version);
      case 'dispute':
        return this.submitDispute(payload as Dispute, source);
    }
  }

  /** Admit a schema-valid oracle ad. `version`: its versionHash when the caller already has it (relay does). */
  submitOracle(o: OracleId, source = 'local', version?: string): AdmissionResult {
    const id = o.pubkey;
    const pre = this.mempool.precheckOracle(o);
    if (pre?.status === 'duplicate') return this.done(fromAdd('oracle', id, pre), source);
    const pow = this.checkPow('oracle', id, o.pow, oraclePreimage(o), this.opts.powThresholdOracles);
    if (pow) return this.done(pow, source);
    if (pre) return this.done(fromAdd('oracle', id, pre), source);
    const bad = verifyOracleId(o);
    if (bad) return this.done(rejected('oracle', id, bad.reason, bad.message), source);
    return this.done(fromAdd('oracle', id, this.mempool.addOracle(o as Verified<OracleId>, version)), source);
  }

  /** Admit a schema-valid capability ad. */
  submitCapability(c: OracleCapability, source = 'local', version?: string): AdmissionResult {
    const id = c.capabilityPubKey;
    const pre = this.mempool.precheckCapability(c);
    if (pre?.status === 'duplicate') return this.done(fromAdd('capability', id, pre), source);
    const pow = this.checkPow('capability', id, c.pow, capabilityPreimage(c), this.opts.powThresholdCapabilities);
    if (pow) return this.done(pow, source);
    if (pre) return this.done(fromAdd('capability', id, pre), source);
    const bad = verifyCapability(c);
    if (bad) return this.done(rejected('capability', id, bad.reason, bad.message), source);
    return this.done(fromAdd('capability', id, this.mempool.addCapability(c as Verified<OracleCapability>, version)), source);
  }

  /** Admit a schema-valid report. */
  submitReport(r: Report, source = 'local', version?: string): AdmissionResult {
    const preimage = reportPreimage(r);
    const id = reportId(r); // SHA-256 of the same canonical text (protocol/ids.ts)
    // A report against a rotated-away key whose ad is gone is kept by the newer key: rotation never launders reports.
    const holder = this.mempool.reportHolder(r.oraclePubKey);
    const pre = this.mempool.precheckReport(r, id, holder);
    if (pre?.status === 'duplicate') return this.done(fromAdd('report', id, pre), source);
    const pow = this.checkPow('report', id, r.pow, preimage, this.opts.powThresholdReports);
    if (pow) return this.done(pow, source);
    if (pre) return this.done(fromAdd('report', id, pre), source);
    const bad = verifyReportFacts(r, this.lookupCapability);
    if (bad) return this.done(rejected('report', id, bad.reason, bad.message), source);
    const result = this.done(fromAdd('report', id, this.mempool.addReport(r as Verified<Report>, id, holder, version)), source);
    // Another shard stores it, but this node still passes it on (DESIGN: validate and relay everything).
    if (result.status === 'out-of-shard') this.emit('item:relay', { kind: 'report', id, version: version ?? versionHash(r), msg: r, cTTL: r.cTTL });
    return result;
  }

  /** Admit a schema-valid dispute of a stored fact-missing report. */
  submitDispute(d: Dispute, source = 'local'): AdmissionResult {
    const id = disputeId(d);
    const stored = this.mempool.getReport(d.reportId);
    if (!stored && !isInShard(d.reportId, this.mempool.options.shard)) {
      // Another shard keeps the report: check what can be checked here and pass the dispute on.
      const bad = verifyDisputeFactAlone(d, this.lookupCapability);
      if (bad) return this.done(rejected('dispute', id, bad.reason, bad.message), source);
      const result = this.done({ status: 'out-of-shard', kind: 'dispute', id }, source);
      // A dispute has no cTTL, so its version hash is its id.
      this.emit('item:relay', { kind: 'dispute', id: d.reportId, version: id, msg: d, cTTL: null });
      return result;
    }
    if (!stored) return this.done(rejected('dispute', id, 'report-not-found', 'no stored report has this reportId'), source);
    if (stored.dispute) return this.done({ status: 'duplicate', kind: 'dispute', id: stored.dispute.id }, source);
    const bad = verifyDispute(d, stored.msg, this.lookupCapability);
    if (bad) return this.done(rejected('dispute', id, bad.reason, bad.message), source);
    return this.done(fromAdd('dispute', id, this.mempool.addDispute(d as Verified<Dispute>, id)), source);
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Oracle ads, highest rank first. */
  listOracles(page: Page, filter: { question?: string; tag?: string }): StoredOracle[] {
    return this.mempool.listOracles(page, filter);
  }

  /** One oracle. */
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

  /** Source of reports kept by other shards (the P2P layer sets it; none on a lone node). */
  private networkReports: ((pubkey: string) => Promise<unknown[]>) | null = null;

  /** Let GET /reports?scope=network reach peers (node.ts wires the P2P query here). */
  setNetworkReportSource(source: (pubkey: string) => Promise<unknown[]>): void {
    this.networkReports = source;
  }

  /**
   * Reports against an oracle from this node and from peers storing other shards. Remote answers
   * are untrusted: each must be a schema-valid report against `pubkey` whose id and PoW check out
   * (and whose facts verify), and a dispute is kept only if it verifies against it.
   */
  async listReportsNetwork(pubkey: string, page: Page): Promise<{ id: string; report: Report; dispute: Dispute | null }[]> {
    const merged = new Map<string, { id: string; report: Report; dispute: Dispute | null }>();
    for (const r of this.mempool.listReports(pubkey, { page: 0, chunkSize: this.mempool.options.maxReports })) {
      merged.set(r.id, { id: r.id, report: r.msg, dispute: r.dispute?.msg ?? null });
    }
    const remote = this.networkReports ? await this.networkReports(pubkey) : [];
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

  /** The stored item whose current version has this short version id, for `inv` and `getdata` (docs/PROTOCOL.md 11.6); a replaced version is not found. */
  getItemByShortId(shortVersionId: string): InventoryEntry | undefined {
    return this.mempool.getByShortId(shortVersionId);
  }

  /** Entry counts. */
  counts(): ReturnType<Mempool['counts']> {
    return this.mempool.counts();
  }

  // ---- internals -----------------------------------------------------------------------------

  private capabilityUnderNewerKey(oraclePubKey: string, capabilityPubKey: string): OracleCapability | undefined {
    for (const k of this.mempool.newerKeys(oraclePubKey)) {
      const c = this.mempool.getCapability(k, capabilityPubKey)?.msg;
      if (c) return c;
    }
    return undefined;
  }

  private checkPow(kind: EntityKind, id: string, pow: Pow, preimage: string, threshold: number): AdmissionResult | null {
    const why = checkPow(pow, preimage);
    if (why === 'pow-algorithm') return rejected(kind, id, 'pow-invalid', 'pow.algorithm must be SHA256');
    if (why === 'pow-hash-mismatch') return rejected(kind, id, 'pow-invalid', 'pow.hash is not SHA-256 of preimage + magicNo + magicString');
    if (why === 'pow-insufficient') return rejected(kind, id, 'pow-invalid', `pow.hash has fewer than ${pow.difficulty} leading zero bits`);
    if (pow.difficulty < threshold) return rejected(kind, id, 'pow-below-threshold', `pow.difficulty ${pow.difficulty} is below this node's minimum ${threshold} for ${kind}`);
    return null;
  }

  private done(r: AdmissionResult, source: string): AdmissionResult {
    this.emit('admission', r, source);
    return r;
  }
}

function rejected(kind: EntityKind, id: string | null, reason: string, message: string): AdmissionResult {
  return { status: 'rejected', kind, id, reason, message, banScore: banScoreFor(reason) };
}

function fromAdd(kind: EntityKind, id: string, r: AddResult): AdmissionResult {
  switch (r.status) {
    case 'accepted':
      return { status: 'accepted', kind, id, replaced: r.replaced, evicted: r.evicted };
    case 'duplicate':
      return { status: 'duplicate', kind, id };
    case 'out-of-shard':
      return { status: 'out-of-shard', kind, id };
    case 'rejected':
      return rejected(kind, id, r.reason, r.message);
  }
}
