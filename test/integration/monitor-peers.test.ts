// test/integration/monitor-peers.test.ts - monitoring through the real P2P pool: two nodes connect, and GET /peers, the live feed (peer:connect, a relayed item, peer:disconnect) and /metrics show it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { MegaNode } from '../../src/node.ts';
import { makeKeys, makeOracle, testSchemas } from '../helpers/factory.ts';
import { connect, createTestNode, stopAll, waitFor } from '../helpers/network.ts';

describe('monitoring of P2P peers', () => {
  const nodes: (MegaNode | undefined)[] = [];
  after(async () => {
    await stopAll(nodes);
  });

  it('lists the peer, streams its connect, the items it relays and its disconnect, and counts it', async () => {
    const a = await createTestNode({ targetOutbound: 0 }, 'monitor-a');
    nodes.push(a);
    const b = await createTestNode({ targetOutbound: 0 }, 'monitor-b');
    nodes.push(b);
    const got: { event: string; type?: string; id?: string; peer?: { direction: string; userAgent: string } }[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${a.httpPort}/events`);
    ws.on('message', (d) => got.push(JSON.parse(String(d)) as (typeof got)[number]));
    await waitFor(() => got.length === 1, { message: 'hello' });

    await connect(b, a);
    const base = `http://127.0.0.1:${a.httpPort}`;
    const peers = (await (await fetch(base + '/peers')).json()) as { direction: string; userAgent: string; bytesIn: number }[];
    // Pinned (targetOutbound 0): a never dials b back, so b is its one peer, inbound.
    assert.equal(peers.length, 1, 'expected b as the one peer of a');
    assert.equal(peers[0]?.direction, 'inbound', 'expected b listed as inbound (b dialed a)');
    assert.equal(testSchemas().component('PeerSummary')(peers[0]), true, 'expected the listed peer to match the PeerSummary schema');
    await waitFor(() => got.some((e) => e.event === 'peer:connect'), { message: 'peer:connect on the feed' });

    // An oracle posted to b reaches a by gossip and shows on a's feed like a REST submission.
    const keys = makeKeys(55);
    const res = await fetch(`http://127.0.0.1:${b.httpPort}/oracle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeOracle({ keys })) });
    assert.equal(res.status, 201);
    await waitFor(() => got.some((e) => e.event === 'mempool:accepted' && e.id === keys.publicKey), { message: 'relayed oracle on a\'s feed' });

    const metrics = await (await fetch(base + '/metrics')).text();
    assert.match(metrics, /^mega_peers\{direction="inbound"\} 1$/m);
    assert.match(metrics, /^mega_peer_events_total\{event="connect"\} 1$/m);
    const bytesIn = Number(/^mega_p2p_bytes_total\{direction="in"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.equal(bytesIn > 0, true, 'P2P bytes in are counted');

    await b.stop();
    nodes.pop();
    await waitFor(() => got.some((e) => e.event === 'peer:disconnect'), { message: 'peer:disconnect on the feed' });
    assert.deepEqual(await (await fetch(base + '/peers')).json(), []);
    ws.close();
  });
});
