/** p2p/relay.ts - inv/getdata/notfound relay and entity intake: known-inventory per peer, global seen cache, in-flight requests, cTTL hop limit; every item is named by its short version id (docs/PROTOCOL.md 11.6). Imports wire and the service interface. */
import type { SignatureWork } from '../protocol/keys.ts';
import type { EntityKind } from '../protocol/types.ts';
import type { VerifyPool } from '../protocol/verify-pool.ts';
import { shortId } from '../protocol/ids.ts';
import type { MegaService, Prepared, RelayItem } from '../service/service.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { GETDATA_HIGH_WATER_BYTES, GETDATA_TIMEOUT_MS, MAX_GETDATA_QUEUE, MAX_IN_FLIGHT, RELAY_CACHE_BYTES, RELAY_CACHE_SIZE, SEEN_CACHE_SIZE, SEEN_TTL_MS } from './constants.ts';
import { LruMap, LruSet } from '../util/lru.ts';
import { OrphanPool } from './orphans.ts';
import { IntakeBudget } from './intake-budget.ts';
import type { Peer } from './peer.ts';

/** Collaborators of the relay. */
export interface RelayDeps {
  service: Pick<MegaService, 'submit' | 'getItemByShortId' | 'prepare' | 'submitPrepared'>;
  /** Threads that check signatures ahead of admission; null = check inline. */
  verifier?: VerifyPool | null;
  /** Peers whose handshake is done. */
  readyPeers: () => Iterable<Peer>;
  log: Logger;
  now?: () => number;
}

/** Most alternate announcers remembered per in-flight item. */
const MAX_ALTERNATES = 4;

/** Signature checks a verifier batch carries before it is sent without waiting for the next turn. */
const BATCH_SIGNATURES = 64;

/** An entity from a peer waiting to be admitted, in arrival order, once its signature checks are done. */
interface Intake {
  peer: Peer;
  kind: EntityKind;
  payload: unknown;
  /** What the service found when preparing it; null when the payload is not schema-valid. */
  prep: Prepared | null;
  /** Short version id ('' when not schema-valid). */
  vid: string;
  /** Payload size on the wire (intake back-pressure). */
  bytes: number;
  ready: boolean;
}

/** Short ids a peer asked for and that are not served yet, in request order. */
interface ServeQueue {
  ids: InvItem[];
  head: number;
  /** Waiting for the peer's socket to drain. */
  waiting: boolean;
}

/** Counters for metrics and tests. */
export interface RelayStats {
  itemsReceived: number;
  itemsSent: number;
  invSent: number;
}

/**
 * Moves items between this node and its peers; never echoes an item to a peer that has it. Every
 * map and set below is keyed by the short version id (`vid`, docs/PROTOCOL.md 11.6): what inv,
 * getdata and notfound carry, and 22 characters instead of a 64-character hash.
 */
