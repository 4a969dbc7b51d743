/** service/intake.ts - the one admission door: every entity, from REST or a peer, is prepared (schema, version, signature work), its signatures checked on verifier threads when there are any, and admitted strictly in arrival order; duplicates and recent refusals are answered without rework; orphans wait for their dependency and are re-queued, never admitted inside another admission. Imports protocol and service only. */
import { shortId } from '../protocol/ids.ts';
import type { EntityKind } from '../protocol/types.ts';
import type { SignatureWork } from '../protocol/keys.ts';
import type { VerifyPool } from '../protocol/verify-pool.ts';
import { LruMap } from '../util/lru.ts';
import type { AdmissionRules, Deferred, Prepared } from './admission.ts';
import { IntakeBudget, type IntakeLimits } from './intake-budget.ts';
import { OrphanPool } from './orphans.ts';
import { rejected, type AdmissionResult, type AdmissionSource } from './types.ts';

/** Signature checks a verifier batch carries before it is sent without waiting for the next turn (64: both threads stay busy, measured in bench/ingest.ts). */
export const BATCH_SIGNATURES = 64;
/** What one BIP340 check counts toward {@link BATCH_SIGNATURES}: ~5 ECDSA checks of work (tiny-secp256k1 ~220 µs against ~50 µs, quiet machine); an x-only point check counts 1/2. */
const SCHNORR_WEIGHT = 5;

/** ECDSA-equivalent checks of one work list (how full it makes a verifier batch). */
function checkWeight(w: SignatureWork): number {
  return w.sigs.length + SCHNORR_WEIGHT * (w.schnorr?.length ?? 0) + (w.points?.length ?? 0) / 2;
}

/**
 * An entity arrives *alone* when the one before it came at least this long (ms) before, and nothing
 * is queued, open in a batch or at a thread. Alone, a thread round trip (two wake-ups) costs more
 * latency than the checks themselves — on a busy machine it is most of a relay hop — and batching
 * pays only under load; so an entity arriving alone is checked inline. Under load (frames of one
 * socket read, concurrent REST requests: microseconds apart) entities go to the threads as before.
 */
export const ALONE_GAP_MS = 1;
/** ECDSA-equivalent checks an entity arriving alone may carry and still be checked inline (~0.4 ms of work: an ad, a capability, a report, an enum announcement or attestation). */
export const ALONE_MAX_WEIGHT = 8;

/** Does `w` hold any check for a verifier thread? */
function hasChecks(w: SignatureWork): boolean {
  return w.sigs.length > 0 || w.pubkeys.length > 0 || (w.schnorr?.length ?? 0) > 0 || (w.points?.length ?? 0) > 0;
}
/** Versions whose outcome is final (stored, passed on, or refused for good), answered as duplicates or the same refusal without rework. */
export const DECIDED_CACHE_SIZE = 200_000;
/** How long a final outcome is remembered. */
export const DECIDED_TTL_MS = 10 * 60_000;
/** How long a refusal that depends on this node's state (ban score 0: the oracle is not here yet…) is remembered. */
export const STATE_REFUSAL_TTL_MS = 30_000;
/** Distinct sources remembered per refused version (a repeat from one of them is charged). */
const MAX_REFUSAL_SOURCES = 8;

/** What is remembered of a version whose admission ended. */
type Decision = { readonly kind: 'done'; readonly status: 'duplicate' | 'out-of-shard' } | { kind: 'refused'; result: Extract<AdmissionResult, { status: 'rejected' }>; sources: string[] };

/** The final outcomes, shared by every version they answer (one object each, not one per version). */
const DONE_DUPLICATE: Decision = Object.freeze({ kind: 'done', status: 'duplicate' });
const DONE_OUT_OF_SHARD: Decision = Object.freeze({ kind: 'done', status: 'out-of-shard' });

/** An entity waiting to be admitted. */
interface Entry {
  prep: Prepared;
  vid: string;
  source: AdmissionSource;
  bytes: number;
  ready: boolean;
  /** Admitted once already and deferred (a bid lookup): the second admission decides. */
  retried?: boolean;
  /** Told the outcome ({@link Intake.admit}); null for {@link Intake.offer} (the source's onOutcome only). */
  resolve: ((r: AdmissionResult) => void) | null;
  /** The caller's tag, handed back with the outcome to the source's onOutcome ({@link Intake.offer}). */
  tag: string | undefined;
}

