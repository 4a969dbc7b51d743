// test/integration/p2p-intake.test.ts - owns the P2P intake: entities pushed by one peer are admitted in arrival order with signature checks on verifier threads or inline, a backlog pauses the peer instead of dropping or banning it, and a bad signature is still refused.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { NETWORK_MAGIC } from '../../src/wire/constants.ts';
import { encodeFrame } from '../../src/wire/frame.ts';
import { makeCapability, makeKeys, makeOracle, makeReport } from '../helpers/factory.ts';
import { createTestNode, RawPeer, stopAll, waitFor } from '../helpers/network.ts';

/** `n` oracles, each followed by its capability and a fact-missing report: every item depends on the one before. */
function chain(n: number, seed: number): { frames: Buffer; count: number } {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const o = makeKeys(seed + 2 * i);
    const c = makeKeys(seed + 2 * i + 1);
    const items: [string, unknown][] = [
      ['oracle', makeOracle({ keys: o })],
      ['capability', makeCapability({ oracleKeys: o, capKeys: c, question: `q${i}` })],
      ['report', makeReport({ type: 'fact-missing', oraclePubKey: o.publicKey, capKeys: c, args: { i: String(i) } })],
    ];
    for (const [cmd, body] of items) parts.push(encodeFrame(NETWORK_MAGIC.regtest, cmd, Buffer.from(JSON.stringify(body))));
  }
  return { frames: Buffer.concat(parts), count: 3 * n };
}

function stored(node: MegaNode): number {
  const c = node.service.counts();
  return c.oracles + c.capabilities + c.reports;
}

describe('p2p: intake of pushed entities', () => {
  const nodes: MegaNode[] = [];
  after(async () => {
    await stopAll(nodes);
  });

  for (const verifyThreads of [0, 1, 2]) {
    it(`verifyThreads ${verifyThreads}: a dependency chain pushed in one write is admitted in order, and nothing is refused`, async () => {
      const node = await createTestNode({ verifyThreads, p2pMaxMessagesPerSecond: 1_000_000 });
      nodes.push(node);
      const rejected: string[] = [];
      node.service.on('admission', (r) => {
        if (r.status === 'rejected') rejected.push(r.reason);
      });
      const { frames, count } = chain(200, 10_000 + verifyThreads * 1_000);
      const peer = await RawPeer.connect(node.p2pPort);
      peer.autoPong = true;
      await peer.handshake();
      peer.write(frames);
      await waitFor(() => stored(node) === count, { timeoutMs: 30_000, message: () => `stored ${stored(node)} of ${count}` });
      // In order: no capability ever waited for its oracle, no report for its capability.
      assert.deepEqual(rejected, []);
      assert.equal(peer.closedAt, null);
      peer.socket.destroy();
    });
  }

  it('2,100 entities in one write (twice the intake hold threshold) are all admitted, in order, and the peer stays', async () => {
    const node = await createTestNode({ verifyThreads: 1, p2pMaxMessagesPerSecond: 1_000_000 });
    nodes.push(node);
    const { frames, count } = chain(700, 50_000); // 2,100 entities, twice the hold threshold
    const peer = await RawPeer.connect(node.p2pPort);
    peer.autoPong = true;
    await peer.handshake();
    peer.write(frames);
    await waitFor(() => stored(node) === count, { timeoutMs: 60_000, message: () => `stored ${stored(node)} of ${count}` });
    assert.equal(peer.closedAt, null);
    assert.equal(node.pool.list().length, 1);
    assert.equal(node.service.intakeBacklog().entities, 0, "the intake must be empty once everything is stored");
    peer.socket.destroy();
  });

  it('an entity whose signature fails on the verifier thread is refused and its sender banned, like inline', async () => {
    const node = await createTestNode({ verifyThreads: 1 });
    nodes.push(node);
    const k = makeKeys(90_001);
    const ad = makeOracle({ keys: k });
    const forged = { ...ad, oracleSignature: makeOracle({ keys: makeKeys(90_002) }).oracleSignature };
    const peer = await RawPeer.connect(node.p2pPort);
    await peer.handshake();
    peer.write(encodeFrame(NETWORK_MAGIC.regtest, 'oracle', Buffer.from(JSON.stringify(forged))));
    await peer.waitClosed(10_000);
    assert.equal(node.service.getOracle(k.publicKey), undefined);
  });
});
