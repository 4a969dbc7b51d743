// test/integration/p2p-relay.test.ts - real nodes on loopback: relay of every entity kind by REST and by P2P push, sync of a late joiner, no echo, cTTL hop limit, GET /peers, inventory as short version ids (a replaced version is notfound).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { shortId } from '../../src/protocol/ids.ts';
import { versionHash } from '../../src/protocol/ids.ts';
import type { OracleId } from '../../src/protocol/types.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { areConnected, connect, connectAll, contents, createSeededNode, createTestNode, get, hasItem, isPeerOf, post, RawPeer, stopAll, waitFor } from '../helpers/network.ts';
import { LAZY_MIN_AGE_MS, LAZY_ROUND_MS, TREE_MIN_CTTL } from '../../src/p2p/constants.ts';

const O = makeKeys(11);
const C = makeKeys(111);
const ARGS = { city: 'Berlin', day: '2024-06-01' };
/** The short version id inventory names a message by (docs/PROTOCOL.md 11.6). */
const vid = (msg: object): string => shortId(versionHash(msg));

describe('p2p: three nodes shaped like mempool-cfg*.json (2 and 3 seeded with 1)', () => {
  const nodes: MegaNode[] = [];
  let n1: MegaNode;
  let n2: MegaNode;
  let n3: MegaNode;

  before(async () => {
    // Fixed topology (n2 - n1 - n3, later n4 - n2): nobody dials addresses learned by gossip, so
    // the peer counts asserted below cannot race with extra connections.
    n1 = await createTestNode({ targetOutbound: 0 }, 'n1');
    nodes.push(n1);
    n2 = await createSeededNode(n1, { targetOutbound: 1 }, 'n2');
    nodes.push(n2);
    n3 = await createSeededNode(n1, { targetOutbound: 1 }, 'n3');
    nodes.push(n3);
    await waitFor(() => isPeerOf(n1, n2) && isPeerOf(n2, n1) && isPeerOf(n1, n3) && isPeerOf(n3, n1), { message: 'n2 and n3 connected to their seed n1' });
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('an oracle posted on node 1 reaches nodes 2 and 3, then a capability, a report and a dispute posted elsewhere reach every node', async () => {
    const all = (kind: 'oracle' | 'capability' | 'report' | 'dispute', id: string) => () => nodes.every((n) => hasItem(n, kind, id));

    assert.equal((await post(n1, '/oracle', makeOracle({ keys: O }))).status, 201);
    await waitFor(all('oracle', O.publicKey), { message: 'oracle on every node' });

    // Posted on node 2: node 3 gets it two hops away, through node 1.
    assert.equal((await post(n2, '/capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it rain?' }))).status, 201);
    await waitFor(all('capability', O.publicKey + C.publicKey), { message: 'capability on every node' });

    const report = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, payment: { proof: 'paid' } });
    const rid = reportId(report);
    assert.equal((await post(n3, '/report', report)).status, 201);
    await waitFor(all('report', rid), { message: 'report on every node' });

    const dispute = makeDispute({ reportId: rid, oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'no rain' }) });
    assert.equal((await post(n2, '/dispute', dispute)).status, 201);
    await waitFor(all('dispute', rid), { message: 'dispute on every node' });

    const c1 = contents(n1);
    assert.equal(c1.length, 4);
    assert.deepEqual(contents(n2), c1);
    assert.deepEqual(contents(n3), c1);
    // Every copy is the same version (same signature, PoW and content; only cTTL is lowered per hop).
    const reports = (await get(n3, `/reports?pubkey=${O.publicKey}`)).body as { id: string; dispute: unknown }[];
    assert.deepEqual(reports.map((r) => [r.id, r.dispute]), [[rid, dispute]]);
  });

  it('a fourth node started later receives the whole existing mempool (sync on join)', async () => {
    // targetOutbound 1: n4 keeps to its seed and does not also dial node 1, whose address n2 gossips to it
    // (so node 1's peer list stays exactly nodes 2 and 3 for the GET /peers test).
    const n4 = await createSeededNode(n2, { targetOutbound: 1 }, 'n4');
    nodes.push(n4);
    await waitFor(() => contents(n4).length === 4, { message: () => `late joiner has ${contents(n4).length}/4 items` });
    assert.deepEqual(contents(n4), contents(n1));
  });

  it('an entity pushed unsolicited by a peer after the handshake is admitted and relayed like getdata, and not echoed back', async () => {
    const reasons: string[] = [];
    n2.pool.on('peer:disconnect', (p, why) => reasons.push(`${p.address} ${why}`));
    const raw = await RawPeer.connect(n2.p2pPort);
    raw.autoPong = true; // a silent raw peer would be dropped as idle while the test waits
    try {
      await raw.handshake();
      await waitFor(() => n2.pool.list().length === 3, { message: 'the raw peer is listed by node 2' });
      const keys = makeKeys(12);
      const pushed = makeOracle({ keys });
      raw.send('oracle', pushed);
      await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', keys.publicKey)), { message: () => 'pushed oracle on every node: ' + JSON.stringify(nodes.map((n) => [hasItem(n, 'oracle', keys.publicKey), n.service.intakeBacklog().entities, n.pool.list().length, n.pool.relay.stats])) + ' raw closed ' + raw.closed + ' ' + JSON.stringify(reasons) });
      // Node 2 announced it to its other peers at once; the sender already has it, so gets no inv for it.
      const invIds = raw.frames.filter((f) => f.command === 'inv').flatMap((f) => (f.payload as { items: string[] }).items);
      assert.equal(invIds.includes(vid(pushed)), false);
      // The peer asks for the whole inventory (sync on join from its side) and gets every item as inv:
      // its short version id, and nothing else.
      raw.send('mempool');
      const want = contents(n2).map((line) => line.split(':')[2] as string);
      assert.equal(want.includes(vid(pushed)), true);
      const announced = (): string[] =>
        raw.frames
          .filter((f) => f.command === 'inv')
          .flatMap((f) => (f.payload as { items: string[] }).items)
          .sort();
      await waitFor(() => announced().length >= want.length, { message: 'inventory answer to mempool' });
      assert.deepEqual(announced(), want.sort());
      for (const item of announced()) assert.match(item, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(raw.closed, false);
    } finally {
      raw.destroy();
    }
  });

  it('GET /peers lists every peer with address, direction, user agent, shard, connected since, bytes in and out, last seen, relay', async () => {
    await waitFor(() => n1.pool.list().length === 2, { message: () => 'node 1 has its two seeded peers: ' + JSON.stringify(n1.pool.list().map((p) => [p.address, p.direction])) });
    const { status, body } = await get(n1, '/peers');
    assert.equal(status, 200);
    assert.equal(Array.isArray(body), true);
    const peers = body as Record<string, unknown>[];
    assert.equal(peers.length, 2);
    for (const p of peers) {
      assert.deepEqual(Object.keys(p).sort(), ['address', 'bytesIn', 'bytesOut', 'connectedSince', 'direction', 'lastSeen', 'relay', 'shard', 'userAgent']);
      assert.equal(['eager', 'lazy'].includes(p.relay as string), true, `expected relay eager or lazy, got ${String(p.relay)}`);
      assert.match(p.address as string, /^127\.0\.0\.1:\d+$/);
      assert.equal(p.direction, 'inbound'); // nodes 2 and 3 dialed their seed
      assert.match(p.userAgent as string, /^\/mega:\d+\.\d+\.\d+.*\/$/);
      assert.deepEqual(p.shard, { count: 1, index: 0 });
      assert.equal(typeof p.bytesIn === 'number' && p.bytesIn > 0, true);
      assert.equal(typeof p.bytesOut === 'number' && p.bytesOut > 0, true);
      for (const k of ['connectedSince', 'lastSeen']) {
        assert.match(p[k] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(Date.parse(p[k] as string) <= Date.now(), true);
      }
    }
    const n2Port = n2.pool.list().find((p) => p.httpPort === n1.httpPort);
    assert.equal(n2Port?.direction, 'outbound');
    assert.equal(n2Port?.address, `127.0.0.1:${n1.p2pPort}`);
  });
});

