/** persist/dependents.ts - intact records restored without their oracle (its own record was damaged or is gone): held, carried into every snapshot, and put back when the oracle returns. Imports nothing from the project but the codec. */
import { encodeRecord } from './codec.ts';

/** Records held for missing oracles, at most this many... */
export const MAX_WAITING_RECORDS = 100_000;
/** ...and at most this many bytes of encoded records (beyond either, records stay only in the `*.damaged-*` copy). */
export const MAX_WAITING_BYTES = 64 * 1024 * 1024;

/** The part of a stored put record this module needs. */
export interface WaitingRecord {
  op: 'put';
  kind: string;
  id: string;
  oraclePubKey: string;
  msg: object;
}

/**
 * Per oracle, the records that could not be placed at restore because their oracle was missing.
 * Bounded by count and bytes. Insertion order is kept, so capabilities and reports come before
 * the disputes that hang on them.
 */
export class WaitingForOracle<R extends WaitingRecord> {
  private readonly byOracle = new Map<string, { r: R; bytes: number }[]>();
  private n = 0;
  private bytes = 0;

  /** Hold `r` until its oracle returns; false when the bounds are reached (the record is not held). */
  hold(r: R): boolean {
    const size = Buffer.byteLength(encodeRecord(r));
    if (this.n >= MAX_WAITING_RECORDS || this.bytes + size > MAX_WAITING_BYTES) return false;
    const list = this.byOracle.get(r.oraclePubKey);
    if (list) list.push({ r, bytes: size });
    else this.byOracle.set(r.oraclePubKey, [{ r, bytes: size }]);
    this.n++;
    this.bytes += size;
    return true;
  }

  /** Take (and forget) every record waiting for `oraclePubKey`. */
  take(oraclePubKey: string): R[] {
    const list = this.byOracle.get(oraclePubKey);
    if (!list) return [];
    this.byOracle.delete(oraclePubKey);
    for (const e of list) {
      this.n--;
      this.bytes -= e.bytes;
    }
    return list.map((e) => e.r);
  }

  /** Number of records held. */
  get count(): number {
    return this.n;
  }

  /** Every held record (for the snapshot). */
  *all(): IterableIterator<R> {
    for (const list of this.byOracle.values()) for (const e of list) yield e.r;
  }
}
