/** identity/facilitator.ts - this node's own identity (GET /id): checks the facilitator's website manifest in the background with the oracle manifest code and the shared periodic checker, and keeps the outcome fresh. Imports identity/manifest, identity/periodic-checker and the logger; never config, api or p2p (node.ts hands it its slice). */
import type { Logger } from '../log.ts';
import { fetchManifest, verifyManifest, type ManifestFetch, type ManifestFetchOptions, type ManifestVerdict } from './manifest.ts';
import { PeriodicChecker } from './periodic-checker.ts';

/** The configured identity (config key `facilitatorId`), served as is plus the manifest state. */
export interface FacilitatorIdInit {
  manifestUri?: string;
  pubkey?: string;
  rewardAddress?: string;
  pow?: unknown;
}

/** What GET /id shows about the manifest when a manifestUri is configured. */
export interface FacilitatorManifestState {
  /** null until the first check has finished. */
  manifestVerified: boolean | null;
  /** The verified domain (lowercase); null while not verified. */
  manifestDomain: string | null;
  /** When the last check finished (ISO 8601); absent before the first. */
  manifestCheckedAt?: string;
  /** Why the last check failed; absent when verified or not yet checked. */
  manifestError?: string;
}

/** Tunables: the fetch limits of oracle manifests, and the re-check period. */
export interface FacilitatorIdentityOptions extends ManifestFetchOptions {
  recheckIntervalMs: number;
}

/** Injected collaborators. */
export interface FacilitatorIdentityDeps {
  log: Logger;
  now: () => number;
  /** Defaults to {@link fetchManifest}. */
  fetch?: ManifestFetch;
}

/** The checker's one key: this node. */
const SELF = 'self';

/**
 * The facilitator's identity and the live state of its website manifest. Lifecycle: start() runs
 * the first check in the background (start-up never waits for, nor fails on, the website) and then
 * re-checks every recheckIntervalMs; stop() ends the re-checks and aborts a check in flight, which
 * then changes nothing. Without a manifestUri (or without any facilitatorId) it never fetches.
 */
export class FacilitatorIdentity {
  private readonly id: FacilitatorIdInit | null;
  private state: FacilitatorManifestState = { manifestVerified: null, manifestDomain: null };
  private readonly checker: PeriodicChecker<string, { manifestUri: string; pubkey: string }, ManifestVerdict>;

  constructor(id: FacilitatorIdInit | null, opts: FacilitatorIdentityOptions, deps: FacilitatorIdentityDeps) {
    this.id = id;
    const fetchImpl = deps.fetch ?? fetchManifest;
    const subject = this.hasManifest ? { manifestUri: id?.manifestUri as string, pubkey: id?.pubkey as string } : null;
    // One key, so no queue to speak of: the checker brings the timer, joining, abort on stop and rate-limited logs.
    this.checker = new PeriodicChecker(
      { name: 'facilitator', maxConcurrent: 1, maxQueued: 1, recheckIntervalMs: opts.recheckIntervalMs },
      {
        log: deps.log,
        now: deps.now,
        task: {
          subject: () => subject,
          subjectId: (s) => s.manifestUri,
          run: (s, signal) => verifyManifest(s.manifestUri, s.pubkey, opts, fetchImpl, 'facilitator', signal),
          apply: (_key, s, v) => this.apply(s.manifestUri, v instanceof Error ? { verified: false, reason: v.message.slice(0, 200), stage: 'check' } : v, deps.now()),
          round: () => void this.checker.enqueue(SELF),
        },
      },
    );
  }

  /** True when there is a manifest to check (manifestUri and pubkey configured; the config loader requires both together). */
  get hasManifest(): boolean {
    return this.id?.manifestUri !== undefined && this.id.pubkey !== undefined;
  }

  /** The body of GET /id: null when no identity is configured; the configured members, plus the manifest state when a manifestUri is configured. */
  view(): (FacilitatorIdInit & Partial<FacilitatorManifestState>) | null {
    if (!this.id) return null;
    if (!this.hasManifest) return { ...this.id };
    return { ...this.id, ...this.state };
  }

  /** Begin: first check now (in the background), then periodically. */
  start(): void {
    if (!this.hasManifest) return;
    this.checker.enqueue(SELF);
    this.checker.start();
  }

  /** Stop re-checking; a check in flight is aborted. */
  stop(): void {
    this.checker.stop();
  }

  /**
   * Fetch and verify the manifest once (a check already in flight is joined, never doubled).
   * Resolves when done; never rejects. Logs a warning when the manifest does not verify.
   */
  check(): Promise<void> {
    if (!this.hasManifest) return Promise.resolve();
    return this.checker.checkNow(SELF);
  }

  private apply(manifestUri: string, v: ManifestVerdict, now: number) {
    const checkedAt = new Date(now).toISOString();
    const was = this.state.manifestVerified;
    if (v.verified) {
      this.state = { manifestVerified: true, manifestDomain: v.domain, manifestCheckedAt: checkedAt };
      return { failed: false, changed: was !== true, msg: 'facilitator manifest verified', fields: { manifestUri, domain: v.domain } };
    }
    this.state = { manifestVerified: false, manifestDomain: null, manifestCheckedAt: checkedAt, manifestError: v.reason };
    // Every failed check warns (rate-limited by the checker): the operator's own website is at stake.
    return { failed: true, changed: was !== false, msg: 'facilitator manifest does not verify (GET /id shows manifestVerified false; the node keeps running)', fields: { manifestUri, reason: v.reason } };
  }
}
