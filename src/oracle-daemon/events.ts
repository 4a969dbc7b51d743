/** oracle-daemon/events.ts - the DLC events of every capability: announced announceBeforeSec before maturity (nonces fsynced, then the event recorded, then published), attested at maturity from the capability's source (checked against the descriptor, logged with fsync, then published), failures retried with backoff and shown in the status. Imports oracle, dlc, protocol and oracle-daemon. */
import type { Logger } from 'pino';
import { decodeAnnouncement, DlcError } from '../dlc/index.ts';
import { AttestRefused, type DlcOracleState } from '../oracle/dlc-oracle.ts';
import { resolveValue, SourceError, type SourceValue } from '../oracle/sources.ts';
import { outcomeForValue, ValueError } from '../oracle/values.ts';
import { announcementPreimage } from '../protocol/pow.ts';
import { minePow } from '../protocol/pow-miner.ts';
import { minePowSync } from '../protocol/pow.ts';
import type { Announcement, Attestation, Pow } from '../protocol/types.ts';
import type { AdBook } from './ads.ts';
import type { CapabilityConfig, OracleDaemonConfig } from './config.ts';
import type { PublishedEvent } from './publisher.ts';
import { dueForAnnouncement, eventIdFor } from './schedule.ts';
import type { DaemonState, EventRecord } from './state.ts';

/** How often the engine looks for events to announce or attest. */
export const TICK_MS = 250;
/** Most events remembered in state.json (attested ones beyond it are forgotten, oldest first; the attestation log keeps them). */
export const MAX_EVENTS = 20_000;
/** PoW up to this difficulty is mined on the main thread (a few ms); above it on workers. */
const SYNC_POW_MAX = 12;

/** An event whose outcome could not be had yet. */
export interface EventFailure {
  event: string;
  capability: string;
  code: string;
  message: string;
  attempts: number;
  nextAttemptAt: string;
}

/** Collaborators of the engine. */
export interface EventEngineDeps {
  cfg: OracleDaemonConfig;
  state: DaemonState;
  dlc: DlcOracleState;
  ads: AdBook;
  /** `id`: the announcement id (of the attested announcement, for an attestation). */
  publish: (kind: 'announcement' | 'attestation', entity: Announcement | Attestation, id: string) => void;
  log: Logger;
  /** Seconds since the epoch (injected for tests). */
  nowSec?: () => number;
}

interface Attempt {
  attempts: number;
  nextAt: number;
  failure: EventFailure | null;
  running: boolean;
}

/** Outcome of posting a manual outcome. */
export type ManualResult = { status: 'stored'; event: string; outcomes: string[] } | { status: 'attested'; event: string; outcomes: string[] } | { status: 'unknown-event' } | { status: 'not-manual' } | { status: 'invalid'; code: string; message: string };

/** Announces and attests. Lifecycle: start() discards nonce secrets of announcements a crash cut off before recording and starts ticking; stop() stops ticking (an attestation in flight finishes: it is durable before it is published). */
export class EventEngine {
  private readonly cfg: OracleDaemonConfig;
  /** Announcement id → attestation TLV, from the attestation log. */
  private readonly attested = new Map<string, string>();
  private readonly attempts = new Map<string, Attempt>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  private readonly nowSec: () => number;

  constructor(private readonly deps: EventEngineDeps) {
    this.cfg = deps.cfg;
    this.nowSec = deps.nowSec ?? (() => Math.floor(Date.now() / 1000));
  }

  private capabilities(): CapabilityConfig[] {
    return this.cfg.capabilities.filter((c) => c.event !== null);
  }

