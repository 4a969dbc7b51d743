/** identity/bids.ts - background verification of Lightning bids against the operator's LND, re-ranking oracles through the service. Imports protocol types and the service interface; never api or p2p. */
import type { Bid, OracleId } from '../protocol/types.ts';
import type { AcceptedEvent, EvictedEvent, StoredOracle } from '../service/service.ts';
import type { Logger } from '../log.ts';
import { BID_CACHE_MAX_BYTES, BID_CACHE_MAX_ENTRIES } from './constants.ts';
import type { InvoiceLookup, LndInvoice } from '../lightning/lnd.ts';
import { PeriodicChecker } from './periodic-checker.ts';

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
  /** Cached LND answers at most (default {@link BID_CACHE_MAX_ENTRIES}). */
  cacheMaxEntries?: number;
  /** Bytes of cached LND answers at most, as JSON (default {@link BID_CACHE_MAX_BYTES}; one answer may be up to 256 KiB). */
  cacheMaxBytes?: number;
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
  /** A child logger: info when a bid becomes (or stops being) verified, warn when LND cannot answer (rate-limited). */
  log: Logger;
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

/** Settled and unknown are final for a long while; errors and open invoices are retried sooner. */
const isFinalLookup = (r: InvoiceLookup): boolean => r.status === 'not-found' || (r.status === 'found' && ['SETTLED', 'CANCELED'].includes(r.invoice.state ?? ''));

/**
 * Verifies bids off the admission path: an accepted ad ranks with bid 0 at once, and is re-ranked
 * when LND confirms the payment. Queueing, concurrency, the answer cache, re-check rounds and
 * logging are the shared {@link PeriodicChecker}'s. Lifecycle: constructed listening; start()
 * begins re-checks; stop() aborts lookups in flight and is final.
 */
export class BidVerifier {
  private readonly deps: BidVerifierDeps;
  private readonly status = new Map<string, BidStatus>();
  /** pubkey -> bidKey of the bid that was verified. */
  private readonly verifiedKey = new Map<string, string>();
  private readonly checker: PeriodicChecker<string, Bid, InvoiceLookup>;

  constructor(opts: BidVerifierOptions, deps: BidVerifierDeps) {
    this.deps = deps;
    this.checker = new PeriodicChecker<string, Bid, InvoiceLookup>(
      {
        name: 'bids',
        maxConcurrent: opts.maxConcurrent,
        maxQueued: opts.maxQueued,
        recheckIntervalMs: opts.recheckIntervalMs,
        cache: { maxEntries: opts.cacheMaxEntries ?? BID_CACHE_MAX_ENTRIES, maxBytes: opts.cacheMaxBytes ?? BID_CACHE_MAX_BYTES, okTtlMs: opts.cacheTtlMs, errorTtlMs: opts.errorTtlMs },
      },
      {
        log: deps.log,
        now: deps.now,
        task: {
          subject: (pubkey) => {
            const o = deps.service.getOracle(pubkey);
            return o && isLightningBid(o.msg.bid) ? o.msg.bid : null;
          },
          // The ad may be replaced or evicted while LND answers: only the bid that was checked counts.
          subjectId: bidKey,
          run: (bid, signal) => deps.lookupInvoice(bid.proof, signal),
          apply: (pubkey, bid, result) => this.apply(pubkey, bid, result),
          round: () => this.recheckUnverified(),
          isFinal: isFinalLookup,
        },
      },
    );
    deps.service.on('mempool:accepted', (e) => {
      if (e.kind === 'oracle') this.onOracle(e.entity as OracleId, e.replaced);
    });
    deps.service.on('mempool:evicted', (e) => {
      if (e.kind !== 'oracle') return;
      this.status.delete(e.id);
      this.checker.forget(e.id);
      this.verifiedKey.delete(e.id);
    });
  }

  /** The bid state of a stored oracle. */
  bidStatus(pubkey: string): BidStatus {
    return this.status.get(pubkey) ?? { state: 'none' };
  }

  /** Resolves when nothing is queued or in flight (tests and shutdown). */
  idle(): Promise<void> {
    return this.checker.idle();
  }

  /** Start the periodic re-check of unverified bids. */
  start(): void {
    this.checker.start();
  }

  /** Queue every stored oracle whose Lightning bid is not verified (cache entries still apply). */
  recheckUnverified(): void {
    for (const [pubkey, st] of this.status) {
      if (st.state !== 'unverified') continue;
      const o = this.deps.service.getOracle(pubkey);
      if (!o || !isLightningBid(o.msg.bid)) continue;
      if (!this.checker.enqueue(pubkey)) break; // queue full (or stopped): the rest wait for the next round
      this.status.set(pubkey, { state: 'pending' });
    }
  }

  /** Stop re-checks and abort lookups in flight; no further lookups start. */
  stop(): void {
    this.checker.stop();
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
    if (!this.checker.enqueue(o.pubkey)) {
      this.status.set(o.pubkey, { state: 'unverified', reason: 'verification queue full' });
      return;
    }
    this.status.set(o.pubkey, { state: 'pending' });
  }

  /** Write the outcome of one lookup of `bid` (still the stored oracle's bid: the checker made sure). */
  private apply(pubkey: string, bid: Bid, result: InvoiceLookup | Error) {
    const wasVerified = this.verifiedKey.has(pubkey);
    const why = result instanceof Error ? 'internal error' : result.status === 'found' ? checkInvoice(result.invoice, bid, pubkey) : result.status === 'not-found' ? 'LND does not know this payment hash' : result.message;
    if (why === null) {
      this.verifiedKey.set(pubkey, bidKey(bid));
      this.status.set(pubkey, { state: 'verified', amountMsat: bid.amount });
      this.deps.service.setVerifiedBid(pubkey, bid.amount);
    } else {
      this.verifiedKey.delete(pubkey);
      this.status.set(pubkey, { state: 'unverified', reason: why });
      if (this.deps.service.getOracle(pubkey)?.verifiedBid !== 0) this.deps.service.setVerifiedBid(pubkey, 0);
    }
    // LND not answering is the operator's problem (warn); an invoice that does not pay is the oracle's (GET /oracles shows it).
    const failed = result instanceof Error || result.status === 'error';
    return { failed, changed: wasVerified !== (why === null), msg: failed ? 'bid lookup failed' : why === null ? 'bid verified' : 'bid no longer verified', fields: why === null ? { amountMsat: bid.amount } : { reason: why } };
  }
}
