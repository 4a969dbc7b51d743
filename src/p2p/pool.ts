/** p2p/pool.ts - the peer pool: listener, dialing and backoff, limits, bans, shard-covering outbound choice, handshake bookkeeping, and dispatch handleX(peer, msg) to relay and sync. Imports wire and the service interface. */
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Logger } from '../log.ts';
import type { MegaService, RelayItem } from '../service/service.ts';
import type { PeerSummary } from '../service/types.ts';
import { PROTOCOL_VERSION, type Network } from '../wire/constants.ts';
import { isEntityMessage, type AddrEntry, type MessageCodec, type VersionPayload, type WireMessage } from '../wire/messages.ts';
import { AddrMan } from './addrman.ts';
import { BanList, normalizeIp, Whitelist } from './bans.ts';
import { pickEvictionVictim } from './eviction.ts';

/** 127.0.0.0/8 and ::1 (after normalizeIp). */
function isLoopbackIp(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}
import { ADDR_MESSAGES_PER_MINUTE, ADDR_RELAY_FANOUT, ADDR_SAMPLE_ON_CONNECT, DIAL_TIMEOUT_MS } from './constants.ts';
import { formatAddress, Peer, type PeerOptions, type PeerSocket } from './peer.ts';
import { Relay } from './relay.ts';
import { EdgeEvents } from './edge-events.ts';
import { ShardPeering, type ShardCoverage } from './shard-peering.ts';
import { Sync } from './sync.ts';

/** The P2P config slice. */
export interface PoolOptions {
  network: Network;
  magic: Buffer;
  listenAddress: string;
  p2pPort: number;
  /** Public host name to announce, or null. */
  hostname: string | null;
  hostSeqNo: number;
  httpPort: () => number;
  maxConnections: number;
  /** Most inbound connections from one IP (0 = no limit); loopback exempt unless limitLoopback. */
  maxInboundPerAddress?: number;
  limitLoopback?: boolean;
  targetOutbound: number;
  seeds: { server: string; port: number }[];
  keepAliveMs: number;
  handshakeTimeoutMs: number;
  maxPayloadBytes: number;
  maxMessagesPerSecond: number;
  banTimeMs: number;
  /** Addresses and CIDR ranges never banned nor evicted: disconnected on misbehaviour only (Bitcoin Core -whitelist=noban). Default none. */
  whitelist?: readonly string[];
  /** A requested version not delivered by a silent peer for this long is asked of another announcer (default GETDATA_TIMEOUT_MS). */
  getDataTimeoutMs?: number;
  antiEntropyIntervalMs: number;
  shard: { count: number; index: number };
  userAgent: string;
}

/** Collaborators. `connect` is injectable so tests can drive the pool without TCP (bcoin createSocket). */
export interface PoolDeps {
  service: Pick<MegaService, 'offer' | 'knowsVersion' | 'storesVersion' | 'getItemByShortId' | 'inventory' | 'raiseCTTL'>;
  codec: MessageCodec;
  log: Logger;
  now?: () => number;
  connect?: (host: string, port: number) => PeerSocket;
}

/** A connected peer as monitoring sees it, plus what network-wide queries need. */
export interface PoolPeerSummary extends PeerSummary {
  /** REST port the peer announced (0 if none) and its IP, for network-wide queries. */
  httpPort: number;
  ip: string;
}

/** Pool events (listeners must not throw). */
export interface PoolEvents {
  'peer:connect': [PoolPeerSummary];
  'peer:disconnect': [PoolPeerSummary, string];
  /** The peer's push-tree edge changed (`relay` eager/lazy, by prune or graft): rate-limited per peer by edge-events.ts. */
  'peer:relay': [PoolPeerSummary];
}

const DIAL_INTERVAL_MS = 1000;

