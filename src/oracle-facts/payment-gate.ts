/** oracle-facts/payment-gate.ts - Lightning payment for fact requests: issues a BOLT11 invoice through LND whose description hash commits to the canonical request (PROTOCOL 8.3), and checks with LND that a presented payment is settled, large enough and for this very request, so one payment buys exactly one request. Imports protocol, lightning, util. */
import bolt11 from 'bolt11';
import { requestCommitment } from '../protocol/payment.ts';
import type { FactRequest } from '../protocol/types.ts';
import type { LndClient, LndInvoice } from '../lightning/lnd.ts';
import { LruMap } from '../util/lru.ts';

/** The payment slice of the fact server's options. */
export interface PaymentOptions {
  lnd: Pick<LndClient, 'addInvoice' | 'lookupInvoice'>;
  /** Lifetime of an issued invoice (LND's `expiry`). */
  invoiceExpirySeconds: number;
  /** How long after settlement a paid request may be fetched again (default: invoiceExpirySeconds). */
  refetchSeconds?: number;
  /** Paid hashes remembered (saves an LND lookup on a re-fetch); count bound, entries are fixed-size. */
  maxRememberedPayments?: number;
}

/** What a client presents as payment: the hash, the invoice, or both (they must agree). */
export interface PresentedPayment {
  paymentHash?: string;
  invoice?: string;
}

/** An invoice to pay, as the 402 body carries it. */
export interface InvoiceOffer {
  invoice: string;
  paymentHash: string;
  amountMsat: string;
  /** Unix seconds after which LND no longer accepts payment (PROTOCOL 10.7 `PaymentDemand`). */
  expiresAt: number;
}

/** Outcome of a payment step (a value, never an exception). */
export type GateResult =
  | { status: 'paid' }
  | { status: 'pay'; code: 'payment-required' | 'payment-pending' | 'payment-insufficient'; message: string; offer: InvoiceOffer }
  | { status: 'refused'; http: 400; code: 'invalid-invoice' | 'payment-unknown' | 'payment-request-mismatch' | 'payment-canceled'; message: string }
  | { status: 'unavailable'; message: string };

/** Remembered paid hashes by default. */
export const DEFAULT_REMEMBERED_PAYMENTS = 10_000;
/** Bytes one remembered payment takes (hash key, commitment, deadline): the byte bound is count × this. */
const PAYMENT_ENTRY_BYTES = 256;

/** The fields of LND's Invoice message this gate reads (int64 as strings, bytes as base64). */
type LndInvoiceFull = LndInvoice & { description_hash?: string; payment_request?: string; creation_date?: string; expiry?: string; settle_date?: string };

/** Hex payment hash of a BOLT11 invoice, or null when it does not decode. */
function invoicePaymentHash(invoice: string): string | null {
  try {
    const h = bolt11.decode(invoice).tagsObject.payment_hash;
    return typeof h === 'string' && /^[0-9a-f]{64}$/.test(h) ? h : null;
  } catch {
    return null;
  }
}

/** Issues and checks payments for fact requests against one LND node. */
export class PaymentGate {
  private readonly opts: PaymentOptions;
  private readonly now: () => number;
  /** paymentHash → {commitment, refetch deadline (ms)}: a payment served before. */
  private readonly paid: LruMap<string, { commitment: string; until: number }>;

  constructor(opts: PaymentOptions, now: () => number = Date.now) {
    if (!(Number.isInteger(opts.invoiceExpirySeconds) && opts.invoiceExpirySeconds > 0)) throw new RangeError('invoiceExpirySeconds must be a positive integer');
    this.opts = opts;
    this.now = now;
    const max = opts.maxRememberedPayments ?? DEFAULT_REMEMBERED_PAYMENTS;
    this.paid = new LruMap(max, Infinity, now, { maxBytes: max * PAYMENT_ENTRY_BYTES, sizeOf: () => PAYMENT_ENTRY_BYTES });
  }

  private get refetchMs(): number {
    return (this.opts.refetchSeconds ?? this.opts.invoiceExpirySeconds) * 1000;
  }

