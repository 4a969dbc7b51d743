// test/helpers/offer.ts - builders of real signed, mined offers on a test DLC event (enum: one payout per outcome; numeric: a curve over the whole domain), and of their cancel/taken versions.
import { offerPowText, signOffer } from '../../src/protocol/offer.ts';
import { minePowSync } from '../../src/protocol/pow.ts';
import type { Offer, OfferContent } from '../../src/protocol/types.ts';
import type { DlcEvent } from './dlc.ts';
import { makeKeys, type KeyPair } from './factory.ts';

/** Terms of an enum offer on `ev`: 60,000 + 40,000 sat, the maker wins the first outcome, the taker the others. */
export function enumTerms(ev: DlcEvent, nowS: number, over: Partial<OfferContent> = {}): OfferContent {
  const d = ev.ann.event.descriptor;
  const outcomes = d.kind === 'enum' ? d.outcomes : [];
  const maturity = ev.ann.event.maturityEpoch;
  return {
    announcementId: ev.id,
    chain: 'bitcoin-regtest',
    contractType: 'dlc-v0',
    makerCollateral: 60000,
    takerCollateral: 40000,
    payouts: { kind: 'enum', outcomes: outcomes.map((o, i) => ({ outcome: o, maker: i === 0 ? 100000 : 0, taker: i === 0 ? 0 : 100000 })) },
    feeRate: 2,
    cetLocktime: maturity,
    refundLocktime: maturity + 7 * 24 * 3600,
    expiresAt: Math.min(nowS + 24 * 3600, maturity),
    contact: 'http://127.0.0.1:9/dlc',
    ...over,
  };
}

/** A maker key from a seed (distinct from the oracle seeds of test/helpers/dlc.ts). */
export function makerKeys(seed: number): KeyPair {
  return makeKeys(50_000 + seed);
}

/** A mined, signed offer of `maker` with `content` (`status`, `seqNo`, PoW `difficulty`). */
export function makeOffer(maker: KeyPair, content: OfferContent, opts: { status?: Offer['status']; seqNo?: number; difficulty?: number } = {}): Offer {
  const base = { makerPubKey: maker.publicKey, content };
  const pow = minePowSync(offerPowText(base), opts.difficulty ?? 1);
  return signOffer({ ...base, seqNo: opts.seqNo ?? 0, cTTL: 5, pow, status: opts.status ?? 'open' }, maker.privateKey);
}

/** A new version of `o` with `status` and the next seqNo, same id and PoW (a cancel or taken). */
export function reissue(o: Offer, maker: KeyPair, status: Offer['status']): Offer {
  const { makerSignature: _s, makerSignatureType: _t, ...rest } = o;
  return signOffer({ ...rest, status, seqNo: o.seqNo + 1 }, maker.privateKey);
}
