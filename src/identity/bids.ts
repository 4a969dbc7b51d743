/** identity/bids.ts - background verification of Lightning bids against the operator's LND, re-ranking oracles through the service. Imports protocol types and the service interface; never api or p2p. */
import type { Bid, OracleId } from '../protocol/types.ts';
import type { AcceptedEvent, EvictedEvent, StoredOracle } from '../service/service.ts';
import type { InvoiceLookup, LndInvoice } from './lnd.ts';

/** Tunables of the verifier. */
export interface BidVerifierOptions {
  /** Lookups in flight at once (LND is the operator's node: never flood it). */
  maxConcurrent: number;
  /** Oracles waiting for a lookup; beyond it new bids wait for the next ad version or re-check. */
  maxQueued: number;
  /** How long a definite answer (settled, open, cancelled, unknown) is cached per payment hash. */
  cacheTtlMs: number;
  /** How long an error (timeout, LND down, bad macaroon) or a not-yet-settled invoice is cached before a retry. */
  errorTtlMs: number;
  /** Every interval, unverified Lightning bids are looked up again (an open invoice may have been paid since). */
  recheckIntervalMs: number;
}

/** What the verifier needs from the service (a structural subset of MegaService). */
export interface BidSource {
  getOracle(pubkey: string): StoredOracle | undefined;
  setVerifiedBid(pubkey: string, amountMsat: number): boolean;
  on(event: 'mempool:accepted', listener: (e: AcceptedEvent) => void): unknown;
  on(event: 'mempool:evicted', listener: (e: EvictedEvent) => void): unknown;
}

/** Injected collaborators. */
export interface BidVerifierDeps {
  service: BidSource;
  lookupInvoice(paymentHashHex: string, signal?: AbortSignal): Promise<InvoiceLookup>;
  now: () => number;
}

/** Verification state of one oracle's bid (GET /oracles/{pubkey}). */
export type BidStatus =
  | { state: 'none' }
  | { state: 'pending' }
  | { state: 'verified'; amountMsat: number }
  | { state: 'unverified'; reason: string };

const PUBKEY_IN_TEXT = /0[23][0-9a-f]{64}/gi;

/** Is this a bid the node can verify: lightning, a 64-hex payment hash, a positive amount. */
export function isLightningBid(bid: Bid): boolean {
  return bid.paymentType === 'lightning' && /^[0-9a-f]{64}$/.test(bid.proof) && bid.amount > 0;
}

/**
 * Does this invoice pay `bid` for oracle `pubkey`? Settled, paid at least the amount (int64 fields
 * arrive as strings), the payment hash matches, and the memo names this oracle and no other key,
 * so one paid invoice cannot rank two oracles. Returns null when it does, else the reason.
 */
export function checkInvoice(inv: LndInvoice, bid: Bid, pubkey: string): string | null {
  if (inv.state !== 'SETTLED') return `invoice state is ${String(inv.state)}`;
  if (typeof inv.r_hash === 'string' && Buffer.from(inv.r_hash, 'base64').toString('hex') !== bid.proof) return 'invoice r_hash is not the bid proof';
  let paid: bigint;
  try {
    paid = BigInt(inv.amt_paid_msat ?? '0');
  } catch {
    return 'amt_paid_msat is not an integer';
  }
  if (paid < BigInt(bid.amount)) return `invoice paid ${paid} msat, less than the bid's ${bid.amount}`;
  const memo = typeof inv.memo === 'string' ? inv.memo.toLowerCase() : '';
  const keys = new Set(memo.match(PUBKEY_IN_TEXT) ?? []);
  if (!keys.has(pubkey)) return 'invoice memo does not name this oracle pubkey';
  if (keys.size > 1) return 'invoice memo names more than one pubkey';
  return null;
}

const bidKey = (b: Bid): string => `${b.paymentType ?? ''}|${b.proof}|${b.amount}`;

/**
 * Verifies bids off the admission path: an accepted ad ranks with bid 0 at once, and is re-ranked
 * when LND confirms the payment. Lifecycle: constructed listening; stop() aborts lookups in flight.
 */
export class BidVerifier {
  private readonly opts: BidVerifierOptions;
  private readonly deps: BidVerifierDeps;
  private readonly status = new Map<string, BidStatus>();
  private readonly queue = new Set<string>();
  private readonly cache = new Map<string, { result: InvoiceLookup; expiresAt: number }>();
  private inFlight = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(opts: BidVerifierOptions, deps: BidVerifierDeps) {
    this.opts = opts;
    this.deps = deps;
    deps.service.on('mempool:accepted', (e) => {
      if (e.kind === 'oracle') this.onOracle(e.entity as OracleId, e.replaced);
    });
    deps.service.on('mempool:evicted', (e) => {
      if (e.kind !== 'oracle') return;
      this.status.delete(e.id);
      this.queue.delete(e.id);
      this.verifiedKey.delete(e.id);
    });
  }

