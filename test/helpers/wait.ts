/** test/helpers/wait.ts - the one polling helper of the test suite: wait for a condition with a deadline, never a fixed sleep. Imports nothing from src. */

/** Options of {@link waitFor}. */
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names the condition in the timeout error (a function is called at timeout, for current state). */
  message?: string | (() => string);
}

/** Poll `pred` until it returns true (or a resolved true); rejects with `message` after the deadline. Never a fixed sleep: it returns as soon as the condition holds. */
export async function waitFor(pred: () => boolean | Promise<boolean>, opts: WaitOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() >= deadline) {
      const msg = typeof opts.message === 'function' ? opts.message() : (opts.message ?? 'condition');
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${msg}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Poll `probe` until it returns a value other than undefined, and return it; rejects after the deadline like {@link waitFor}. */
export async function waitForValue<T>(probe: () => T | undefined | Promise<T | undefined>, opts: WaitOptions = {}): Promise<T> {
  let value: T | undefined;
  await waitFor(async () => (value = await probe()) !== undefined, opts);
  return value as T;
}
