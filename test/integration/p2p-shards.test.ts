// test/integration/p2p-shards.test.ts - two nodes storing the two halves of the report space: shards learned from version, out-of-shard reports relayed, GET /reports?scope=network merging both shards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import type { Report } from '../../src/protocol/types.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { connect, createTestNode, get, hasItem, post, stopAll, waitFor } from '../helpers/network.ts';

const O = makeKeys(41);
const C = makeKeys(141);

/** Shard index of a report id among `count` shards (id as a 256-bit integer mod count). */
function shardOf(id: string, count: number): number {
  return Number(BigInt(`0x${id}`) % BigInt(count));
}

/** Two fact-missing reports against O for each of the two shards. */
function reportsPerShard(): Report[][] {
  const byShard: Report[][] = [[], []];
  for (let day = 1; byShard.some((s) => s.length < 2); day++) {
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { day: String(day) } });
    const s = byShard[shardOf(reportId(r), 2)] as Report[];
    if (s.length < 2) s.push(r);
  }
  return byShard;
}

describe('p2p: sharding (count 2) and GET /reports?scope=network', () => {
  const nodes: MegaNode[] = [];
  let s0: MegaNode;
  let s1: MegaNode;
  const [even, odd] = reportsPerShard() as [Report[], Report[]];
  const ids = (rs: Report[]): string[] => rs.map((r) => reportId(r)).sort();

  before(async () => {
    s0 = await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 'shard0');
    nodes.push(s0);
    s1 = await createTestNode({ shard: { count: 2, index: 1 }, targetOutbound: 0 }, 'shard1');
    nodes.push(s1);
    await connect(s0, s1);
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('peers learn each other\'s shard from version', () => {
    assert.deepEqual(s0.pool.list().map((p) => p.shard), [{ count: 2, index: 1 }]);
    assert.deepEqual(s1.pool.list().map((p) => p.shard), [{ count: 2, index: 0 }]);
  });

  it('reports posted on one node are stored by the node of their shard (out-of-shard ones are relayed, not stored)', async () => {
    assert.equal((await post(s0, '/oracle', makeOracle({ keys: O }))).status, 201);
    assert.equal((await post(s0, '/capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it rain?' }))).status, 201);
    await waitFor(() => hasItem(s1, 'capability', O.publicKey + C.publicKey), { message: 'oracle and capability on both nodes' });
    for (const r of [...even, ...odd]) {
      const res = await post(s0, '/report', r);
      assert.equal(res.status, shardOf(reportId(r), 2) === 0 ? 201 : 202, JSON.stringify(res.body));
    }
    await waitFor(() => odd.every((r) => hasItem(s1, 'report', reportId(r))), { message: 'odd-shard reports stored by shard 1' });
    for (const r of even) assert.equal(hasItem(s1, 'report', reportId(r)), false);
    for (const r of odd) assert.equal(hasItem(s0, 'report', reportId(r)), false);
  });

  it('plain GET /reports answers the local shard only; scope=network also gathers the other shard from its peer', async () => {
    const listed = async (node: MegaNode, query: string): Promise<string[]> => {
      const { status, body } = await get(node, `/reports?pubkey=${O.publicKey}${query}`);
      assert.equal(status, 200);
      return (body as { id: string }[]).map((r) => r.id).sort();
    };
    assert.deepEqual(await listed(s0, ''), ids(even));
    assert.deepEqual(await listed(s1, ''), ids(odd));
    assert.deepEqual(await listed(s0, '&scope=local'), ids(even));
    const all = ids([...even, ...odd]);
    assert.deepEqual(await listed(s0, '&scope=network'), all);
    assert.deepEqual(await listed(s1, '&scope=network'), all);
    // Each entry is the full report as shard 1 stores it (one hop from s0, so cTTL lowered by one) with its dispute slot and class.
    const { body } = await get(s0, `/reports?pubkey=${O.publicKey}&scope=network`);
    const first = (body as { id: string; report: Report; dispute: unknown }[]).find((e) => e.id === reportId(odd[0] as Report));
    assert.deepEqual(first, { id: reportId(odd[0] as Report), report: { ...(odd[0] as Report), cTTL: 4 }, dispute: null, class: 'claim' }, 'expected the listing shape of PROTOCOL 10.6');
  });
});

describe('p2p: sharding across a node of the other shard (line s1a - s0 - s1b)', () => {
  const nodes: MegaNode[] = [];
  let s1a: MegaNode;
  let s0: MegaNode;
  let s1b: MegaNode;
  const [, odd] = reportsPerShard() as [Report[], Report[]];
  const report = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { day: 'x' } });
  // The fact-missing report of shard 1 that the dispute answers.
  const missing = shardOf(reportId(report), 2) === 1 ? report : (odd[0] as Report);

  before(async () => {
    // targetOutbound 0: s1b never dials s1a (whose address s0 gossips), so everything between them crosses s0.
    s1a = await createTestNode({ shard: { count: 2, index: 1 }, targetOutbound: 0 }, 's1a');
    nodes.push(s1a);
    s0 = await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 's0');
    nodes.push(s0);
    s1b = await createTestNode({ shard: { count: 2, index: 1 }, targetOutbound: 0 }, 's1b');
    nodes.push(s1b);
    await connect(s1a, s0);
    await connect(s0, s1b);
    assert.equal((await post(s1a, '/oracle', makeOracle({ keys: O }))).status, 201);
    assert.equal((await post(s1a, '/capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it rain?' }))).status, 201);
    await waitFor(() => hasItem(s1b, 'capability', O.publicKey + C.publicKey), { message: 'oracle and capability on every node' });
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('a report of shard 1 posted on s1a is relayed through s0 (which does not store it) to s1b', async () => {
    assert.equal((await post(s1a, '/report', missing)).status, 201);
    await waitFor(() => hasItem(s1b, 'report', reportId(missing)), { message: 'report relayed across the other shard' });
    assert.equal(hasItem(s0, 'report', reportId(missing)), false);
  });

  // s0 does not keep the report the dispute answers: it checks the fact and relays the dispute as
  // out-of-shard (docs/PROTOCOL.md 11.7, "Disputes of another shard").
  it('the dispute of that report, posted on s1a, reaches s1b too', async () => {
    const dispute = makeDispute({ reportId: reportId(missing), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: (missing.content as { request: { arguments: Record<string, string> } }).request.arguments, answer: 'no rain' }) });
    assert.equal((await post(s1a, '/dispute', dispute)).status, 201);
    await waitFor(() => hasItem(s1b, 'dispute', reportId(missing)), { timeoutMs: 4000, message: 'dispute relayed across the other shard' });
    assert.equal(hasItem(s0, 'dispute', reportId(missing)), false, 'expected s0 to relay the dispute without storing it');
    assert.equal(s1b.pool.list().length, 1, 'expected s1b to reach s1a only through s0');
  });
});
