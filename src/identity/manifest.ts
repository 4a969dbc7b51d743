/** identity/manifest.ts - oracle website manifests: fetch (through identity/guarded-http.ts: https only, size limit, timeout, no redirects, no private addresses outside tests), check, and keep each oracle's verified state fresh. Imports protocol and the service interface; never api or p2p. */
import { signingHash } from '../protocol/canonical.ts';
import { isPublicKey, verifyHash } from '../protocol/keys.ts';
import type { OracleId } from '../protocol/types.ts';
import type { Logger } from '../log.ts';
import type { AcceptedEvent, EvictedEvent, StoredOracle } from '../service/service.ts';
import { PeriodicChecker } from './periodic-checker.ts';
import { guardedRequest } from './guarded-http.ts';

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

/** A manifest fetch: {@link fetchManifest} or a test double. `signal` aborts it (the checker stopped). */
export type ManifestFetch = (uri: string, opts: ManifestFetchOptions, signal?: AbortSignal) => Promise<FetchResult>;

/** GET a manifest: https only (http too when isTest), no redirects, at most maxBytes, within timeoutMs, until `signal` aborts. Never rejects. */
export async function fetchManifest(uri: string, opts: ManifestFetchOptions, signal?: AbortSignal): Promise<FetchResult> {
  const r = await guardedRequest(uri, { ...opts, label: 'manifest', urlName: 'manifestUri' }, signal);
  if (!r.ok) return { ok: false, reason: r.reason.replace('manifest did not answer within', 'manifest did not arrive within').replace('manifest request aborted', 'manifest fetch aborted') };
  return { ok: true, body: r.body, host: r.host };
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
