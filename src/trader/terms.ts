/**
 * trader/terms.ts - from a board offer to contract terms and back: the contract descriptor of an
 * offer's payouts, the client-side checks before taking (offer signature and id, status, expiry,
 * the announcement under the capability's DLC key, the oracle's standing, the chain) and the
 * comparison of a maker's offer_dlc with the board offer. Imports contract, dlc, protocol, chain.
 */
import type { BitcoinChainName } from '../chain/types.ts';
import type { ContractDescriptor, OfferTerms } from '../contract/index.ts';
import { decodeAnnouncement } from '../dlc/codec.ts';
import type { OracleAnnouncement, SigningVersion } from '../dlc/types.ts';
import { verifyAnnouncement } from '../dlc/verify.ts';
import { encodeAnnouncement } from '../dlc/codec.ts';
import { dlcTlvId } from '../protocol/ids.ts';
import { offerId, verifyOfferSignature } from '../protocol/offer.ts';
import type { Offer, OfferChain, OfferContent } from '../protocol/types.ts';
import { EngineError, messageOf } from './errors.ts';
import type { MegaPort } from './types.ts';

/** bitcoind's `chain` name for each chain an offer may name. */
export const BITCOIN_CHAIN: Record<OfferChain, BitcoinChainName[]> = {
  'bitcoin-regtest': ['regtest'],
  'bitcoin-testnet': ['test', 'testnet4'],
  'bitcoin-signet': ['signet'],
  'bitcoin-mainnet': ['main'],
};

/** The contract descriptor (offerer = maker) of an offer's payouts. */
export function descriptorOf(c: Pick<OfferContent, 'payouts'>): ContractDescriptor {
  const p = c.payouts;
  if (p.kind === 'enum') return { kind: 'enum', payouts: p.outcomes.map((o) => ({ outcome: o.outcome, offer: BigInt(o.maker) })) };
  return {
    kind: 'numeric',
    curve: {
      points: p.points.map((x) => ({ outcome: BigInt(x.outcome), payout: BigInt(x.maker) })),
      rounding: (p.rounding ?? []).map((r) => ({ begin: BigInt(r.begin), mod: BigInt(r.mod) })),
    },
  };
}

/** Checks of an offer's own numbers (the node's schema checks types; this checks meaning). Throws `bad-offer`. */
export function checkOfferNumbers(c: OfferContent): void {
  if (c === null || typeof c !== 'object') throw new EngineError('bad-offer', 'offer content must be an object');
  if (typeof c.announcementId !== 'string' || !/^[0-9a-f]{64}$/.test(c.announcementId)) throw new EngineError('bad-offer', 'announcementId must be 64 lowercase hex');
  const p = c.payouts as unknown as { kind?: unknown; outcomes?: unknown; points?: unknown; rounding?: unknown } | null;
  if (!p || typeof p !== 'object') throw new EngineError('bad-offer', 'payouts must be an object');
  if (p.kind === 'enum') {
    if (!Array.isArray(p.outcomes) || p.outcomes.some((o: unknown) => !o || typeof o !== 'object' || typeof (o as { outcome?: unknown }).outcome !== 'string'))
      throw new EngineError('bad-offer', 'enum payouts need outcomes [{outcome, maker, taker}]');
  } else if (p.kind === 'numeric') {
    const pts = (x: unknown, a: string, b: string): boolean => Array.isArray(x) && x.every((o: unknown) => !!o && typeof o === 'object' && Number.isSafeInteger((o as Record<string, unknown>)[a]) && Number.isSafeInteger((o as Record<string, unknown>)[b]));
    if (!pts(p.points, 'outcome', 'maker')) throw new EngineError('bad-offer', 'numeric payouts need points [{outcome, maker}] of integers');
    if (p.rounding !== undefined && !pts(p.rounding, 'begin', 'mod')) throw new EngineError('bad-offer', 'rounding must be [{begin, mod}] of integers');
  } else throw new EngineError('bad-offer', 'payouts.kind must be enum or numeric');
  const sat = (n: number, what: string, min = 0): void => {
    if (!Number.isSafeInteger(n) || n < min) throw new EngineError('bad-offer', `${what} must be an integer >= ${min}`);
  };
  sat(c.makerCollateral, 'makerCollateral');
  sat(c.takerCollateral, 'takerCollateral');
  if (c.makerCollateral + c.takerCollateral <= 0) throw new EngineError('bad-offer', 'the total collateral must be positive');
  sat(c.feeRate, 'feeRate', 1);
  sat(c.cetLocktime, 'cetLocktime');
  sat(c.refundLocktime, 'refundLocktime', 500_000_000);
  sat(c.expiresAt, 'expiresAt', 1);
  if (c.contractType !== 'dlc-v0') throw new EngineError('bad-offer', 'contractType must be dlc-v0');
  if (!(c.chain in BITCOIN_CHAIN)) throw new EngineError('bad-offer', 'unknown chain');
  if (c.payouts.kind === 'enum') {
    const total = c.makerCollateral + c.takerCollateral;
    for (const o of c.payouts.outcomes) {
      sat(o.maker, 'an outcome payout');
      sat(o.taker, 'an outcome payout');
      if (o.maker + o.taker !== total) throw new EngineError('bad-offer', `outcome ${JSON.stringify(o.outcome).slice(0, 60)} does not pay out the total collateral`);
    }
  }
}

