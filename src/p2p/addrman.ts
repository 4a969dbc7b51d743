/** p2p/addrman.ts - bounded address book: seeds, gossiped addresses, the shard each address stores (gossiped or learned at a handshake), dial backoff. Imports nothing from other subsystems. */
import { DIAL_BACKOFF_BASE_MS, DIAL_BACKOFF_MAX_MS, MAX_ADDRESSES, MAX_DIAL_FAILURES } from './constants.ts';
import { formatAddress } from './peer.ts';

/** A shard as peers announce it (PROTOCOL 9.6). */
export interface ShardId {
  count: number;
  index: number;
}

/** "count/index", the key a shard is compared and shown by. */
export function shardKey(s: ShardId): string {
  return `${s.count}/${s.index}`;
}

/** A shard announcement is usable only when its index is below its count (integers both; the schema checks the rest). */
export function isUsableShard(s: ShardId | null | undefined): s is ShardId {
  return !!s && Number.isSafeInteger(s.count) && Number.isSafeInteger(s.index) && s.count >= 1 && s.index >= 0 && s.index < s.count;
}

/** One known listening address. */
export interface AddrInfo {
  host: string;
  port: number;
  /** The announcer's hostSeqNo: a higher one replaces a lower one. */
  seqNo: number;
  seed: boolean;
  /** The shard the node at this address stores, or null when unknown. */
  shard: ShardId | null;
  /** True when `shard` came from that node's `version` at a handshake this node dialed, false when gossiped or claimed by an inbound peer. */
  shardVerified: boolean;
  lastSeen: number;
  failures: number;
  nextAttempt: number;
}

/** The address book. Seeds stay forever and are redialed with exponential backoff. */
export class AddrMan {
  private readonly addrs = new Map<string, AddrInfo>();
  private readonly now: () => number;
  private readonly self = new Set<string>();

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get size(): number {
    return this.addrs.size;
  }

  /** Add a seed (never evicted). */
  addSeed(host: string, port: number): void {
    const key = formatAddress(host, port);
    const cur = this.addrs.get(key);
    if (cur) {
      // Already known (gossiped or learned): now a seed, dialable at once; its shard is kept.
      cur.seed = true;
      cur.failures = 0;
      if (cur.nextAttempt !== Infinity) cur.nextAttempt = 0;
      return;
    }
    this.addrs.set(key, { host, port, seqNo: 0, seed: true, shard: null, shardVerified: false, lastSeen: this.now(), failures: 0, nextAttempt: 0 });
  }

  /**
   * Add or refresh a gossiped address; returns true if it is new or newer (worth forwarding). A
   * gossiped shard is kept as a hint: it fills an unknown shard, and a higher seqNo replaces it, but
   * it never overrides a shard learned at a handshake for the same seqNo.
   */
  add(host: string, port: number, seqNo: number, shard?: ShardId | null): boolean {
    const key = formatAddress(host, port);
    if (this.self.has(key)) return false;
    const hint = isUsableShard(shard) ? { count: shard.count, index: shard.index } : null;
    const cur = this.addrs.get(key);
    if (cur) {
      if (seqNo <= cur.seqNo) {
        if (hint && !cur.shard) cur.shard = hint;
        return false;
      }
      cur.seqNo = seqNo;
      cur.lastSeen = this.now();
      if (hint) {
        cur.shard = hint;
        cur.shardVerified = false;
      }
      return true;
    }
    if (this.addrs.size >= MAX_ADDRESSES && !this.evictOne()) return false;
    this.addrs.set(key, { host, port, seqNo, seed: false, shard: hint, shardVerified: false, lastSeen: this.now(), failures: 0, nextAttempt: 0 });
    return true;
  }

  /**
   * A handshake with the node at `host:port` completed and it announced `shard` (or none): remember
   * the address (within the same bound) and its shard, which replaces a gossiped one. `dialed`: this
   * node dialed that address itself, so the shard is confirmed (`shardVerified`); an inbound peer's
   * claimed listening address is not. Returns false when the book is full of seeds and the address
   * is not in it.
   */
  learn(host: string, port: number, shard: ShardId | null | undefined, dialed: boolean): boolean {
    const key = formatAddress(host, port);
    if (this.self.has(key)) return false;
    let cur = this.addrs.get(key);
    if (!cur) {
      if (this.addrs.size >= MAX_ADDRESSES && !this.evictOne()) return false;
      cur = { host, port, seqNo: 0, seed: false, shard: null, shardVerified: false, lastSeen: this.now(), failures: 0, nextAttempt: 0 };
      this.addrs.set(key, cur);
    }
    if (cur.shardVerified && !dialed) return true; // an inbound claim never overrides what a dial confirmed
    cur.shard = isUsableShard(shard) ? { count: shard.count, index: shard.index } : null;
    cur.shardVerified = dialed;
    cur.lastSeen = this.now();
    return true;
  }

