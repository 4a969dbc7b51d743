// test/integration/shard-peering.test.ts - shard-aware peering on real loopback nodes (PROTOCOL 11.9 "Shard coverage", 10.6): four nodes on two shards; a trader node given ONE seed of its own shard finds the other shard by itself through addr gossip (shards in addr) and then gets every report with scope=network at depth 0; with one outbound slot it replaces its own-shard peer and never holds two; an unreachable shard is retried with backoff while the working peer stays.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import type { Report } from '../../src/protocol/types.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { connectAll, createSeededNode, createTestNode, freePort, get, hasItem, post, RawPeer, stopAll, waitFor } from '../helpers/network.ts';

const ORACLE = makeKeys(9601);
const CAP = makeKeys(9602);
const shardOf = (r: Report): number => Number(BigInt(`0x${reportId(r)}`) % 2n);

/** The `shards` member of GET /stats. */
interface Coverage {
  own: { count: number; index: number };
  shards: { shard: { count: number; index: number }; wanted: boolean; outbound: string[]; inbound: number; knownAddresses: number; verified: boolean; retryAt: string | null }[];
}
const coverage = async (n: MegaNode): Promise<Coverage> => ((await get(n, '/stats')).body as { shards: Coverage }).shards;
const outboundOf = (n: MegaNode, index?: number) => n.pool.list().filter((p) => p.direction === 'outbound' && (index === undefined || p.shard?.index === index));

/** Highest number of ready outbound peers `node` held at once, counted from its own pool events. */
function trackOutbound(node: MegaNode): { max: number } {
  const t = { max: 0, now: 0 };
  node.pool.on('peer:connect', (p) => {
    if (p.direction !== 'outbound') return;
    t.now++;
    t.max = Math.max(t.max, t.now);
  });
  node.pool.on('peer:disconnect', (p) => {
    if (p.direction === 'outbound') t.now--;
  });
  return t;
}

describe('shard-aware peering: four nodes on two shards, a trader node with one seed', () => {
  let mesh: MegaNode[] = [];
  const traders: MegaNode[] = [];
  const reports: Report[] = [];
  for (let i = 0; reports.filter((r) => shardOf(r) === 0).length < 2 || reports.filter((r) => shardOf(r) === 1).length < 2; i++) {
    const r = makeReport({ type: 'fact-missing', oraclePubKey: ORACLE.publicKey, capKeys: CAP, args: { n: String(i) }, difficulty: 1 });
    if (reports.filter((x) => shardOf(x) === shardOf(r)).length < 2) reports.push(r);
  }

  before(async () => {
    // A0, B0 store shard 2/0; A1, B1 store 2/1. Pinned: they dial nobody themselves (targetOutbound 0), a full mesh by hand.
    mesh = [
      await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 'sp-a0'),
      await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 'sp-b0'),
      await createTestNode({ shard: { count: 2, index: 1 }, targetOutbound: 0 }, 'sp-a1'),
      await createTestNode({ shard: { count: 2, index: 1 }, targetOutbound: 0 }, 'sp-b1'),
    ];
    await connectAll(mesh);
    const b1 = mesh[3] as MegaNode;
    assert.equal((await post(b1, '/oracle', makeOracle({ keys: ORACLE }))).status, 201, 'expected the oracle admitted');
    assert.equal((await post(b1, '/capability', makeCapability({ oracleKeys: ORACLE, capKeys: CAP, question: 'Q?' }))).status, 201, 'expected the capability admitted');
    await waitFor(() => mesh.every((n) => hasItem(n, 'capability', ORACLE.publicKey + CAP.publicKey)), { message: 'the capability on every node' });
    for (const r of reports) assert.ok([201, 202].includes((await post(b1, '/report', r)).status), 'expected each report admitted or relayed');
    await waitFor(() => reports.every((r) => hasItem(mesh[shardOf(r) === 0 ? 0 : 2] as MegaNode, 'report', reportId(r))), { message: 'each report on a node of its shard' });
  });

  after(() => stopAll([...traders, ...mesh]));

  it('the trader finds a peer of the other shard by itself and scope=network at depth 0 returns every report', async () => {
    const a0 = mesh[0] as MegaNode;
    const t = await createSeededNode(a0, { shard: { count: 2, index: 0 }, targetOutbound: 2 }, 'sp-trader');
    traders.push(t);
    const track = trackOutbound(t);
    await waitFor(() => outboundOf(t, 1).length === 1, { timeoutMs: 15_000, message: 'the trader holds an outbound peer of shard 2/1, learned only from its seed\'s addr' });
    assert.equal(outboundOf(t).length, 2, `expected both outbound slots used (the seed and a 2/1 peer), got ${outboundOf(t).length}`);
    assert.equal(track.max <= 2, true, `expected never more than targetOutbound 2 ready outbound peers, saw ${track.max}`);
    const cov = await coverage(t);
    assert.deepEqual(cov.own, { count: 2, index: 0 }, 'expected /stats to name the own shard');
    const s1 = cov.shards.find((e) => e.shard.count === 2 && e.shard.index === 1);
    assert.equal(s1?.wanted, true, 'expected shard 2/1 wanted');
    assert.equal(s1?.outbound.length, 1, 'expected /stats to show one covering outbound peer of 2/1');
    assert.equal(s1?.knownAddresses, 2, 'expected both 2/1 addresses learned through the seed\'s addr gossip');
    assert.equal(cov.shards.find((e) => e.shard.index === 0)?.wanted, false, 'expected the own shard not wanted (the node stores it itself)');

    await waitFor(() => reports.filter((r) => shardOf(r) === 0).every((r) => hasItem(t, 'report', reportId(r))), { message: 'the trader synced its own shard from its seed' });
    const ids = (body: unknown): string[] => (body as { id: string }[]).map((r) => r.id).sort();
    const all = ids((await get(t, `/reports?pubkey=${ORACLE.publicKey}&scope=network&depth=0`)).body);
    assert.deepEqual(all, reports.map((r) => reportId(r)).sort(), 'expected depth 0 (direct peers only) to return every report of both shards');
  });

  it('with one outbound slot the trader replaces its own-shard seed by a peer of the other shard, never holding two', async () => {
    const a0 = mesh[0] as MegaNode;
    const t = await createSeededNode(a0, { shard: { count: 2, index: 0 }, targetOutbound: 1 }, 'sp-trader1');
    traders.push(t);
    const track = trackOutbound(t);
    await waitFor(() => outboundOf(t, 1).length === 1 && outboundOf(t).length === 1, { timeoutMs: 15_000, message: 'the trader\'s one outbound peer is of shard 2/1' });
    assert.equal(track.max, 1, `expected at most targetOutbound 1 ready outbound peer at any time, saw ${track.max}`);
    await waitFor(() => !a0.pool.list().some((p) => p.httpPort === t.httpPort), { message: 'the seed (own shard, redundant) sees the trader go' });
    assert.equal(outboundOf(t, 0).length, 0, 'expected no outbound peer of the own shard left');
    const near = (await get(t, `/reports?pubkey=${ORACLE.publicKey}&scope=network&depth=0`)).body as { id: string }[];
    const want1 = reports.filter((r) => shardOf(r) === 1).map((r) => reportId(r));
    assert.equal(want1.every((id) => near.some((e) => e.id === id)), true, 'expected the other shard\'s reports one hop away');
  });
});