/** The announcement of an offer, verified: stored on the node, signed by the key its capability binds, the one the offer names. */
export interface CheckedAnnouncement {
  announcement: OracleAnnouncement;
  announcementHex: string;
  signingVersion: SigningVersion;
  oraclePubKey: string;
  attested: boolean;
}

/** Fetch and check an offer's announcement through the node; throws `unknown-announcement` / `bad-announcement` / `node`. */
export async function checkedAnnouncement(mega: MegaPort, announcementId: string): Promise<CheckedAnnouncement> {
  let got;
  try {
    got = await mega.getAnnouncement(announcementId);
  } catch (e) {
    throw new EngineError('node', `GET announcement: ${messageOf(e)}`);
  }
  if (!got) throw new EngineError('unknown-announcement', `the node has no announcement ${announcementId}`);
  const a = got.announcement;
  if (dlcTlvId(a.announcement) !== announcementId) throw new EngineError('bad-announcement', 'the node answered an announcement with another id');
  let cap;
  try {
    cap = await mega.getCapability(a.oraclePubKey, a.capabilityPubKey);
  } catch (e) {
    throw new EngineError('node', `GET capability: ${messageOf(e)}`);
  }
  if (!cap?.dlc) throw new EngineError('bad-announcement', 'the announcement\'s capability is unknown or has no DLC binding');
  let ann: OracleAnnouncement;
  try {
    ann = decodeAnnouncement(a.announcement);
  } catch (e) {
    throw new EngineError('bad-announcement', `announcement does not decode: ${messageOf(e)}`);
  }
  if (ann.oracleKey !== cap.dlc.oracleKey) throw new EngineError('bad-announcement', 'the announcement is not signed by the key the capability binds');
  const err = verifyAnnouncement(ann, cap.dlc.signingVersion);
  if (err) throw new EngineError('bad-announcement', `announcement does not verify: ${err.message}`);
  return { announcement: ann, announcementHex: a.announcement, signingVersion: cap.dlc.signingVersion, oraclePubKey: a.oraclePubKey, attested: got.attestation !== null };
}

/**
 * The offer against its event (the node's offer-refund-locktime, offer-cet-locktime and
 * offer-outcomes-mismatch rules, checked again by the trader: a node may serve an offer it should
 * have refused). A refund final before the event matures would let the side about to lose take its
 * collateral back; an enum outcome without a payout would have no CET, its collateral locked until
 * the refund. Throws `bad-offer`.
 */
