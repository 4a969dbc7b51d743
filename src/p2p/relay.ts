/** p2p/relay.ts - relay of new versions: eager push along a self-pruning tree and periodic lazy `inv` to the other peers (prune/graft, Plumtree), inv/getdata/notfound with known inventory per peer, in-flight requests with alternates and a progress-based timeout, paced getdata answers, the cTTL hop limit (highest cTTL seen wins), and handing received entities to the service's one admission door; every item is named by its short version id (docs/PROTOCOL.md 11.6). Imports wire and the service interface. */
import type { EntityKind } from '../protocol/types.ts';
import { shortId, versionHash } from '../protocol/ids.ts';
import type { InventoryEntry, MegaService, RelayItem } from '../service/service.ts';
import type { AdmissionResult, AdmissionSource } from '../service/types.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import {
  GETDATA_CHECK_INTERVAL_MS,
  GETDATA_HIGH_WATER_BYTES,
  GETDATA_TIMEOUT_MS,
  LAZY_FANOUT,
  LAZY_MIN_AGE_MS,
  LAZY_ROUND_MS,
  MAX_CTTL_PROBES_PER_PEER,
  MAX_LAZY_LOG,
  MAX_CTTL_PROBES_REMEMBERED,
  MAX_GETDATA_QUEUE,
  MAX_IN_FLIGHT,
  MAX_PENDING_CTTL,
  PUSH_HIGH_WATER_BYTES,
  RELAY_CACHE_BYTES,
  RELAY_CACHE_SIZE,
  STALL_BAN_SCORE,
  TREE_MIN_CTTL,
} from './constants.ts';
import { LruMap } from '../util/lru.ts';
import { LazyLog } from './lazy-log.ts';
import type { Peer } from './peer.ts';

/** Collaborators of the relay. */
export interface RelayDeps {
  service: Pick<MegaService, 'offer' | 'knowsVersion' | 'storesVersion' | 'getItemByShortId' | 'raiseCTTL'>;
  /** Peers whose handshake is done. */
  readyPeers: () => Iterable<Peer>;
  log: Logger;
  now?: () => number;
  /** A request to a peer that delivered nothing since for this long is asked of another announcer (default GETDATA_TIMEOUT_MS). */
  getDataTimeoutMs?: number | undefined;
  /** Chooses the lazy peers of each round (default Math.random: the choice needs to be unbiased, not secret). */
  random?: () => number;
}

/** A getdata outstanding for one version. */
interface InFlight {
  peer: number;
  /** When it was asked. */
  at: number;
}

/** The `cTTL` of an entity payload when it is a valid one (an integer 0..255, the schema's CTTL), else null. */
function cttlOf(payload: unknown): number | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const c = (payload as { cTTL?: unknown }).cTTL;
  return typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255 ? c : null;
}

/** A request older than this many getdata timeouts is forgotten even if the timeout timer never ran (the map's former TTL). */
const IN_FLIGHT_TTL_FACTOR = 4;

/** Most alternate announcers remembered per in-flight item. */
const MAX_ALTERNATES = 4;

/** Payload digests whose final outcome is remembered (44-character keys: ~10 MiB at the bound). */
const PAYLOAD_VERDICT_CACHE_SIZE = 100_000;
/** How long a payload's outcome is remembered. */
const PAYLOAD_VERDICT_TTL_MS = 10 * 60_000;

