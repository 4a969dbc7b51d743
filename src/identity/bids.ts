/** identity/bids.ts - Lightning bids against the operator's LND: background verification of stored ads, bounded verification of a newcomer at a full mempool, the weight a paid bid gives and when it expires, re-ranking oracles through the service. Imports protocol types, lightning types and the service interface; never api or p2p. */
import type { Bid, OracleId } from '../protocol/types.ts';
import type { AcceptedEvent, EvictedEvent, StoredOracle } from '../service/service.ts';
import type { Logger } from '../log.ts';
import {
  BID_ADMISSION_BURST,
  BID_ADMISSION_MAX_PENDING,
  BID_ADMISSION_MAX_SOURCES,
  BID_ADMISSION_REFILL_MS,
  BID_ADMISSION_TIMEOUT_MS,
  BID_CACHE_MAX_BYTES,
  BID_CACHE_MAX_ENTRIES,
  BID_LIFETIME_MS,
  BID_PAID_MAX_ENTRIES,
} from './constants.ts';
import type { InvoiceLookup, LndInvoice } from '../lightning/lnd.ts';
import { LruMap } from '../util/lru.ts';
import { BidExpiries } from './bid-expiry.ts';
import { InvoiceLookups } from './invoice-lookups.ts';
import { PeriodicChecker } from './periodic-checker.ts';
import { bidKey, checkInvoice, isLightningBid, payeeOf } from './bid-check.ts';

export { checkInvoice, isLightningBid } from './bid-check.ts';

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
  /** How long a verified bid counts, from the invoice's settlement (default {@link BID_LIFETIME_MS}; config bidLifetimeMs). */
  bidLifetimeMs?: number;
  /** Cached LND answers at most (default {@link BID_CACHE_MAX_ENTRIES}). */
  cacheMaxEntries?: number;
  /** Bytes of cached LND answers at most, as JSON (default {@link BID_CACHE_MAX_BYTES}). */
  cacheMaxBytes?: number;
  /** Bounds of lookups made for admissions at a full mempool (defaults in identity/constants.ts). */
  admission?: Partial<AdmissionLookupLimits>;
}

/** Bounds of bid lookups made while a newcomer waits (docs/PROTOCOL.md 9.2): refused spam must not make the node hammer LND. */
export interface AdmissionLookupLimits {
  /** Deadline of one such lookup. */
  timeoutMs: number;
  /** Such lookups in flight at once. */
  maxPending: number;
  /** Lookups one source may start at once, then one per refillMs. */
  burst: number;
  refillMs: number;
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

/** Verification state of one oracle's bid (GET /oracles/{pubkey}); times are ISO 8601. */
export type BidStatus =
  | { state: 'none' }
  | { state: 'pending' }
  | { state: 'verified'; amountMsat: number; expiresAt: string }
  | { state: 'expired'; amountMsat: number; expiredAt: string }
  | { state: 'unverified'; reason: string };

/** The placement an oracle holds on this node (GET /oracles/{pubkey} `placement`): a bid paid to this node's LND that counts now. */
export interface HeldPlacement {
  amountMsat: number;
  /** The LND node that issued the invoice (recovered from its BOLT11 signature), when LND sent the invoice. */
  lightningNodeId: string | null;
  verifiedAt: string;
  expiresAt: string;
}

/** A paid invoice as this node remembers it: who it pays for, how much, and the window it counts in. */
interface PaidBid {
  pubkey: string;
  paidMsat: number;
  lightningNodeId: string | null;
  verifiedAt: number;
  expiresAt: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Verifies bids against this node's LND and keeps the weight they give. Two paths, one answer cache
 * ({@link InvoiceLookups}): in the background for stored ads (an accepted ad ranks with bid 0 at
 * once and is re-ranked when LND confirms), and {@link verifyForAdmission} for a newcomer that a
 * full mempool would refuse for rank (bounded per source and overall). A verified bid counts for
 * `bidLifetimeMs` from the invoice's settlement ({@link BidExpiries}), then the ad ranks by PoW
 * again. Lifecycle: constructed listening; start() begins re-checks; stop() is final.
 */
export class BidVerifier {
  private readonly deps: BidVerifierDeps;
  private readonly lifetimeMs: number;
  private readonly limits: AdmissionLookupLimits;
  private readonly status = new Map<string, BidStatus>();
  private readonly checker: PeriodicChecker<string, Bid, InvoiceLookup>;
  /** LND answers by payment hash, shared by every path. */
  readonly lookups: InvoiceLookups;
  /** Paid invoices by payment hash (only settled ones that named their oracle enter). */
  private readonly paid: LruMap<string, PaidBid>;
  private readonly expiries: BidExpiries;
  /** Admission-time lookup budget per source. */
  private readonly budgets: LruMap<string, { tokens: number; at: number }>;
  private admissionPending = 0;
  private stopped = false;

