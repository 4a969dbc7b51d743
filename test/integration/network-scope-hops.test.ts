// test/integration/network-scope-hops.test.ts - four nodes on two shards in a line T(0/2) - A(0/2) - B(1/2) - C(1/2): a trader on T, whose only peer stores T's own shard, still gets every report with scope=network (one hop further through A), and depth=0 shows the hop is what reaches shard 1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import type { Report } from '../../src/protocol/types.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { connectAll, createTestNode, get, hasItem, post, stopAll, waitFor } from '../helpers/network.ts';

const ORACLE = makeKeys(9501);
const CAP = makeKeys(9502);
const shardOf = (r: Report): number => Number(BigInt(`0x${reportId(r)}`) % 2n);

describe('scope=network reaches shards no direct peer stores (PROTOCOL 10.6)', () => {
  let nodes: MegaNode[] = [];
  const reports: Report[] = [];
  for (let i = 0; reports.filter((r) => shardOf(r) === 0).length < 2 || reports.filter((r) => shardOf(r) === 1).length < 2; i++) {
    const r = makeReport({ type: 'fact-missing', oraclePubKey: ORACLE.publicKey, capKeys: CAP, args: { n: String(i) }, difficulty: 1 });
    if (reports.filter((x) => shardOf(x) === shardOf(r)).length < 2) reports.push(r);
  }

  before(async () => {
    const [t, a, b, c] = [
      await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 'hop-t'),
      await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 'hop-a'),
      await createTestNode({ shard: { count: 2, index: 1 }, targetOutbound: 0 }, 'hop-b'),
      await createTestNode({ shard: { count: 2, index: 1 }, targetOutbound: 0 }, 'hop-c'),
    ];
    nodes = [t as MegaNode, a as MegaNode, b as MegaNode, c as MegaNode];
    await connectAll(nodes, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const cNode = nodes[3] as MegaNode;
    assert.equal((await post(cNode, '/oracle', makeOracle({ keys: ORACLE }))).status, 201);
    assert.equal((await post(cNode, '/capability', makeCapability({ oracleKeys: ORACLE, capKeys: CAP, question: 'Q?' }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'capability', ORACLE.publicKey + CAP.publicKey)), { message: 'the capability everywhere' });
    for (const r of reports) assert.ok([201, 202].includes((await post(cNode, '/report', r)).status));
    await waitFor(() => reports.every((r) => hasItem(nodes[shardOf(r) === 0 ? 0 : 2] as MegaNode, 'report', reportId(r))), { message: 'each report on a node of its shard' });
  });

  after(() => stopAll(nodes));

  it('the trader node gets every report with scope=network; with depth=0 only its own shard', async () => {
    const t = nodes[0] as MegaNode;
    const ids = (body: unknown) => new Set((body as { id: string }[]).map((r) => r.id));
    const local = ids((await get(t, `/reports?pubkey=${ORACLE.publicKey}`)).body);
    assert.deepEqual([...local].sort(), reports.filter((r) => shardOf(r) === 0).map((r) => reportId(r)).sort(), 'T stores shard 0 only');
    const near = ids((await get(t, `/reports?pubkey=${ORACLE.publicKey}&scope=network&depth=0`)).body);
    assert.equal(near.size, 2, 'depth 0: T\'s only peer stores T\'s own shard, so shard 1 stays out of reach');
    const all = ids((await get(t, `/reports?pubkey=${ORACLE.publicKey}&scope=network`)).body);
    assert.deepEqual([...all].sort(), reports.map((r) => reportId(r)).sort(), 'scope=network (depth 1) returns every report of both shards');
  });
});
