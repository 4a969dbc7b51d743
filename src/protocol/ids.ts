/** protocol/ids.ts - content ids: report id, dispute id, inventory id on the wire, and the version hash relay and sync dedupe on. Imports only protocol. */
import { canonicalize, omitTopLevel } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import type { Dispute, EntityKind, OracleCapability, OracleId, Report } from './types.ts';

/** Report id: hex SHA-256 of the canonical `{oraclePubKey, content}` (seqNo, cTTL and pow excluded, so updates keep the id). */
export function reportId(r: Pick<Report, 'oraclePubKey' | 'content'>): string {
  return sha256Hex(canonicalize({ oraclePubKey: r.oraclePubKey, content: r.content }));
}

/** Dispute id: hex SHA-256 of the canonical dispute. */
export function disputeId(d: Dispute): string {
  return sha256Hex(canonicalize(d));
}

/** Inventory id of an entity on the wire: oracle pubkey; capability oraclePubKey + capabilityPubKey; report id; dispute: the report id it answers. */
export function inventoryId(kind: EntityKind, msg: OracleId | OracleCapability | Report | Dispute): string {
  switch (kind) {
    case 'oracle':
      return (msg as OracleId).pubkey;
    case 'capability':
      return (msg as OracleCapability).oraclePubKey + (msg as OracleCapability).capabilityPubKey;
    case 'report':
      return reportId(msg as Report);
    case 'dispute':
      return (msg as Dispute).reportId;
  }
}

/**
 * Version hash of an entity: hex SHA-256 of its canonical form without `cTTL` (which relays lower).
 * Two copies of one version have the same hash whatever hop they came from; a new seqNo or PoW
 * gives a new hash. Relay and sync dedupe on it.
 */
export function versionHash(msg: object): string {
  return sha256Hex(canonicalize(omitTopLevel(msg, ['cTTL'])));
}
