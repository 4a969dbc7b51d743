/** p2p/addrman.ts - bounded address book: seeds, gossiped addresses, dial backoff. Imports nothing from other subsystems. */
import { DIAL_BACKOFF_BASE_MS, DIAL_BACKOFF_MAX_MS, MAX_ADDRESSES, MAX_DIAL_FAILURES } from './constants.ts';
import { formatAddress } from './peer.ts';

/** One known listening address. */
export interface AddrInfo {
  host: string;
  port: number;
  /** The announcer's hostSeqNo: a higher one replaces a lower one. */
  seqNo: number;
  seed: boolean;
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
    this.addrs.set(key, { host, port, seqNo: 0, seed: true, lastSeen: this.now(), failures: 0, nextAttempt: 0 });
  }

  /** Add or refresh a gossiped address; returns true if it is new or newer (worth forwarding). */
  add(host: string, port: number, seqNo: number): boolean {
    const key = formatAddress(host, port);
    if (this.self.has(key)) return false;
    const cur = this.addrs.get(key);
    if (cur) {
      if (seqNo <= cur.seqNo) return false;
      cur.seqNo = seqNo;
      cur.lastSeen = this.now();
      return true;
    }
    if (this.addrs.size >= MAX_ADDRESSES && !this.evictOne()) return false;
    this.addrs.set(key, { host, port, seqNo, seed: false, lastSeen: this.now(), failures: 0, nextAttempt: 0 });
    return true;
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

  /** Addresses that may be dialed now, seeds first, then most recently seen. */
  candidates(exclude: (key: string) => boolean): AddrInfo[] {
    const now = this.now();
    const out: AddrInfo[] = [];
    for (const [key, a] of this.addrs) {
      if (a.nextAttempt <= now && !this.self.has(key) && !exclude(key)) out.push(a);
    }
    return out.sort((x, y) => Number(y.seed) - Number(x.seed) || y.lastSeen - x.lastSeen);
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
