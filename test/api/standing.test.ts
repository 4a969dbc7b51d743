// test/api/standing.test.ts - GET /oracles/{pubkey}/reputation, GET /oracles?exclude=conflicted and the Mega-Conflicted header on the real Express app.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp } from './_app.ts';
import { makeCapability, makeKeys, makeOracle, makeReport } from '../helpers/factory.ts';

const OLD = makeKeys(401);
const NEW = makeKeys(402);
const CLEAN = makeKeys(403);
const CAP = makeKeys(404);

async function populated() {
  const t = buildApp();
  const oldAd = makeOracle({ keys: OLD, difficulty: 1 });
  const newAd = makeOracle({ keys: NEW, difficulty: 6, previous: { oracle: oldAd, keys: OLD } });
  const clean = makeOracle({ keys: CLEAN, difficulty: 4 });
  for (const o of [oldAd, newAd, clean]) assert.equal((await t.service.admit('oracle', o)).status, 'accepted');
  const conflict = makeReport({ type: 'fact-conflict', oraclePubKey: OLD.publicKey, capKeys: CAP, capability: makeCapability({ oracleKeys: OLD, capKeys: CAP, question: 'q?' }) });
  assert.equal((await t.service.admit('report', conflict)).status, 'accepted');
  return { ...t, oldAd, newAd, clean };
}

describe('oracle standing over REST', () => {
  it('GET /oracles marks conflicted oracles in a header and keeps the signed bodies', async () => {
    const { app, oldAd, newAd, clean } = await populated();
    const res = await request(app).get('/oracles');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [newAd, clean, oldAd]);
    assert.equal(res.headers['mega-conflicted'], `${NEW.publicKey},${OLD.publicKey}`);
  });

  it('GET /oracles?exclude=conflicted leaves out the old key and the key rotated from it, and pages over what is left', async () => {
    const { app, clean } = await populated();
    const res = await request(app).get('/oracles?exclude=conflicted');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [clean]);
    assert.equal(res.headers['mega-conflicted'], '');
    const page1 = await request(app).get('/oracles?exclude=conflicted&page=1&chunkSize=1');
    assert.deepEqual(page1.body, []);
  });

  it('GET /oracles?exclude=other is a 400', async () => {
    const { app } = await populated();
    const res = await request(app).get('/oracles?exclude=other');
    assert.equal(res.status, 400);
    assert.equal((res.body as { error: { code: string } }).error.code, 'invalid-query');
  });

  it('GET /oracles/{pubkey}/reputation counts the old key\'s conflict under the new key', async () => {
    const { app } = await populated();
    const res = await request(app).get(`/oracles/${NEW.publicKey}/reputation`);
    assert.equal(res.status, 200);
    assert.equal(res.body.verifiedConflicts, 1);
    assert.equal(res.body.conflicted, true, 'expected res.body.conflicted to be true');
    assert.deepEqual(res.body.previousKeys, [OLD.publicKey]);
    const old = await request(app).get(`/oracles/${OLD.publicKey}/reputation`);
    assert.deepEqual(old.body.rotatedTo, [NEW.publicKey]);
    const clean = await request(app).get(`/oracles/${CLEAN.publicKey}/reputation`);
    assert.equal(clean.body.conflicted, false, 'expected clean.body.conflicted to be false');
    assert.equal(clean.body.reports.total, 0);
  });

  it('GET /oracles/{pubkey}/reputation of an unknown oracle is a 404', async () => {
    const { app } = await populated();
    const res = await request(app).get(`/oracles/${makeKeys(499).publicKey}/reputation`);
    assert.equal(res.status, 404);
    assert.equal((res.body as { error: { code: string } }).error.code, 'oracle-not-found');
  });
});