/** How the admission of one exact payload ended: ban score 0 = stored, duplicate or passed on. */
interface PayloadVerdict {
  banScore: number;
  reason: string;
}
const NO_VERDICT_SCORE: PayloadVerdict = Object.freeze({ banScore: 0, reason: 'final' });

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
  /** Entity frames sent: answers to getdata and pushes. */
  itemsSent: number;
  /** Entities pushed to eager peers unasked (part of itemsSent). */
  pushed: number;
  invSent: number;
  /** Short ids carried by those `inv` messages. */
  invItemsSent: number;
  /** `getdata` messages sent, and the short ids they carried. */
  getDataSent: number;
  getDataItemsSent: number;
  /** `inv` messages of the lazy announcement rounds (part of invSent). */
  lazyInvSent: number;
  /** `prune` sent (a pushed copy was a duplicate) and received. */
  prunesSent: number;
  prunesReceived: number;
  /** `graft` sent (a lazy announcement brought a version new here) and received. */
  graftsSent: number;
  graftsReceived: number;
  /** getdata requests that timed out (the peer was silent) and were asked elsewhere or dropped. */
  getDataTimeouts: number;
  /** Entity payloads dropped before any admission work: the very bytes were decided before. */
  repeatsDropped: number;
  /** Stored versions whose cTTL rose because a copy with a higher one arrived. */
  cttlRaised: number;
}

/**
 * Moves items between this node and its peers; never echoes an item to a peer that has it. Every
 * map and set below is keyed by the short version id (`vid`, docs/PROTOCOL.md 11.6): what inv,
 * getdata and notfound carry, and 22 characters instead of a 64-character hash.
 */
export class Relay {
  private readonly deps: RelayDeps;
  private readonly now: () => number;
  /**
   * vid -> the peer it was requested from and when (so it is fetched once). A request older than
   * IN_FLIGHT_TTL_FACTOR timeouts counts as gone ({@link inFlightOf}): the timer times requests out,
   * this only bounds what a stopped timer would leave behind. Checked from `at` rather than by a TTL
   * of the map: no wrapper object and no clock read per request.
   */
  private readonly inFlight: LruMap<string, InFlight>;
  /** vid -> other peers that announced it while it was in flight (asked next if the first fails). */
  private readonly alternates: LruMap<string, Peer[]>;
  /** Versions requested from each peer, so a peer that leaves frees them at once. */
  private readonly requestedFrom = new Map<Peer, Set<string>>();
  /** Valid items this node relays without storing (other shards), by vid, to answer getdata. */
  /** Final outcomes by payload digest (base64 SHA-256d of the frame payload): repeats of the same bytes skip admission entirely. */
  private readonly payloadVerdicts = new LruMap<string, PayloadVerdict>(PAYLOAD_VERDICT_CACHE_SIZE, PAYLOAD_VERDICT_TTL_MS);
  private readonly relayCache = new LruMap<string, RelayItem>(RELAY_CACHE_SIZE, Infinity, Date.now, { maxBytes: RELAY_CACHE_BYTES, sizeOf: (item) => JSON.stringify(item.msg).length });
  private readonly pending = new Map<Peer, InvItem[]>();
  /** Versions to push to each eager peer on the next turn (one writev per peer), by short id. */
  private readonly pushes = new Map<Peer, InvItem[]>();
  /** Versions stored while some peer was lazy, waiting for the lazy rounds (MAX_LAZY_LOG at most). */
  private readonly lazyLog = new LazyLog(MAX_LAZY_LOG);
  private lazyTimer: NodeJS.Timeout | null = null;
  /** getdata being served, per peer (paced by the peer's send backlog). */
  private readonly serving = new Map<Peer, ServeQueue>();
  private flushScheduled = false;
  /** Each peer's admission source: its hooks feed the outcome back here. */
  private readonly sources = new WeakMap<Peer, AdmissionSource>();
  private closed = false;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;
  /**
   * Stored versions re-requested from a peer only to learn a higher cTTL (we hold them at cTTL 0, so
   * we relay them nowhere; the peer announced them, so it may hold a higher cTTL), per peer. Their
   * answers are matched by version hash and never admitted again (no signature work).
   */
  private readonly probes = new Map<Peer, Set<string>>();
  /** `peerId/vid` pairs already probed: each announcer is asked once per version (bounded by count; entries are ~30-byte strings). */
  private readonly probed = new LruMap<string, true>(MAX_CTTL_PROBES_REMEMBERED);
  /** Highest cTTL seen for versions waiting in the intake (not stored yet), applied when they are stored. */
  private readonly pendingCTTL: LruMap<string, number>;
  /** The object stored-item lookups are written into (service getItemByShortId `into`): read before the next lookup, never kept. */
  private readonly found: InventoryEntry = { kind: 'oracle', id: '', version: '', msg: null as unknown as InventoryEntry['msg'], cTTL: null };
  readonly stats: RelayStats = { itemsReceived: 0, itemsSent: 0, pushed: 0, invSent: 0, invItemsSent: 0, getDataSent: 0, getDataItemsSent: 0, lazyInvSent: 0, prunesSent: 0, prunesReceived: 0, graftsSent: 0, graftsReceived: 0, getDataTimeouts: 0, cttlRaised: 0, repeatsDropped: 0 };

