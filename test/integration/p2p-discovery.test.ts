// test/integration/p2p-discovery.test.ts - real nodes on loopback: self-connection, wrong network, seed redial with backoff, maxConnections, addr gossip.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { areConnected, createSeededNode, createTestNode, freePort, isPeerOf, stopAll, waitFor } from '../helpers/network.ts';

/** Is every address in the node's book waiting out a backoff (i.e. the last dial of each failed)? */
function allBackingOff(node: MegaNode): boolean {
  return node.pool.addrman.size > 0 && node.pool.addrman.candidates(() => false).length === 0;
}

describe('p2p: discovery and connection limits', () => {
  const nodes: MegaNode[] = [];
  const track = (n: MegaNode): MegaNode => {
    nodes.push(n);
    return n;
  };

  after(async () => {
    await stopAll(nodes);
  });

  it('a node that dials its own port sees its own nonce and ends up with no peers', async () => {
    const n = track(await createTestNode({}, 'self'));
    n.pool.connect('127.0.0.1', n.p2pPort);
    await waitFor(() => n.pool.addrman.isSelf(`127.0.0.1:${n.p2pPort}`), { message: 'the dialed address is recognised as ourselves' });
    assert.deepEqual(n.pool.list(), []);
    assert.equal(n.pool.bans.size, 0); // talking to yourself is no offence
  });

  it('an outbound peer that worked and then closed is a disconnect, not a dial failure (no backoff growth)', async () => {
    const b = track(await createTestNode({}, 'closer'));
    const a = track(await createSeededNode(b, {}, 'dialer'));
    const key = `127.0.0.1:${b.p2pPort}`;
    for (let round = 1; round <= 3; round++) {
      await waitFor(() => areConnected(a, b), { message: `round ${round}: a dials its seed b again` });
      b.pool.disconnect('127.0.0.1');
      await waitFor(() => !isPeerOf(a, b), { message: `round ${round}: a saw the connection close` });
      assert.equal(a.pool.addrman.get(key)?.failures, 0, `round ${round}: a completed handshake then a close must not count as a dial failure`);
    }
  });

  it('a regtest node dialing a testnet node: the connection ends, no peer on either side', async () => {
    const reg = track(await createTestNode({ network: 'regtest' }, 'reg'));
    const test = track(await createTestNode({ network: 'testnet' }, 'test'));
    reg.pool.connect('127.0.0.1', test.p2pPort);
    // Each side sees another Mega network's magic as the first bytes: the connection is cut at once
    // (in the same data callback that counts the bytes), but nobody is banned: it is a misconfigured
    // node, and banning would cut every other node behind the same address.
    await waitFor(() => test.pool.totals().bytesIn > 0 && reg.pool.totals().bytesIn > 0, { message: 'both sides received the foreign version frame' });
    assert.deepEqual(reg.pool.list(), []);
    assert.deepEqual(test.pool.list(), []);
    assert.equal(test.pool.bans.isBanned('127.0.0.1'), false, "expected '127.0.0.1' not banned");
    assert.equal(reg.pool.bans.isBanned('127.0.0.1'), false, "expected '127.0.0.1' not banned");
  });

  it('a seed that is down at start is redialed with backoff and connected once it comes up', async () => {
    const port = await freePort();
    const n = track(await createTestNode({ p2pseed: [{ server: '127.0.0.1', port }] }, 'waiting'));
    await waitFor(() => allBackingOff(n), { message: 'the first dial of the seed failed' });
    assert.deepEqual(n.pool.list(), []);
    const seed = track(await createTestNode({ p2pPort: port }, 'late-seed'));
    assert.equal(seed.p2pPort, port);
    await waitFor(() => areConnected(n, seed), { timeoutMs: 15_000, message: 'connected to the seed after it came up' });
    assert.equal(n.pool.list()[0]?.direction, 'outbound');
  });

  it('maxConnections 1: a second peer is refused while the first is connected, and admitted once it leaves', async () => {
    const full = track(await createTestNode({ maxConnections: 1, targetOutbound: 0 }, 'full')); // no outbound slot reserved: its one slot is inbound
    const first = track(await createSeededNode(full, {}, 'first'));
    await waitFor(() => areConnected(full, first), { message: 'first peer connected' });
    const second = track(await createSeededNode(full, {}, 'second'));
    // The TCP connection is accepted by the OS, then closed by the node before the handshake: the seed goes into backoff.
    await waitFor(() => second.pool.totals().bytesOut > 0 && allBackingOff(second), { message: 'second peer tried and was refused' });
    assert.deepEqual(second.pool.list(), []);
    assert.equal(full.pool.list().length, 1);
    assert.equal(isPeerOf(full, first), true, 'expected isPeerOf(full, first) to be true');

    await first.stop();
    await waitFor(() => areConnected(full, second), { timeoutMs: 15_000, message: 'second peer admitted after the first left' });
    assert.equal(full.pool.list().length, 1);
  });

  it('addr gossip: nodes that announce a hostname are introduced to each other through their common seed', async () => {
    const hub = track(await createTestNode({ hostname: '127.0.0.1' }, 'hub'));
    const left = track(await createSeededNode(hub, { hostname: '127.0.0.1' }, 'left'));
    await waitFor(() => areConnected(hub, left), { message: 'left connected to the hub' });
    const right = track(await createSeededNode(hub, { hostname: '127.0.0.1' }, 'right'));
    await waitFor(() => areConnected(left, right), { timeoutMs: 15_000, message: 'left and right connected directly' });
    assert.equal(hub.pool.list().length, 2);
  });

  // docs/configuration.md and config/schema.ts promise for `hostname: null` that "peers still learn the
  // address of inbound connections", but Pool only ever adds addresses from `addr` messages.
  it('addr gossip without hostname: the address of an inbound peer is learned and passed on (docs of `hostname`)', {
  }, async () => {
    const hub = track(await createTestNode({}, 'hub2'));
    const left = track(await createSeededNode(hub, {}, 'left2'));
    await waitFor(() => areConnected(hub, left), { message: 'left connected to the hub' });
    const right = track(await createSeededNode(hub, {}, 'right2'));
    await waitFor(() => areConnected(left, right), { timeoutMs: 4_000, message: 'left and right connected directly' });
  });
});
