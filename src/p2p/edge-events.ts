/** p2p/edge-events.ts - when to report a peer's push-tree edge state (eager/lazy, docs/PROTOCOL.md 11.7) to monitoring: on a change, at most once per EDGE_EVENT_MIN_INTERVAL_MS per peer, always ending on the current state (prune and graft frames cost a peer nothing, so their rate must not become the live feed's). Imports the peer type only. */
import type { Peer } from './peer.ts';

/** Least time between two reports of one peer's edge state; a change within it is reported when it ends, if it still holds. */
export const EDGE_EVENT_MIN_INTERVAL_MS = 1_000;

/** What was last reported for one peer. */
interface Reported {
  eager: boolean;
  at: number;
  /** The report due at the end of the interval, if one is. */
  timer: NodeJS.Timeout | null;
}

/** Rate-limited edge-state reports, one entry per connected peer (dropped when it leaves). */
export class EdgeEvents {
  private readonly reported = new Map<Peer, Reported>();

  /**
   * @param publish reports the peer's current state (the pool's `peer:relay`); must not throw.
   * @param now the clock.
   * @param minIntervalMs least time between two reports of one peer.
   */
  constructor(
    private readonly publish: (peer: Peer) => void,
    private readonly now: () => number = Date.now,
    private readonly minIntervalMs = EDGE_EVENT_MIN_INTERVAL_MS,
  ) {}

  /** `peer`'s edge state changed (the relay's onEdgeChange). Every peer starts eager (its `peer:connect` says so). */
  changed(peer: Peer): void {
    let r = this.reported.get(peer);
    if (!r) this.reported.set(peer, (r = { eager: true, at: -Infinity, timer: null }));
    if (r.timer) return; // a report is due: it will carry the state of then
    const wait = r.at + this.minIntervalMs - this.now();
    if (wait <= 0) {
      this.report(peer, r);
      return;
    }
    const due = r;
    due.timer = setTimeout(() => {
      due.timer = null;
      if (this.reported.get(peer) === due) this.report(peer, due);
    }, wait);
    due.timer.unref?.();
  }

  /** Forget a peer that left (a pending report is dropped: its `peer:disconnect` follows). */
  dropPeer(peer: Peer): void {
    const r = this.reported.get(peer);
    if (r?.timer) clearTimeout(r.timer);
    this.reported.delete(peer);
  }

  /** Drop every pending report (the pool stops). */
  close(): void {
    for (const r of this.reported.values()) if (r.timer) clearTimeout(r.timer);
    this.reported.clear();
  }

  /** Report the current state, unless it is the one reported last (it flipped and back) or the peer is gone. */
  private report(peer: Peer, r: Reported): void {
    if (peer.isClosed || peer.eager === r.eager) return;
    r.eager = peer.eager;
    r.at = this.now();
    this.publish(peer);
  }
}
