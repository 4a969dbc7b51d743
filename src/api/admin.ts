/** api/admin.ts - the operator's admin API (/admin/…: status, peers, bans, connect, disconnect, reload, compaction) and its gate: a bearer token from the cookie file, accepted only from configured addresses. Talks to the node through AdminOps; imports api only. */
import crypto from 'node:crypto';
import net from 'node:net';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { sendError } from './errors.ts';

/** What a reload did: keys applied at once, keys that need a restart. */
export interface ReloadOutcome {
  reloaded: string[];
  needsRestart: string[];
}

/** The node operations behind /admin/… (node.ts implements them; api never sees the pool or the store). Errors thrown are answered 500 after logging, so implementations return outcomes instead. */
export interface AdminOps {
  status(): Record<string, unknown>;
  peers(): unknown[];
  bans(): { address: string; until: number }[];
  ban(address: string, durationMs: number | undefined): { until: number; disconnected: number };
  unban(address: string): boolean;
  connect(host: string, port: number): void;
  disconnect(address: string): number;
  /** Re-read the config (file, environment, flags) and apply it; an invalid config applies nothing. */
  reload(): { ok: true; outcome: ReloadOutcome } | { ok: false; problems: string[] };
  /** Compact the journal now; false when the node keeps no journal (dataDir null). */
  compact(): Promise<{ ok: true; journalBytesBefore: number } | { ok: false; reason: string }>;
}

/** Who may use admin routes. Both are functions so SIGHUP can change them and a restart can rotate the token. */
export interface AdminGateOptions {
  /** The token of the cookie file, or null when the admin API is off (no cookie file). */
  token: () => string | null;
  /** Client addresses allowed (address or CIDR list, after trustProxy). */
  allowFrom: () => readonly string[];
}

/** Cookie user name, as bitcoind writes it (`__cookie__:<token>`), so `curl -u "$(cat .cookie)"` works too. */
export const COOKIE_USER = '__cookie__';

/** `::ffff:1.2.3.4` -> `1.2.3.4`. */
function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** Is `ip` in one of `ranges` (addresses or CIDR, as validated by config)? node's own BlockList does the matching. */
export function addressAllowed(ip: string, ranges: readonly string[]): boolean {
  const a = plainIp(ip);
  const family = net.isIP(a);
  if (family === 0) return false;
  const list = new net.BlockList();
  for (const r of ranges) {
    const [addr = '', prefix] = r.split('/');
    const type = net.isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  return list.check(a, family === 6 ? 'ipv6' : 'ipv4');
}

/** The token a request presents: `Authorization: Bearer <token>` or Basic with the cookie line (`__cookie__:<token>`). */
function presentedToken(req: Request): string | null {
  const h = req.get('authorization');
  if (!h) return null;
  const m = /^(Bearer|Basic)\s+(\S+)$/i.exec(h);
  if (!m) return null;
  if ((m[1] as string).toLowerCase() === 'bearer') return m[2] as string;
  const decoded = Buffer.from(m[2] as string, 'base64').toString('utf8');
  return decoded.startsWith(`${COOKIE_USER}:`) ? decoded.slice(COOKIE_USER.length + 1) : null;
}

function sameToken(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y); // constant time whatever the lengths
}

/**
 * Express middleware admitting only admin requests: 403 `admin-forbidden` from an address outside
 * allowFrom (checked first, so a remote client learns nothing about the token), 503 `admin-disabled`
 * without a cookie file, 401 `admin-unauthorized` (with WWW-Authenticate) for a missing or wrong token.
 */
export function adminGate(opts: AdminGateOptions): RequestHandler {
  return (req, res, next) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? '';
    if (!addressAllowed(ip, opts.allowFrom())) {
      sendError(res, 403, 'admin-forbidden', `admin requests are not accepted from ${plainIp(ip).slice(0, 64)} (config adminAllowFrom)`);
      return;
    }
    const token = opts.token();
    if (token === null) {
      sendError(res, 503, 'admin-disabled', 'the admin API is off: this node writes no cookie file (dataDir and adminCookiePath are null)');
      return;
    }
    const given = presentedToken(req);
    if (given === null || !sameToken(given, token)) {
      res.set('WWW-Authenticate', 'Bearer realm="mega-admin"');
      sendError(res, 401, 'admin-unauthorized', 'send Authorization: Bearer <token> with the token from the node\'s cookie file');
      return;
    }
    next();
  };
}