  constructor(deps: RelayDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.timeoutMs = deps.getDataTimeoutMs ?? GETDATA_TIMEOUT_MS;
    // The timer below times requests out; the TTLs (inFlight's by inFlightOf) only bound what a stopped timer would leave behind.
    this.inFlight = new LruMap(MAX_IN_FLIGHT);
    this.alternates = new LruMap(MAX_IN_FLIGHT, 4 * this.timeoutMs, this.now);
    this.pendingCTTL = new LruMap(MAX_PENDING_CTTL, 60_000, this.now);
  }

  /** The request outstanding for `vid`, unless it is older than IN_FLIGHT_TTL_FACTOR timeouts (then forgotten). */
  private inFlightOf(vid: string, now: number): InFlight | undefined {
    const f = this.inFlight.get(vid);
    if (f !== undefined && now - f.at >= IN_FLIGHT_TTL_FACTOR * this.timeoutMs) {
      this.inFlight.delete(vid);
      return undefined;
    }
    return f;
  }

  /** Start the getdata timeout checks. Lifecycle: start() once; close() stops them. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.checkTimeouts();
      } catch (err) {
        this.deps.log.error({ err }, 'bug in getdata timeout check');
      }
    }, Math.min(GETDATA_CHECK_INTERVAL_MS, this.timeoutMs));
    this.timer.unref?.();
    this.lazyTimer = setInterval(() => {
      try {
        this.lazyRound();
      } catch (err) {
        this.deps.log.error({ err }, 'bug in lazy announcement round');
      }
    }, LAZY_ROUND_MS);
    this.lazyTimer.unref?.();
  }

  /** An item became available here (service `item:relay`): push it to every eager peer that lacks it; lazy peers hear of it in the next lazy rounds. */
  announce(item: RelayItem): void {
    const sid = shortId(item.version);
    const stored = this.deps.service.getItemByShortId(sid, this.found);
    // Key the known sets and the relay cache by the mempool's own copy of the id: they then cost no string of their own.
    const vid = stored?.version ?? sid;
    // A higher cTTL seen while the first copy waited in the intake wins (11.7).
    const pending = this.pendingCTTL.size > 0 ? this.pendingCTTL.get(vid) : undefined;
    if (pending !== undefined && item.cTTL !== null && pending > item.cTTL) {
      this.pendingCTTL.delete(vid);
      if (stored) this.deps.service.raiseCTTL(vid, pending);
      item = { ...item, cTTL: pending };
      this.stats.cttlRaised++;
    }
    if (!stored) this.relayCache.set(vid, item);
    // cTTL is a hop limit: an item that arrived with 0 stays here.
    if (item.cTTL === null || item.cTTL > 0) this.relayNew(vid, item.cTTL);
  }

  /**
   * Relay a new version: along the push tree while its hop budget leaves room for the tree's longer
   * paths (no cTTL, or at least TREE_MIN_CTTL), else by `inv` to every ready peer not known to have
   * it, which reaches every node within cTTL hops (11.7).
   */
  private relayNew(vid: string, cTTL: number | null): void {
    if (cTTL === null || cTTL >= TREE_MIN_CTTL) this.spread(vid);
    else this.announceVid(vid, false);
  }

