/** service/admission.ts - the admission rules: schema, duplicate, PoW, threshold, rank, signature and semantic checks of one entity, in that order (cheapest first), ending in the mempool. Synchronous; only service/intake.ts calls it. Imports protocol and mempool. */
import { checkPow, capabilityPreimage, oraclePreimage, reportPreimage } from '../protocol/pow.ts';
import { HashMemo, memoJsonLength } from '../protocol/canonical.ts';
import { collectSignatureWork, type SignatureWork } from '../protocol/keys.ts';
import { answeredScope, type CheckScope } from '../protocol/scope.ts';
import { disputeId, dlcTlvId, reportId, versionHash } from '../protocol/ids.ts';
import { takeVouched } from './admission-checked.ts';
import type { SchemaRegistry } from '../protocol/schema.ts';
import type { Announcement, Attestation, Dispute, EntityKind, Offer, OracleCapability, OracleId, Pow, Report, Verified } from '../protocol/types.ts';
import { offerId, verifyOfferSignature } from '../protocol/offer.ts';
import { verifyCapability, verifyDispute, verifyDisputeFactAlone, verifyOracleId, verifyReportFacts, type CapabilityLookup } from '../protocol/verify.ts';
import { isInShard } from '../mempool/shard.ts';
import { isProof } from '../mempool/report-class.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { OracleAnnouncement, OracleAttestation } from '../dlc/index.ts';
import { fromAdd, rejected, type AdmissionResult } from './types.ts';
import { checkDlcBinding, DlcRules, type DlcAdmissionDeps, type DlcAdmissionOptions } from './admission-dlc.ts';
import { OfferRules, type OfferAdmissionOptions } from './admission-offer.ts';

/** A capability lookup that finds nothing: preparing checks what a message carries, not what is stored. */
const NO_CAPABILITIES: CapabilityLookup = () => undefined;

/** A schema-valid payload and what its admission will need, from {@link AdmissionRules.prepare}. */
export interface Prepared {
  readonly kind: EntityKind;
  readonly payload: unknown;
  /** Its version hash (dispute: its id). */
  readonly version: string;
  /** Its id as admission results name it: oracle pubkey, capability key, report id, dispute id. */
  readonly id: string;
  /** The signature and public-key checks its admission will make (a verifier thread may do them first). */
  readonly work: SignatureWork;
  /** Hashes computed while preparing, reused when admitting. */
  readonly memo: HashMemo;
  /** A DLC announcement's or attestation's TLV, decoded while preparing (absent when it does not decode). */
  readonly decoded?: OracleAnnouncement | OracleAttestation;
}

/**
 * Lightning bids as admission sees them (identity/bids.ts implements it; node.ts sets it on the
 * service): the weight a bid already has, and a bounded lookup for a newcomer a full mempool would
 * otherwise refuse for rank (docs/PROTOCOL.md 9.2).
 */
export interface BidGate {
  /** The amount the ad's bid claims when this node can verify it (a Lightning payment hash), else 0. */
  claimedMsat(o: OracleId): number;
  /** Msat this node counts for the ad's bid now, from what it knows (no LND call); 0 when none. */
  weightOf(o: OracleId): number;
  /** Why the ad's bid does not count, when known; null when it counts or nothing is known yet. */
  whyNot(o: OracleId): string | null;
  /** Look the bid up for an admission: `wait` settles when the answer is known; `refused` when no lookup is made (known failure, budget spent). */
  verifyForAdmission(o: OracleId, sourceId: string): { wait: Promise<void> } | { refused: string };
}

/** Admission of this entity waits for something slow (a bid lookup): the intake admits it again, once, when `until` settles, without holding up the entities behind it. */
export interface Deferred {
  status: 'deferred';
  until: Promise<unknown>;
}

/** How this admission came about. */
export interface AdmitContext {
  /** The submitter (service/types.ts AdmissionSource.id). */
  sourceId: string;
  /** Second pass after a deferral: never deferred again. */
  retried: boolean;
}

/** Minimum PoW difficulty per entity type (the config slice). */
export interface AdmissionOptions extends Partial<DlcAdmissionOptions>, Partial<OfferAdmissionOptions> {
  powThresholdOracles: number;
  powThresholdCapabilities: number;
  powThresholdReports: number;
}