export class Relay {
  private readonly deps: RelayDeps;
  private readonly now: () => number;
  /** Versions already processed here (accepted, duplicate or refused for good). */
  private readonly seen: LruSet<string>;
  /** vid -> peer id it was requested from (so it is fetched once). */
  private readonly inFlight: LruMap<string, number>;
  /** vid -> other peers that announced it while it was in flight (asked next if the first fails). */
  private readonly alternates: LruMap<string, Peer[]>;
  /** Versions requested from each peer, so a peer that leaves frees them at once. */
  private readonly requestedFrom = new Map<Peer, Set<string>>();
  /** Items refused only because what they depend on is not here yet, keyed by that dependency. */
  private readonly orphans: OrphanPool;
  /** Valid items this node relays without storing (other shards), by vid, to answer getdata. */
  private readonly relayCache = new LruMap<string, RelayItem>(RELAY_CACHE_SIZE, Infinity, Date.now, { maxBytes: RELAY_CACHE_BYTES, sizeOf: (item) => JSON.stringify(item.msg).length });
  private readonly pending = new Map<Peer, InvItem[]>();
  /** getdata being served, per peer (paced by the peer's send backlog). */
  private readonly serving = new Map<Peer, ServeQueue>();
  private flushScheduled = false;
  /** Entities received, admitted strictly in arrival order (so an oracle is in before its capability). */
  private intake: Intake[] = [];
  private intakeHead = 0;
  /** Signature work gathered this turn, sent to the verifier as one batch. */
  private batch: { works: SignatureWork[]; entries: Intake[]; sigs: number } | null = null;
  /** Entities and bytes waiting in the intake, per peer and in all (back-pressure). */
  private readonly budget = new IntakeBudget<Peer>();
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
    this.orphans = new OrphanPool(this.now);
  }

  /** An item became available here (service `item:relay`): announce it to every peer that lacks it. */
  announce(item: RelayItem): void {
    const sid = shortId(item.version);
    const stored = this.deps.service.getItemByShortId(sid);
    // Key the seen cache and the known sets by the mempool's own copy of the id: they then cost no string of their own.
    const vid = stored?.version ?? sid;
    this.seen.add(vid);
    if (!stored) this.relayCache.set(vid, item);
    // cTTL is a hop limit: an item that arrived with 0 stays here.
    if (item.cTTL === null || item.cTTL > 0) {
      for (const peer of this.deps.readyPeers()) {
        if (peer.known.has(vid)) continue;
        peer.known.add(vid);
        this.queueInv(peer, vid);
      }
    }
    // Whatever waited for this item is admitted again now, without another announcement; it is
    // queued after this item, so peers hear of (and fetch) the dependency first.
    for (const o of this.orphans.take(item.kind, item.id)) this.deps.service.submit(o.kind, o.payload, o.source);
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

  /**
   * `inv` from a peer: request, in one `getdata`, every version not processed here, not waiting in
   * the intake, not requested from another peer (this one becomes an alternate) and not stored here.
   */
  handleInv(peer: Peer, items: InvItem[]): void {
    const want: InvItem[] = [];
    for (const vid of items) {
      peer.known.add(vid);
      if (this.seen.has(vid) || this.admitting.has(vid)) continue;
      const inflight = this.inFlight.get(vid);
      if (inflight === peer.id) continue; // already asked of this very peer (a repeated id)
      if (inflight !== undefined) {
        // Someone else is delivering it; remember this peer in case they never do.
        const alt = this.alternates.get(vid) ?? [];
        if (alt.length < MAX_ALTERNATES && !alt.includes(peer)) alt.push(peer);
        this.alternates.set(vid, alt);
        continue;
      }
      // The version index holds exactly the stored versions: a hit is this very version.
      if (this.deps.service.getItemByShortId(vid) !== undefined) {
        this.seen.add(vid);
        continue;
      }
      this.request(peer, vid);
      want.push(vid);
    }
    if (want.length) peer.send({ command: 'getdata', payload: { items: want } });
  }

  private request(peer: Peer, vid: string): void {
    this.inFlight.set(vid, peer.id);
    let set = this.requestedFrom.get(peer);
    if (!set) this.requestedFrom.set(peer, (set = new Set()));
    set.add(vid);
  }

  /** A request to `failed` will not be answered: ask the next peer that announced it, if any. */
  private retryElsewhere(vid: string, failed: Peer): void {
    if (this.inFlight.get(vid) === failed.id) this.inFlight.delete(vid);
    this.requestedFrom.get(failed)?.delete(vid);
    const alt = this.alternates.get(vid);
    if (!alt || this.seen.has(vid)) return;
    while (alt.length) {
      const next = alt.shift() as Peer;
      if (next === failed || next.isClosed || !next.isReady) continue;
      this.request(next, vid);
      next.send({ command: 'getdata', payload: { items: [vid] } });
      return;
    }
    this.alternates.delete(vid);
  }

  /**
   * `getdata`: send the item whose current version has each short id (cTTL lowered by one hop), or
   * the copy of another shard's item kept in the relay cache; list the rest in `notfound`. A
   * replaced version is not found: its successor travels under its own inv. Requests are served in
   * order while the peer's unsent data is below GETDATA_HIGH_WATER_BYTES and the rest as its socket
   * drains, so a peer fetching a whole inventory is paced, never dropped for send-buffer-full.
   */
  handleGetData(peer: Peer, items: InvItem[]): void {
    let q = this.serving.get(peer);
    if (!q) this.serving.set(peer, (q = { ids: [], head: 0, waiting: false }));
    const room = MAX_GETDATA_QUEUE - (q.ids.length - q.head);
    // Past the bound the peer is asking for more than any honest node has in flight: not found, ask again later.
    if (items.length > room) this.sendNotFound(peer, items.slice(Math.max(0, room)));
    for (let i = 0; i < items.length && i < room; i++) q.ids.push(items[i] as InvItem);
    if (!q.waiting) this.serve(peer, q);
  }

  /** Serve a peer's queued getdata until its send backlog reaches the high-water mark; resume on drain. */
  private serve(peer: Peer, q: ServeQueue): void {
    const missing: InvItem[] = [];
    while (q.head < q.ids.length && !peer.isClosed && peer.sendBacklog < GETDATA_HIGH_WATER_BYTES) {
      const vid = q.ids[q.head++] as InvItem;
      // Looked up when served, not when asked: a version replaced meanwhile is notfound.
      const found = this.deps.service.getItemByShortId(vid) ?? this.relayCache.get(vid);
      if (!found) {
        missing.push(vid);
        continue;
      }
      peer.known.add(vid);
      const msg = found.cTTL === null ? found.msg : { ...found.msg, cTTL: Math.max(0, found.cTTL - 1) };
      this.stats.itemsSent++;
      peer.send({ command: found.kind, payload: msg });
    }
    this.sendNotFound(peer, missing);
    if (peer.isClosed || q.head >= q.ids.length) {
      if (this.serving.get(peer) === q) this.serving.delete(peer);
      return;
    }
    if (q.head > 4096 && q.head > q.ids.length / 2) {
      q.ids = q.ids.slice(q.head);
      q.head = 0;
    }
    q.waiting = true;
    void peer.whenDrained(GETDATA_HIGH_WATER_BYTES).then(() => {
      q.waiting = false;
      if (this.serving.get(peer) !== q) return; // the peer left, or the relay closed
      try {
        this.serve(peer, q);
      } catch (err) {
        this.deps.log.error({ err }, 'bug in getdata serving');
      }
    });
  }

  private sendNotFound(peer: Peer, ids: InvItem[]): void {
    for (let i = 0; i < ids.length && !peer.isClosed; i += MAX_INV_ITEMS) peer.send({ command: 'notfound', payload: { items: ids.slice(i, i + MAX_INV_ITEMS) } });
  }

  /** `notfound`: let another peer's announcement fetch it. */
  handleNotFound(peer: Peer, items: InvItem[]): void {
    for (const vid of items) this.retryElsewhere(vid, peer);
  }

  /**
   * An entity from a peer (requested or pushed): admitted exactly like one submitted by REST, in
   * arrival order. Its signature checks go to the verifier threads first when there are any; a
   * peer whose entities pile up (p2p/intake-budget.ts) has its reads paused until the intake drains.
   */
  handleEntity(peer: Peer, kind: EntityKind, payload: unknown, bytes = 0): void {
    if (this.closed) return;
    const prep = this.deps.service.prepare(kind, payload);
    // Null: not schema-valid; the admission below names the problem.
    const vid = prep ? shortId(prep.version) : '';
    if (vid) {
      this.inFlight.delete(vid);
      this.alternates.delete(vid);
      this.requestedFrom.get(peer)?.delete(vid);
      peer.known.add(vid);
      // Already processed, or a copy is waiting in the intake: either way this one is not needed.
      if (this.seen.has(vid) || this.admitting.has(vid)) return;
    }
    this.stats.itemsReceived++;
    const entry: Intake = { peer, kind, payload, prep, vid, bytes, ready: true };
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
    if (vid) this.admitting.add(vid);
    this.budget.add(peer, bytes);
  }

  /** Short ids asked for by getdata and not served yet (waiting for peers' sockets to drain), over all peers. */
  get getDataBacklog(): number {
    let n = 0;
    for (const q of this.serving.values()) n += q.ids.length - q.head;
    return n;
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
      this.budget.remove(e.peer, e.bytes);
      this.admitting.delete(e.vid);
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
    const { peer, kind, payload, vid } = e;
    const source = `p2p:${peer.ip}:${peer.remotePort}`;
    const r = e.prep ? this.deps.service.submitPrepared(e.prep, source) : this.deps.service.submit(kind, payload, source);
    if (r.status === 'rejected') {
      // Reasons with ban score 0 depend on our state (e.g. the oracle is not here yet): allow a
      // later retry. Anything else is final for this version, and the sender pays.
      if (r.banScore > 0) {
        if (vid) this.seen.add(vid);
        peer.misbehave(r.banScore, r.reason);
      } else {
        this.orphans.keep(kind, payload, r.reason, source);
      }
      return;
    }
    // (Accepted or out-of-shard: announce() has just added it, with the mempool's copy of the id; keep that one.)
    if (vid && !this.seen.has(vid)) this.seen.add(vid);
  }

  /** Stop admitting: what waits in the intake is dropped (the node is stopping). */
  close(): void {
    this.closed = true;
    this.intake = [];
    this.intakeHead = 0;
    this.batch = null;
    this.budget.clear();
    this.admitting.clear();
    this.serving.clear();
  }

  /** Forget a peer's queued announcements; what was requested from it is asked of another announcer. */
  dropPeer(peer: Peer): void {
    this.pending.delete(peer);
    this.serving.delete(peer);
    const requested = this.requestedFrom.get(peer);
    this.requestedFrom.delete(peer);
    for (const v of requested ?? []) this.retryElsewhere(v, peer);
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