  start(): void {
    const log = this.deps.dlc.attestations();
    for (const e of this.deps.state.events) {
      const l = log.get(e.announcementId);
      if (l) this.attested.set(e.announcementId, l.attestation);
    }
    const gone = this.deps.dlc.discardUnpublished(new Set(this.deps.state.events.map((e) => e.announcementId)));
    if (gone.length) this.deps.log.info({ announcements: gone }, 'discarded the nonces of announcements that never left the daemon');
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      if (!this.deps.state.paused) {
        await this.announceDue();
        this.attestDue();
      }
      this.prune();
    } catch (err) {
      this.deps.log.error({ err }, 'event tick failed');
    } finally {
      this.ticking = false;
      this.schedule(TICK_MS);
    }
  }

  private async announceDue(): Promise<void> {
    const now = this.nowSec();
    for (const cap of this.capabilities()) {
      const ev = cap.event!;
      for (const m of dueForAnnouncement(ev, now)) {
        const key = `${cap.name}@${m}`;
        if (this.deps.state.event(key)) continue;
        if (this.stopped || this.deps.state.paused) return;
        await this.announce(cap, m, key);
      }
    }
  }

  private async announce(cap: CapabilityConfig, maturityEpoch: number, key: string): Promise<void> {
    const ev = cap.event!;
    const ad = this.deps.ads.capability(cap.name)!;
    const eventId = eventIdFor(ev.eventId, cap.name, maturityEpoch);
    // 1. Fresh nonces, fsynced inside announce() before it returns.
    const p = this.deps.dlc.announce({ maturityEpoch, descriptor: ev.descriptor, eventId, version: ev.signingVersion });
    const entity: Announcement = { oraclePubKey: ad.oraclePubKey, capabilityPubKey: ad.capabilityPubKey, announcement: p.tlv, cTTL: this.cfg.identity.cTTL, pow: { difficulty: 0, algorithm: 'SHA256', hash: '', magicNo: 0 } };
    const pre = announcementPreimage(entity, p.id);
    const pow: Pow = ev.difficulty <= SYNC_POW_MAX ? minePowSync(pre, ev.difficulty) : await minePow(pre, ev.difficulty, { workers: this.cfg.miningBudget.workers });
    entity.pow = pow;
    // 2. The event recorded (fsync): from here on a restart publishes it rather than announcing anew.
    this.deps.state.addEvent({ key, capability: cap.name, capabilityPubKey: ad.capabilityPubKey, maturityEpoch, eventId, announcementId: p.id, tlv: p.tlv, pow, announcedAt: new Date().toISOString() });
    this.deps.log.info({ event: key, announcement: p.id, eventId, maturity: new Date(maturityEpoch * 1000).toISOString() }, 'announced');
    // 3. Only now does it leave the process.
    this.deps.publish('announcement', entity, p.id);
  }

  private attestDue(): void {
    const now = this.nowSec();
    const nowMs = Date.now();
    for (const e of this.deps.state.events) {
      if (e.maturityEpoch > now || this.attested.has(e.announcementId)) continue;
      const a = this.attempts.get(e.key) ?? { attempts: 0, nextAt: 0, failure: null, running: false };
      this.attempts.set(e.key, a);
      if (a.running || a.nextAt > nowMs) continue;
      a.running = true;
      void this.attest(e, a).finally(() => (a.running = false));
    }
  }

  private async valueOf(e: EventRecord, cap: CapabilityConfig): Promise<SourceValue | null> {
    if (cap.source!.type === 'manual') return this.deps.state.manual(e.key)?.value ?? null;
    return resolveValue(cap.source!);
  }

  private async attest(e: EventRecord, a: Attempt): Promise<void> {
    const cap = this.cfg.capabilities.find((c) => c.name === e.capability);
    if (!cap?.event || !cap.source) return; // removed from the config: kept published, never attested here
    try {
      const value = await this.valueOf(e, cap);
      if (value === null) {
        a.failure = { event: e.key, capability: cap.name, code: 'waiting-for-manual-outcome', message: 'post it with mega oracle outcome', attempts: a.attempts, nextAttemptAt: new Date().toISOString() };
        return;
      }
      if (this.stopped || this.deps.state.paused) return;
      // The descriptor as announced (the config may have changed since): that is what the nonces commit to.
      const out = outcomeForValue(decodeAnnouncement(e.tlv).event.descriptor, value, cap.source.round);
      // Logged with fsync inside attest() before it returns; the same outcomes again return the log's.
      const r = this.deps.dlc.attest(e.tlv, out.outcomes);
      this.attested.set(e.announcementId, r.tlv);
      this.attempts.delete(e.key);
      this.deps.log.info({ event: e.key, announcement: e.announcementId, value: out.value, clamped: out.clamped, outcomes: out.outcomes.length > 8 ? `${out.outcomes.length} digits` : out.outcomes }, 'attested');
      this.deps.publish('attestation', { announcementId: e.announcementId, attestation: r.tlv }, e.announcementId);
    } catch (err) {
      if (err instanceof AttestRefused && err.code === 'already-attested-differently') {
        // Another signer of this state folder attested first: publish what the log holds.
        const logged = this.deps.dlc.attestations().get(e.announcementId);
        if (logged) {
          this.attested.set(e.announcementId, logged.attestation);
          this.deps.publish('attestation', { announcementId: e.announcementId, attestation: logged.attestation }, e.announcementId);
          return;
        }
      }
      const code = err instanceof SourceError || err instanceof ValueError || err instanceof AttestRefused || err instanceof DlcError ? err.code : 'error';
      a.attempts++;
      const delay = Math.min(this.cfg.retry.maxMs, this.cfg.retry.initialMs * 2 ** Math.min(a.attempts - 1, 20));
      a.nextAt = Date.now() + delay;
      a.failure = { event: e.key, capability: cap.name, code, message: (err as Error).message.slice(0, 500), attempts: a.attempts, nextAttemptAt: new Date(a.nextAt).toISOString() };
      this.deps.log.warn({ event: e.key, code, err: (err as Error).message, retryInMs: delay }, 'no outcome yet');
    }
  }

  private prune(): void {
    const horizon = this.nowSec() - this.cfg.keepEventsDays * 86400;
    // Past MAX_EVENTS the oldest attested events go too: state.json is rewritten whole at each announcement.
    const events = this.deps.state.events;
    const excess = events.length - MAX_EVENTS;
    const cut = excess > 0 ? (events[excess - 1] as EventRecord).maturityEpoch : -1;
    const n = this.deps.state.prune((e) => this.attested.has(e.announcementId) && (e.maturityEpoch < horizon || e.maturityEpoch <= cut));
    if (n > 0) this.deps.log.info({ events: n }, 'forgot old attested events (the attestation log keeps them)');
  }

  /** Everything the nodes should hold, for the publisher. */
  published(): PublishedEvent[] {
    return this.deps.state.events.map((e) => {
      const tlv = this.attested.get(e.announcementId);
      return {
        id: e.announcementId,
        maturityEpoch: e.maturityEpoch,
        entity: { oraclePubKey: this.deps.ads.oracle.pubkey, capabilityPubKey: e.capabilityPubKey, announcement: e.tlv, cTTL: this.cfg.identity.cTTL, pow: e.pow },
        attestation: tlv ? { announcementId: e.announcementId, attestation: tlv } : null,
      };
    });
  }

  /** Store a manual outcome for an announced event of a `manual` capability (checked against its descriptor now). */
  postManual(capability: string, selector: { maturityEpoch?: number; eventId?: string; announcementId?: string }, value: SourceValue): ManualResult {
    const cap = this.cfg.capabilities.find((c) => c.name === capability);
    if (!cap?.event) return { status: 'unknown-event' };
    if (cap.source?.type !== 'manual') return { status: 'not-manual' };
    const e = this.deps.state.events.find((x) => x.capability === capability && (selector.maturityEpoch === undefined || x.maturityEpoch === selector.maturityEpoch) && (selector.eventId === undefined || x.eventId === selector.eventId) && (selector.announcementId === undefined || x.announcementId === selector.announcementId));
    if (!e) return { status: 'unknown-event' };
    let outcomes: string[];
    try {
      outcomes = outcomeForValue(decodeAnnouncement(e.tlv).event.descriptor, value, cap.source.round).outcomes;
    } catch (err) {
      if (err instanceof ValueError) return { status: 'invalid', code: err.code, message: err.message };
      throw err;
    }
    const tlv = this.attested.get(e.announcementId);
    if (tlv) return { status: 'attested', event: e.key, outcomes: this.deps.dlc.attestations().get(e.announcementId)?.outcomes ?? [] };
    this.deps.state.setManual(e.key, { value, postedAt: new Date().toISOString() });
    const a = this.attempts.get(e.key);
    if (a) a.nextAt = 0;
    return { status: 'stored', event: e.key, outcomes };
  }

  /** Counts and lists for the status. */
  status(): { announced: number; awaitingOutcome: number; attested: number; failures: EventFailure[]; recent: { event: string; eventId: string; announcementId: string; maturity: string; attested: boolean }[] } {
    const now = this.nowSec();
    let announced = 0;
    let awaiting = 0;
    let attested = 0;
    for (const e of this.deps.state.events) {
      if (this.attested.has(e.announcementId)) attested++;
      else if (e.maturityEpoch > now) announced++;
      else awaiting++;
    }
    const failures = [...this.attempts.values()].map((a) => a.failure).filter((f): f is EventFailure => f !== null);
    const recent = this.deps.state.events
      .slice(-50)
      .map((e) => ({ event: e.key, eventId: e.eventId, announcementId: e.announcementId, maturity: new Date(e.maturityEpoch * 1000).toISOString(), attested: this.attested.has(e.announcementId) }));
    return { announced, awaitingOutcome: awaiting, attested, failures, recent };
  }
}
