// test/unit/service/accountability.test.ts - issue #14 rules 1-3 on the real admission stack: the erase attack (an oracle flooding its own report slots and getting evicted) never removes a proof; proofs outlive and follow the oracle; claims must name a known capability.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OracleStanding } from '../../../src/identity/standing.ts';
import type { EvictedEvent } from '../../../src/mempool/mempool.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, newServiceForTest, reportId } from '../../helpers/factory.ts';

const X = makeKeys(1401);
const CAP = makeKeys(1402);
const RIVALS = [makeKeys(1403), makeKeys(1404)];
const ALL = { page: 0, chunkSize: 100 };

async function rig() {
  // Two report slots per oracle and room for two oracles: the attack of the issue at its smallest scale.
  const t = newServiceForTest({ mempool: { maxReports: 2, maxOracles: 2 } });
  const standing = new OracleStanding(t.service);
  const evicted: EvictedEvent[] = [];
  t.service.on('mempool:evicted', (e) => evicted.push(e));
  assert.equal((await t.service.admit('oracle', makeOracle({ keys: X, difficulty: 2 }))).status, 'accepted');
  assert.equal((await t.service.admit('capability', makeCapability({ oracleKeys: X, capKeys: CAP, question: 'Will it rain in {city}?' }))).status, 'accepted');
  // A trader's verified fact-conflict, with little PoW.
  const proof = makeReport({ type: 'fact-conflict', oraclePubKey: X.publicKey, capKeys: CAP, args: { city: 'Oslo' }, difficulty: 1 });
  assert.equal((await t.service.admit('report', proof)).status, 'accepted');
  return { ...t, standing, evicted, proofId: reportId(proof), proof };
}

/** The oracle files claims against itself with far more PoW than the proof, and answers them. */
async function floodOwnSlots(t: Awaited<ReturnType<typeof rig>>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const args = { city: `self-${i}` };
    const claim = makeReport({ type: 'fact-missing', oraclePubKey: X.publicKey, capKeys: CAP, args, difficulty: 10 });
    const r = await t.service.admit('report', claim);
    assert.equal(r.status, 'accepted', `expected self-filed claim ${i} to be admitted into the claim slots`);
    const d = makeDispute({ reportId: reportId(claim), oraclePubKey: X.publicKey, fact: makeFact({ capKeys: CAP, args, answer: 'dry' }) });
    assert.equal((await t.service.admit('dispute', d)).status, 'accepted', `expected the oracle's dispute ${i} to be admitted`);
  }
}

describe('accountability: the erase attack of issue #14', () => {
  it('any number of higher-PoW claims against the oracle never evicts the proof', async () => {
    const t = await rig();
    await floodOwnSlots(t, 5);
    assert.equal(t.evicted.some((e) => e.id === t.proofId), false, 'expected no eviction event for the proof');
    const listed = t.service.listReports(X.publicKey, ALL);
    assert.equal(listed[0]?.id, t.proofId, 'expected the proof listed first (class before PoW)');
    assert.equal(listed.length, 3, 'expected the proof plus the 2 claim slots');
    assert.equal(t.standing.isConflicted(X.publicKey), true, 'expected the oracle still conflicted');
    assert.deepEqual(t.standing.standingOf(X.publicKey), { conflicted: true, proofs: 1, openClaims: 0, answeredClaims: 2 }, 'expected 1 proof and 2 answered claims');
  });

  it('the proof survives the oracle\'s eviction, is still served and synced, and the returning key is conflicted at once', async () => {
    const t = await rig();
    await floodOwnSlots(t, 3);
    // Two rivals with more identity work push X out at maxOracles = 2.
    for (const k of RIVALS) assert.equal((await t.service.admit('oracle', makeOracle({ keys: k, difficulty: 6 }))).status, 'accepted');
    assert.equal(t.service.getOracle(X.publicKey), undefined, 'expected X evicted');
    assert.equal(t.evicted.some((e) => e.kind === 'oracle' && e.id === X.publicKey), true, 'expected an oracle eviction event for X');
    assert.equal(t.evicted.some((e) => e.id === t.proofId), false, 'expected no eviction event for the proof');
    assert.equal(t.mempool.getReport(t.proofId)?.msg, t.proof, 'expected the proof still stored');
    assert.deepEqual(t.service.listReports(X.publicKey, ALL).map((r) => r.id), [t.proofId], 'expected the proof still served under the evicted key');
    assert.equal([...t.service.inventory()].some((e) => e.kind === 'report' && e.id === t.proofId), true, 'expected the proof in the sync inventory');
    assert.equal(t.standing.isConflicted(X.publicKey), true, 'expected the evicted key to stay conflicted');
    // X comes back with more work: conflicted at once, and it holds its proof again.
    assert.equal((await t.service.admit('oracle', makeOracle({ keys: X, difficulty: 9 }))).status, 'accepted');
    assert.equal(t.service.listReports(X.publicKey, ALL)[0]?.id, t.proofId, 'expected the returning oracle to hold its proof');
    assert.deepEqual(t.standing.standingOf(X.publicKey), { conflicted: true, proofs: 1, openClaims: 0, answeredClaims: 0 }, 'expected the returning key conflicted, its claims gone');
    assert.equal(t.mempool.getOracle(X.publicKey)?.proofCount, 1, 'expected the returning oracle entry to count its held proof');
  });

  it('a proof against an oracle this node does not store is kept when it embeds its capability ad, refused unknown-oracle otherwise', async () => {
    const t = newServiceForTest();
    const standing = new OracleStanding(t.service);
    const bare = makeReport({ type: 'fact-conflict', oraclePubKey: X.publicKey, capKeys: CAP, args: { city: 'Rome' } });
    assertRejected(await t.service.admit('report', bare), 'unknown-oracle', 0);
    const embedded = makeReport({ type: 'fact-conflict', oraclePubKey: X.publicKey, capKeys: CAP, args: { city: 'Rome' }, capability: makeCapability({ oracleKeys: X, capKeys: CAP, question: 'q?' }) });
    assert.equal((await t.service.admit('report', embedded)).status, 'accepted', 'expected a self-contained proof kept without its oracle');
    assert.equal(standing.isConflicted(X.publicKey), true, 'expected the key conflicted before its ad arrives');
    assert.equal((await t.service.admit('oracle', makeOracle({ keys: X }))).status, 'accepted');
    assert.deepEqual(t.service.listReports(X.publicKey, ALL).map((r) => r.id), [reportId(embedded)], 'expected the arriving oracle to hold the proof');
    // A claim still needs its oracle (nobody could answer it otherwise).
    const claim = makeReport({ type: 'fact-missing', oraclePubKey: RIVALS[0]!.publicKey, capKeys: CAP, capability: makeCapability({ oracleKeys: RIVALS[0]!, capKeys: CAP, question: 'q?' }) });
    assertRejected(await t.service.admit('report', claim), 'unknown-oracle', 0);
  });
});