/** Collaborators of the rules. */
export interface AdmissionDeps {
  mempool: Mempool;
  schemas: SchemaRegistry;
  /** Capability lookup that follows key rotation (service.ts builds it). */
  lookupCapability: CapabilityLookup;
  /** A valid item this node passes on without storing it (another shard keeps it). */
  relayUnstored: (kind: 'report' | 'dispute' | 'announcement' | 'attestation' | 'offer', id: string, version: string, msg: Report | Dispute | Announcement | Attestation | Offer) => void;
  /** Where a DLC fault found while admitting goes (the service reports it), and the clock (service/admission-dlc.ts). */
  dlc: Pick<DlcAdmissionDeps, 'onFault' | 'now'>;
  /** Lightning bids, when the node verifies them (null: every bid counts 0). */
  bidGate?: () => BidGate | null;
}

/**
 * The checks of every entity kind. Two steps: {@link prepare} (stateless: schema, version hash and
 * the list of signature checks) and {@link admit} (against the mempool, in arrival order). Only the
 * intake calls them, so nothing reaches the mempool without its schema check.
 */
export class AdmissionRules {
  private opts: AdmissionOptions;
  private readonly deps: AdmissionDeps;
  private readonly mempool: Mempool;
  private readonly dlc: DlcRules;
  private readonly offers: OfferRules;

  constructor(opts: AdmissionOptions, deps: AdmissionDeps) {
    this.opts = opts;
    this.deps = deps;
    this.mempool = deps.mempool;
    this.dlc = new DlcRules(opts, { ...deps.dlc, mempool: deps.mempool, lookupCapability: deps.lookupCapability });
    this.offers = new OfferRules(opts, {
      mempool: deps.mempool,
      now: deps.dlc.now,
      questionOf: (o, c) => deps.lookupCapability(o, c)?.question ?? '',
      relayUnstored: (id, version, msg) => deps.relayUnstored('offer', id, version, msg),
    });
  }

  /** Change the PoW thresholds at run time (SIGHUP); applies to the next admission. */
  configure(opts: Partial<AdmissionOptions>): void {
    this.opts = { ...this.opts, ...opts };
    this.dlc.configure(opts);
    this.offers.configure(opts);
  }

  /** Schema check, version hash and the signature work admission will need; a rejection when the payload is not schema-valid. */
  prepare(kind: EntityKind, payload: unknown): Prepared | Extract<AdmissionResult, { status: 'rejected' }> {
    // A REST body the API has just validated against this very schema (admission-checked.ts) is not validated again.
    if (!takeVouched(kind, payload)) {
      const check = this.deps.schemas.validateEntity(kind, payload);
      if (!check.ok) return rejected(kind, null, 'schema-violation', check.message);
    }
    const memo = new HashMemo();
    const version = kind === 'dispute' ? disputeId(payload as Dispute, memo) : versionHash(payload as object, memo);
    const id =
      kind === 'oracle'
        ? (payload as OracleId).pubkey
        : kind === 'capability'
          ? (payload as OracleCapability).capabilityPubKey
          : kind === 'report'
            ? reportId(payload as Report, memo)
            : kind === 'announcement'
              ? dlcTlvId((payload as Announcement).announcement)
              : kind === 'attestation'
                ? dlcTlvId((payload as Attestation).attestation)
                : kind === 'offer'
                  ? offerId(payload as Offer, memo)
                  : version;
    let decoded: OracleAnnouncement | OracleAttestation | undefined;
    const work = collectSignatureWork((scope) => {
      switch (kind) {
        case 'oracle':
          return verifyOracleId(payload as OracleId, scope);
        case 'capability':
          return verifyCapability(payload as OracleCapability, scope);
        case 'report':
          return verifyReportFacts(payload as Report, NO_CAPABILITIES, scope);
        case 'dispute':
          return verifyDisputeFactAlone(payload as Dispute, NO_CAPABILITIES, scope);
        // BIP340 and point checks go to a verifier thread too, when the signing version is known by now.
        case 'announcement':
          return (decoded = this.dlc.gatherAnnouncement(payload as Announcement, id, scope));
        case 'attestation':
          return (decoded = this.dlc.gatherAttestation(payload as Attestation, scope));
        case 'offer':
          return verifyOfferSignature(payload as Offer, scope);
      }
    }, memo);
    return decoded ? { kind, payload, version, id, work, memo, decoded } : { kind, payload, version, id, work, memo };
  }