  /** The bid state of a stored oracle. */
  bidStatus(pubkey: string): BidStatus {
    return this.status.get(pubkey) ?? { state: 'none' };
  }

  /** Resolves when nothing is queued or in flight (tests and shutdown). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Queue the bid of an ad stored without an accepted event (restored from disk; node.ts calls it at start). */
  noteStored(o: OracleId): void {
    this.onOracle(o, false);
  }

  /** Start the periodic re-check of unverified bids. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      try {
        this.recheckUnverified();
      } catch {
        // a timer callback must never throw (STYLE.md section 5)
      }
    }, this.opts.recheckIntervalMs);
    this.timer.unref();
  }

  /** Queue every stored oracle whose Lightning bid is not verified (cache entries still apply). */
  recheckUnverified(): void {
    for (const [pubkey, st] of this.status) {
      if (st.state !== 'unverified' || this.stopped || this.queue.size >= this.opts.maxQueued) continue;
      const o = this.deps.service.getOracle(pubkey);
      if (!o || !isLightningBid(o.msg.bid)) continue;
      this.status.set(pubkey, { state: 'pending' });
      this.queue.add(pubkey);
    }
    this.pump();
  }

  private timer: NodeJS.Timeout | null = null;

  /** Stop re-checks and abort lookups in flight; no further lookups start. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopped = true;
    this.queue.clear();
    this.abort.abort();
    this.wakeIdle();
  }

  private onOracle(o: OracleId, replaced: boolean): void {
    const prev = this.status.get(o.pubkey);
    const stored = this.deps.service.getOracle(o.pubkey);
    // A new ad version with another bid loses the old verified amount until the new one is checked.
    if (replaced && stored && stored.verifiedBid !== 0 && this.verifiedKey.get(o.pubkey) !== bidKey(o.bid)) {
      this.deps.service.setVerifiedBid(o.pubkey, 0);
    }
    if (!isLightningBid(o.bid)) {
      this.status.set(o.pubkey, { state: 'none' });
      return;
    }
    if (prev?.state === 'verified' && this.verifiedKey.get(o.pubkey) === bidKey(o.bid)) return;
    if (this.stopped || this.queue.size >= this.opts.maxQueued) {
      this.status.set(o.pubkey, { state: 'unverified', reason: 'verification queue full' });
      return;
    }
    this.status.set(o.pubkey, { state: 'pending' });
    this.queue.add(o.pubkey);
    this.pump();
  }

  /** pubkey -> bidKey of the bid that was verified. */
  private readonly verifiedKey = new Map<string, string>();

  private pump(): void {
    while (!this.stopped && this.inFlight < this.opts.maxConcurrent && this.queue.size > 0) {
      const pubkey = this.queue.values().next().value as string;
      this.queue.delete(pubkey);
      this.inFlight++;
      this.verify(pubkey)
        .catch(() => this.status.set(pubkey, { state: 'unverified', reason: 'internal error' }))
        .finally(() => {
          this.inFlight--;
          this.pump();
          this.wakeIdle();
        });
    }
  }

  private async verify(pubkey: string): Promise<void> {
    const o = this.deps.service.getOracle(pubkey);
    if (!o || !isLightningBid(o.msg.bid)) return;
    const bid = o.msg.bid;
    const result = await this.lookup(bid.proof);
    if (this.stopped) return;
    const now = this.deps.service.getOracle(pubkey);
    // The ad may have been replaced or evicted while LND answered: only the bid we checked counts.
    if (!now || bidKey(now.msg.bid) !== bidKey(bid)) return;
    const why = result.status === 'found' ? checkInvoice(result.invoice, bid, pubkey) : result.status === 'not-found' ? 'LND does not know this payment hash' : result.message;
    if (why === null) {
      this.verifiedKey.set(pubkey, bidKey(bid));
      this.status.set(pubkey, { state: 'verified', amountMsat: bid.amount });
      this.deps.service.setVerifiedBid(pubkey, bid.amount);
    } else {
      this.verifiedKey.delete(pubkey);
      this.status.set(pubkey, { state: 'unverified', reason: why });
      if (now.verifiedBid !== 0) this.deps.service.setVerifiedBid(pubkey, 0);
    }
  }

  private async lookup(hash: string): Promise<InvoiceLookup> {
    const t = this.deps.now();
    const hit = this.cache.get(hash);
    if (hit && hit.expiresAt > t) return hit.result;
    const result = await this.deps.lookupInvoice(hash, this.abort.signal);
    // Settled and unknown are final for a long while; errors and open invoices are retried sooner.
    const final = result.status === 'not-found' || (result.status === 'found' && ['SETTLED', 'CANCELED'].includes(result.invoice.state ?? ''));
    const ttl = final ? this.opts.cacheTtlMs : this.opts.errorTtlMs;
    if (this.cache.size >= 10_000) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(hash, { result, expiresAt: this.deps.now() + ttl });
    return result;
  }

  private wakeIdle(): void {
    if (this.inFlight !== 0 || this.queue.size !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