  /**
   * A new version `vid` (stored or relay-cached): queued as a push to every eager peer not known to
   * have it, and logged for the lazy rounds when some peer is lazy (11.7: eager and lazy push).
   */
  private spread(vid: string): void {
    let lazy = false;
    for (const peer of this.deps.readyPeers()) {
      if (peer.known.has(vid)) continue;
      if (!peer.eager) {
        lazy = true;
        continue;
      }
      peer.known.add(vid);
      let list = this.pushes.get(peer);
      if (!list) this.pushes.set(peer, (list = []));
      list.push(vid);
    }
    if (this.pushes.size > 0) this.scheduleFlush();
    if (lazy) this.lazyLog.add(vid, this.now());
  }

  /** Versions waiting for a lazy round (0 once every stored version has been announced to its lazy peers or needs no announcement). */
  get lazyPending(): number {
    return this.lazyLog.size;
  }

  /**
   * One lazy round (every LAZY_ROUND_MS): the versions stored at least LAZY_MIN_AGE_MS ago and not
   * announced in an earlier round go, in one `inv`, to LAZY_FANOUT lazy peers chosen at random, less
   * those each is known to have. A peer that lacks one fetches it and grafts the edge (handleEntity).
   * Public for tests, which drive the clock.
   */
  lazyRound(): void {
    if (this.lazyLog.size === 0) return;
    const ids = this.lazyLog.takeMature(this.now() - LAZY_MIN_AGE_MS);
    if (ids.length === 0) return;
    const lazy: Peer[] = [];
    for (const peer of this.deps.readyPeers()) if (!peer.eager && !peer.isClosed) lazy.push(peer);
    const random = this.deps.random ?? Math.random;
    // A partial Fisher-Yates shuffle: the first LAZY_FANOUT places are a uniform choice.
    for (let k = 0; k < LAZY_FANOUT && k < lazy.length; k++) {
      const j = k + Math.floor(random() * (lazy.length - k));
      const peer = lazy[j] as Peer;
      lazy[j] = lazy[k] as Peer;
      lazy[k] = peer;
      const items: InvItem[] = [];
      for (const vid of ids) {
        if (peer.known.has(vid)) continue;
        peer.known.add(vid);
        items.push(vid);
      }
      if (items.length > 0) this.sendInv(peer, items, true);
    }
  }

  /** `items` to `peer` in `inv` messages of at most MAX_INV_ITEMS, written in one batch; `lazy`: a lazy round's. */
  private sendInv(peer: Peer, items: InvItem[], lazy: boolean): void {
    peer.batch(() => {
      for (let i = 0; i < items.length; i += MAX_INV_ITEMS) {
        const part = items.slice(i, i + MAX_INV_ITEMS);
        this.stats.invSent++;
        if (lazy) this.stats.lazyInvSent++;
        this.stats.invItemsSent += part.length;
        if (!peer.send({ command: 'inv', payload: { items: part } })) break;
      }
    });
  }

  /** A pushed copy from `peer` was a duplicate: the edge is not needed for the tree (11.7). */
  private prune(peer: Peer): void {
    peer.eager = false; // from now on it hears of new versions in the lazy rounds
    this.stats.prunesSent++;
    peer.send({ command: 'prune', payload: null });
  }

  /** A lazy announcement from `peer` brought a version this node lacked: the tree failed to deliver it here, so the edge joins the tree. */
  private graft(peer: Peer): void {
    peer.eager = true;
    this.stats.graftsSent++;
    peer.send({ command: 'graft', payload: null });
  }

  /** `prune` from a peer: stop pushing to it. */
  handlePrune(peer: Peer): void {
    this.stats.prunesReceived++;
    peer.eager = false;
  }

  /** `graft` from a peer: push to it again. */
  handleGraft(peer: Peer): void {
    this.stats.graftsReceived++;
    peer.eager = true;
  }

  /** inv `vid` to every ready peer not known to have it, or (`again`) to every ready peer but `except` (its cTTL rose from 1, 11.7). */
  private announceVid(vid: string, again: boolean, except?: Peer): void {
    for (const peer of this.deps.readyPeers()) {
      if (peer === except || (!again && peer.known.has(vid))) continue;
      peer.known.add(vid);
      this.queueInv(peer, vid);
    }
  }

