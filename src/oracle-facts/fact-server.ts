/** oracle-facts/fact-server.ts - the oracle's fact endpoint (a capability's `endpoint` is its base URL; PROTOCOL 10.7 and 10.8): POST /facts {request, paymentHash?, invoice?} answered with a fact signed by the capability key, behind body, rate and concurrency limits and, when LND is configured, a Lightning payment per request. Imports protocol, oracle (Signer), lightning, util and express; never a node's modules. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../log.ts';
import { checkWellFormed, formatSchemaErrors, SchemaRegistry } from '../protocol/schema.ts';
import type { FactRequest } from '../protocol/types.ts';
import { ClientRateLimiter, clientKey, ConcurrencyGate } from './client-limits.ts';
import { FactDesk, type CapabilityEntry, type DeskRefusal } from './fact-desk.ts';
import { PaymentGate, type PaymentOptions, type PresentedPayment } from './payment-gate.ts';
import { mountGateway, type GatewayKey } from './ohttp-gateway.ts';

/** Limits of the endpoint. */
export interface FactServerLimits {
  /** Largest request body in bytes (413 `body-too-large` beyond). */
  maxBodyBytes: number;
  /** Requests per minute from one client address (429 `rate-limited` beyond); 0 = unlimited. */
  ratePerMinutePerClient: number;
  /** Requests in progress at once (503 `busy` beyond). */
  maxConcurrent: number;
  /** Deadline of one data source call (503 `source-timeout` beyond). */
  resolveTimeoutMs: number;
}

/** Options of {@link startFactServer}. */
export interface FactServerOptions {
  host: string;
  /** 0: the system picks a free port. */
  port: number;
  /** Capabilities answered here, by `capabilityPubKey` (hex); give these or `desk`. */
  capabilities?: ReadonlyMap<string, CapabilityEntry>;
  limits: FactServerLimits;
  /** Lightning payment; without it every fact is free. */
  payment?: PaymentOptions;
  log: Logger;
  /** A desk shared with the report answerer (same remembered answers); when given, `capabilities` must be absent. */
  desk?: FactDesk;
  /** Oblivious HTTP gateway (POST /ohttp, PROTOCOL 10.9): the X25519 private key whose key configuration the capabilities publish. */
  ohttp?: GatewayKey;
}

/** A running fact server. */
export interface FactServer {
  /** `http://host:port`: the base URL a capability advertises as `endpoint` (facts are asked at `<endpoint>/facts`). */
  url: string;
  close(): Promise<void>;
}

/** Seconds a client should wait before asking again after a 503. */
export const RETRY_AFTER_SECONDS = 5;
const BODY_MEMBERS = new Set(['request', 'paymentHash', 'invoice']);
const HASH = /^[0-9a-f]{64}$/;
const INVOICE = /^ln[a-z0-9]+$/;

/** HTTP status of each desk refusal. */
const REFUSAL_STATUS: Record<DeskRefusal['code'], number> = {
  'unknown-capability': 400,
  'arguments-mismatch': 400,
  'no-answer': 422,
  'source-failed': 503,
  'source-timeout': 503,
};

/** A fact-endpoint answer before it is sent (plainly, or sealed for an oblivious client). */
export interface Answer {
  status: number;
  json: unknown;
}

function fault(status: number, code: string, message: string): Answer {
  return { status, json: { code, message } };
}

function reply(res: Response, a: Answer): void {
  if (a.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(a.status).json(a.json);
}

function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  // The fact endpoint's error body is flat `{code, message}` (PROTOCOL 10.7: what a node's proxy reads).
  res.status(status).json({ code, message, ...extra });
}

type Parsed = { ok: true; request: FactRequest; payment: PresentedPayment } | { ok: false; message: string };

/** Check the body shape: `{request, paymentHash?, invoice?}`, closed, the request per the spec's FactRequest schema. */
function parseBody(body: unknown, validateRequest: ReturnType<SchemaRegistry['component']>): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'body must be a JSON object {request, paymentHash?, invoice?}' };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!BODY_MEMBERS.has(k)) return { ok: false, message: `body has an unknown member ${JSON.stringify(k.slice(0, 64))}` };
  if (!validateRequest(b.request)) return { ok: false, message: formatSchemaErrors(validateRequest.errors, 'body.request') };
  const wf = checkWellFormed(b.request, 'body.request');
  if (!wf.ok) return { ok: false, message: wf.message };
  const payment: PresentedPayment = {};
  if (b.paymentHash !== undefined) {
    if (typeof b.paymentHash !== 'string' || !HASH.test(b.paymentHash)) return { ok: false, message: 'body.paymentHash must be 64 lowercase hex characters' };
    payment.paymentHash = b.paymentHash;
  }
  if (b.invoice !== undefined) {
    if (typeof b.invoice !== 'string' || b.invoice.length > 2048 || !INVOICE.test(b.invoice)) return { ok: false, message: 'body.invoice must be a lowercase BOLT11 invoice of at most 2048 characters' };
    payment.invoice = b.invoice;
  }
  return { ok: true, request: b.request as FactRequest, payment };
}

