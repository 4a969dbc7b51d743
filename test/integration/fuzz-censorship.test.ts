// test/integration/fuzz-censorship.test.ts - hostile peers that censor or stall (issue #12 items 7, 8, 9, 12), each against real nodes on loopback with pinned topologies (targetOutbound 0: nobody dials what gossip teaches): a cTTL-0 first copy, announce-and-never-serve, inbound slots held by idle or slow connections, bans on whitelisted loopback. Part of `npm run fuzz`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { shortId, versionHash } from '../../src/protocol/ids.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { areConnected, connect, connectAll, createTestNode, hasItem, post, RawPeer, stopAll, waitFor } from '../helpers/network.ts';

/** Anti-entropy off: only relay (and the mechanisms under test) move items. */
const QUIET = { antiEntropyIntervalMs: 3_600_000, targetOutbound: 0 };
const vid = (msg: object): string => shortId(versionHash(msg));
const cttlAt = (n: MegaNode, pubkey: string): number | null | undefined => n.mempool.getByInventoryId('oracle', pubkey)?.cTTL;

describe('#12 item 7: a first copy with cTTL 0 no longer censors an item (line a - b - c, censor on b)', () => {
  const nodes: MegaNode[] = [];
  let a: MegaNode;
  let b: MegaNode;
  let c: MegaNode;
  let censor: RawPeer;

  before(async () => {
    a = await createTestNode(QUIET, 'cttl-a');
    b = await createTestNode(QUIET, 'cttl-b');
    c = await createTestNode(QUIET, 'cttl-c');
    nodes.push(a, b, c);
    await connectAll(nodes, [
      [0, 1],
      [1, 2],
    ]);
    censor = await RawPeer.connect(b.p2pPort, { localAddress: '127.0.0.71' });
    censor.autoPong = true;
    await censor.handshake();
  });

  after(async () => {
    censor.destroy();
    await stopAll(nodes);
  });

  it('3 of 3 honest items pushed first with cTTL 0 by a censor still reach the node behind, with the honest hop count', async () => {
    const items = [81, 82, 83].map((seed) => makeOracle({ keys: makeKeys(seed), cTTL: 5 }));
    for (const o of items) {
      censor.send('oracle', { ...o, cTTL: 0 });
      await waitFor(() => hasItem(b, 'oracle', o.pubkey), { message: 'b stored the censor\'s copy' });
      assert.equal(cttlAt(b, o.pubkey), 0, 'expected b to hold the censor\'s first copy at cTTL 0');
    }
    for (const o of items) assert.equal((await post(a, '/oracle', o)).status, 201, 'expected a to accept the honest item');
    await waitFor(() => items.every((o) => hasItem(c, 'oracle', o.pubkey)), { timeoutMs: 8000, message: () => `items at c: ${items.filter((o) => hasItem(c, 'oracle', o.pubkey)).length}/3` });
    for (const o of items) {
      assert.equal(cttlAt(b, o.pubkey), 4, 'expected b to keep the highest cTTL seen (5 from a, lowered by one hop)');
      assert.equal(cttlAt(c, o.pubkey), 3, 'expected c to store the item two hops from a at cTTL 3');
    }
    assert.equal(b.pool.relay.stats.cttlRaised >= 3, true, `expected b to count 3 raised cTTLs, got ${b.pool.relay.stats.cttlRaised}`);
    assert.equal(censor.closed, false, 'a cTTL is unsigned: a low one is no misbehaviour');
  });

  it('sync is not blinded either: a node joining b later gets the items at their raised cTTL', async () => {
    const d = await createTestNode(QUIET, 'cttl-d');
    nodes.push(d);
    await connect(d, b);
    const keys = [81, 82, 83].map((s) => makeKeys(s).publicKey);
    await waitFor(() => keys.every((k) => hasItem(d, 'oracle', k)), { message: 'the late joiner synced every item from b' });
    for (const k of keys) assert.equal(cttlAt(d, k), 3, 'expected d to get b\'s raised cTTL 4 lowered by one hop');
  });

  it('an unsolicited push of a higher cTTL raises a version held at 0 and announces it (no getdata needed)', async () => {
    const o = makeOracle({ keys: makeKeys(84), cTTL: 5 });
    censor.send('oracle', { ...o, cTTL: 0 });
    await waitFor(() => hasItem(b, 'oracle', o.pubkey), { message: 'b stored the cTTL-0 copy' });
    assert.equal(hasItem(c, 'oracle', o.pubkey), false, 'expected a cTTL-0 copy to stay on b');
    const honest = await RawPeer.connect(b.p2pPort, { localAddress: '127.0.0.72' });
    try {
      await honest.handshake();
      honest.send('oracle', o);
      await waitFor(() => hasItem(c, 'oracle', o.pubkey), { message: 'the item reached c once b saw cTTL 5' });
      assert.equal(cttlAt(b, o.pubkey), 5, 'expected b to keep the pushed cTTL 5');
      assert.equal(cttlAt(c, o.pubkey), 4, 'expected c one hop from b');
    } finally {
      honest.destroy();
    }
  });
});

