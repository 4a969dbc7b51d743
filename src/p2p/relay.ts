/** p2p/relay.ts - inv/getdata/notfound relay and entity intake: known-inventory per peer, global seen cache, in-flight requests, cTTL hop limit. Imports wire and the service interface. */
import type { SignatureWork } from '../protocol/keys.ts';
import type { EntityKind } from '../protocol/types.ts';
import type { VerifyPool } from '../protocol/verify-pool.ts';
import type { MegaService, Prepared, RelayItem } from '../service/service.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { GETDATA_TIMEOUT_MS, MAX_IN_FLIGHT, RELAY_CACHE_SIZE, SEEN_CACHE_SIZE, SEEN_TTL_MS } from './constants.ts';
import { LruMap, LruSet } from '../util/lru.ts';
import type { Peer } from './peer.ts';

/** Collaborators of the relay. */
export interface RelayDeps {
  service: Pick<MegaService, 'submit' | 'getItem' | 'prepare' | 'submitPrepared'>;
  /** Threads that check signatures ahead of admission; null = check inline. */
  verifier?: VerifyPool | null;
  /** Peers whose handshake is done. */
  readyPeers: () => Iterable<Peer>;
  log: Logger;
  now?: () => number;
}

/** Most dependency keys with waiting orphans. */
const MAX_ORPHANS = 1_000;
/** Most orphans waiting on one dependency. */
const MAX_ORPHANS_PER_KEY = 50;
/** Total JSON size of all orphans. */
const MAX_ORPHAN_BYTES = 16 * 1024 * 1024;
/** How long an orphan waits for its dependency. */
const ORPHAN_TTL_MS = 60_000;
/** Most alternate announcers remembered per in-flight item. */
const MAX_ALTERNATES = 4;

/** An item waiting for a dependency. */
interface Orphan {
  kind: EntityKind;
  payload: unknown;
  size: number;
  source: string;
}

/** What a refused item waits for, as `kind:inventoryId` of the dependency, or null if not an orphan. */
function dependencyKey(kind: EntityKind, payload: unknown, reason: string): string | null {
  const p = payload as { oraclePubKey?: unknown; reportId?: unknown; content?: { request?: { capabilityPubKey?: unknown } }; fact?: { request?: { capabilityPubKey?: unknown } } };
  if (typeof p !== 'object' || p === null) return null;
  switch (reason) {
    case 'unknown-oracle':
      return typeof p.oraclePubKey === 'string' ? `oracle:${p.oraclePubKey}` : null;
    case 'unknown-capability': {
      const cap = kind === 'dispute' ? p.fact?.request?.capabilityPubKey : p.content?.request?.capabilityPubKey;
      return typeof p.oraclePubKey === 'string' && typeof cap === 'string' ? `capability:${p.oraclePubKey}${cap}` : null;
    }
    case 'report-not-found':
      return typeof p.reportId === 'string' ? `report:${p.reportId}` : null;
    default:
      return null;
  }
}

/** Signature checks a verifier batch carries before it is sent without waiting for the next turn. */
const BATCH_SIGNATURES = 64;
/** A peer with this many entities waiting in the intake has its reads paused ... */
const INTAKE_HOLD = 1_024;
/** ... until it is down to this many. */
const INTAKE_RELEASE = 256;

/** An entity from a peer waiting to be admitted, in arrival order, once its signature checks are done. */
interface Intake {
  peer: Peer;
  kind: EntityKind;
  payload: unknown;
  /** What the service found when preparing it; null when the payload is not schema-valid. */
  prep: Prepared | null;
  version: string;
  ready: boolean;
}

/** Counters for metrics and tests. */
export interface RelayStats {
  itemsReceived: number;
  itemsSent: number;
  invSent: number;
}