export function checkOfferAgainstEvent(c: Pick<OfferContent, 'refundLocktime' | 'cetLocktime' | 'payouts'>, ann: OracleAnnouncement): void {
  const d = ann.event.descriptor;
  if (c.payouts.kind === 'enum' && d.kind === 'enum') {
    const listed = new Set(c.payouts.outcomes.map((o) => o.outcome));
    const missing = d.outcomes.find((x) => !listed.has(x));
    if (missing !== undefined) throw new EngineError('bad-offer', `the event's outcome ${JSON.stringify(missing).slice(0, 80)} has no payout (no CET would cover it)`);
  }
  const maturity = ann.event.maturityEpoch;
  if (c.refundLocktime <= maturity) throw new EngineError('bad-offer', `refundLocktime ${c.refundLocktime} must be after the event's maturity ${maturity}`);
  if (c.cetLocktime > maturity) throw new EngineError('bad-offer', `cetLocktime ${c.cetLocktime} must not be after the event's maturity ${maturity}`);
}

/** The client-side checks of a board offer before taking it (a node can hide offers, not forge them). Throws EngineError. */
export function checkBoardOffer(offer: Offer, id: string, nowSec: number): void {
  if (offerId(offer) !== id) throw new EngineError('bad-offer', 'the offer does not hash to the id asked for');
  if (!verifyOfferSignature(offer)) throw new EngineError('bad-offer', 'the maker signature does not verify');
  if (offer.status === 'taken') throw new EngineError('offer-taken', 'the offer is taken');
  if (offer.status !== 'open') throw new EngineError('offer-not-open', `the offer is ${offer.status}`);
  if (offer.content.expiresAt <= nowSec) throw new EngineError('offer-expired', `the offer expired at ${offer.content.expiresAt}`);
  checkOfferNumbers(offer.content);
}

const bytesEq = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** What differs between the maker's offer_dlc terms and its board offer (null: nothing). */
export function termsDiffer(t: OfferTerms, offer: Offer, announcementHex: string, signingVersion: SigningVersion): string | null {
  const c = offer.content;
  if (t.signingVersion !== signingVersion) return 'signing version';
  if (!bytesEq(encodeAnnouncement(t.announcement), Buffer.from(announcementHex, 'hex'))) return 'oracle announcement';
  if (t.offer.collateral !== BigInt(c.makerCollateral)) return 'maker collateral';
  if (t.totalCollateral !== BigInt(c.makerCollateral) + BigInt(c.takerCollateral)) return 'total collateral';
  if (t.feeRate !== BigInt(c.feeRate)) return 'fee rate';
  if (t.cetLocktime !== c.cetLocktime) return 'cet_locktime';
  if (t.refundLocktime !== c.refundLocktime) return 'refund_locktime';
  const want = descriptorOf(c);
  const got = t.descriptor;
  if (want.kind !== got.kind) return 'contract kind';
  if (want.kind === 'enum' && got.kind === 'enum') {
    if (want.payouts.length !== got.payouts.length) return 'number of outcomes';
    for (let i = 0; i < want.payouts.length; i++) {
      if (want.payouts[i]!.outcome !== got.payouts[i]!.outcome || want.payouts[i]!.offer !== got.payouts[i]!.offer) return `payout of outcome ${i}`;
    }
    return null;
  }
  if (want.kind === 'numeric' && got.kind === 'numeric') {
    const a = want.curve;
    const b = got.curve;
    if (b.midpoints?.some((m) => m && m.length > 0)) return 'payout curve (polynomial pieces)';
    if (a.points.length !== b.points.length || a.points.some((p, i) => p.outcome !== b.points[i]!.outcome || p.payout !== b.points[i]!.payout)) return 'payout curve';
    const ra = a.rounding.length ? a.rounding : [{ begin: 0n, mod: 1n }];
    const rb = b.rounding.length ? b.rounding : [{ begin: 0n, mod: 1n }];
    if (ra.length !== rb.length || ra.some((r, i) => r.begin !== rb[i]!.begin || r.mod !== rb[i]!.mod)) return 'rounding intervals';
  }
  return null;
}
