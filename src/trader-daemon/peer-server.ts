/** trader-daemon/peer-server.ts - the counterparty endpoint (node:http): POST /dlc/v0 with one JSON envelope, answered by the engine's receive(); body, rate and concurrency limits; EngineError codes become 4xx `{error: {code, message}}`, never a 500 for bad input. Imports daemon (admin-server helpers). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, readJsonBody, sendJson } from '../daemon/admin-server.ts';
import { DLC_PATH } from './peer-client.ts';

/** Most client addresses remembered by the rate limiter (the oldest window is dropped past it). */
const MAX_RATE_CLIENTS = 10_000;

export interface PeerServerOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  ratePerMinutePerClient: number;
  maxConcurrent: number;
  requestTimeoutMs: number;
}

export interface PeerServerDeps {
  receive(envelope: unknown): Promise<unknown>;
  /** Map an error receive() threw to a 4xx; null = a bug (500 `internal`, logged). */
  mapError(e: unknown): HttpError | null;
  onInternalError(e: unknown): void;
  /** Identity shown by GET /dlc/v0 (so a taker's operator can check a contact by hand). */
  info(): object;
}

/** One fixed one-minute window per client address. */
class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly perMinute: number) {}

  allow(client: string, now = Date.now()): boolean {
    const w = this.windows.get(client);
    if (!w || now - w.start >= 60_000) {
      this.windows.delete(client);
      if (this.windows.size >= MAX_RATE_CLIENTS) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      this.windows.set(client, { start: now, count: 1 });
      return true;
    }
    w.count += 1;
    return w.count <= this.perMinute;
  }
}

/** The counterparty HTTP server. */
export class PeerServer {
  private server: http.Server | null = null;
  private active = 0;
  private readonly limiter: RateLimiter;
  /** The bound address, once started. */
  port = 0;

  constructor(
    private readonly opts: PeerServerOptions,
    private readonly deps: PeerServerDeps,
  ) {
    this.limiter = new RateLimiter(opts.ratePerMinutePerClient);
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.requestTimeout = this.opts.requestTimeoutMs;
    server.headersTimeout = Math.min(10_000, this.opts.requestTimeoutMs);
    server.maxConnections = this.opts.maxConcurrent * 4;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let counted = false;
    try {
      const route = (req.url ?? '').split('?')[0];
      if (route !== DLC_PATH) throw new HttpError(404, 'not-found', `the counterparty endpoint is POST ${DLC_PATH}`);
      if (req.method === 'GET') return sendJson(res, 200, this.deps.info());
      if (req.method !== 'POST') {
        res.setHeader('allow', 'GET, POST');
        throw new HttpError(405, 'method-not-allowed', `${DLC_PATH} accepts POST (an envelope) and GET (who answers)`);
      }
      if (!this.limiter.allow(req.socket.remoteAddress ?? '?')) {
        res.setHeader('retry-after', '60');
        throw new HttpError(429, 'rate-limited', `more than ${this.opts.ratePerMinutePerClient} envelopes a minute from this address`);
      }
      if (this.active >= this.opts.maxConcurrent) {
        res.setHeader('retry-after', '5');
        throw new HttpError(503, 'busy', 'too many exchanges at once; try again');
      }
      this.active += 1;
      counted = true;
      const body = await readJsonBody(req, this.opts.maxBodyBytes);
      if (body === undefined) throw new HttpError(400, 'bad-request', 'send one envelope as the JSON body');
      sendJson(res, 200, await this.deps.receive(body));
    } catch (e) {
      const mapped = e instanceof HttpError ? e : this.deps.mapError(e);
      if (mapped) {
        if (!res.headersSent) sendJson(res, mapped.status, { error: { code: mapped.code, message: mapped.message.slice(0, 500) } });
        return;
      }
      this.deps.onInternalError(e);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'the daemon failed to handle the envelope (logged)' } });
    } finally {
      if (counted) this.active -= 1;
    }
  }
}
