/** p2p/relay.ts - relay of new versions: which path a version takes (the push tree of push-tree.ts, or `inv` to every peer for a small hop budget), inv/notfound with known inventory per peer and the one inv writer, the outstanding getdata requests (requests.ts: alternates, probes, the progress-based timeout), the cTTL hop limit (highest cTTL seen wins, probes of copies held at 0), and handing received entities to the service's one admission door; getdata answers are getdata-server.ts's. Every item is named by its short version id (docs/PROTOCOL.md 11.6). Imports wire and the service interface. */
import type { EntityKind } from '../protocol/types.ts';
import { shortId, versionHash } from '../protocol/ids.ts';
import type { InventoryEntry, MegaService, RelayItem } from '../service/service.ts';
import type { AdmissionResult, AdmissionSource } from '../service/types.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { GETDATA_TIMEOUT_MS, MAX_PENDING_CTTL, RELAY_CACHE_BYTES, RELAY_CACHE_SIZE, TREE_MIN_CTTL } from './constants.ts';
import { LruMap } from '../util/lru.ts';
import { GetDataServer } from './getdata-server.ts';
import type { Peer } from './peer.ts';
import { PushTree } from './push-tree.ts';
import { newRelayStats, type RelayStats } from './relay-stats.ts';
import { Requests } from './requests.ts';

export type { RelayStats };

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
  /** A peer's push-tree edge changed state (eager <-> lazy) by a prune or graft, sent or received (the pool's `peer:relay`). Must not throw. */
  onEdgeChange?: ((peer: Peer) => void) | undefined;
}

/** The `cTTL` of an entity payload when it is a valid one (an integer 0..255, the schema's CTTL), else null. */
function cttlOf(payload: unknown): number | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const c = (payload as { cTTL?: unknown }).cTTL;
  return typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255 ? c : null;
}

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

/**
 * Moves items between this node and its peers; never echoes an item to a peer that has it. Every
 * map and set below is keyed by the short version id (`vid`, docs/PROTOCOL.md 11.6): what inv,
 * getdata and notfound carry, and 22 characters instead of a 64-character hash.
 */
export class Relay {
  private readonly deps: RelayDeps;
  private readonly now: () => number;
  /** Outstanding getdata: one peer at a time per version, alternates, cTTL probes, timeouts. */
  private readonly requests: Requests;
  /** Final outcomes by payload digest (base64 SHA-256d of the frame payload): repeats of the same bytes skip admission entirely. */
  private readonly payloadVerdicts = new LruMap<string, PayloadVerdict>(PAYLOAD_VERDICT_CACHE_SIZE, PAYLOAD_VERDICT_TTL_MS);
  /** Valid items this node relays without storing (other shards), by vid, to answer getdata. */
  private readonly relayCache = new LruMap<string, RelayItem>(RELAY_CACHE_SIZE, Infinity, Date.now, { maxBytes: RELAY_CACHE_BYTES, sizeOf: (item) => JSON.stringify(item.msg).length });
  /** Short ids to announce to each peer by `inv` on the next turn. */
  private readonly pending = new Map<Peer, InvItem[]>();
  /** Eager push, lazy rounds, prune and graft (11.7). */
  private readonly tree: PushTree;
  /** Answers to getdata, paced per peer. */
  private readonly server: GetDataServer;
  private flushScheduled = false;
  /** Each peer's admission source: its hooks feed the outcome back here. */
  private readonly sources = new WeakMap<Peer, AdmissionSource>();
  private closed = false;
  /** Highest cTTL seen for versions waiting in the intake (not stored yet), applied when they are stored. */
  private readonly pendingCTTL: LruMap<string, number>;
  /** The object stored-item lookups are written into (service getItemByShortId `into`): read before the next lookup, never kept. */
  private readonly found: InventoryEntry = { kind: 'oracle', id: '', version: '', msg: null as unknown as InventoryEntry['msg'], cTTL: null };
  readonly stats: RelayStats = newRelayStats();

  constructor(deps: RelayDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.requests = new Requests({
      log: deps.log,
      now: this.now,
      timeoutMs: deps.getDataTimeoutMs ?? GETDATA_TIMEOUT_MS,
      stats: this.stats,
      knowsVersion: (vid) => this.deps.service.knowsVersion(vid),
      heldAtZero: (vid) => this.heldAtZero(vid),
    });
    this.pendingCTTL = new LruMap(MAX_PENDING_CTTL, 60_000, this.now);
    this.server = new GetDataServer({ service: deps.service, relayCache: this.relayCache, stats: this.stats, log: deps.log });
    this.tree = new PushTree({
      readyPeers: deps.readyPeers,
      log: deps.log,
      now: this.now,
      random: deps.random ?? Math.random,
      stats: this.stats,
      sendItem: (peer, vid) => this.server.sendItem(peer, vid),
      queueInv: (peer, vid) => this.queueInv(peer, vid),
      sendInv: (peer, items, lazy) => this.sendInv(peer, items, lazy),
      scheduleFlush: () => this.scheduleFlush(),
      onEdgeChange: deps.onEdgeChange,
    });
  }

  /** Start the getdata timeout checks and the lazy rounds. Lifecycle: start() once; close() stops them. */
  start(): void {
    this.requests.start();
    this.tree.start();
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
    if (cTTL === null || cTTL >= TREE_MIN_CTTL) this.tree.spread(vid);
    else this.announceVid(vid, false);
  }

  /** Versions waiting for a lazy round (0 once every stored version has been announced to its lazy peers or needs no announcement). */
  get lazyPending(): number {
    return this.tree.lazyPending;
  }

