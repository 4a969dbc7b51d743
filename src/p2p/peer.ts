/** p2p/peer.ts - one connection: framing, handshake, keepalive, timeouts, rate control, ban score, send limits. Imports wire; never the mempool. */
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { NETWORK_MAGIC, PROTOCOL_VERSION, type Network } from '../wire/constants.ts';
import { WireError } from '../wire/errors.ts';
import { encodeFrame, FrameDecoder } from '../wire/frame.ts';
import { isEntityMessage, type MessageCodec, type VersionPayload, type WireMessage } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { BAN_THRESHOLD, IDLE_INTERVALS, MAX_IN_FLIGHT, MAX_KNOWN_INVENTORY, MAX_SEND_BUFFER_BYTES } from './constants.ts';
import { LruSet } from '../util/lru.ts';

/** The socket a peer owns (a net.Socket in production, any Duplex in tests; bcoin `createSocket`). */
export type PeerSocket = Duplex & { remoteAddress?: string | undefined; remotePort?: number | undefined; setNoDelay?: (v: boolean) => unknown };

/** Per-peer settings (slice of the node config). */
export interface PeerOptions {
  network: Network;
  magic: Buffer;
  maxPayloadBytes: number;
  handshakeTimeoutMs: number;
  keepAliveMs: number;
  /** Sustained messages per second before reads are paused (a fast valid stream is throttled, never banned). */
  maxMessagesPerSecond: number;
  /** Our own version message (its nonce detects connections to ourselves). */
  localVersion: VersionPayload;
}

/** Collaborators. */
export interface PeerDeps {
  socket: PeerSocket;
  codec: MessageCodec;
  log: Logger;
  now?: () => number;
}

/** Why a peer went away. */
export type CloseReason =
  | 'remote-closed'
  | 'socket-error'
  | 'handshake-timeout'
  | 'idle-timeout'
  | 'ping-timeout'
  | 'message-before-handshake'
  | 'wrong-network'
  | 'unsupported-version'
  | 'self-connection'
  | 'duplicate-connection'
  | 'banned'
  | 'send-buffer-full'
  | 'pool-full'
  | 'stopping'
  | 'partitioned'
  | 'evicted'
  | 'shard-replaced'
  | 'outbound-full';

/** Peer lifecycle events (listeners must not throw). */
export interface PeerEvents {
  'peer:ready': [];
  'peer:message': [WireMessage];
  'peer:misbehave': [number, string];
  'peer:close': [CloseReason | string];
}

let nextPeerId = 1;

/** A connection to one peer. */
export class Peer extends EventEmitter<PeerEvents> {
  readonly id = nextPeerId++;
  readonly direction: 'inbound' | 'outbound';
  readonly ip: string;
  readonly remotePort: number;
  /** Address we dialed (outbound) or `ip:listenPort` learned from version (inbound). */
  listenAddress: string | null;
  readonly connectedSince: number;
  lastSeen: number;
  bytesIn = 0;
  bytesOut = 0;
  banScore = 0;
  /** Last time this peer answered a request of ours (an entity or notfound arrived): getdata progress (0 = never). */
  lastDeliveryAt = 0;
  /** Last time this peer delivered an item new to this node (accepted or out-of-shard): inbound eviction keeps useful peers (0 = never). */
  lastUsefulAt = 0;
  /** Their version message, once received. */
  version: VersionPayload | null = null;
  /** Versions this peer has or was sent (never announce them to it again). */
  readonly known = new LruSet<string>(MAX_KNOWN_INVENTORY);
  /**
   * Eager (the relay pushes new versions to it as entities) or lazy (it is sent their short ids in
   * a periodic `inv`): every peer starts eager; a `prune` either way makes it lazy, a `graft` eager
   * again (docs/PROTOCOL.md 11.7, Plumtree's eager and lazy push). Owned by p2p/push-tree.ts.
   */
  eager = true;
  private state: 'handshaking' | 'ready' | 'closed' = 'handshaking';
  private completedHandshake = false;
  private gotVerack = false;
  private readonly opts: PeerOptions;
  private readonly socket: PeerSocket;
  private readonly codec: MessageCodec;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly decoder: FrameDecoder;
  private timers: NodeJS.Timeout[] = [];
  private pingNonce: string | null = null;
  /** Keepalive pings sent since the last matching pong. */
  private unansweredPings = 0;
  private tokens: number;
  private lastRefill: number;
  /**
   * Entities this node asked the peer for (its own `getdata` items) and has not yet received, been
   * told `notfound` of, or given up on ({@link unsolicit}): answers to them do not draw on the
   * message-rate bucket (PROTOCOL 11.11). At most MAX_IN_FLIGHT, what the relay may have outstanding.
   */
  private solicited = 0;
  private paused = false;
  /** Reads paused by {@link hold}. */
  private held = false;

