/** p2p/bans.ts - banned addresses (by IP) with expiry, bounded, and the whitelist of addresses never banned. Imports util and node:net only. */
import net from 'node:net';
import { LruMap } from '../util/lru.ts';

/** Most bans remembered; the oldest ban is forgotten first. */
const MAX_BANS = 10_000;

/** IP -> ban expiry. */
export class BanList {
  private readonly bans: LruMap<string, number>;
  private readonly now: () => number;
  private banTimeMs: number;

  constructor(banTimeMs: number, now: () => number = Date.now) {
    this.banTimeMs = banTimeMs;
    this.now = now;
    // Each entry carries its own expiry (operator bans may be longer or shorter than banTimeMs).
    this.bans = new LruMap(MAX_BANS, Infinity, now);
  }

  /** Ban `ip` for `durationMs` (default: the configured ban time). Returns the expiry (ms since the epoch). */
  ban(ip: string, durationMs: number = this.banTimeMs): number {
    const until = this.now() + durationMs;
    this.bans.set(normalizeIp(ip), until);
    return until;
  }

  /** Lift the ban of `ip`; false when it was not banned. */
  unban(ip: string): boolean {
    const key = normalizeIp(ip);
    const was = this.isBanned(key);
    this.bans.delete(key);
    return was;
  }

  /** Is `ip` banned now? */
  isBanned(ip: string): boolean {
    const key = normalizeIp(ip);
    const until = this.bans.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.bans.delete(key);
    return false;
  }

  /** Bans in force, oldest first. */
  list(): { address: string; until: number }[] {
    const t = this.now();
    const out: { address: string; until: number }[] = [];
    for (const [address, until] of this.bans.entries()) if (until > t) out.push({ address, until });
    return out;
  }

  /** Change the ban time of future automatic bans (SIGHUP); bans in force keep their expiry. */
  setBanTime(ms: number): void {
    this.banTimeMs = ms;
  }

  get size(): number {
    return this.bans.size;
  }
}

/** `::ffff:1.2.3.4` -> `1.2.3.4`, so IPv4-mapped and plain IPv4 are one address. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * Addresses and CIDR ranges that are never banned nor evicted (config `whitelist`, Bitcoin Core's
 * `-whitelist=noban`). Matching is node's own `net.BlockList` (no hand-written prefix arithmetic);
 * IPv4-mapped IPv6 addresses match their IPv4 ranges.
 */
export class Whitelist {
  private readonly list = new net.BlockList();
  readonly size: number;

  /** `entries`: addresses or `address/prefix` ranges (validated by config/schema.ts). */
  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const [addr = '', prefix] = e.split('/');
      const type = net.isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(prefix), type);
    }
    this.size = entries.length;
  }

  /** Is `ip` whitelisted? */
  has(ip: string): boolean {
    if (this.size === 0) return false;
    const a = normalizeIp(ip);
    const family = net.isIP(a);
    if (family === 0) return false;
    return this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}
