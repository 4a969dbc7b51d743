/** p2p/relay.ts - inv/getdata/notfound relay: known inventory per peer, in-flight requests with alternates, paced getdata answers, the cTTL hop limit, and handing received entities to the service's one admission door; every item is named by its short version id (docs/PROTOCOL.md 11.6). Imports wire and the service interface. */
import type { EntityKind } from '../protocol/types.ts';
import { shortId } from '../protocol/ids.ts';
import type { MegaService, RelayItem } from '../service/service.ts';
import type { AdmissionResult, AdmissionSource } from '../service/types.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { GETDATA_HIGH_WATER_BYTES, GETDATA_TIMEOUT_MS, MAX_GETDATA_QUEUE, MAX_IN_FLIGHT, RELAY_CACHE_BYTES, RELAY_CACHE_SIZE } from './constants.ts';
import { LruMap } from '../util/lru.ts';
import type { Peer } from './peer.ts';

/** Collaborators of the relay. */
export interface RelayDeps {
  service: Pick<MegaService, 'admit' | 'knowsVersion' | 'getItemByShortId'>;
  /** Peers whose handshake is done. */
  readyPeers: () => Iterable<Peer>;
  log: Logger;
  now?: () => number;
}

/** Most alternate announcers remembered per in-flight item. */
const MAX_ALTERNATES = 4;

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
  /** vid -> peer id it was requested from (so it is fetched once). */
  private readonly inFlight: LruMap<string, number>;
  /** vid -> other peers that announced it while it was in flight (asked next if the first fails). */
  private readonly alternates: LruMap<string, Peer[]>;
  /** Versions requested from each peer, so a peer that leaves frees them at once. */
  private readonly requestedFrom = new Map<Peer, Set<string>>();
  /** Valid items this node relays without storing (other shards), by vid, to answer getdata. */
  private readonly relayCache = new LruMap<string, RelayItem>(RELAY_CACHE_SIZE, Infinity, Date.now, { maxBytes: RELAY_CACHE_BYTES, sizeOf: (item) => JSON.stringify(item.msg).length });
  private readonly pending = new Map<Peer, InvItem[]>();
  /** getdata being served, per peer (paced by the peer's send backlog). */
  private readonly serving = new Map<Peer, ServeQueue>();
  private flushScheduled = false;
  /** Each peer's admission source: its hooks feed the outcome back here. */
  private readonly sources = new WeakMap<Peer, AdmissionSource>();
  private closed = false;
  readonly stats: RelayStats = { itemsReceived: 0, itemsSent: 0, invSent: 0 };

  constructor(deps: RelayDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.inFlight = new LruMap(MAX_IN_FLIGHT, GETDATA_TIMEOUT_MS, this.now);
    this.alternates = new LruMap(MAX_IN_FLIGHT, GETDATA_TIMEOUT_MS, this.now);
  }

  /** An item became available here (service `item:relay`): announce it to every peer that lacks it. */
  announce(item: RelayItem): void {
    const sid = shortId(item.version);
    const stored = this.deps.service.getItemByShortId(sid);
    // Key the known sets and the relay cache by the mempool's own copy of the id: they then cost no string of their own.
    const vid = stored?.version ?? sid;
    if (!stored) this.relayCache.set(vid, item);
    // cTTL is a hop limit: an item that arrived with 0 stays here.
    if (item.cTTL === null || item.cTTL > 0) {
      for (const peer of this.deps.readyPeers()) {
        if (peer.known.has(vid)) continue;
        peer.known.add(vid);
        this.queueInv(peer, vid);
      }
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

  /**
   * `inv` from a peer: request, in one `getdata`, every version the service does not know (stored,
   * waiting in the intake or recently decided) and not requested from another peer (this one
   * becomes an alternate).
   */
  handleInv(peer: Peer, items: InvItem[]): void {
    const want: InvItem[] = [];
    for (const vid of items) {
      peer.known.add(vid);
      const inflight = this.inFlight.get(vid);
      if (inflight === peer.id) continue; // already asked of this very peer (a repeated id)
      if (inflight !== undefined) {
        // Someone else is delivering it; remember this peer in case they never do.
        const alt = this.alternates.get(vid) ?? [];
        if (alt.length < MAX_ALTERNATES && !alt.includes(peer)) alt.push(peer);
        this.alternates.set(vid, alt);
        continue;
      }
      if (this.deps.service.knowsVersion(vid)) continue;
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
    if (!alt || this.deps.service.knowsVersion(vid)) return;
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
   * An entity from a peer (requested or pushed): offered to the service's admission door exactly
   * like one submitted by REST (service/intake.ts: arrival order, verifier threads, back-pressure
   * through the peer's `hold`, orphans). Outcomes come back through the peer's source.
   */
  handleEntity(peer: Peer, kind: EntityKind, payload: unknown, bytes = 0): void {
    if (this.closed) return;
    this.stats.itemsReceived++;
    void this.deps.service.admit(kind, payload, this.sourceOf(peer), bytes);
  }

  /** Short ids asked for by getdata and not served yet (waiting for peers' sockets to drain), over all peers. */
  get getDataBacklog(): number {
    let n = 0;
    for (const q of this.serving.values()) n += q.ids.length - q.head;
    return n;
  }

  /** The admission source of a peer: its version is known to it at once (never echoed back), and what it sent wrong is charged to it. */
  private sourceOf(peer: Peer): AdmissionSource {
    let s = this.sources.get(peer);
    if (!s) {
      s = {
        id: `p2p:${peer.ip}:${peer.remotePort}`,
        isPeer: true,
        onVersion: (vid) => {
          peer.known.add(vid);
          this.requestedFrom.get(peer)?.delete(vid);
          if (this.inFlight.get(vid) === peer.id) this.inFlight.delete(vid);
          this.alternates.delete(vid);
        },
        onOutcome: (r, vid) => this.onOutcome(peer, r, vid),
        hold: (on) => peer.hold(on),
      };
      this.sources.set(peer, s);
    }
    return s;
  }

  /** Reasons with ban score 0 depend on our state (e.g. the oracle is not here yet); anything else is final for this version, and the sender pays. */
  private onOutcome(peer: Peer, r: AdmissionResult, _vid: string | null): void {
    if (r.status === 'rejected' && r.banScore > 0 && !peer.isClosed) peer.misbehave(r.banScore, r.reason);
  }

  /** Stop relaying (the node is stopping); the service's intake is closed by the node. */
  close(): void {
    this.closed = true;
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
