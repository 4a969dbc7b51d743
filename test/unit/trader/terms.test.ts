// test/unit/trader/terms.test.ts - board offer to contract terms: the descriptor of enum and numeric payouts, the client-side checks of a board offer (id, signature, status, expiry, numbers) and termsDiffer naming every field a maker could change in its offer_dlc.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { encodeAnnouncement, toHex } from '../../../src/dlc/index.ts';
import type { OfferTerms } from '../../../src/contract/index.ts';
import { offerId, signOffer } from '../../../src/protocol/offer.ts';
import { publicKeyOf } from '../../../src/protocol/keys.ts';
import type { Offer, OfferContent } from '../../../src/protocol/types.ts';
import { EngineError } from '../../../src/trader/errors.ts';
import { checkBoardOffer, checkOfferNumbers, descriptorOf, termsDiffer } from '../../../src/trader/terms.ts';
import { makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';

const code = (c: string) => (e: unknown) => e instanceof EngineError && e.code === c;
const o = makeDlcOracle(7404);
const ev = makeDlcEvent(o, { maturityEpoch: 1_900_000_000 });
const annHex = toHex(encodeAnnouncement(ev.ann));
const sk = crypto.randomBytes(32).toString('hex');

function offer(over: Partial<OfferContent> = {}, status: Offer['status'] = 'open'): Offer {
  const content: OfferContent = {
    announcementId: ev.id,
    chain: 'bitcoin-regtest',
    contractType: 'dlc-v0',
    makerCollateral: 100_000,
    takerCollateral: 50_000,
    payouts: { kind: 'enum', outcomes: [{ outcome: 'rain', maker: 150_000, taker: 0 }, { outcome: 'sun', maker: 0, taker: 150_000 }] },
    feeRate: 2,
    cetLocktime: 0,
    refundLocktime: 1_900_100_000,
    expiresAt: 1_800_000_000,
    contact: 'http://maker.test',
    ...over,
  };
  return signOffer({ makerPubKey: publicKeyOf(sk), seqNo: 1, cTTL: 5, pow: { difficulty: 0, algorithm: 'SHA256', hash: '00', magicNo: 0 }, status, content }, sk);
}

function termsOf(of: Offer): OfferTerms {
  const c = of.content;
  return {
    announcement: ev.ann,
    signingVersion: 'dlcspecs-v0',
    descriptor: descriptorOf(c),
    offer: { fundPubkey: new Uint8Array(33), payoutSpk: new Uint8Array(22), payoutSerialId: 1n, changeSpk: new Uint8Array(22), changeSerialId: 2n, inputs: [], collateral: BigInt(c.makerCollateral) },
    totalCollateral: BigInt(c.makerCollateral + c.takerCollateral),
    feeRate: BigInt(c.feeRate),
    cetLocktime: c.cetLocktime,
    refundLocktime: c.refundLocktime,
    fundOutputSerialId: 3n,
  };
}

describe('trader terms', () => {
  it('descriptorOf: enum payouts from the maker side; numeric points and rounding as bigints', () => {
    assert.deepEqual(descriptorOf(offer().content), { kind: 'enum', payouts: [{ outcome: 'rain', offer: 150_000n }, { outcome: 'sun', offer: 0n }] });
    const n = descriptorOf({ payouts: { kind: 'numeric', points: [{ outcome: 0, maker: 5 }, { outcome: 7, maker: 9 }], rounding: [{ begin: 0, mod: 2 }] } });
    assert.deepEqual(n, { kind: 'numeric', curve: { points: [{ outcome: 0n, payout: 5n }, { outcome: 7n, payout: 9n }], rounding: [{ begin: 0n, mod: 2n }] } });
  });

  it('checkBoardOffer: id, signature, status, expiry and payouts', () => {
    const good = offer();
    checkBoardOffer(good, offerId(good), 1_700_000_000);
    assert.throws(() => checkBoardOffer(good, '00'.repeat(32), 1_700_000_000), code('bad-offer'), 'another id');
    assert.throws(() => checkBoardOffer({ ...good, content: { ...good.content, feeRate: 1 } }, offerId({ ...good, content: { ...good.content, feeRate: 1 } }), 1_700_000_000), code('bad-offer'), 'changed after signing');
    const taken = offer({}, 'taken');
    assert.throws(() => checkBoardOffer(taken, offerId(taken), 1_700_000_000), code('offer-taken'));
    const cancelled = offer({}, 'cancelled');
    assert.throws(() => checkBoardOffer(cancelled, offerId(cancelled), 1_700_000_000), code('offer-not-open'));
    assert.throws(() => checkBoardOffer(good, offerId(good), 1_800_000_000), code('offer-expired'));
    const lopsided = offer({ payouts: { kind: 'enum', outcomes: [{ outcome: 'rain', maker: 150_000, taker: 1 }, { outcome: 'sun', maker: 0, taker: 150_000 }] } });
    assert.throws(() => checkBoardOffer(lopsided, offerId(lopsided), 1_700_000_000), code('bad-offer'), 'an outcome that does not pay out the total');
  });

  it('termsDiffer: null for the board terms, and names each field a maker could change', () => {
    const of = offer();
    const t = termsOf(of);
    assert.equal(termsDiffer(t, of, annHex, 'dlcspecs-v0'), null);
    const cases: [Partial<OfferTerms>, string][] = [
      [{ feeRate: 3n }, 'fee rate'],
      [{ cetLocktime: 1 }, 'cet_locktime'],
      [{ refundLocktime: 1_900_100_001 }, 'refund_locktime'],
      [{ totalCollateral: 150_001n }, 'total collateral'],
      [{ offer: { ...t.offer, collateral: 99_999n } }, 'maker collateral'],
      [{ descriptor: { kind: 'enum', payouts: [{ outcome: 'rain', offer: 150_000n }, { outcome: 'sun', offer: 1n }] } }, 'payout of outcome 1'],
      [{ descriptor: { kind: 'enum', payouts: [{ outcome: 'sun', offer: 0n }, { outcome: 'rain', offer: 150_000n }] } }, 'payout of outcome 0'],
      [{ descriptor: { kind: 'enum', payouts: [{ outcome: 'rain', offer: 150_000n }] } }, 'number of outcomes'],
      [{ signingVersion: 'basic-sha256' }, 'signing version'],
      [{ announcement: makeDlcEvent(o, { maturityEpoch: 1_900_000_001 }).ann }, 'oracle announcement'],
    ];
    for (const [patch, what] of cases) assert.equal(termsDiffer({ ...t, ...patch }, of, annHex, 'dlcspecs-v0'), what, `a changed ${what} must be named`);
  });

  it('checkOfferNumbers: malformed content from the admin API is bad-offer, never a TypeError', () => {
    const c = offer().content;
    const bad: unknown[] = [
      null,
      { ...c, announcementId: 'x' },
      { ...c, payouts: null },
      { ...c, payouts: { kind: 'enum' } },
      { ...c, payouts: { kind: 'enum', outcomes: [null] } },
      { ...c, payouts: { kind: 'numeric', points: [{ outcome: '0', maker: 1 }] } },
      { ...c, payouts: { kind: 'numeric', points: [{ outcome: 0, maker: 1 }], rounding: 5 } },
      { ...c, payouts: { kind: 'other' } },
      { ...c, makerCollateral: 1.5 },
      { ...c, feeRate: 0 },
      { ...c, refundLocktime: 800_000 },
      { ...c, chain: 'litecoin' },
    ];
    for (const b of bad) assert.throws(() => checkOfferNumbers(b as OfferContent), code('bad-offer'), `must refuse ${JSON.stringify(b)?.slice(0, 80)}`);
  });
});