  /** One lazy round (push-tree.ts; every LAZY_ROUND_MS once started). Public for tests, which drive the clock. */
  lazyRound(): void {
    this.tree.lazyRound();
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

  /** `prune` from a peer: stop pushing to it. */
  handlePrune(peer: Peer): void {
    this.tree.handlePrune(peer);
  }

  /** `graft` from a peer: push to it again. */
  handleGraft(peer: Peer): void {
    this.tree.handleGraft(peer);
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
      const inflight = this.requests.inFlightOf(vid, now);
      if (inflight?.peer === peer.id) continue; // already asked of this very peer (a repeated id)
      if (inflight !== undefined) {
        // Someone else is delivering it; remember this peer in case they never do.
        this.requests.addAlternate(vid, peer);
        continue;
      }
      let probe: boolean;
      if (this.deps.service.knowsVersion(vid)) {
        // Held at cTTL 0 (perhaps a censor's copy, #12 item 7): ask this announcer once for its copy's cTTL.
        if (!this.heldAtZero(vid) || !this.requests.mayProbe(peer, vid)) continue;
        probe = true;
      } else {
        // Not stored (the store would know it): held at cTTL 0 only as a relay-cache copy.
        probe = this.cachedAtZero(vid);
      }
      this.requests.request(peer, vid, probe, now);
      want.push(vid);
    }
    if (want.length) {
      this.stats.getDataSent++;
      this.stats.getDataItemsSent += want.length;
      peer.send({ command: 'getdata', payload: { items: want } });
    }
  }

  /** `getdata`: answered in order, paced by the peer's reading (getdata-server.ts). */
  handleGetData(peer: Peer, items: InvItem[]): void {
    this.server.handleGetData(peer, items);
  }

  /** `notfound`: let another peer's announcement fetch it. */
  handleNotFound(peer: Peer, items: InvItem[]): void {
    peer.lastDeliveryAt = this.now();
    for (const vid of items) this.requests.retryElsewhere(vid, peer);
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
    const probes = this.requests.probesOf(peer);
    if (probes && probes.size > 0 && kind !== 'dispute' && this.answerProbe(peer, probes, payload)) return;
    // The very bytes of a payload whose admission ended for good: no schema check, no hashing, no
    // signature work again (an unsolicited repeat push). A repeat of a refused one costs its score again.
    // Only pushes are looked up and remembered: while this node awaits getdata answers from the peer
    // (a sync on join, a repair), what it sends is an answer, asked for once, and a repeat of it is
    // still answered by the intake after hashing (a stored version, a decided or refused one). That
    // spares a sync two operations on this 100,000-entry map per entity and the entry it would keep.
    if (digest !== undefined && this.requests.awaiting(peer)) digest = undefined;
    if (digest !== undefined) {
      const verdict = this.payloadVerdicts.get(digest);
      if (verdict !== undefined) {
        this.stats.repeatsDropped++;
        if (verdict.banScore > 0 && !peer.isClosed) peer.misbehave(verdict.banScore, `${verdict.reason} (sent again)`);
        // A copy of what was stored or passed on: pushed unasked (nothing decided is asked for), so the edge is not needed.
        else if (peer.eager && !peer.isClosed) this.tree.prune(peer);
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
    this.requests.answered(vid, peer);
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
    return this.server.backlog;
  }

  /** The admission source of a peer: its version is known to it at once (never echoed back), and what it sent wrong is charged to it. */
  private sourceOf(peer: Peer): AdmissionSource {
    let s = this.sources.get(peer);
    if (!s) {
      s = {
        id: `p2p:${peer.ip}:${peer.remotePort}`,
        isPeer: true,
        onVersion: (vid, kind, payload, fresh) => {
          // Whether it was asked of this peer, learnt as the request is cleared (one set operation, not two).
          const asked = this.requests.answered(vid, peer);
          const cTTL = kind === 'dispute' ? null : cttlOf(payload);
          // Known to it from its inv already (nearly always: it was asked for): added if not, never moved
          // (an LRU refresh is a delete and an insert per entity, for a set that only answers "has it?").
          if (!peer.known.has(vid)) peer.known.add(vid);
          const raised = cTTL !== null && this.noteCTTL(vid, cTTL, peer, fresh);
          // Plumtree (11.7): a copy pushed unasked that this node had already (and that raised no cTTL)
          // is a duplicate, so the edge leaves the tree (prune); a new version fetched after a lazy
          // peer's announcement means the tree did not bring it here, so the edge joins the tree (graft).
          // Only a tree-relayed version (the sender held it at TREE_MIN_CTTL or more, so it arrives one lower) is a
          // lazy announcement's: a lower one was announced to every peer, lazy or not.
          if (fresh) {
            if (asked && !peer.eager && !peer.isClosed && (cTTL === null || cTTL >= TREE_MIN_CTTL - 1)) this.tree.graft(peer);
          } else if (!asked && !raised && peer.eager && !peer.isClosed) this.tree.prune(peer);
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
    this.requests.close();
    this.tree.close();
    this.server.close();
  }

  /** Forget a peer's queued announcements; what was requested from it is asked of another announcer. */
  dropPeer(peer: Peer): void {
    this.pending.delete(peer);
    this.tree.dropPeer(peer);
    this.server.dropPeer(peer);
    this.requests.dropPeer(peer);
  }

  /** The turn's writes: pushes first (a slow peer's leftovers join its inv), then the queued inv. */
  private flush(): void {
    this.flushScheduled = false;
    this.tree.flushPushes();
    for (const [peer, items] of this.pending) {
      this.pending.delete(peer);
      if (!peer.isClosed) this.sendInv(peer, items, false);
    }
  }
}
