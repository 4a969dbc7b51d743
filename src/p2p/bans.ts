/** p2p/bans.ts - banned addresses (by IP) with expiry, bounded. Imports nothing. */
import { LruMap } from '../util/lru.ts';

/** Most bans remembered; the oldest ban is forgotten first. */
const MAX_BANS = 10_000;

/** IP -> ban expiry. */
export class BanList {
  private readonly bans: LruMap<string, number>;
  private readonly now: () => number;
  private readonly banTimeMs: number;

  constructor(banTimeMs: number, now: () => number = Date.now) {
    this.banTimeMs = banTimeMs;
    this.now = now;
    this.bans = new LruMap(MAX_BANS, banTimeMs, now);
  }

  /** Ban `ip` for the configured time. */
  ban(ip: string): void {
    this.bans.set(normalizeIp(ip), this.now() + this.banTimeMs);
  }

  /** Is `ip` banned now? */
  isBanned(ip: string): boolean {
    return this.bans.has(normalizeIp(ip));
  }

  get size(): number {
    return this.bans.size;
  }
}

/** `::ffff:1.2.3.4` -> `1.2.3.4`, so IPv4-mapped and plain IPv4 are one address. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
