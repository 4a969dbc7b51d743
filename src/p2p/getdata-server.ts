/** p2p/getdata-server.ts - the relay's answers to `getdata` (docs/PROTOCOL.md 11.7): each peer's queue of requested short ids served in order and paced by the peer's send backlog, the entity frames (cTTL one hop lower, stored items or relay-cache copies) and `notfound`. Owned by relay.ts; imports wire and the service interface. */
import type { InventoryEntry, MegaService, RelayItem } from '../service/service.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import type { LruMap } from '../util/lru.ts';
import { GETDATA_HIGH_WATER_BYTES, MAX_GETDATA_QUEUE } from './constants.ts';
import type { Peer } from './peer.ts';
import type { RelayStats } from './relay-stats.ts';

/** What the server uses of the relay around it. */
export interface GetDataServerDeps {
  service: Pick<MegaService, 'getItemByShortId'>;
  /** Valid items of other shards this node relays without storing, by short id (owned by the relay). */
  relayCache: LruMap<string, RelayItem>;
  /** The relay's counters (the very object, not a copy). */
  stats: RelayStats;
  log: Logger;
}

/** Short ids a peer asked for and that are not served yet, in request order. */
interface ServeQueue {
  ids: InvItem[];
  head: number;
  /** Waiting for the peer's socket to drain. */
  waiting: boolean;
}

/** Serves getdata per peer, in order, never more than the peer reads. */
export class GetDataServer {
  private readonly deps: GetDataServerDeps;
  /** getdata being served, per peer (paced by the peer's send backlog). */
  private readonly serving = new Map<Peer, ServeQueue>();
  /** The object stored-item lookups are written into (service getItemByShortId `into`): read before the next lookup, never kept. */
  private readonly found: InventoryEntry = { kind: 'oracle', id: '', version: '', msg: null as unknown as InventoryEntry['msg'], cTTL: null };

  constructor(deps: GetDataServerDeps) {
    this.deps = deps;
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

  /** Short ids asked for by getdata and not served yet (waiting for peers' sockets to drain), over all peers. */
  get backlog(): number {
    let n = 0;
    for (const q of this.serving.values()) n += q.ids.length - q.head;
    return n;
  }

  /** Forget what a peer that left asked for. */
  dropPeer(peer: Peer): void {
    this.serving.delete(peer);
  }

  /** Stop serving (the relay closes): queues waiting for a drain are dropped. */
  close(): void {
    this.serving.clear();
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
   * this.found (no entry object per item) and used before the next one. Also the push tree's path.
   */
  sendItem(peer: Peer, vid: InvItem): boolean {
    const found = this.deps.service.getItemByShortId(vid, this.found) ?? this.deps.relayCache.get(vid);
    if (!found) return false;
    // Not added to the peer's known set here: a push was marked known when queued (push-tree.ts spread) and a
    // getdata names the version itself. Re-adding one the set has evicted (a sync streams more ids than it
    // holds) only evicted another in its place: a lookup, a delete, an insert and an eviction per item.
    const msg = found.cTTL === null ? found.msg : { ...found.msg, cTTL: Math.max(0, found.cTTL - 1) };
    this.deps.stats.itemsSent++;
    peer.send({ command: found.kind, payload: msg });
    return true;
  }

  /** `notfound` for `ids`, in messages of at most MAX_INV_ITEMS. */
  private sendNotFound(peer: Peer, ids: InvItem[]): void {
    for (let i = 0; i < ids.length && !peer.isClosed; i += MAX_INV_ITEMS) peer.send({ command: 'notfound', payload: { items: ids.slice(i, i + MAX_INV_ITEMS) } });
  }
}
