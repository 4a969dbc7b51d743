/** daemon/admin-server.ts - a daemon's admin API on loopback: a bearer token in <dataDir>/.cookie (fresh at each start, mode 0600, like bitcoind's), the URL in <dataDir>/admin.json, a route table, bounded JSON bodies and `{error: {code, message}}` answers. Imports node built-ins and daemon. */
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { removeDurably, writePrivateFile } from './private-file.ts';

/** The cookie file (bearer token) and the file naming the admin URL, in the data dir. */
export const COOKIE_FILE = '.cookie';
export const ADMIN_FILE = 'admin.json';

/** An answer other than 200: its status and machine-readable code. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One route: `path` segments starting with `:` are parameters (`/contracts/:id`). */
export interface AdminRoute {
  method: 'GET' | 'POST';
  path: string;
  /** `body` is the parsed JSON body of a POST (undefined for GET or an empty body). Resolves to the 200 answer. */
  handle(params: Record<string, string>, body: unknown): Promise<unknown> | unknown;
}

/** Map an error a handler threw to an HTTP answer; return null for "a bug" (answered 500 `internal`). */
export type ErrorMapper = (e: unknown) => HttpError | null;

export interface AdminServerOptions {
  dataDir: string;
  host: string;
  port: number;
  routes: readonly AdminRoute[];
  maxBodyBytes: number;
  mapError?: ErrorMapper;
  /** Called with errors that became a 500 (log them). */
  onInternalError?: (e: unknown, route: string) => void;
}

/** Send one JSON answer. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Read a JSON body of at most `max` bytes: 415 unless application/json, 413 past the limit, 400 when not JSON. An empty body is undefined. */
export function readJsonBody(req: http.IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      return reject(new HttpError(413, 'too-large', `the body is larger than ${max} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let typeChecked = false;
    req.on('data', (c: Buffer) => {
      if (!typeChecked) {
        typeChecked = true;
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
          req.resume();
          reject(new HttpError(415, 'unsupported-media-type', 'send application/json'));
        }
      }
      size += c.length;
      if (size <= max) chunks.push(c); // past the limit the rest is read and dropped (the request timeout bounds it), then 413
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      if (size > max) return reject(new HttpError(413, 'too-large', `the body is larger than ${max} bytes`));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'bad-json', 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

interface Compiled {
  route: AdminRoute;
  parts: string[];
}

function match(parts: string[], url: string): Record<string, string> | null {
  const segs = url.split('/').slice(1);
  if (segs.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const s = segs[i] as string;
    if (p.startsWith(':')) {
      if (!/^[0-9A-Za-z_-]{1,128}$/.test(s)) return null;
      params[p.slice(1)] = s;
    } else if (p !== s) return null;
  }
  return params;
}

/** The admin API server. start() binds and writes the cookie and admin.json; stop() closes and removes them. */
export class CookieAdminServer {
  private server: http.Server | null = null;
  private token = '';
  private readonly compiled: Compiled[];
  url = '';

  constructor(private readonly opts: AdminServerOptions) {
    this.compiled = opts.routes.map((route) => ({ route, parts: route.path.split('/').slice(1) }));
  }

  async start(): Promise<string> {
    this.token = crypto.randomBytes(32).toString('hex');
    writePrivateFile(path.join(this.opts.dataDir, COOKIE_FILE), `${this.token}\n`);
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.requestTimeout = 120_000; // a take runs the whole exchange with the counterparty
    server.headersTimeout = 10_000;
    server.maxConnections = 32;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = `http://${host}:${addr.port}`;
    writePrivateFile(path.join(this.opts.dataDir, ADMIN_FILE), `${JSON.stringify({ url: this.url, pid: process.pid })}\n`);
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    removeDurably(path.join(this.opts.dataDir, ADMIN_FILE));
    removeDurably(path.join(this.opts.dataDir, COOKIE_FILE));
  }

  private authorized(req: http.IncomingMessage): boolean {
    const m = /^Bearer ([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    return m !== null && crypto.timingSafeEqual(Buffer.from(m[1] as string), Buffer.from(this.token));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? '').split('?')[0] ?? '';
    try {
      if (!this.authorized(req)) throw new HttpError(401, 'unauthorized', `send Authorization: Bearer <the token in ${COOKIE_FILE} of the data dir>`);
      const hits = this.compiled.map((c) => ({ c, params: match(c.parts, url) })).filter((h) => h.params !== null);
      if (hits.length === 0) throw new HttpError(404, 'not-found', `routes: ${this.opts.routes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      const hit = hits.find((h) => h.c.route.method === req.method);
      if (!hit) {
        const allow = [...new Set(hits.map((h) => h.c.route.method))].join(', ');
        res.setHeader('allow', allow);
        throw new HttpError(405, 'method-not-allowed', `${url} accepts ${allow}`);
      }
      const body = req.method === 'POST' ? await readJsonBody(req, this.opts.maxBodyBytes) : undefined;
      const out = await hit.c.route.handle(hit.params as Record<string, string>, body);
      sendJson(res, 200, out);
    } catch (e) {
      const mapped = e instanceof HttpError ? e : (this.opts.mapError?.(e) ?? null);
      if (mapped) return sendJson(res, mapped.status, { error: { code: mapped.code, message: mapped.message.slice(0, 500) } });
      this.opts.onInternalError?.(e, url);
      sendJson(res, 500, { error: { code: 'internal', message: String((e as Error).message ?? e).slice(0, 300) } });
    }
  }
}