  constructor(opts: BidVerifierOptions, deps: BidVerifierDeps) {
    this.deps = deps;
    this.lifetimeMs = opts.bidLifetimeMs ?? BID_LIFETIME_MS;
    this.limits = { timeoutMs: BID_ADMISSION_TIMEOUT_MS, maxPending: BID_ADMISSION_MAX_PENDING, burst: BID_ADMISSION_BURST, refillMs: BID_ADMISSION_REFILL_MS, ...opts.admission };
    this.lookups = new InvoiceLookups(
      { okTtlMs: opts.cacheTtlMs, errorTtlMs: opts.errorTtlMs, maxEntries: opts.cacheMaxEntries ?? BID_CACHE_MAX_ENTRIES, maxBytes: opts.cacheMaxBytes ?? BID_CACHE_MAX_BYTES },
      { lookupInvoice: deps.lookupInvoice, now: deps.now },
    );
    this.paid = new LruMap(BID_PAID_MAX_ENTRIES, Infinity, deps.now);
    this.budgets = new LruMap(BID_ADMISSION_MAX_SOURCES, Infinity, deps.now);
    this.expiries = new BidExpiries(deps.now, () => {
      try {
        this.expireDue();
      } catch (err) {
        deps.log.error({ err }, 'bid expiry failed'); // a timer callback never throws
      }
    });
    this.checker = new PeriodicChecker<string, Bid, InvoiceLookup>(
      { name: 'bids', maxConcurrent: opts.maxConcurrent, maxQueued: opts.maxQueued, recheckIntervalMs: opts.recheckIntervalMs },
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
          run: (bid, signal) => this.lookups.lookup(bid.proof, signal),
          apply: (pubkey, bid, result) => this.apply(pubkey, bid, result),
          round: () => this.recheckUnverified(),
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
      this.expiries.delete(e.id);
    });
  }

  /** The bid state of a stored oracle. */
  bidStatus(pubkey: string): BidStatus {
    return this.status.get(pubkey) ?? { state: 'none' };
  }

  /** The placement a stored oracle holds on this node now (its bid paid this node's LND and has not expired), else null. */
  placementOf(pubkey: string): HeldPlacement | null {
    const o = this.deps.service.getOracle(pubkey);
    const d = this.expiries.get(pubkey);
    const p = o && d ? this.paid.get(o.msg.bid.proof) : undefined;
    if (!p || !d) return null;
    return { amountMsat: d.amountMsat, lightningNodeId: p.lightningNodeId, verifiedAt: iso(p.verifiedAt), expiresAt: iso(d.expiresAt) };
  }

  /** Milliseconds a verified bid counts. */
  get bidLifetimeMs(): number {
    return this.lifetimeMs;
  }

  /** The amount `o`'s bid claims when it is one this node verifies (a Lightning payment hash), else 0. */
  claimedMsat(o: OracleId): number {
    return isLightningBid(o.bid) ? o.bid.amount : 0;
  }

  /**
   * The msat this node counts for `o`'s bid now, from what it already knows (no LND call): the bid
   * amount when its invoice is paid, names `o.pubkey`, paid at least that much and has not expired; else 0.
   */
  weightOf(o: OracleId): number {
    if (!isLightningBid(o.bid)) return 0;
    const p = this.paid.get(o.bid.proof);
    return p && p.pubkey === o.pubkey && o.bid.amount <= p.paidMsat && p.expiresAt > this.deps.now() ? o.bid.amount : 0;
  }

