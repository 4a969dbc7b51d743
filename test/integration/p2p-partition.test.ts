// test/integration/p2p-partition.test.ts - six real nodes (topology pinned: targetOutbound 0, explicit edges) cut into two halves that each accept new items, then rejoined through one bridge: every node converges to the same contents.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { connect, connectAll, contents, createTestNode, hasItem, isPeerOf, post, stopAll, waitFor } from '../helpers/network.ts';

const HALF_A = [0, 1, 2];
const HALF_B = [3, 4, 5];
/** Ring 0-1-2-3-4-5-0 plus the three long chords: every node has three peers, five edges cross the cut. */
const EDGES: [number, number][] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 5],
  [5, 0],
  [0, 3],
  [1, 4],
  [2, 5],
];

/** What one half posts while cut off: two oracles, a capability and a report (each on a different node of the half). */
interface HalfItems {
  lines: { kind: 'oracle' | 'capability' | 'report'; id: string }[];
  post: (nodes: MegaNode[]) => Promise<void>;
}

function halfItems(seed: number, half: number[]): HalfItems {
  const o = makeKeys(seed);
  const o2 = makeKeys(seed + 1);
  const c = makeKeys(seed + 100);
  const oracle = makeOracle({ keys: o });
  const oracle2 = makeOracle({ keys: o2, tags: ['second'] });
  const cap = makeCapability({ oracleKeys: o, capKeys: c, question: `Question of half ${seed}?` });
  const report = makeReport({ type: 'fact-conflict', oraclePubKey: o.publicKey, capKeys: c, args: { half: String(seed) } });
  const [h0, h1, h2] = half as [number, number, number];
  return {
    lines: [
      { kind: 'oracle', id: o.publicKey },
      { kind: 'oracle', id: o2.publicKey },
      { kind: 'capability', id: o.publicKey + c.publicKey },
      { kind: 'report', id: reportId(report) },
    ],
    post: async (nodes) => {
      const at = (i: number): MegaNode => nodes[i] as MegaNode;
      assert.equal((await post(at(h0), '/oracle', oracle)).status, 201);
      assert.equal((await post(at(h2), '/oracle', oracle2)).status, 201);
      // The capability and report need the oracle where they are posted.
      await waitFor(() => hasItem(at(h1), 'oracle', o.publicKey), { message: 'oracle relayed inside the half' });
      assert.equal((await post(at(h1), '/capability', cap)).status, 201);
      await waitFor(() => hasItem(at(h2), 'capability', o.publicKey + c.publicKey), { message: 'capability relayed inside the half' });
      assert.equal((await post(at(h2), '/report', report)).status, 201);
    },
  };
}

describe('p2p: six nodes, partitioned into halves and rejoined', () => {
  const nodes: MegaNode[] = [];
  const crossPairs: [number, number][] = HALF_A.flatMap((i) => HALF_B.map((j): [number, number] => [i, j]));
  const at = (i: number): MegaNode => nodes[i] as MegaNode;
  const hasAll = (n: MegaNode, items: HalfItems): boolean => items.lines.every((l) => hasItem(n, l.kind, l.id));
  const hasAny = (n: MegaNode, items: HalfItems): boolean => items.lines.some((l) => hasItem(n, l.kind, l.id));
  const a = halfItems(50, HALF_A);
  const b = halfItems(60, HALF_B);
  const shared = makeKeys(70);

  before(async () => {
    // targetOutbound 0: nobody dials an address it learned (inbound version, addr gossip), so the
    // connections are exactly EDGES and, after the cut, exactly the bridge this suite opens.
    for (let i = 0; i < 6; i++) nodes.push(await createTestNode({ targetOutbound: 0 }, `p${i}`));
    await connectAll(nodes, EDGES);
    const degrees = nodes.map((n) => n.pool.list().length);
    assert.deepEqual(degrees, [3, 3, 3, 3, 3, 3], `expected exactly the nine EDGES (three peers each), got degrees ${degrees.join(',')}`);
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('an item posted before the cut reaches all six', async () => {
    assert.equal((await post(at(0), '/oracle', makeOracle({ keys: shared }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', shared.publicKey)), { message: 'shared oracle everywhere' });
  });

  it('cut: blocking every cross pair on both sides drops the cross connections and keeps each half connected', async () => {
    for (const [i, j] of crossPairs) {
      at(i).pool.block('127.0.0.1', at(j).p2pPort);
      at(j).pool.block('127.0.0.1', at(i).p2pPort);
    }
    await waitFor(() => crossPairs.every(([i, j]) => !isPeerOf(at(i), at(j)) && !isPeerOf(at(j), at(i))), { message: 'no cross connection left' });
    for (const [i, j] of EDGES) {
      const sameHalf = HALF_A.includes(i) === HALF_A.includes(j);
      assert.equal(isPeerOf(at(i), at(j)), sameHalf, `expected edge ${i}-${j} ${sameHalf ? 'kept (same half)' : 'dropped (crosses the cut)'}`);
    }
  });

  it('each half accepts its own new items and sees none of the other half\'s', async () => {
    await a.post(nodes);
    await b.post(nodes);
    await waitFor(() => HALF_A.every((i) => hasAll(at(i), a)), { message: 'half A has its items' });
    await waitFor(() => HALF_B.every((i) => hasAll(at(i), b)), { message: 'half B has its items' });
    // No connection crosses the cut (relay, sync and anti-entropy all run over connections), so nothing crossed it.
    for (const i of HALF_A) assert.equal(hasAny(at(i), b), false, `expected node ${i} to hold no item of half B`);
    for (const i of HALF_B) assert.equal(hasAny(at(i), a), false, `expected node ${i} to hold no item of half A`);
    assert.equal(contents(at(0)).length, 5, 'expected half A to hold the shared oracle and its own four items');
    assert.equal(contents(at(3)).length, 5, 'expected half B to hold the shared oracle and its own four items');
  });

  it('rejoined through a single cross pair, all six converge to the same contents with everything', async () => {
    at(0).pool.unblock('127.0.0.1', at(3).p2pPort);
    at(3).pool.unblock('127.0.0.1', at(0).p2pPort);
    await connect(at(0), at(3));
    const total = 1 + a.lines.length + b.lines.length; // the shared oracle plus both halves' items
    await waitFor(
      () => {
        const first = contents(at(0));
        return first.length === total && nodes.every((n) => JSON.stringify(contents(n)) === JSON.stringify(first));
      },
      { timeoutMs: 15_000, message: () => `converged; sizes ${nodes.map((n) => contents(n).length).join(',')} of ${total}` },
    );
    nodes.forEach((n, i) => {
      assert.equal(hasAll(n, a), true, `expected node ${i} to hold every item of half A`);
      assert.equal(hasAll(n, b), true, `expected node ${i} to hold every item of half B`);
      assert.deepEqual(contents(n), contents(at(0)), `expected node ${i} to hold what node 0 holds`);
    });
  });
});
