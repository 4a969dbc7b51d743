// test/integration/trader-review.test.ts - the safety review of issue #18's engine on bcoin regtest: one exchange id sent to two offers gets two keys and disjoint coins; a withheld funding is double-spent by the maker (on the attestation or after the timeouts) and then by the taker, both abort and release; offers that break the node's locktime and outcome rules are refused by the taker; an attestation before the funding confirmed is kept and executed once funded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { decodeOfferDlc } from '../../src/contract/messages.ts';
import { publicKeyOf } from '../../src/protocol/keys.ts';
import { signEnvelope } from '../../src/trader/envelope.ts';
import { World } from '../unit/trader/_world.ts';
import { FlakyChain } from '../unit/trader/_flaky.ts';
import { makeDlcAttestation } from '../helpers/dlc.ts';
import type { Party } from '../unit/trader/_harness.ts';
import { offerId as offerIdOf, signOffer } from '../../src/protocol/offer.ts';
import { EngineError } from '../../src/trader/errors.ts';
import type { MegaPort } from '../../src/trader/types.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('trader engine safety review (issue #18)', { timeout: 300_000 }, () => {
  let w: World;
  before(async () => {
    w = await World.start(7309);
  });
  after(async () => {
    await w?.stop();
  });

  it('one exchange id sent to two offers of a maker: two contract keys, disjoint coins, and expiring one keeps the other reserved', async () => {
    let now = Date.now();
    const { maker } = await w.pair({ now: () => now, acceptTimeoutMs: 60_000 });
    const a = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    const b = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    const k = crypto.randomBytes(32).toString('hex');
    const exchangeId = crypto.randomBytes(32).toString('hex');
    const take = (offerId: string) => signEnvelope({ type: 'take', offerId, from: publicKeyOf(k), exchangeId, body: '' }, k);
    const oa = decodeOfferDlc(bytes((await maker.engine.receive(take(a.offerId))).body), 'dlcspecs-v0').terms.offer;
    now += 40_000;
    const ob = decodeOfferDlc(bytes((await maker.engine.receive(take(b.offerId))).body), 'dlcspecs-v0').terms.offer;
    assert.notEqual(hex(oa.fundPubkey), hex(ob.fundPubkey), 'two contracts must never share the maker\'s funding key');
    const coinsA = new Set(oa.inputs.map((i) => `${i.txid}:${i.vout}`));
    const shared = ob.inputs.filter((i) => coinsA.has(`${i.txid}:${i.vout}`));
    assert.deepEqual(shared, [], 'two open offers must never be funded from the same coins');
    const sum = (xs: { value: bigint }[]): bigint => xs.reduce((s, i) => s + i.value, 0n);
    assert.equal(maker.wallet.balance().reserved, sum(oa.inputs) + sum(ob.inputs), 'both reservations are held');
    // The exchange on A times out (80 s > 60 s), B's (40 s) does not: B's coins must stay reserved for B.
    now += 40_000;
    await maker.engine.tick();
    assert.match(maker.engine.get(a.offerId)!.error ?? '', /sent no accept_dlc/, 'exchange A timed out and was unbound');
    assert.equal(maker.engine.get(b.offerId)!.error, null, 'exchange B is still open');
    assert.equal(maker.wallet.balance().reserved, sum(ob.inputs), 'releasing A must not release the coins offered to B');
  });

  /** A maker and a taker whose chain drops every broadcast: the taker stores a signed funding it never gets out. */
  async function withheldFunding(makerNow?: () => number): Promise<{ maker: Party; taker: Party; flaky: FlakyChain; offerId: string; fundingTxid: string; ev: Awaited<ReturnType<World['enumEvent']>> }> {
    const flaky = new FlakyChain(w.chain);
    flaky.failBroadcasts = 1_000;
    const { maker, taker } = await w.pair(makerNow ? { now: makerNow, acceptTimeoutMs: 60_000, signTimeoutMs: 60_000 } : {}, { chain: flaky });
    const ev = await w.enumEvent();
    const { offerId } = await maker.engine.make(await w.enumContent(ev));
    await taker.engine.take(offerId);
    const t = taker.engine.get(offerId)!;
    assert.equal(t.phase, 'funding', 'the taker signed the funding');
    assert.equal(maker.engine.get(offerId)!.phase, 'signed', 'the maker signed and answered sign_dlc');
    assert.equal(w.regtest.inMempool(t.fundingTxid!), false, 'the funding was withheld');
    return { maker, taker, flaky, offerId, fundingTxid: t.fundingTxid!, ev };
  }

  async function assertCancelled(maker: Party, taker: Party, flaky: FlakyChain, offerId: string, fundingTxid: string, ev: Awaited<ReturnType<World['enumEvent']>>): Promise<void> {
    const m = maker.engine.get(offerId)!;
    assert.match(m.error ?? '', /double-spend/, `the maker double-spends its funding inputs (${m.error})`);
    const cancelTxid = /double-spending the maker's funding inputs \(([0-9a-f]{64})\)/.exec(m.error ?? '')?.[1];
    assert.ok(cancelTxid && w.regtest.inMempool(cancelTxid), `the double-spend is in the mempool (${m.error})`);
    await w.regtest.mine(1);
    const raw = await w.regtest.rpc<{ vin: { sequence: number }[] }>('getrawtransaction', [cancelTxid, 1]);
    assert.ok(raw.vin.every((i) => i.sequence === 0xffffffff), 'the double-spend does not signal BIP 125 (the funding must not replace it)');
    assert.ok((await w.paidToWallet(cancelTxid, maker)) > 0n, 'the double-spend pays the maker\'s own wallet');
    await maker.engine.tick();
    const after = maker.engine.get(offerId)!;
    assert.equal(after.phase, 'aborted', `the contract aborts once the double-spend confirmed (${after.error})`);
    await maker.wallet.sync();
    assert.equal(maker.wallet.balance().reserved, 0n, 'the maker\'s coins are released');
    // The taker now tries to use its option: the funding no longer goes through.
    flaky.failBroadcasts = 0;
    await taker.engine.tick();
    assert.equal(w.regtest.inMempool(fundingTxid), false, 'the withheld funding can never be broadcast any more');
    assert.equal(await w.chain.txStatus(fundingTxid), null, 'the withheld funding is not on chain');
    // The taker sees a maker input spent elsewhere: it spends its own inputs back and, once that confirmed, releases them.
    const t = taker.engine.get(offerId)!;
    assert.match(t.error ?? '', /double-spending the taker's funding inputs/, `the taker makes the dead funding definitive (${t.error})`);
    // The attestation reaches the taker now: with its funding dead it must not move to closing (a CET that can never confirm).
    await taker.engine.onAttestation(makeDlcAttestation(w.oracle, ev, ['sun']));
    assert.equal(taker.engine.get(offerId)!.phase, 'funding', 'no CET is built on an unconfirmed funding');
    await w.regtest.mine(1);
    await taker.engine.tick();
    assert.equal(taker.engine.get(offerId)!.phase, 'aborted', `the taker's contract aborts (${taker.engine.get(offerId)!.error})`);
    await taker.wallet.sync();
    assert.equal(taker.wallet.balance().reserved, 0n, 'the taker\'s coins are released, not reserved for ever');
  }

  it('a taker withholds the funding until the outcome is known: on the attestation the maker double-spends its inputs (no free option)', async () => {
    const { maker, taker, flaky, offerId, fundingTxid, ev } = await withheldFunding();
    await maker.engine.onAttestation(makeDlcAttestation(w.oracle, ev, ['sun'])); // sun pays everything to the taker
    await assertCancelled(maker, taker, flaky, offerId, fundingTxid, ev);
  });

  it('a taker never broadcasts the funding: after the exchange timeouts the maker double-spends its inputs and the contract aborts', async () => {
    let now = Date.now();
    const { maker, taker, flaky, offerId, fundingTxid, ev } = await withheldFunding(() => now);
    await maker.engine.tick();
    assert.equal(maker.engine.get(offerId)!.error, null, 'nothing happens before the timeouts');
    now += 121_000;
    await maker.engine.tick();
    await assertCancelled(maker, taker, flaky, offerId, fundingTxid, ev);
  });

  it('a maker-signed offer whose refund is final before the event matures, or an enum outcome without a payout, served by a node that should have refused it: the taker refuses bad-offer', async () => {
    const ev = await w.enumEvent();
    let forged: Awaited<ReturnType<MegaPort['getOffer']>> = null;
    const mega: MegaPort = {
      postOffer: (o) => w.mega.postOffer(o),
      getOffer: async (id) => (forged && id === offerIdOf(forged) ? forged : w.mega.getOffer(id)),
      getAnnouncement: (id) => w.mega.getAnnouncement(id),
      getCapability: (o, c) => w.mega.getCapability(o, c),
      getOracleStanding: (o) => w.mega.getOracleStanding(o),
    };
    const { maker, taker } = await w.pair({}, { mega });
    const { offer } = await maker.engine.make(await w.enumContent(ev));
    const { makerSignature: _s, makerSignatureType: _t, ...unsigned } = offer;
    const uncovered = { payouts: { kind: 'enum' as const, outcomes: [{ outcome: 'rain', maker: 150_000, taker: 0 }, { outcome: 'sun', maker: 0, taker: 150_000 }] } };
    for (const over of [{ refundLocktime: ev.ann.event.maturityEpoch - 60 }, { refundLocktime: ev.ann.event.maturityEpoch }, { cetLocktime: ev.ann.event.maturityEpoch + 60 }, uncovered]) {
      forged = signOffer({ ...unsigned, content: { ...offer.content, ...over } }, Buffer.from(maker.secret).toString('hex'));
      await assert.rejects(
        taker.engine.take(offerIdOf(forged)),
        (e: unknown) => e instanceof EngineError && e.code === 'bad-offer' && /maturity|no payout/.test(e.message),
        `the taker must refuse ${JSON.stringify(over)} (event maturity ${ev.ann.event.maturityEpoch}, outcomes rain/sun/snow)`,
      );
    }
    assert.equal(taker.wallet.balance().reserved, 0n, 'nothing was reserved');
  });

  it('an offer whose fee rate is above the taker\'s maxFeeRate is refused before anything is reserved (fee-too-high)', async () => {
    const ev = await w.enumEvent();
    const { maker, taker } = await w.pair({}, { maxFeeRate: 50 });
    const { offerId } = await maker.engine.make(await w.enumContent(ev, { feeRate: 51 }));
    await assert.rejects(taker.engine.take(offerId), (e: unknown) => e instanceof EngineError && e.code === 'fee-too-high', 'a fee rate of 51 sat/vB is above the taker\'s 50');
    assert.equal(taker.wallet.balance().reserved, 0n, 'nothing was reserved');
  });

  it('an attestation that arrives while the funding is in the mempool is kept, and executed once the funding confirms', async () => {
    const { maker, taker } = await w.pair();
    const ev = await w.enumEvent();
    const { offerId } = await maker.engine.make(await w.enumContent(ev));
    await taker.engine.take(offerId);
    const fundingTxid = taker.engine.get(offerId)!.fundingTxid!;
    assert.ok(w.regtest.inMempool(fundingTxid), 'the funding is in the mempool, unconfirmed');
    const att = makeDlcAttestation(w.oracle, ev, ['rain']); // rain pays everything to the maker
    await maker.engine.onAttestation(att);
    await taker.engine.onAttestation(att);
    const m = maker.engine.get(offerId)!;
    assert.deepEqual([m.phase, m.outcome, m.closingTxid], ['signed', 'rain', null], 'the maker keeps the attestation and does not cancel a funding in the mempool');
    await w.regtest.mine(1);
    await maker.engine.tick();
    const closing = maker.engine.get(offerId)!;
    assert.equal(closing.phase, 'closing', `the maker executes the kept attestation once funded (${closing.error})`);
    assert.ok(closing.closingTxid && w.regtest.inMempool(closing.closingTxid), 'the CET is broadcast');
    await w.regtest.mine(1);
    await maker.engine.tick();
    await taker.engine.tick();
    assert.equal(maker.engine.get(offerId)!.phase, 'closed');
    assert.equal(await w.paidToWallet(closing.closingTxid, maker) > 0n, true, 'the CET pays the maker');
  });
});