/** Moves items between this node and its peers; never echoes an item to a peer that has it. */
export class Relay {
  private readonly deps: RelayDeps;
  private readonly now: () => number;
  /** Versions already processed here (accepted, duplicate or refused for good). */
  private readonly seen: LruSet<string>;
  /** version -> peer id it was requested from (so it is fetched once). */
  private readonly inFlight: LruMap<string, number>;
  /** version -> other peers that announced it while it was in flight (asked next if the first fails). */
  private readonly alternates: LruMap<string, { item: InvItem; peers: Peer[] }>;
  /** Versions requested from each peer, so a peer that leaves frees them at once. */
  private readonly requestedFrom = new Map<Peer, Set<string>>();
  /** Items refused only because what they depend on is not here yet, keyed by that dependency. */
  private readonly orphans: LruMap<string, Orphan[]>;
  private orphanBytes = 0;
  /** Valid items this node relays without storing (other shards), to answer getdata. */
  private readonly relayCache = new LruMap<string, RelayItem>(RELAY_CACHE_SIZE);
  private readonly pending = new Map<Peer, InvItem[]>();
  private flushScheduled = false;
  /** Entities received, admitted strictly in arrival order (so an oracle is in before its capability). */
  private intake: Intake[] = [];
  private intakeHead = 0;
  /** Signature work gathered this turn, sent to the verifier as one batch. */
  private batch: { works: SignatureWork[]; entries: Intake[]; sigs: number } | null = null;
  /** Entities waiting in the intake per peer (for back-pressure). */
  private readonly backlog = new Map<Peer, number>();
  /** Versions waiting in the intake (not fetched again meanwhile). */
  private readonly admitting = new Set<string>();
  private closed = false;
  readonly stats: RelayStats = { itemsReceived: 0, itemsSent: 0, invSent: 0 };

  constructor(deps: RelayDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.seen = new LruSet(SEEN_CACHE_SIZE, SEEN_TTL_MS, this.now);
    this.inFlight = new LruMap(MAX_IN_FLIGHT, GETDATA_TIMEOUT_MS, this.now);
    this.alternates = new LruMap(MAX_IN_FLIGHT, GETDATA_TIMEOUT_MS, this.now);
    this.orphans = new LruMap(MAX_ORPHANS, ORPHAN_TTL_MS, this.now);
  }

  /** An item became available here (service `item:relay`): announce it to every peer that lacks it. */
  announce(item: RelayItem): void {
    this.seen.add(item.version);
    if (this.deps.service.getItem(item.kind, item.id) === undefined) this.relayCache.set(item.version, item);
    this.adoptOrphans(item);
    // cTTL is a hop limit: an item that arrived with 0 stays here.
    if (item.cTTL !== null && item.cTTL <= 0) return;
    for (const peer of this.deps.readyPeers()) {
      if (peer.known.has(item.version)) continue;
      peer.known.add(item.version);
      this.queueInv(peer, { type: item.kind, id: item.id, version: item.version });
    }
  }