/** Collaborators of the intake. */
export interface IntakeDeps {
  rules: Pick<AdmissionRules, 'prepare' | 'admit'>;
  /** Threads that check signatures ahead of admission; null = check inline. */
  verifier: VerifyPool | null;
  /** Every outcome, for metrics, logs and the `admission` event. Must not throw. */
  onResult: (r: AdmissionResult, source: AdmissionSource) => void;
  /** A bug in admission (an exception): logged, the item dropped. */
  onBug: (err: unknown) => void;
  /**
   * Does the store hold this version and promise to hand it to {@link Intake.retired} when it no
   * longer does (replaced or removed)? Such a version is answered as a duplicate from the store and
   * costs no decided-cache entry while stored (~150 B each; docs/benchmarks.md, memory). Absent:
   * every final outcome is cached.
   */
  tracksVersion?: (vid: string) => boolean;
  now?: () => number;
  /** Check an entity arriving alone inline ({@link ALONE_GAP_MS}; default true). */
  inlineAlone?: boolean;
  /** Monotonic milliseconds for {@link ALONE_GAP_MS} (default `performance.now`). */
  monotonic?: () => number;
  limits?: IntakeLimits;
}

/** Counters for metrics and tests. */
export interface IntakeStats {
  /** Payloads offered to {@link Intake.admit}. */
  received: number;
  /** Answered from the decided cache or the waiting set, without admission work. */
  answeredFromCache: number;
  /** Orphans re-queued after their dependency arrived. */
  orphansRequeued: number;
}

/**
 * The admission queue. {@link admit} is the only way into the mempool: REST awaits its promise; the
 * P2P relay passes one {@link AdmissionSource} per peer and learns outcomes through its hooks.
 * Order: an entity is admitted only after every entity offered before it (an oracle before its
 * capability), whatever thread checked its signatures.
 */
export class Intake {
  private readonly deps: IntakeDeps;
  private queue: (Entry | undefined)[] = [];
  private head = 0;
  /** Versions waiting in the queue, or deferred. */
  private readonly waiting = new Set<string>();
  /** Entities whose admission waits for something slow (a bid lookup), outside the queue: nothing behind them waits. */
  private readonly deferred = new Set<Entry>();
  /** Final outcomes and recent refusals, by short version id. */
  private readonly decided: LruMap<string, Decision>;
  private readonly stateRefusals: LruMap<string, Decision>;
  private readonly orphans: OrphanPool;
  private readonly budget: IntakeBudget<AdmissionSource>;
  private batch: { works: SignatureWork[]; entries: Entry[]; /** ECDSA-equivalent checks (checkWeight). */ sigs: number } | null = null;
  private drainScheduled = false;
  /** An admission is running: anything offered meanwhile (an orphan released by its event) waits for a later turn. */
  private running = false;
  private closed = false;
  /** Batches at a verifier thread, not answered yet. */
  private inFlight = 0;
  /** When the last entity was queued ({@link IntakeDeps.monotonic}). */
  private lastArrival = -Infinity;
  readonly stats: IntakeStats = { received: 0, answeredFromCache: 0, orphansRequeued: 0 };

  constructor(deps: IntakeDeps) {
    this.deps = deps;
    const now = deps.now ?? Date.now;
    this.decided = new LruMap(DECIDED_CACHE_SIZE, DECIDED_TTL_MS, now);
    this.stateRefusals = new LruMap(DECIDED_CACHE_SIZE / 4, STATE_REFUSAL_TTL_MS, now);
    this.orphans = new OrphanPool(now);
    this.budget = new IntakeBudget(deps.limits);
  }

  /**
   * Offer one untrusted payload (`bytes`: its size on the wire, for back-pressure). Resolves with
   * its outcome once every earlier entity is admitted; never rejects.
   */
  admit(kind: EntityKind, payload: unknown, source: AdmissionSource, bytes = 0): Promise<AdmissionResult> {
    return new Promise((resolve) => {
      const r = this.take(kind, payload, source, bytes, resolve, undefined);
      if (r !== null) resolve(r);
    });
  }

  /**
   * {@link admit} without a Promise: the outcome goes only to the source's `onOutcome`, with `tag`
   * (the P2P relay: one per received entity, so no Promise, closure or microtask per entity).
   */
  offer(kind: EntityKind, payload: unknown, source: AdmissionSource, bytes = 0, tag?: string): void {
    this.take(kind, payload, source, bytes, null, tag);
  }

  /** The door behind {@link admit} and {@link offer}: the outcome when answered at once (already finished), else null (queued; `resolve` and onOutcome are told later). */
  private take(kind: EntityKind, payload: unknown, source: AdmissionSource, bytes: number, resolve: ((r: AdmissionResult) => void) | null, tag: string | undefined): AdmissionResult | null {
    this.stats.received++;
    if (this.closed) return this.finish(rejected(kind, null, 'shutting-down', 'this node is stopping'), source, null, false, undefined, tag);
    const prep = this.deps.rules.prepare(kind, payload);
    if ('status' in prep) return this.finish(prep, source, null, false, undefined, tag);
    const vid = shortId(prep.version);
    const known = source.isPeer ? this.known(prep, vid, source) : null;
    // After known(): `fresh` spares the source the lookups the intake has just made (known() changes nothing the source reads).
    source.onVersion?.(vid, kind, payload, source.isPeer === true && known === null);
    if (known) {
      this.stats.answeredFromCache++;
      return this.finish(known, source, vid, false, undefined, tag);
    }
    this.enqueue({ prep, vid, source, bytes, ready: true, resolve, tag });
    return null;
  }

