// test/integration/trader-engine.test.ts - issue #18: two contract engines in one process (each on its own data dir and wallet) make, take, fund and settle DLCs on an in-process bcoin regtest chain through the signed envelope exchange: an enum bet settled by the winner's CET, a refund refused before its locktime and confirmed after, a numeric bet on a payout curve; the offer's status on the board.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeDlcAttestation } from '../helpers/dlc.ts';
import { outcomesForValue } from '../../src/dlc/index.ts';
import { EngineError } from '../../src/trader/errors.ts';
import { World } from '../unit/trader/_world.ts';

describe('trader contract engine on a bcoin regtest chain (issue #18)', { timeout: 300_000 }, () => {
  let w: World;
  before(async () => {
    w = await World.start(7101);
  });
  after(async () => {
    await w?.stop();
  });

  it('enum: make -> take -> funded -> attestation -> the winner\'s CET confirms; the board shows the offer taken', async () => {
    const { maker, taker } = await w.pair();
    const ev = await w.event({ maturityEpoch: Math.floor(Date.now() / 1000) + 86_400 });
    const { offerId, offer } = await maker.engine.make(await w.enumContent(ev));
    assert.equal(offer.status, 'open');
    assert.equal((await w.board(offerId))?.status, 'open', 'the offer is on the board');
    assert.equal(maker.engine.get(offerId)?.phase, 'offered');
    assert.deepEqual(maker.engine.watching(), [ev.id], 'the maker watches the announcement of its offer');

    const s = await taker.engine.take(offerId);
    assert.equal(s.role, 'taker');
    assert.equal(s.myCollateral, '50000');
    assert.equal(maker.engine.get(offerId)!.phase, 'signed');
    const board = (await w.board(offerId))!;
    assert.deepEqual([board.status, board.seqNo], ['taken', 2], 'the maker re-posts its offer taken with a higher seqNo');
    await assert.rejects(
      w.party('late').engine.take(offerId),
      (e: unknown) => e instanceof EngineError && e.code === 'offer-taken',
      'a second taker of a taken offer gets offer-taken',
    );
    await w.fundAndConfirm(maker, taker, offerId);

    const att = makeDlcAttestation(w.oracle, ev, ['sun']);
    await maker.engine.onAttestation(att);
    assert.equal(maker.engine.get(offerId)!.phase, 'funded', 'the loser (payout 0) broadcasts nothing');
    assert.equal(maker.engine.get(offerId)!.outcome, 'sun');
    await taker.engine.onAttestation(att);
    const closing = taker.engine.get(offerId)!;
    assert.equal(closing.phase, 'closing', `taker completes and broadcasts its CET (${closing.error})`);
    assert.ok(w.regtest.inMempool(closing.closingTxid!), 'the CET is in the mempool');
    await w.regtest.mine(1);
    await taker.engine.tick();
    await maker.engine.tick();
    assert.equal(taker.engine.get(offerId)!.phase, 'closed');
    assert.equal(maker.engine.get(offerId)!.phase, 'closed', 'the maker sees its funding output spent');
    assert.equal(await w.paidToWallet(closing.closingTxid!, taker), 150_000n, 'the winner receives the whole collateral');
    assert.equal(await w.paidToWallet(closing.closingTxid!, maker), 0n, 'the loser receives nothing');
    assert.deepEqual(taker.engine.watching(), [], 'nothing left to watch');
  });

  it('refund: refused before the locktime (refund-not-final), confirmed after', async () => {
    const { maker, taker } = await w.pair();
    // The node's offer rules: expiresAt <= maturity < refundLocktime.
    const maturity = Math.max(Math.floor(Date.now() / 1000), (await w.chain.tip()).medianTime) + 20;
    const refundAt = maturity + 1;
    const ev = await w.event({ maturityEpoch: maturity });
    const { offerId } = await maker.engine.make(await w.enumContent(ev, { refundLocktime: refundAt, expiresAt: maturity }));
    await taker.engine.take(offerId);
    await w.fundAndConfirm(maker, taker, offerId);
    await assert.rejects(
      taker.engine.refund(offerId),
      (e: unknown) => e instanceof EngineError && e.code === 'refund-not-final',
      'a refund before refund_locktime is refused by the engine',
    );
    // Blocks carry time forward: mine until the median time past passes the locktime.
    let mined = 0;
    while ((await w.chain.tip()).medianTime <= refundAt && mined < 3000) mined += (await w.regtest.mine(10), 10);
    assert.ok((await w.chain.tip()).medianTime > refundAt, `median time past moved past the refund locktime (${mined} blocks)`);
    const s = await taker.engine.refund(offerId);
    assert.equal(s.phase, 'closing');
    assert.ok(w.regtest.inMempool(s.closingTxid!), `the refund is in the mempool (${s.error})`);
    await w.regtest.mine(1);
    await taker.engine.tick();
    await maker.engine.tick();
    assert.equal(taker.engine.get(offerId)!.phase, 'closed');
    assert.equal(maker.engine.get(offerId)!.phase, 'closed');
    assert.equal(await w.paidToWallet(s.closingTxid!, taker), 50_000n, 'the taker gets its collateral back');
    assert.equal(await w.paidToWallet(s.closingTxid!, maker), 100_000n, 'the maker gets its collateral back');
  });

  it('numeric: a payout curve settles on the attested value', async () => {
    const { maker, taker } = await w.pair();
    const descriptor = { kind: 'digits' as const, base: 2, isSigned: false, unit: 'USD', precision: 0, nbDigits: 10 };
    const ev = await w.event({ maturityEpoch: Math.floor(Date.now() / 1000) + 86_400, descriptor });
    const content = await w.enumContent(ev, {
      makerCollateral: 60_000,
      takerCollateral: 40_000,
      payouts: {
        kind: 'numeric',
        points: [
          { outcome: 0, maker: 0 },
          { outcome: 300, maker: 0 },
          { outcome: 700, maker: 100_000 },
          { outcome: 1023, maker: 100_000 },
        ],
        rounding: [{ begin: 0, mod: 10_000 }],
      },
    });
    const { offerId } = await maker.engine.make(content);
    await taker.engine.take(offerId);
    await w.fundAndConfirm(maker, taker, offerId);
    const att = makeDlcAttestation(w.oracle, ev, outcomesForValue(descriptor, 613n));
    await taker.engine.onAttestation(att);
    await maker.engine.onAttestation(att);
    const m = maker.engine.get(offerId)!;
    const t = taker.engine.get(offerId)!;
    assert.equal(m.outcome, '613');
    assert.ok(m.phase === 'closing' || t.phase === 'closing', 'a side with a payout broadcast the CET');
    const txid = (m.closingTxid ?? t.closingTxid)!;
    await w.regtest.mine(1);
    await maker.engine.tick();
    await taker.engine.tick();
    assert.equal(maker.engine.get(offerId)!.phase, 'closed');
    assert.equal(taker.engine.get(offerId)!.phase, 'closed');
    // 613 on the line (300, 0)-(700, 100000) is 78,250; rounded to 10,000: 80,000 for the maker.
    assert.equal(await w.paidToWallet(txid, maker), 80_000n, 'maker gets the rounded curve value');
    assert.equal(await w.paidToWallet(txid, taker), 20_000n, 'taker gets the rest');
  });

  it('the board: a taken version the node missed is re-posted by tick; cancel; an offer past expiresAt ends untaken', async () => {
    let shift = 0;
    const { maker, taker } = await w.pair({ now: () => Date.now() + shift });
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    w.mega.failPosts = 1;
    await taker.engine.take(offerId);
    assert.equal((await w.board(offerId))!.status, 'open', 'the node missed the taken version');
    await maker.engine.tick();
    assert.deepEqual([(await w.board(offerId))!.status, (await w.board(offerId))!.seqNo], ['taken', 2], 'tick re-posts it');

    const c = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    await maker.engine.cancel(c.offerId);
    assert.deepEqual([(await w.board(c.offerId))!.status, (await w.board(c.offerId))!.seqNo], ['cancelled', 2]);
    assert.equal(maker.engine.get(c.offerId)!.phase, 'aborted');
    await assert.rejects(w.party('t').engine.take(c.offerId), (e: unknown) => e instanceof EngineError && e.code === 'offer-not-open', 'a cancelled offer is not taken');

    const x = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    shift = 2 * 3600_000;
    await maker.engine.tick();
    assert.equal(maker.engine.get(x.offerId)!.phase, 'aborted', 'an untaken offer past expiresAt ends');
    assert.ok(!maker.engine.watching().includes((await w.board(x.offerId))!.content.announcementId), 'and is no longer watched');
  });
});