  /**
   * A copy of version `vid` arrived from `from` with `cTTL`: keep the highest cTTL seen (11.7). When
   * the stored cTTL rises from 0 the version is announced as if new; from 1 it is announced again to
   * every peer (a neighbour holding it at cTTL 0 re-requests it once, see handleInv). A version still
   * waiting in the intake gets the higher cTTL when stored (see announce). No admission, no signatures.
   * True when a stored or relay-cached cTTL rose.
   */
  private noteCTTL(vid: string, cTTL: number, from: Peer, fresh = false): boolean {
    let before: number | null = null;
    // `fresh`: the intake has just found it neither stored, waiting nor decided (only the relay cache can hold it).
    if (!fresh && this.deps.service.storesVersion(vid)) before = this.deps.service.raiseCTTL(vid, cTTL);
    else {
      const cached = this.relayCache.size > 0 ? this.relayCache.get(vid) : undefined;
      if (cached) {
        if (cached.cTTL !== null && cTTL > cached.cTTL) {
          before = cached.cTTL;
          cached.cTTL = cTTL;
        }
      } else if (!fresh && this.deps.service.knowsVersion(vid) && cTTL > (this.pendingCTTL.get(vid) ?? -1)) this.pendingCTTL.set(vid, cTTL);
    }
    if (before === null) return false;
    this.stats.cttlRaised++;
    if (before === 0) this.relayNew(vid, cTTL); // as if new (the sender `from` knows it already)
    else if (before === 1) this.announceVid(vid, true, from);
    return true;
  }

  /** Is `vid` stored (or relayed) here at cTTL 0, i.e. relayed nowhere, so a copy with a higher cTTL is worth one request? */
  private heldAtZero(vid: string): boolean {
    const stored = this.deps.service.getItemByShortId(vid, this.found);
    return stored ? stored.cTTL === 0 : this.cachedAtZero(vid);
  }

  /** Is `vid` in the relay cache (not stored here) at cTTL 0? */
  private cachedAtZero(vid: string): boolean {
    return this.relayCache.size > 0 && this.relayCache.get(vid)?.cTTL === 0;
  }

  /** Queue inventory for a peer; flushed in batches of at most MAX_INV_ITEMS on the next turn. */
  queueInv(peer: Peer, item: InvItem): void {
    let list = this.pending.get(peer);
    if (!list) this.pending.set(peer, (list = []));
    list.push(item);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
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
    const now = this.now();
    for (const vid of items) {
      peer.known.add(vid);
      const inflight = this.inFlightOf(vid, now);
      if (inflight?.peer === peer.id) continue; // already asked of this very peer (a repeated id)
      if (inflight !== undefined) {
        // Someone else is delivering it; remember this peer in case they never do.
        const alt = this.alternates.get(vid) ?? [];
        if (alt.length < MAX_ALTERNATES && !alt.includes(peer)) alt.push(peer);
        this.alternates.set(vid, alt);
        continue;
      }
      let probe: boolean;
      if (this.deps.service.knowsVersion(vid)) {
        // Held at cTTL 0 (perhaps a censor's copy, #12 item 7): ask this announcer once for its copy's cTTL.
        if (!this.heldAtZero(vid) || !this.mayProbe(peer, vid)) continue;
        probe = true;
      } else {
        // Not stored (the store would know it): held at cTTL 0 only as a relay-cache copy.
        probe = this.cachedAtZero(vid);
      }
      this.request(peer, vid, probe, now);
      want.push(vid);
    }
    if (want.length) {
      this.stats.getDataSent++;
      this.stats.getDataItemsSent += want.length;
      peer.send({ command: 'getdata', payload: { items: want } });
    }
  }

