/** api/placement.ts - the REST handlers of placement sold in-band (POST /placement/invoice, GET /placement/invoice/{paymentHash}): map the seller's outcomes to HTTP, with a per-address limit on invoice creation. Imports identity types and api helpers. */
import type { Request, Response } from 'express';
import type { PlacementInvoiceStatus, SaleResult } from '../identity/placement.ts';
import type { ApiDeps } from './handlers.ts';
import { ApiError } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { sendJson } from './respond.ts';
import type { ValidatedInput } from './validate.ts';

type Handler = (req: Request, res: Response) => void | Promise<void>;

/** Invoices one client address may ask for at once… */
export const PLACEMENT_INVOICE_BURST = 5;
/** …and then this many per second (each one is written into the operator's LND; loopback is exempt like the node's own rate limit). */
export const PLACEMENT_INVOICES_PER_SECOND = 0.2;

/** What the handlers need of the seller (identity/placement.ts PlacementSeller). */
export interface PlacementApi {
  sell(pubkey: string, amountMsat: number): Promise<SaleResult>;
  status(paymentHash: string): Promise<PlacementInvoiceStatus | null>;
}

const input = (res: Response): ValidatedInput => res.locals.input as ValidatedInput;

const STATUS_OF_REFUSAL: Record<Extract<SaleResult, { status: 'refused' }>['code'], number> = {
  'invalid-pubkey': 422,
  'amount-too-low': 422,
  'amount-too-high': 422,
  'placement-busy': 503,
};

/** Handlers keyed by the spec's operationId (merged into the app's table in api/app.ts). */
export function createPlacementHandlers(deps: Pick<ApiDeps, 'placement' | 'now'> & { limitLoopback?: boolean }): Record<string, Handler> {
  const limiter = new RateLimiter({ perSecond: PLACEMENT_INVOICES_PER_SECOND, burst: PLACEMENT_INVOICE_BURST, limitLoopback: deps.limitLoopback ?? false }, deps.now);
  const seller = (): PlacementApi => {
    if (!deps.placement) throw new ApiError(404, 'placement-not-for-sale', 'this node does not sell placement (it has no LND configured); GET /id says when it does');
    return deps.placement;
  };
  return {
    postPlacementInvoice: async (req, res) => {
      const s = seller();
      const wait = limiter.take(req.socket.remoteAddress ?? '');
      if (wait > 0) {
        res.set('Retry-After', String(Math.max(1, Math.ceil(wait / 1000))));
        throw new ApiError(429, 'rate-limited', 'too many placement invoices asked from this address; retry after the Retry-After seconds');
      }
      const body = input(res).body as { pubkey: string; amountMsat: number };
      const r = await s.sell(body.pubkey, body.amountMsat);
      if (r.status === 'created') return sendJson(res, r.invoice, 201);
      if (r.status === 'refused') throw new ApiError(STATUS_OF_REFUSAL[r.code], r.code, r.message);
      throw new ApiError(502, 'lnd-unavailable', `this node's LND did not issue the invoice: ${r.message}`);
    },
    getPlacementInvoice: async (_req, res) => {
      const s = seller();
      const st = await s.status(input(res).path.paymentHash as string);
      if (!st) throw new ApiError(404, 'invoice-not-found', 'this node sold no placement invoice with this payment hash (or forgot it after its expiry)');
      sendJson(res, st);
    },
  };
}
