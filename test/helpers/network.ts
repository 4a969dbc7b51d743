/** test/helpers/network.ts - in-process P2P test networks: start real MegaNodes on loopback port 0 with short timers, connect them, poll for conditions with deadlines, summarise mempools for convergence checks. */
import crypto from 'node:crypto';
import net from 'node:net';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { MegaNode } from '../../src/node.ts';
import { NETWORK_MAGIC, PROTOCOL_VERSION } from '../../src/wire/constants.ts';
import { encodeFrame, FrameDecoder } from '../../src/wire/frame.ts';

/** Config keys a test may override (any MegaConfig key, validated by parseConfig). */
export type NodeOverrides = Record<string, unknown>;

let nextNodeNumber = 1;

/**
 * Silent unless MEGA_TEST_LOG names a pino level (e.g. `MEGA_TEST_LOG=debug node scripts/run-tests.mjs
 * test/integration/p2p-relay.test.ts`); every line then carries the node's name.
 */
function testLogger(name: string, level: string): Logger {
  if (level === 'silent') return pino({ level: 'silent' });
  return createLogger({ level, base: { node: name } });
}

/** Test defaults: loopback, OS-chosen ports, regtest, timers short enough for tests. */
export function testNodeConfig(overrides: NodeOverrides = {}): Record<string, unknown> {
  return {
    network: 'regtest',
    httpPort: 0,
    p2pPort: 0,
    listenAddress: '127.0.0.1',
    isTest: true,
    dataDir: null, // in memory: tests never write into the repo (persistence tests pass a temp dir)
    p2pKeepAlive: 1000,
    handshakeTimeoutMs: 1000,
    antiEntropyIntervalMs: 1000,
    httpRequestTimeoutMs: 5000,
    logLevel: process.env.MEGA_TEST_LOG || 'silent',
    ...overrides,
  };
}

/** Start a real MegaNode (config through parseConfig, so overrides are validated like a config file). */
export async function createTestNode(overrides: NodeOverrides = {}, name = `n${nextNodeNumber++}`): Promise<MegaNode> {
  const config = parseConfig(testNodeConfig(overrides), `test node ${name}`);
  const node = new MegaNode(config, { log: testLogger(name, config.logLevel) });
  try {
    await node.start();
  } catch (err) {
    await node.stop();
    throw err;
  }
  return node;
}

/** A node seeded with `seed`'s P2P address, like mempool-cfg2.json / mempool-cfg3.json are seeded with mempool-cfg.json's. */
export function createSeededNode(seed: MegaNode, overrides: NodeOverrides = {}, name?: string): Promise<MegaNode> {
  return createTestNode({ p2pseed: [{ server: '127.0.0.1', port: seed.p2pPort }], ...overrides }, name);
}

import { waitFor } from './wait.ts';

export { waitFor, waitForValue, type WaitOptions } from './wait.ts';

/** Does `a` list `b` as a connected (handshake done) peer? Peers are told apart by the REST port they announce. */
export function isPeerOf(a: MegaNode, b: MegaNode): boolean {
  return a.pool.list().some((p) => p.httpPort === b.httpPort);
}

/** Are `a` and `b` connected, as seen from both sides? */
export function areConnected(a: MegaNode, b: MegaNode): boolean {
  return isPeerOf(a, b) && isPeerOf(b, a);
}

/** `a` dials `b`; resolves once both list each other. */
export async function connect(a: MegaNode, b: MegaNode, timeoutMs = 10_000): Promise<void> {
  if (areConnected(a, b)) return;
  a.pool.connect('127.0.0.1', b.p2pPort);
  await waitFor(() => areConnected(a, b), { timeoutMs, message: `node :${a.httpPort} and node :${b.httpPort} connected` });
}

/** Connect every pair (a full mesh); `edges` instead connects only the listed index pairs. */
export async function connectAll(nodes: MegaNode[], edges?: [number, number][]): Promise<void> {
  const pairs: [number, number][] = edges ?? [];
  if (!edges) for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) pairs.push([i, j]);
  // One at a time: two simultaneous dials between the same pair are resolved by the pool anyway, but serial is easier to debug.
  for (const [i, j] of pairs) await connect(nodes[i] as MegaNode, nodes[j] as MegaNode);
}

