/** p2p/lazy-log.ts - the versions waiting for the relay's lazy announcement rounds (docs/PROTOCOL.md 11.7): short ids in storing order with their time, handed out once they are old enough, bounded by count. Imports nothing. */

/** A FIFO of (short id, time stored); {@link takeMature} hands out, once, those stored long enough ago. */
export class LazyLog {
  private ids: string[] = [];
  private times: number[] = [];
  private head = 0;

  /** @param max most ids kept: beyond it the oldest is dropped (what it would have repaired is left to anti-entropy). */
  constructor(private readonly max: number) {}

  /** Ids waiting. */
  get size(): number {
    return this.ids.length - this.head;
  }

  /** `vid` was stored at `at` (times never decrease). */
  add(vid: string, at: number): void {
    this.ids.push(vid);
    this.times.push(at);
    if (this.ids.length - this.head > this.max) this.head++;
    this.compact();
  }

  /** The ids stored at or before `cutoff`, in storing order, removed from the log. */
  takeMature(cutoff: number): string[] {
    let end = this.head;
    while (end < this.ids.length && (this.times[end] as number) <= cutoff) end++;
    const out = this.ids.slice(this.head, end);
    this.head = end;
    this.compact();
    return out;
  }

  /** Drop the consumed front once it is most of the arrays (amortised O(1) per id). */
  private compact(): void {
    if (this.head === this.ids.length) {
      this.ids = [];
      this.times = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head > this.ids.length / 2) {
      this.ids = this.ids.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
