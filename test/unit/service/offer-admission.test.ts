// test/unit/service/offer-admission.test.ts - admission of offers through the one door with real signatures, PoW and DLC announcements: every reject code with its ban score (each case one a wrong implementation would miss), seqNo replacement, the per-maker limit, rank eviction, the expiry sweep, sharding, and the listing filters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signObject } from '../../../src/protocol/sign.ts';
import { offerId, offerPowText } from '../../../src/protocol/offer.ts';
import { minePowSync } from '../../../src/protocol/pow.ts';
import type { Offer, OfferContent } from '../../../src/protocol/types.ts';
import type { EvictedEvent } from '../../../src/service/service.ts';
import { newServiceForTest, type TestService } from '../../helpers/factory.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { makeDlcEvent, makeDlcOracle, type DlcEvent, type DlcOracle } from '../../helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys, reissue } from '../../helpers/offer.ts';

const DAY_S = 24 * 3600;

interface Rig extends TestService {
  o: DlcOracle;
  ev: DlcEvent;
  nowS: number;
}

async function rig(mempool = {}, service = {}, question?: string): Promise<Rig> {
  const t = newServiceForTest({ mempool, service });
  const o = makeDlcOracle(7, 'dlcspecs-v0', question);
  assert.equal((await t.service.admit('oracle', o.oracle)).status, 'accepted', 'expected the oracle ad accepted');
  assert.equal((await t.service.admit('capability', o.capability)).status, 'accepted', 'expected the dlc capability accepted');
  const nowS = Math.floor(t.clock.now() / 1000);
  const ev = makeDlcEvent(o, { maturityEpoch: nowS + 10 * DAY_S });
  assert.equal((await t.service.admit('announcement', ev.entity)).status, 'accepted', 'expected the announcement accepted');
  return { ...t, o, ev, nowS };
}

const M = makerKeys(1);
const M2 = makerKeys(2);

/** The terms of `t`'s event with `over` applied. */
const terms = (t: Rig, over: Partial<OfferContent> = {}): OfferContent => enumTerms(t.ev, t.nowS, over);

describe('offer admission: accepted, duplicate, replaced', () => {
  it('accepts a valid offer under its id, answers duplicate for the same version, and GET-able by id', async () => {
    const t = await rig();
    const offer = makeOffer(M, terms(t));
    const r = await t.service.admit('offer', offer);
    assert.deepEqual([r.status, r.id], ['accepted', offerId(offer)], 'expected the offer accepted under offerId');
    assert.equal((await t.service.admit('offer', offer)).status, 'duplicate', 'expected the same version a duplicate');
    const stored = t.service.getOffer(offerId(offer));
    assert.equal(stored?.oraclePubKey, t.o.oracleKeys.publicKey, "expected the stored offer to carry the announcement's oracle");
    assert.equal(stored?.maturityEpoch, t.ev.ann.event.maturityEpoch, "expected the stored offer to carry the event's maturity");
  });

  it('a cancel (higher seqNo, same id and PoW) replaces; the same or a lower seqNo is stale', async () => {
    const t = await rig();
    const open = makeOffer(M, terms(t), { seqNo: 3 });
    await t.service.admit('offer', open);
    const cancel = reissue(open, M, 'cancelled');
    const r = await t.service.admit('offer', cancel);
    assert.deepEqual([r.status, r.status === 'accepted' && r.replaced], ['accepted', true], 'expected the cancel to replace the open version');
    assert.equal(t.service.getOffer(offerId(open))?.msg.status, 'cancelled', 'expected the stored version cancelled');
    assert.equal((await t.service.admit('offer', open)).status, 'duplicate', 'expected the older open version stale (duplicate)');
    const older = makeOffer(M, terms(t), { seqNo: 2, status: 'taken' });
    assert.equal((await t.service.admit('offer', older)).status, 'duplicate', 'expected a lower seqNo stale whatever its status');
    assert.deepEqual(t.service.listOffers({ page: 0, chunkSize: 10 }, {}).map((e) => e.id), [], 'expected no open offer listed after the cancel');
    assert.deepEqual(t.service.listOffers({ page: 0, chunkSize: 10 }, { status: 'cancelled' }).map((e) => e.id), [offerId(open)], 'expected the cancelled version listed under status cancelled');
  });
});

