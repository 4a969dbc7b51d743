// test/api/submit.test.ts - POST endpoints on the real Express app: every status code and error code path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp } from './_app.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, reportId, resignOracle } from '../helpers/factory.ts';

const oracleKeys = makeKeys(1);
const capKeys = makeKeys(2);

async function seeded() {
  const t = buildApp();
  const oracle = makeOracle({ keys: oracleKeys, tags: ['sports'] });
  const cap = makeCapability({ oracleKeys, capKeys, question: 'Who wins the match?' });
  assert.equal((await t.service.admit('oracle', oracle)).status, 'accepted');
  assert.equal((await t.service.admit('capability', cap)).status, 'accepted');
  return { ...t, oracle, cap };
}

const errorCode = (res: request.Response) => (res.body as { error: { code: string; message: string } }).error.code;

describe('POST /oracle', () => {
  it('201 for a new ad, 200 duplicate for the same, 201 for a higher seqNo, 200 for a lower one', async () => {
    const { app } = buildApp();
    const v0 = makeOracle({ keys: oracleKeys, seqNo: 1 });
    let res = await request(app).post('/oracle').send(v0);
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { result: 'accepted', id: oracleKeys.publicKey });
    res = await request(app).post('/oracle').send(v0);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { result: 'duplicate', id: oracleKeys.publicKey });
    res = await request(app).post('/oracle').send(makeOracle({ keys: oracleKeys, seqNo: 2 }));
    assert.equal(res.status, 201);
    res = await request(app).post('/oracle').send(makeOracle({ keys: oracleKeys, seqNo: 0 }));
    assert.equal(res.status, 200);
    assert.equal(res.body.result, 'duplicate');
  });

  it('400 invalid-json for malformed JSON', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/oracle').set('Content-Type', 'application/json').send('{"pubkey": ');
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'invalid-json');
    assert.equal(typeof res.body.error.message, 'string');
  });

  it('400 invalid-json for a JSON scalar body', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/oracle').set('Content-Type', 'application/json').send('42');
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'invalid-json');
  });

  it('400 schema-violation for an unknown field, naming it', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/oracle').send({ ...makeOracle({ keys: oracleKeys }), extra: 1 });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'schema-violation');
    assert.match(res.body.error.message, /unknown field "extra"/);
  });

  it('400 schema-violation for wrong types and missing fields', async () => {
    const { app } = buildApp();
    const o = makeOracle({ keys: oracleKeys });
    for (const bad of [{ ...o, seqNo: '1' }, { ...o, seqNo: -1 }, { ...o, seqNo: 1.5 }, { ...o, pubkey: 'xyz' }, { ...o, pow: { ...o.pow, algorithm: 'MD5' } }, { ...o, tags: 'a' }]) {
      const res = await request(app).post('/oracle').send(bad);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(errorCode(res), 'schema-violation');
    }
    const { bid: _b, ...noBid } = o;
    const res = await request(app).post('/oracle').send(noBid);
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /missing required field "bid"/);
  });

  it('400 schema-violation for a prototype-pollution shape', async () => {
    const { app } = buildApp();
    const body = JSON.stringify(makeOracle({ keys: oracleKeys })).replace('{', '{"__proto__":{"polluted":true},');
    const res = await request(app).post('/oracle').set('Content-Type', 'application/json').send(body);
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'schema-violation');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('400 schema-violation for an empty JSON body', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/oracle').set('Content-Type', 'application/json').send('');
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'schema-violation');
  });

  it('413 body-too-large for a body over the limit', async () => {
    const { app } = buildApp({ maxBodyBytes: 2048 });
    const o = makeOracle({ keys: oracleKeys });
    const res = await request(app).post('/oracle').send({ ...o, manifestUri: 'https://x.example/' + 'a'.repeat(5000) });
    assert.equal(res.status, 413);
    assert.equal(errorCode(res), 'body-too-large');
  });

  it('413 for a huge body with the default 1 MiB limit', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/oracle').set('Content-Type', 'application/json').send('{"a":"' + 'x'.repeat(1024 * 1024 + 10) + '"}');
    assert.equal(res.status, 413);
  });

  it('415 unsupported-media-type when the body is not JSON', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/oracle').set('Content-Type', 'text/plain').send('hello');
    assert.equal(res.status, 415);
    assert.equal(errorCode(res), 'unsupported-media-type');
  });

  it('422 signature-invalid for a tampered ad', async () => {
    const { app } = buildApp();
    const o = makeOracle({ keys: oracleKeys, tags: ['a'] });
    const res = await request(app).post('/oracle').send({ ...o, tags: ['b'] });
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'signature-invalid');
  });

  it('422 pow-invalid for a wrong PoW hash and for insufficient bits', async () => {
    const { app } = buildApp();
    const o = makeOracle({ keys: oracleKeys, difficulty: 4 });
    let res = await request(app).post('/oracle').send({ ...o, pow: { ...o.pow, magicNo: o.pow.magicNo + 1 } });
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'pow-invalid');
    res = await request(app).post('/oracle').send({ ...o, pow: { ...o.pow, difficulty: 200 } });
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'pow-invalid');
  });

  it('422 pow-below-threshold under the configured minimum', async () => {
    const { app } = buildApp({ service: { powThresholdOracles: 6 } });
    const res = await request(app).post('/oracle').send(makeOracle({ keys: oracleKeys, difficulty: 2 }));
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'pow-below-threshold');
  });

  it('422 rank-too-low when full and the newcomer does not outrank the lowest', async () => {
    const { app } = buildApp({ mempool: { maxOracles: 1 } });
    assert.equal((await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(10), difficulty: 3 }))).status, 201);
    const res = await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(11), difficulty: 3 }));
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'rank-too-low');
    const better = await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(12), difficulty: 5 }));
    assert.equal(better.status, 201);
  });

  it('422 invalid-rotation for a bad previousId link', async () => {
    const { app } = buildApp();
    const old = makeOracle({ keys: makeKeys(20) });
    const rotated = makeOracle({ keys: makeKeys(21), previous: { oracle: old, keys: makeKeys(22) } });
    const res = await request(app).post('/oracle').send(rotated);
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'invalid-rotation');
  });

  it('a re-signed ad with an edited field is accepted only with a higher seqNo', async () => {
    const { app } = buildApp();
    const o = makeOracle({ keys: oracleKeys, seqNo: 3 });
    assert.equal((await request(app).post('/oracle').send(o)).status, 201);
    const edited = resignOracle({ ...o, tags: ['new'] }, oracleKeys);
    assert.equal((await request(app).post('/oracle').send(edited)).status, 200);
    const newer = resignOracle({ ...o, tags: ['new'], seqNo: 4 }, oracleKeys);
    assert.equal((await request(app).post('/oracle').send(newer)).status, 201);
  });
});

