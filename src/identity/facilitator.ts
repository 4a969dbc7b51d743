/** identity/facilitator.ts - this node's own identity (GET /id): checks the facilitator's website manifest in the background with the oracle manifest code and keeps the outcome fresh. Imports identity/manifest and the logger; never config, api or p2p (node.ts hands it its slice). */
import type { Logger } from '../log.ts';
import { fetchManifest, verifyManifest, type FetchResult, type ManifestFetchOptions } from './manifest.ts';

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
  fetch?: (uri: string, opts: ManifestFetchOptions) => Promise<FetchResult>;
}

/**
 * The facilitator's identity and the live state of its website manifest. Lifecycle: start() runs
 * the first check in the background (start-up never waits for, nor fails on, the website) and then
 * re-checks every recheckIntervalMs; stop() ends the re-checks, and a check in flight finishes
 * into nothing. Without a manifestUri (or without any facilitatorId) it never fetches.
 */
export class FacilitatorIdentity {
  private readonly id: FacilitatorIdInit | null;
  private readonly opts: FacilitatorIdentityOptions;
  private readonly deps: FacilitatorIdentityDeps;
  private state: FacilitatorManifestState = { manifestVerified: null, manifestDomain: null };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(id: FacilitatorIdInit | null, opts: FacilitatorIdentityOptions, deps: FacilitatorIdentityDeps) {
    this.id = id;
    this.opts = opts;
    this.deps = deps;
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
    if (!this.hasManifest || this.timer || this.stopped) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.opts.recheckIntervalMs);
    this.timer.unref();
  }

  /** Stop re-checking. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Fetch and verify the manifest once (a check already in flight is joined, never doubled).
   * Resolves when done; never rejects. Logs a warning when the manifest does not verify.
   */
  check(): Promise<void> {
    if (!this.hasManifest || this.stopped) return Promise.resolve();
    if (!this.running) {
      this.running = this.runCheck().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async runCheck(): Promise<void> {
    const { manifestUri, pubkey } = this.id as Required<Pick<FacilitatorIdInit, 'manifestUri' | 'pubkey'>>;
    try {
      const v = await verifyManifest(manifestUri, pubkey, this.opts, this.deps.fetch ?? fetchManifest, 'facilitator');
      if (this.stopped) return;
      const checkedAt = new Date(this.deps.now()).toISOString();
      const was = this.state.manifestVerified;
      if (v.verified) {
        this.state = { manifestVerified: true, manifestDomain: v.domain, manifestCheckedAt: checkedAt };
        if (was !== true) this.deps.log.info({ manifestUri, domain: v.domain }, 'facilitator manifest verified');
      } else {
        this.state = { manifestVerified: false, manifestDomain: null, manifestCheckedAt: checkedAt, manifestError: v.reason };
        this.deps.log.warn({ manifestUri, reason: v.reason }, 'facilitator manifest does not verify (GET /id shows manifestVerified false; the node keeps running)');
      }
    } catch (err) {
      // verifyManifest never rejects; this guards the timer callback all the same (STYLE.md section 5)
      this.deps.log.error({ err }, 'facilitator manifest check failed');
    }
  }
}
