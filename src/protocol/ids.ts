/** protocol/ids.ts - content ids: report id and dispute id. Imports only protocol. */
import { canonicalize } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import type { Dispute, Report } from './types.ts';

/** Report id: hex SHA-256 of the canonical `{oraclePubKey, content}` (seqNo, cTTL and pow excluded, so updates keep the id). */
export function reportId(r: Pick<Report, 'oraclePubKey' | 'content'>): string {
  return sha256Hex(canonicalize({ oraclePubKey: r.oraclePubKey, content: r.content }));
}

/** Dispute id: hex SHA-256 of the canonical dispute. */
export function disputeId(d: Dispute): string {
  return sha256Hex(canonicalize(d));
}
