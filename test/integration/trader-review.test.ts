// test/integration/trader-review.test.ts - the safety review of issue #18's engine: a malicious taker that reuses one exchange id across two offers of a maker gets two contract keys and two disjoint coin reservations (never one key and one set of coins signed into two contracts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { decodeOfferDlc } from '../../src/contract/messages.ts';
import { publicKeyOf } from '../../src/protocol/keys.ts';
import { signEnvelope } from '../../src/trader/envelope.ts';
import { World } from '../unit/trader/_world.ts';

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
});