  /** Is this version waiting here, or was its outcome final or recently refused? (The relay does not fetch it again; it asks the store about stored versions itself.) */
  knows(vid: string): boolean {
    // Size first: on a node fetching what it lacks (sync on join) both caches are mostly empty.
    return this.waiting.has(vid) || (this.decided.size > 0 && this.decided.has(vid)) || (this.stateRefusals.size > 0 && this.stateRefusals.has(vid));
  }

  /**
   * A version the store tracked ({@link IntakeDeps.tracksVersion}) was replaced or removed: it is
   * remembered as decided from now on, so a peer announcing it again is not asked for it and its
   * copies are not admitted again (a superseded or evicted version must not come back in a loop).
   */
  retired(vid: string): void {
    this.decided.set(vid, DONE_DUPLICATE);
  }

  /**
   * The item `kind`/`id` (inventory id) arrived: entities that waited for it are queued again, behind
   * everything already waiting, and admitted on a later turn (never inside the current admission).
   */
  release(kind: EntityKind, id: string): void {
    const list = this.orphans.take(kind, id);
    if (list.length === 0 || this.closed) return;
    for (const o of list) {
      this.stateRefusals.delete(o.vid);
      this.stats.orphansRequeued++;
      this.offer(o.kind, o.payload, o.source, 0);
    }
  }

  /** Entities offered and not admitted yet. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Versions remembered as decided (refused for good, passed on, or no longer stored) and recent state refusals: stored versions are not among them. */
  get decidedCount(): number {
    return this.decided.size + this.stateRefusals.size;
  }

  /** Payload bytes waiting, over all sources. */
  get waitingBytes(): number {
    return this.budget.totalBytes;
  }

  /** Entities whose admission is deferred now (a bid lookup at a full mempool). */
  get deferredCount(): number {
    return this.deferred.size;
  }

  /** Stop admitting: what waits is answered as refused (the node is stopping) and sources are released. */
  close(): void {
    this.closed = true;
    const pending = [...this.queue.slice(this.head), ...this.deferred];
    this.deferred.clear();
    this.queue = [];
    this.head = 0;
    this.batch = null;
    this.budget.clear();
    this.waiting.clear();
    for (const e of pending) if (e) e.resolve?.(rejected(e.prep.kind, e.prep.id, 'shutting-down', 'this node is stopping'));
  }

  // ---- internals -----------------------------------------------------------------------------

  /** The answer for a version that needs no admission work, or null. */
  private known(prep: Prepared, vid: string, source: AdmissionSource): AdmissionResult | null {
    const { kind, id } = prep;
    if (this.waiting.has(vid) || this.deps.tracksVersion?.(vid) === true) return { status: 'duplicate', kind, id };
    const d = (this.decided.size > 0 ? this.decided.get(vid) : undefined) ?? (this.stateRefusals.size > 0 ? this.stateRefusals.get(vid) : undefined);
    if (!d) return null;
    if (d.kind === 'done') return { status: d.status, kind, id };
    // A refusal: the same answer without the signature work. A source sending the very version it
    // was refused for again is charged (11.10): honest peers remember what they sent.
    if (d.sources.includes(source.id)) {
      return d.result.banScore > 0 ? d.result : rejected(kind, id, 'repeated-refusal', `sent again after it was refused: ${d.result.reason}`);
    }
    if (d.sources.length < MAX_REFUSAL_SOURCES) d.sources.push(source.id);
    return d.result;
  }

  private enqueue(e: Entry): void {
    const pool = this.deps.verifier;
    const work = e.prep.work;
    const alone = this.arrivedAlone(work);
    if (pool && hasChecks(work) && !alone) {
      e.ready = false;
      this.addToBatch(pool, e);
    }
    if (e.ready && this.head === this.queue.length && !this.running) {
      this.run(e);
      return;
    }
    this.queue.push(e);
    this.waiting.add(e.vid);
    this.budget.add(e.source, e.bytes);
    if (e.ready) this.scheduleDrain();
  }

