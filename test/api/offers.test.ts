// test/api/offers.test.ts - the offer REST routes over the real app: POST /offer answers like every kind (201, 200, 422 with its code, 400 for a schema violation), GET /offers filters (taker collateral bounds, status, chain, q) and query validation, ?chain= with other filters paged in listing order (each page byte for byte the items of GET /offers/{id}), GET /offers/{id} (404 not-found), and the oracle's standing on each item turning conflicted once a dlc-equivocation proof against it is stored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { offerId } from '../../src/protocol/offer.ts';
import { buildApp } from './_app.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle, makeEquivocationReport } from '../helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys, reissue } from '../helpers/offer.ts';
import type { OfferChain } from '../../src/protocol/types.ts';

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

  it('pages GET /offers?chain= alone and with other filters in listing order; each page is exactly the items GET /offers/{id} answers, in that order', async () => {
    const t = buildApp();
    const nowS = Math.floor(t.clock.now() / 1000);
    const chains: OfferChain[] = ['bitcoin-regtest', 'bitcoin-signet', 'bitcoin-testnet', 'bitcoin-mainnet'];
    const oracles = [makeDlcOracle(83), makeDlcOracle(84)];
    const events = oracles.map((o, k) => makeDlcEvent(o, { maturityEpoch: nowS + (5 + k) * 86400 }));
    for (const [k, o] of oracles.entries()) {
      for (const [p, body] of [['/oracle', o.oracle], ['/capability', o.capability], ['/announcement', (events[k] as (typeof events)[number]).entity]] as const) {
        assert.equal((await postJson(t.app, p, body)).status, 201, `expected ${p} of oracle ${k} accepted`);
      }
    }
    // 18 offers: 4 chains, PoW difficulty 0-2 (the listing order: more PoW first, then the smaller id), 3 makers, 2 oracles, 4 of them cancelled.
    const stored: { id: string; chain: OfferChain; difficulty: number; maker: string; oracle: string; status: string; taker: number }[] = [];
    for (let i = 0; i < 18; i++) {
      const ev = events[i % 2] as (typeof events)[number];
      const maker = makerKeys(90 + (i % 3));
      const taker = 10_000 + i * 1000;
      let o = makeOffer(maker, enumTerms(ev, nowS, { chain: chains[i % 4] as OfferChain, takerCollateral: taker, makerCollateral: 100_000 - taker, cetLocktime: ev.ann.event.maturityEpoch - i }), { difficulty: i % 3 });
      const posted = await postJson(t.app, '/offer', o);
      assert.equal(posted.status, 201, `expected offer ${i} accepted: ${posted.text}`);
      if (i % 5 === 4) {
        o = reissue(o, maker, 'cancelled');
        assert.equal((await postJson(t.app, '/offer', o)).status, 201, `expected the cancel of offer ${i} accepted`);
      }
      stored.push({ id: offerId(o), chain: o.content.chain, difficulty: o.pow.difficulty, maker: maker.publicKey, oracle: (oracles[i % 2] as (typeof oracles)[number]).oracleKeys.publicKey, status: o.status, taker });
    }
    const byRank = [...stored].sort((a, b) => b.difficulty - a.difficulty || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const one = new Map<string, string>();
    for (const s of stored) {
      const r = await request(t.app).get(`/offers/${s.id}`);
      assert.equal(r.status, 200, `expected GET /offers/${s.id} to answer`);
      one.set(s.id, r.text);
    }
    const makers = [90, 91, 92].map((k) => makerKeys(k).publicKey);
    const cases: [string, (s: (typeof stored)[number]) => boolean][] = [];
    for (const chain of chains) {
      cases.push([`chain=${chain}`, (s) => s.chain === chain && s.status === 'open']);
      cases.push([`chain=${chain}&status=cancelled`, (s) => s.chain === chain && s.status === 'cancelled']);
      cases.push([`chain=${chain}&maker=${makers[1]}`, (s) => s.chain === chain && s.maker === makers[1] && s.status === 'open']);
      cases.push([`chain=${chain}&oracle=${oracles[1]?.oracleKeys.publicKey}`, (s) => s.chain === chain && s.oracle === oracles[1]?.oracleKeys.publicKey && s.status === 'open']);
      cases.push([`chain=${chain}&minCollateral=14000`, (s) => s.chain === chain && s.taker >= 14000 && s.status === 'open']);
    }
    for (const [q, keep] of cases) {
      const want = byRank.filter(keep).map((s) => s.id);
      const seen: string[] = [];
      for (let page = 0; page < 10; page++) {
        const r = await request(t.app).get(`/offers?${q}&chunkSize=2&page=${page}`);
        assert.equal(r.status, 200, `GET /offers?${q} page ${page}: ${r.text}`);
        const ids = (r.body as Item[]).map((x) => x.id);
        assert.deepEqual(ids, want.slice(page * 2, page * 2 + 2), `expected page ${page} of ?${q} to be that slice of the listing`);
        assert.equal(r.text, `[${ids.map((id) => one.get(id)).join(',')}]`, `expected page ${page} of ?${q} to be byte for byte the items GET /offers/{id} answers`);
        if (ids.length === 0) break;
        seen.push(...ids);
      }
      assert.deepEqual(seen, want, `expected the pages of ?${q} to concatenate to the whole listing`);
    }
    assert.ok(cases.some(([q, keep]) => q.includes('status=cancelled') && byRank.some(keep)), 'expected at least one cancelled offer to be listed (the fixture covers both statuses)');
  });
});
