// test/api/offers.test.ts - the offer REST routes over the real app: POST /offer answers like every kind (201, 200, 422 with its code, 400 for a schema violation), GET /offers filters (taker collateral bounds, status, chain, q) and query validation, GET /offers/{id} (404 not-found), and the oracle's standing on each item turning conflicted once a dlc-equivocation proof against it is stored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { offerId } from '../../src/protocol/offer.ts';
import { buildApp } from './_app.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle, makeEquivocationReport } from '../helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys } from '../helpers/offer.ts';

interface Item {
  id: string;
  offer: { status: string; content: { takerCollateral: number } };
  oraclePubKey: string;
  standing: { conflicted: boolean; proofs: number };
  maturityEpoch: number;
  maturity: string;
}

const postJson = (app: Parameters<typeof request>[0], path: string, body: unknown) => request(app).post(path).set('content-type', 'application/json').send(JSON.stringify(body));

describe('offer REST routes', () => {
  it('posts, lists with filters and standing, and shows a proven fault of the oracle on its offers', async () => {
    const t = buildApp();
    const o = makeDlcOracle(81);
    const nowS = Math.floor(t.clock.now() / 1000);
    const ev = makeDlcEvent(o, { maturityEpoch: nowS + 5 * 86400 });
    for (const [p, body] of [['/oracle', o.oracle], ['/capability', o.capability], ['/announcement', ev.entity]] as const) {
      assert.equal((await postJson(t.app, p, body)).status, 201, `expected ${p} accepted`);
    }
    const cheap = makeOffer(makerKeys(81), enumTerms(ev, nowS, { makerCollateral: 90000, takerCollateral: 10000 }), { difficulty: 2 });
    const dear = makeOffer(makerKeys(82), enumTerms(ev, nowS, { makerCollateral: 20000, takerCollateral: 80000 }), { difficulty: 1 });
    const res = await postJson(t.app, '/offer', cheap);
    assert.deepEqual([res.status, res.body], [201, { result: 'accepted', id: offerId(cheap) }], 'expected 201 with the offer id');
    assert.equal((await postJson(t.app, '/offer', cheap)).status, 200, 'expected the same offer a 200 duplicate');
    assert.equal((await postJson(t.app, '/offer', dear)).status, 201);
    const bad = await postJson(t.app, '/offer', makeOffer(makerKeys(81), enumTerms(ev, nowS, { feeRate: 0 })));
    assert.deepEqual([bad.status, bad.body.error?.code], [422, 'offer-fee-rate'], 'expected 422 with the reject code');
    const schema = await postJson(t.app, '/offer', { ...cheap, content: { ...cheap.content, takerCollateral: -1 } });
    assert.deepEqual([schema.status, schema.body.error?.code], [400, 'schema-violation'], 'expected a schema violation as 400');

    const list = async (q: string): Promise<Item[]> => {
      const r = await request(t.app).get(`/offers${q}`);
      assert.equal(r.status, 200, `GET /offers${q}: ${JSON.stringify(r.body)}`);
      return r.body as Item[];
    };
    const all = await list('');
    assert.deepEqual(all.map((x) => x.id), [offerId(cheap), offerId(dear)], 'expected both open offers, highest PoW first');
    assert.deepEqual(
      all.map((x) => [x.oraclePubKey, x.standing.conflicted, x.maturityEpoch, x.maturity]),
      [0, 1].map(() => [o.oracleKeys.publicKey, false, ev.ann.event.maturityEpoch, new Date(ev.ann.event.maturityEpoch * 1000).toISOString()]),
      'expected the oracle, its standing and the maturity on every item',
    );
    assert.deepEqual((await list('?minCollateral=50000')).map((x) => x.id), [offerId(dear)], 'minCollateral is on the taker collateral');
    assert.deepEqual((await list('?maxCollateral=50000')).map((x) => x.id), [offerId(cheap)], 'maxCollateral is on the taker collateral');
    assert.deepEqual(await list('?status=taken'), [], 'status filter');
    assert.deepEqual(await list('?chain=bitcoin-mainnet'), [], 'chain filter');
    assert.deepEqual((await list('?q=berlin')).length, 2, 'q matches words of the capability question');
    for (const q of ['?chain=litecoin', '?status=gone', '?minCollateral=-1', '?announcement=xyz', '?minCollateral=5&maxCollateral=4', '?oracle=02']) {
      const r = await request(t.app).get(`/offers${q}`);
      assert.equal(r.status, 400, `expected 400 for ${q}`);
      assert.equal(typeof r.body.error?.code, 'string', `expected a machine code for ${q}`);
    }
    const one = await request(t.app).get(`/offers/${offerId(dear)}`);
    assert.deepEqual([one.status, one.body.id, one.body.offer.content.takerCollateral], [200, offerId(dear), 80000]);
    const none = await request(t.app).get(`/offers/${'0'.repeat(64)}`);
    assert.deepEqual([none.status, none.body.error?.code], [404, 'not-found']);
    assert.equal((await request(t.app).get('/offers/nothex')).status, 400, 'expected 400 for a malformed id');

    // The oracle equivocates: once the proof is stored, its offers show it conflicted.
    const rep = makeEquivocationReport(o, ev, makeDlcAttestation(o, ev, ['rain']), makeDlcAttestation(o, ev, ['sun']));
    assert.equal((await postJson(t.app, '/report', rep)).status, 201, 'expected the dlc-equivocation proof accepted');
    const after = await list('');
    assert.deepEqual(after.map((x) => [x.standing.conflicted, x.standing.proofs]), [[true, 1], [true, 1]], 'expected every offer on the oracle to show it conflicted with one proof');
  });
});
