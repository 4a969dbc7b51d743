/** identity/periodic-checker.ts - the one background checker behind bids, oracle manifests and the facilitator manifest: a bounded queue of keys, a concurrency limit, an optional result cache with ok/error TTLs, a re-check timer, abortable checks and rate-limited logging. Imports the logger type only; never config, api or p2p. */
import type { Logger } from '../log.ts';

/** A result cache: bounded by count and by bytes; definite answers live okTtlMs, errors errorTtlMs. */
export interface CheckCacheOptions {
  maxEntries: number;
  maxBytes: number;
  /** How long a definite result (isFinal) is reused. */
  okTtlMs: number;
  /** How long an error or not-yet-definite result is reused before the next check asks again. */
  errorTtlMs: number;
}

/** Tunables of one checker. */
export interface PeriodicCheckerOptions {
  /** Names the checker in every log line (`bids`, `manifests`, `facilitator`). */
  name: string;
  /** Checks in flight at once (LND or websites are never flooded). */
  maxConcurrent: number;
  /** Keys waiting for a check; enqueue() refuses past it. */
  maxQueued: number;
  /** The round callback runs this often (start() to stop()). */
  recheckIntervalMs: number;
  /** Reuse results per subject; absent: every check runs. */
  cache?: CheckCacheOptions;
  /** At most `lines` result lines (info/warn/error) per `windowMs`; the rest are counted and summarised. Default 20 per minute. */
  logBudget?: { lines: number; windowMs: number };
}

/** What apply() asks the checker to log: a failure (warn), a change (info), or nothing (null). */
export interface CheckNote {
  /** The check could not give an answer, or the answer is one the operator should see (warn). */
  failed: boolean;
  /** The visible state changed (info when not failed). */
  changed: boolean;
  /** Message of the line; defaults to `<name> check failed` / `<name> result changed`. */
  msg?: string;
  /** Fields of the line (never a payload: ids and short reasons). */
  fields: Record<string, unknown>;
}

/**
 * The work a checker does, per key (an oracle pubkey, `self`). S is the subject checked for a key
 * (a bid, a manifest URI), R the result of one check.
 */
export interface CheckTask<K, S, R> {
  /** The subject to check for `key` now, or null when there is nothing to check (the key is skipped). */
  subject(key: K): S | null;
  /** Identity of a subject: a result is applied only while subject(key) still has this id, and is cached under it. */
  subjectId(subject: S): string;
  /** Run one check. Should resolve for every outcome; a rejection is a bug, logged as an error and applied as an Error. */
  run(subject: S, signal: AbortSignal): Promise<R>;
  /** Record a result (or the Error a run threw) for a subject that is still current; returns what to log. May throw: logged, never fatal. */
  apply(key: K, subject: S, result: R | Error): CheckNote | null;
  /** Called every recheckIntervalMs: enqueue() the keys due for a fresh check. May throw: logged, the next round runs. */
  round(): void;
  /** With a cache: is the result definite (okTtlMs) rather than an error or not-yet-final (errorTtlMs)? Default: definite. */
  isFinal?(result: R): boolean;
  /** With a cache: bytes a result holds (default: its JSON length). */
  sizeOf?(result: R): number;
}

/** The interval timer a checker uses; tests pass a manual one. */
export interface CheckerTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Injected collaborators. */
export interface PeriodicCheckerDeps<K, S, R> {
  task: CheckTask<K, S, R>;
  /** A child logger (`mod: identity`); every line carries `checker: <name>`. */
  log: Logger;
  /** Clock of the cache TTLs and the log budget. */
  now: () => number;
  /** Default: the global timers, unref'd (a checker never keeps the process alive). */
  timers?: CheckerTimers;
}

const REAL_TIMERS: CheckerTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

const DEFAULT_LOG_LINES = 20;
const DEFAULT_LOG_WINDOW_MS = 60_000;

interface CacheEntry<R> {
  result: R;
  expiresAt: number;
  bytes: number;
}

/**
 * Runs checks of keys in the background. Lifecycle: constructed idle (enqueue() already runs
 * checks); start() begins the periodic rounds; stop() is final: it clears the timer, drops the
 * queue, aborts checks in flight through their AbortSignal (their results are never applied) and
 * resolves every idle()/checkNow() wait. One key is never checked twice at once: a key enqueued
 * while in flight runs again after it finishes.
 */
