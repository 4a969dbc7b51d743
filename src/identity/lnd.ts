/** identity/lnd.ts - minimal LND REST client for invoice lookups (GET /v1/invoice/{hash}) over TLS pinned to LND's own certificate. Imports node:https only. */
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
}

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
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: InvoiceLookup): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = https.request(
        {
          host: this.host,
          port: this.port,
          method: 'GET',
          path: `/v1/invoice/${paymentHashHex}`,
          agent: this.agent,
          headers: { 'Grpc-Metadata-macaroon': this.macaroonHex, accept: 'application/json' },
          signal,
        },
        (res) => {
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
          res.on('end', () => finish(interpret(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish({ status: 'error', message: `LND did not answer within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      req.on('error', (err) => finish({ status: 'error', message: err.message }));
      req.end();
    });
  }

  /** Close idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}

/** LND's REST gateway: 200 with the invoice; errors as `{code, message, details}` (gRPC code 5 = NOT_FOUND). */
function interpret(status: number, text: string): InvoiceLookup {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 'error', message: `LND answered ${status} with a body that is not JSON` };
  }
  const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (status === 200) return { status: 'found', invoice: o as LndInvoice };
  if (status === 404 || o.code === 5) return { status: 'not-found' };
  const message = typeof o.message === 'string' ? o.message.slice(0, 200) : '';
  return { status: 'error', message: `LND answered ${status}${message ? `: ${message}` : ''}` };
}
