// test/api/lookup.test.ts - GET endpoints on the real Express app: listings, filters, paging, node info, spec, test-only routes, 404/405.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import yaml from 'js-yaml';
import { buildApp } from './_app.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { sha256Hex } from '../../src/protocol/hash.ts';
import { verifyHash } from '../../src/protocol/keys.ts';

const errorCode = (res: request.Response) => (res.body as { error: { code: string } }).error.code;
/** The signed ads of a GET /oracles answer ({id, oracle, standing} entries, PROTOCOL 10.6). */
const oraclesOf = (res: request.Response) => (res.body as { oracle: unknown }[]).map((e) => e.oracle);
/** The signed ads of a GET /capabilities answer. */
const capsOf = (res: request.Response) => (res.body as { capability: unknown }[]).map((e) => e.capability);
const CLEAN = { conflicted: false, proofs: 0, openClaims: 0, answeredClaims: 0 };

async function populated() {
  const t = buildApp();
  const keys = [makeKeys(101), makeKeys(102), makeKeys(103)];
  const oracles = [
    makeOracle({ keys: keys[0]!, difficulty: 1, tags: ['sports'] }),
    makeOracle({ keys: keys[1]!, difficulty: 5, tags: ['weather'] }),
    makeOracle({ keys: keys[2]!, difficulty: 3 }),
  ];
  for (const o of oracles) assert.equal((await t.service.admit('oracle', o)).status, 'accepted');
  const caps = [
    makeCapability({ oracleKeys: keys[0]!, capKeys: makeKeys(201), question: 'Who wins the World Cup final?', tags: ['football'] }),
    makeCapability({ oracleKeys: keys[1]!, capKeys: makeKeys(202), question: 'Will it RAIN in Paris tomorrow?' }),
    makeCapability({ oracleKeys: keys[2]!, capKeys: makeKeys(203), question: 'Who wins the election?', tags: ['politics'], difficulty: 4 }),
    makeCapability({ oracleKeys: keys[2]!, capKeys: makeKeys(204), question: 'Temperature in Paris', difficulty: 1 }),
  ];
  for (const c of caps) assert.equal((await t.service.admit('capability', c)).status, 'accepted');
  return { ...t, keys, oracles, caps };
}

describe('GET /oracles', () => {
  it('lists the signed ads exactly as signed, highest PoW first', async () => {
    const { app, oracles } = await populated();
    const res = await request(app).get('/oracles');
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body,
      [oracles[1], oracles[2], oracles[0]].map((o) => ({ id: o!.pubkey, oracle: o, standing: CLEAN })),
      'expected {id, oracle, standing} entries with the ads exactly as signed',
    );
  });

  it('pages with page and chunkSize', async () => {
    const { app, oracles } = await populated();
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?page=0&chunkSize=2')), [oracles[1], oracles[2]]);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?page=1&chunkSize=2')), [oracles[0]]);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?page=5&chunkSize=2')), []);
  });

  it('filters by a question word, case-insensitively, and by tag (oracle or capability tags)', async () => {
    const { app, oracles } = await populated();
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?question=WINS')), [oracles[2], oracles[0]]);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?question=paris')), [oracles[1], oracles[2]]);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?question=paris%20rain')), [oracles[1]]);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?question=nothing')), []);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?tag=weather')), [oracles[1]]);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?tag=football')), [oracles[0]]);
    assert.deepEqual(oraclesOf(await request(app).get('/oracles?tag=politics&question=wins')), [oracles[2]]);
  });

  it('400 for a bad page, an oversized chunkSize, a repeated or an unknown parameter', async () => {
    const { app } = await populated();
    for (const q of ['page=-1', 'page=abc', 'chunkSize=0', 'chunkSize=1001', 'page=1&page=2']) {
      const res = await request(app).get('/oracles?' + q);
      assert.equal(res.status, 400, q);
      assert.equal(errorCode(res), 'invalid-query', q);
    }
    const res = await request(app).get('/oracles?bogus=1');
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'unknown-parameter');
  });
});

describe('GET /oracles/{pubkey}', () => {
  it('returns the ad with node-computed fields', async () => {
    const { app, oracles, keys, clock } = await populated();
    const res = await request(app).get('/oracles/' + keys[2]!.publicKey);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      oracle: oracles[2],
      manifestVerified: false,
      manifestDomain: null,
      rank: { verifiedBid: 0, difficulty: 3 },
      bid: { state: 'none' },
      placement: null,
      capabilities: 2,
      reports: 0,
      receivedAt: new Date(clock.now()).toISOString(),
    });
  });

  it('404 oracle-not-found and 400 for a malformed pubkey', async () => {
    const { app } = await populated();
    let res = await request(app).get('/oracles/' + makeKeys(999).publicKey);
    assert.equal(res.status, 404);
    assert.equal(errorCode(res), 'oracle-not-found');
    res = await request(app).get('/oracles/zz');
    assert.equal(res.status, 400);
  });
});

