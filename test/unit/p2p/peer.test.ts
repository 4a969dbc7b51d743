// test/unit/p2p/peer.test.ts - owns the Peer unit tests: handshake, ping/pong, keepalive and timeouts, misbehaviour and bans, throttling and send limits, driven through an in-memory Duplex pair (no TCP).
import { Duplex } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { BAN_THRESHOLD, MAX_SEND_BUFFER_BYTES } from '../../../src/p2p/constants.ts';
import { Peer, type PeerOptions } from '../../../src/p2p/peer.ts';
import { MAX_INV_ITEMS, NETWORK_MAGIC, PROTOCOL_VERSION, type Network } from '../../../src/wire/constants.ts';
import { encodeFrame, FrameDecoder, doubleSha256 } from '../../../src/wire/frame.ts';
import { MessageCodec, type VersionPayload, type WireMessage } from '../../../src/wire/messages.ts';
import { waitFor } from '../../helpers/wait.ts';

const codec = new MessageCodec(SchemaRegistry.load());
const log = pino({ level: 'silent' });
const MAGIC = NETWORK_MAGIC.testnet;
const LOCAL_NONCE = '1111111111111111';
const REMOTE_NONCE = '2222222222222222';

const localVersion: VersionPayload = { protocolVersion: PROTOCOL_VERSION, network: 'testnet', nonce: LOCAL_NONCE, userAgent: '/mega:test/', listenPort: 18333, httpPort: 18080, shard: { count: 1, index: 0 } };
const remoteVersion = (over: Partial<VersionPayload> = {}): WireMessage => ({
  command: 'version',
  payload: { protocolVersion: PROTOCOL_VERSION, network: 'testnet', nonce: REMOTE_NONCE, userAgent: '/remote:1/', listenPort: 18444, httpPort: 0, ...over },
});
const VERACK: WireMessage = { command: 'verack', payload: null };
const HEX64 = 'ab'.repeat(32);
/** A short version id (docs/PROTOCOL.md 11.6). */
const VID = 'Q6urq6urq6urq6urq6urqw'; // shortId(HEX64)

// ---- an in-memory socket pair ----------------------------------------------------------------------

/** One end of an in-memory connection: what one end writes, the other reads. */
class FakeSocket extends Duplex {
  other: FakeSocket | null = null;
  /** While true, writes are never acknowledged (a remote that stopped reading). */
  stalled = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  constructor(remoteAddress: string, remotePort: number) {
    super();
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
  }
  /** Calls of _write (one chunk) and _writev (several chunks at once, what a corked socket flushes with). */
  writeCalls = 0;
  writevCalls = 0;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writeCalls++;
    if (this.stalled) return; // never calls back: everything after stays queued in writableLength
    const o = this.other;
    if (o && !o.destroyed) o.push(chunk);
    cb();
  }
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.writevCalls++;
    if (this.stalled) return;
    const o = this.other;
    if (o && !o.destroyed) o.push(Buffer.concat(chunks.map((c) => c.chunk)));
    cb();
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.other?.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const o = this.other;
    if (o && !o.destroyed) o.destroy();
    cb(err);
  }
}

function socketPair(remoteAddress = '203.0.113.7'): [FakeSocket, FakeSocket] {
  const local = new FakeSocket(remoteAddress, 40001);
  const remote = new FakeSocket('198.51.100.1', 18333);
  local.other = remote;
  remote.other = local;
  return [local, remote];
}

/** The remote node, reduced to a frame codec on the other end of the pair. */
class Remote {
  readonly received: WireMessage[] = [];
  private readonly decoder = new FrameDecoder({ magic: MAGIC, maxPayloadBytes: 1 << 20 });
  readonly end: FakeSocket;
  /** Answer every ping with a pong, as a live node does. */
  autoPong = false;
  constructor(end: FakeSocket) {
    this.end = end;
    end.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk)) {
        const m = codec.decode(f.command, f.payload);
        this.received.push(m);
        if (this.autoPong && m.command === 'ping') this.send({ command: 'pong', payload: m.payload });
      }
    });
    end.on('error', () => {});
  }
  send(...msgs: WireMessage[]): void {
    this.end.write(Buffer.concat(msgs.map((m) => encodeFrame(MAGIC, m.command, codec.encode(m)))));
  }
  sendRaw(bytes: Buffer): void {
    this.end.write(bytes);
  }
  commands(): string[] {
    return this.received.map((m) => m.command);
  }
  count(command: string): number {
    return this.received.filter((m) => m.command === command).length;
  }
}