export class PeriodicChecker<K, S, R> {
  private readonly opts: PeriodicCheckerOptions;
  private readonly task: CheckTask<K, S, R>;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timers: CheckerTimers;
  /** Keys waiting, in arrival order (a Set: a key queued twice is checked once). */
  private readonly queue = new Set<K>();
  private readonly inFlight = new Set<K>();
  private readonly cache = new Map<string, CacheEntry<R>>();
  private cacheBytes = 0;
  /** checkNow() waits per key; only keys queued or in flight have any. */
  private readonly waiters = new Map<K, (() => void)[]>();
  private idleWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private timer: unknown = null;
  private stopped = false;
  private windowStart = -Infinity;
  private windowLines = 0;
  private suppressed = 0;

  constructor(opts: PeriodicCheckerOptions, deps: PeriodicCheckerDeps<K, S, R>) {
    if (!(opts.maxConcurrent >= 1) || !(opts.maxQueued >= 0)) throw new RangeError(`${opts.name}: maxConcurrent must be >= 1 and maxQueued >= 0`);
    this.opts = opts;
    this.task = deps.task;
    this.log = deps.log;
    this.now = deps.now;
    this.timers = deps.timers ?? REAL_TIMERS;
  }

  /** Keys waiting for a check. */
  get queued(): number {
    return this.queue.size;
  }

