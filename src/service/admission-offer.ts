/** service/admission-offer.ts - the admission rules of an offer (docs/PROTOCOL.md "Offers"): duplicate/stale → PoW → threshold → maker limit and rank → signature → announcement stored → terms (service/offer-checks.ts) → mempool. Synchronous; called by service/admission.ts. Imports protocol, mempool and service. */
import { offerPowText, verifyOfferSignature } from '../protocol/offer.ts';
import { checkPow } from '../protocol/pow.ts';
import type { CheckScope } from '../protocol/scope.ts';
import type { Offer, Verified } from '../protocol/types.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { checkOfferTerms } from './offer-checks.ts';
import { fromAdd, rejected, type AdmissionResult } from './types.ts';

/** The config slice of these rules. */
export interface OfferAdmissionOptions {
  /** Minimum PoW difficulty of an offer. */
  powThresholdOffers: number;
  /** Latest accepted expiresAt, from now (seconds). */
  offerMaxLifetimeSeconds: number;
}

/** Defaults of {@link OfferAdmissionOptions} (config/schema.ts documents them). */
export const DEFAULT_OFFER_ADMISSION: Readonly<OfferAdmissionOptions> = Object.freeze({ powThresholdOffers: 0, offerMaxLifetimeSeconds: 30 * 24 * 3600 });

/** Collaborators. */
export interface OfferAdmissionDeps {
  mempool: Mempool;
  now: () => number;
  /** Question of a stored capability (the announcement's), for the listing's `q` filter; '' when unknown. */
  questionOf: (oraclePubKey: string, capabilityPubKey: string) => string;
  /** A valid offer another shard stores: passed on without storing it. */
  relayUnstored: (id: string, version: string, msg: Offer) => void;
}

/** Admission of offers. */
export class OfferRules {
  private opts: OfferAdmissionOptions;
  private readonly deps: OfferAdmissionDeps;

  constructor(opts: Partial<OfferAdmissionOptions>, deps: OfferAdmissionDeps) {
    this.opts = { ...DEFAULT_OFFER_ADMISSION, ...pick(opts) };
    this.deps = deps;
  }

  /** Change the limits at run time (SIGHUP); applies to the next admission. */
  configure(opts: Partial<OfferAdmissionOptions>): void {
    this.opts = { ...this.opts, ...pick(opts) };
  }

  /** schema (done) → duplicate/stale → PoW → threshold → maker limit, rank → signature → announcement → terms → store (or relay when another shard keeps it). */
  admitOffer(o: Offer, id: string, version: string, scope: CheckScope): AdmissionResult {
    const { mempool } = this.deps;
    const pre = mempool.precheckOffer(o, id);
    if (pre?.status === 'duplicate') return { status: 'duplicate', kind: 'offer', id };
    const why = checkPow(o.pow, offerPowText(o, scope.memo));
    if (why !== null) return rejected('offer', id, 'pow-invalid', `pow: ${why} (preimage: the canonical {makerPubKey, content})`);
    if (o.pow.difficulty < this.opts.powThresholdOffers) {
      return rejected('offer', id, 'pow-below-threshold', `pow.difficulty ${o.pow.difficulty} is below this node's minimum ${this.opts.powThresholdOffers} for offer`);
    }
    if (pre?.status === 'rejected') return fromAdd('offer', id, pre);
    if (!verifyOfferSignature(o, scope)) return rejected('offer', id, 'signature-invalid', 'makerSignature does not verify against makerPubKey');
    const ann = mempool.getAnnouncement(o.content.announcementId);
    if (!ann) return rejected('offer', id, 'announcement-not-found', 'no stored announcement has content.announcementId (it may not have arrived yet)');
    const bad = checkOfferTerms(o, ann.decoded, this.deps.now(), this.opts);
    if (bad) return rejected('offer', id, bad.reason, bad.message);
    if (pre?.status === 'out-of-shard') {
      this.deps.relayUnstored(id, version, o);
      return { status: 'out-of-shard', kind: 'offer', id };
    }
    const ctx = { oraclePubKey: ann.msg.oraclePubKey, maturityEpoch: ann.maturityEpoch, question: this.deps.questionOf(ann.msg.oraclePubKey, ann.msg.capabilityPubKey) };
    return fromAdd('offer', id, mempool.addOffer(o as Verified<Offer>, id, ctx, version));
  }
}

/** The keys of this slice present in `opts` (the admission options carry every kind's). */
function pick(opts: Partial<OfferAdmissionOptions>): Partial<OfferAdmissionOptions> {
  const out: Partial<OfferAdmissionOptions> = {};
  if (opts.powThresholdOffers !== undefined) out.powThresholdOffers = opts.powThresholdOffers;
  if (opts.offerMaxLifetimeSeconds !== undefined) out.offerMaxLifetimeSeconds = opts.offerMaxLifetimeSeconds;
  return out;
}