  /** The entry for `key`, if known (read-only use). */
  get(key: string): Readonly<AddrInfo> | undefined {
    return this.addrs.get(key);
  }

  /**
   * Every shard some address in the book stores, with how many addresses and whether any of them
   * was confirmed at a handshake. Bounded by the book (MAX_ADDRESSES entries).
   */
  shards(): Map<string, { shard: ShardId; addresses: number; verified: boolean }> {
    const out = new Map<string, { shard: ShardId; addresses: number; verified: boolean }>();
    for (const [key, a] of this.addrs) {
      if (!a.shard || this.self.has(key)) continue;
      const k = shardKey(a.shard);
      const cur = out.get(k);
      if (cur) {
        cur.addresses++;
        cur.verified ||= a.shardVerified;
      } else out.set(k, { shard: a.shard, addresses: 1, verified: a.shardVerified });
    }
    return out;
  }

  /** Never dial this address again (it is ourselves). */
  markSelf(key: string): void {
    this.self.add(key);
    const cur = this.addrs.get(key);
    if (cur && !cur.seed) this.addrs.delete(key);
    else if (cur) cur.nextAttempt = Infinity;
  }

  /** Is this address ourselves? */
  isSelf(key: string): boolean {
    return this.self.has(key);
  }

  /** A dial attempt failed: back off (seeds) or forget after too many failures. */
  markFailure(key: string): void {
    const a = this.addrs.get(key);
    if (!a) return;
    a.failures++;
    if (!a.seed && a.failures >= MAX_DIAL_FAILURES) {
      this.addrs.delete(key);
      return;
    }
    a.nextAttempt = this.now() + Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** (a.failures - 1));
  }

  /** A connection to it completed its handshake. */
  markSuccess(key: string): void {
    const a = this.addrs.get(key);
    if (!a) return;
    a.failures = 0;
    a.nextAttempt = 0;
    a.lastSeen = this.now();
  }

  /** The address was connected and is now gone: allow a redial after the base delay. */
  markDisconnected(key: string): void {
    const a = this.addrs.get(key);
    if (a && a.nextAttempt !== Infinity) a.nextAttempt = this.now() + DIAL_BACKOFF_BASE_MS;
  }

  /**
   * Addresses that may be dialed now, seeds first, then most recently seen; with `shard`, only the
   * addresses known to store that shard ("count/index"), handshake-confirmed ones first.
   */
  candidates(exclude: (key: string) => boolean, shard?: string): AddrInfo[] {
    const now = this.now();
    const out: AddrInfo[] = [];
    for (const [key, a] of this.addrs) {
      if (shard !== undefined && (!a.shard || shardKey(a.shard) !== shard)) continue;
      if (a.nextAttempt <= now && !this.self.has(key) && !exclude(key)) out.push(a);
    }
    const byShard = (x: AddrInfo, y: AddrInfo): number => (shard === undefined ? 0 : Number(y.shardVerified) - Number(x.shardVerified));
    return out.sort((x, y) => byShard(x, y) || Number(y.seed) - Number(x.seed) || y.lastSeen - x.lastSeen);
  }

  /** Up to `n` addresses to share with a peer. */
  sample(n: number): AddrInfo[] {
    const all = [...this.addrs.values()].filter((a) => !this.self.has(formatAddress(a.host, a.port)));
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [all[i], all[j]] = [all[j] as AddrInfo, all[i] as AddrInfo];
    }
    return all.slice(0, n);
  }

  /** Drop the stalest non-seed address to make room. */
  private evictOne(): boolean {
    let victim: string | null = null;
    let worst = Infinity;
    for (const [key, a] of this.addrs) {
      if (a.seed) continue;
      const score = a.lastSeen - a.failures * 60_000;
      if (score < worst) {
        worst = score;
        victim = key;
      }
    }
    if (victim === null) return false;
    this.addrs.delete(victim);
    return true;
  }
}