describe('offer admission: every refusal with its code and ban score', () => {
  it('schema: unknown field, fractional satoshis, a string contact of 513+ chars is refused by the schema', async () => {
    const t = await rig();
    const good = makeOffer(M, terms(t));
    assertRejected(await t.service.admit('offer', { ...good, extra: 1 }), 'schema-violation', 100);
    assertRejected(await t.service.admit('offer', { ...good, content: { ...good.content, makerCollateral: 1.5 } }), 'schema-violation', 100);
    assertRejected(await t.service.admit('offer', { ...good, content: { ...good.content, contact: 'http://x/' + 'a'.repeat(600) } }), 'schema-violation', 100);
    assertRejected(await t.service.admit('offer', { ...good, status: 'closed' }), 'schema-violation', 100);
  });

  it('PoW: a wrong magicNo, work over another preimage, and work below the threshold', async () => {
    const t = await rig({}, { powThresholdOffers: 2 });
    const good = makeOffer(M, terms(t), { difficulty: 2 });
    assertRejected(await t.service.admit('offer', { ...good, pow: { ...good.pow, magicNo: good.pow.magicNo + 1 } }), 'pow-invalid', 100);
    // Work done for another maker's key over the same terms does not count for this one.
    const stolen = minePowSync(offerPowText({ makerPubKey: M2.publicKey, content: good.content }), 2);
    assertRejected(await t.service.admit('offer', { ...good, pow: stolen }), 'pow-invalid', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t), { difficulty: 1 })), 'pow-below-threshold', 0);
  });

  it("signature: another maker's signature over the same offer is refused", async () => {
    const t = await rig();
    const good = makeOffer(M, terms(t));
    const { makerSignature: _s, ...unsigned } = good;
    const forged = { ...unsigned, makerSignature: signObject(unsigned, 'makerSignature', M2.privateKey) };
    assertRejected(await t.service.admit('offer', forged), 'signature-invalid', 100);
  });

  it('announcement: an offer on an announcement this node does not store', async () => {
    const t = await rig();
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { announcementId: 'ab'.repeat(32) }))), 'announcement-not-found', 0);
  });

  it('contractType, collaterals', async () => {
    const t = await rig();
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { contractType: 'dlc-v1' as 'dlc-v0' }))), 'offer-contract-type', 100);
    const zero = terms(t, { makerCollateral: 0, takerCollateral: 100000 });
    assertRejected(await t.service.admit('offer', makeOffer(M, zero)), 'offer-collateral-invalid', 100);
    const max = 2_100_000_000_000_000;
    const huge = terms(t, { makerCollateral: max, takerCollateral: 1 });
    assertRejected(await t.service.admit('offer', makeOffer(M, { ...huge, payouts: { kind: 'enum', outcomes: ['rain', 'sun', 'snow'].map((o) => ({ outcome: o, maker: max, taker: 1 })) } })), 'offer-collateral-invalid', 100);
  });

  it("enum payouts: an outcome missing, one extra, one twice, numeric payouts on an enum event, and a split that does not sum to the total", async () => {
    const t = await rig();
    const base = terms(t);
    const outs = base.payouts.kind === 'enum' ? base.payouts.outcomes : [];
    const withOutcomes = (outcomes: typeof outs): OfferContent => ({ ...base, payouts: { kind: 'enum', outcomes } });
    assertRejected(await t.service.admit('offer', makeOffer(M, withOutcomes(outs.slice(0, 2)))), 'offer-outcomes-mismatch', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, withOutcomes([...outs, { outcome: 'hail', maker: 0, taker: 100000 }]))), 'offer-outcomes-mismatch', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, withOutcomes([outs[0]!, outs[1]!, outs[1]!]))), 'offer-outcomes-mismatch', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, withOutcomes([outs[0]!, outs[1]!, { outcome: 'snow', maker: 50000, taker: 49999 }]))), 'offer-payout-sum', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, { ...base, payouts: { kind: 'numeric', points: [{ outcome: 0, maker: 0 }, { outcome: 7, maker: 100000 }] } })), 'offer-payouts-kind', 100);
  });

  it('numeric: a signed event is refused; the curve must span [0, base^nbDigits - 1], increase strictly, stay in [0, total], with rounding mod >= 1', async () => {
    const t = await rig();
    const unsigned = makeDlcEvent(t.o, { maturityEpoch: t.nowS + 10 * DAY_S, eventId: 'btc', descriptor: { kind: 'digits', base: 2, isSigned: false, unit: 'usd', precision: 0, nbDigits: 3 } });
    const signed = makeDlcEvent(t.o, { maturityEpoch: t.nowS + 10 * DAY_S, eventId: 'temp', descriptor: { kind: 'digits', base: 2, isSigned: true, unit: 'c', precision: 0, nbDigits: 3 } });
    for (const e of [unsigned, signed]) assert.equal((await t.service.admit('announcement', e.entity)).status, 'accepted', 'expected the numeric announcement accepted');
    const numeric = (ev: DlcEvent, points: { outcome: number; maker: number }[], rounding?: { begin: number; mod: number }[]): OfferContent => {
      const c = enumTerms(ev, t.nowS);
      return { ...c, payouts: rounding ? { kind: 'numeric', points, rounding } : { kind: 'numeric', points } };
    };
    const line = [{ outcome: 0, maker: 0 }, { outcome: 7, maker: 100000 }];
    assertRejected(await t.service.admit('offer', makeOffer(M, numeric(signed, line))), 'offer-event-signed', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, numeric(unsigned, [{ outcome: 0, maker: 0 }, { outcome: 6, maker: 100000 }]))), 'offer-curve-invalid', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, numeric(unsigned, [{ outcome: 1, maker: 0 }, { outcome: 7, maker: 100000 }]))), 'offer-curve-invalid', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, numeric(unsigned, [{ outcome: 0, maker: 0 }, { outcome: 3, maker: 1 }, { outcome: 3, maker: 2 }, { outcome: 7, maker: 3 }]))), 'offer-curve-invalid', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, numeric(unsigned, [{ outcome: 0, maker: 0 }, { outcome: 7, maker: 100001 }]))), 'offer-curve-invalid', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, numeric(unsigned, line, [{ begin: 0, mod: 0 }]))), 'offer-curve-invalid', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, numeric(unsigned, line, [{ begin: 4, mod: 10 }, { begin: 2, mod: 10 }]))), 'offer-curve-invalid', 100);
    const enumOnDigits: OfferContent = { ...enumTerms(unsigned, t.nowS), payouts: { kind: 'enum', outcomes: [{ outcome: '0', maker: 100000, taker: 0 }] } };
    assertRejected(await t.service.admit('offer', makeOffer(M, enumOnDigits)), 'offer-payouts-kind', 100);
    const ok = await t.service.admit('offer', makeOffer(M, numeric(unsigned, line, [{ begin: 0, mod: 1000 }])));
    assert.equal(ok.status, 'accepted', 'expected a curve over the whole unsigned domain accepted');
  });

  it('feeRate 1..10,000; refundLocktime a unix time after maturity; cetLocktime not after maturity', async () => {
    const t = await rig();
    const maturity = t.ev.ann.event.maturityEpoch;
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { feeRate: 0 }))), 'offer-fee-rate', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { feeRate: 10001 }))), 'offer-fee-rate', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { refundLocktime: 800_000 }))), 'offer-refund-locktime', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { refundLocktime: maturity }))), 'offer-refund-locktime', 100);
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { cetLocktime: maturity + 1 }))), 'offer-cet-locktime', 100);
    assert.equal((await t.service.admit('offer', makeOffer(M, terms(t, { feeRate: 10000, cetLocktime: 0, refundLocktime: maturity + 1 })))).status, 'accepted', 'expected the bounds themselves accepted');
  });

  it('expiresAt: passed, after maturity, after now + offerMaxLifetimeSeconds (ban 0: clocks and configs differ)', async () => {
    const t = await rig({}, { offerMaxLifetimeSeconds: 2 * DAY_S });
    const maturity = t.ev.ann.event.maturityEpoch;
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { expiresAt: t.nowS }))), 'offer-expired', 0);
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { expiresAt: t.nowS + 3 * DAY_S }))), 'offer-expiry-too-late', 0);
    const t2 = await rig({}, { offerMaxLifetimeSeconds: 100 * DAY_S });
    assertRejected(await t2.service.admit('offer', makeOffer(M, enumTerms(t2.ev, t2.nowS, { expiresAt: maturity + 1 }))), 'offer-expiry-too-late', 0);
    assert.equal((await t2.service.admit('offer', makeOffer(M, enumTerms(t2.ev, t2.nowS, { expiresAt: maturity })))).status, 'accepted', 'expected expiry at maturity accepted');
  });

  it('contact: only an absolute http(s) URL', async () => {
    const t = await rig();
    for (const contact of ['ftp://maker.example/dlc', 'maker.example:8080', 'javascript:alert(1)', 'http://user:pw@maker.example/']) {
      assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { contact }))), 'offer-contact-invalid', 100);
    }
    assert.equal((await t.service.admit('offer', makeOffer(M, terms(t, { contact: 'https://maker.example:8443/dlc' })))).status, 'accepted', 'expected an https URL accepted');
  });
});

