// test/integration/p2p-hostile.test.ts - raw TCP clients abuse a node in the middle of a line a - b - c: each is disconnected (and banned where the bytes prove bad faith) while b keeps relaying between a and c and answering REST.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { shortId } from '../../src/protocol/ids.ts';
import { versionHash } from '../../src/protocol/ids.ts';
import { MAX_INV_ITEMS, NETWORK_MAGIC, PROTOCOL_VERSION } from '../../src/wire/constants.ts';
import { encodeFrame } from '../../src/wire/frame.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { connectAll, createTestNode, get, hasItem, post, RawPeer, stopAll, waitFor } from '../helpers/network.ts';

const MAGIC = NETWORK_MAGIC.regtest;
/** b's handshake timeout: long enough that "dropped at once" and "dropped at the timeout" are told apart. */
const HANDSHAKE_MS = 2000;
/** A connection refused for its bytes must go well before the handshake timeout could have ended it. */
const PROMPT_MS = 1500;

function versionFrame(): Buffer {
  const v = { protocolVersion: PROTOCOL_VERSION, network: 'regtest', nonce: '0123456789abcdef', userAgent: '/raw/', listenPort: 0, httpPort: 0 };
  return encodeFrame(MAGIC, 'version', Buffer.from(JSON.stringify(v)));
}

