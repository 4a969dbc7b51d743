/** identity/manifest.ts - oracle website manifests: fetch (https only, size limit, timeout, no redirects, no private addresses outside tests), check, and keep each oracle's verified state fresh. Imports protocol and the service interface; never api or p2p. */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { signingHash } from '../protocol/canonical.ts';
import { isPublicKey, verifyHash } from '../protocol/keys.ts';
import type { OracleId } from '../protocol/types.ts';
import type { Logger } from '../log.ts';
import type { AcceptedEvent, EvictedEvent, StoredOracle } from '../service/service.ts';
import { PeriodicChecker } from './periodic-checker.ts';

/** A website manifest: the domain vouches for the oracle key, signed by that key (canonical form without `signature`). */
export interface Manifest {
  domain: string;
  pubkey: string;
  signatureType: 'ecdsa-secp256k1';
  signature: string;
}

/** Limits of one fetch. */
export interface ManifestFetchOptions {
  /** Allow plain http and loopback/private addresses (test networks only). */
  isTest: boolean;
  timeoutMs: number;
  maxBytes: number;
}

/** Outcome of a fetch: the parsed JSON and the host it came from, or why not. */
export type FetchResult = { ok: true; body: unknown; host: string } | { ok: false; reason: string };

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

/**
 * Check a fetched manifest for `pubkey` (an oracle's, or the facilitator's: `subject` names it in
 * the reasons) fetched from `host`. Returns null when it is valid, else the reason: exactly the four
 * members, names this pubkey, `domain` is the host it came from (case-insensitive), and the
 * signature verifies against the pubkey.
 */
export function checkManifest(doc: unknown, pubkey: string, host: string, subject: 'oracle' | 'facilitator' = 'oracle'): string | null {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'manifest is not a JSON object';
  const m = doc as Record<string, unknown>;
  const extra = Object.keys(m).filter((k) => !['domain', 'pubkey', 'signatureType', 'signature'].includes(k));
  if (extra.length) return `manifest has unknown member "${extra[0]?.slice(0, 40)}"`;
  if (typeof m.domain !== 'string' || m.domain.length === 0 || m.domain.length > 253) return 'manifest domain must be a host name';
  if (m.pubkey !== pubkey) return `manifest pubkey is not this ${subject}`;
  if (m.signatureType !== 'ecdsa-secp256k1') return 'manifest signatureType must be "ecdsa-secp256k1"';
  if (typeof m.signature !== 'string' || !/^[0-9a-f]{128}$/.test(m.signature)) return 'manifest signature must be 128 lowercase hex characters';
  if (m.domain.toLowerCase() !== host.toLowerCase()) return `manifest domain ${JSON.stringify(m.domain.slice(0, 80))} is not the host it was fetched from`;
  if (!isPublicKey(pubkey) || !verifyHash(m.signature, signingHash(m, 'signature'), pubkey)) return `manifest signature does not verify against the ${subject} pubkey`;
  return null;
}

/** A short reason for a socket error; a failed connection to every address of a host is an AggregateError with an empty message (Node's happy-eyeballs), so use its parts. */
function errorText(err: Error): string {
  const parts = err instanceof AggregateError && !err.message ? err.errors.map((e) => String((e as Error).message)) : [err.message || String((err as NodeJS.ErrnoException).code ?? 'connection failed')];
  return [...new Set(parts)].join('; ').slice(0, 200);
}

/** A manifest fetch: {@link fetchManifest} or a test double. `signal` aborts it (the checker stopped). */
export type ManifestFetch = (uri: string, opts: ManifestFetchOptions, signal?: AbortSignal) => Promise<FetchResult>;

