/** identity/placement.ts - ad placement sold in-band: invoices from this node's LND whose memo binds the oracle key (docs/PROTOCOL.md 7.2), the offer GET /id advertises, and the status an oracle polls until it has paid. Imports protocol keys, lightning types and identity; never api or p2p. */
import type { AddInvoiceInit, AddInvoiceResult } from '../lightning/lnd.ts';
import { isPublicKey } from '../protocol/keys.ts';
import { LruMap } from '../util/lru.ts';
import type { InvoiceLookups } from './invoice-lookups.ts';
import { PLACEMENT_MAX_INVOICES, PLACEMENT_POLL_MAX_AGE_MS } from './constants.ts';

/** Largest amount sold: a bid amount is at most 2^53 - 1 msat (PROTOCOL 7.2). */
export const PLACEMENT_MAX_MSAT = Number.MAX_SAFE_INTEGER;
/** AddInvoice requests in flight at once (each writes an invoice into the operator's LND). */
export const PLACEMENT_MAX_PENDING = 8;
/** Deadline of one AddInvoice request made for a buyer. */
export const PLACEMENT_ADD_TIMEOUT_MS = 5_000;

/** The config slice. */
export interface PlacementOptions {
  /** Smallest amount sold (config placementMinMsat). */
  minMsat: number;
  /** BOLT11 expiry of the invoices issued (config placementInvoiceExpirySeconds). */
  invoiceExpirySeconds: number;
  /** How long a paid placement counts (config bidLifetimeMs). */
  bidLifetimeMs: number;
}

/** Injected collaborators. */
export interface PlacementDeps {
  addInvoice(init: AddInvoiceInit, signal?: AbortSignal): Promise<AddInvoiceResult>;
  /** The bid verifier's answer cache (identity/invoice-lookups.ts): status polls share it. */
  lookups: InvoiceLookups;
  now: () => number;
}

/** What GET /id advertises when placement is for sale. */
export interface PlacementOffer {
  forSale: true;
  minAmountMsat: number;
  maxAmountMsat: number;
  invoicePath: '/placement/invoice';
  invoiceExpirySeconds: number;
  bidLifetimeMs: number;
}

/** An invoice sold for placement (POST /placement/invoice answer). */
export interface PlacementInvoice {
  pubkey: string;
  amountMsat: number;
  paymentHash: string;
  paymentRequest: string;
  memo: string;
  expiresAt: string;
  /** The bid to put in the ad once paid. */
  bid: { amount: number; proof: string; paymentType: 'lightning' };
}

/** Where a sold invoice stands (GET /placement/invoice/{paymentHash}). */
export interface PlacementInvoiceStatus {
  paymentHash: string;
  pubkey: string;
  amountMsat: number;
  /** LND's invoice state (OPEN, ACCEPTED, SETTLED, CANCELED), or UNKNOWN while LND cannot be asked. */
  state: string;
  amountPaidMsat: string;
  expiresAt: string;
  /** Set when LND could not be asked (the last answer is not known). */
  error?: string;
}

/** Outcome of a sale: a value, never an exception. */
export type SaleResult =
  | { status: 'created'; invoice: PlacementInvoice }
  | { status: 'refused'; code: 'invalid-pubkey' | 'amount-too-low' | 'amount-too-high' | 'placement-busy'; message: string }
  | { status: 'lnd-error'; message: string };

/**
 * The memo of a placement invoice: it names the oracle key and no other (PROTOCOL 7.2), so the paid
 * invoice ranks exactly that oracle.
 */
export function placementMemo(pubkey: string): string {
  return `Mega ad placement for oracle ${pubkey}`;
}

interface Sold {
  pubkey: string;
  amountMsat: number;
  expiresAt: number;
}

/** Sells placement through this node's LND. Bounded: invoices in flight and invoices remembered. */
export class PlacementSeller {
  private readonly opts: PlacementOptions;
  private readonly deps: PlacementDeps;
  private readonly sold: LruMap<string, Sold>;
  private pending = 0;

