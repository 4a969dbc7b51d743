/** p2p/relay.ts - inv/getdata/notfound relay and entity intake: known-inventory per peer, global seen cache, in-flight requests, cTTL hop limit. Imports wire and the service interface. */
import { versionHash } from '../protocol/ids.ts';
import type { EntityKind } from '../protocol/types.ts';
import type { MegaService, RelayItem } from '../service/service.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { GETDATA_TIMEOUT_MS, MAX_IN_FLIGHT, RELAY_CACHE_SIZE, SEEN_CACHE_SIZE, SEEN_TTL_MS } from './constants.ts';
import { LruMap, LruSet } from './lru.ts';
import type { Peer } from './peer.ts';

/** Collaborators of the relay. */
export interface RelayDeps {
  service: Pick<MegaService, 'submit' | 'getItem'>;
  /** Peers whose handshake is done. */
  readyPeers: () => Iterable<Peer>;
  log: Logger;
  now?: () => number;
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
  /** Valid items this node relays without storing (other shards), to answer getdata. */
  private readonly relayCache = new LruMap<string, RelayItem>(RELAY_CACHE_SIZE);
  private readonly pending = new Map<Peer, InvItem[]>();
  private flushScheduled = false;
  readonly stats: RelayStats = { itemsReceived: 0, itemsSent: 0, invSent: 0 };

  constructor(deps: RelayDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.seen = new LruSet(SEEN_CACHE_SIZE, SEEN_TTL_MS, this.now);
    this.inFlight = new LruMap(MAX_IN_FLIGHT, GETDATA_TIMEOUT_MS, this.now);
  }

  /** An item became available here (service `item:relay`): announce it to every peer that lacks it. */
  announce(item: RelayItem): void {
    this.seen.add(item.version);
    if (item.kind === 'report' && this.deps.service.getItem('report', item.id) === undefined) {
      this.relayCache.set(item.version, item);
    }
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
      if (this.seen.has(it.version)) continue;
      const inflight = this.inFlight.get(it.version);
      if (inflight !== undefined && inflight !== peer.id) continue;
      if (this.deps.service.getItem(it.type, it.id)?.version === it.version) {
        this.seen.add(it.version);
        continue;
      }
      this.inFlight.set(it.version, peer.id);
      want.push(it);
    }
    if (want.length) peer.send({ command: 'getdata', payload: { items: want } });
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
    for (const it of items) if (this.inFlight.get(it.version) === peer.id) this.inFlight.delete(it.version);
  }

  /** An entity from a peer (requested or pushed): admitted exactly like one submitted by REST. */
  handleEntity(peer: Peer, kind: EntityKind, payload: unknown): void {
    let version: string;
    try {
      version = versionHash(payload as object);
    } catch {
      // Not canonicalizable (e.g. a lone surrogate): the schema check below names the problem.
      version = '';
    }
    if (version) {
      this.inFlight.delete(version);
      peer.known.add(version);
      if (this.seen.has(version)) return;
    }
    this.stats.itemsReceived++;
    const r = this.deps.service.submit(kind, payload, `p2p:${peer.ip}:${peer.remotePort}`);
    if (r.status === 'rejected') {
      // Reasons with ban score 0 depend on our state (e.g. the oracle is not here yet): allow a
      // later retry. Anything else is final for this version, and the sender pays.
      if (r.banScore > 0) {
        if (version) this.seen.add(version);
        peer.misbehave(r.banScore, r.reason);
      }
      return;
    }
    if (version) this.seen.add(version);
  }

  /** Forget a peer's queued announcements. */
  dropPeer(peer: Peer): void {
    this.pending.delete(peer);
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
