// test/integration/trader-tamper.test.ts - issue #18 refusals: a taker's wrong CET adaptor signature (the maker refuses adaptor-verify-failed and never signs), a maker's wrong adaptor signature (the taker never signs its funding inputs), envelopes signed by another key or altered in transit, offer_dlc terms that differ from the board offer, an offer altered on the board, an oracle the node holds a proof against, a second taker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { decodeAcceptDlc, decodeOfferDlc, decodeSignDlc, encodeAcceptDlc, encodeOfferDlc, encodeSignDlc } from '../../src/contract/messages.ts';
import { sha256 } from '../../src/protocol/hash.ts';
import { publicKeyOf } from '../../src/protocol/keys.ts';
import { EngineError } from '../../src/trader/errors.ts';
import { signEnvelope } from '../../src/trader/envelope.ts';
import type { Envelope } from '../../src/trader/types.ts';
import { World } from '../unit/trader/_world.ts';
import { makeDlcAttestation } from '../helpers/dlc.ts';
import { FlakyChain } from '../unit/trader/_flaky.ts';
import type { Party } from '../unit/trader/_harness.ts';

const code = (c: string, also?: RegExp) => (e: unknown) => e instanceof EngineError && e.code === c && (!also || also.test(e.message));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const sk = (p: Party): string => Buffer.from(p.secret).toString('hex');