  /** May `vid` be re-requested from `peer` for its cTTL? Once per (peer, version), a bounded number outstanding per peer. */
  private mayProbe(peer: Peer, vid: string): boolean {
    const key = `${peer.id}/${vid}`;
    if (this.probed.has(key) || (this.probes.get(peer)?.size ?? 0) >= MAX_CTTL_PROBES_PER_PEER) return false;
    this.probed.set(key, true);
    return true;
  }

  /** Ask `peer` for `vid` (the caller sends the getdata); `probe`: {@link heldAtZero}(vid), when the caller has just worked it out. */
  private request(peer: Peer, vid: string, probe = this.heldAtZero(vid), now = this.now()): void {
    this.inFlight.set(vid, { peer: peer.id, at: now });
    let set = this.requestedFrom.get(peer);
    if (!set) this.requestedFrom.set(peer, (set = new Set()));
    set.add(vid);
    if (probe) {
      let p = this.probes.get(peer);
      if (!p) this.probes.set(peer, (p = new Set()));
      p.add(vid);
    }
  }

  /** Forget a request to `peer` (answered, refused, timed out or the peer left). */
  private clearRequest(vid: string, peer: Peer): void {
    // An expired request is deleted as well: gone either way.
    if (this.inFlight.get(vid)?.peer === peer.id) this.inFlight.delete(vid);
    this.requestedFrom.get(peer)?.delete(vid);
    if (this.probes.size > 0) this.probes.get(peer)?.delete(vid);
  }

  /**
   * Requests to a peer that delivered nothing (no entity, no notfound) for the timeout since they
   * were made are asked of the next announcer, and the peer earns STALL_BAN_SCORE once per check
   * (#12 item 8: announce-and-never-serve). Progress-based: a peer still streaming our large
   * getdata (sync on join) delivers all along and never times out.
   */
  private checkTimeouts(): void {
    const now = this.now();
    for (const [peer, set] of [...this.requestedFrom]) {
      if (set.size === 0 || now - peer.lastDeliveryAt < this.timeoutMs) continue;
      const stalled: string[] = [];
      let dropped = 0;
      for (const vid of set) {
        const f = this.inFlightOf(vid, now);
        if (f === undefined || f.peer !== peer.id) {
          set.delete(vid);
          this.probes.get(peer)?.delete(vid);
          dropped++;
        } else if (now - f.at >= this.timeoutMs) stalled.push(vid);
      }
      // Requests given up on: answers to them, if they still come, draw on the peer's rate bucket again (peer.ts solicited).
      peer.unsolicit(dropped + stalled.length);
      if (stalled.length === 0) continue;
      this.stats.getDataTimeouts += stalled.length;
      this.deps.log.debug({ peer: `${peer.ip}:${peer.remotePort}`, versions: stalled.length }, 'getdata timed out; asking other announcers');
      for (const vid of stalled) this.retryElsewhere(vid, peer);
      if (!peer.isClosed) peer.misbehave(STALL_BAN_SCORE, 'getdata-timeout');
    }
  }