  /** Admit a prepared payload against the current mempool (its signature checks may be done by a verifier thread by now). */
  admit(p: Prepared, ctx: AdmitContext = { sourceId: 'local', retried: false }): AdmissionResult | Deferred {
    // The verifier thread's true answers and this admission's memo, passed explicitly to every check.
    const scope = answeredScope(p.work, p.memo);
    switch (p.kind) {
      case 'oracle':
        return this.admitOracle(p.payload as OracleId, p.version, scope, ctx);
      case 'capability':
        return this.admitCapability(p.payload as OracleCapability, p.version, scope);
      case 'report':
        return this.admitReport(p.payload as Report, p.version, scope);
      case 'dispute':
        return this.admitDispute(p.payload as Dispute, p.id, scope);
      case 'announcement':
        return this.dlc.admitAnnouncement(p.payload as Announcement, p.id, p.version, scope, p.decoded as OracleAnnouncement | undefined);
      case 'attestation':
        return this.dlc.admitAttestation(p.payload as Attestation, p.id, p.version, scope, p.decoded as OracleAttestation | undefined);
      case 'offer':
        return this.offers.admitOffer(p.payload as Offer, p.id, p.version, scope);
    }
  }

  private admitOracle(o: OracleId, version: string, scope: CheckScope, ctx: AdmitContext): AdmissionResult | Deferred {
    const id = o.pubkey;
    const gate = this.deps.bidGate?.() ?? null;
    // A newcomer ranks with the bid weight this node already knows (a verified, unexpired payment to its LND).
    const weight = gate?.weightOf(o) ?? 0;
    const pre = this.mempool.precheckOracle(o, weight);
    if (pre?.status === 'duplicate') return fromAdd('oracle', id, pre);
    const pow = this.checkPow('oracle', id, o.pow, oraclePreimage(o), this.opts.powThresholdOracles);
    if (pow) return pow;
    if (pre) return gate && pre.status === 'rejected' && pre.reason === 'rank-too-low' ? this.rankByBid(gate, o, scope, ctx, pre.message) : fromAdd('oracle', id, pre);
    const bad = verifyOracleId(o, scope);
    if (bad) return rejected('oracle', id, bad.reason, bad.message);
    return fromAdd('oracle', id, this.mempool.addOracle(o as Verified<OracleId>, version, weight, memoJsonLength(o, scope.memo), true));
  }

  /**
   * A newcomer refused for rank at a full mempool whose bid, if paid, would outrank the lowest ad:
   * signatures first (cheap, and LND is never asked for a forged ad), then the bid is looked up
   * (bounded by the gate) and the ad admitted again with what LND said (docs/PROTOCOL.md 9.2).
   */
  private rankByBid(gate: BidGate, o: OracleId, scope: CheckScope, ctx: AdmitContext, message: string): AdmissionResult | Deferred {
    const id = o.pubkey;
    const refuse = (why: string | null) => rejected('oracle', id, 'rank-too-low', why === null ? message : `${message}; its bid does not count: ${why}`);
    const claimed = gate.claimedMsat(o);
    // Nothing to look up: not a verifiable bid, already looked up once, or too small to win even if paid.
    if (ctx.retried || claimed === 0 || this.mempool.precheckOracle(o, claimed) !== null) return refuse(claimed === 0 ? null : gate.whyNot(o));
    const bad = verifyOracleId(o, scope);
    if (bad) return rejected('oracle', id, bad.reason, bad.message);
    const v = gate.verifyForAdmission(o, ctx.sourceId);
    return 'refused' in v ? refuse(v.refused) : { status: 'deferred', until: v.wait };
  }

  private admitCapability(c: OracleCapability, version: string, scope: CheckScope): AdmissionResult {
    const id = c.capabilityPubKey;
    const pre = this.mempool.precheckCapability(c);
    if (pre?.status === 'duplicate') return fromAdd('capability', id, pre);
    const pow = this.checkPow('capability', id, c.pow, capabilityPreimage(c), this.opts.powThresholdCapabilities);
    if (pow) return pow;
    if (pre) return fromAdd('capability', id, pre);
    const dlc = checkDlcBinding(c);
    if (dlc) return dlc;
    const bad = verifyCapability(c, scope);
    if (bad) return rejected('capability', id, bad.reason, bad.message);
    return fromAdd('capability', id, this.mempool.addCapability(c as Verified<OracleCapability>, version, memoJsonLength(c, scope.memo), true));
  }