const IP_OR_HOST_RE = /^[A-Za-z0-9.\-:[\]]{1,255}$/;

function body(req: Request): Record<string, unknown> {
  const b = req.body as unknown;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/** The /admin/… routes (mounted behind {@link adminGate}). Request bodies are small JSON objects. */
export function adminRouter(ops: AdminOps, maxBodyBytes: number): Router {
  const r = express.Router();
  const json = express.json({ limit: Math.min(maxBodyBytes, 16384), strict: true, type: () => true });
  r.get('/status', (_req, res) => void res.json(ops.status()));
  r.get('/peers', (_req, res) => void res.json({ peers: ops.peers() }));
  r.get('/bans', (_req, res) => void res.json({ bans: ops.bans().map((b) => ({ address: b.address, until: new Date(b.until).toISOString() })) }));
  r.post('/bans', json, (req, res) => {
    const { address, durationMs } = body(req);
    if (typeof address !== 'string' || net.isIP(plainIp(address)) === 0) return sendError(res, 400, 'invalid-address', 'address must be an IPv4 or IPv6 address');
    if (durationMs !== undefined && !(Number.isInteger(durationMs) && (durationMs as number) >= 1000 && (durationMs as number) <= 10 * 365 * 86400000)) {
      return sendError(res, 400, 'invalid-duration', 'durationMs must be an integer in [1000, 315360000000] (default: banTimeMs)');
    }
    const out = ops.ban(plainIp(address), durationMs as number | undefined);
    res.status(201).json({ address: plainIp(address), until: new Date(out.until).toISOString(), disconnected: out.disconnected });
  });
  r.delete('/bans/:address', (req, res) => {
    const address = plainIp(String(req.params.address));
    if (net.isIP(address) === 0) return sendError(res, 400, 'invalid-address', 'address must be an IPv4 or IPv6 address');
    if (!ops.unban(address)) return sendError(res, 404, 'not-banned', `${address} is not banned`);
    res.json({ address, unbanned: true });
  });
  r.post('/connect', json, (req, res) => {
    const { host, port } = body(req);
    if (typeof host !== 'string' || !IP_OR_HOST_RE.test(host)) return sendError(res, 400, 'invalid-host', 'host must be a host name or IP address');
    if (!(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)) return sendError(res, 400, 'invalid-port', 'port must be an integer in [1, 65535]');
    ops.connect(host, port as number);
    res.status(202).json({ host, port, dialing: true });
  });
  r.post('/disconnect', json, (req, res) => {
    const { address } = body(req);
    if (typeof address !== 'string' || !IP_OR_HOST_RE.test(address)) return sendError(res, 400, 'invalid-address', 'address must be an IP, ip:port or [v6]:port');
    const n = ops.disconnect(address);
    if (n === 0) return sendError(res, 404, 'no-such-peer', `no connection matches ${address}`);
    res.json({ address, disconnected: n });
  });
  r.post('/reload', (_req, res) => {
    const out = ops.reload();
    if (!out.ok) return sendError(res, 422, 'invalid-config', `the config is invalid; nothing reloaded: ${out.problems.join('; ').slice(0, 2000)}`);
    res.json(out.outcome);
  });
  r.post('/compact', async (_req, res) => {
    const out = await ops.compact();
    if (!out.ok) return sendError(res, 409, 'no-journal', out.reason);
    res.json({ compacted: true, journalBytesBefore: out.journalBytesBefore });
  });
  r.use((req, res) => sendError(res, 404, 'not-found', `no admin route ${req.method} /admin${req.path.slice(0, 200)}`));
  return r;
}
