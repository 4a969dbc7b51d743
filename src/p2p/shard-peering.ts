/** p2p/shard-peering.ts - the pool's shard-covering outbound choice (PROTOCOL 11.9 "Shard coverage"): dials for uncovered shards, the one probe while every slot is taken, settling a probe's handshake (replace a redundant peer or close the probe), per-shard outcome bookkeeping, and the coverage view for GET /stats. Decisions come from ShardCover; imports only p2p's addrman, peer and shard-cover. */
import type { Logger } from '../log.ts';
import { isUsableShard, shardKey, type AddrMan, type ShardId } from './addrman.ts';
import { formatAddress, type Peer } from './peer.ts';
import { ShardCover, type SeenShard } from './shard-cover.ts';

/** One shard in {@link ShardPeering.coverage}: who stores it among this node's peers and address book. */
export interface ShardCoverageEntry {
  shard: ShardId;
  /** Wanted: this node keeps (or is trying to get) an outbound peer of it. */
  wanted: boolean;
  /** `host:port` of the ready outbound peers that store it (the covering peers). */
  outbound: string[];
  /** Ready inbound peers that store it (they do not count as cover: an attacker chooses them). */
  inbound: number;
  /** Addresses in the book announced (or confirmed) to store it. */
  knownAddresses: number;
  /** Confirmed by one of this node's own dials, not only gossiped or claimed by an inbound peer. */
  verified: boolean;
  /** When a shard that failed is tried again (ms since epoch), or null. */
  retryAt: number | null;
}

/** Shard coverage of this node's outbound peers (GET /stats `shards`). */
export interface ShardCoverage {
  own: ShardId;
  shards: ShardCoverageEntry[];
}

/** Collaborators: the pool's address book, its peers and its dialer. */
export interface ShardPeeringDeps {
  own: ShardId;
  addrman: AddrMan;
  peers: () => Iterable<Peer>;
  dial: (host: string, port: number) => void;
  log: Logger;
  now: () => number;
}

/** The shard a peer announced in its `version`, if usable. */
export function peerShard(p: Peer): ShardId | null {
  const s = p.version?.shard;
  return isUsableShard(s) ? s : null;
}

/**
 * Shard-aware dialing for the pool. Free outbound slots go to addresses of uncovered shards first.
 * When every slot is taken and a wanted shard has no outbound peer while some outbound peer is
 * redundant, ONE probe dial is made to that shard; when its handshake completes the redundant peer
 * is closed in the same step ({@link onOutboundReady}), so ready outbound peers never exceed the
 * target. Failed shards back off (ShardCover). State: at most one entry per dial in flight.
 */
export class ShardPeering {
  private readonly deps: ShardPeeringDeps;
  private readonly cover: ShardCover;
  /** Dials made to reach a shard (address key -> shard key, and whether it is the probe). */
  private readonly dials = new Map<string, { shard: string; probe: boolean }>();

  constructor(deps: ShardPeeringDeps) {
    this.deps = deps;
    this.cover = new ShardCover(deps.own, deps.now);
  }

  /**
   * Dial for uncovered shards, given `outbound` connections (dialing included) out of `target`;
   * `exclude` names addresses not to dial. Returns the outbound count after the dials made (a probe
   * is not counted: it replaces a peer or is closed).
   */
  fill(target: number, outbound: number, exclude: (key: string) => boolean): number {
    const ready = this.readyOutbound();
    const wanted = this.cover.wanted(this.seen(), target);
    const pending = new Set([...this.dials.values()].map((d) => d.shard));
    const uncovered = this.cover.uncovered(wanted, ready.map(asCoverPeer), pending);
    if (uncovered.length === 0) return outbound;
    const dialFor = (shard: string, probe: boolean): boolean => {
      const a = this.deps.addrman.candidates(exclude, shard)[0];
      if (!a) return false;
      this.dials.set(formatAddress(a.host, a.port), { shard, probe });
      this.deps.dial(a.host, a.port);
      return true;
    };
    if (outbound >= target) {
      // Every slot taken: at most one probe, and only when a peer can make room for it.
      if ([...this.dials.values()].some((d) => d.probe) || !this.cover.redundant(ready.map(asCoverPeer))) return outbound;
      for (const shard of uncovered) if (dialFor(shard, true)) break;
      return outbound;
    }
    for (const shard of uncovered) {
      if (outbound >= target) break;
      if (dialFor(shard, false)) outbound++;
    }
    return outbound;
  }

