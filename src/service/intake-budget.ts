/** service/intake-budget.ts - back-pressure on the intake: entities and payload bytes waiting per source and in all, pausing a source's reads (a peer's socket) past the bounds and resuming them once drained. Imports nothing. */

/** What the budget pauses: a peer's reads (p2p/peer.ts `hold`). A source without `hold` (REST: one request, one answer) is only counted. */
export interface Holdable {
  hold?(on: boolean): void;
}

/** Bounds of the intake; each pause bound has a lower resume bound so a peer is not toggled per message. */
export interface IntakeLimits {
  /** A peer with this many entities waiting is paused ... */
  peerEntities: number;
  /** ... until it is down to this many. */
  peerEntitiesResume: number;
  /** A peer whose waiting payloads reach this many bytes is paused ... */
  peerBytes: number;
  /** ... until they are down to this. */
  peerBytesResume: number;
  /** Whichever peer adds an entity while all waiting payloads reach this many bytes is paused ... */
  totalBytes: number;
  /** ... until the total is down to this. */
  totalBytesResume: number;
}

/**
 * 1,024 entities or 8 MiB per peer, 64 MiB in all. A payload may be up to 1 MiB (the frame limit),
 * so the entity count alone would let one peer park a gigabyte; the total bounds many peers at once.
 */
export const INTAKE_LIMITS: IntakeLimits = {
  peerEntities: 1_024,
  peerEntitiesResume: 256,
  peerBytes: 8 * 1024 * 1024,
  peerBytesResume: 2 * 1024 * 1024,
  totalBytes: 64 * 1024 * 1024,
  totalBytesResume: 32 * 1024 * 1024,
};

interface Waiting {
  entities: number;
  bytes: number;
}

/** Counts what waits in the intake and holds peers (back-pressure, never a ban). */
export class IntakeBudget<P extends Holdable = Holdable> {
  private readonly limits: IntakeLimits;
  private readonly waiting = new Map<P, Waiting>();
  private readonly held = new Set<P>();
  private total = 0;

  constructor(limits: IntakeLimits = INTAKE_LIMITS) {
    this.limits = limits;
  }

  /** Payload bytes waiting over all peers. */
  get totalBytes(): number {
    return this.total;
  }

  /** Is this peer's reading paused by the budget? */
  isHeld(peer: P): boolean {
    return this.held.has(peer);
  }

  /** An entity of `bytes` from `peer` starts waiting. */
  add(peer: P, bytes: number): void {
    let w = this.waiting.get(peer);
    if (!w) this.waiting.set(peer, (w = { entities: 0, bytes: 0 }));
    w.entities++;
    w.bytes += bytes;
    this.total += bytes;
    const l = this.limits;
    if (!this.held.has(peer) && (w.entities >= l.peerEntities || w.bytes >= l.peerBytes || this.total >= l.totalBytes)) {
      this.held.add(peer);
      peer.hold?.(true);
    }
  }

  /** An entity of `bytes` from `peer` stopped waiting (admitted or dropped). */
  remove(peer: P, bytes: number): void {
    const w = this.waiting.get(peer);
    if (!w) return;
    const wasOverTotal = this.total > this.limits.totalBytesResume;
    w.entities--;
    w.bytes -= bytes;
    this.total -= bytes;
    if (w.entities <= 0) this.waiting.delete(peer);
    if (wasOverTotal && this.total <= this.limits.totalBytesResume) {
      // The total fell below its resume bound: any peer held for it alone may go on.
      for (const p of [...this.held]) this.releaseIfDrained(p);
    } else if (this.held.has(peer)) {
      this.releaseIfDrained(peer);
    }
  }

  /** Forget everything (the relay is closing). */
  clear(): void {
    this.waiting.clear();
    this.held.clear();
    this.total = 0;
  }

  private releaseIfDrained(peer: P): void {
    const w = this.waiting.get(peer) ?? { entities: 0, bytes: 0 };
    const l = this.limits;
    if (w.entities > l.peerEntitiesResume || w.bytes > l.peerBytesResume || this.total > l.totalBytesResume) return;
    this.held.delete(peer);
    peer.hold?.(false);
  }
}