describe('offer store: per-maker limit, rank, expiry, shard', () => {
  it('refuses a maker past offersPerMaker open offers (ban 0), and frees a slot when one is cancelled', async () => {
    const t = await rig({ offers: { offersPerMaker: 2 } });
    const offers = [1, 2, 3].map((i) => makeOffer(M, terms(t, { takerCollateral: 40000 + i, makerCollateral: 60000 - i })));
    assert.equal((await t.service.admit('offer', offers[0])).status, 'accepted');
    assert.equal((await t.service.admit('offer', offers[1])).status, 'accepted');
    assertRejected(await t.service.admit('offer', offers[2]), 'offer-maker-limit', 0);
    assert.equal((await t.service.admit('offer', makeOffer(M2, terms(t)))).status, 'accepted', "expected another maker's offer unaffected");
    assert.equal((await t.service.admit('offer', reissue(offers[0]!, M, 'cancelled'))).status, 'accepted', 'expected the cancel accepted at the limit');
    assert.equal((await t.service.admit('offer', offers[2])).status, 'accepted', 'expected a slot freed by the cancel');
  });

  it('past maxOffers a higher PoW evicts the lowest; a lower one is refused rank-too-low', async () => {
    const t = await rig({ offers: { maxOffers: 2 } });
    const evicted: EvictedEvent[] = [];
    t.service.on('mempool:evicted', (e) => evicted.push(e));
    const low = makeOffer(M, terms(t, { feeRate: 3 }), { difficulty: 1 });
    const mid = makeOffer(M, terms(t, { feeRate: 4 }), { difficulty: 3 });
    await t.service.admit('offer', low);
    await t.service.admit('offer', mid);
    assertRejected(await t.service.admit('offer', makeOffer(M, terms(t, { feeRate: 5 }), { difficulty: 0 })), 'rank-too-low', 0);
    const high = makeOffer(M, terms(t, { feeRate: 6 }), { difficulty: 4 });
    assert.equal((await t.service.admit('offer', high)).status, 'accepted', 'expected the higher PoW accepted');
    assert.deepEqual(evicted.map((e) => [e.kind, e.id, e.cause]), [['offer', offerId(low), 'rank']], 'expected the lowest-ranked offer evicted for rank');
    assert.deepEqual(t.service.listOffers({ page: 0, chunkSize: 10 }, {}).map((e) => e.id), [offerId(high), offerId(mid)], 'expected the listing highest PoW first');
  });

  it('the sweep drops expired offers (cancelled ones too) with cause expired', async () => {
    const t = await rig();
    const evicted: EvictedEvent[] = [];
    t.service.on('mempool:evicted', (e) => evicted.push(e));
    const soon = makeOffer(M, terms(t, { expiresAt: t.nowS + 100 }));
    const later = makeOffer(M, terms(t, { expiresAt: t.nowS + 1000 }));
    const cancelled = reissue(makeOffer(M2, terms(t, { expiresAt: t.nowS + 100 })), M2, 'cancelled');
    for (const o of [soon, later, cancelled]) assert.equal((await t.service.admit('offer', o)).status, 'accepted');
    t.clock.advance(99_000);
    assert.equal(t.service.sweepOffers(), 0, 'expected nothing swept before expiry');
    t.clock.advance(1_000);
    assert.equal(t.service.sweepOffers(), 2, 'expected the two offers expiring now swept');
    assert.deepEqual(evicted.map((e) => e.cause), ['expired', 'expired']);
    assert.equal(t.service.getOffer(offerId(soon)), undefined, 'expected the expired open offer gone');
    assert.equal(t.service.getOffer(offerId(cancelled)), undefined, 'expected the expired cancelled offer gone');
    assert.notEqual(t.service.getOffer(offerId(later)), undefined, 'expected the later offer kept');
  });

  it('an offer of another shard is checked fully but not stored (202 out-of-shard); a bad one of another shard is still refused', async () => {
    const t = await rig({ shard: { count: 2, index: 0 } });
    let other: Offer | undefined;
    for (let i = 0; !other; i++) {
      const o = makeOffer(M, terms(t, { takerCollateral: 40000 + i, makerCollateral: 60000 - i }));
      if (BigInt('0x' + offerId(o)) % 2n === 1n) other = o;
    }
    assert.equal((await t.service.admit('offer', other)).status, 'out-of-shard', 'expected out-of-shard');
    assert.equal(t.service.getOffer(offerId(other)), undefined, 'expected it not stored');
    const bad = makeOffer(M, { ...other.content, feeRate: 0 });
    if (BigInt('0x' + offerId(bad)) % 2n === 1n) assertRejected(await t.service.admit('offer', bad), 'offer-fee-rate', 100);
  });
});

