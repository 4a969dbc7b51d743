/** identity/invoice-lookups.ts - the one way this node asks its LND about an invoice: a bounded answer cache per payment hash (definite answers long, open invoices and errors briefly) and single flight (one request per hash in flight, whoever asks). Shared by background bid checks, bid checks at admission and placement status polls. Imports lightning types and util only. */
import type { InvoiceLookup, LndInvoice } from '../lightning/lnd.ts';
import { LruMap } from '../util/lru.ts';

/** Tunables. */
export interface InvoiceLookupsOptions {
  /** How long a definite answer (settled, cancelled, unknown) is reused. */
  okTtlMs: number;
  /** How long an open invoice or an error is reused before LND is asked again. */
  errorTtlMs: number;
  /** Cached answers at most. */
  maxEntries: number;
  /** Bytes of cached answers at most (as JSON). */
  maxBytes: number;
}

/** Injected collaborators. */
export interface InvoiceLookupsDeps {
  lookupInvoice(paymentHashHex: string, signal?: AbortSignal): Promise<InvoiceLookup>;
  now: () => number;
}

interface Cached {
  result: InvoiceLookup;
  at: number;
  expiresAt: number;
}

/** Longest memo or payment request kept (a BOLT11 description is at most 639 bytes; LND caps memos at 1024). */
const MAX_TEXT = 2048;

/** Settled, cancelled and unknown answers do not change; open invoices and errors may. */
export function isFinalLookup(r: InvoiceLookup): boolean {
  return r.status === 'not-found' || (r.status === 'found' && (r.invoice.state === 'SETTLED' || r.invoice.state === 'CANCELED'));
}

/** Only the fields the node reads, strings bounded: what is cached (an answer may be up to 256 KiB). */
function trim(r: InvoiceLookup): InvoiceLookup {
  if (r.status === 'error') return { status: 'error', message: r.message.slice(0, 300) };
  if (r.status !== 'found') return r;
  const i = r.invoice;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, MAX_TEXT) : undefined);
  const inv: LndInvoice = {};
  for (const k of ['memo', 'r_hash', 'value_msat', 'amt_paid_msat', 'state', 'settle_date', 'payment_request'] as const) {
    const v = text(i[k]);
    if (v !== undefined) inv[k] = v;
  }
  return { status: 'found', invoice: inv };
}

/**
 * Invoice answers by payment hash. {@link lookup} answers from the cache while fresh, joins a
 * request already in flight for the same hash, else asks LND once. Never rejects.
 */
export class InvoiceLookups {
  private readonly opts: InvoiceLookupsOptions;
  private readonly deps: InvoiceLookupsDeps;
  private readonly cache: LruMap<string, Cached>;
  private readonly inFlight = new Map<string, Promise<InvoiceLookup>>();
  /** Requests sent to LND so far (metrics and tests). */
  calls = 0;

  constructor(opts: InvoiceLookupsOptions, deps: InvoiceLookupsDeps) {
    this.opts = opts;
    this.deps = deps;
    this.cache = new LruMap(Math.max(1, opts.maxEntries), Infinity, deps.now, { maxBytes: Math.max(1, opts.maxBytes), sizeOf: (c) => 64 + JSON.stringify(c.result).length });
  }

  /** The cached answer for `hash` while fresh (younger than `maxAgeMs` too, when given), else undefined. No request. */
  cached(hash: string, maxAgeMs = Infinity): InvoiceLookup | undefined {
    const c = this.cache.get(hash);
    if (!c) return undefined;
    const t = this.deps.now();
    if (c.expiresAt <= t) {
      this.cache.delete(hash);
      return undefined;
    }
    return t - c.at <= maxAgeMs || isFinalLookup(c.result) ? c.result : undefined;
  }

  /** The answer for `hash`: cached, joined, or asked of LND (`signal` aborts a new request). Never rejects. */
  lookup(hash: string, signal?: AbortSignal, maxAgeMs = Infinity): Promise<InvoiceLookup> {
    const hit = this.cached(hash, maxAgeMs);
    if (hit) return Promise.resolve(hit);
    const joined = this.inFlight.get(hash);
    if (joined) return joined;
    this.calls++;
    const p = this.deps
      .lookupInvoice(hash, signal)
      .catch((err: unknown): InvoiceLookup => ({ status: 'error', message: err instanceof Error ? err.message : String(err) }))
      .then((raw) => {
        const result = trim(raw);
        const at = this.deps.now();
        this.cache.set(hash, { result, at, expiresAt: at + (isFinalLookup(result) ? this.opts.okTtlMs : this.opts.errorTtlMs) });
        return result;
      })
      .finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, p);
    return p;
  }

  /** Requests in flight now. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Cached answers: count and bytes. */
  cacheSize(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes };
  }

  /** Forget every cached answer (stop). */
  clear(): void {
    this.cache.clear();
  }
}
