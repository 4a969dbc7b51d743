/** mempool/supersede.ts - when a newly received version replaces the stored one (docs/PROTOCOL.md 9.3). Imports only protocol. */
import { signingHash } from '../protocol/canonical.ts';
import type { OracleCapability, OracleId, Report } from '../protocol/types.ts';

/**
 * Does a signed ad replace the stored version (docs/PROTOCOL.md 9.3)? Versions of one ad are totally
 * ordered, so every node keeps the same one whatever order they arrive in: higher seqNo; at an equal
 * seqNo the greater signing hash (an oracle that signs two ads with one seqNo forked its own ad; only
 * it can, and without this rule each half of the network kept the one it saw first, issue #12 item
 * 10); for the same signed content more PoW (work is outside the signature so anyone may raise it
 * later without re-signing), then the smaller PoW hash. PoW never decides between forks: it can be
 * moved from one fork to the other (its preimage has no signed content), so it would let anyone flip
 * the choice. The rest (the very same version included) is a duplicate.
 */
export function supersedesAd<T extends OracleId | OracleCapability>(next: T, cur: T): boolean {
  if (next.seqNo !== cur.seqNo) return next.seqNo > cur.seqNo;
  const a = signingHash(next, 'oracleSignature');
  const b = signingHash(cur, 'oracleSignature');
  if (a !== b) return a > b;
  if (next.pow.difficulty !== cur.pow.difficulty) return next.pow.difficulty > cur.pow.difficulty;
  return next.pow.hash < cur.pow.hash;
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
