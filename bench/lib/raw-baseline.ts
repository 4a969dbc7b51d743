/** bench/lib/raw-baseline.ts - a benchmark run's same-run baseline: the raw single-core secp256k1 verify rate measured right before and right after it, and the host-independent figures derived from the two. */

/** A run's baseline and the figures derived from it (every rate rounded to a whole number per second). */
export interface RawBaseline {
  /** Mean of the rates measured right before and right after the run: the host's speed during it. */
  rawVerifyPerSec: number;
  rawVerifyPerSecBeforeAfter: [number, number];
  /** 10^6 / rawVerifyPerSec: one raw `ecdsaVerify` on one core at that moment, to set beside a µs-per-entry figure. */
  rawVerifyMicrosPerCheck: number;
  /** `perSec` / rawVerifyPerSec: the run's rate in units of the host's own speed (NaN when the run did not finish). */
  ratioToRawVerify: number;
}

/**
 * Figures of one run from the raw verify rates measured right before (`before`) and right after
 * (`after`) it, both per second, and the run's own rate `perSec` (entries or messages per second).
 */
export function rawBaseline(before: number, after: number, perSec: number): RawBaseline {
  if (!(before > 0) || !(after > 0)) throw new Error(`raw verify rates must be > 0, got ${before} and ${after}`);
  const raw = (before + after) / 2;
  return {
    rawVerifyPerSec: Math.round(raw),
    rawVerifyPerSecBeforeAfter: [Math.round(before), Math.round(after)],
    rawVerifyMicrosPerCheck: Math.round((1e6 / raw) * 10) / 10,
    ratioToRawVerify: Math.round((perSec / raw) * 1000) / 1000,
  };
}