  /** Why `o`'s bid does not count, from what is known (null when it counts or nothing is known yet). */
  whyNot(o: OracleId): string | null {
    if (!isLightningBid(o.bid)) return 'the bid is not a Lightning payment hash with a positive amount';
    if (this.weightOf(o) > 0) return null;
    const p = this.paid.get(o.bid.proof);
    if (p) {
      if (p.pubkey !== o.pubkey) return 'invoice memo does not name this oracle pubkey';
      if (o.bid.amount > p.paidMsat) return `invoice paid ${p.paidMsat} msat, less than the bid's ${o.bid.amount}`;
      return `the bid expired at ${iso(p.expiresAt)}; pay a new invoice and publish the ad with it`;
    }
    const cached = this.lookups.cached(o.bid.proof);
    return cached ? this.judge(o.pubkey, o.bid, cached) : null;
  }

  /**
   * A newcomer `o` would be refused for rank unless its bid counts: look the bid up now, within the
   * admission bounds (per-source budget, pending cap, short timeout). `wait` settles once the answer
   * is known (then {@link weightOf} tells the result); `refused` says why no lookup is made (a known
   * failure, an expired bid, a budget spent). At most one LND request per invoice at a time, and a
   * known answer is never asked again while cached.
   */
  verifyForAdmission(o: OracleId, sourceId: string): { wait: Promise<void> } | { refused: string } {
    if (this.stopped) return { refused: 'bid verification is stopped' };
    if (this.weightOf(o) > 0) return { wait: Promise.resolve() };
    const known = this.whyNot(o);
    if (known !== null) return { refused: known };
    if (this.admissionPending >= this.limits.maxPending) return { refused: 'too many bids are being verified right now; try again later' };
    if (!this.takeToken(sourceId)) return { refused: 'this source started too many bid verifications; try again later' };
    this.admissionPending++;
    const hash = o.bid.proof;
    const wait = this.lookups
      .lookup(hash, AbortSignal.timeout(this.limits.timeoutMs))
      .then((r) => void this.judge(o.pubkey, o.bid, r))
      .finally(() => this.admissionPending--);
    return { wait };
  }

  /** Resolves when nothing is queued or in flight (tests and shutdown). */
  idle(): Promise<void> {
    return this.checker.idle();
  }

  /** Start the periodic re-check of unverified bids. */
  start(): void {
    this.checker.start();
  }

  /** Queue every stored oracle whose Lightning bid is not verified (cached answers still apply). */
  recheckUnverified(): void {
    for (const [pubkey, st] of this.status) {
      if (st.state !== 'unverified') continue;
      const o = this.deps.service.getOracle(pubkey);
      if (!o || !isLightningBid(o.msg.bid)) continue;
      if (!this.checker.enqueue(pubkey)) break; // queue full (or stopped): the rest wait for the next round
      this.status.set(pubkey, { state: 'pending' });
    }
  }

  /** Bids whose window ended stop counting: each such oracle ranks by PoW again (the timer calls it; tests on a fake clock too). */
  expireDue(): number {
    const gone = this.expiries.due();
    for (const d of gone) {
      this.status.set(d.pubkey, { state: 'expired', amountMsat: d.amountMsat, expiredAt: iso(d.expiresAt) });
      if ((this.deps.service.getOracle(d.pubkey)?.verifiedBid ?? 0) !== 0) this.deps.service.setVerifiedBid(d.pubkey, 0);
      this.deps.log.info({ key: d.pubkey, amountMsat: d.amountMsat }, 'bid expired');
    }
    return gone.length;
  }

  /** Stop re-checks, the expiry timer and lookups in flight; no further lookups start. */
  stop(): void {
    this.stopped = true;
    this.checker.stop();
    this.expiries.stop();
  }

  private takeToken(sourceId: string): boolean {
    const t = this.deps.now();
    const b = this.budgets.get(sourceId) ?? { tokens: this.limits.burst, at: t };
    b.tokens = Math.min(this.limits.burst, b.tokens + (t - b.at) / this.limits.refillMs);
    b.at = t;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.budgets.set(sourceId, b);
    return ok;
  }

  /** Does this LND answer pay `bid` for `pubkey`? Null when it does (the payment is remembered), else the reason. */
  private judge(pubkey: string, bid: Bid, result: InvoiceLookup | Error): string | null {
    if (result instanceof Error) return 'internal error';
    if (result.status === 'not-found') return 'LND does not know this payment hash';
    if (result.status === 'error') return result.message;
    const why = checkInvoice(result.invoice, bid, pubkey);
    if (why === null) this.remember(pubkey, bid, result.invoice);
    return why;
  }

