/** mempool/supersede.ts - when a newly received version replaces the stored one (docs/PROTOCOL.md 9.3). Imports only protocol. */
import { signingHash } from '../protocol/canonical.ts';
import type { OracleCapability, OracleId, Report } from '../protocol/types.ts';

/**
 * Does a signed ad replace the stored version? A higher seqNo does. At an equal seqNo, the same
 * signed content with more PoW does too: PoW is outside the signature precisely so that work can
 * be raised later without re-signing. Anything else is a duplicate.
 */
export function supersedesAd<T extends OracleId | OracleCapability>(next: T, cur: T): boolean {
  if (next.seqNo !== cur.seqNo) return next.seqNo > cur.seqNo;
  return next.pow.difficulty > cur.pow.difficulty && signingHash(next, 'oracleSignature') === signingHash(cur, 'oracleSignature');
}

/**
 * Does a report replace the stored one with the same id? Reports are unsigned and their content
 * (hence id and PoW preimage) never changes, so the only meaningful update is more work: a new
 * version must carry strictly more PoW and must not lower seqNo. A higher seqNo alone is free to
 * make (the proof stays valid at any seqNo) and would let anyone churn relays, so it is a
 * duplicate; a higher seqNo with less work would be a downgrade making the report easy to evict.
 */
export function supersedesReport(next: Report, cur: Report): boolean {
  return next.seqNo >= cur.seqNo && next.pow.difficulty > cur.pow.difficulty;
}
