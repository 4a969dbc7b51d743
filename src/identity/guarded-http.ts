/** identity/guarded-http.ts - the node's one outbound HTTP(S) client for addresses taken from the network (oracle manifests, fact endpoints): https only outside tests, no credentials in the URL, no redirects, no private addresses (checked where the socket opens, so DNS cannot swap one in), a byte limit, a deadline, abortable; JSON in, JSON out. Imports node only. */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** Limits of one request. */
export interface GuardedRequestOptions {
  /** Allow plain http and loopback/private addresses (test networks only). */
  isTest: boolean;
  /** Allow loopback/private addresses (still https only unless isTest): targets on the operator's own network. */
  allowPrivate?: boolean;
  timeoutMs: number;
  /** Largest answer read. */
  maxBytes: number;
  /** Word naming the target in reasons ("manifest", "fact endpoint"). */
  label: string;
  /** Name of the URL in reasons ("manifestUri", "endpoint"). */
  urlName: string;
  method?: 'GET' | 'POST';
  /** Sent as application/json (POST). */
  json?: unknown;
  /** Statuses whose JSON body is returned; any other status is a failure (default: 200 only). */
  acceptStatus?: readonly number[];
  /** Send these bytes instead of `json`, and return the answer's bytes (`body` is a Buffer) instead of parsing JSON. */
  raw?: { contentType: string; body: Uint8Array; accept: string };
}

/** Outcome: the status, parsed JSON and the host it came from, or why not. Never an exception. */
export type GuardedResult = { ok: true; status: number; body: unknown; host: string } | { ok: false; reason: string };

const BLOCKED = new net.BlockList();
for (const [net4, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  BLOCKED.addSubnet(net4, prefix, 'ipv4');
}
for (const [net6, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) BLOCKED.addSubnet(net6, prefix, 'ipv6');

/** Is `ip` loopback, private, link-local, carrier-NAT, multicast or unspecified (IPv4-mapped IPv6 included)? */
export function isNonPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return BLOCKED.check(mapped[1] as string, 'ipv4');
  return BLOCKED.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
}

/** A short reason for a socket error; a failed connection to every address of a host is an AggregateError with an empty message (Node's happy-eyeballs), so use its parts. */
function errorText(err: Error): string {
  const parts = err instanceof AggregateError && !err.message ? err.errors.map((e) => String((e as Error).message)) : [err.message || String((err as NodeJS.ErrnoException).code ?? 'connection failed')];
  return [...new Set(parts)].join('; ').slice(0, 200);
}

/** One request under the guards above, until `signal` aborts. Never rejects. */
export function guardedRequest(uri: string, opts: GuardedRequestOptions, signal?: AbortSignal): Promise<GuardedResult> {
  const { label } = opts;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return Promise.resolve({ ok: false, reason: `${opts.urlName} is not a URL` });
  }
  if (url.protocol !== 'https:' && !(opts.isTest && url.protocol === 'http:')) return Promise.resolve({ ok: false, reason: `${opts.urlName} must be https` });
  if (url.username || url.password) return Promise.resolve({ ok: false, reason: `${opts.urlName} must not carry credentials` });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const lookup = ((hostname: string, options: dns.LookupOptions, cb: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const bad = opts.isTest || opts.allowPrivate ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
      if (bad) return cb(new Error(`${label} host resolves to a non-public address ${bad.address}`), '', 0);
      if (options.all) return cb(null, addresses);
      const first = addresses[0];
      if (!first) return cb(new Error(`${label} host has no address`), '', 0);
      cb(null, first.address, first.family);
    });
  }) as unknown as net.LookupFunction;
  if (net.isIP(host) && !opts.isTest && !opts.allowPrivate && isNonPublicAddress(host)) return Promise.resolve({ ok: false, reason: `${label} host is a non-public address` });
  if (signal?.aborted) return Promise.resolve({ ok: false, reason: `${label} request aborted` });
  const payload = opts.raw ? Buffer.from(opts.raw.body) : opts.json === undefined ? null : Buffer.from(JSON.stringify(opts.json), 'utf8');
  const accept = opts.acceptStatus ?? [200];
  return new Promise((resolve) => {
    let done = false;
    let req: http.ClientRequest | null = null;
    const onAbort = (): void => finish({ ok: false, reason: `${label} request aborted` });
    const finish = (r: GuardedResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `${label} did not answer within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    const mod = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string | number> = { accept: opts.raw?.accept ?? 'application/json' };
    if (payload) {
      headers['content-type'] = opts.raw?.contentType ?? 'application/json';
      headers['content-length'] = payload.length;
    }
    // TLS verification stays on (the default agent options). Extra CAs come from the process (NODE_EXTRA_CA_CERTS).
    try {
      req = mod.request(url, { method: opts.method ?? 'GET', lookup, headers, agent: false }, onResponse);
    } catch (err) {
      // e.g. a host name Node refuses before any I/O: "never rejects" holds for those too
      finish({ ok: false, reason: (err as Error).message.slice(0, 200) });
      return;
    }
    req.on('error', (err) => finish({ ok: false, reason: errorText(err) }));
    req.end(payload ?? undefined);
    function onResponse(res: http.IncomingMessage): void {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return finish({ ok: false, reason: `${label} answered ${status}: redirects are not followed` });
      if (!accept.includes(status)) return finish({ ok: false, reason: `${label} answered ${status}` });
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > opts.maxBytes) return finish({ ok: false, reason: `${label} larger than ${opts.maxBytes} bytes` });
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) finish({ ok: false, reason: `${label} larger than ${opts.maxBytes} bytes` });
        else chunks.push(c);
      });
      res.on('error', (err) => finish({ ok: false, reason: err.message }));
      res.on('end', () => {
        if (opts.raw) return finish({ ok: true, status, body: Buffer.concat(chunks), host });
        try {
          finish({ ok: true, status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), host });
        } catch {
          finish({ ok: false, reason: `${label} is not JSON` });
        }
      });
    }
  });
}
