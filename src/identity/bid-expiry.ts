/** identity/bid-expiry.ts - when each stored oracle's verified bid stops counting: an index ordered by expiry (never a scan) and one timer armed for the earliest. Imports mempool/ranked-set only. */
import { RankedSet } from '../mempool/ranked-set.ts';

/** One oracle's bid weight and when it ends. */
export interface BidDeadline {
  pubkey: string;
  amountMsat: number;
  expiresAt: number;
}

/** Longest setTimeout delay Node accepts (a later deadline re-arms when this fires). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const byExpiry = (a: BidDeadline, b: BidDeadline): number => a.expiresAt - b.expiresAt || (a.pubkey < b.pubkey ? -1 : a.pubkey > b.pubkey ? 1 : 0);

/**
 * Deadlines of verified bids, one per oracle. {@link due} pops every deadline that has passed in
 * O(k log n); {@link set} and {@link delete} are O(log n). A timer (unref'd) calls `onDue` at the
 * earliest deadline; tests on a fake clock call {@link due} themselves.
 */
export class BidExpiries {
  private readonly order = new RankedSet<BidDeadline>(byExpiry);
  private readonly byPubkey = new Map<string, BidDeadline>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;

  constructor(
    private readonly now: () => number,
    private readonly onDue: () => void,
  ) {}

  /** Deadlines held. */
  get size(): number {
    return this.byPubkey.size;
  }

  /** The deadline of `pubkey`'s bid, if it counts now. */
  get(pubkey: string): BidDeadline | undefined {
    return this.byPubkey.get(pubkey);
  }

  /** Set (or move) `pubkey`'s deadline. */
  set(d: BidDeadline): void {
    this.delete(d.pubkey);
    this.byPubkey.set(d.pubkey, d);
    this.order.add(d);
    this.arm();
  }

  /** Forget `pubkey`'s deadline (its bid changed or it left). */
  delete(pubkey: string): void {
    const d = this.byPubkey.get(pubkey);
    if (!d) return;
    this.byPubkey.delete(pubkey);
    this.order.delete(d);
  }

  /** Remove and return every deadline at or before now, earliest first; re-arms the timer. */
  due(): BidDeadline[] {
    const t = this.now();
    const out: BidDeadline[] = [];
    for (let low = this.order.lowest(); low && low.expiresAt <= t; low = this.order.lowest()) {
      this.order.delete(low);
      this.byPubkey.delete(low.pubkey);
      out.push(low);
    }
    this.timerAt = Infinity;
    this.arm();
    return out;
  }

  /** Clear the timer; final. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const next = this.order.lowest();
    if (this.stopped || !next || next.expiresAt >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next.expiresAt;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.onDue();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, next.expiresAt - this.now())),
    );
    this.timer.unref();
  }
}