  /** A request to `failed` will not be answered: ask the next peer that announced it, if any. */
  private retryElsewhere(vid: string, failed: Peer): void {
    this.clearRequest(vid, failed);
    const alt = this.alternates.get(vid);
    if (!alt || (this.deps.service.knowsVersion(vid) && !this.heldAtZero(vid))) return;
    while (alt.length) {
      const next = alt.shift() as Peer;
      if (next === failed || next.isClosed || !next.isReady) continue;
      this.request(next, vid);
      this.stats.getDataSent++;
      this.stats.getDataItemsSent++;
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
    // One writev for the whole run of frames (up to the high-water mark) instead of one write per item.
    peer.batch(() => this.serveRun(peer, q));
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

  /** Send queued items while the peer's unsent data is below the high-water mark; what is not found goes in notfound. */
  private serveRun(peer: Peer, q: ServeQueue): void {
    const missing: InvItem[] = [];
    while (q.head < q.ids.length && !peer.isClosed && peer.sendBacklog < GETDATA_HIGH_WATER_BYTES) {
      const vid = q.ids[q.head++] as InvItem;
      // Looked up when served, not when asked: a version replaced meanwhile is notfound.
      if (!this.sendItem(peer, vid)) missing.push(vid);
    }
    this.sendNotFound(peer, missing);
  }

  /**
   * Send the item whose current version has short id `vid` (or its relay-cache copy) with cTTL
   * lowered by one hop; false when there is none (replaced or gone). The lookup is written into
   * this.found (no entry object per item) and used before the next one.
   */
  private sendItem(peer: Peer, vid: InvItem): boolean {
    const found = this.deps.service.getItemByShortId(vid, this.found) ?? this.relayCache.get(vid);
    if (!found) return false;
    // Known to it already (it was told of it, nearly always): added if not, never moved (an LRU refresh is a delete and an insert per item).
    if (!peer.known.has(vid)) peer.known.add(vid);
    const msg = found.cTTL === null ? found.msg : { ...found.msg, cTTL: Math.max(0, found.cTTL - 1) };
    this.stats.itemsSent++;
    peer.send({ command: found.kind, payload: msg });
    return true;
  }

  private sendNotFound(peer: Peer, ids: InvItem[]): void {
    for (let i = 0; i < ids.length && !peer.isClosed; i += MAX_INV_ITEMS) peer.send({ command: 'notfound', payload: { items: ids.slice(i, i + MAX_INV_ITEMS) } });
  }

  /** `notfound`: let another peer's announcement fetch it. */
  handleNotFound(peer: Peer, items: InvItem[]): void {
    peer.lastDeliveryAt = this.now();
    for (const vid of items) this.retryElsewhere(vid, peer);
  }

  /**
   * An entity from a peer (requested or pushed): offered to the service's admission door exactly
   * like one submitted by REST (service/intake.ts: arrival order, verifier threads, back-pressure
   * through the peer's `hold`, orphans). Outcomes come back through the peer's source.
   */
  handleEntity(peer: Peer, kind: EntityKind, payload: unknown, bytes = 0, digest?: string): void {
    if (this.closed) return;
    this.stats.itemsReceived++;
    peer.lastDeliveryAt = this.now();
    const probes = this.probes.size > 0 ? this.probes.get(peer) : undefined;
    if (probes && probes.size > 0 && kind !== 'dispute' && this.answerProbe(peer, probes, payload)) return;
    // The very bytes of a payload whose admission ended for good: no schema check, no hashing, no
    // signature work again (an unsolicited repeat push). A repeat of a refused one costs its score again.
    if (digest !== undefined) {
      const verdict = this.payloadVerdicts.get(digest);
      if (verdict !== undefined) {
        this.stats.repeatsDropped++;
        if (verdict.banScore > 0 && !peer.isClosed) peer.misbehave(verdict.banScore, `${verdict.reason} (sent again)`);
        // A copy of what was stored or passed on: pushed unasked (nothing decided is asked for), so the edge is not needed.
        else if (peer.eager && !peer.isClosed) this.prune(peer);
        return;
      }
    }
    // The outcome comes back through the source's onOutcome with the digest as its tag (no Promise per entity).
    this.deps.service.offer(kind, payload, this.sourceOf(peer), bytes, digest);
  }

  /**
   * Is this entity the answer to a cTTL probe of `peer`? Then only its cTTL is taken: its version
   * hash equals a stored version's, so it is that very message (cTTL aside) and needs no admission.
   */
  private answerProbe(peer: Peer, probes: Set<string>, payload: unknown): boolean {
    let vid: string;
    try {
      vid = shortId(versionHash(payload as object));
    } catch {
      return false; // not even hashable: admission refuses it with its reason
    }
    if (!probes.has(vid)) return false;
    this.clearRequest(vid, peer);
    this.alternates.delete(vid);
    peer.known.add(vid);
    const c = cttlOf(payload);
    if (c !== null) this.noteCTTL(vid, c, peer);
    return true;
  }

  /** Remember how the admission of these exact payload bytes ended, when that is final (not a refusal that depends on our state). */
  private rememberPayload(digest: string, r: AdmissionResult): void {
    if (r.status === 'rejected' && r.banScore === 0) return; // may be admissible later (its oracle arrives)
    this.payloadVerdicts.set(digest, r.status === 'rejected' ? { banScore: r.banScore, reason: r.reason } : NO_VERDICT_SCORE);
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
        onVersion: (vid, kind, payload, fresh) => {
          const asked = this.requestedFrom.get(peer)?.has(vid) === true;
          const cTTL = kind === 'dispute' ? null : cttlOf(payload);
          // Known to it from its inv already (nearly always: it was asked for): added if not, never moved
          // (an LRU refresh is a delete and an insert per entity, for a set that only answers "has it?").
          if (!peer.known.has(vid)) peer.known.add(vid);
          this.clearRequest(vid, peer);
          if (this.alternates.size > 0) this.alternates.delete(vid);
          const raised = cTTL !== null && this.noteCTTL(vid, cTTL, peer, fresh);
          // Plumtree (11.7): a copy pushed unasked that this node had already (and that raised no cTTL)
          // is a duplicate, so the edge leaves the tree (prune); a new version fetched after a lazy
          // peer's announcement means the tree did not bring it here, so the edge joins the tree (graft).
          // Only a tree-relayed version (the sender held it at TREE_MIN_CTTL or more, so it arrives one lower) is a
          // lazy announcement's: a lower one was announced to every peer, lazy or not.
          if (fresh) {
            if (asked && !peer.eager && !peer.isClosed && (cTTL === null || cTTL >= TREE_MIN_CTTL - 1)) this.graft(peer);
          } else if (!asked && !raised && peer.eager && !peer.isClosed) this.prune(peer);
        },
        onOutcome: (r, vid, digest) => {
          if (digest !== undefined) this.rememberPayload(digest, r);
          this.onOutcome(peer, r, vid);
        },
        hold: (on) => peer.hold(on),
      };
      this.sources.set(peer, s);
    }
    return s;
  }