describe('shard-aware peering: a shard nobody can reach', () => {
  let nodes: MegaNode[] = [];
  let raw: RawPeer | null = null;
  after(async () => {
    raw?.destroy();
    await stopAll(nodes);
  });

  it('is retried with backoff, and the working outbound peer is kept', async () => {
    const seed = await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 'sp-seed');
    nodes.push(seed);
    const t = await createSeededNode(seed, { shard: { count: 2, index: 0 }, targetOutbound: 1 }, 'sp-lonely');
    nodes = [seed, t];
    const track = trackOutbound(t);
    await waitFor(() => outboundOf(t).length === 1, { message: 'the node connected to its seed' });
    const first = outboundOf(t)[0];
    // Gossip an address claiming shard 2/1 where nothing listens.
    const dead = await freePort();
    raw = await RawPeer.connect(t.p2pPort);
    await raw.handshake({ shard: { count: 2, index: 0 } });
    raw.send('addr', { addresses: [{ host: '127.0.0.1', port: dead, seqNo: 1, shard: { count: 2, index: 1 } }] });
    const key = `127.0.0.1:${dead}`;
    await waitFor(() => (t.pool.addrman.get(key)?.failures ?? 0) >= 3, { timeoutMs: 20_000, message: 'three attempts at the unreachable 2/1 address (1 s, then 2 s apart)' });
    const s1 = (await coverage(t)).shards.find((e) => e.shard.index === 1);
    assert.equal(s1?.wanted, true, 'expected the gossiped shard wanted');
    assert.equal(s1?.outbound.length, 0, 'expected it uncovered');
    assert.equal(typeof s1?.retryAt, 'string', 'expected /stats to show when 2/1 is tried next (backing off)');
    assert.equal(Date.parse(s1?.retryAt ?? '') > Date.now(), true, 'expected the retry in the future');
    const now = outboundOf(t);
    assert.equal(now.length, 1, 'expected the seed still the one outbound peer');
    assert.equal(now[0]?.address, first?.address, 'expected the same connection to the seed: a failing probe never costs the working peer');
    assert.equal(now[0]?.connectedSince, first?.connectedSince, 'expected the seed connection never replaced');
    assert.equal(track.max, 1, `expected never more than one ready outbound peer, saw ${track.max}`);
  });
});
