/** oracle-facts/client-limits.ts - admission limits of the fact endpoint: requests per minute per client address (fixed window, bounded table) and requests in progress at once. Imports util only. */
import { LruMap } from '../util/lru.ts';

/** Client addresses tracked at most (each entry ~100 bytes); the least recently seen go first. */
export const MAX_TRACKED_CLIENTS = 50_000;
const CLIENT_ENTRY_BYTES = 128;
const WINDOW_MS = 60_000;

/** `::ffff:1.2.3.4` → `1.2.3.4`, so one client is one key whatever the socket family. */
export function clientKey(address: string | undefined): string {
  const a = address ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Fixed one-minute windows per client address. */
export class ClientRateLimiter {
  private readonly perMinute: number;
  private readonly now: () => number;
  private readonly windows: LruMap<string, { start: number; count: number }>;

  constructor(perMinute: number, now: () => number = Date.now, maxTracked = MAX_TRACKED_CLIENTS) {
    if (!(Number.isInteger(perMinute) && perMinute >= 0)) throw new RangeError('ratePerMinutePerClient must be an integer >= 0');
    this.perMinute = perMinute;
    this.now = now;
    this.windows = new LruMap(maxTracked, WINDOW_MS, now, { maxBytes: maxTracked * CLIENT_ENTRY_BYTES, sizeOf: () => CLIENT_ENTRY_BYTES });
  }

  /** 0 when the request may go on, else the seconds until this client's window ends (for Retry-After). 0 = unlimited. */
  take(client: string): number {
    if (this.perMinute === 0) return 0;
    const t = this.now();
    let w = this.windows.get(client);
    if (!w || t - w.start >= WINDOW_MS) {
      w = { start: t, count: 0 };
      this.windows.set(client, w);
    }
    if (w.count >= this.perMinute) return Math.max(1, Math.ceil((w.start + WINDOW_MS - t) / 1000));
    w.count += 1;
    return 0;
  }

  /** Clients tracked now. */
  get tracked(): number {
    return this.windows.size;
  }
}

/** A counter of requests in progress with a ceiling. */
export class ConcurrencyGate {
  private readonly max: number;
  private active = 0;

  constructor(max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError('maxConcurrent must be an integer >= 1');
    this.max = max;
  }

  /** Take a slot: false when all are in use. Every true must be paired with one release(). */
  enter(): boolean {
    if (this.active >= this.max) return false;
    this.active += 1;
    return true;
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
  }

  get inUse(): number {
    return this.active;
  }
}