/** GET a manifest: https only (http too when isTest), no redirects, at most maxBytes, within timeoutMs, until `signal` aborts. Never rejects. */
export function fetchManifest(uri: string, opts: ManifestFetchOptions, signal?: AbortSignal): Promise<FetchResult> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return Promise.resolve({ ok: false, reason: 'manifestUri is not a URL' });
  }
  if (url.protocol !== 'https:' && !(opts.isTest && url.protocol === 'http:')) return Promise.resolve({ ok: false, reason: 'manifestUri must be https' });
  if (url.username || url.password) return Promise.resolve({ ok: false, reason: 'manifestUri must not carry credentials' });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // The address is checked where the socket is opened (the lookup hook), so DNS cannot swap in a private one afterwards.
  const lookup = ((hostname: string, options: dns.LookupOptions, cb: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const bad = opts.isTest ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
      if (bad) return cb(new Error(`manifest host resolves to a non-public address ${bad.address}`), '', 0);
      if (options.all) return cb(null, addresses);
      const first = addresses[0];
      if (!first) return cb(new Error('manifest host has no address'), '', 0);
      cb(null, first.address, first.family);
    });
  }) as unknown as net.LookupFunction;
  if (net.isIP(host) && !opts.isTest && isNonPublicAddress(host)) return Promise.resolve({ ok: false, reason: 'manifest host is a non-public address' });
  if (signal?.aborted) return Promise.resolve({ ok: false, reason: 'manifest fetch aborted' });
  return new Promise((resolve) => {
    let done = false;
    let req: http.ClientRequest | null = null;
    const onAbort = (): void => finish({ ok: false, reason: 'manifest fetch aborted' });
    const finish = (r: FetchResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `manifest did not arrive within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    const mod = url.protocol === 'https:' ? https : http;
    // TLS verification stays on (the default agent options): a manifest is only as good as the
    // certificate of the host it names. Extra CAs come from the process (NODE_EXTRA_CA_CERTS).
    try {
      req = mod.get(url, { lookup, headers: { accept: 'application/json' }, agent: false }, onResponse);
    } catch (err) {
      // e.g. a host name Node refuses before any I/O: "never rejects" holds for those too
      finish({ ok: false, reason: (err as Error).message.slice(0, 200) });
      return;
    }
    req.on('error', (err) => finish({ ok: false, reason: errorText(err) }));
    function onResponse(res: http.IncomingMessage): void {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return finish({ ok: false, reason: `manifest answered ${status}: redirects are not followed` });
      if (status !== 200) return finish({ ok: false, reason: `manifest answered ${status}` });
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > opts.maxBytes) return finish({ ok: false, reason: `manifest larger than ${opts.maxBytes} bytes` });
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) finish({ ok: false, reason: `manifest larger than ${opts.maxBytes} bytes` });
        else chunks.push(c);
      });
      res.on('error', (err) => finish({ ok: false, reason: err.message }));
      res.on('end', () => {
        try {
          finish({ ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), host });
        } catch {
          finish({ ok: false, reason: 'manifest is not JSON' });
        }
      });
    }
  });
}

/** Outcome of {@link verifyManifest}: the verified domain (lowercase), or why not and at which stage (`fetch`: no manifest arrived; `check`: it arrived and is wrong). */
export type ManifestVerdict = { verified: true; domain: string } | { verified: false; reason: string; stage: 'fetch' | 'check' };

/**
 * Fetch the manifest at `uri` and check it names `pubkey`, is signed by it and names the host it
 * came from. The one verification path of oracle manifests (ManifestChecker) and of the
 * facilitator's own (identity/facilitator.ts). `signal` aborts the fetch. Never rejects.
 */
export async function verifyManifest(
  uri: string,
  pubkey: string,
  opts: ManifestFetchOptions,
  fetchImpl: ManifestFetch = fetchManifest,
  subject: 'oracle' | 'facilitator' = 'oracle',
  signal?: AbortSignal,
): Promise<ManifestVerdict> {
  let r: FetchResult;
  try {
    r = await fetchImpl(uri, opts, signal);
  } catch (err) {
    return { verified: false, reason: (err as Error).message.slice(0, 200), stage: 'fetch' };
  }
  if (!r.ok) return { verified: false, reason: r.reason, stage: 'fetch' };
  const why = checkManifest(r.body, pubkey, r.host, subject);
  return why === null ? { verified: true, domain: r.host.toLowerCase() } : { verified: false, reason: why, stage: 'check' };
}

/** Manifest state of one oracle (GET /oracles/{pubkey}). */
export interface ManifestStatus {
  manifestVerified: boolean;
  /** The verified domain; null while unverified. */
  manifestDomain: string | null;
  /** Why it is not verified (absent when verified or when the ad has no manifestUri). */
  manifestReason?: string;
}

/** What the checker needs from the service (a structural subset of MegaService). */
export interface ManifestSource {
  getOracle(pubkey: string): StoredOracle | undefined;
  on(event: 'mempool:accepted', listener: (e: AcceptedEvent) => void): unknown;
  on(event: 'mempool:evicted', listener: (e: EvictedEvent) => void): unknown;
}

/** Tunables of the checker. */
export interface ManifestCheckerOptions extends ManifestFetchOptions {
  maxConcurrent: number;
  maxQueued: number;
  /** Every verified and unverified manifest is fetched again this often (a vanished one un-verifies). */
  recheckIntervalMs: number;
}

/** Injected collaborators. */
export interface ManifestCheckerDeps {
  service: ManifestSource;
  /** A child logger: info when an oracle's manifest state changes, warn when a website gives no manifest (rate-limited). */
  log: Logger;
  /** Clock of the log rate limit (default Date.now). */
  now?: () => number;
  /** Defaults to {@link fetchManifest}. */
  fetch?: ManifestFetch;
}

/** What one oracle's manifest check is about: the key that must sign it and where it lives. */
interface ManifestSubject {
  pubkey: string;
  uri: string;
}

/**
 * Checks oracle manifests off the admission path and re-checks them periodically, through the
 * shared {@link PeriodicChecker} (queue, concurrency, rounds, logging). Lifecycle: constructed
 * listening; start() begins re-checks; stop() is final and aborts fetches in flight.
 */
export class ManifestChecker {
  private readonly opts: ManifestCheckerOptions;
  private readonly status = new Map<string, ManifestStatus & { uri: string }>();
  /** Pubkeys whose manifest is verified now, kept in step with `status` (O(1) count for listings). */
  private readonly verified = new Set<string>();
  private readonly checker: PeriodicChecker<string, ManifestSubject, ManifestVerdict>;

  constructor(opts: ManifestCheckerOptions, deps: ManifestCheckerDeps) {
    this.opts = opts;
    const fetchImpl = deps.fetch ?? fetchManifest;
    this.checker = new PeriodicChecker<string, ManifestSubject, ManifestVerdict>(
      { name: 'manifests', maxConcurrent: opts.maxConcurrent, maxQueued: opts.maxQueued, recheckIntervalMs: opts.recheckIntervalMs },
      {
        log: deps.log,
        now: deps.now ?? Date.now,
        task: {
          // The ad may change its manifestUri or leave while the fetch runs: the checker then drops the answer.
          subject: (pubkey) => {
            const uri = this.status.get(pubkey)?.uri;
            return uri !== undefined && deps.service.getOracle(pubkey) ? { pubkey, uri } : null;
          },
          subjectId: (s) => s.uri,
          run: (s, signal) => verifyManifest(s.uri, s.pubkey, this.opts, fetchImpl, 'oracle', signal),
          apply: (pubkey, s, v) => this.apply(pubkey, s.uri, v instanceof Error ? { verified: false, reason: 'internal error', stage: 'check' } : v),
          round: () => this.recheckAll(),
        },
      },
    );
    deps.service.on('mempool:accepted', (e) => {
      if (e.kind === 'oracle') this.onOracle(e.entity as OracleId);
    });
    deps.service.on('mempool:evicted', (e) => {
      if (e.kind !== 'oracle') return;
      this.setStatus(e.id, null);
      this.checker.forget(e.id);
    });
  }

  /** The manifest state of a stored oracle. */
  manifestStatus(pubkey: string): ManifestStatus {
    const s = this.status.get(pubkey);
    if (!s) return { manifestVerified: false, manifestDomain: null };
    const out: ManifestStatus = { manifestVerified: s.manifestVerified, manifestDomain: s.manifestDomain };
    if (s.manifestReason !== undefined) out.manifestReason = s.manifestReason;
    return out;
  }

  /** Is the oracle's manifest verified right now? O(1). */
  isVerified(pubkey: string): boolean {
    return this.status.get(pubkey)?.manifestVerified === true;
  }

  /** How many stored oracles have a verified manifest right now. O(1). */
  verifiedCount(): number {
    return this.verified.size;
  }

  /** Start periodic re-checks. */
  start(): void {
    this.checker.start();
  }

  /** Queue every stored oracle that has a manifestUri for a fresh fetch. */
  recheckAll(): void {
    for (const pubkey of this.status.keys()) {
      if (!this.checker.enqueue(pubkey)) break; // queue full (or stopped): the rest wait for the next round
    }
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    return this.checker.idle();
  }

  /** Stop re-checks; queued checks are dropped and fetches in flight aborted. */
  stop(): void {
    this.checker.stop();
  }

  private onOracle(o: OracleId): void {
    const prev = this.status.get(o.pubkey);
    if (o.manifestUri === undefined) {
      this.setStatus(o.pubkey, null);
      this.checker.forget(o.pubkey);
      return;
    }
    // Same URI: keep the current state (a PoW upgrade does not reset it); the periodic re-check keeps it fresh.
    if (prev && prev.uri === o.manifestUri) return;
    this.setStatus(o.pubkey, { uri: o.manifestUri, manifestVerified: false, manifestDomain: null, manifestReason: 'not checked yet' });
    this.checker.enqueue(o.pubkey);
  }

  /** Write the verdict on `uri` (still the oracle's: the checker made sure) and say what to log. */
  private apply(pubkey: string, uri: string, v: ManifestVerdict) {
    const prev = this.status.get(pubkey);
    if (v.verified) this.setStatus(pubkey, { uri, manifestVerified: true, manifestDomain: v.domain });
    else this.setStatus(pubkey, { uri, manifestVerified: false, manifestDomain: null, manifestReason: v.reason });
    const changed = prev?.manifestVerified !== v.verified || (!v.verified && prev?.manifestReason !== v.reason);
    // No manifest arrived (site down, 404, timeout): a failed check, warned (rate-limited). A wrong manifest is a result.
    const failed = !v.verified && v.stage === 'fetch';
    const fields = v.verified ? { manifestUri: uri, domain: v.domain } : { manifestUri: uri, reason: v.reason };
    return { failed, changed, msg: failed ? 'oracle manifest fetch failed' : v.verified ? 'oracle manifest verified' : 'oracle manifest not verified', fields };
  }

  /** The one writer of `status` and `verified` (null = forget the oracle). */
  private setStatus(pubkey: string, s: (ManifestStatus & { uri: string }) | null): void {
    if (s === null) this.status.delete(pubkey);
    else this.status.set(pubkey, s);
    if (s?.manifestVerified === true) this.verified.add(pubkey);
    else this.verified.delete(pubkey);
  }
}