  /** Checks running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /** Results cached now: count and bytes. */
  cacheSize(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cacheBytes };
  }

  /** Begin periodic rounds (no-op when running or stopped). */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = this.timers.setInterval(() => this.runRound(), this.opts.recheckIntervalMs);
  }

  /** Run one round now, as the timer does: task.round() with its errors logged, never thrown. */
  runRound(): void {
    if (this.stopped) return;
    try {
      this.task.round();
    } catch (err) {
      // a timer callback must never throw (STYLE.md section 5): log the bug, the next round runs
      this.log.error({ err, checker: this.opts.name }, `${this.opts.name} re-check round failed`);
    }
    this.flushSuppressed();
  }

  /**
   * Queue `key` for a check. Returns false when stopped or when the queue is full (the key waits
   * for its next round); true when queued now or already. Checks start at once up to maxConcurrent.
   */
  enqueue(key: K): boolean {
    if (this.stopped) return false;
    if (!this.queue.has(key)) {
      if (this.queue.size >= this.opts.maxQueued) return false;
      this.queue.add(key);
    }
    this.pump();
    return true;
  }

  /** Drop a queued key (its subject left); a check in flight finishes and is applied only if its subject is still current. */
  forget(key: K): void {
    this.queue.delete(key);
    this.settle(key);
    this.wakeIdle();
  }

  /**
   * Check `key` and resolve when that check is done. A check of it already queued or in flight is
   * joined, never doubled. Resolves at once when stopped or the queue is full; never rejects.
   */
  checkNow(key: K): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.inFlight.has(key) && !this.enqueue(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(key);
      if (list) list.push(resolve);
      else this.waiters.set(key, [resolve]);
    });
  }

  /** Resolves when nothing is queued or in flight (tests and shutdown). */
  idle(): Promise<void> {
    if (this.inFlight.size === 0 && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Final: clear the timer, drop the queue and the cache, abort checks in flight, release every wait. */
  stop(): void {
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    this.timer = null;
    if (this.stopped) return;
    this.stopped = true;
    this.queue.clear();
    this.cache.clear();
    this.cacheBytes = 0;
    this.abort.abort();
    for (const key of [...this.waiters.keys()]) this.settle(key);
    const idle = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of idle) w();
  }

  private pump(): void {
    if (this.stopped) return;
    // Keys in flight stay queued and are skipped: at most maxConcurrent of them, so this walk is short.
    for (const key of this.queue) {
      if (this.inFlight.size >= this.opts.maxConcurrent) break;
      if (this.inFlight.has(key)) continue;
      this.queue.delete(key);
      this.inFlight.add(key);
      void this.checkOne(key).finally(() => {
        this.inFlight.delete(key);
        if (!this.queue.has(key)) this.settle(key);
        this.pump();
        this.wakeIdle();
      });
    }
  }

  /** One check of `key`: subject, cache or run, staleness, apply, log. Never rejects. */
  private async checkOne(key: K): Promise<void> {
    const name = this.opts.name;
    // Results are applied asynchronously, always (a cache hit too): callers of enqueue() may still write their own state after it returns.
    await Promise.resolve();
    try {
      if (this.stopped) return;
      const subject = this.task.subject(key);
      if (subject === null) return;
      const id = this.task.subjectId(subject);
      let result: R | Error;
      const hit = this.cachedResult(id);
      if (hit !== undefined) result = hit;
      else {
        try {
          result = await this.task.run(subject, this.abort.signal);
          this.remember(id, result);
        } catch (err) {
          result = err instanceof Error ? err : new Error(String(err));
          if (!this.stopped) this.note('error', { err: result, checker: name, key }, `${name} check threw`);
        }
      }
      if (this.stopped) return; // aborted: a result after stop() is never applied
      const current = this.task.subject(key);
      // The subject may have changed or left while the check ran: only the subject checked may be written.
      if (current === null || this.task.subjectId(current) !== id) return;
      const note = this.task.apply(key, subject, result);
      if (note?.failed) this.note('warn', { checker: name, key, ...note.fields }, note.msg ?? `${name} check failed`);
      else if (note?.changed) this.note('info', { checker: name, key, ...note.fields }, note.msg ?? `${name} result changed`);
    } catch (err) {
      // subject(), subjectId() or apply() threw: a bug, logged; the queue and the timer go on
      this.note('error', { err, checker: name, key }, `${name} check failed with an internal error`);
    }
  }

  private cachedResult(id: string): R | undefined {
    if (!this.opts.cache) return undefined;
    const hit = this.cache.get(id);
    if (!hit) return undefined;
    if (hit.expiresAt > this.now()) return hit.result;
    this.dropCached(id, hit);
    return undefined;
  }

  /** Cache a result, evicting the oldest entries past the count or byte bound; an entry larger than the byte bound is not kept. */
  private remember(id: string, result: R): void {
    const c = this.opts.cache;
    if (!c || this.stopped) return;
    const old = this.cache.get(id);
    if (old) this.dropCached(id, old);
    const bytes = this.task.sizeOf ? this.task.sizeOf(result) : (JSON.stringify(result)?.length ?? 0);
    if (bytes > c.maxBytes || c.maxEntries < 1) return;
    while (this.cache.size >= c.maxEntries || this.cacheBytes + bytes > c.maxBytes) {
      const oldest = this.cache.entries().next().value as [string, CacheEntry<R>];
      this.dropCached(oldest[0], oldest[1]);
    }
    const ttl = this.task.isFinal === undefined || this.task.isFinal(result) ? c.okTtlMs : c.errorTtlMs;
    this.cache.set(id, { result, expiresAt: this.now() + ttl, bytes });
    this.cacheBytes += bytes;
  }

  private dropCached(id: string, e: CacheEntry<R>): void {
    this.cache.delete(id);
    this.cacheBytes -= e.bytes;
  }

  /** Log one result line within the budget; past it the line is counted (a dead LND or website must not flood the log). */
  private note(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
    const budget = this.opts.logBudget ?? { lines: DEFAULT_LOG_LINES, windowMs: DEFAULT_LOG_WINDOW_MS };
    const t = this.now();
    if (t - this.windowStart >= budget.windowMs) {
      this.flushSuppressed();
      this.windowStart = t;
      this.windowLines = 0;
    }
    if (this.windowLines >= budget.lines) {
      this.suppressed++;
      return;
    }
    this.windowLines++;
    this.log[level](fields, msg);
  }

  /** Once the window that suppressed lines is over, say how many were left out. */
  private flushSuppressed(): void {
    const budget = this.opts.logBudget ?? { lines: DEFAULT_LOG_LINES, windowMs: DEFAULT_LOG_WINDOW_MS };
    if (this.suppressed === 0 || this.now() - this.windowStart < budget.windowMs) return;
    this.log.warn({ checker: this.opts.name, suppressed: this.suppressed, windowMs: budget.windowMs }, `${this.opts.name}: ${this.suppressed} result lines were not logged (rate limit)`);
    this.suppressed = 0;
  }

  private settle(key: K): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const w of list) w();
  }

  private wakeIdle(): void {
    if (this.inFlight.size !== 0 || this.queue.size !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