  constructor(opts: PlacementOptions, deps: PlacementDeps) {
    this.opts = opts;
    this.deps = deps;
    // A sold invoice is polled until it is paid or expired, and a while after (the oracle may be slow to look).
    this.sold = new LruMap(PLACEMENT_MAX_INVOICES, opts.invoiceExpirySeconds * 1000 + 3_600_000, deps.now);
  }

  /** What GET /id advertises. */
  offer(): PlacementOffer {
    return { forSale: true, minAmountMsat: this.opts.minMsat, maxAmountMsat: PLACEMENT_MAX_MSAT, invoicePath: '/placement/invoice', invoiceExpirySeconds: this.opts.invoiceExpirySeconds, bidLifetimeMs: this.opts.bidLifetimeMs };
  }

  /** Issue an invoice of `amountMsat` for oracle `pubkey`. Never rejects. */
  async sell(pubkey: string, amountMsat: number): Promise<SaleResult> {
    if (!isPublicKey(pubkey)) return { status: 'refused', code: 'invalid-pubkey', message: 'pubkey is not a compressed secp256k1 public key' };
    if (!Number.isSafeInteger(amountMsat) || amountMsat < this.opts.minMsat) return { status: 'refused', code: 'amount-too-low', message: `this node sells placement from ${this.opts.minMsat} msat` };
    if (amountMsat > PLACEMENT_MAX_MSAT) return { status: 'refused', code: 'amount-too-high', message: `a bid is at most ${PLACEMENT_MAX_MSAT} msat` };
    if (this.pending >= PLACEMENT_MAX_PENDING) return { status: 'refused', code: 'placement-busy', message: 'too many placement invoices are being issued right now; try again shortly' };
    this.pending++;
    const memo = placementMemo(pubkey);
    let r: AddInvoiceResult;
    try {
      r = await this.deps.addInvoice({ valueMsat: BigInt(amountMsat), expirySeconds: this.opts.invoiceExpirySeconds, memo }, AbortSignal.timeout(PLACEMENT_ADD_TIMEOUT_MS));
    } catch (err) {
      r = { status: 'error', message: err instanceof Error ? err.message : String(err) };
    } finally {
      this.pending--;
    }
    if (r.status === 'error') return { status: 'lnd-error', message: r.message };
    const expiresAt = this.deps.now() + this.opts.invoiceExpirySeconds * 1000;
    this.sold.set(r.paymentHash, { pubkey, amountMsat, expiresAt });
    return {
      status: 'created',
      invoice: { pubkey, amountMsat, paymentHash: r.paymentHash, paymentRequest: r.paymentRequest, memo, expiresAt: new Date(expiresAt).toISOString(), bid: { amount: amountMsat, proof: r.paymentHash, paymentType: 'lightning' } },
    };
  }

  /**
   * The state of an invoice this node sold (null for any other payment hash: the operator's other
   * invoices are not shown). Answers about an open invoice are at most a second old; LND is asked at
   * most once per invoice at a time, whoever polls.
   */
  async status(paymentHash: string): Promise<PlacementInvoiceStatus | null> {
    const s = this.sold.get(paymentHash);
    if (!s) return null;
    const r = await this.deps.lookups.lookup(paymentHash, undefined, PLACEMENT_POLL_MAX_AGE_MS);
    const base = { paymentHash, pubkey: s.pubkey, amountMsat: s.amountMsat, expiresAt: new Date(s.expiresAt).toISOString() };
    if (r.status === 'found') return { ...base, state: r.invoice.state ?? 'UNKNOWN', amountPaidMsat: r.invoice.amt_paid_msat ?? '0' };
    return { ...base, state: 'UNKNOWN', amountPaidMsat: '0', error: r.status === 'not-found' ? 'LND no longer knows this invoice' : r.message };
  }
}