// ---- harness ---------------------------------------------------------------------------------------

const DEFAULTS: PeerOptions = {
  network: 'testnet',
  magic: MAGIC,
  maxPayloadBytes: 1 << 20,
  handshakeTimeoutMs: 5_000,
  keepAliveMs: 60_000,
  maxMessagesPerSecond: 1_000,
  localVersion,
};

interface Harness {
  peer: Peer;
  local: FakeSocket;
  remote: Remote;
  ready: number;
  closed: string[];
  /** Date.now() when peer:close fired. */
  closedAt: number;
  misbehaved: [number, string][];
  messages: WireMessage[];
}

const live: Peer[] = [];
afterEach(() => {
  for (const p of live.splice(0)) p.destroy('stopping');
});

function connect(opts: Partial<PeerOptions> = {}, direction: 'inbound' | 'outbound' = 'inbound', remoteAddress?: string): Harness {
  const [local, remoteEnd] = socketPair(remoteAddress);
  const remote = new Remote(remoteEnd);
  const peer = new Peer(direction, direction === 'outbound' ? '198.51.100.1:18333' : null, { ...DEFAULTS, ...opts }, { socket: local, codec, log });
  live.push(peer);
  const h: Harness = { peer, local, remote, ready: 0, closed: [], closedAt: 0, misbehaved: [], messages: [] };
  peer.on('peer:ready', () => h.ready++);
  peer.on('peer:close', (r) => {
    h.closed.push(r);
    h.closedAt = Date.now();
  });
  peer.on('peer:misbehave', (score, reason) => h.misbehaved.push([score, reason]));
  peer.on('peer:message', (m) => h.messages.push(m));
  peer.start();
  return h;
}