  constructor(direction: 'inbound' | 'outbound', dialed: string | null, opts: PeerOptions, deps: PeerDeps) {
    super();
    this.direction = direction;
    this.opts = opts;
    this.socket = deps.socket;
    this.codec = deps.codec;
    this.now = deps.now ?? Date.now;
    this.ip = deps.socket.remoteAddress ?? 'unknown';
    this.remotePort = deps.socket.remotePort ?? 0;
    this.listenAddress = dialed;
    this.log = deps.log.child({ peer: `${this.ip}:${this.remotePort}`, peerId: this.id });
    this.connectedSince = this.now();
    this.lastSeen = this.connectedSince;
    this.tokens = opts.maxMessagesPerSecond;
    this.lastRefill = this.connectedSince;
    this.decoder = new FrameDecoder({ magic: opts.magic, maxPayloadBytes: opts.maxPayloadBytes });
  }

  /** Is the handshake done? */
  get isReady(): boolean {
    return this.state === 'ready';
  }

  /** Did the handshake complete at some point (true after a ready connection closed, unlike {@link isReady})? */
  get wasReady(): boolean {
    return this.completedHandshake;
  }

  /** Has the connection ended? */
  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Unsent bytes queued on the socket. */
  get sendBacklog(): number {
    return this.socket.writableLength;
  }

  /** Wire the socket and send our version. Lifecycle: start() once; destroy() ends it (idempotent). */
  start(): void {
    const s = this.socket;
    s.setNoDelay?.(true);
    s.on('data', (chunk: Buffer) => this.guard(() => this.onData(chunk)));
    s.on('error', (err: Error) => this.guard(() => {
      this.log.debug({ err: err.message }, 'socket error');
      this.destroy('socket-error');
    }));
    s.on('close', () => this.guard(() => this.destroy('remote-closed')));
    this.timers.push(
      setTimeout(() => this.guard(() => {
        if (this.state === 'handshaking') this.destroy('handshake-timeout');
      }), this.opts.handshakeTimeoutMs),
    );
    this.timers.push(setInterval(() => this.guard(() => this.onTick()), this.opts.keepAliveMs));
    for (const t of this.timers) t.unref?.();
    this.send({ command: 'version', payload: this.opts.localVersion });
  }

  /** Queue a message. Returns false (and drops the peer) when it cannot keep up. */
  send(msg: WireMessage): boolean {
    if (this.state === 'closed') return false;
    if (this.socket.writableLength > MAX_SEND_BUFFER_BYTES) {
      this.destroy('send-buffer-full');
      return false;
    }
    const frame = encodeFrame(this.opts.magic, msg.command, this.codec.encodeText(msg));
    this.bytesOut += frame.length;
    this.socket.write(frame);
    if (msg.command === 'getdata') this.solicited = Math.min(MAX_IN_FLIGHT, this.solicited + msg.payload.items.length);
    return true;
  }

  /** `count` of the entities asked of this peer will not come (the relay gave up on them): their answers are no longer exempt from the rate bucket. */
  unsolicit(count: number): void {
    this.solicited = Math.max(0, this.solicited - count);
  }

  /**
   * Run `fn` (which sends several messages) with the socket corked: its frames leave in one
   * `writev` when it returns instead of one write (syscall, write request, buffer copy) per frame.
   * `sendBacklog` still counts them while corked, so a caller pacing by it stays bounded. Nests.
   */
  batch<T>(fn: () => T): T {
    if (this.state === 'closed') return fn();
    const s = this.socket;
    s.cork();
    try {
      return fn();
    } finally {
      s.uncork();
    }
  }

