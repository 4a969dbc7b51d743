// test/integration/accountability-sync.test.ts - real nodes on loopback (issue #14, P2P side): a node that syncs from another learns its proofs and the standing they give, including proofs kept after the accused oracle was evicted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { connect, createTestNode, get, hasItem, post, stopAll, waitFor } from '../helpers/network.ts';

const X = makeKeys(1451);
const RIVAL = makeKeys(1452);
const CAP = makeKeys(1453);
const cap = makeCapability({ oracleKeys: X, capKeys: CAP, question: 'Will it rain in {city}?' });

interface Listed {
  id: string;
  standing: { conflicted: boolean; proofs: number; openClaims: number; answeredClaims: number };
}

describe('p2p: proofs and standing travel with sync', () => {
  const nodes: MegaNode[] = [];
  after(async () => {
    await stopAll(nodes);
  });

  it('a late joiner learns the proof and the claim, and lists the oracle conflicted, after the clean one', async () => {
    const a = await createTestNode({ antiEntropyIntervalMs: 3_600_000 }, 'acc-a');
    nodes.push(a);
    const clean = makeKeys(1454);
    for (const o of [makeOracle({ keys: X, difficulty: 6 }), makeOracle({ keys: clean, difficulty: 1 })]) assert.equal((await post(a, '/oracle', o)).status, 201);
    assert.equal((await post(a, '/capability', cap)).status, 201);
    const proof = makeReport({ type: 'fact-conflict', oraclePubKey: X.publicKey, capKeys: CAP, args: { city: 'Oslo' } });
    const claim = makeReport({ type: 'fact-missing', oraclePubKey: X.publicKey, capKeys: CAP, args: { city: 'Rome' } });
    for (const r of [proof, claim]) assert.equal((await post(a, '/report', r)).status, 201);

    const b = await createTestNode({ antiEntropyIntervalMs: 3_600_000 }, 'acc-b');
    nodes.push(b);
    await connect(b, a);
    await waitFor(() => hasItem(b, 'report', reportId(proof)) && hasItem(b, 'report', reportId(claim)) && hasItem(b, 'oracle', clean.publicKey), { message: 'proof, claim and the clean oracle synced to b' });
    const listed = (await get(b, '/oracles')).body as Listed[];
    assert.deepEqual(
      listed.map((e) => [e.id, e.standing]),
      [
        [clean.publicKey, { conflicted: false, proofs: 0, openClaims: 0, answeredClaims: 0 }],
        [X.publicKey, { conflicted: true, proofs: 1, openClaims: 1, answeredClaims: 0 }],
      ],
      'expected b to list X conflicted (after the clean oracle despite more PoW) with its proof and claim counted',
    );
  });

  it('a proof kept after its oracle was evicted is synced to a new node, which counts it under the key', async () => {
    // Room for one oracle: the rival's ad evicts X; the proof (embedding its capability ad) stays.
    const a = await createTestNode({ antiEntropyIntervalMs: 3_600_000, maxOracles: 1 }, 'acc-c');
    nodes.push(a);
    assert.equal((await post(a, '/oracle', makeOracle({ keys: X, difficulty: 1 }))).status, 201);
    const proof = makeReport({ type: 'fact-conflict', oraclePubKey: X.publicKey, capKeys: CAP, args: { city: 'Lima' }, capability: cap });
    assert.equal((await post(a, '/report', proof)).status, 201);
    assert.equal((await post(a, '/oracle', makeOracle({ keys: RIVAL, difficulty: 5 }))).status, 201);
    assert.equal(hasItem(a, 'oracle', X.publicKey), false, 'expected X evicted from a');
    assert.equal(hasItem(a, 'report', reportId(proof)), true, 'expected the proof kept on a');

    const d = await createTestNode({ antiEntropyIntervalMs: 3_600_000 }, 'acc-d');
    nodes.push(d);
    await connect(d, a);
    await waitFor(() => hasItem(d, 'report', reportId(proof)), { message: 'the detached proof synced to d' });
    assert.equal(hasItem(d, 'oracle', X.publicKey), false, 'expected d not to know X');
    const reports = (await get(d, `/reports?pubkey=${X.publicKey}`)).body as { id: string; class: string }[];
    assert.deepEqual(reports.map((r) => [r.id, r.class]), [[reportId(proof), 'proof']], 'expected d to serve the proof under the evicted key');
    // X announces itself to d: it is conflicted at once.
    assert.equal((await post(d, '/oracle', makeOracle({ keys: X, difficulty: 1 }))).status, 201);
    const listed = (await get(d, '/oracles')).body as Listed[];
    assert.deepEqual(listed.find((e) => e.id === X.publicKey)?.standing, { conflicted: true, proofs: 1, openClaims: 0, answeredClaims: 0 }, 'expected X conflicted on arrival');
  });
});