describe('p2p: relay without echo in a full mesh', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    // No anti-entropy during the test: only relay moves items, so every transfer is counted.
    for (let i = 0; i < 3; i++) nodes.push(await createTestNode({ antiEntropyIntervalMs: 3_600_000, targetOutbound: 0 }, `mesh${i}`));
    await connectAll(nodes);
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('each item is fetched exactly once by each other node and never sent back to its origin', async () => {
    const [a, b, c] = nodes as [MegaNode, MegaNode, MegaNode];
    const received = () => nodes.map((n) => n.pool.relay.stats.itemsReceived);
    const sent = () => nodes.map((n) => n.pool.relay.stats.itemsSent);
    const r0 = received();
    const s0 = sent();
    const k1 = makeKeys(21);
    const k2 = makeKeys(22);

    assert.equal((await post(a, '/oracle', makeOracle({ keys: k1 }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', k1.publicKey)), { message: 'first oracle everywhere' });
    // A second item from another origin is the barrier: anything still travelling about the first
    // (a late inv, an echo) was queued on the same connections before it.
    assert.equal((await post(c, '/oracle', makeOracle({ keys: k2 }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', k2.publicKey)), { message: 'second oracle everywhere' });

    const dr = received().map((v, i) => v - (r0[i] as number));
    const ds = sent().map((v, i) => v - (s0[i] as number));
    // a got only the second item, b both, c only the first: never an item it already had.
    assert.deepEqual(dr, [1, 2, 1]);
    // Two items, two receivers each: four transfers in all.
    assert.equal(ds.reduce((x, y) => x + y, 0), 4);
    assert.equal(b.pool.list().length, 2);
  });
});

describe('p2p: the push tree (triangle, versions at a tree hop budget, anti-entropy off)', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    for (let i = 0; i < 3; i++) nodes.push(await createTestNode({ antiEntropyIntervalMs: 3_600_000, targetOutbound: 0 }, `tree${i}`));
    await connectAll(nodes);
  });

  after(async () => {
    await stopAll(nodes);
  });

  /** A hop budget the push tree relays (PROTOCOL 11.7). */
  const TREE = TREE_MIN_CTTL + 8;
  /** How `from` relays to `to` (its GET /peers `relay`), or null when they are not connected. */
  const relayOf = (from: MegaNode, to: MegaNode): string | null => from.pool.list().find((p) => p.httpPort === to.httpPort)?.relay ?? null;

  it('the first item floods and prunes the redundant edge; the next travels the tree: each other node receives it once, its origin never', async () => {
    const [a, , c] = nodes as [MegaNode, MegaNode, MegaNode];
    const keyBase = 60;
    const received = () => nodes.map((n) => n.pool.relay.stats.itemsReceived);
    const sent = () => nodes.map((n) => n.pool.relay.stats.itemsSent);
    const total = (f: (n: MegaNode) => number): number => nodes.reduce((x, n) => x + f(n), 0);
    const k1 = makeKeys(keyBase + 1);
    const k2 = makeKeys(keyBase + 2);

    // Every edge starts eager (PROTOCOL 11.7): the first item reaches the two others from the origin
    // and crosses the third edge as a duplicate, which prunes it.
    assert.equal((await post(a, '/oracle', makeOracle({ keys: k1, cTTL: TREE }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', k1.publicKey)), { message: 'first oracle everywhere' });
    await waitFor(() => total((n) => n.pool.relay.stats.prunesSent) >= 1 && total((n) => n.pool.relay.stats.prunesReceived) === total((n) => n.pool.relay.stats.prunesSent), {
      message: () => `expected the duplicate to prune an edge and every prune to arrive: ${JSON.stringify(nodes.map((n) => n.pool.relay.stats))}`,
    });

    const r0 = received();
    const s0 = sent();
    assert.equal((await post(c, '/oracle', makeOracle({ keys: k2, cTTL: TREE }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', k2.publicKey)), { message: 'second oracle everywhere' });
    // A third item from the first origin is the barrier: anything still travelling about the second (an echo) was queued on the same connections before it.
    const k3 = makeKeys(keyBase + 3);
    assert.equal((await post(a, '/oracle', makeOracle({ keys: k3, cTTL: TREE }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', k3.publicKey)), { message: 'third oracle everywhere' });

    const dr = received().map((v, i) => v - (r0[i] as number));
    const ds = sent().map((v, i) => v - (s0[i] as number));
    // Items 2 (from c) and 3 (from a) along the two tree edges: a gets item 2, b both, c item 3; never an item it already had.
    assert.deepEqual(dr, [1, 2, 1], 'expected each item received once by each node but its origin');
    // Two items, two receivers each: four transfers in all.
    assert.equal(ds.reduce((x, y) => x + y, 0), 4, 'expected four entity frames sent for two items on a tree of three nodes');
    assert.equal(total((n) => n.pool.relay.stats.prunesSent), total((n) => n.pool.relay.stats.prunesReceived), 'expected no duplicate once the tree formed');
  });

  it('when the tree is cut, the node left behind hears of the next item in a lazy round, fetches it and grafts the lazy edge', async () => {
    const [a] = nodes as [MegaNode, MegaNode, MegaNode];
    assert.equal((await post(a, '/oracle', makeOracle({ keys: makeKeys(24), cTTL: TREE }))).status, 201);
    await waitFor(() => nodes.every((n) => hasItem(n, 'oracle', makeKeys(24).publicKey)), { message: 'first oracle everywhere' });
    // The duplicate prunes one edge of the triangle, on both ends.
    const lazyPair = (): [MegaNode, MegaNode] | undefined => {
      for (const x of nodes) for (const y of nodes) if (x !== y && relayOf(x, y) === 'lazy' && relayOf(y, x) === 'lazy') return [x, y];
      return undefined;
    };
    await waitFor(() => lazyPair() !== undefined, { message: () => `expected one edge lazy on both ends: ${JSON.stringify(nodes.map((n) => n.pool.list().map((p) => [p.httpPort, p.relay])))}` });
    const [x, y] = lazyPair() as [MegaNode, MegaNode];
    const z = nodes.find((n) => n !== x && n !== y) as MegaNode;
    assert.equal(relayOf(z, x), 'eager', 'expected the third node to push to both (the tree is x - z - y)');
    assert.equal(relayOf(z, y), 'eager');

    // Cut the tree between x and z: x is left with its lazy edge to y only.
    const zAddr = x.pool.list().find((p) => p.httpPort === z.httpPort)?.address as string;
    assert.equal(x.pool.disconnect(zAddr), 1, 'expected the x - z connection closed');
    await waitFor(() => !areConnected(x, z), { message: 'x and z disconnected' });
    const graftsBefore = x.pool.relay.stats.graftsSent;
    const getdataBefore = x.pool.relay.stats.getDataSent;
    const k = makeKeys(25);
    const t0 = Date.now();
    assert.equal((await post(y, '/oracle', makeOracle({ keys: k, cTTL: TREE }))).status, 201);
    await waitFor(() => hasItem(x, 'oracle', k.publicKey), { timeoutMs: LAZY_MIN_AGE_MS + 3 * LAZY_ROUND_MS + 2000, message: 'x got the item through the lazy edge' });
    const took = Date.now() - t0;
    assert.equal(took >= LAZY_MIN_AGE_MS - 100, true, `expected the item to wait for a lazy round (at least ${LAZY_MIN_AGE_MS} ms), took ${took} ms`);
    assert.equal(x.pool.relay.stats.getDataSent, getdataBefore + 1, 'expected x to fetch the item it was told of');
    assert.equal(x.pool.relay.stats.graftsSent, graftsBefore + 1, 'expected x to graft the edge that brought the item');
    await waitFor(() => relayOf(x, y) === 'eager' && relayOf(y, x) === 'eager', { message: 'x - y eager on both ends after the graft' });

    // The repaired tree pushes the next item at once.
    const k2 = makeKeys(26);
    assert.equal((await post(y, '/oracle', makeOracle({ keys: k2, cTTL: TREE }))).status, 201);
    await waitFor(() => hasItem(x, 'oracle', k2.publicKey), { message: 'x got the next item pushed' });
    assert.equal(x.pool.relay.stats.getDataSent, getdataBefore + 1, 'expected the next item pushed, not fetched');
  });
});

describe('p2p: cTTL is a hop limit (line a - b - c, anti-entropy off)', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    // targetOutbound 0: nobody dials addresses learned from inbound peers or gossip, so a and c are
    // never connected directly and the line holds whatever the timing (issue #13).
    for (const name of ['a', 'b', 'c']) nodes.push(await createTestNode({ antiEntropyIntervalMs: 3_600_000, targetOutbound: 0 }, `ttl-${name}`));
    // Connected before anything is posted: the sync on join has nothing to carry.
    await connectAll(nodes, [
      [0, 1],
      [1, 2],
    ]);
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('cTTL 0 stays on its node, cTTL 1 reaches the neighbour only, and each hop lowers cTTL by one', async () => {
    const [a, b, c] = nodes as [MegaNode, MegaNode, MegaNode];
    const k0 = makeKeys(30);
    const k1 = makeKeys(31);
    const k5 = makeKeys(35);
    assert.equal((await post(a, '/oracle', makeOracle({ keys: k0, cTTL: 0 }))).status, 201);
    assert.equal((await post(a, '/oracle', makeOracle({ keys: k1, cTTL: 1 }))).status, 201);
    await waitFor(() => hasItem(b, 'oracle', k1.publicKey), { message: 'cTTL-1 oracle at the neighbour' });
    assert.equal(b.mempool.getByInventoryId('oracle', k1.publicKey)?.cTTL, 0);
    // Barrier: a later item that travels both hops; anything b would relay of the earlier ones was sent to c before it.
    assert.equal((await post(a, '/oracle', makeOracle({ keys: k5, cTTL: 5 }))).status, 201);
    await waitFor(() => hasItem(c, 'oracle', k5.publicKey), { message: 'cTTL-5 oracle two hops away' });
    assert.equal(b.mempool.getByInventoryId('oracle', k5.publicKey)?.cTTL, 4);
    assert.equal(c.mempool.getByInventoryId('oracle', k5.publicKey)?.cTTL, 3);
    assert.equal(hasItem(c, 'oracle', k1.publicKey), false);
    assert.equal(hasItem(b, 'oracle', k0.publicKey), false);
    assert.equal(hasItem(c, 'oracle', k0.publicKey), false);
    assert.equal(a.mempool.getByInventoryId('oracle', k0.publicKey)?.cTTL, 0);
  });

  it('sync honours the hop limit too: a node joining b later gets every item b holds except those at cTTL 0', async () => {
    const [a, b] = nodes as [MegaNode, MegaNode, MegaNode];
    const d = await createTestNode({ antiEntropyIntervalMs: 3_600_000, targetOutbound: 0 }, 'ttl-d');
    nodes.push(d);
    await connect(d, b);
    // One inventory answer lists everything b would share; the cTTL-4 oracle arriving means that answer was processed.
    await waitFor(() => hasItem(d, 'oracle', makeKeys(35).publicKey), { message: 'late joiner got the cTTL-4 oracle' });
    assert.equal(d.mempool.getByInventoryId('oracle', makeKeys(35).publicKey)?.cTTL, 3);
    assert.equal(hasItem(d, 'oracle', makeKeys(31).publicKey), false); // b holds it at cTTL 0
    assert.equal(hasItem(b, 'oracle', makeKeys(31).publicKey), true);
    assert.equal(hasItem(a, 'oracle', makeKeys(31).publicKey), true);
  });
});

describe('p2p: orphan pool', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    // Anti-entropy effectively off: nothing but the orphan pool can bring a refused item back.
    for (const name of ['a', 'b']) nodes.push(await createTestNode({ antiEntropyIntervalMs: 3_600_000, targetOutbound: 0 }, `orphan-${name}`));
    await connectAll(nodes);
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('an item refused because its oracle was still in flight is admitted as soon as the oracle arrives (orphan pool)', async () => {
    const [a, b] = nodes as [MegaNode, MegaNode];
    const o = makeKeys(42);
    const cKeys = makeKeys(142);
    const oracle = makeOracle({ keys: o });
    const cap = makeCapability({ oracleKeys: o, capKeys: cKeys, question: 'Anti-entropy?' });
    const refused: string[] = [];
    b.service.on('admission', (r) => {
      if (r.status === 'rejected') refused.push(`${r.kind}:${r.reason}`);
    });
    // A raw peer announces the oracle first and holds it back: b requests it from that peer only.
    const raw = await RawPeer.connect(b.p2pPort);
    try {
      await raw.handshake();
      raw.send('inv', { items: [vid(oracle)] });
      await waitFor(() => raw.has('getdata'), { message: 'b asked the raw peer for the oracle' });
      // a relays oracle and capability; b skips the oracle (in flight elsewhere) and must refuse the capability for now.
      assert.equal((await post(a, '/oracle', oracle)).status, 201);
      assert.equal((await post(a, '/capability', cap)).status, 201);
      await waitFor(() => refused.includes('capability:unknown-oracle'), { message: 'b refused the capability for want of its oracle' });
      assert.equal(hasItem(b, 'capability', o.publicKey + cKeys.publicKey), false);
      raw.send('oracle', oracle);
      await waitFor(() => hasItem(b, 'oracle', o.publicKey), { message: 'the raw peer delivered the oracle' });
      // The kept capability is re-queued when its oracle is stored (service/intake.ts release). Anti-entropy is off
      // on these nodes and a does not announce it again, so the orphan pool is the only way it can be admitted now.
      await waitFor(() => hasItem(b, 'capability', o.publicKey + cKeys.publicKey), { message: 'the kept capability admitted after its oracle, from the orphan pool' });
    } finally {
      raw.destroy();
    }
    await waitFor(() => JSON.stringify(contents(b)) === JSON.stringify(contents(a)), { message: 'a and b hold the same items' });
  });
});

describe('p2p: periodic anti-entropy', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    for (const name of ['a', 'b']) nodes.push(await createTestNode({ antiEntropyIntervalMs: 1000, targetOutbound: 0 }, `ae-${name}`));
    await connectAll(nodes);
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('asks a connected peer for its inventory again every antiEntropyIntervalMs and fetches what it lacks', async () => {
    const [, b] = nodes as [MegaNode, MegaNode];
    const o = makeKeys(43);
    const oracle = makeOracle({ keys: o });
    const raw = await RawPeer.connect(b.p2pPort);
    raw.autoPong = true;
    try {
      await raw.handshake();
      const mempoolRequests = (): number => raw.frames.filter((f) => f.command === 'mempool').length;
      await waitFor(() => mempoolRequests() >= 1, { message: 'sync on join: b asked for our inventory' });
      const first = mempoolRequests();
      // We answer only the next, periodic request with an oracle b has never seen.
      await waitFor(() => mempoolRequests() > first, { timeoutMs: 15_000, message: 'a periodic anti-entropy request' });
      raw.send('inv', { items: [vid(oracle)] });
      await waitFor(() => raw.has('getdata'), { message: 'b asked for the missing oracle' });
      assert.deepEqual(raw.frames.find((f) => f.command === 'getdata')?.payload, { items: [vid(oracle)] });
      raw.send('oracle', oracle);
      await waitFor(() => hasItem(b, 'oracle', o.publicKey), { message: 'b stored what the inventory exchange revealed' });
    } finally {
      raw.destroy();
    }
  });
});

describe('p2p: inventory names versions by short id (docs/PROTOCOL.md 11.6, 11.7)', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    // One node and raw peers: every inv, getdata and notfound is seen as sent.
    nodes.push(await createTestNode({ antiEntropyIntervalMs: 3_600_000, targetOutbound: 0 }, 'inv-a'));
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('announces a new version as its short id; getdata for a replaced version is notfound while the new one is served', async () => {
    const [a] = nodes as [MegaNode];
    const raw = await RawPeer.connect(a.p2pPort);
    raw.autoPong = true;
    try {
      await raw.handshake();
      await waitFor(() => a.pool.list().length === 1, { message: 'the raw peer is connected' });
      const keys = makeKeys(51);
      const v1 = makeOracle({ keys, seqNo: 1 });
      const v2 = makeOracle({ keys, seqNo: 2 });
      const invItems = (): string[] => raw.frames.filter((f) => f.command === 'inv').flatMap((f) => (f.payload as { items: string[] }).items);

      assert.equal((await post(a, '/oracle', v1)).status, 201);
      await waitFor(() => invItems().includes(vid(v1)), { message: 'the first version announced by its short id' });
      assert.equal((await post(a, '/oracle', v2)).status, 201);
      await waitFor(() => invItems().includes(vid(v2)), { message: 'the second version announced by its own short id' });
      assert.notEqual(vid(v1), vid(v2));
      assert.equal(a.service.getItemByShortId(vid(v1)), undefined);
      assert.equal((a.service.getItemByShortId(vid(v2))?.msg as OracleId | undefined)?.seqNo, 2);

      // Ask for both versions and for one that never existed, in one getdata.
      const unknown = shortId('00'.repeat(32));
      raw.send('getdata', { items: [vid(v1), vid(v2), unknown] });
      await waitFor(() => raw.has('notfound') && raw.has('oracle'), { message: 'an oracle and a notfound' });
      const sent = raw.frames.filter((f) => f.command === 'oracle').map((f) => f.payload as { seqNo: number; cTTL: number });
      assert.deepEqual(sent.map((o) => o.seqNo), [2]);
      assert.equal(sent[0]?.cTTL, v2.cTTL - 1); // lowered by one hop, same version
      assert.equal(vid(sent[0] as object), vid(v2));
      const notfound = raw.frames.filter((f) => f.command === 'notfound').map((f) => f.payload);
      assert.deepEqual(notfound, [{ items: [vid(v1), unknown] }]);
      assert.equal(raw.closed, false);
    } finally {
      raw.destroy();
    }
  });

  it('inv: skips what it stores in that very version and requests the rest with one getdata of short ids', async () => {
    const [a] = nodes as [MegaNode];
    const stored = makeOracle({ keys: makeKeys(52), seqNo: 1 });
    assert.equal((await post(a, '/oracle', stored)).status, 201);
    const newer = makeOracle({ keys: makeKeys(52), seqNo: 2 });
    const fresh = makeOracle({ keys: makeKeys(53) });
    const raw = await RawPeer.connect(a.p2pPort);
    raw.autoPong = true;
    try {
      await raw.handshake();
      await waitFor(() => a.pool.list().length === 1, { message: 'the raw peer is connected' });
      // The same id twice in one inv is requested once.
      raw.send('inv', { items: [vid(stored), vid(newer), vid(fresh), vid(fresh)] });
      await waitFor(() => raw.has('getdata'), { message: 'a asked for what it lacks' });
      assert.deepEqual(raw.frames.filter((f) => f.command === 'getdata').map((f) => f.payload), [{ items: [vid(newer), vid(fresh)] }]);
      raw.send('oracle', newer);
      raw.send('oracle', fresh);
      await waitFor(() => a.service.getItemByShortId(vid(newer)) !== undefined && hasItem(a, 'oracle', makeKeys(53).publicKey), { message: 'both delivered' });
      assert.equal((a.mempool.getByInventoryId('oracle', makeKeys(52).publicKey)?.msg as OracleId | undefined)?.seqNo, 2);
      assert.equal(raw.closed, false);
    } finally {
      raw.destroy();
    }
  });
});

describe('p2p: getdata is paced by the requester\'s reading, never dropped for a full send buffer', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    // Long keepalive: the raw peer below stops reading for a while and must not be dropped as silent.
    nodes.push(await createTestNode({ antiEntropyIntervalMs: 3_600_000, p2pKeepAlive: 30_000, targetOutbound: 0 }, 'pace-a'));
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('a peer asking for far more than the 16 MiB send buffer while not reading gets it all once it reads', async () => {
    const [a] = nodes as [MegaNode];
    const oracle = makeOracle({ keys: makeKeys(61) });
    assert.equal((await post(a, '/oracle', oracle)).status, 201);
    const raw = await RawPeer.connect(a.p2pPort);
    try {
      await raw.handshake();
      await waitFor(() => a.pool.list().length === 1, { message: 'the raw peer is connected' });
      // 60 getdata of 1000 copies each: about 30 MB of oracle frames, more than the kernel buffers
      // and the 16 MiB send-buffer limit together. Written at once, it would get us dropped.
      raw.socket.pause();
      const ids = Array.from({ length: 1000 }, () => vid(oracle));
      for (let i = 0; i < 60; i++) raw.send('getdata', { items: ids });
      await waitFor(() => a.pool.relay.getDataBacklog > 0, { message: 'a stopped writing and queued the rest' });
      assert.equal(raw.closed, false);
      raw.socket.resume();
      const served = (): number => raw.frames.filter((f) => f.command === 'oracle').length;
      await waitFor(() => served() === 60_000, { timeoutMs: 60_000, message: () => `all copies served (${served()}/60000)` });
      assert.equal(a.pool.relay.getDataBacklog, 0);
      assert.equal(raw.has('notfound'), false);
      assert.equal(raw.closed, false);
      assert.equal(a.pool.list().length, 1);
    } finally {
      raw.destroy();
    }
  });
});
