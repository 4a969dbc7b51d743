/** lightning/lnd.ts - minimal LND REST client (invoice lookup GET /v1/invoice/{hash}, invoice creation POST /v1/invoices) over TLS pinned to LND's own certificate; shared by the node (bids, placement) and the oracle daemon (paid facts). Imports node:https only. */
import https from 'node:https';

/** Where and how to reach LND (the config slice, files already read). */
export interface LndClientOptions {
  /** "host:port" of LND's REST listener ("[::1]:8080" for IPv6). */
  restHost: string;
  /** Macaroon bytes, sent hex-encoded in `Grpc-Metadata-macaroon`. */
  macaroon: Buffer;
  /** LND's TLS certificate (PEM): the only trusted CA for this connection; verification is never disabled. */
  tlsCert: Buffer | string;
  /** Whole-request deadline. */
  timeoutMs: number;
}

/** The invoice fields bid verification reads, as LND sends them (int64 fields are JSON strings). */
export interface LndInvoice {
  memo?: string;
  r_hash?: string;
  value?: string;
  value_msat?: string;
  amt_paid_msat?: string;
  state?: string;
  /** Unix seconds when the invoice was settled ("0" while it is not). */
  settle_date?: string;
  /** The BOLT11 invoice (signed by this LND node). */
  payment_request?: string;
}

/** What AddInvoice is asked for. */
export interface AddInvoiceInit {
  valueMsat: bigint;
  /** Invoice expiry in seconds (LND's `expiry`). */
  expirySeconds: number;
  /** Text memo (BOLT11 tag `d`). */
  memo?: string;
  /** SHA-256 the invoice commits to instead of a memo (BOLT11 tag `h`), hex. */
  descriptionHashHex?: string;
}

/** Outcome of AddInvoice: a value, never an exception. */
export type AddInvoiceResult = { status: 'created'; paymentHash: string; paymentRequest: string } | { status: 'error'; message: string };

/** Outcome of one lookup: a value, never an exception. */
export type InvoiceLookup =
  | { status: 'found'; invoice: LndInvoice }
  | { status: 'not-found' }
  | { status: 'error'; message: string };

/** Largest LND answer read; an invoice is a few KiB at most. */
export const MAX_LND_RESPONSE_BYTES = 256 * 1024;

/** Split "host:port" / "[v6]:port". */
export function parseRestHost(hostPort: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(hostPort);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new RangeError(`lnRestHost must be "host:port", got ${JSON.stringify(hostPort)}`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Looks invoices up on one LND node. */
export class LndClient {
  private readonly host: string;
  private readonly port: number;
  private readonly macaroonHex: string;
  private readonly timeoutMs: number;
  private readonly agent: https.Agent;

  constructor(opts: LndClientOptions) {
    const { host, port } = parseRestHost(opts.restHost);
    this.host = host;
    this.port = port;
    this.macaroonHex = opts.macaroon.toString('hex');
    this.timeoutMs = opts.timeoutMs;
    // Pinned: LND's self-signed certificate is the only CA, and the host name is checked against it.
    this.agent = new https.Agent({ ca: opts.tlsCert, keepAlive: true, maxSockets: 4 });
  }

  /** GET /v1/invoice/{paymentHashHex}. Never rejects. */
  lookupInvoice(paymentHashHex: string, signal?: AbortSignal): Promise<InvoiceLookup> {
    if (!/^[0-9a-f]{64}$/.test(paymentHashHex)) return Promise.resolve({ status: 'error', message: 'payment hash must be 64 lowercase hex characters' });
    return this.request('GET', `/v1/invoice/${paymentHashHex}`, null, signal).then((r) => {
      if (r.status === 'error') return r;
      if (r.http === 200) return { status: 'found', invoice: r.body as LndInvoice };
      if (r.http === 404 || r.body.code === 5) return { status: 'not-found' };
      return { status: 'error', message: lndError(r.http, r.body) };
    });
  }

  /**
   * POST /v1/invoices (LND's AddInvoice). Exactly one of `memo` / `descriptionHashHex` is usually given: a
   * description hash makes the BOLT11 invoice commit to it (tag `h`) instead of carrying the memo text
   * (tag `d`). Never rejects.
   */
  addInvoice(init: AddInvoiceInit, signal?: AbortSignal): Promise<AddInvoiceResult> {
    if (typeof init.valueMsat !== 'bigint' || init.valueMsat <= 0n) return Promise.resolve({ status: 'error', message: 'valueMsat must be a positive bigint' });
    if (init.descriptionHashHex !== undefined && !/^[0-9a-f]{64}$/.test(init.descriptionHashHex)) return Promise.resolve({ status: 'error', message: 'descriptionHashHex must be 64 lowercase hex characters' });
    const body: Record<string, unknown> = { value_msat: String(init.valueMsat), expiry: String(init.expirySeconds) };
    if (init.memo !== undefined) body.memo = init.memo;
    if (init.descriptionHashHex !== undefined) body.description_hash = Buffer.from(init.descriptionHashHex, 'hex').toString('base64');
    return this.request('POST', '/v1/invoices', body, signal).then((r) => {
      if (r.status === 'error') return r;
      if (r.http !== 200) return { status: 'error', message: lndError(r.http, r.body) };
      const rHash = typeof r.body.r_hash === 'string' ? Buffer.from(r.body.r_hash, 'base64') : Buffer.alloc(0);
      const pr = r.body.payment_request;
      if (rHash.length !== 32 || typeof pr !== 'string' || pr.length === 0) return { status: 'error', message: 'LND answered AddInvoice without r_hash or payment_request' };
      return { status: 'created', paymentHash: rHash.toString('hex'), paymentRequest: pr };
    });
  }

  /** One JSON request; the answer as HTTP status and parsed object, or an error value. Never rejects. */
  private request(method: 'GET' | 'POST', path: string, json: unknown, signal?: AbortSignal): Promise<{ status: 'ok'; http: number; body: Record<string, unknown> } | { status: 'error'; message: string }> {
    type R = { status: 'ok'; http: number; body: Record<string, unknown> } | { status: 'error'; message: string };
    const payload = json === null ? null : Buffer.from(JSON.stringify(json), 'utf8');
    return new Promise<R>((resolve) => {
      let done = false;
      const finish = (r: R): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(r);
      };
      const headers: Record<string, string | number> = { 'Grpc-Metadata-macaroon': this.macaroonHex, accept: 'application/json' };
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }
      const req = https.request({ host: this.host, port: this.port, method, path, agent: this.agent, headers, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_LND_RESPONSE_BYTES) {
            req.destroy();
            finish({ status: 'error', message: 'LND answer too large' });
          } else chunks.push(c);
        });
        res.on('error', (err) => finish({ status: 'error', message: err.message }));
        res.on('end', () => {
          const http = res.statusCode ?? 0;
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            finish({ status: 'error', message: `LND answered ${http} with a body that is not JSON` });
            return;
          }
          finish({ status: 'ok', http, body: (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown> });
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ status: 'error', message: `LND did not answer within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      req.on('error', (err) => finish({ status: 'error', message: err.message }));
      req.end(payload ?? undefined);
    });
  }

  /** Close idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}

/** LND's REST gateway reports errors as `{code, message, details}` (gRPC codes; 5 = NOT_FOUND). */
function lndError(http: number, body: Record<string, unknown>): string {
  const message = typeof body.message === 'string' ? body.message.slice(0, 200) : '';
  return `LND answered ${http}${message ? `: ${message}` : ''}`;
}