/** The Express app of the endpoint (exported for tests that drive it without a socket). */
export function createFactApp(opts: FactServerOptions): express.Express {
  const log = opts.log.child({ mod: 'fact-server' });
  if ((opts.desk === undefined) === (opts.capabilities === undefined)) throw new Error('give the fact server either capabilities or a desk');
  const desk = opts.desk ?? new FactDesk({ capabilities: opts.capabilities as ReadonlyMap<string, CapabilityEntry>, resolveTimeoutMs: opts.limits.resolveTimeoutMs });
  const gate = opts.payment ? new PaymentGate(opts.payment) : null;
  const rate = new ClientRateLimiter(opts.limits.ratePerMinutePerClient);
  const slots = new ConcurrencyGate(opts.limits.maxConcurrent);
  const validateRequest = SchemaRegistry.load().component('FactRequest');

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Rate first: the cheapest check, before the body is even read.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const wait = rate.take(clientKey(req.socket.remoteAddress));
    if (wait === 0) return next();
    res.setHeader('Retry-After', String(wait));
    sendError(res, 429, 'rate-limited', `more than ${opts.limits.ratePerMinutePerClient} requests a minute from this address`);
  });

  /** One fact request, whatever door it came through (plain POST /facts, or decapsulated from POST /ohttp). */
  const serve = async (body: unknown): Promise<Answer> => {
    const parsed = parseBody(body, validateRequest);
    if (!parsed.ok) return fault(400, 'schema-violation', parsed.message);
    const { request, payment } = parsed;
    const refused = desk.check(request);
    if (refused) return fault(REFUSAL_STATUS[refused.code], refused.code, refused.message);
    if (!slots.enter()) return fault(503, 'busy', `${opts.limits.maxConcurrent} requests are in progress; ask again shortly`);
    try {
      const price = (desk.capability(request.capabilityPubKey) as CapabilityEntry).priceMsat ?? 0n;
      if (gate && price > 0n) {
        const g = await gate.check(request, price, payment);
        if (g.status === 'unavailable') {
          log.warn({ cap: request.capabilityPubKey, err: g.message }, 'payment check unavailable');
          return fault(503, 'payment-unavailable', g.message);
        }
        if (g.status === 'refused') return fault(g.http, g.code, g.message);
        if (g.status === 'pay') return { status: 402, json: { code: g.code, message: g.message, ...g.offer } };
      }
      const r = await desk.answer(request);
      if (r.status === 'refused') {
        if (REFUSAL_STATUS[r.refusal.code] === 503) log.warn({ cap: request.capabilityPubKey, code: r.refusal.code }, 'data source failed');
        return fault(REFUSAL_STATUS[r.refusal.code], r.refusal.code, r.refusal.message);
      }
      log.debug({ cap: request.capabilityPubKey }, 'fact served');
      return { status: 200, json: { fact: r.fact } };
    } finally {
      slots.release();
    }
  };

  app.post('/facts', express.json({ limit: opts.limits.maxBodyBytes, inflate: false, strict: true, type: 'application/json' }), async (req: Request, res: Response) => {
    if (req.body === undefined) return sendError(res, 415, 'unsupported-media-type', 'the body must be application/json');
    reply(res, await serve(req.body));
  });

  if (opts.ohttp) mountGateway(app, opts.ohttp, opts.limits.maxBodyBytes, serve, log);

  app.all('/facts', (_req: Request, res: Response) => {
    res.setHeader('Allow', 'POST');
    sendError(res, 405, 'method-not-allowed', 'only POST /facts');
  });
  app.use((_req: Request, res: Response) => sendError(res, 404, 'not-found', 'the routes are POST /facts and POST /ohttp'));

  // body-parser failures carry `type`; anything else is a bug (500, logged).
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string } | null)?.type;
    if (res.headersSent) return;
    if (type === 'entity.too.large') return sendError(res, 413, 'body-too-large', `the body is larger than ${opts.limits.maxBodyBytes} bytes`);
    if (type === 'entity.parse.failed') return sendError(res, 400, 'invalid-json', 'the body is not JSON');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendError(res, 415, 'unsupported-media-type', 'the body must be uncompressed UTF-8 JSON');
    if (type === 'request.aborted') return sendError(res, 400, 'request-aborted', 'the client aborted the body');
    if (type === 'request.size.invalid') return sendError(res, 400, 'invalid-content-length', 'Content-Length does not match the body');
    log.error({ err }, 'fact server bug');
    sendError(res, 500, 'internal-error', 'internal error');
  });
  return app;
}

/** Start the fact endpoint; resolves once it listens. */
export async function startFactServer(opts: FactServerOptions): Promise<FactServer> {
  const app = createFactApp(opts);
  const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, app);
  server.maxHeadersCount = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  opts.log.child({ mod: 'fact-server' }).info({ url: `http://${host}:${port}/facts` }, 'fact endpoint listening');
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
