// test/integration/trader-engine.test.ts - issue #18: two contract engines in one process (each on its own data dir and wallet) make, take, fund and settle DLCs on an in-process bcoin regtest chain through the signed envelope exchange: an enum bet settled by the winner's CET, a refund refused before its locktime and confirmed after, a numeric bet on a payout curve; offer status on the board; idempotent re-sends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Regtest } from '../helpers/regtest.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';
import type { DlcEvent, DlcOracle } from '../helpers/dlc.ts';
import { RegtestRpcChain } from '../unit/trader/_chain.ts';
import { LocalPeers, MemoryMega } from '../unit/trader/_mega.ts';
import { makeParty, removeParty } from '../unit/trader/_harness.ts';
import type { Party } from '../unit/trader/_harness.ts';
import { EngineError } from '../../src/trader/errors.ts';
import type { OfferContent } from '../../src/protocol/types.ts';

type Content = Omit<OfferContent, 'contact' | 'contractType'>;

describe('trader contract engine on a bcoin regtest chain (issue #18)', { timeout: 300_000 }, () => {
  let regtest: Regtest;
  let chain: RegtestRpcChain;
  let mega: MemoryMega;
  let peers: LocalPeers;
  const parties: Party[] = [];
  let oracle: DlcOracle;
  let seq = 0;

  before(async () => {
    regtest = await Regtest.start();
    chain = new RegtestRpcChain(regtest);
    mega = new MemoryMega();
    peers = new LocalPeers();
    oracle = makeDlcOracle(7101);
    mega.addCapability(oracle.capability);
  });
  after(async () => {
    for (const p of parties) {
      await p.engine.close();
      removeParty(p);
    }
    await regtest?.stop();
  });

  async function pair(): Promise<{ maker: Party; taker: Party }> {
    const maker = makeParty(`maker${seq}`, { chain, mega, peers });
    const taker = makeParty(`taker${seq++}`, { chain, mega, peers });
    parties.push(maker, taker);
    await maker.wallet.fundFrom(regtest, 2, 300_000n);
    await taker.wallet.fundFrom(regtest, 2, 300_000n);
    return { maker, taker };
  }

  function event(opts: Parameters<typeof makeDlcEvent>[1]): DlcEvent {
    const ev = makeDlcEvent(oracle, { eventId: `ev${seq}-${Math.random()}`, ...opts });
    mega.addAnnouncement(ev.entity);
    return ev;
  }

  async function enumContent(ev: DlcEvent, over: Partial<Content> = {}): Promise<Content> {
    const mtp = (await chain.tip()).medianTime;
    return {
      announcementId: ev.id,
      chain: 'bitcoin-regtest',
      makerCollateral: 100_000,
      takerCollateral: 50_000,
      payouts: {
        kind: 'enum',
        outcomes: [
          { outcome: 'rain', maker: 150_000, taker: 0 },
          { outcome: 'sun', maker: 0, taker: 150_000 },
          { outcome: 'snow', maker: 100_000, taker: 50_000 },
        ],
      },
      feeRate: 2,
      cetLocktime: 0,
      refundLocktime: mtp + 30 * 86_400,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      ...over,
    };
  }

  /** Value (sat) paid by `txid` to one of `p`'s wallet scripts. */
  async function paidToWallet(txid: string, p: Party): Promise<bigint> {
    const raw = await regtest.rpc<{ vout: { value: number; scriptPubKey: { hex: string } }[] }>('getrawtransaction', [txid, 1]);
    const mine = new Set(p.wallet.scripts.map((k) => Buffer.from(k.spk).toString('hex')));
    return raw.vout.filter((o) => mine.has(o.scriptPubKey.hex)).reduce((s, o) => s + BigInt(Math.round(o.value * 1e8)), 0n);
  }

  async function fundAndConfirm(maker: Party, taker: Party, offerId: string): Promise<void> {
    const t = taker.engine.get(offerId)!;
    assert.equal(t.phase, 'funding', `taker should have broadcast the funding, is ${t.phase} (${t.error})`);
    assert.ok(regtest.inMempool(t.fundingTxid!), `the signed funding transaction must be in the mempool (${t.error})`);
    assert.equal(maker.engine.get(offerId)!.fundingTxid, t.fundingTxid, 'both sides derive the same funding txid');
    await regtest.mine(1);
    await maker.engine.tick();
    await taker.engine.tick();
    assert.equal(maker.engine.get(offerId)!.phase, 'funded', 'maker sees the funding confirmed');
    assert.equal(taker.engine.get(offerId)!.phase, 'funded', 'taker sees the funding confirmed');
  }

  it('enum: make -> take -> funded -> attestation -> the winner\'s CET confirms; the board shows the offer taken', async () => {
    const { maker, taker } = await pair();
    const ev = event({ maturityEpoch: Math.floor(Date.now() / 1000) + 86_400 });
    const { offerId, offer } = await maker.engine.make(await enumContent(ev));
    assert.equal(offer.status, 'open');
    assert.equal(mega.offers.get(offerId)?.status, 'open', 'the offer is on the board');
    assert.equal(maker.engine.get(offerId)?.phase, 'offered');
    assert.deepEqual(maker.engine.watching(), [ev.id], 'the maker watches the announcement of its offer');

    const s = await taker.engine.take(offerId);
    assert.equal(s.role, 'taker');
    assert.equal(s.myCollateral, '50000');
    assert.equal(maker.engine.get(offerId)!.phase, 'signed');
    const board = mega.offers.get(offerId)!;
    assert.deepEqual([board.status, board.seqNo], ['taken', 2], 'the maker re-posts its offer taken with a higher seqNo');
    await assert.rejects(
      makeParty(`late${seq++}`, { chain, mega, peers }).engine.take(offerId),
      (e: unknown) => e instanceof EngineError && e.code === 'offer-taken',
      'a second taker of a taken offer gets offer-taken',
    );
    await fundAndConfirm(maker, taker, offerId);

    const att = makeDlcAttestation(oracle, ev, ['sun']);
    await maker.engine.onAttestation(att);
    assert.equal(maker.engine.get(offerId)!.phase, 'funded', 'the loser (payout 0) broadcasts nothing');
    assert.equal(maker.engine.get(offerId)!.outcome, 'sun');
    await taker.engine.onAttestation(att);
    const closing = taker.engine.get(offerId)!;
    assert.equal(closing.phase, 'closing', `taker completes and broadcasts its CET (${closing.error})`);
    assert.ok(regtest.inMempool(closing.closingTxid!), 'the CET is in the mempool');
    await regtest.mine(1);
    await taker.engine.tick();
    await maker.engine.tick();
    assert.equal(taker.engine.get(offerId)!.phase, 'closed');
    assert.equal(maker.engine.get(offerId)!.phase, 'closed', 'the maker sees its funding output spent');
    assert.equal(await paidToWallet(closing.closingTxid!, taker), 150_000n, 'the winner receives the whole collateral');
    assert.equal(await paidToWallet(closing.closingTxid!, maker), 0n, 'the loser receives nothing');
    assert.deepEqual(taker.engine.watching(), [], 'nothing left to watch');
  });

  it('refund: refused before the locktime (refund-not-final), confirmed after', async () => {
    const { maker, taker } = await pair();
    const mtp = (await chain.tip()).medianTime;
    const ev = event({ maturityEpoch: mtp + 1 });
    const { offerId } = await maker.engine.make(await enumContent(ev, { refundLocktime: mtp + 4 }));
    await taker.engine.take(offerId);
    await fundAndConfirm(maker, taker, offerId);
    await assert.rejects(
      taker.engine.refund(offerId),
      (e: unknown) => e instanceof EngineError && e.code === 'refund-not-final',
      'a refund before refund_locktime is refused by the engine',
    );
    // Blocks carry time forward: mine until the median time past passes the locktime.
    for (let i = 0; i < 300 && (await chain.tip()).medianTime <= mtp + 4; i++) await regtest.mine(1);
    assert.ok((await chain.tip()).medianTime > mtp + 4, 'median time past moved past the refund locktime');
    const s = await taker.engine.refund(offerId);
    assert.equal(s.phase, 'closing');
    assert.ok(regtest.inMempool(s.closingTxid!), `the refund is in the mempool (${s.error})`);
    await regtest.mine(1);
    await taker.engine.tick();
    await maker.engine.tick();
    assert.equal(taker.engine.get(offerId)!.phase, 'closed');
    assert.equal(maker.engine.get(offerId)!.phase, 'closed');
    assert.equal(await paidToWallet(s.closingTxid!, taker), 50_000n, 'the taker gets its collateral back');
    assert.equal(await paidToWallet(s.closingTxid!, maker), 100_000n, 'the maker gets its collateral back');
  });

  it('numeric: a payout curve settles on the attested value', async () => {
    const { maker, taker } = await pair();
    const descriptor = { kind: 'digits' as const, base: 2, isSigned: false, unit: 'USD', precision: 0, nbDigits: 10 };
    const ev = event({ maturityEpoch: Math.floor(Date.now() / 1000) + 86_400, descriptor });
    const content = await enumContent(ev, {
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
    await fundAndConfirm(maker, taker, offerId);
    const { outcomesForValue } = await import('../../src/dlc/index.ts');
    const att = makeDlcAttestation(oracle, ev, outcomesForValue(descriptor, 613n));
    await taker.engine.onAttestation(att);
    await maker.engine.onAttestation(att);
    const m = maker.engine.get(offerId)!;
    const t = taker.engine.get(offerId)!;
    assert.equal(m.outcome, '613');
    assert.ok(m.phase === 'closing' || t.phase === 'closing', 'a side with a payout broadcast the CET');
    const txid = (m.closingTxid ?? t.closingTxid)!;
    await regtest.mine(1);
    await maker.engine.tick();
    await taker.engine.tick();
    assert.equal(maker.engine.get(offerId)!.phase, 'closed');
    assert.equal(taker.engine.get(offerId)!.phase, 'closed');
    // 613 on the line (300, 0)-(700, 100000) is 78,250; rounded to 10,000: 80,000 for the maker.
    assert.equal(await paidToWallet(txid, maker), 80_000n, 'maker gets the rounded curve value');
    assert.equal(await paidToWallet(txid, taker), 20_000n, 'taker gets the rest');
  });
});
