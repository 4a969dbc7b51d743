/** p2p/push-tree.ts - the relay's push tree (docs/PROTOCOL.md 11.7, Plumtree's eager and lazy push): each peer's edge state (Peer.eager), the pushes queued for eager peers and written once per turn, the lazy announcement rounds to LAZY_FANOUT random lazy peers, and prune/graft both ways. Owned by relay.ts, which hands it its inv writer and getdata answer path; imports wire types only. */
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { LAZY_FANOUT, LAZY_MIN_AGE_MS, LAZY_ROUND_MS, MAX_LAZY_LOG, PUSH_HIGH_WATER_BYTES } from './constants.ts';
import { LazyLog } from './lazy-log.ts';
import { Repeating } from '../util/repeating.ts';
import type { Peer } from './peer.ts';
import type { RelayStats } from './relay-stats.ts';

/** What the push tree uses of the relay around it: bound once at construction (no closure per version). */
export interface PushTreeDeps {
  /** Peers whose handshake is done. */
  readyPeers: () => Iterable<Peer>;
  log: Logger;
  now: () => number;
  /** Chooses the lazy peers of each round. */
  random: () => number;
  /** The relay's counters (the very object, not a copy). */
  stats: RelayStats;
  /** Send the entity whose current version has short id `vid` to `peer` (cTTL one lower); false when it is gone. */
  sendItem: (peer: Peer, vid: InvItem) => boolean;
  /** Queue `vid` for the relay's next `inv` to `peer`. */
  queueInv: (peer: Peer, vid: InvItem) => void;
  /** Write `items` to `peer` in `inv` messages now; `lazy`: a lazy round's. */
  sendInv: (peer: Peer, items: InvItem[], lazy: boolean) => void;
  /** Have the relay flush (pushes, then queued inv) on the next turn. */
  scheduleFlush: () => void;
  /** A peer's edge changed state (eager <-> lazy) by a prune or graft, sent or received. Must not throw. */
  onEdgeChange?: ((peer: Peer) => void) | undefined;
}

/**
 * Eager push along a self-pruning tree and lazy announcements to the other peers. Every peer starts
 * eager; a pushed copy this node already had prunes its edge, and a version fetched after a lazy
 * peer's announcement grafts it back (11.7).
 */
export class PushTree {
  private readonly deps: PushTreeDeps;
  /** Versions to push to each eager peer on the next turn (one writev per peer), by short id. */
  private readonly pushes = new Map<Peer, InvItem[]>();
  /** Versions stored while some peer was lazy, waiting for the lazy rounds (MAX_LAZY_LOG at most). */
  private readonly lazyLog = new LazyLog(MAX_LAZY_LOG);
  private readonly rounds: Repeating;

  constructor(deps: PushTreeDeps) {
    this.deps = deps;
    this.rounds = new Repeating(
      () => this.lazyRound(),
      (err) => deps.log.error({ err }, 'bug in lazy announcement round'),
    );
  }

  /** Start the lazy rounds (every LAZY_ROUND_MS). Lifecycle: start() once; close() stops them. */
  start(): void {
    this.rounds.start(LAZY_ROUND_MS);
  }

  /** Stop the lazy rounds. */
  close(): void {
    this.rounds.stop();
  }

  /** Forget the pushes queued for a peer that left. */
  dropPeer(peer: Peer): void {
    this.pushes.delete(peer);
  }

  /**
   * A new version `vid` (stored or relay-cached): queued as a push to every eager peer not known to
   * have it, and logged for the lazy rounds when some peer is lazy (11.7: eager and lazy push).
   */
  spread(vid: string): void {
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
    if (this.pushes.size > 0) this.deps.scheduleFlush();
    if (lazy) this.lazyLog.add(vid, this.deps.now());
  }

  /** Versions waiting for a lazy round. */
  get lazyPending(): number {
    return this.lazyLog.size;
  }

  /**
   * One lazy round (every LAZY_ROUND_MS): the versions stored at least LAZY_MIN_AGE_MS ago and not
   * announced in an earlier round go, in one `inv`, to LAZY_FANOUT lazy peers chosen at random, less
   * those each is known to have. A peer that lacks one fetches it and grafts the edge (relay.ts onVersion).
   */
  lazyRound(): void {
    if (this.lazyLog.size === 0) return;
    const ids = this.lazyLog.takeMature(this.deps.now() - LAZY_MIN_AGE_MS);
    if (ids.length === 0) return;
    const lazy: Peer[] = [];
    for (const peer of this.deps.readyPeers()) if (!peer.eager && !peer.isClosed) lazy.push(peer);
    const random = this.deps.random;
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
      if (items.length > 0) this.deps.sendInv(peer, items, true);
    }
  }

  /** Write the queued pushes, one batch per peer; a peer slow to read is announced the rest instead (it fetches them with getdata, paced by its reading). */
  flushPushes(): void {
    for (const [peer, vids] of this.pushes) {
      this.pushes.delete(peer);
      if (peer.isClosed) continue;
      peer.batch(() => {
        for (let i = 0; i < vids.length && !peer.isClosed; i++) {
          const vid = vids[i] as InvItem;
          if (peer.sendBacklog >= PUSH_HIGH_WATER_BYTES) {
            for (let j = i; j < vids.length; j++) this.deps.queueInv(peer, vids[j] as InvItem);
            break;
          }
          if (this.deps.sendItem(peer, vid)) this.deps.stats.pushed++;
        }
      });
    }
  }

  /** A pushed copy from `peer` was a duplicate: the edge is not needed for the tree (11.7). */
  prune(peer: Peer): void {
    this.setEager(peer, false); // from now on it hears of new versions in the lazy rounds
    this.deps.stats.prunesSent++;
    peer.send({ command: 'prune', payload: null });
  }

  /** A lazy announcement from `peer` brought a version this node lacked: the tree failed to deliver it here, so the edge joins the tree. */
  graft(peer: Peer): void {
    this.setEager(peer, true);
    this.deps.stats.graftsSent++;
    peer.send({ command: 'graft', payload: null });
  }

  /** `prune` from a peer: stop pushing to it. */
  handlePrune(peer: Peer): void {
    this.deps.stats.prunesReceived++;
    this.setEager(peer, false);
  }

  /** `graft` from a peer: push to it again. */
  handleGraft(peer: Peer): void {
    this.deps.stats.graftsReceived++;
    this.setEager(peer, true);
  }

  /** Set the edge's state; a change is reported (monitoring's `peer:relay`). */
  private setEager(peer: Peer, eager: boolean): void {
    if (peer.eager === eager) return;
    peer.eager = eager;
    this.deps.onEdgeChange?.(peer);
  }
}