describe('POST /capability', () => {
  it('422 unknown-oracle before the oracle is known, then 201, then 200 duplicate', async () => {
    const { app } = buildApp();
    const cap = makeCapability({ oracleKeys, capKeys, question: 'Rain tomorrow?' });
    let res = await request(app).post('/capability').send(cap);
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'unknown-oracle');
    assert.equal((await request(app).post('/oracle').send(makeOracle({ keys: oracleKeys }))).status, 201);
    res = await request(app).post('/capability').send(cap);
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { result: 'accepted', id: capKeys.publicKey });
    res = await request(app).post('/capability').send(cap);
    assert.equal(res.status, 200);
  });

  it('422 signature-invalid when signed by another key', async () => {
    const { app } = await seeded();
    const forged = makeCapability({ oracleKeys: makeKeys(99), capKeys: makeKeys(3), question: 'q' });
    const res = await request(app).post('/capability').send({ ...forged, oraclePubKey: oracleKeys.publicKey, pow: makeCapability({ oracleKeys, capKeys: makeKeys(3), question: 'q' }).pow });
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'signature-invalid');
  });
});

describe('POST /report and /dispute', () => {
  it('fact-conflict: 201 with the report id; a conflict of equal answers is 422', async () => {
    const { app } = await seeded();
    const r = makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys, args: { match: 'A-B' }, answers: ['A', 'B'] });
    let res = await request(app).post('/report').send(r);
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { result: 'accepted', id: reportId(r) });
    const same = makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys, args: { match: 'C-D' }, answers: ['A', 'A'] });
    res = await request(app).post('/report').send(same);
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'conflict-answers-equal');
  });

  it('422 fact-signature-invalid for a forged fact', async () => {
    const { app } = await seeded();
    const f = makeFact({ capKeys, args: { x: '1' }, answer: 'yes' });
    const forged = { ...f, answer: 'no' };
    const r = makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: oracleKeys.publicKey, capKeys, args: { x: '1' }, fact: forged, comment: 'wrong' });
    const res = await request(app).post('/report').send(r);
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'fact-signature-invalid');
  });

  it('422 unknown-oracle for a report against an unknown oracle', async () => {
    const { app } = await seeded();
    const r = makeReport({ type: 'fact-missing', oraclePubKey: makeKeys(50).publicKey, capKeys });
    const res = await request(app).post('/report').send(r);
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'unknown-oracle');
  });

  it('fact-missing then a dispute: 201, GET /reports shows it; a second dispute is 200 duplicate', async () => {
    const { app } = await seeded();
    const r = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { match: 'X-Y' }, payment: { proof: 'preimage-hash' } });
    const id = reportId(r);
    assert.equal((await request(app).post('/report').send(r)).status, 201);
    const wrongFact = makeFact({ capKeys, args: { match: 'other' }, answer: 'X' });
    let res = await request(app).post('/dispute').send(makeDispute({ reportId: id, oraclePubKey: oracleKeys.publicKey, fact: wrongFact }));
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'fact-request-mismatch');
    const fact = makeFact({ capKeys, args: { match: 'X-Y' }, answer: 'X' });
    const d = makeDispute({ reportId: id, oraclePubKey: oracleKeys.publicKey, fact });
    res = await request(app).post('/dispute').send(d);
    assert.equal(res.status, 201);
    assert.equal(res.body.result, 'accepted');
    res = await request(app).post('/dispute').send(d);
    assert.equal(res.status, 200);
    assert.equal(res.body.result, 'duplicate');
    res = await request(app).get('/reports').query({ pubkey: oracleKeys.publicKey });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [{ id, report: r, dispute: d, class: 'answered' }]);
  });

  it('422 report-not-found for a dispute of an unknown report', async () => {
    const { app } = await seeded();
    const fact = makeFact({ capKeys, args: {}, answer: 'X' });
    const res = await request(app).post('/dispute').send(makeDispute({ reportId: 'ab'.repeat(32), oraclePubKey: oracleKeys.publicKey, fact }));
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'report-not-found');
  });

  it('202 out-of-shard for a valid report of another shard, which is then not listed', async () => {
    const { app } = buildApp({ mempool: { shard: { count: 2, index: 0 } } });
    await request(app).post('/oracle').send(makeOracle({ keys: oracleKeys }));
    // A fact-missing must name a capability the node knows (PROTOCOL 8.3).
    await request(app).post('/capability').send(makeCapability({ oracleKeys, capKeys, question: 'n?' }));
    let seen202 = 0;
    let seen201 = 0;
    for (let i = 0; i < 12 && (seen201 === 0 || seen202 === 0); i++) {
      const r = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { n: String(i) } });
      const inShard = BigInt('0x' + reportId(r)) % 2n === 0n;
      const res = await request(app).post('/report').send(r);
      assert.equal(res.status, inShard ? 201 : 202);
      if (inShard) seen201++;
      else {
        seen202++;
        assert.deepEqual(res.body, { result: 'out-of-shard', id: reportId(r) });
      }
    }
    assert.equal(seen201 > 0 && seen202 > 0, true, 'expected seen201 > 0 && seen202 > 0 to be true');
    const listed = await request(app).get('/reports').query({ pubkey: oracleKeys.publicKey, chunkSize: 100 });
    assert.equal(listed.body.length, seen201);
  });
});