/** Let queued stream callbacks run (two macrotask turns). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
};

async function handshake(opts: Partial<PeerOptions> = {}, direction: 'inbound' | 'outbound' = 'inbound'): Promise<Harness> {
  const h = connect(opts, direction);
  h.remote.send(remoteVersion(), VERACK);
  await waitFor(() => h.ready === 1, { message: 'peer:ready' });
  return h;
}

async function closedWith(h: Harness, reason: string, timeoutMs?: number): Promise<void> {
  await waitFor(() => h.closed.length > 0, { message: `close (${reason})`, timeoutMs: timeoutMs });
  assert.deepEqual(h.closed, [reason]);
  assert.equal(h.peer.isClosed, true, 'expected h.peer.isClosed to be true');
  assert.equal(h.local.destroyed, true, 'expected h.local.destroyed to be true');
}

// ---- tests -----------------------------------------------------------------------------------------

describe('Peer: handshake', () => {
  for (const direction of ['inbound', 'outbound'] as const) {
    it(`${direction}: sends its version first, and nothing else before the remote's version`, async () => {
      const h = connect({}, direction);
      await waitFor(() => h.remote.received.length >= 1, { message: 'version' });
      await settle();
      assert.deepEqual(h.remote.received, [{ command: 'version', payload: localVersion }]);
      assert.equal(h.peer.isReady, false, 'expected h.peer.isReady to be false');
    });
  }

  it('version + verack (one chunk): answers verack, emits peer:ready once, keeps their version', async () => {
    const h = await handshake();
    await waitFor(() => h.remote.received.length >= 2, { message: 'verack' });
    assert.deepEqual(h.remote.commands(), ['version', 'verack']);
    assert.equal(h.peer.isReady, true, 'expected h.peer.isReady to be true');
    assert.deepEqual(h.peer.version, remoteVersion().payload);
    assert.equal(h.peer.listenAddress, '203.0.113.7:18444');
    assert.deepEqual(h.misbehaved, []);
    await settle();
    assert.equal(h.ready, 1);
  });

  it('version and verack in separate chunks: ready only after both', async () => {
    const h = connect();
    h.remote.send(remoteVersion());
    await waitFor(() => h.remote.count('verack') === 1, { message: 'our verack' });
    await settle();
    assert.equal(h.peer.isReady, false, 'expected h.peer.isReady to be false');
    assert.equal(h.ready, 0);
    h.remote.send(VERACK);
    await waitFor(() => h.ready === 1, { message: 'peer:ready' });
  });

  it('inbound from IPv6: the listen address is bracketed', async () => {
    const [local, remoteEnd] = socketPair('2001:db8::5');
    const remote = new Remote(remoteEnd);
    const peer = new Peer('inbound', null, DEFAULTS, { socket: local, codec, log });
    live.push(peer);
    peer.start();
    remote.send(remoteVersion(), VERACK);
    await waitFor(() => peer.isReady, { message: 'ready' });
    assert.equal(peer.listenAddress, '[2001:db8::5]:18444');
  });

  it('an outbound peer keeps the address it dialed', async () => {
    const h = await handshake({}, 'outbound');
    assert.equal(h.peer.listenAddress, '198.51.100.1:18333');
  });

  for (const m of [
    { command: 'ping', payload: { nonce: '0123456789abcdef' } },
    { command: 'pong', payload: { nonce: '0123456789abcdef' } },
    { command: 'addr', payload: { addresses: [] } },
    { command: 'inv', payload: { items: [] } },
    { command: 'getdata', payload: { items: [VID] } },
    { command: 'notfound', payload: { items: [] } },
    { command: 'mempool', payload: null },
    { command: 'oracle', payload: { pubkey: 'x' } },
    { command: 'dispute', payload: {} },
  ] as WireMessage[]) {
    it(`${m.command} before the handshake: closed with message-before-handshake, no ban score`, async () => {
      const h = connect();
      h.remote.send(m);
      await closedWith(h, 'message-before-handshake');
      assert.deepEqual(h.misbehaved, []);
      assert.deepEqual(h.messages, []);
    });
  }

  it('a message after version but before verack: message-before-handshake', async () => {
    const h = connect();
    h.remote.send(remoteVersion(), { command: 'ping', payload: { nonce: '0123456789abcdef' } });
    await closedWith(h, 'message-before-handshake');
    assert.equal(h.ready, 0);
  });

  it('verack before version: message-before-handshake', async () => {
    const h = connect();
    h.remote.send(VERACK);
    await closedWith(h, 'message-before-handshake');
  });

  it('two versions during the handshake: banned', async () => {
    const h = connect();
    h.remote.send(remoteVersion(), remoteVersion());
    await closedWith(h, 'banned');
    assert.deepEqual(h.misbehaved, [[BAN_THRESHOLD, 'duplicate version']]);
  });

  it('wrong network: wrong-network, no ban score', async () => {
    const h = connect();
    h.remote.send(remoteVersion({ network: 'mainnet' as Network }));
    await closedWith(h, 'wrong-network');
    assert.deepEqual(h.misbehaved, []);
    assert.equal(h.remote.count('verack'), 0);
  });

  for (const protocolVersion of [1, 2, 3, 4, 6, 0, 4294967295]) {
    it(`protocolVersion ${protocolVersion}: unsupported-version`, async () => {
      const h = connect();
      h.remote.send(remoteVersion({ protocolVersion }));
      await closedWith(h, 'unsupported-version');
      assert.deepEqual(h.misbehaved, []);
    });
  }

  it('our own nonce: self-connection', async () => {
    const h = connect({}, 'outbound');
    h.remote.send(remoteVersion({ nonce: LOCAL_NONCE }), VERACK);
    await closedWith(h, 'self-connection');
    assert.equal(h.ready, 0);
    assert.deepEqual(h.misbehaved, []);
  });

  it('no version within handshakeTimeoutMs: handshake-timeout', async () => {
    const started = Date.now();
    const h = connect({ handshakeTimeoutMs: 200 });
    await closedWith(h, 'handshake-timeout', 3_000);
    assert.equal(Date.now() - started >= 190, true, `closed after ${Date.now() - started} ms`);
  });

  it('version but no verack within handshakeTimeoutMs: handshake-timeout', async () => {
    const h = connect({ handshakeTimeoutMs: 200 });
    h.remote.send(remoteVersion());
    await closedWith(h, 'handshake-timeout', 3_000);
    assert.equal(h.ready, 0);
  });

  it('a completed handshake is not timed out later', async () => {
    const h = await handshake({ handshakeTimeoutMs: 100, keepAliveMs: 40 });
    h.remote.autoPong = true;
    // Pings come every 40 ms once ready: the fourth is well past the 100 ms handshake timeout.
    await waitFor(() => h.remote.count('ping') >= 4, { message: '4 pings' });
    assert.deepEqual(h.closed, []);
    assert.equal(h.peer.isReady, true, 'expected h.peer.isReady to be true');
  });
});

describe('Peer: after the handshake', () => {
  it('answers ping with pong carrying the same nonce', async () => {
    const h = await handshake();
    h.remote.send({ command: 'ping', payload: { nonce: 'deadbeef00c0ffee' } });
    await waitFor(() => h.remote.count('pong') === 1, { message: 'pong' });
    assert.deepEqual(h.remote.received.at(-1), { command: 'pong', payload: { nonce: 'deadbeef00c0ffee' } });
    assert.deepEqual(h.messages, []); // ping/pong stay inside the peer
  });

  it('a pong with an unknown nonce is ignored', async () => {
    const h = await handshake();
    h.remote.send({ command: 'pong', payload: { nonce: 'ffffffffffffffff' } }, { command: 'ping', payload: { nonce: '0000000000000001' } });
    await waitFor(() => h.remote.count('pong') === 1, { message: 'pong' });
    assert.deepEqual(h.closed, []);
    assert.deepEqual(h.misbehaved, []);
  });

  it('every other command is handed to the pool as peer:message', async () => {
    const h = await handshake();
    const msgs: WireMessage[] = [
      { command: 'addr', payload: { addresses: [{ host: '203.0.113.9', port: 8333, seqNo: 1 }] } },
      { command: 'inv', payload: { items: [VID] } },
      { command: 'getdata', payload: { items: [] } },
      { command: 'notfound', payload: { items: [] } },
      { command: 'mempool', payload: null },
      { command: 'oracle', payload: { any: 'thing' } },
      { command: 'capability', payload: {} },
      { command: 'report', payload: [] },
      { command: 'dispute', payload: null },
    ];
    h.remote.send(...msgs);
    await waitFor(() => h.messages.length === msgs.length, { message: 'all messages' });
    // Entity messages arrive with their payload size on the wire (the intake's byte budget counts it)
    // and the base64 SHA-256d digest of those bytes (the relay's repeat filter keys on it).
    const sized = msgs.map((m) => {
      if (!['oracle', 'capability', 'report', 'dispute'].includes(m.command)) return m;
      const bytes = Buffer.from(JSON.stringify(m.payload), 'utf8');
      return { ...m, bytes: bytes.length, digest: doubleSha256(bytes).toString('base64') };
    });
    assert.deepEqual(h.messages, sized, 'expected every message handed on, entities with their size and digest');
  });

  it('a repeated version or verack costs 10 points each; the tenth gets the peer banned', async () => {
    const h = await handshake();
    for (let i = 0; i < 9; i++) h.remote.send(i % 2 ? VERACK : remoteVersion());
    await waitFor(() => h.misbehaved.length === 9, { message: '9 misbehaviours' });
    assert.equal(h.peer.banScore, 90);
    assert.deepEqual(h.closed, []);
    h.remote.send(remoteVersion());
    await closedWith(h, 'banned');
    assert.equal(h.peer.banScore, 100);
    assert.deepEqual(h.misbehaved.at(-1), [10, 'duplicate version']);
  });
});

describe('Peer: keepalive', () => {
  it('sends pings every interval and stays connected while the remote answers them', async () => {
    const h = await handshake({ keepAliveMs: 60 });
    h.remote.autoPong = true;
    await waitFor(() => h.remote.count('ping') >= 6, { message: '6 pings (more than 3 intervals)' });
    assert.deepEqual(h.closed, []);
    const nonces = h.remote.received.filter((m) => m.command === 'ping').map((m) => (m.payload as { nonce: string }).nonce);
    assert.equal(new Set(nonces).size, nonces.length); // a fresh nonce each time
    for (const n of nonces) assert.match(n, /^[0-9a-f]{16}$/);
  });

  it('a remote silent for 3 keepalive intervals is dropped (idle-timeout)', async () => {
    const h = await handshake({ keepAliveMs: 100 });
    await closedWith(h, 'idle-timeout', 3_000);
    const silentFor = h.closedAt - h.peer.lastSeen; // lastSeen: when the remote's last bytes (version+verack) arrived
    assert.equal(silentFor >= 300, true, `dropped after ${silentFor} ms of silence`);
    assert.equal(h.remote.count('ping') >= 2, true, `pings sent: ${h.remote.count('ping')}`);
    assert.deepEqual(h.misbehaved, []);
  });
});

describe('Peer: misbehaviour', () => {
  const garbage: [string, () => Buffer, string][] = [
    ['HTTP request', () => Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'bad-magic'],
    ['a bad checksum', () => {
      const f = encodeFrame(MAGIC, 'ping', Buffer.from('{"nonce":"0123456789abcdef"}'));
      f[20] = (f[20] as number) ^ 0xff;
      return f;
    }, 'bad-checksum'],
    ['an oversize length', () => {
      const f = encodeFrame(MAGIC, 'oracle', Buffer.alloc(0));
      f.writeUInt32LE(1025, 16);
      return f;
    }, 'oversize'],
    ['an uppercase command', () => Buffer.concat([MAGIC, Buffer.from('PING\0\0\0\0\0\0\0\0'), Buffer.from('000000005df6e0e2', 'hex')]), 'bad-command'],
  ];
  it('another Mega network\'s frame as the first bytes: closed as wrong-network, no ban (a misconfigured node)', async () => {
    const h = connect({ maxPayloadBytes: 1024 });
    h.remote.sendRaw(encodeFrame(NETWORK_MAGIC.mainnet, 'verack'));
    await closedWith(h, 'wrong-network');
    assert.deepEqual(h.misbehaved, []);
    assert.equal(h.peer.banScore, 0);
  });

  it('another Mega network\'s frame after the handshake: bad-magic, banned', async () => {
    const h = await handshake({ maxPayloadBytes: 1024 });
    h.remote.sendRaw(encodeFrame(NETWORK_MAGIC.mainnet, 'verack'));
    await closedWith(h, 'banned');
    assert.deepEqual(h.misbehaved, [[BAN_THRESHOLD, 'bad-magic']]);
  });

  for (const [name, bytes, code] of garbage) {
    for (const when of ['before', 'after'] as const) {
      it(`${name} ${when} the handshake: peer:misbehave ${BAN_THRESHOLD} (${code}) and closed as banned`, async () => {
        const h = when === 'before' ? connect({ maxPayloadBytes: 1024 }) : await handshake({ maxPayloadBytes: 1024 });
        h.remote.sendRaw(bytes());
        await closedWith(h, 'banned');
        assert.deepEqual(h.misbehaved, [[BAN_THRESHOLD, code]]);
        assert.ok(h.peer.banScore >= BAN_THRESHOLD, `expected h.peer.banScore >= BAN_THRESHOLD, got h.peer.banScore = ${h.peer.banScore}, BAN_THRESHOLD = ${BAN_THRESHOLD}`);
      });
    }
  }

  it('an undecodable payload after the handshake: bad-payload, banned', async () => {
    const h = await handshake();
    h.remote.sendRaw(encodeFrame(MAGIC, 'inv', Buffer.from('{"items":[{"type":"offer","id":"00","version":"00"}]}')));
    await closedWith(h, 'banned');
    assert.equal(h.misbehaved.length, 1);
    assert.equal(h.misbehaved[0]?.[0], BAN_THRESHOLD);
    assert.match(h.misbehaved[0]?.[1] ?? '', /^bad-payload: /);
  });

  for (const [what, items] of [
    ['a protocol 1 item {type, id, version}', [{ type: 'report', id: HEX64, version: HEX64 }]],
    ['a short id of 21 characters', [VID.slice(1)]],
    ['a short id with a base64 (not base64url) character', [VID.slice(0, 21) + '+']],
    ['a whole version hash', [HEX64]],
    [`${MAX_INV_ITEMS + 1} items`, Array.from({ length: MAX_INV_ITEMS + 1 }, () => VID)],
  ] as [string, unknown[]][]) {
    for (const command of ['inv', 'getdata', 'notfound']) {
      it(`${command} with ${what} after the handshake: bad-payload, banned`, async () => {
        const h = await handshake();
        h.remote.sendRaw(encodeFrame(MAGIC, command, Buffer.from(JSON.stringify({ items }))));
        await closedWith(h, 'banned');
        assert.equal(h.misbehaved[0]?.[0], BAN_THRESHOLD);
        assert.match(h.misbehaved[0]?.[1] ?? '', /^bad-payload: /);
        assert.deepEqual(h.messages, []);
      });
    }
  }

  it('an unknown (well-formed) command: unknown-command, banned', async () => {
    const h = await handshake();
    h.remote.sendRaw(encodeFrame(MAGIC, 'offers', Buffer.from('{}')));
    await closedWith(h, 'banned');
    assert.match(h.misbehaved[0]?.[1] ?? '', /^unknown-command: /);
  });

  it('frames after the bad one in the same chunk are not processed', async () => {
    const h = await handshake();
    const good = encodeFrame(MAGIC, 'mempool');
    h.remote.sendRaw(Buffer.concat([encodeFrame(MAGIC, 'inv', Buffer.from('{}')), good]));
    await closedWith(h, 'banned');
    assert.deepEqual(h.messages, []);
  });

  it('misbehave() below the threshold keeps the peer; at the threshold it is closed once', async () => {
    const h = await handshake();
    h.peer.misbehave(40, 'test a');
    h.peer.misbehave(0, 'ignored');
    h.peer.misbehave(59, 'test b');
    assert.equal(h.peer.banScore, 99);
    assert.deepEqual(h.closed, []);
    h.peer.misbehave(1, 'test c');
    assert.deepEqual(h.closed, ['banned']);
    h.peer.misbehave(50, 'after close');
    assert.deepEqual(h.misbehaved, [[40, 'test a'], [59, 'test b'], [1, 'test c']]);
  });
});

describe('Peer: throttling and send limits', () => {
  it('more messages than maxMessagesPerSecond pauses reading; it resumes later and is never banned', async () => {
    const h = await handshake({ maxMessagesPerSecond: 20 });
    const burst: WireMessage[] = Array.from({ length: 30 }, (_, i) => ({ command: 'ping', payload: { nonce: i.toString(16).padStart(16, '0') } }));
    h.remote.send(...burst);
    await waitFor(() => h.remote.count('pong') === 30, { message: '30 pongs' });
    // The burst (18 tokens left after version+verack, 30 spent) left the bucket in debt: reads are paused.
    assert.equal(h.local.isPaused(), true, 'expected h.local.isPaused() to be true');
    assert.deepEqual(h.closed, []);
    assert.deepEqual(h.misbehaved, []);
    assert.equal(h.peer.banScore, 0);

    // A message sent now is held until the bucket refills (~600 ms), then answered.
    const sentAt = Date.now();
    h.remote.send({ command: 'ping', payload: { nonce: 'aaaaaaaaaaaaaaaa' } });
    await settle();
    assert.equal(h.remote.count('pong'), 30);
    await waitFor(() => h.remote.count('pong') === 31, { message: 'the held ping to be answered', timeoutMs: 5_000 });
    const heldFor = Date.now() - sentAt;
    assert.equal(heldFor >= 200, true, `held for ${heldFor} ms`);
    await waitFor(() => !h.local.isPaused(), { message: 'reads to resume' });
    assert.deepEqual(h.closed, []);
    assert.equal(h.peer.banScore, 0);
  });

  it(
    'a peer paused by our own throttle is not dropped as idle meanwhile',
    async () => {
      const h = await handshake({ maxMessagesPerSecond: 10, keepAliveMs: 100 });
      h.remote.autoPong = true;
      // 8 tokens left after the handshake; 20 pings leave a debt of 12 messages = a 1.2 s pause (> 3 x 100 ms).
      h.remote.send(...Array.from({ length: 20 }, (): WireMessage => ({ command: 'ping', payload: { nonce: '0000000000000000' } })));
      await waitFor(() => h.remote.count('pong') === 20, { message: '20 pongs' });
      // Our keepalive pings every 100 ms keep arriving at the remote; 15 of them span more than the
      // 1.2 s pause, i.e. more than 3 idle intervals (the old bug closed the peer within that span).
      const before = h.remote.count('ping');
      await waitFor(() => h.remote.count('ping') >= before + 15 || h.closed.length > 0, { message: '15 more keepalive pings', timeoutMs: 5_000 });
      assert.deepEqual(h.closed, []);
    },
  );

  it('entities answering our own getdata do not draw on the rate bucket; unsolicited ones do (PROTOCOL 11.11)', async () => {
    const h = await handshake({ maxMessagesPerSecond: 20 });
    h.peer.send({ command: 'getdata', payload: { items: Array.from({ length: 30 }, () => VID) } });
    const entities = (n: number): WireMessage[] => Array.from({ length: n }, (_, i): WireMessage => ({ command: 'report', payload: { n: i } }));
    // 30 answers: 18 tokens are left after the handshake, so charged they would leave the bucket in debt.
    h.remote.send(...entities(30));
    await waitFor(() => h.messages.filter((m) => m.command === 'report').length === 30, { message: '30 answers delivered' });
    assert.equal(h.local.isPaused(), false, 'expected reading not paused: the 30 entities answered our getdata of 30');
    // 30 more than were asked for are unsolicited: the bucket pays for them and reading pauses.
    h.remote.send(...entities(30));
    await waitFor(() => h.messages.filter((m) => m.command === 'report').length === 60, { message: '30 unsolicited entities delivered' });
    assert.equal(h.local.isPaused(), true, 'expected reading paused: 30 unsolicited entities exceed the 18 tokens left');
    assert.equal(h.peer.banScore, 0);
  });

  it('a notfound, or the relay giving up (unsolicit), ends that many requests: later entities are charged again', async () => {
    for (const end of ['notfound', 'unsolicit'] as const) {
      const h = await handshake({ maxMessagesPerSecond: 20 });
      h.peer.send({ command: 'getdata', payload: { items: Array.from({ length: 30 }, () => VID) } });
      if (end === 'notfound') {
        h.remote.send({ command: 'notfound', payload: { items: Array.from({ length: 30 }, () => VID) } });
        await waitFor(() => h.messages.some((m) => m.command === 'notfound'), { message: 'the notfound delivered' });
      } else h.peer.unsolicit(30);
      h.remote.send(...Array.from({ length: 30 }, (_, i): WireMessage => ({ command: 'report', payload: { n: i } })));
      await waitFor(() => h.messages.filter((m) => m.command === 'report').length === 30, { message: `30 entities delivered after the ${end}` });
      assert.equal(h.local.isPaused(), true, `expected reading paused after the ${end}: none of the 30 entities was still asked for`);
    }
  });

  it('messages within the rate are not throttled', async () => {
    const h = await handshake({ maxMessagesPerSecond: 100 });
    h.remote.send(...Array.from({ length: 50 }, (): WireMessage => ({ command: 'ping', payload: { nonce: '0000000000000000' } })));
    await waitFor(() => h.remote.count('pong') === 50, { message: '50 pongs' });
    assert.equal(h.local.isPaused(), false, 'expected h.local.isPaused() to be false');
  });

  it(`a remote that stops reading is dropped once more than ${MAX_SEND_BUFFER_BYTES} bytes are queued (send-buffer-full)`, async () => {
    const h = await handshake();
    h.local.stalled = true;
    const big: WireMessage = { command: 'oracle', payload: { blob: 'x'.repeat(1 << 20) } };
    const frameBytes = 24 + codec.encode(big).length;
    let sent = 0;
    while (h.peer.send(big)) {
      sent++;
      assert.equal(sent <= 20, true, 'never dropped');
    }
    assert.deepEqual(h.closed, ['send-buffer-full']);
    // Sends go through while at most 16 MiB are queued; the first send that finds more drops the peer.
    assert.equal(sent, Math.floor(MAX_SEND_BUFFER_BYTES / frameBytes) + 1);
    assert.equal(h.peer.send(big), false, 'expected h.peer.send(big) to be false');
  });
});

describe('Peer: batched sends', () => {
  it('sends inside batch() leave in one writev, in order; outside, one write each', async () => {
    const h = await handshake();
    await settle();
    const pings = (n: number): WireMessage[] => Array.from({ length: n }, (_, i): WireMessage => ({ command: 'ping', payload: { nonce: String(i).padStart(16, '0') } }));
    const w0 = h.local.writeCalls;
    const v0 = h.local.writevCalls;
    for (const m of pings(3)) h.peer.send(m);
    assert.equal(h.local.writeCalls - w0, 3, 'expected one write per unbatched send');
    const r = h.peer.batch(() => {
      for (const m of pings(5)) assert.equal(h.peer.send(m), true, 'expected a batched send to be queued');
      assert.equal(h.peer.sendBacklog > 0, true, 'expected the corked frames to count in sendBacklog (pacing sees them)');
      assert.equal(h.local.writevCalls - v0, 0, 'expected nothing written while corked');
      return 'done';
    });
    assert.equal(r, 'done', "expected batch() to return fn's value");
    await settle();
    assert.equal(h.local.writevCalls - v0, 1, 'expected the 5 batched frames in exactly one writev');
    assert.equal(h.local.writeCalls - w0, 3, 'expected no single writes for the batched frames');
    await waitFor(() => h.remote.count('ping') === 8, { message: '8 pings at the remote' });
    const nonces = h.remote.received.filter((m) => m.command === 'ping').map((m) => (m.payload as { nonce: string }).nonce);
    assert.deepEqual(nonces, ['0', '1', '2', '0', '1', '2', '3', '4'].map((n) => n.padStart(16, '0')), 'expected every frame, in send order');
    assert.equal(h.peer.sendBacklog, 0, 'expected the socket drained after uncork');
  });

  it('a throw inside batch() still uncorks the socket', async () => {
    const h = await handshake();
    assert.throws(() => h.peer.batch(() => {
      h.peer.send({ command: 'ping', payload: { nonce: '0000000000000009' } });
      throw new Error('boom');
    }), /boom/);
    assert.equal(h.local.writableCorked, 0, 'expected the socket uncorked after the throw');
    await waitFor(() => h.remote.count('ping') === 1, { message: 'the ping sent before the throw' });
  });
});

describe('Peer: close', () => {
  it('the remote closing: remote-closed, emitted once', async () => {
    const h = await handshake();
    h.remote.end.destroy();
    await closedWith(h, 'remote-closed');
    h.peer.destroy('stopping');
    assert.deepEqual(h.closed, ['remote-closed']);
  });

  it('a socket error: socket-error', async () => {
    const h = await handshake();
    h.local.destroy(new Error('ECONNRESET'));
    await closedWith(h, 'socket-error');
  });

  it('destroy() is idempotent and nothing is sent afterwards', async () => {
    const h = await handshake();
    h.peer.destroy('stopping');
    h.peer.destroy('stopping');
    assert.deepEqual(h.closed, ['stopping']);
    assert.equal(h.peer.send({ command: 'mempool', payload: null }), false, "expected h.peer.send({ command: 'mempool', payload: null }) to be false");
    assert.equal(h.peer.isReady, false, 'expected h.peer.isReady to be false');
  });
});