  /** A new invoice for `request` at `priceMsat`, committed to the request (description hash). */
  async offer(request: FactRequest, priceMsat: bigint, code: 'payment-required' = 'payment-required', message = 'pay the invoice, then send the same request again with its paymentHash'): Promise<GateResult> {
    const r = await this.opts.lnd.addInvoice({ valueMsat: priceMsat, expirySeconds: this.opts.invoiceExpirySeconds, descriptionHashHex: requestCommitment(request) });
    if (r.status === 'error') return { status: 'unavailable', message: `cannot issue an invoice: ${r.message}` };
    const expiresAt = Math.floor(this.now() / 1000) + this.opts.invoiceExpirySeconds;
    return { status: 'pay', code, message, offer: { invoice: r.paymentRequest, paymentHash: r.paymentHash, amountMsat: priceMsat.toString(), expiresAt } };
  }

  /**
   * Check a presented payment for `request`: settled, at least `priceMsat` paid, and issued for this
   * request (its description hash is the request's commitment, so it cannot buy another one).
   */
  async check(request: FactRequest, priceMsat: bigint, presented: PresentedPayment): Promise<GateResult> {
    let hash = presented.paymentHash;
    if (presented.invoice !== undefined) {
      const fromInvoice = invoicePaymentHash(presented.invoice);
      if (fromInvoice === null) return { status: 'refused', http: 400, code: 'invalid-invoice', message: 'invoice is not a valid BOLT11 invoice' };
      if (hash !== undefined && hash !== fromInvoice) return { status: 'refused', http: 400, code: 'invalid-invoice', message: "paymentHash is not the invoice's payment hash" };
      hash = fromInvoice;
    }
    if (hash === undefined) return this.offer(request, priceMsat);
    const commitment = requestCommitment(request);
    const known = this.paid.get(hash);
    if (known) {
      if (known.commitment !== commitment) return mismatch();
      if (known.until > this.now()) return { status: 'paid' };
    }
    const found = await this.opts.lnd.lookupInvoice(hash);
    if (found.status === 'error') return { status: 'unavailable', message: `cannot check the payment: ${found.message}` };
    if (found.status === 'not-found') return { status: 'refused', http: 400, code: 'payment-unknown', message: 'this oracle issued no invoice with this payment hash' };
    const inv = found.invoice as LndInvoiceFull;
    const dh = typeof inv.description_hash === 'string' ? Buffer.from(inv.description_hash, 'base64').toString('hex') : '';
    if (dh !== commitment) return mismatch();
    const offer: InvoiceOffer = {
      invoice: inv.payment_request ?? '',
      paymentHash: hash,
      amountMsat: inv.value_msat ?? '0',
      expiresAt: Number(inv.creation_date ?? 0) + Number(inv.expiry ?? 0) || 0,
    };
    switch (inv.state) {
      case 'SETTLED':
        break;
      case 'CANCELED':
        return { status: 'refused', http: 400, code: 'payment-canceled', message: 'the invoice expired or was canceled unpaid; send the request without a payment for a new one' };
      default:
        return { status: 'pay', code: 'payment-pending', message: 'the invoice is not paid yet', offer };
    }
    let paidMsat: bigint;
    try {
      paidMsat = BigInt(inv.amt_paid_msat ?? '0');
    } catch {
      return { status: 'unavailable', message: 'LND answered an amount that is not an integer' };
    }
    if (paidMsat < priceMsat) {
      return this.offer(request, priceMsat, 'payment-required', `the invoice was paid ${paidMsat} msat, less than the price ${priceMsat} msat; pay this new invoice`).then((r) =>
        r.status === 'pay' ? { ...r, code: 'payment-insufficient' as const } : r,
      );
    }
    // LND's settle time starts the re-fetch window; a clock reading it cannot parse falls back to now.
    const settled = Number(inv.settle_date ?? '0') * 1000 || this.now();
    const until = settled + this.refetchMs;
    if (until <= this.now()) {
      return this.offer(request, priceMsat, 'payment-required', 'this payment was used and its re-fetch window has passed; pay this new invoice');
    }
    this.paid.set(hash, { commitment, until });
    return { status: 'paid' };
  }

  /** Payments remembered now. */
  get remembered(): number {
    return this.paid.size;
  }
}

function mismatch(): GateResult {
  return { status: 'refused', http: 400, code: 'payment-request-mismatch', message: 'this payment was made for another request: one payment buys exactly one request' };
}