  /** Did this entity arrive alone ({@link ALONE_GAP_MS}), light enough to check inline? Notes its arrival time. */
  private arrivedAlone(work: SignatureWork): boolean {
    const at = this.deps.monotonic ? this.deps.monotonic() : performance.now();
    const gap = at - this.lastArrival;
    this.lastArrival = at;
    if (this.deps.inlineAlone === false || gap < ALONE_GAP_MS) return false;
    return this.inFlight === 0 && this.batch === null && this.head === this.queue.length && !this.running && checkWeight(work) <= ALONE_MAX_WEIGHT;
  }

  private addToBatch(pool: VerifyPool, e: Entry): void {
    if (!this.batch) {
      this.batch = { works: [], entries: [], sigs: 0 };
      setImmediate(() => this.sendBatch(pool));
    }
    this.batch.entries.push(e);
    this.batch.works.push(e.prep.work);
    this.batch.sigs += checkWeight(e.prep.work);
    if (this.batch.sigs >= BATCH_SIGNATURES) this.sendBatch(pool);
  }

  private sendBatch(pool: VerifyPool): void {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    this.inFlight++;
    void pool.run(b.works).then(() => {
      this.inFlight--;
      for (const e of b.entries) e.ready = true;
      this.drain();
    });
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** Admit entities from the head of the queue while they are ready. */
  private drain(): void {
    if (this.running) return this.scheduleDrain();
    while (this.head < this.queue.length && !this.closed) {
      const e = this.queue[this.head] as Entry;
      if (!e.ready) break;
      this.queue[this.head++] = undefined;
      this.budget.remove(e.source, e.bytes);
      this.waiting.delete(e.vid);
      this.run(e);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head > this.queue.length / 2) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Admission of `e` waits for `until` (a bid lookup): it leaves the queue, so what comes behind it is
   * admitted meanwhile, and is queued again, behind everything offered until then, once it settles.
   * Its version stays "waiting" (copies from peers are duplicates, not second lookups).
   */
  private defer(e: Entry, until: Promise<unknown>): void {
    this.deferred.add(e);
    this.waiting.add(e.vid);
    const requeue = (): void => {
      if (!this.deferred.delete(e)) return; // closed meanwhile: already answered
      e.retried = true;
      e.ready = true; // its signatures were checked by the first admission
      this.queue.push(e);
      this.budget.add(e.source, e.bytes); // drain() takes it off again, as for any queued entity
      this.scheduleDrain();
    };
    until.then(requeue, requeue);
  }

  /** Admit one entity now and settle it. */
  private run(e: Entry): void {
    let r: AdmissionResult | Deferred;
    this.running = true;
    try {
      r = this.deps.rules.admit(e.prep, { sourceId: e.source.id, retried: e.retried === true });
    } catch (err) {
      this.deps.onBug(err);
      this.running = false;
      // Not remembered as decided: the next copy gets a fresh admission.
      const bug = this.finish(rejected(e.prep.kind, e.prep.id, 'internal-error', 'internal error while admitting; the item was dropped'), e.source, e.vid, false, undefined, e.tag);
      e.resolve?.(bug);
      return;
    } finally {
      this.running = false;
    }
    if (r.status === 'deferred') {
      if (e.retried) this.deps.onBug(new Error('admission deferred an entity twice'));
      else return this.defer(e, r.until);
      r = rejected(e.prep.kind, e.prep.id, 'internal-error', 'internal error while admitting; the item was dropped');
    }
    const out = this.finish(r, e.source, e.vid, true, e.prep, e.tag);
    e.resolve?.(out);
  }

  /** Record, report and return an outcome. */
  private finish(r: AdmissionResult, source: AdmissionSource, vid: string | null, admitted: boolean, prep?: Prepared, tag?: string): AdmissionResult {
    if (vid && admitted) {
      // A stored version the store tracks is answered from the store, and cached here once it leaves (retired).
      if (r.status === 'out-of-shard') this.decided.set(vid, DONE_OUT_OF_SHARD);
      else if (r.status !== 'rejected') {
        // An accepted version is stored (were it evicted meanwhile, `retired` has recorded it already).
        if (r.status !== 'accepted' && this.deps.tracksVersion?.(vid) !== true) this.decided.set(vid, DONE_DUPLICATE);
      }
      else if (r.banScore > 0) this.decided.set(vid, { kind: 'refused', result: r, sources: [source.id] });
      else {
        this.stateRefusals.set(vid, { kind: 'refused', result: r, sources: [source.id] });
        // Refused only because what it depends on is not here yet (it may be in flight from another peer).
        if (source.isPeer && prep) this.orphans.keep(prep.kind, prep.payload, r.reason, source, vid);
      }
    }
    try {
      this.deps.onResult(r, source);
      source.onOutcome?.(r, vid, tag);
    } catch (err) {
      this.deps.onBug(err);
    }
    return r;
  }
}