describe('#12 item 8: a peer that announces and never serves delays an item by seconds, then pays for it', () => {
  const TIMEOUT_MS = 1000;
  const nodes: MegaNode[] = [];
  let a: MegaNode;
  let b: MegaNode;

  before(async () => {
    a = await createTestNode(QUIET, 'stall-a');
    b = await createTestNode({ ...QUIET, getDataTimeoutMs: TIMEOUT_MS, whitelist: [] }, 'stall-b');
    nodes.push(a, b);
    await connect(a, b);
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('after a getdata timeout the next announcer is asked within seconds, and a repeat staller is banned', async () => {
    const staller = await RawPeer.connect(b.p2pPort, { localAddress: '127.0.0.81' });
    staller.autoPong = true; // alive, just never serving
    try {
      await staller.handshake();
      await waitFor(() => b.pool.list().length === 2, { message: 'the staller is connected to b' });
      const keys = makeKeys(91);
      const oracle = makeOracle({ keys });
      staller.send('inv', { items: [vid(oracle)] });
      await waitFor(() => staller.has('getdata'), { message: 'b asked the staller' });
      const t0 = Date.now();
      assert.equal((await post(a, '/oracle', oracle)).status, 201, 'expected a to accept the item');
      await waitFor(() => hasItem(b, 'oracle', keys.publicKey), { timeoutMs: 5000, message: 'b fetched the item from a after the timeout' });
      const delay = Date.now() - t0;
      assert.equal(delay < TIMEOUT_MS + 2000, true, `expected the item within the ${TIMEOUT_MS} ms timeout plus a check interval, took ${delay} ms`);
      assert.equal(b.pool.relay.stats.getDataTimeouts, 1, 'expected exactly one timed-out request');
      assert.equal(staller.closed, false, 'one stall costs ban score, not the connection');

      // Four more announcements it does not serve: 5 x 20 = ban score 100.
      for (let i = 0; i < 4 && !staller.closed; i++) {
        const before = b.pool.relay.stats.getDataTimeouts;
        staller.send('inv', { items: [shortId(String(i).padStart(2, '0').repeat(32))] });
        await waitFor(() => b.pool.relay.stats.getDataTimeouts > before || staller.closed, { timeoutMs: 5000, message: `stall ${i + 2} timed out` });
      }
      await staller.waitClosed();
      assert.equal(b.pool.bans.isBanned('127.0.0.81'), true, 'expected a peer that announces and never serves five times to be banned');
      assert.equal(areConnected(a, b), true, 'expected the honest peer to stay connected');
    } finally {
      staller.destroy();
    }
  });
});

describe('#12 item 9: inbound slots held by idle or slow connections do not lock honest peers out', () => {
  const nodes: MegaNode[] = [];
  const raws: RawPeer[] = [];
  let nextSource = 10;
  /** A hostile connection from its own address (several per address would be refused by maxInboundPerAddress anyway). */
  async function attacker(handshake: boolean): Promise<RawPeer> {
    const r = await RawPeer.connect(nodes[0]!.p2pPort, { localAddress: `127.0.9.${nextSource++}` });
    raws.push(r);
    r.autoPong = true;
    if (handshake) await r.handshake();
    return r;
  }

  before(async () => {
    // 4 connections, 1 of them kept for outbound: 3 inbound slots. Long handshake timeout: slow handshakes hold their slot.
    nodes.push(await createTestNode({ ...QUIET, maxConnections: 4, targetOutbound: 1, p2pseed: [], handshakeTimeoutMs: 30_000, whitelist: [] }, 'slots-v'));
  });

  after(async () => {
    for (const r of raws) r.destroy();
    await stopAll(nodes);
  });

  it('a new honest peer takes the slot of the least useful attacker and keeps it while the attack goes on; outbound slots stay free', async () => {
    const v = nodes[0] as MegaNode;
    const idle = [await attacker(true), await attacker(true)];
    const slow = [await attacker(false), await attacker(false)]; // never handshake
    // The 4th attacker went in place of the oldest handshake, not on top of the limit.
    await slow[0]!.waitClosed();
    assert.equal(v.pool.connectionCount, 3, 'expected the inbound slots (maxConnections 4 less 1 outbound) to stay at 3');
    assert.equal(idle.every((r) => !r.closed), true, 'expected a handshaking connection to go before ready ones');
    assert.equal(slow[1]!.closed, false, 'expected the newcomer to keep the slot it took');

    const honest = await createTestNode(QUIET, 'slots-h');
    nodes.push(honest);
    const keys = makeKeys(95);
    assert.equal((await post(honest, '/oracle', makeOracle({ keys }))).status, 201, 'expected the honest node to hold an item v lacks');
    await connect(honest, v);
    await waitFor(() => hasItem(v, 'oracle', keys.publicKey), { message: 'v synced the honest peer\'s item' });

    // The attack goes on: each newcomer evicts another attacker, never the peer that delivered.
    for (let i = 0; i < 6; i++) await attacker(i % 2 === 0);
    await waitFor(() => v.pool.connectionCount <= 3, { message: 'evictions keep inbound at its limit' });
    assert.equal(areConnected(honest, v), true, 'expected the honest peer that delivered an item to survive the attack');

    // The outbound slot was never taken by inbound connections: v can still dial a node of its choosing.
    const chosen = await createTestNode(QUIET, 'slots-o');
    nodes.push(chosen);
    await connect(v, chosen);
    assert.equal(areConnected(v, chosen), true, 'expected v\'s outbound connection to succeed with every inbound slot taken');
  });
});

describe('#12 item 12: misbehaving whitelisted (loopback by default) peers are disconnected, never banned', () => {
  const nodes: MegaNode[] = [];

  before(async () => {
    nodes.push(await createTestNode(QUIET, 'wl-default'));
    nodes.push(await createTestNode({ ...QUIET, whitelist: ['127.0.0.91/32', '::1'] }, 'wl-narrow'));
  });

  after(async () => {
    await stopAll(nodes);
  });

  it('default whitelist: a bad frame from loopback closes the connection, and the next one from that address is served', async () => {
    const [v] = nodes as [MegaNode];
    const bad = await RawPeer.connect(v.p2pPort, { localAddress: '127.0.0.90' });
    bad.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await bad.waitClosed();
    assert.equal(v.pool.bans.isBanned('127.0.0.90'), false, 'expected loopback (whitelisted by default) never to be banned');
    const again = await RawPeer.connect(v.p2pPort, { localAddress: '127.0.0.90' });
    try {
      await again.handshake();
      assert.equal(again.closed, false, 'expected a reconnect from the same loopback address to be served');
    } finally {
      again.destroy();
    }
  });

  it('a whitelist of one address: that address is only disconnected, another loopback address is banned', async () => {
    const [, v] = nodes as [MegaNode, MegaNode];
    for (const [source, banned] of [['127.0.0.91', false], ['127.0.0.92', true]] as const) {
      const r = await RawPeer.connect(v.p2pPort, { localAddress: source });
      r.write(Buffer.from('garbage that is no frame at all....'));
      await r.waitClosed();
      assert.equal(v.pool.bans.isBanned(source), banned, `expected ${source} banned=${banned}`);
    }
  });
});