describe('offer listing filters', () => {
  it('filters by announcement, oracle, maker, chain, question words, taker collateral and status', async () => {
    const t = await rig({}, {}, 'Will it rain in Berlin?');
    const o2 = makeDlcOracle(9, 'dlcspecs-v0', 'Will the BTC price close above?');
    for (const [k, v] of [['oracle', o2.oracle], ['capability', o2.capability]] as const) assert.equal((await t.service.admit(k, v)).status, 'accepted');
    const ev2 = makeDlcEvent(o2, { maturityEpoch: t.nowS + 5 * DAY_S });
    assert.equal((await t.service.admit('announcement', ev2.entity)).status, 'accepted');
    const a = makeOffer(M, terms(t, { takerCollateral: 10000, makerCollateral: 90000 }), { difficulty: 3 });
    const b = makeOffer(M2, terms(t, { chain: 'bitcoin-signet' }), { difficulty: 2 });
    const c = makeOffer(M, enumTerms(ev2, t.nowS, { takerCollateral: 70000, makerCollateral: 30000 }), { difficulty: 1 });
    for (const x of [a, b, c]) assert.equal((await t.service.admit('offer', x)).status, 'accepted');
    const ids = (f: Parameters<typeof t.service.listOffers>[1], page = { page: 0, chunkSize: 10 }): string[] => t.service.listOffers(page, f).map((e) => e.id);
    const [A, B, C] = [a, b, c].map((x) => offerId(x));
    assert.deepEqual(ids({}), [A, B, C], 'expected every open offer, highest PoW first');
    assert.deepEqual(ids({ announcement: t.ev.id }), [A, B], 'announcement');
    assert.deepEqual(ids({ oracle: o2.oracleKeys.publicKey }), [C], 'oracle');
    assert.deepEqual(ids({ maker: M2.publicKey }), [B], 'maker');
    assert.deepEqual(ids({ chain: 'bitcoin-signet' }), [B], 'chain');
    assert.deepEqual(ids({ question: 'berlin rain' }), [A, B], 'question words of the capability');
    assert.deepEqual(ids({ question: 'btc' }), [C], 'question words of the other capability');
    assert.deepEqual(ids({ question: 'paris' }), [], 'no offer of a question without that word');
    assert.deepEqual(ids({ minCollateral: 40000 }), [B, C], 'minCollateral bounds the taker collateral');
    assert.deepEqual(ids({ maxCollateral: 40000 }), [A, B], 'maxCollateral bounds the taker collateral');
    assert.deepEqual(ids({ status: 'taken' }), [], 'no taken offers');
    assert.deepEqual(ids({}, { page: 1, chunkSize: 2 }), [C], 'paging');
    await t.service.admit('offer', reissue(a, M, 'taken'));
    assert.deepEqual([ids({}), ids({ status: 'taken' })], [[B, C], [A]], 'a taken version leaves the open listing for the taken one');
  });
});