/** Stop every node (errors are collected, so one failing stop never leaves the others running). */
export async function stopAll(nodes: Iterable<MegaNode | undefined>): Promise<void> {
  const results = await Promise.allSettled([...nodes].filter((n): n is MegaNode => n !== undefined).map((n) => n.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** A node's whole mempool as sorted `kind:id:version` lines (equal arrays = same contents, versions included). */
export function contents(node: MegaNode): string[] {
  const out: string[] = [];
  for (const e of node.service.inventory()) out.push(`${e.kind}:${e.id}:${e.version}`);
  return out.sort();
}

/** Does the node store this version of this item? */
export function hasItem(node: MegaNode, kind: 'oracle' | 'capability' | 'report' | 'dispute', id: string): boolean {
  return node.mempool.getByInventoryId(kind, id) !== undefined;
}

/** POST JSON to a node's REST API; resolves with the status and parsed body. */
export async function post(node: MegaNode, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${node.httpPort}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** GET a node's REST API; resolves with the status and parsed body. */
export async function get(node: MegaNode, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${node.httpPort}${path}`);
  return { status: res.status, body: (await res.json()) as unknown };
}

/** A TCP port that was free a moment ago (bind port 0, read it, close). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- raw TCP peers (hostile or hand-driven clients) --------------------------------------------

/** One frame the node sent to a raw peer, payload parsed as JSON (null when empty). */
export interface RawFrame {
  command: string;
  payload: unknown;
}

/** Options of {@link RawPeer.connect}. */
export interface RawPeerOptions {
  /** Source address of the connection (any 127.x.y.z works on Linux: all of 127/8 routes to lo). */
  localAddress?: string;
  /** Magic of the frames this client decodes (default regtest). */
  magic?: Buffer;
}

/** A hand-driven TCP client speaking (or abusing) the wire protocol; records every frame and when the node closed it. */
export class RawPeer {
  readonly socket: net.Socket;
  readonly frames: RawFrame[] = [];
  /** Answer the node's keepalive pings (off by default, so silence tests stay silent). */
  autoPong = false;
  /** Bytes received from the node. */
  bytesIn = 0;
  /** Set when the connection closed (ms since the epoch). */
  closedAt: number | null = null;
  readonly connectedAt: number;
  /** Source address of the connection ('127.0.0.1' unless given). */
  readonly localAddress: string;
  private readonly magic: Buffer;
  private readonly decoder: FrameDecoder;
  private decodeFailed = false;

  private constructor(socket: net.Socket, magic: Buffer, localAddress: string) {
    this.socket = socket;
    this.localAddress = localAddress;
    this.magic = magic;
    this.connectedAt = Date.now();
    this.decoder = new FrameDecoder({ magic, maxPayloadBytes: 64 * 1024 * 1024 });
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (this.decodeFailed) return;
      try {
        for (const f of this.decoder.push(chunk)) {
          const payload = f.payload.length ? (JSON.parse(f.payload.toString('utf8')) as unknown) : null;
          this.frames.push({ command: f.command, payload });
          if (f.command === 'ping' && this.autoPong) this.send('pong', payload);
        }
      } catch {
        this.decodeFailed = true;
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedAt = Date.now();
    });
  }

  /** Open a TCP connection to `port` on 127.0.0.1; resolves once connected. */
  static async connect(port: number, opts: RawPeerOptions = {}): Promise<RawPeer> {
    const socket = net.connect({ host: '127.0.0.1', port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const peer = new RawPeer(socket, opts.magic ?? NETWORK_MAGIC.regtest, opts.localAddress ?? '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return peer;
  }

  get closed(): boolean {
    return this.closedAt !== null;
  }

  /** Write raw bytes (ignored once closed). */
  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Send one well-formed frame with a JSON payload (null = empty payload). */
  send(command: string, payload: unknown = null): void {
    this.write(encodeFrame(this.magic, command, payload === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(payload), 'utf8')));
  }

  /** Complete the version/verack handshake as a well-behaved peer; `version` overrides fields of our version message. */
  async handshake(version: Record<string, unknown> = {}, timeoutMs = 5000): Promise<void> {
    this.send('version', {
      protocolVersion: PROTOCOL_VERSION,
      network: 'regtest',
      nonce: crypto.randomBytes(8).toString('hex'),
      userAgent: '/raw-test-peer/',
      listenPort: 0,
      httpPort: 0,
      ...version,
    });
    await waitFor(() => this.has('version') && this.has('verack'), { timeoutMs, message: 'node sent version and verack' });
    this.send('verack');
  }

  /** Has the node sent a frame with this command? */
  has(command: string): boolean {
    return this.frames.some((f) => f.command === command);
  }

  /** Resolves once the node closed the connection (rejects after the deadline). */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, { timeoutMs, message: 'node closed the raw connection' });
  }

  /** Close from our side. */
  destroy(): void {
    this.socket.destroy();
  }
}