/** Owns every peer connection. Lifecycle: start() then stop(); stop() destroys sockets and clears timers. */
export class Pool extends EventEmitter<PoolEvents> {
  readonly relay: Relay;
  readonly sync: Sync;
  readonly addrman: AddrMan;
  readonly bans: BanList;
  /** Addresses never banned nor evicted (config `whitelist`). */
  whitelist: Whitelist;
  private opts: PoolOptions;
  private readonly deps: PoolDeps;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly nonce = crypto.randomBytes(8).toString('hex');
  private readonly peers = new Set<Peer>();
  private readonly dialing = new Set<string>();
  /** Addresses that turned out to reach an already connected node (key -> its nonce). */
  private readonly aliases = new Map<string, string>();
  /** Addresses the operator (or a test) cut off; dialing and inbound from them are refused. */
  private readonly blocked = new Set<string>();
  private readonly addrRate = new WeakMap<Peer, { windowStart: number; count: number }>();
  /** Shard-covering dial choice (PROTOCOL 11.9). */
  private readonly shardPeering: ShardPeering;
  /** `peer:relay` reports, at most one per peer per second. */
  private readonly edgeEvents: EdgeEvents;
  private server: net.Server | null = null;
  private dialTimer: NodeJS.Timeout | null = null;
  private closedBytes = { bytesIn: 0, bytesOut: 0 };
  private stopped = false;

  constructor(opts: PoolOptions, deps: PoolDeps) {
    super();
    this.opts = opts;
    this.deps = deps;
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
    this.addrman = new AddrMan(this.now);
    this.shardPeering = new ShardPeering({ own: opts.shard, addrman: this.addrman, peers: () => this.peers, dial: (host, port) => this.dial(host, port), log: this.log, now: this.now });
    this.bans = new BanList(opts.banTimeMs, this.now);
    this.whitelist = new Whitelist(opts.whitelist ?? []);
    const readyPeers = (): Peer[] => [...this.peers].filter((p) => p.isReady);
    this.edgeEvents = new EdgeEvents(
      (peer) =>
        this.guard(() => {
          if (peer.version) this.emit('peer:relay', this.summary(peer));
        }),
      this.now,
    );
    this.relay = new Relay({ service: deps.service, readyPeers, log: this.log, now: this.now, getDataTimeoutMs: opts.getDataTimeoutMs, onEdgeChange: (peer) => this.guard(() => this.edgeEvents.changed(peer)) });
    this.sync = new Sync({ service: deps.service, readyPeers, log: this.log, now: this.now });
  }

