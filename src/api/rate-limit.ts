/** api/rate-limit.ts - per-client-address REST request rate limit (token bucket): 429 with Retry-After, loopback exempt unless configured, bounded memory. Imports api only. */
import type { RequestHandler } from 'express';
import { sendError } from './errors.ts';

/** The config slice. */
export interface RateLimitOptions {
  /** Sustained requests per second per address; 0 = no limit. */
  perSecond: number;
  /** Bucket size: requests allowed at once. */
  burst: number;
  /** Limit loopback clients too (off: the operator's own tools and benchmarks are never throttled). */
  limitLoopback: boolean;
  /** Most addresses tracked; beyond it, full (idle) buckets are dropped first, then the oldest. */
  maxTracked?: number;
}

/** Buckets kept at most by default: ~100 bytes each, so about 10 MB under a spoofing-free flood of distinct addresses. */
export const RATE_LIMIT_MAX_TRACKED = 100_000;

/** `::ffff:1.2.3.4` -> `1.2.3.4`. */
function normalize(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** 127.0.0.0/8 and ::1. */
export function isLoopback(ip: string): boolean {
  const a = normalize(ip);
  return a === '::1' || a.startsWith('127.');
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token bucket per address. `take` answers 0 when allowed, else the milliseconds until the next token. */
export class RateLimiter {
  private opts: Required<RateLimitOptions>;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: RateLimitOptions, now: () => number = Date.now) {
    this.opts = { maxTracked: RATE_LIMIT_MAX_TRACKED, ...opts };
    this.now = now;
  }

  /** Change the rate and burst at run time (SIGHUP); buckets in use keep their tokens, capped to the new burst. */
  configure(opts: RateLimitOptions): void {
    this.opts = { ...this.opts, ...opts };
    for (const b of this.buckets.values()) b.tokens = Math.min(b.tokens, this.opts.burst);
  }

  /** Addresses tracked now (bounded by maxTracked). */
  get size(): number {
    return this.buckets.size;
  }

  /** Are loopback clients limited too (`limitLoopback`)? Other limiters of the app follow the same policy. */
  get limitsLoopback(): boolean {
    return this.opts.limitLoopback;
  }

  take(ip: string): number {
    const b = this.bucket(ip);
    if (b === null) return 0;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.waitMs(b);
  }

  /**
   * Take up to `n` tokens at once (a batch: one per entity, docs/PROTOCOL.md 10.1), in order: `granted`
   * is how many the client had (all `n` when not limited); `waitMs` the time until the next token when
   * fewer than `n` were granted, else 0.
   */
  takeUpTo(ip: string, n: number): { granted: number; waitMs: number } {
    if (n <= 0) return { granted: 0, waitMs: 0 };
    const b = this.bucket(ip);
    if (b === null) return { granted: n, waitMs: 0 };
    const granted = Math.min(n, Math.floor(b.tokens));
    b.tokens -= granted;
    return { granted, waitMs: granted < n ? this.waitMs(b) : 0 };
  }

  /** The address's bucket, refilled to now; null when the address is not limited (no limit, or exempt loopback). */
  private bucket(ip: string): Bucket | null {
    const { perSecond, burst } = this.opts;
    if (perSecond === 0) return null;
    const key = normalize(ip);
    if (!this.opts.limitLoopback && isLoopback(key)) return null;
    const t = this.now();
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) * perSecond) / 1000);
      b.at = t;
    } else {
      if (this.buckets.size >= this.opts.maxTracked) this.prune(t);
      b = { tokens: burst, at: t };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Milliseconds until `b` holds one whole token. */
  private waitMs(b: Bucket): number {
    return Math.ceil(((1 - b.tokens) * 1000) / this.opts.perSecond);
  }

  /** Drop buckets that have refilled (they carry no state), then the oldest if still full. */
  private prune(t: number): void {
    const { perSecond, burst } = this.opts;
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((t - b.at) * perSecond) / 1000 >= burst) this.buckets.delete(k);
    }
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < this.opts.maxTracked) break;
      this.buckets.delete(k);
    }
  }
}

/** Express middleware: 429 `rate-limited` with Retry-After (whole seconds, at least 1). The client is `req.ip`: the TCP peer, or the X-Forwarded-For client when the peer is a trusted proxy (config trustProxy). */
export function rateLimit(limiter: RateLimiter): RequestHandler {
  return (req, res, next) => {
    const waitMs = limiter.take(req.ip ?? req.socket.remoteAddress ?? '');
    if (waitMs === 0) return next();
    res.set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
    sendError(res, 429, 'rate-limited', 'too many requests from this address; retry after the Retry-After seconds');
  };
}
