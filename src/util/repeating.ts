/** util/repeating.ts - a guarded repeating task: runs every `ms` once started, reports a throw to `onError` instead of letting it reach the event loop, never keeps the process alive; start is idempotent, stop ends it. Imports nothing; any subsystem may use it. */

/** A task run every `ms` milliseconds between start() and stop(). */
export class Repeating {
  private timer: NodeJS.Timeout | null = null;

  /**
   * @param task the work of one round.
   * @param onError told of a round that threw (the timer keeps running); must not throw.
   */
  constructor(
    private readonly task: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Run the task every `ms` from now on; a second start while running changes nothing. */
  start(ms: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.task();
      } catch (err) {
        this.onError(err);
      }
    }, ms);
    this.timer.unref?.();
  }

  /** Stop the rounds (a later start() begins them again). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Is it started? */
  get running(): boolean {
    return this.timer !== null;
  }
}