  /** Port the P2P listener is bound to (after start). */
  get port(): number {
    return (this.server?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  /**
   * Inbound slots: maxConnections less the targetOutbound slots kept for connections this node
   * chose itself, so inbound peers (however many addresses an attacker has) never crowd them out.
   */
  get maxInbound(): number {
    return Math.max(0, this.opts.maxConnections - Math.min(this.opts.targetOutbound, this.opts.maxConnections));
  }

  /** Open connections, handshaking ones included. */
  get connectionCount(): number {
    return this.peers.size;
  }

  /** This process's version nonce (self-connection detection). */
  get localNonce(): string {
    return this.nonce;
  }

  /** Listen, dial the seeds, start anti-entropy. Rejects if the port cannot be bound. */
  async start(): Promise<void> {
    const server = net.createServer((socket) => this.guard(() => this.onInbound(socket)));
    server.maxConnections = this.opts.maxConnections + 16; // hard OS-level cap; the soft limit is checked per connection
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.p2pPort, this.opts.listenAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err }, 'P2P listener error'));
    this.server = server;
    for (const s of this.opts.seeds) this.addrman.addSeed(s.server, s.port);
    if (this.opts.hostname) this.addrman.markSelf(formatAddress(this.opts.hostname, this.port));
    this.dialTimer = setInterval(() => this.guard(() => this.fillOutbound()), DIAL_INTERVAL_MS);
    this.dialTimer.unref?.();
    this.sync.start(this.opts.antiEntropyIntervalMs);
    this.relay.start();
    this.log.info({ address: this.opts.listenAddress, port: this.port, network: this.opts.network, seeds: this.opts.seeds.length }, 'P2P listening');
    this.fillOutbound();
  }

  /** Stop dialing and listening, destroy every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.dialTimer) clearInterval(this.dialTimer);
    this.dialTimer = null;
    this.sync.stop();
    for (const p of [...this.peers]) p.destroy('stopping');
    this.relay.close();
    this.edgeEvents.close();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Pass a new or out-of-shard item on to peers (wired to the service's `item:relay`). */
  relayItem(item: RelayItem): void {
    this.guard(() => this.relay.announce(item));
  }

  /** Connected peers (handshake done), for GET /peers and monitoring. */
  list(): PoolPeerSummary[] {
    return [...this.peers].filter((p) => p.isReady).map((p) => this.summary(p));
  }

  /** Bytes in and out over P2P since start (monotonic). */
  totals(): { bytesIn: number; bytesOut: number } {
    let bytesIn = this.closedBytes.bytesIn;
    let bytesOut = this.closedBytes.bytesOut;
    for (const p of this.peers) {
      bytesIn += p.bytesIn;
      bytesOut += p.bytesOut;
    }
    return { bytesIn, bytesOut };
  }

  /** Dial `host:port` now (besides the address book). */
  connect(host: string, port: number): void {
    this.dial(host, port);
  }

  /** Cut this node off from `host:port` (operator tooling and partition tests): drops and refuses it until unblocked. */
  block(host: string, port: number): void {
    const key = formatAddress(host, port);
    this.blocked.add(key);
    for (const p of this.peers) if (p.listenAddress === key) p.destroy('partitioned');
  }

  /** Undo {@link block}. */
  unblock(host: string, port: number): void {
    this.blocked.delete(formatAddress(host, port));
  }

  // ---- operator controls (admin API, SIGHUP) -------------------------------------------------

  /**
   * Apply the settings that may change while running (SIGHUP): connection limits, ban time of future
   * bans, whitelist, and seeds (new ones are dialed at once; a removed seed stays a known address).
   * Connections already open are kept even when they now exceed a lowered limit.
   */
  reconfigure(o: Pick<PoolOptions, 'maxConnections' | 'targetOutbound' | 'maxInboundPerAddress' | 'limitLoopback' | 'banTimeMs' | 'whitelist' | 'seeds'>): void {
    const known = new Set(this.opts.seeds.map((x) => formatAddress(x.server, x.port)));
    this.opts = { ...this.opts, ...o };
    this.bans.setBanTime(o.banTimeMs);
    this.whitelist = new Whitelist(o.whitelist ?? []);
    if (this.server) this.server.maxConnections = o.maxConnections + 16;
    for (const s of o.seeds) if (!known.has(formatAddress(s.server, s.port))) this.addrman.addSeed(s.server, s.port);
    if (this.server) this.guard(() => this.fillOutbound());
  }

  /** Ban `ip` (operator request) for `durationMs` and drop its connections; whitelisted addresses can be banned this way too. Returns the expiry and how many connections were dropped. */
  banAddress(ip: string, durationMs?: number): { until: number; disconnected: number } {
    const until = this.bans.ban(ip, durationMs);
    const key = normalizeIp(ip);
    let disconnected = 0;
    for (const p of [...this.peers]) {
      if (normalizeIp(p.ip) !== key) continue;
      p.destroy('banned-by-operator');
      disconnected++;
    }
    return { until, disconnected };
  }

  /** Close the connections matching `address`: an IP (every connection from it), `ip:port` / `[v6]:port` of the connection, or the address it was dialed at. Returns how many were closed. */
  disconnect(address: string): number {
    const ip = normalizeIp(address);
    let n = 0;
    for (const p of [...this.peers]) {
      if (normalizeIp(p.ip) === ip || formatAddress(p.ip, p.remotePort) === address || p.listenAddress === address) {
        p.destroy('disconnected-by-operator');
        n++;
      }
    }
    return n;
  }

  // ---- connections ---------------------------------------------------------------------------

  private onInbound(socket: net.Socket): void {
    const ip = normalizeIp(socket.remoteAddress ?? '');
    if (this.stopped || this.bans.isBanned(ip)) {
      socket.destroy();
      return;
    }
    // At the inbound limit a newcomer takes the slot of the least useful inbound peer (no handshake
    // yet, or idle longest without delivering anything), as Bitcoin Core's AttemptToEvictConnection
    // does: idle or slow connections from many addresses can no longer lock honest peers out (#12 item 9).
    const inbound = [...this.peers].filter((p) => p.direction === 'inbound');
    if (inbound.length >= this.maxInbound || this.peers.size >= this.opts.maxConnections) {
      const victim = pickEvictionVictim(inbound.filter((p) => !this.whitelist.has(p.ip)));
      if (!victim || inbound.length === 0) {
        this.log.debug({ ip }, 'refusing inbound connection: every inbound slot is held by a protected peer');
        socket.destroy();
        return;
      }
      this.log.info({ evicted: `${victim.ip}:${victim.remotePort}`, for: ip }, 'evicting an inbound peer to make room');
      victim.destroy('evicted');
    }
    // One host must not fill every slot (cheap eclipse / slot exhaustion). Refused, not banned:
    // several honest nodes can share an address behind NAT.
    const perAddress = this.opts.maxInboundPerAddress ?? 0;
    if (perAddress > 0 && (this.opts.limitLoopback || !isLoopbackIp(ip)) && this.inboundFrom(ip) >= perAddress) {
      this.log.debug({ ip, limit: perAddress }, 'refusing inbound connection: maxInboundPerAddress reached');
      socket.destroy();
      return;
    }
    this.addPeer('inbound', null, socket);
  }

  private inboundFrom(ip: string): number {
    let n = 0;
    for (const p of this.peers) if (p.direction === 'inbound' && normalizeIp(p.ip) === ip) n++;
    return n;
  }

  private dial(host: string, port: number): void {
    const key = formatAddress(host, port);
    if (this.stopped || this.dialing.has(key)) return;
    this.dialing.add(key);
    const socket = this.deps.connect ? this.deps.connect(host, port) : net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error('dial timeout')), DIAL_TIMEOUT_MS);
    timer.unref?.();
    const fail = (): void => {
      clearTimeout(timer);
      this.dialing.delete(key);
      this.addrman.markFailure(key);
      this.shardPeering.dialEnded(key, null);
    };
    socket.once('error', fail);
    socket.once('connect', () => this.guard(() => {
      clearTimeout(timer);
      socket.off('error', fail);
      this.dialing.delete(key);
      if (this.stopped || this.peers.size >= this.opts.maxConnections) {
        this.shardPeering.forget(key);
        socket.destroy();
        return;
      }
      this.addPeer('outbound', key, socket);
    }));
  }

  /**
   * Keep `targetOutbound` outbound connections: uncovered shards first (ShardPeering, PROTOCOL 11.9),
   * then seeds and gossiped addresses. With every slot taken only a shard probe may be dialed.
   */
  private fillOutbound(): void {
    if (this.stopped) return;
    const target = Math.min(this.opts.targetOutbound, this.opts.maxConnections);
    let outbound = this.dialing.size + [...this.peers].filter((p) => p.direction === 'outbound').length;
    if (target === 0 || this.peers.size + this.dialing.size >= this.opts.maxConnections) return;
    const connected = new Set<string>();
    const nonces = new Set<string>();
    for (const p of this.peers) {
      if (p.listenAddress) connected.add(p.listenAddress);
      if (p.version) nonces.add(p.version.nonce);
    }
    const exclude = (key: string): boolean => {
      if (connected.has(key) || this.dialing.has(key) || this.blocked.has(key)) return true;
      const alias = this.aliases.get(key);
      if (alias !== undefined && nonces.has(alias)) return true;
      const host = key.startsWith('[') ? key.slice(1, key.indexOf(']')) : key.slice(0, key.lastIndexOf(':'));
      return this.bans.isBanned(host);
    };
    outbound = this.shardPeering.fill(target, outbound, exclude);
    for (const a of this.addrman.candidates(exclude)) {
      if (outbound >= target) break;
      this.dial(a.host, a.port);
      outbound++;
    }
  }

  /** Which shards the outbound peers cover (GET /stats `shards`). */
  coverage(): ShardCoverage {
    return this.shardPeering.coverage(Math.min(this.opts.targetOutbound, this.opts.maxConnections));
  }

  private addPeer(direction: 'inbound' | 'outbound', dialed: string | null, socket: PeerSocket): void {
    const peerOpts: PeerOptions = {
      network: this.opts.network,
      magic: this.opts.magic,
      maxPayloadBytes: this.opts.maxPayloadBytes,
      handshakeTimeoutMs: this.opts.handshakeTimeoutMs,
      keepAliveMs: this.opts.keepAliveMs,
      maxMessagesPerSecond: this.opts.maxMessagesPerSecond,
      localVersion: this.localVersion(),
    };
    const peer = new Peer(direction, dialed, peerOpts, { socket, codec: this.deps.codec, log: this.log, now: this.now });
    this.peers.add(peer);
    peer.on('peer:ready', () => this.guard(() => this.onReady(peer)));
    peer.on('peer:message', (msg) => this.guard(() => this.dispatch(peer, msg)));
    peer.on('peer:close', (reason) => this.guard(() => this.onClose(peer, reason)));
    peer.start();
  }

  private localVersion(): VersionPayload {
    return {
      protocolVersion: PROTOCOL_VERSION,
      network: this.opts.network,
      nonce: this.nonce,
      userAgent: this.opts.userAgent,
      listenPort: this.port,
      httpPort: this.opts.httpPort(),
      shard: { count: this.opts.shard.count, index: this.opts.shard.index },
    };
  }

  private onReady(peer: Peer): void {
    const v = peer.version as VersionPayload;
    if (peer.listenAddress && this.blocked.has(peer.listenAddress)) return peer.destroy('partitioned');
    // Two connections between the same pair of nodes: both sides keep the one whose outbound side has the lower nonce.
    for (const other of this.peers) {
      if (other === peer || !other.isReady || other.version?.nonce !== v.nonce) continue;
      const outboundNonce = (p: Peer): string => (p.direction === 'outbound' ? this.nonce : v.nonce);
      const loser = outboundNonce(peer) < outboundNonce(other) ? other : peer;
      if (loser.direction === 'outbound' && loser.listenAddress) this.aliases.set(loser.listenAddress, v.nonce);
      loser.destroy('duplicate-connection');
      if (loser === peer) return;
    }
    if (peer.direction === 'outbound' && peer.listenAddress) {
      // A reachable address is worth keeping, with the shard its node just announced (PROTOCOL 11.9).
      const [host, port] = splitAddress(peer.listenAddress);
      this.addrman.learn(host, port, v.shard, true);
      this.addrman.markSuccess(peer.listenAddress);
      if (!this.shardPeering.onOutboundReady(peer, Math.min(this.opts.targetOutbound, this.opts.maxConnections))) return;
    }
    // An inbound peer that listens can be dialed by others: learn ip:listenPort and its shard (even without a hostname).
    if (peer.direction === 'inbound' && v.listenPort > 0) this.addrman.learn(peer.ip, v.listenPort, v.shard, false);
    this.log.info({ peer: `${peer.ip}:${peer.remotePort}`, direction: peer.direction, userAgent: v.userAgent.slice(0, 64), shard: v.shard }, 'peer connected');
    const addrs: AddrEntry[] = [];
    if (this.opts.hostname) addrs.push({ host: this.opts.hostname, port: this.port, seqNo: this.opts.hostSeqNo, shard: { count: this.opts.shard.count, index: this.opts.shard.index } });
    for (const a of this.addrman.sample(ADDR_SAMPLE_ON_CONNECT)) addrs.push(a.shard ? { host: a.host, port: a.port, seqNo: a.seqNo, shard: { count: a.shard.count, index: a.shard.index } } : { host: a.host, port: a.port, seqNo: a.seqNo });
    if (addrs.length) peer.send({ command: 'addr', payload: { addresses: addrs } });
    this.sync.requestInventory(peer); // sync on join, both directions
    this.emit('peer:connect', this.summary(peer));
  }

  private onClose(peer: Peer, reason: string): void {
    this.peers.delete(peer);
    this.relay.dropPeer(peer);
    this.edgeEvents.dropPeer(peer);
    this.closedBytes.bytesIn += peer.bytesIn;
    this.closedBytes.bytesOut += peer.bytesOut;
    if (reason === 'banned') {
      // Whitelisted (loopback by default): disconnected, never banned, so a local node or tool can reconnect (#12 item 12).
      if (this.whitelist.has(peer.ip)) {
        this.log.warn({ peer: `${peer.ip}:${peer.remotePort}`, banScore: peer.banScore }, 'whitelisted peer misbehaved: disconnected, not banned');
      } else {
        this.bans.ban(peer.ip);
        this.log.warn({ peer: `${peer.ip}:${peer.remotePort}`, banScore: peer.banScore }, 'peer banned');
      }
    }
    if (peer.direction === 'outbound' && peer.listenAddress) {
      this.shardPeering.dialEnded(peer.listenAddress, null); // no-op once the handshake recorded the outcome
      if (reason === 'self-connection') this.addrman.markSelf(peer.listenAddress);
      else if (peer.wasReady || reason === 'duplicate-connection' || reason === 'shard-replaced' || reason === 'outbound-full') this.addrman.markDisconnected(peer.listenAddress);
      else this.addrman.markFailure(peer.listenAddress);
    }
    if (peer.version) this.emit('peer:disconnect', this.summary(peer), reason);
  }

  // ---- dispatch ------------------------------------------------------------------------------

  private dispatch(peer: Peer, msg: WireMessage): void {
    switch (msg.command) {
      case 'addr':
        return this.handleAddr(peer, msg.payload.addresses);
      case 'inv':
        return this.relay.handleInv(peer, msg.payload.items);
      case 'getdata':
        return this.relay.handleGetData(peer, msg.payload.items);
      case 'notfound':
        return this.relay.handleNotFound(peer, msg.payload.items);
      case 'mempool':
        return this.sync.handleMempool(peer);
      case 'prune':
        return this.relay.handlePrune(peer);
      case 'graft':
        return this.relay.handleGraft(peer);
      default:
        // Every entity kind the codec knows (wire/messages.ts ENTITY_COMMANDS) goes to the one admission door.
        if (isEntityMessage(msg)) return this.relay.handleEntity(peer, msg.command, msg.payload, msg.bytes, msg.digest);
        return; // version/verack/ping/pong are handled by the peer itself
    }
  }

  private handleAddr(peer: Peer, addresses: AddrEntry[]): void {
    const now = this.now();
    let rate = this.addrRate.get(peer);
    if (!rate || now - rate.windowStart >= 60_000) this.addrRate.set(peer, (rate = { windowStart: now, count: 0 }));
    if (++rate.count > ADDR_MESSAGES_PER_MINUTE) return; // gossip rate limit: ignore, honest bursts are small
    const fresh: AddrEntry[] = [];
    for (const a of addresses) if (this.addrman.add(a.host, a.port, a.seqNo, a.shard)) fresh.push(a);
    if (fresh.length === 0) return;
    const others = [...this.peers].filter((p) => p !== peer && p.isReady);
    for (let i = 0; i < ADDR_RELAY_FANOUT && others.length; i++) {
      const [target] = others.splice(Math.floor(Math.random() * others.length), 1);
      target?.send({ command: 'addr', payload: { addresses: fresh } });
    }
  }

  private summary(p: Peer): PoolPeerSummary {
    return {
      address: formatAddress(p.ip, p.remotePort),
      direction: p.direction,
      userAgent: p.version?.userAgent ?? '',
      shard: p.version?.shard ?? null,
      connectedSince: p.connectedSince,
      bytesIn: p.bytesIn,
      bytesOut: p.bytesOut,
      lastSeen: p.lastSeen,
      relay: p.eager ? 'eager' : 'lazy',
      httpPort: p.version?.httpPort ?? 0,
      ip: p.ip,
    };
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'bug in P2P pool handler');
    }
  }
}

/** `host:port` or `[v6]:port` back to its parts. */
function splitAddress(key: string): [string, number] {
  const colon = key.lastIndexOf(':');
  const host = key.startsWith('[') ? key.slice(1, key.indexOf(']')) : key.slice(0, colon);
  return [host, Number(key.slice(colon + 1))];
}