  /**
   * The handshake of an outbound peer this node dialed completed. Records whether a shard dial
   * reached its shard; a probe is kept only if it brings a wanted shard no other outbound peer stores
   * and a redundant peer makes room (closed `shard-replaced`), else the probe is closed
   * (`outbound-full`). Returns false when `peer` itself was closed.
   */
  onOutboundReady(peer: Peer, target: number): boolean {
    const key = peer.listenAddress;
    if (!key) return true;
    const probe = this.dials.get(key)?.probe === true;
    this.dialEnded(key, peerShard(peer));
    if (!probe) return true;
    const others = this.readyOutbound().filter((p) => p !== peer);
    if (others.length < target) return true;
    const shard = peerShard(peer);
    const k = shard && shardKey(shard);
    const wanted = this.cover.wanted(this.seen(), target);
    const brings = k !== null && wanted.some((w) => shardKey(w) === k) && !others.some((o) => { const s = peerShard(o); return s !== null && shardKey(s) === k; });
    const victim = brings ? this.cover.redundant(others.map((p) => ({ ...asCoverPeer(p), peer: p }))) : null;
    if (victim) {
      this.deps.log.info({ replaced: victim.peer.listenAddress, by: key, shard: k }, 'outbound peer replaced to cover a shard');
      victim.peer.destroy('shard-replaced');
      return true;
    }
    peer.destroy('outbound-full');
    return false;
  }

  /** A dial to `key` ended: reached `shard` (the peer's announced shard), or failed (null). No-op unless it was a shard dial. */
  dialEnded(key: string, shard: ShardId | null): void {
    const d = this.dials.get(key);
    if (!d) return;
    this.dials.delete(key);
    if (shard && shardKey(shard) === d.shard) this.cover.reached(d.shard);
    else this.cover.failed(d.shard);
  }

  /** Forget a dial that was abandoned without an outcome for its shard (the pool was full or stopping). */
  forget(key: string): void {
    this.dials.delete(key);
  }

  /** Which shards the outbound peers cover (GET /stats `shards`). Bounded: the book's shards plus the peers'. */
  coverage(target: number): ShardCoverage {
    const wanted = new Set(this.cover.wanted(this.seen(), target).map(shardKey));
    const entries = new Map<string, ShardCoverageEntry>();
    const entry = (s: ShardId): ShardCoverageEntry => {
      const k = shardKey(s);
      let e = entries.get(k);
      if (!e) entries.set(k, (e = { shard: { count: s.count, index: s.index }, wanted: wanted.has(k), outbound: [], inbound: 0, knownAddresses: 0, verified: false, retryAt: this.cover.retryAt(k) }));
      return e;
    };
    for (const v of this.deps.addrman.shards().values()) {
      const e = entry(v.shard);
      e.knownAddresses = v.addresses;
      e.verified ||= v.verified;
    }
    for (const p of this.deps.peers()) {
      const s = p.isReady ? peerShard(p) : null;
      if (!s) continue;
      const e = entry(s);
      e.verified ||= p.direction === 'outbound';
      if (p.direction === 'outbound') e.outbound.push(formatAddress(p.ip, p.remotePort));
      else e.inbound++;
    }
    const shards = [...entries.values()].sort((a, b) => a.shard.count - b.shard.count || a.shard.index - b.shard.index);
    return { own: { count: this.deps.own.count, index: this.deps.own.index }, shards };
  }

  private readyOutbound(): Peer[] {
    return [...this.deps.peers()].filter((p) => p.direction === 'outbound' && p.isReady);
  }

  /** Shards seen: those of ready peers (confirmed when outbound: this node chose them) and of the address book. */
  private seen(): SeenShard[] {
    const out: SeenShard[] = [];
    for (const p of this.deps.peers()) {
      const s = p.isReady ? peerShard(p) : null;
      if (s) out.push({ shard: s, verified: p.direction === 'outbound' });
    }
    for (const v of this.deps.addrman.shards().values()) out.push({ shard: v.shard, verified: v.verified });
    return out;
  }
}

function asCoverPeer(p: Peer): { shard: ShardId | null; connectedSince: number } {
  return { shard: peerShard(p), connectedSince: p.connectedSince };
}