  private admitReport(r: Report, version: string, scope: CheckScope): AdmissionResult {
    const preimage = reportPreimage(r, scope.memo);
    const id = reportId(r, scope.memo); // SHA-256 of the same canonical text (protocol/ids.ts)
    // A report against a rotated-away key whose ad is gone is kept by the newer key: rotation never launders reports.
    const holder = this.mempool.reportHolder(r.oraclePubKey);
    // A proof against an oracle this node does not store is kept (proofs outlive their oracle) when
    // it embeds the capability ad that binds it; without it, it waits for the oracle like any report.
    if (isProof(r) && !this.mempool.getOracle(holder) && !('capability' in r.content && r.content.capability)) {
      return rejected('report', id, 'unknown-oracle', 'the reported oracle is not known to this node; a proof against an unknown oracle must embed its capability ad');
    }
    const bytes = memoJsonLength(r, scope.memo); // JSON.stringify(r).length, for the byte and proof budgets
    const pre = this.mempool.precheckReport(r, id, holder, bytes);
    if (pre?.status === 'duplicate') return fromAdd('report', id, pre);
    const pow = this.checkPow('report', id, r.pow, preimage, this.opts.powThresholdReports);
    if (pow) return pow;
    if (pre) return fromAdd('report', id, pre);
    const bad = verifyReportFacts(r, this.deps.lookupCapability, scope);
    if (bad) return rejected('report', id, bad.reason, bad.message);
    const missing = this.dlc.checkMissingAttestation(r, id);
    if (missing) return missing;
    const result = fromAdd('report', id, this.mempool.addReport(r as Verified<Report>, id, holder, version, bytes, true));
    // Another shard stores it, but this node still passes it on (DESIGN: validate and relay everything).
    if (result.status === 'out-of-shard') this.deps.relayUnstored('report', id, version, r);
    return result;
  }

  private admitDispute(d: Dispute, id: string, scope: CheckScope): AdmissionResult {
    const stored = this.mempool.getReport(d.reportId);
    if (!stored && !isInShard(d.reportId, this.mempool.options.shard)) {
      // Another shard keeps the report: check what can be checked here and pass the dispute on.
      const bad = verifyDisputeFactAlone(d, this.deps.lookupCapability, scope);
      if (bad) return rejected('dispute', id, bad.reason, bad.message);
      // A dispute has no cTTL, so its version hash is its id; its inventory id is the report's.
      this.deps.relayUnstored('dispute', d.reportId, id, d);
      return { status: 'out-of-shard', kind: 'dispute', id };
    }
    if (!stored) return rejected('dispute', id, 'report-not-found', 'no stored report has this reportId');
    if (stored.dispute) return { status: 'duplicate', kind: 'dispute', id: stored.dispute.id };
    const bad = verifyDispute(d, stored.msg, this.deps.lookupCapability, scope);
    if (bad) return rejected('dispute', id, bad.reason, bad.message);
    return fromAdd('dispute', id, this.mempool.addDispute(d as Verified<Dispute>, id));
  }

  private checkPow(kind: EntityKind, id: string, pow: Pow, preimage: string, threshold: number): AdmissionResult | null {
    const why = checkPow(pow, preimage);
    if (why === 'pow-algorithm') return rejected(kind, id, 'pow-invalid', 'pow.algorithm must be SHA256');
    if (why === 'pow-hash-mismatch') return rejected(kind, id, 'pow-invalid', 'pow.hash is not SHA-256 of preimage + magicNo + magicString');
    if (why === 'pow-insufficient') return rejected(kind, id, 'pow-invalid', `pow.hash has fewer than ${pow.difficulty} leading zero bits`);
    if (pow.difficulty < threshold) return rejected(kind, id, 'pow-below-threshold', `pow.difficulty ${pow.difficulty} is below this node's minimum ${threshold} for ${kind}`);
    return null;
  }
}
