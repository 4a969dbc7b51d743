/** oracle-daemon/admin.ts - the daemon's admin API on loopback: a bearer token from dataDir/.cookie (fresh at each start, mode 0600, like bitcoind's), GET /status, POST /outcome, POST /pause, POST /resume; bounded bodies and `{error: {code, message}}` answers. Imports oracle and oracle-daemon. */
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { writePrivateFile, removeDurably } from '../oracle/durable.ts';
import type { SourceValue } from '../oracle/sources.ts';
import type { ManualResult } from './events.ts';

/** Largest admin request body. */
export const MAX_ADMIN_BODY_BYTES = 16 * 1024;
/** The cookie file (bearer token) and the file naming the admin URL, in the data dir. */
export const COOKIE_FILE = '.cookie';
export const ADMIN_FILE = 'admin.json';

/** What the admin API acts on. */
export interface AdminDeps {
  status: () => object;
  postOutcome: (capability: string, selector: { maturityEpoch?: number; eventId?: string; announcementId?: string }, value: SourceValue) => ManualResult;
  setPaused: (paused: boolean) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      req.resume();
      return reject(new HttpError(415, 'unsupported-media-type', 'send application/json'));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_ADMIN_BODY_BYTES) chunks.push(c); // past the limit the rest is read and dropped (requestTimeout bounds it), then 413
    });
    req.on('end', () => {
      if (size > MAX_ADMIN_BODY_BYTES) return reject(new HttpError(413, 'too-large', `the body is larger than ${MAX_ADMIN_BODY_BYTES} bytes`));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'bad-json', 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function outcomeRequest(body: unknown): { capability: string; selector: { maturityEpoch?: number; eventId?: string; announcementId?: string }; value: SourceValue } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad-request', 'the body must be an object');
  const b = body as Record<string, unknown>;
  const allowed = ['capability', 'maturity', 'eventId', 'announcementId', 'value'];
  const extra = Object.keys(b).find((k) => !allowed.includes(k));
  if (extra) throw new HttpError(400, 'bad-request', `unknown field ${extra.slice(0, 64)}`);
  if (typeof b.capability !== 'string' || b.capability.length > 64) throw new HttpError(400, 'bad-request', 'capability: the capability name');
  const v = b.value;
  if (!(typeof v === 'string' && v.length <= 256) && !(typeof v === 'number' && Number.isFinite(v)) && typeof v !== 'boolean') throw new HttpError(400, 'bad-request', 'value: a string (≤ 256 characters), number or boolean');
  const selector: { maturityEpoch?: number; eventId?: string; announcementId?: string } = {};
  if (b.maturity !== undefined) {
    const m = typeof b.maturity === 'number' ? b.maturity : typeof b.maturity === 'string' ? Math.floor(Date.parse(b.maturity) / 1000) : NaN;
    if (!Number.isInteger(m) || m < 0) throw new HttpError(400, 'bad-request', 'maturity: epoch seconds or an ISO 8601 time');
    selector.maturityEpoch = m;
  }
  if (b.eventId !== undefined) {
    if (typeof b.eventId !== 'string' || b.eventId.length > 256) throw new HttpError(400, 'bad-request', 'eventId: a string');
    selector.eventId = b.eventId;
  }
  if (b.announcementId !== undefined) {
    if (typeof b.announcementId !== 'string' || !/^[0-9a-f]{64}$/.test(b.announcementId)) throw new HttpError(400, 'bad-request', 'announcementId: 64 hex');
    selector.announcementId = b.announcementId;
  }
  if (Object.keys(selector).length === 0) throw new HttpError(400, 'bad-request', 'name the event: maturity, eventId or announcementId');
  return { capability: b.capability, selector, value: v as SourceValue };
}

/** The admin API server. start() binds and writes the cookie and admin.json; stop() closes and removes them. */
export class AdminServer {
  private server: http.Server | null = null;
  private token = '';
  url = '';

  constructor(
    private readonly dataDir: string,
    private readonly host: string,
    private readonly port: number,
    private readonly deps: AdminDeps,
  ) {}

  async start(): Promise<string> {
    this.token = crypto.randomBytes(32).toString('hex');
    writePrivateFile(path.join(this.dataDir, COOKIE_FILE), `${this.token}\n`);
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.requestTimeout = 10_000;
    server.headersTimeout = 10_000;
    server.maxConnections = 32;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = `http://${host}:${addr.port}`;
    writePrivateFile(path.join(this.dataDir, ADMIN_FILE), `${JSON.stringify({ url: this.url, pid: process.pid })}\n`);
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    removeDurably(path.join(this.dataDir, ADMIN_FILE));
    removeDurably(path.join(this.dataDir, COOKIE_FILE));
  }

  private authorized(req: http.IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer ([0-9a-f]{64})$/.exec(h);
    return m !== null && crypto.timingSafeEqual(Buffer.from(m[1] as string), Buffer.from(this.token));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if (!this.authorized(req)) throw new HttpError(401, 'unauthorized', `send Authorization: Bearer <the token in ${COOKIE_FILE} of the data dir>`);
      const route = (req.url ?? '').split('?')[0];
      const routes: Record<string, string> = { '/status': 'GET', '/outcome': 'POST', '/pause': 'POST', '/resume': 'POST' };
      const method = route !== undefined ? routes[route] : undefined;
      if (!method) throw new HttpError(404, 'not-found', 'routes: GET /status, POST /outcome, POST /pause, POST /resume');
      if (req.method !== method) {
        res.setHeader('allow', method);
        throw new HttpError(405, 'method-not-allowed', `${route} accepts ${method}`);
      }
      if (route === '/status') return send(res, 200, this.deps.status());
      if (route === '/pause' || route === '/resume') {
        this.deps.setPaused(route === '/pause');
        return send(res, 200, { paused: route === '/pause' });
      }
      const { capability, selector, value } = outcomeRequest(await readBody(req));
      const r = this.deps.postOutcome(capability, selector, value);
      switch (r.status) {
        case 'stored':
          return send(res, 200, r);
        case 'attested':
          throw new HttpError(409, 'already-attested', `${r.event} is attested with [${r.outcomes.join(', ')}]; it can never be attested otherwise`);
        case 'unknown-event':
          throw new HttpError(404, 'unknown-event', 'no announced event of that capability matches');
        case 'not-manual':
          throw new HttpError(422, 'not-manual', 'that capability reads its outcome from its source, not from the admin API');
        case 'invalid':
          throw new HttpError(422, r.code, r.message);
      }
    } catch (e) {
      if (e instanceof HttpError) return send(res, e.status, { error: { code: e.code, message: e.message } });
      send(res, 500, { error: { code: 'internal', message: (e as Error).message.slice(0, 300) } });
    }
  }
}