  /** Queue inventory for a peer; flushed in batches of at most MAX_INV_ITEMS on the next turn. */
  queueInv(peer: Peer, item: InvItem): void {
    let list = this.pending.get(peer);
    if (!list) this.pending.set(peer, (list = []));
    list.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** `inv` from a peer: request what we have not processed and nobody is fetching yet. */
  handleInv(peer: Peer, items: InvItem[]): void {
    const want: InvItem[] = [];
    for (const it of items) {
      peer.known.add(it.version);
      if (this.seen.has(it.version) || this.admitting.has(it.version)) continue;
      const inflight = this.inFlight.get(it.version);
      if (inflight !== undefined && inflight !== peer.id) {
        // Someone else is delivering it; remember this peer in case they never do.
        const alt = this.alternates.get(it.version) ?? { item: it, peers: [] };
        if (alt.peers.length < MAX_ALTERNATES && !alt.peers.includes(peer)) alt.peers.push(peer);
        this.alternates.set(it.version, alt);
        continue;
      }
      if (this.deps.service.getItem(it.type, it.id)?.version === it.version) {
        this.seen.add(it.version);
        continue;
      }
      this.request(peer, it);
      want.push(it);
    }
    if (want.length) peer.send({ command: 'getdata', payload: { items: want } });
  }

  private request(peer: Peer, it: InvItem): void {
    this.inFlight.set(it.version, peer.id);
    let set = this.requestedFrom.get(peer);
    if (!set) this.requestedFrom.set(peer, (set = new Set()));
    set.add(it.version);
  }

  /** A request to `failed` will not be answered: ask the next peer that announced it, if any. */
  private retryElsewhere(version: string, failed: Peer): void {
    if (this.inFlight.get(version) === failed.id) this.inFlight.delete(version);
    this.requestedFrom.get(failed)?.delete(version);
    const alt = this.alternates.get(version);
    if (!alt || this.seen.has(version)) return;
    while (alt.peers.length) {
      const next = alt.peers.shift() as Peer;
      if (next === failed || next.isClosed || !next.isReady) continue;
      this.request(next, alt.item);
      next.send({ command: 'getdata', payload: { items: [alt.item] } });
      return;
    }
    this.alternates.delete(version);
  }

  /** `getdata`: send each item (cTTL lowered by one hop) or list it in `notfound`. */
  handleGetData(peer: Peer, items: InvItem[]): void {
    const missing: InvItem[] = [];
    for (const it of items) {
      const stored = this.deps.service.getItem(it.type, it.id);
      const found = stored ?? this.relayCache.get(it.version);
      if (!found) {
        missing.push(it);
        continue;
      }
      peer.known.add(found.version);
      const msg = found.cTTL === null ? found.msg : { ...found.msg, cTTL: Math.max(0, found.cTTL - 1) };
      this.stats.itemsSent++;
      if (!peer.send({ command: found.kind, payload: msg })) return;
    }
    if (missing.length) peer.send({ command: 'notfound', payload: { items: missing } });
  }

  /** `notfound`: let another peer's announcement fetch it. */
  handleNotFound(peer: Peer, items: InvItem[]): void {
    for (const it of items) this.retryElsewhere(it.version, peer);
  }

  /**
   * An entity from a peer (requested or pushed): admitted exactly like one submitted by REST, in
   * arrival order. Its signature checks go to the verifier threads first when there are any; a
   * peer whose entities pile up has its reads paused until the intake drains.
   */
  handleEntity(peer: Peer, kind: EntityKind, payload: unknown): void {
    if (this.closed) return;
    const prep = this.deps.service.prepare(kind, payload);
    // Null: not schema-valid; the admission below names the problem.
    const version = prep?.version ?? '';
    if (version) {
      this.inFlight.delete(version);
      this.alternates.delete(version);
      this.requestedFrom.get(peer)?.delete(version);
      peer.known.add(version);
      // Already processed, or a copy is waiting in the intake: either way this one is not needed.
      if (this.seen.has(version) || this.admitting.has(version)) return;
    }
    this.stats.itemsReceived++;
    const entry: Intake = { peer, kind, payload, prep, version, ready: true };
    const pool = this.deps.verifier;
    if (pool && prep && (prep.work.sigs.length > 0 || prep.work.pubkeys.length > 0)) {
      entry.ready = false;
      this.addToBatch(pool, entry, prep.work);
    }
    if (entry.ready && this.intakeHead === this.intake.length) {
      this.admit(entry);
      return;
    }
    this.intake.push(entry);
    if (version) this.admitting.add(version);
    const n = (this.backlog.get(peer) ?? 0) + 1;
    this.backlog.set(peer, n);
    if (n === INTAKE_HOLD) peer.hold(true);
  }

  /** Entities received and not admitted yet. */
  get intakeLength(): number {
    return this.intake.length - this.intakeHead;
  }

  private addToBatch(pool: VerifyPool, entry: Intake, work: SignatureWork): void {
    if (!this.batch) {
      this.batch = { works: [], entries: [], sigs: 0 };
      setImmediate(() => this.sendBatch(pool));
    }
    this.batch.entries.push(entry);
    this.batch.works.push(work);
    this.batch.sigs += work.sigs.length;
    if (this.batch.sigs >= BATCH_SIGNATURES) this.sendBatch(pool);
  }

  private sendBatch(pool: VerifyPool): void {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    void pool.run(b.works).then(() => {
      for (const e of b.entries) e.ready = true;
      this.drainIntake();
    });
  }

  /** Admit entities from the head of the intake while they are ready. */
  private drainIntake(): void {
    while (this.intakeHead < this.intake.length && !this.closed) {
      const e = this.intake[this.intakeHead] as Intake;
      if (!e.ready) break;
      this.intake[this.intakeHead++] = undefined as unknown as Intake;
      const n = (this.backlog.get(e.peer) ?? 1) - 1;
      if (n === 0) this.backlog.delete(e.peer);
      else this.backlog.set(e.peer, n);
      if (n === INTAKE_RELEASE - 1 || n === 0) e.peer.hold(false);
      this.admitting.delete(e.version);
      try {
        this.admit(e);
      } catch (err) {
        this.deps.log.error({ err }, 'bug in entity admission; item dropped');
      }
    }
    if (this.intakeHead === this.intake.length) {
      this.intake = [];
      this.intakeHead = 0;
    } else if (this.intakeHead > 4096 && this.intakeHead > this.intake.length / 2) {
      this.intake = this.intake.slice(this.intakeHead);
      this.intakeHead = 0;
    }
  }

  private admit(e: Intake): void {
    const { peer, kind, payload, version } = e;
    const source = `p2p:${peer.ip}:${peer.remotePort}`;
    const r = e.prep ? this.deps.service.submitPrepared(e.prep, source) : this.deps.service.submit(kind, payload, source);
    if (r.status === 'rejected') {
      // Reasons with ban score 0 depend on our state (e.g. the oracle is not here yet): allow a
      // later retry. Anything else is final for this version, and the sender pays.
      if (r.banScore > 0) {
        if (version) this.seen.add(version);
        peer.misbehave(r.banScore, r.reason);
      } else {
        this.keepOrphan(kind, payload, r.reason, source);
      }
      return;
    }
    if (version) this.seen.add(version);
  }

  /** Stop admitting: what waits in the intake is dropped (the node is stopping). */
  close(): void {
    this.closed = true;
    this.intake = [];
    this.intakeHead = 0;
    this.batch = null;
    this.backlog.clear();
    this.admitting.clear();
  }

  /** Forget a peer's queued announcements; what was requested from it is asked of another announcer. */
  dropPeer(peer: Peer): void {
    this.pending.delete(peer);
    const requested = this.requestedFrom.get(peer);
    this.requestedFrom.delete(peer);
    for (const v of requested ?? []) this.retryElsewhere(v, peer);
  }

  /** Dependency keys that may have waiting orphans (stale ones are dropped by recountOrphans). */
  private readonly orphanKeys = new Set<string>();

  /**
   * Keep an item refused only because its oracle, capability or report is not here yet (it may be
   * in flight from another peer); it is admitted again when that dependency arrives (bitcoin's orphan pool).
   */
  private keepOrphan(kind: EntityKind, payload: unknown, reason: string, source: string): void {
    const key = dependencyKey(kind, payload, reason);
    if (key === null) return;
    const size = JSON.stringify(payload).length;
    if (this.orphanBytes + size > MAX_ORPHAN_BYTES || this.orphanKeys.size > 2 * MAX_ORPHANS) this.recountOrphans();
    if (size > MAX_ORPHAN_BYTES / 16 || this.orphanBytes + size > MAX_ORPHAN_BYTES) return;
    const list = this.orphans.get(key) ?? [];
    if (list.length >= MAX_ORPHANS_PER_KEY) return;
    list.push({ kind, payload, size, source });
    this.orphans.set(key, list);
    this.orphanKeys.add(key);
    this.orphanBytes += size;
  }

  private adoptOrphans(item: RelayItem): void {
    const key = `${item.kind}:${item.id}`;
    if (!this.orphanKeys.has(key)) return;
    const list = this.orphans.get(key);
    this.orphanKeys.delete(key);
    if (!list) {
      this.recountOrphans(); // expired or evicted meanwhile
      return;
    }
    this.orphans.delete(key);
    for (const o of list) this.orphanBytes -= o.size;
    for (const o of list) this.deps.service.submit(o.kind, o.payload, o.source);
  }

  /** Drop bookkeeping of orphan lists that expired or were evicted from the LRU. */
  private recountOrphans(): void {
    let bytes = 0;
    for (const key of [...this.orphanKeys]) {
      const list = this.orphans.get(key);
      if (!list) this.orphanKeys.delete(key);
      else for (const o of list) bytes += o.size;
    }
    this.orphanBytes = bytes;
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const [peer, items] of this.pending) {
      this.pending.delete(peer);
      if (peer.isClosed) continue;
      for (let i = 0; i < items.length; i += MAX_INV_ITEMS) {
        this.stats.invSent++;
        if (!peer.send({ command: 'inv', payload: { items: items.slice(i, i + MAX_INV_ITEMS) } })) break;
      }
    }
  }
}
