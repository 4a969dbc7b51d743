// test/api/standing.test.ts - standing over REST on the real Express app: standing on every listing, default order (conflicted last) with paging across it, exclude=conflicted on /oracles and /capabilities, /reports following the rotation chain both ways, reputation and the Mega-Conflicted header.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp } from './_app.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';

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
  return { ...t, oldAd, newAd, clean, conflict };
}

describe('oracle standing over REST', () => {
  it('GET /oracles marks conflicted oracles in a header and keeps the signed bodies', async () => {
    const { app, oldAd, newAd, clean } = await populated();
    const res = await request(app).get('/oracles');
    assert.equal(res.status, 200);
    // Default order: the clean oracle first although it has less PoW than NEW; then the conflicted by rank.
    assert.deepEqual(res.body.map((e: { oracle: unknown }) => e.oracle), [clean, newAd, oldAd], 'expected conflicted oracles after all others');
    const proven = { conflicted: true, proofs: 1, openClaims: 0, answeredClaims: 0 };
    assert.deepEqual(res.body.map((e: { id: string; standing: unknown }) => [e.id, e.standing]), [
      [CLEAN.publicKey, { conflicted: false, proofs: 0, openClaims: 0, answeredClaims: 0 }],
      [NEW.publicKey, proven],
      [OLD.publicKey, proven],
    ], 'expected each entry to carry its chain standing');
    assert.equal(res.headers['mega-conflicted'], `${NEW.publicKey},${OLD.publicKey}`);
  });

  it('pages run across the two parts of the default order', async () => {
    const { app } = await populated();
    const ids = async (q: string) => (await request(app).get('/oracles?' + q)).body.map((e: { id: string }) => e.id);
    assert.deepEqual(await ids('chunkSize=2&page=0'), [CLEAN.publicKey, NEW.publicKey], 'expected page 0 to end in the conflicted part');
    assert.deepEqual(await ids('chunkSize=2&page=1'), [OLD.publicKey], 'expected page 1 to continue it');
    assert.deepEqual(await ids('chunkSize=1&page=2'), [OLD.publicKey], 'expected offset 2 to be the second conflicted oracle');
    assert.deepEqual(await ids('chunkSize=1&page=3'), [], 'expected nothing past the end');
  });

  it('GET /capabilities carries its oracle\'s standing, lists conflicted oracles\' capabilities last, and takes exclude=conflicted', async () => {
    const { app, service } = await populated();
    const cleanCap = makeCapability({ oracleKeys: CLEAN, capKeys: makeKeys(405), question: 'Will it snow?', difficulty: 1 });
    const newCap = makeCapability({ oracleKeys: NEW, capKeys: makeKeys(406), question: 'Will it snow today?', difficulty: 5 });
    for (const c of [cleanCap, newCap]) assert.equal((await service.admit('capability', c)).status, 'accepted');
    const res = await request(app).get('/capabilities').query({ question: 'snow' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.map((e: { id: string; standing: { conflicted: boolean } }) => [e.id, e.standing.conflicted]), [
      [cleanCap.capabilityPubKey, false],
      [newCap.capabilityPubKey, true],
    ], 'expected the clean oracle\'s capability first despite less PoW');
    const excluded = await request(app).get('/capabilities').query({ question: 'snow', exclude: 'conflicted' });
    assert.equal(excluded.status, 200, 'expected exclude=conflicted accepted on /capabilities');
    assert.deepEqual(excluded.body.map((e: { id: string }) => e.id), [cleanCap.capabilityPubKey], 'expected the conflicted oracle\'s capability left out');
  });

  it('GET /reports follows the rotation chain both ways: the new key lists the old key\'s proof, the old key lists claims kept under the new key', async () => {
    const { app, service, conflict } = await populated();
    const newCap = makeCapability({ oracleKeys: NEW, capKeys: makeKeys(407), question: 'q?' });
    assert.equal((await service.admit('capability', newCap)).status, 'accepted');
    const claim = makeReport({ type: 'fact-missing', oraclePubKey: NEW.publicKey, capKeys: makeKeys(407), args: { d: '1' }, difficulty: 8 });
    assert.equal((await service.admit('report', claim)).status, 'accepted');
    const byNew = await request(app).get('/reports').query({ pubkey: NEW.publicKey });
    assert.deepEqual(byNew.body.map((e: { id: string; class: string }) => [e.id, e.class]), [
      [reportId(conflict), 'proof'],
      [reportId(claim), 'claim'],
    ], 'expected the older key\'s proof first (class before PoW), then the claim');
    const byOld = await request(app).get('/reports').query({ pubkey: OLD.publicKey });
    assert.deepEqual(byOld.body.map((e: { id: string }) => e.id), [reportId(conflict), reportId(claim)], 'expected the old key to reach the newer key\'s reports');
    // scope=network gathers over the same chain (here no peers: this node's part of every key).
    const networkByNew = await request(app).get('/reports').query({ pubkey: NEW.publicKey, scope: 'network' });
    assert.deepEqual(networkByNew.body.map((e: { id: string; class: string }) => [e.id, e.class]), [
      [reportId(conflict), 'proof'],
      [reportId(claim), 'claim'],
    ], 'expected scope=network to follow the rotation chain too, in the same order');
    const networkByOld = await request(app).get('/reports').query({ pubkey: OLD.publicKey, scope: 'network' });
    assert.deepEqual(networkByOld.body.map((e: { id: string }) => e.id), [reportId(conflict), reportId(claim)], 'expected scope=network from the old key to reach the newer key\'s reports');
    const paged = await request(app).get('/reports').query({ pubkey: OLD.publicKey, page: 1, chunkSize: 1 });
    assert.deepEqual(paged.body.map((e: { id: string }) => e.id), [reportId(claim)], 'expected chain listings to page');
    // Answered, the claim is listed with its dispute and class.
    const d = makeDispute({ reportId: reportId(claim), oraclePubKey: NEW.publicKey, fact: makeFact({ capKeys: makeKeys(407), args: { d: '1' }, answer: 'x' }) });
    assert.equal((await service.admit('dispute', d)).status, 'accepted');
    const answered = (await request(app).get('/reports').query({ pubkey: NEW.publicKey })).body[1];
    assert.deepEqual([answered.class, answered.dispute], ['answered', d], 'expected the answered class and its dispute');
    const standing = (await request(app).get('/oracles')).body.find((e: { id: string }) => e.id === NEW.publicKey).standing;
    assert.deepEqual(standing, { conflicted: true, proofs: 1, openClaims: 0, answeredClaims: 1 }, 'expected the standing to count the answered claim');
  });

  it('GET /oracles?exclude=conflicted leaves out the old key and the key rotated from it, and pages over what is left', async () => {
    const { app, clean } = await populated();
    const res = await request(app).get('/oracles?exclude=conflicted');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.map((e: { oracle: unknown }) => e.oracle), [clean]);
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