  /** Reasons with ban score 0 depend on our state (e.g. the oracle is not here yet); anything else is final for this version, and the sender pays. */
  private onOutcome(peer: Peer, r: AdmissionResult, _vid: string | null): void {
    if (r.status === 'accepted' || r.status === 'out-of-shard') peer.lastUsefulAt = this.now(); // kept on inbound eviction
    if (r.status === 'rejected' && r.banScore > 0 && !peer.isClosed) peer.misbehave(r.banScore, r.reason);
  }

  /** Stop relaying (the node is stopping); the service's intake is closed by the node. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.lazyTimer) clearInterval(this.lazyTimer);
    this.lazyTimer = null;
    this.serving.clear();
  }

  /** Forget a peer's queued announcements; what was requested from it is asked of another announcer. */
  dropPeer(peer: Peer): void {
    this.pending.delete(peer);
    this.pushes.delete(peer);
    this.serving.delete(peer);
    this.probes.delete(peer);
    const requested = this.requestedFrom.get(peer);
    this.requestedFrom.delete(peer);
    for (const v of requested ?? []) this.retryElsewhere(v, peer);
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const [peer, vids] of this.pushes) {
      this.pushes.delete(peer);
      if (peer.isClosed) continue;
      peer.batch(() => {
        for (let i = 0; i < vids.length && !peer.isClosed; i++) {
          const vid = vids[i] as InvItem;
          // A peer that is slow to read is announced what is left instead: it fetches it with getdata, paced by its reading.
          if (peer.sendBacklog >= PUSH_HIGH_WATER_BYTES) {
            for (let j = i; j < vids.length; j++) this.queueInv(peer, vids[j] as InvItem);
            break;
          }
          if (this.sendItem(peer, vid)) this.stats.pushed++;
        }
      });
    }
    for (const [peer, items] of this.pending) {
      this.pending.delete(peer);
      if (!peer.isClosed) this.sendInv(peer, items, false);
    }
  }
}