describe('trader engine refuses tampered exchanges (issue #18)', { timeout: 300_000 }, () => {
  let w: World;
  before(async () => {
    w = await World.start(7303);
  });
  after(async () => {
    await w?.stop();
  });

  it("a wrong CET adaptor signature from the taker: the maker refuses adaptor-verify-failed and never signs; the taker aborts and releases", async () => {
    const { maker, taker } = await w.pair();
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    w.peers.hook = (env, dir) => {
      if (dir !== 'request' || env.type !== 'accept_dlc') return env;
      const a = decodeAcceptDlc(bytes(env.body));
      a.cetAdaptorSigs[1] = a.cetAdaptorSigs[0]!; // well-formed, but made for another CET
      return signEnvelope({ ...env, body: hex(encodeAcceptDlc(a)) }, sk(taker));
    };
    await assert.rejects(taker.engine.take(offerId), code('peer-refused', /adaptor-verify-failed/), 'the taker learns the maker refused its adaptor signatures');
    w.peers.hook = null;
    const m = maker.engine.get(offerId)!;
    assert.equal(m.phase, 'offered', 'the maker did not sign');
    assert.equal(m.fundingTxid, null, 'no funding was built from the refused accept');
    assert.equal(taker.engine.get(offerId)!.phase, 'aborted');
    assert.equal(taker.wallet.balance().reserved, 0n, 'the taker released its coins');
  });

  it("a wrong CET adaptor signature from the maker: the taker refuses and never signs its funding inputs", async () => {
    const flaky = new FlakyChain(w.chain);
    const { maker, taker } = await w.pair({}, { chain: flaky });
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    w.peers.hook = (env, dir) => {
      if (dir !== 'answer' || env.type !== 'sign_dlc') return env;
      const s = decodeSignDlc(bytes(env.body));
      s.msg.cetAdaptorSigs[2] = s.msg.cetAdaptorSigs[0]!;
      return signEnvelope({ ...env, body: hex(encodeSignDlc(s)) }, sk(maker));
    };
    await assert.rejects(taker.engine.take(offerId), code('adaptor-verify-failed', /CET 2/), 'finalizeFunding names the first CET whose maker signature fails');
    w.peers.hook = null;
    const t = taker.engine.get(offerId)!;
    assert.deepEqual([t.phase, t.fundingTxid], ['aborted', null], 'no signed funding transaction was produced or stored');
    assert.deepEqual(flaky.broadcasts, [], 'nothing was broadcast');
    assert.equal(taker.wallet.balance().reserved, 0n, 'the taker released its coins');
  });

  it('envelopes signed by another key, altered in transit, or malformed are refused', async () => {
    const { maker } = await w.pair();
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    const k1 = crypto.randomBytes(32).toString('hex');
    const k2 = crypto.randomBytes(32).toString('hex');
    const exchangeId = crypto.randomBytes(32).toString('hex');
    const take = signEnvelope({ type: 'take', offerId, from: publicKeyOf(k1), exchangeId, body: '' }, k1);
    const answer = await maker.engine.receive(take);
    assert.equal(answer.type, 'offer_dlc');
    assert.equal(answer.from, maker.pubkey, 'the maker answers with its offer key');
    assert.deepEqual(await maker.engine.receive(take), answer, 'the same take gets the same stored answer');
    const other = signEnvelope({ type: 'accept_dlc', offerId, from: publicKeyOf(k2), exchangeId, body: '00' }, k2);
    await assert.rejects(maker.engine.receive(other), code('wrong-sender'), 'accept_dlc from a key other than the take\'s');
    const altered: Envelope = { ...signEnvelope({ type: 'accept_dlc', offerId, from: publicKeyOf(k1), exchangeId, body: '00' }, k1), body: '01' };
    await assert.rejects(maker.engine.receive(altered), code('bad-envelope-signature'));
    const second = signEnvelope({ type: 'take', offerId, from: publicKeyOf(k2), exchangeId: crypto.randomBytes(32).toString('hex'), body: '' }, k2);
    await assert.rejects(maker.engine.receive(second), code('offer-taken'), 'a second taker of a negotiating offer');
    for (const bad of [null, 'x', [], { ...take, extra: 1 }, { ...take, body: 'zz' }, { ...take, type: 'hello' }, { ...take, signature: '00' }]) {
      await assert.rejects(maker.engine.receive(bad), code('bad-envelope'), `malformed envelope ${JSON.stringify(bad)?.slice(0, 40)}`);
    }
    const garbage = signEnvelope({ type: 'accept_dlc', offerId, from: publicKeyOf(k1), exchangeId, body: 'deadbeef' }, k1);
    await assert.rejects(maker.engine.receive(garbage), code('bad-message'), 'an accept_dlc that does not decode');
    assert.equal(maker.engine.get(offerId)!.phase, 'offered', 'nothing was signed');
  });

  it('offer_dlc terms that differ from the board offer, or an answer signed by another key: the taker refuses and releases', async () => {
    const { maker, taker } = await w.pair();
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    w.peers.hook = (env, dir) => {
      if (dir !== 'answer' || env.type !== 'offer_dlc') return env;
      const o = decodeOfferDlc(bytes(env.body), 'dlcspecs-v0');
      o.terms.descriptor = { kind: 'enum', payouts: o.terms.descriptor.kind === 'enum' ? o.terms.descriptor.payouts.map((p) => ({ ...p, offer: p.outcome === 'sun' ? 10_000n : p.offer })) : [] };
      const zero = { terms: o.terms, temporaryContractId: new Uint8Array(32), chainHash: o.chainHash };
      const tmp = new Uint8Array(sha256(Buffer.from(encodeOfferDlc(zero))));
      return signEnvelope({ ...env, body: hex(encodeOfferDlc({ ...zero, temporaryContractId: tmp })) }, sk(maker));
    };
    await assert.rejects(taker.engine.take(offerId), code('terms-mismatch', /payout of outcome 1/));
    assert.equal(taker.engine.get(offerId)!.phase, 'aborted');
    assert.equal(taker.wallet.balance().reserved, 0n);

    const { maker: m2, taker: t2 } = await w.pair();
    const { offerId: id2 } = await m2.engine.make(await w.enumContent(await w.enumEvent()));
    const impostor = crypto.randomBytes(32).toString('hex');
    w.peers.hook = (env, dir) => (dir === 'answer' ? signEnvelope({ ...env, from: publicKeyOf(impostor) }, impostor) : env);
    await assert.rejects(t2.engine.take(id2), code('wrong-sender'), "an answer not signed by the offer's maker key");
    w.peers.hook = null;
    assert.equal(t2.engine.get(id2)!.phase, 'aborted');
  });

  it('client-side checks before taking: an altered board offer, a conflicted oracle, an expired offer, an attested event', async () => {
    const { maker, taker } = await w.pair();
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    w.mega.forgeOffer = (o) => ({ ...o, content: { ...o.content, takerCollateral: 1 } });
    await assert.rejects(taker.engine.take(offerId), code('bad-offer'), 'an offer served altered does not hash to its id');
    w.mega.forgeOffer = (o) => ({ ...o, status: 'open', makerSignature: o.makerSignature.replace(/^../, '00') });
    await assert.rejects(taker.engine.take(offerId), code('bad-offer'), 'an offer whose signature does not verify');
    w.mega.forgeOffer = null;
    assert.equal(taker.engine.get(offerId), null, 'no contract was started');
    assert.equal(taker.wallet.balance().reserved, 0n);

    const bad = await w.otherOracle(7313);
    const ev = await w.enumEvent(bad);
    const b = await maker.engine.make(await w.enumContent(ev));
    await w.makeConflicted(bad);
    await assert.rejects(taker.engine.take(b.offerId), code('oracle-conflicted'), 'the node holds a proof against the oracle');

    const ev2 = await w.enumEvent();
    const c = await maker.engine.make(await w.enumContent(ev2));
    await w.attest(makeDlcAttestation(w.oracle, ev2, ['rain']));
    await assert.rejects(taker.engine.take(c.offerId), code('already-attested'), 'the outcome is known: nobody should take the bet');

    await assert.rejects(
      maker.engine.make(await w.enumContent(await w.enumEvent(), { expiresAt: Math.floor(Date.now() / 1000) - 1 })),
      code('offer-expired'),
      'a maker does not post an expired offer',
    );
    await assert.rejects(maker.engine.take(offerId), code('own-offer'));
  });

  it('two takers at once: exactly one funds, the other gets offer-taken and keeps its coins', async () => {
    const { maker, taker } = await w.pair();
    const other = w.party('rival');
    await other.wallet.fundFrom(w.regtest, 2, 300_000n);
    const { offerId } = await maker.engine.make(await w.enumContent(await w.enumEvent()));
    const results = await Promise.allSettled([taker.engine.take(offerId), other.engine.take(offerId)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, 'one taker wins');
    assert.equal(lost.length, 1, 'one taker loses');
    assert.ok(code('peer-refused', /offer-taken/)(lost[0]!.reason), `the loser is told offer-taken (${String(lost[0]!.reason)})`);
    const loser = results[0]!.status === 'rejected' ? taker : other;
    assert.equal(loser.wallet.balance().reserved, 0n, 'the loser released its coins');
    assert.equal(maker.engine.get(offerId)!.phase, 'signed');
  });
});
