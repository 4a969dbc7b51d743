// test/integration/batch-relay.test.ts - real nodes on loopback: POST /entities with a verifier thread admits interleaved dependent pairs in request order, answers in that order, and the batch-admitted entities are relayed to a peer like single POSTs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { contents, createSeededNode, createTestNode, get, isPeerOf, post, stopAll, waitFor } from '../helpers/network.ts';

type Result = { httpStatus: number; result?: string; id?: string; error?: { code: string } };

describe('POST /entities on a real node with a peer', () => {
  const nodes: MegaNode[] = [];
  let n1: MegaNode;
  let n2: MegaNode;

  before(async () => {
    n1 = await createTestNode({ targetOutbound: 0, verifyThreads: 1 }, 'b1');
    nodes.push(n1);
    n2 = await createSeededNode(n1, { targetOutbound: 1 }, 'b2');
    nodes.push(n2);
    await waitFor(() => isPeerOf(n1, n2) && isPeerOf(n2, n1), { message: 'b2 connected to its seed b1' });
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('admits 20 oracles each followed by its capability, a report and a dispute, in request order through the verifier thread, and the peer gets every one', async () => {
    const items: { kind: string; entity: unknown }[] = [];
    const expectedIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const o = makeKeys(500 + i);
      const c = makeKeys(600 + i);
      items.push({ kind: 'oracle', entity: makeOracle({ keys: o }) }, { kind: 'capability', entity: makeCapability({ oracleKeys: o, capKeys: c, question: `Question ${i}?` }) });
      expectedIds.push(o.publicKey, c.publicKey);
    }
    const O = makeKeys(500);
    const C = makeKeys(600);
    const args = { n: '1' };
    const report = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args, payment: { proof: 'paid' } });
    const dispute = makeDispute({ reportId: reportId(report), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args, answer: 'yes' }) });
    items.push({ kind: 'report', entity: report }, { kind: 'dispute', entity: dispute });
    expectedIds.push(reportId(report));

    const res = await post(n1, '/entities', { items });
    assert.equal(res.status, 200);
    const results = (res.body as { results: Result[] }).results;
    assert.deepEqual(
      results.map((r) => `${r.httpStatus} ${r.result ?? r.error?.code}`),
      items.map(() => '201 accepted'),
      'expected every item accepted (each capability after its oracle, the dispute after its report)',
    );
    assert.deepEqual(results.slice(0, expectedIds.length).map((r) => r.id), expectedIds, 'expected the results in request order');
    assert.equal(contents(n1).length, items.length);
    await waitFor(() => contents(n2).length === items.length, { message: () => `peer has ${contents(n2).length}/${items.length} items` });
    assert.deepEqual(contents(n2), contents(n1), 'expected the peer to hold exactly the batch-admitted versions');

    // A client sizes its batches from GET /status.
    const status = (await get(n1, '/status')).body as { limits: Record<string, number> };
    assert.deepEqual([status.limits.maxBatchItems, status.limits.maxBodyBytes], [1000, 1048576], 'expected GET /status to name the batch limits (defaults)');

    // The same batch again: every item a duplicate, nothing new relayed.
    const again = await post(n1, '/entities', { items });
    assert.deepEqual((again.body as { results: Result[] }).results.map((r) => r.httpStatus), items.map(() => 200));
  });
});
