/** service/offer-checks.ts - the checks of an offer's terms against itself and the announcement it names (docs/PROTOCOL.md "Offers", steps 5-12), in their documented order; pure: the clock and limits come in. Imports protocol, dlc types and contract (checkCurve). */
import { checkCurve } from '../contract/numeric.ts';
import { ContractError } from '../contract/errors.ts';
import { LOCKTIME_THRESHOLD, MAX_FEE_RATE_SAT_VB, MAX_MONEY_SAT } from '../contract/constants.ts';
import type { OracleAnnouncement } from '../dlc/index.ts';
import type { Offer, OfferContent } from '../protocol/types.ts';
import type { OfferRejectReason } from './types.ts';

/** The config slice these checks read. */
export interface OfferCheckOptions {
  /** Latest accepted expiresAt, from now (seconds). */
  offerMaxLifetimeSeconds: number;
}

/** A failed check: its reject code and a sentence. */
export interface OfferCheckFailure {
  reason: OfferRejectReason;
  message: string;
}

/** Longest `contact` URL (characters). */
export const MAX_CONTACT_CHARS = 512;

const fail = (reason: OfferRejectReason, message: string): OfferCheckFailure => ({ reason, message });

/**
 * Check an offer's terms (its schema, PoW and signature already checked) against the announcement
 * it names, at `nowMs`. Order: contractType, collaterals, payouts (kind, then enum outcomes and
 * sums or the numeric event and curve), feeRate, refundLocktime, cetLocktime, expiresAt, contact.
 */
export function checkOfferTerms(o: Offer, ann: OracleAnnouncement, nowMs: number, opts: OfferCheckOptions): OfferCheckFailure | null {
  const c = o.content;
  if (c.contractType !== 'dlc-v0') return fail('offer-contract-type', `contractType "${c.contractType}" is not supported (only dlc-v0)`);
  const total = BigInt(c.makerCollateral) + BigInt(c.takerCollateral);
  if (c.makerCollateral < 1 || c.takerCollateral < 1) return fail('offer-collateral-invalid', 'makerCollateral and takerCollateral must each be a positive number of satoshis');
  if (total > MAX_MONEY_SAT) return fail('offer-collateral-invalid', 'makerCollateral + takerCollateral exceeds 21,000,000 BTC');
  const payouts = checkPayouts(c, ann, total);
  if (payouts) return payouts;
  if (c.feeRate < 1 || BigInt(c.feeRate) > MAX_FEE_RATE_SAT_VB) return fail('offer-fee-rate', `feeRate must be 1..${MAX_FEE_RATE_SAT_VB} sat/vB`);
  const maturity = ann.event.maturityEpoch;
  if (c.refundLocktime < LOCKTIME_THRESHOLD) return fail('offer-refund-locktime', `refundLocktime must be a unix time (>= ${LOCKTIME_THRESHOLD}), not a block height`);
  if (c.refundLocktime <= maturity) return fail('offer-refund-locktime', `refundLocktime ${c.refundLocktime} must be after the event's maturity ${maturity}`);
  if (c.cetLocktime > maturity) return fail('offer-cet-locktime', `cetLocktime ${c.cetLocktime} must not be after the event's maturity ${maturity}`);
  const nowS = Math.floor(nowMs / 1000);
  if (c.expiresAt <= nowS) return fail('offer-expired', `expiresAt ${c.expiresAt} has passed (now ${nowS})`);
  const latest = Math.min(nowS + opts.offerMaxLifetimeSeconds, maturity);
  if (c.expiresAt > latest) {
    return fail('offer-expiry-too-late', `expiresAt ${c.expiresAt} is after min(now + offerMaxLifetimeSeconds (${opts.offerMaxLifetimeSeconds} s), the event's maturity ${maturity}) = ${latest}`);
  }
  if (!isContactUrl(c.contact)) return fail('offer-contact-invalid', `contact must be an http or https URL of at most ${MAX_CONTACT_CHARS} characters`);
  return null;
}

/** Is `s` an absolute http(s) URL with a host, at most {@link MAX_CONTACT_CHARS} characters? */
export function isContactUrl(s: string): boolean {
  if (s.length > MAX_CONTACT_CHARS) return false;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && u.username === '' && u.password === '';
}

function checkPayouts(c: OfferContent, ann: OracleAnnouncement, total: bigint): OfferCheckFailure | null {
  const d = ann.event.descriptor;
  const p = c.payouts;
  if (p.kind === 'enum') {
    if (d.kind !== 'enum') return fail('offer-payouts-kind', 'enum payouts on a numeric (digit-decomposition) event');
    const want = new Set(d.outcomes);
    const seen = new Set<string>();
    for (const x of p.outcomes) {
      if (!want.has(x.outcome)) return fail('offer-outcomes-mismatch', `outcome ${JSON.stringify(x.outcome)} is not an outcome of the event`);
      if (seen.has(x.outcome)) return fail('offer-outcomes-mismatch', `outcome ${JSON.stringify(x.outcome)} is listed twice`);
      seen.add(x.outcome);
    }
    if (seen.size !== want.size) {
      const missing = d.outcomes.find((x) => !seen.has(x)) as string;
      return fail('offer-outcomes-mismatch', `the event's outcome ${JSON.stringify(missing)} has no payout (every outcome must be listed exactly once)`);
    }
    for (const x of p.outcomes) {
      if (BigInt(x.maker) + BigInt(x.taker) !== total) {
        return fail('offer-payout-sum', `outcome ${JSON.stringify(x.outcome)}: maker ${x.maker} + taker ${x.taker} is not the total collateral ${total}`);
      }
    }
    return null;
  }
  if (d.kind !== 'digits') return fail('offer-payouts-kind', 'numeric payouts on an enum event');
  if (d.isSigned) return fail('offer-event-signed', 'the event is a signed digit decomposition; offers settle on unsigned ones only');
  const maxOutcome = BigInt(d.base) ** BigInt(d.nbDigits) - 1n;
  try {
    checkCurve(
      {
        points: p.points.map((x) => ({ outcome: BigInt(x.outcome), payout: BigInt(x.maker) })),
        rounding: (p.rounding ?? []).map((r) => ({ begin: BigInt(r.begin), mod: BigInt(r.mod) })),
      },
      maxOutcome,
      total,
    );
  } catch (e) {
    if (e instanceof ContractError) return fail('offer-curve-invalid', `${e.message} (domain [0, ${maxOutcome}], total ${total})`);
    throw e;
  }
  return null;
}