  /** Remember a paid invoice once: its window starts at its settlement (never later than now), so looking again never renews it. */
  private remember(pubkey: string, bid: Bid, inv: LndInvoice): void {
    if (this.paid.get(bid.proof)?.pubkey === pubkey) return;
    const t = this.deps.now();
    const settled = Number(inv.settle_date ?? '0') * 1000;
    const start = Number.isFinite(settled) && settled > 0 && settled < t ? settled : t;
    let paidMsat: number;
    try {
      paidMsat = Number(BigInt.asUintN(53, BigInt(inv.amt_paid_msat ?? '0')));
    } catch {
      paidMsat = 0;
    }
    this.paid.set(bid.proof, { pubkey, paidMsat, lightningNodeId: payeeOf(inv.payment_request), verifiedAt: t, expiresAt: start + this.lifetimeMs });
  }

  /** Write the weight of the stored oracle's current bid (verified, expired, or 0) and its deadline. */
  private settleWeight(pubkey: string, bid: Bid): BidStatus | null {
    const o = this.deps.service.getOracle(pubkey);
    const p = isLightningBid(bid) ? this.paid.get(bid.proof) : undefined;
    if (!o || !p || p.pubkey !== pubkey || bid.amount > p.paidMsat) return null;
    if (p.expiresAt <= this.deps.now()) {
      this.expiries.delete(pubkey);
      if (o.verifiedBid !== 0) this.deps.service.setVerifiedBid(pubkey, 0);
      return { state: 'expired', amountMsat: bid.amount, expiredAt: iso(p.expiresAt) };
    }
    if (o.verifiedBid !== bid.amount) this.deps.service.setVerifiedBid(pubkey, bid.amount);
    this.expiries.set({ pubkey, amountMsat: bid.amount, expiresAt: p.expiresAt });
    return { state: 'verified', amountMsat: bid.amount, expiresAt: iso(p.expiresAt) };
  }

  private onOracle(o: OracleId, replaced: boolean): void {
    // A bid already known to pay (verified at admission, or an earlier version's) counts at once.
    const known = this.settleWeight(o.pubkey, o.bid);
    if (known) {
      this.status.set(o.pubkey, known);
      return;
    }
    // A new ad version with another bid loses the old verified amount until the new one is checked.
    this.expiries.delete(o.pubkey);
    const stored = this.deps.service.getOracle(o.pubkey);
    if (replaced && stored && stored.verifiedBid !== 0) this.deps.service.setVerifiedBid(o.pubkey, 0);
    if (!isLightningBid(o.bid)) {
      this.status.set(o.pubkey, { state: 'none' });
      return;
    }
    if (!this.checker.enqueue(o.pubkey)) {
      this.status.set(o.pubkey, { state: 'unverified', reason: 'verification queue full' });
      return;
    }
    this.status.set(o.pubkey, { state: 'pending' });
  }

  /** Write the outcome of one lookup of `bid` (still the stored oracle's bid: the checker made sure). */
  private apply(pubkey: string, bid: Bid, result: InvoiceLookup | Error) {
    const wasVerified = this.status.get(pubkey)?.state === 'verified';
    const why = this.judge(pubkey, bid, result);
    const settled = why === null ? this.settleWeight(pubkey, bid) : null;
    if (settled) this.status.set(pubkey, settled);
    else {
      this.expiries.delete(pubkey);
      this.status.set(pubkey, { state: 'unverified', reason: why ?? 'internal error' });
      if ((this.deps.service.getOracle(pubkey)?.verifiedBid ?? 0) !== 0) this.deps.service.setVerifiedBid(pubkey, 0);
    }
    const verified = settled?.state === 'verified';
    // LND not answering is the operator's problem (warn); an invoice that does not pay is the oracle's (GET /oracles shows it).
    const failed = result instanceof Error || result.status === 'error';
    return {
      failed,
      changed: wasVerified !== verified,
      msg: failed ? 'bid lookup failed' : verified ? 'bid verified' : 'bid no longer verified',
      fields: verified ? { amountMsat: bid.amount } : { reason: settled?.state === 'expired' ? 'expired' : why },
    };
  }
}