  /** Resolves once unsent data is below `highWater` bytes (or the peer closed). */
  whenDrained(highWater: number): Promise<void> {
    if (this.state === 'closed' || this.socket.writableLength < highWater) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.off('peer:close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.on('peer:close', done);
    });
  }

  /** When this peer was last sent our whole inventory (sync rate limit). */
  lastMempoolServed = 0;

  /** Add ban score; at the threshold the peer is disconnected (the pool bans its address). */
  misbehave(score: number, reason: string): void {
    if (score <= 0 || this.state === 'closed') return;
    this.banScore += score;
    this.log.info({ score: this.banScore, reason }, 'peer misbehaved');
    this.emit('peer:misbehave', score, reason);
    if (this.banScore >= BAN_THRESHOLD) this.destroy('banned');
  }

  /** Close the connection now (idempotent); emits peer:close once. */
  destroy(reason: CloseReason | string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.socket.destroy();
    this.log.debug({ reason }, 'peer closed');
    this.emit('peer:close', reason);
  }

  /** Run a socket or timer callback so that nothing it throws escapes (STYLE 5). */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'bug in peer handler; dropping the peer');
      this.destroy('internal-error');
    }
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.bytesIn += chunk.length;
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      // Another Mega network's magic at the very start is a misconfigured node, not an attack.
      if (e.code === 'bad-magic' && this.bytesIn === chunk.length && isOtherNetworkMagic(chunk, this.opts.magic)) {
        this.destroy('wrong-network');
        return;
      }
      this.misbehave(BAN_THRESHOLD, e.code);
      return;
    }
    // Activity is complete messages, not bytes: a peer dribbling one byte at a time is not alive.
    if (frames.length > 0) this.lastSeen = this.now();
    let charged = frames.length;
    for (const f of frames) {
      if (this.isClosed) return;
      let msg: WireMessage;
      try {
        msg = this.codec.decode(f.command, f.payload);
        if (isEntityMessage(msg)) msg.digest = f.digest;
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        this.misbehave(BAN_THRESHOLD, `${e.code}: ${e.message.slice(0, 120)}`);
        return;
      }
      // What this node asked for is paced by its own getdata, not by the bucket: an entity answering it is free, a notfound ends that many requests.
      if (this.solicited > 0) {
        if (isEntityMessage(msg)) {
          this.solicited--;
          charged--;
        } else if (msg.command === 'notfound') this.unsolicit(msg.payload.items.length);
      }
      this.onMessage(msg);
    }
    this.throttle(charged);
  }

  private onMessage(msg: WireMessage): void {
    if (this.state === 'handshaking') {
      this.onHandshakeMessage(msg);
      return;
    }
    switch (msg.command) {
      case 'version':
      case 'verack':
        this.misbehave(10, `duplicate ${msg.command}`);
        return;
      case 'ping':
        this.send({ command: 'pong', payload: { nonce: msg.payload.nonce } });
        return;
      case 'pong':
        if (msg.payload.nonce === this.pingNonce) {
          this.pingNonce = null;
          this.unansweredPings = 0;
        }
        return;
      default:
        this.emit('peer:message', msg);
    }
  }

  private onHandshakeMessage(msg: WireMessage): void {
    if (msg.command === 'version') {
      if (this.version) {
        this.misbehave(BAN_THRESHOLD, 'duplicate version');
        return;
      }
      const v = msg.payload;
      if (v.network !== this.opts.network) return this.destroy('wrong-network');
      if (v.protocolVersion !== PROTOCOL_VERSION) return this.destroy('unsupported-version');
      if (v.nonce === this.opts.localVersion.nonce) return this.destroy('self-connection');
      this.version = v;
      if (this.direction === 'inbound' && v.listenPort > 0) this.listenAddress = formatAddress(this.ip, v.listenPort);
      this.send({ command: 'verack', payload: null });
    } else if (msg.command === 'verack') {
      if (!this.version || this.gotVerack) return this.destroy('message-before-handshake');
      this.gotVerack = true;
    } else {
      // Nothing but version/verack before the handshake (issue: "anything else ends the connection").
      return this.destroy('message-before-handshake');
    }
    if (this.version && this.gotVerack) {
      this.state = 'ready';
      this.completedHandshake = true;
      this.emit('peer:ready');
    }
  }

  private onTick(): void {
    const now = this.now();
    // While our own throttle holds reads paused, the peer's silence is ours, not its own.
    if (!this.paused && !this.held && now - this.lastSeen > this.opts.keepAliveMs * IDLE_INTERVALS) {
      this.destroy('idle-timeout');
      return;
    }
    if (this.state === 'ready') {
      if (this.pingNonce !== null && !this.paused && !this.held && ++this.unansweredPings >= IDLE_INTERVALS) {
        this.destroy('ping-timeout');
        return;
      }
      this.pingNonce = crypto.randomBytes(8).toString('hex');
      this.send({ command: 'ping', payload: { nonce: this.pingNonce } });
    }
  }

  /**
   * Pause (true) or resume (false) reading for back-pressure from the node (its intake is full).
   * Like the throttle, a held peer's silence is ours, so it is not dropped as idle meanwhile.
   */
  hold(on: boolean): void {
    if (this.held === on || this.state === 'closed') return;
    this.held = on;
    if (on) this.socket.pause();
    else {
      this.lastSeen = this.now();
      if (!this.paused) this.socket.resume();
    }
  }

  /** Token bucket on messages: past the rate, pause reading until tokens refill (throttle, not ban). */
  private throttle(count: number): void {
    const now = this.now();
    const rate = this.opts.maxMessagesPerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) / 1000) * rate);
    this.lastRefill = now;
    this.tokens -= count;
    if (this.tokens >= 0 || this.paused || this.state === 'closed') return;
    this.paused = true;
    this.socket.pause();
    const waitMs = Math.ceil((-this.tokens / rate) * 1000);
    const t = setTimeout(() => this.guard(() => {
      this.paused = false;
      this.lastSeen = this.now();
      if (this.state !== 'closed' && !this.held) this.socket.resume();
    }), waitMs);
    t.unref?.();
  }
}

/** Does the chunk start with the magic of another Mega network? */
function isOtherNetworkMagic(chunk: Buffer, ours: Buffer): boolean {
  if (chunk.length < 4) return false;
  const head = chunk.subarray(0, 4);
  return !head.equals(ours) && Object.values(NETWORK_MAGIC).some((m) => head.equals(m));
}

/** `host:port`, with brackets for IPv6. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
