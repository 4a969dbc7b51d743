// test/integration/limits.test.ts - per-address limits on a real node: REST 429 + Retry-After (and loopback exempt by default), P2P inbound connections per address.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { MegaNode } from '../../src/node.ts';
import { createTestNode, waitFor } from '../helpers/network.ts';

const nodes: MegaNode[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function node(overrides: Record<string, unknown>): Promise<MegaNode> {
  const n = await createTestNode(overrides);
  nodes.push(n);
  return n;
}

function open(port: number): Promise<{ socket: net.Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, closed: () => closed }));
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

describe('REST request rate per client address', () => {
  it('answers 429 with Retry-After once a client exceeds its burst (limitLoopback on)', async () => {
    const n = await node({ httpRateLimitPerSecond: 1, httpRateBurst: 3, limitLoopback: true });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://127.0.0.1:${n.httpPort}/health`);
      await res.arrayBuffer();
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(retryAfter, '1');
  });

  it('never throttles loopback clients by default (an operator\'s tools and benchmarks)', async () => {
    const n = await node({ httpRateLimitPerSecond: 1, httpRateBurst: 1 });
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`http://127.0.0.1:${n.httpPort}/health`);
      await res.arrayBuffer();
      assert.equal(res.status, 200);
    }
  });
});

describe('P2P inbound connections per address', () => {
  it('refuses the connection over maxInboundPerAddress and keeps the others (limitLoopback on)', async () => {
    const n = await node({ maxInboundPerAddress: 2, limitLoopback: true, handshakeTimeoutMs: 30_000 });
    const a = await open(n.p2pPort);
    const b = await open(n.p2pPort);
    const c = await open(n.p2pPort);
    await waitFor(() => c.closed(), { message: 'the third connection from one address to be refused' });
    assert.equal(a.closed(), false, 'expected a.closed() to be false');
    assert.equal(b.closed(), false, 'expected b.closed() to be false');
    // A slot freed is a slot again.
    a.socket.destroy();
    await waitFor(() => a.closed());
    await waitFor(async () => {
      const d = await open(n.p2pPort);
      // Accepted connections stay open (handshake timeout 30 s); a refused one is closed at once.
      await new Promise((r) => setImmediate(r));
      return !d.closed();
    }, { message: 'a connection to be accepted after one closed' });
  });

  it('exempts loopback by default (local test networks connect from 127.0.0.1)', async () => {
    const n = await node({ maxInboundPerAddress: 1, handshakeTimeoutMs: 30_000 });
    const conns = [await open(n.p2pPort), await open(n.p2pPort), await open(n.p2pPort)];
    // Each accepted connection becomes a pool peer; a refused one would be destroyed before that.
    await waitFor(() => n.pool.connectionCount === 3, { message: () => `3 connections, have ${n.pool.connectionCount}` });
    assert.deepEqual(conns.map((x) => x.closed()), [false, false, false]);
  });
});
