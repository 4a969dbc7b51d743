/** p2p/shard-cover.ts - shard-aware peering (PROTOCOL 11.9): which shards this node wants an outbound peer of, which are uncovered, which outbound peer is redundant, and each shard's retry backoff. Bookkeeping on an injected clock; no sockets, imports only p2p's address types and constants. */
import { shardKey, type ShardId } from './addrman.ts';
import { DIAL_BACKOFF_BASE_MS, DIAL_BACKOFF_MAX_MS } from './constants.ts';

/** A shard some peer or address announced, as the pool sees it. */
export interface SeenShard {
  shard: ShardId;
  /** Confirmed by this node's own outbound handshake (an address it dialed announced it), not only gossiped or claimed by an inbound peer. */
  verified: boolean;
}

/** An outbound peer as coverage sees it. */
export interface CoverPeer {
  shard: ShardId | null;
  connectedSince: number;
}

/** A shard's retry state after failed attempts to reach it. */
interface ShardBackoff {
  failures: number;
  retryAt: number;
}

/**
 * Decides which shards need an outbound peer. The node stores its own shard itself, so it wants an
 * outbound peer of every OTHER shard it has seen, at most `limit` of them (the outbound slots):
 * shards confirmed by its own outbound handshakes first (gossip and inbound claims alone cannot push
 * a real shard out), then the ones that failed least, then by count and index. A shard whose attempts fail waits 1 s, doubling up to
 * 5 minutes, before it is tried again; a successful connection resets it.
 */
export class ShardCover {
  private readonly own: string;
  private readonly now: () => number;
  /** Only shards currently wanted have an entry ({@link wanted} prunes the rest), so at most `limit` entries. */
  private readonly backoff = new Map<string, ShardBackoff>();

  constructor(own: ShardId, now: () => number) {
    this.own = shardKey(own);
    this.now = now;
  }

  /** The shards to cover, best first, at most `limit`; forgets the backoff of shards no longer wanted. */
  wanted(seen: Iterable<SeenShard>, limit: number): ShardId[] {
    const byKey = new Map<string, SeenShard>();
    for (const s of seen) {
      const k = shardKey(s.shard);
      if (k === this.own) continue;
      const cur = byKey.get(k);
      if (!cur) byKey.set(k, { shard: s.shard, verified: s.verified });
      else cur.verified ||= s.verified;
    }
    const failures = (s: ShardId): number => this.backoff.get(shardKey(s))?.failures ?? 0;
    const out = [...byKey.values()]
      .sort((a, b) => Number(b.verified) - Number(a.verified) || failures(a.shard) - failures(b.shard) || a.shard.count - b.shard.count || a.shard.index - b.shard.index)
      .slice(0, Math.max(0, limit))
      .map((s) => s.shard);
    const keep = new Set(out.map(shardKey));
    for (const k of [...this.backoff.keys()]) if (!keep.has(k)) this.backoff.delete(k);
    return out;
  }

  /** Wanted shards that no outbound peer stores, no dial is already trying, and whose backoff has passed. */
  uncovered(wanted: readonly ShardId[], outbound: readonly CoverPeer[], pending: ReadonlySet<string>): string[] {
    const covered = new Set<string>();
    for (const p of outbound) if (p.shard) covered.add(shardKey(p.shard));
    const now = this.now();
    const out: string[] = [];
    for (const s of wanted) {
      const k = shardKey(s);
      if (covered.has(k) || pending.has(k)) continue;
      if ((this.backoff.get(k)?.retryAt ?? 0) > now) continue;
      out.push(k);
    }
    return out;
  }

  /**
   * The outbound peer that can go without losing coverage: one of no shard, of this node's own shard,
   * or the younger of two of one shard. The youngest such peer (long-lived outbound connections are
   * the hardest for an attacker to replace), or null when every outbound peer is the only one of its
   * shard. The oldest outbound peer of each other shard is never spare, even when that shard is not
   * wanted (beyond the limit): shards announced by inbound peers or gossip cannot evict a peer of a
   * real shard, and a change of the wanted set causes no replacement.
   */
  redundant<P extends CoverPeer>(outbound: readonly P[]): P | null {
    const oldestOf = new Map<string, P>();
    for (const p of outbound) {
      if (!p.shard) continue;
      const k = shardKey(p.shard);
      const cur = oldestOf.get(k);
      if (!cur || p.connectedSince < cur.connectedSince) oldestOf.set(k, p);
    }
    let victim: P | null = null;
    for (const p of outbound) {
      const k = p.shard ? shardKey(p.shard) : null;
      const spare = k === null || k === this.own || oldestOf.get(k) !== p;
      if (spare && (!victim || p.connectedSince > victim.connectedSince)) victim = p;
    }
    return victim;
  }

  /** An attempt to reach `shard` failed (dial, handshake, or the address stores another shard): back off. */
  failed(shard: string): void {
    const b = this.backoff.get(shard) ?? { failures: 0, retryAt: 0 };
    b.failures++;
    b.retryAt = this.now() + Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** Math.min(30, b.failures - 1));
    this.backoff.set(shard, b);
  }

  /** A peer of `shard` is connected: its backoff is over. */
  reached(shard: string): void {
    this.backoff.delete(shard);
  }

  /** When `shard` is tried next (ms since epoch), or null when it is not backing off. */
  retryAt(shard: string): number | null {
    const at = this.backoff.get(shard)?.retryAt ?? 0;
    return at > this.now() ? at : null;
  }
}