describe('p2p: hostile raw clients against node b of a - b - c', () => {
  const nodes: MegaNode[] = [];
  let a: MegaNode;
  let b: MegaNode;
  let c: MegaNode;
  let nextSeed = 200;
  let nextSource = 30;
  const raws: RawPeer[] = [];

  /** A raw client from its own loopback address (bans of one never touch 127.0.0.1, which a and c use). */
  async function raw(source = `127.0.0.${nextSource++}`): Promise<RawPeer> {
    const r = await RawPeer.connect(b.p2pPort, { localAddress: source });
    raws.push(r);
    return r;
  }

  /** b still relays from a to c (both ways through it) and answers REST; `peers` is how many peers b lists. */
  async function assertHealthy(peers = 2): Promise<void> {
    const keys = makeKeys(nextSeed++);
    assert.equal((await post(a, '/oracle', makeOracle({ keys }))).status, 201);
    await waitFor(() => hasItem(c, 'oracle', keys.publicKey), { message: 'a -> b -> c relay still works' });
    const back = makeKeys(nextSeed++);
    assert.equal((await post(c, '/oracle', makeOracle({ keys: back }))).status, 201);
    await waitFor(() => hasItem(a, 'oracle', back.publicKey), { message: 'c -> b -> a relay still works' });
    assert.equal((await get(b, '/health')).status, 200);
    assert.equal(b.pool.list().length, peers);
  }

  before(async () => {
    // Pinned line (targetOutbound 0: a and c never dial each other); b bans loopback sources
    // (whitelist []), since the raw clients below come from 127.0.0.x.
    a = await createTestNode({ targetOutbound: 0 }, 'a');
    nodes.push(a);
    b = await createTestNode({ handshakeTimeoutMs: HANDSHAKE_MS, targetOutbound: 0, whitelist: [] }, 'b');
    nodes.push(b);
    c = await createTestNode({ targetOutbound: 0 }, 'c');
    nodes.push(c);
    await connectAll(nodes, [
      [0, 1],
      [1, 2],
    ]);
  });

  after(async () => {
    for (const r of raws) r.destroy();
    await stopAll(nodes);
  });

  it('garbage: disconnected at once, its address banned (a reconnect is refused before any byte), 127.0.0.1 peers unaffected', async () => {
    const r = await raw('127.0.0.23');
    r.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await r.waitClosed();
    assert.equal(r.closedAt! - r.connectedAt < PROMPT_MS, true);
    assert.equal(b.pool.bans.isBanned('127.0.0.23'), true);
    assert.equal(b.pool.bans.isBanned('127.0.0.1'), false);

    const again = await raw('127.0.0.23');
    await again.waitClosed();
    assert.equal(again.bytesIn, 0); // not even b's version: refused on accept
    assert.equal(again.closedAt! - again.connectedAt < PROMPT_MS, true);

    // A fresh connection from 127.0.0.1 is served normally.
    const fine = await RawPeer.connect(b.p2pPort);
    raws.push(fine);
    await fine.handshake();
    assert.equal(fine.closed, false);
    fine.destroy();
    await assertHealthy();
  });

  it('bad checksum: disconnected at once and banned', async () => {
    const r = await raw();
    const frame = versionFrame();
    frame[20] = (frame[20] as number) ^ 0xff;
    r.write(frame);
    await r.waitClosed();
    assert.equal(r.closedAt! - r.connectedAt < PROMPT_MS, true);
    assert.equal(b.pool.bans.isBanned(r.localAddress), true);
    await assertHealthy();
  });

  it('oversized header: disconnected as soon as the header arrives (no payload buffered) and banned', async () => {
    const r = await raw();
    const header = versionFrame().subarray(0, 24);
    header.writeUInt32LE(b.config.maxMsgLength + 1, 16);
    r.write(header);
    await r.waitClosed();
    assert.equal(r.closedAt! - r.connectedAt < PROMPT_MS, true);
    assert.equal(b.pool.bans.isBanned(r.localAddress), true);
    await assertHealthy();
  });

  it('a half frame that never completes: dropped at the handshake timeout, not before', async () => {
    const r = await raw();
    r.write(versionFrame().subarray(0, 30)); // header plus 6 payload bytes
    await r.waitClosed(HANDSHAKE_MS + 3000);
    assert.equal(r.closedAt! - r.connectedAt >= HANDSHAKE_MS - 200, true, `closed after ${r.closedAt! - r.connectedAt} ms`);
    assert.equal(b.pool.bans.isBanned(r.localAddress), false);
    await assertHealthy();
  });

  it('an entity before the handshake: disconnected at once', async () => {
    const r = await raw();
    r.send('oracle', makeOracle({ keys: makeKeys(150) }));
    await r.waitClosed();
    assert.equal(r.closedAt! - r.connectedAt < PROMPT_MS, true);
    assert.equal(hasItem(b, 'oracle', makeKeys(150).publicKey), false);
    await assertHealthy();
  });

  it('an entity after version but before verack: disconnected at once', async () => {
    const r = await raw();
    r.write(versionFrame());
    await waitFor(() => r.has('verack'), { message: 'b acknowledged our version' });
    r.send('inv', { items: [] });
    await r.waitClosed();
    assert.equal(r.closedAt! - r.connectedAt < PROMPT_MS, true);
    await assertHealthy();
  });

  it('a version for another network (right magic) or an unsupported protocolVersion ends the connection', async () => {
    const wrongNet = await raw();
    wrongNet.send('version', { protocolVersion: PROTOCOL_VERSION, network: 'testnet', nonce: '00000000000000aa', userAgent: '/raw/', listenPort: 0, httpPort: 0 });
    const wrongVersion = await raw();
    // A node of protocol 1 (inventory as {type, id, version} objects) is refused at the handshake.
    wrongVersion.send('version', { protocolVersion: 1, network: 'regtest', nonce: '00000000000000bb', userAgent: '/raw/', listenPort: 0, httpPort: 0 });
    await wrongNet.waitClosed();
    await wrongVersion.waitClosed();
    assert.equal(wrongNet.closedAt! - wrongNet.connectedAt < PROMPT_MS, true);
    assert.equal(wrongVersion.closedAt! - wrongVersion.connectedAt < PROMPT_MS, true);
    assert.equal(wrongNet.has('verack'), false);
    assert.equal(wrongVersion.has('verack'), false);
    await assertHealthy();
  });

  it('after the handshake: undecodable JSON, a schema violation, a bad signature or bad PoW gets the peer disconnected and banned', async () => {
    const forged = makeOracle({ keys: makeKeys(160), tags: ['honest'] });
    const badPow = makeOracle({ keys: makeKeys(161) });
    const cases: [string, (r: RawPeer) => void][] = [
      ['undecodable JSON', (r) => r.write(encodeFrame(MAGIC, 'inv', Buffer.from('{"items": [', 'utf8')))],
      ['schema-violating inv', (r) => r.send('inv', { items: [{ type: 'oracle', id: 'x' }] })],
      ['a protocol 1 inv item', (r) => r.send('inv', { items: [{ type: 'oracle', id: makeKeys(162).publicKey, version: 'ab'.repeat(32) }] })],
      ['an inv item of 21 characters', (r) => r.send('inv', { items: [shortId('ab'.repeat(32)).slice(1)] })],
      ['an inv item outside the base64url alphabet', (r) => r.send('getdata', { items: [shortId('ab'.repeat(32)).slice(0, 21) + '/'] })],
      [`an inv of ${MAX_INV_ITEMS + 1} items`, (r) => r.send('inv', { items: Array.from({ length: MAX_INV_ITEMS + 1 }, (_, i) => shortId(i.toString(16).padStart(64, '0'))) })],
      ['schema-violating entity', (r) => r.send('oracle', { pubkey: 'not a key' })],
      ['invalid signature', (r) => r.send('oracle', { ...forged, tags: ['forged'] })],
      ['invalid PoW', (r) => r.send('oracle', { ...badPow, pow: { ...badPow.pow, magicNo: badPow.pow.magicNo + 1 } })],
    ];
    for (const [name, abuse] of cases) {
      const r = await raw();
      await r.handshake();
      await waitFor(() => b.pool.list().length === 3, { message: `${name}: the raw peer is connected` });
      abuse(r);
      await r.waitClosed();
      assert.equal(b.pool.bans.isBanned(r.localAddress), true, name);
      await waitFor(() => b.pool.list().length === 2, { message: `${name}: the raw peer is gone from the list` });
    }
    assert.equal(hasItem(b, 'oracle', makeKeys(160).publicKey), false);
    assert.equal(hasItem(b, 'oracle', makeKeys(161).publicKey), false);
    await assertHealthy();
  });

  it('keepalive: a peer that stays silent after the handshake is pinged, then dropped', async () => {
    const r = await raw();
    await r.handshake();
    const readyAt = Date.now();
    await waitFor(() => r.has('ping'), { timeoutMs: 5000, message: 'b pings an idle peer' });
    const keepAlive = b.config.p2pKeepAlive;
    await r.waitClosed(keepAlive * 6);
    // Dropped after about three silent keepalive intervals, not at the first ping.
    assert.equal(r.closedAt! - readyAt >= keepAlive * 2, true, `dropped after ${r.closedAt! - readyAt} ms`);
    assert.equal(b.pool.bans.isBanned(r.localAddress), false);
    await assertHealthy();
  });

  it('a flood of valid pings is throttled, not banned: every ping is answered and b keeps relaying meanwhile', async () => {
    const r = await raw();
    await r.handshake();
    const count = 3 * b.config.p2pMaxMessagesPerSecond;
    const ping = encodeFrame(MAGIC, 'ping', Buffer.from(JSON.stringify({ nonce: '00000000000000ff' })));
    r.write(Buffer.concat(Array.from({ length: count }, () => ping)));
    await assertHealthy(3);
    const pongs = (): number => r.frames.filter((f) => f.command === 'pong' && (f.payload as { nonce: string }).nonce === '00000000000000ff').length;
    await waitFor(() => pongs() === count, { timeoutMs: 15_000, message: () => `all pings answered (${pongs()}/${count})` });
    assert.equal(r.closed, false);
    assert.equal(b.pool.bans.isBanned(r.localAddress), false);
    r.destroy();
  });

  // A peer that goes away frees what was requested of it (Relay.dropPeer): the next announcer is asked at once.
  it('an item announced by a peer that vanishes without delivering it is fetched promptly from an honest peer', async () => {
    const keys = makeKeys(nextSeed++);
    const oracle = makeOracle({ keys });
    const r = await raw();
    await r.handshake();
    await waitFor(() => b.pool.list().length === 3, { message: 'the raw peer is connected' });
    r.send('inv', { items: [shortId(versionHash(oracle))] });
    await waitFor(() => r.has('getdata'), { message: 'b asked the raw peer for the item' });
    r.destroy();
    await waitFor(() => b.pool.list().length === 2, { message: 'the raw peer is gone' });
    assert.equal((await post(a, '/oracle', oracle)).status, 201);
    await waitFor(() => hasItem(c, 'oracle', keys.publicKey), { timeoutMs: 4000, message: 'the item reached c through b' });
  });

  // Activity is complete messages (Peer.onData), and unanswered pings count (Peer.onTick).
  it('after the handshake, a peer that trickles a frame that never completes and never answers pings is dropped', async () => {
    const r = await raw();
    await r.handshake();
    const frame = encodeFrame(MAGIC, 'inv', Buffer.from(JSON.stringify({ items: [] }).padEnd(4000, ' ')));
    let sentBytes = 0;
    const keepAlive = b.config.p2pKeepAlive;
    // One byte every half keepalive interval: never silent, never a whole message.
    const trickle = setInterval(() => {
      if (sentBytes < frame.length) r.write(frame.subarray(sentBytes, ++sentBytes));
    }, keepAlive / 2);
    try {
      await r.waitClosed(keepAlive * 6);
    } finally {
      clearInterval(trickle);
    }
    await assertHealthy();
  });
});
