// test/integration/trader-resume.test.ts - issue #18 crash safety: a trader engine rebuilt from the same data dir at every phase boundary of the exchange (after take sent, after accept_dlc persisted, after sign_dlc persisted, after the funding persisted) completes the contract on a bcoin regtest chain, never signing twice; a taker that never sends accept_dlc is released by the maker's timeout, and a taker that never gets an answer aborts and releases its coins.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../src/trader/errors.ts';
import { World } from '../unit/trader/_world.ts';
import { FlakyChain } from '../unit/trader/_flaky.ts';
import type { Envelope } from '../../src/trader/types.ts';

const code = (c: string) => (e: unknown) => e instanceof EngineError && e.code === c;

describe('trader engine crash/resume at every phase boundary (issue #18)', { timeout: 300_000 }, () => {
  let w: World;
  before(async () => {
    w = await World.start(7202);
  });
  after(async () => {
    await w?.stop();
  });

  /** Lose the answer (or the request) of the first envelope of `type`. */
  function loseOnce(type: Envelope['type'], what: 'lose' | 'lose-answer'): void {
    let done = false;
    w.peers.hook = (env, dir) => {
      if (!done && dir === 'request' && env.type === type) {
        done = true;
        return what;
      }
      return env;
    };
  }

  it('after take sent (offer_dlc lost): a restarted taker re-sends take, gets the same offer_dlc and funds', async () => {
    const { maker, taker } = await w.pair();
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    loseOnce('take', 'lose-answer');
    await assert.rejects(taker.engine.take(offerId), code('peer-unreachable'), 'a lost answer leaves the take to be retried');
    assert.equal(taker.engine.get(offerId)!.phase, 'taking');
    w.peers.hook = null;
    await taker.restart();
    await taker.engine.tick();
    await w.fundAndConfirm(maker, taker, offerId);
  });

  it('after accept_dlc persisted (request lost): a restarted taker re-sends the stored accept_dlc and funds', async () => {
    const { maker, taker } = await w.pair();
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    loseOnce('accept_dlc', 'lose');
    await assert.rejects(taker.engine.take(offerId), code('peer-unreachable'));
    assert.equal(taker.engine.get(offerId)!.phase, 'accepted', 'accept_dlc was persisted before it was sent');
    assert.equal(maker.engine.get(offerId)!.phase, 'offered', 'the maker never saw it');
    w.peers.hook = null;
    await taker.restart();
    await taker.engine.tick();
    await w.fundAndConfirm(maker, taker, offerId);
  });

  it('after sign_dlc persisted (answer lost): both restart; the re-sent accept_dlc gets the stored sign_dlc; the maker signed once', async () => {
    const { maker, taker } = await w.pair();
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    loseOnce('accept_dlc', 'lose-answer');
    const before = w.peers.log.length;
    await assert.rejects(taker.engine.take(offerId), code('peer-unreachable'));
    assert.equal(maker.engine.get(offerId)!.phase, 'signed', 'the maker persisted sign_dlc before answering');
    const secretCallsAfterSign = [...maker.wallet.secretCalls.values()].reduce((a, b) => a + b, 0);
    await maker.restart();
    await taker.restart();
    await taker.engine.tick();
    assert.deepEqual(w.peers.log.slice(before), ['take', 'accept_dlc', 'accept_dlc'], 'the taker re-sent accept_dlc once');
    assert.equal([...maker.wallet.secretCalls.values()].reduce((a, b) => a + b, 0), secretCallsAfterSign, 'the maker answered from its store: no second signing');
    await w.fundAndConfirm(maker, taker, offerId);
  });

  it('after the funding persisted (broadcast failed): a restarted taker re-broadcasts the stored transaction and never signs its inputs again', async () => {
    const flaky = new FlakyChain(w.chain);
    const { maker, taker } = await w.pair({}, { chain: flaky });
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    flaky.failBroadcasts = 1;
    const s = await taker.engine.take(offerId);
    assert.equal(s.phase, 'funding', 'the signed funding was persisted before the broadcast was tried');
    assert.match(s.error ?? '', /broadcasting the funding/, 'the failed broadcast is recorded');
    assert.equal(w.regtest.inMempool(s.fundingTxid!), false);
    const inputCalls = taker.wallet.inputCalls;
    await taker.restart();
    await taker.engine.tick();
    assert.equal(taker.wallet.inputCalls, inputCalls, 'no input was signed again');
    assert.equal(taker.engine.get(offerId)!.fundingTxid, s.fundingTxid, 'the same funding transaction');
    await w.fundAndConfirm(maker, taker, offerId);
  });

  it('timeouts: the maker releases a taker that never sends accept_dlc (the offer is open again); that taker is told unknown-exchange and aborts', async () => {
    const { maker, taker } = await w.pair({ acceptTimeoutMs: 0 });
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    loseOnce('accept_dlc', 'lose');
    await assert.rejects(taker.engine.take(offerId), code('peer-unreachable'));
    assert.ok(maker.wallet.balance().reserved > 0n, 'the maker reserved coins for the take');
    await maker.engine.tick();
    assert.equal(maker.wallet.balance().reserved, 0n, 'the maker released its coins');
    assert.equal(maker.engine.get(offerId)!.phase, 'offered');
    assert.equal((await w.board(offerId))!.status, 'open', 'the offer stays open on the board');
    w.peers.hook = null;
    await taker.engine.tick();
    const t = taker.engine.get(offerId)!;
    assert.equal(t.phase, 'aborted', 'the taker aborts when the maker no longer knows the exchange');
    assert.match(t.error ?? '', /unknown-exchange/);
    assert.equal(taker.wallet.balance().reserved, 0n, 'the taker released its coins');
    // The offer can be taken again, here by the same taker with a fresh exchange.
    await taker.engine.take(offerId);
    await w.fundAndConfirm(maker, taker, offerId);
  });

  it('a taker that gets no answer within its timeout aborts and releases its coins', async () => {
    const { maker, taker } = await w.pair({}, { signTimeoutMs: 0 });
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    w.peers.hook = (env) => (env.type === 'take' ? 'lose' : env);
    await assert.rejects(taker.engine.take(offerId), code('peer-unreachable'));
    w.peers.hook = null;
    assert.equal(taker.engine.get(offerId)!.phase, 'aborted');
    assert.equal(taker.wallet.balance().reserved, 0n);
  });
});