describe('GET /capabilities and /reports', () => {
  it('capabilities by oracle, by question word and by tag, highest PoW first', async () => {
    const { app, caps, keys } = await populated();
    const byOracle = await request(app).get('/capabilities').query({ pubkey: keys[2]!.publicKey });
    assert.deepEqual(byOracle.body, [caps[2], caps[3]].map((c) => ({ id: c!.capabilityPubKey, capability: c, standing: CLEAN })), 'expected {id, capability, standing} entries');
    assert.deepEqual(capsOf(await request(app).get('/capabilities').query({ question: 'Paris' })), [caps[1], caps[3]]);
    assert.deepEqual(capsOf(await request(app).get('/capabilities').query({ tag: 'football' })), [caps[0]]);
    assert.deepEqual(capsOf(await request(app).get('/capabilities').query({ pubkey: keys[2]!.publicKey, question: 'paris' })), [caps[3]]);
    const res = await request(app).get('/capabilities');
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'invalid-query');
  });

  it('reports of an oracle, highest PoW first, with dispute null; pubkey is required', async () => {
    const { app, service, keys } = await populated();
    const capKeys = makeKeys(201);
    const low = makeReport({ type: 'fact-missing', oraclePubKey: keys[0]!.publicKey, capKeys, args: { a: '1' }, difficulty: 1 });
    const high = makeReport({ type: 'fact-missing', oraclePubKey: keys[0]!.publicKey, capKeys, args: { a: '2' }, difficulty: 6 });
    assert.equal((await service.admit('report', low)).status, 'accepted');
    assert.equal((await service.admit('report', high)).status, 'accepted');
    const res = await request(app).get('/reports').query({ pubkey: keys[0]!.publicKey });
    assert.deepEqual(res.body, [
      { id: reportId(high), report: high, dispute: null, class: 'claim' },
      { id: reportId(low), report: low, dispute: null, class: 'claim' },
    ]);
    assert.equal((await request(app).get('/reports')).status, 400);
    assert.deepEqual((await request(app).get('/reports').query({ pubkey: makeKeys(5).publicKey })).body, []);
  });
});

describe('node endpoints', () => {
  it('GET /status reports version, network, counts, limits, shard, uptime', async () => {
    const { app, clock } = await populated();
    clock.advance(7_500);
    const res = await request(app).get('/status');
    assert.equal(res.status, 200);
    assert.equal(res.body.version, '0.0.0-test');
    assert.equal(res.body.network, 'regtest');
    assert.deepEqual(res.body.counts, { oracles: 3, capabilities: 4, reports: 0, disputes: 0 });
    assert.equal(res.body.limits.maxOracles, 100);
    assert.deepEqual(res.body.shard, { count: 1, index: 0 });
    assert.equal(res.body.uptimeSeconds, 7);
    assert.equal(res.body.secp256k1, 'native');
  });

  it('GET /id, /health', async () => {
    const { app } = buildApp({ facilitatorId: { rewardAddress: 'bc1qexample' } });
    assert.deepEqual((await request(app).get('/id')).body, { rewardAddress: 'bc1qexample' });
    assert.deepEqual((await request(app).get('/health')).body, { status: 'ok' });
    const { app: bare } = buildApp();
    const res = await request(bare).get('/id');
    assert.equal(res.status, 200);
    assert.equal(res.body, null);
  });

  it('GET /wolfram-mega-spec.yaml serves the spec with this node as server', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/wolfram-mega-spec.yaml').set('Host', 'node.example:9999');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] as string, /yaml/);
    const doc = yaml.load(res.text) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.servers.map((s) => s.url), ['http://node.example:9999']);
    assert.equal(Object.hasOwn(doc.paths, '/oracle'), true, "expected Object.hasOwn(doc.paths, '/oracle') to be true");
  });

  it('404 JSON for unknown routes, 405 with Allow for a wrong method', async () => {
    const { app } = buildApp();
    let res = await request(app).get('/no/such/route');
    assert.equal(res.status, 404);
    assert.equal(errorCode(res), 'not-found');
    res = await request(app).get('/oracle');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
    assert.equal(errorCode(res), 'method-not-allowed');
  });
});

describe('test-only endpoints', () => {
  it('are absent unless isTest', async () => {
    const { app } = buildApp({ isTest: false });
    assert.equal((await request(app).get('/testOnlyGenKeyPair')).status, 404);
    assert.equal((await request(app).get('/testOnlySign?msg=a&pk=' + '11'.repeat(32))).status, 404);
  });

  it('generate keys and sign SHA-256(msg) when isTest', async () => {
    const { app } = buildApp({ isTest: true });
    const kp = (await request(app).get('/testOnlyGenKeyPair')).body as { privateKey: string; publicKey: string };
    assert.match(kp.privateKey, /^[0-9a-f]{64}$/);
    assert.match(kp.publicKey, /^0[23][0-9a-f]{64}$/);
    const res = await request(app).get('/testOnlySign').query({ msg: 'hello', pk: kp.privateKey });
    assert.equal(res.status, 200);
    assert.equal(res.body.hash, sha256Hex('hello'));
    assert.equal(res.body.publicKey, kp.publicKey);
    assert.equal(verifyHash(res.body.signature, sha256Hex('hello'), kp.publicKey), true, 'expected verifyHash to accept the signature');
    const bad = await request(app).get('/testOnlySign').query({ msg: 'x', pk: '00'.repeat(32) });
    assert.equal(bad.status, 400);
  });
});
