/** protocol/ids.ts - content ids: report id, dispute id, inventory id on the wire, and the version hash relay and sync dedupe on. Imports only protocol. */
import { canonicalize, canonicalPick, canonicalWithout, memoHash, type HashMemo } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import { offerId } from './offer.ts';
import type { Announcement, Attestation, Dispute, EntityKind, Offer, OracleCapability, OracleId, Report } from './types.ts';

/** The members a report id (and its PoW preimage) cover. */
export const REPORT_ID_FIELDS = ['oraclePubKey', 'content'] as const;

/** Canonical `{oraclePubKey, content}` of a report: its PoW preimage, and the text its id hashes. */
export function reportText(r: Pick<Report, 'oraclePubKey' | 'content'>, memo: HashMemo | null = null): string {
  return memoHash(memo, r, 'report-text', () => canonicalPick(r, REPORT_ID_FIELDS, memo));
}

/** Report id: hex SHA-256 of the canonical `{oraclePubKey, content}` (seqNo, cTTL and pow excluded, so updates keep the id). */
export function reportId(r: Pick<Report, 'oraclePubKey' | 'content'>, memo: HashMemo | null = null): string {
  return memoHash(memo, r, 'report-id', () => sha256Hex(reportText(r, memo)));
}

/** Dispute id: hex SHA-256 of the canonical dispute. */
export function disputeId(d: Dispute, memo: HashMemo | null = null): string {
  return memoHash(memo, d, 'dispute-id', () => sha256Hex(canonicalize(d)));
}

/** Id of a DLC announcement or attestation: hex SHA-256 of its TLV bytes (the lowercase hex it carries, decoded). */
export function dlcTlvId(tlvHex: string): string {
  return sha256Hex(Buffer.from(tlvHex, 'hex'));
}

/** Inventory id of an entity on the wire: oracle pubkey; capability oraclePubKey + capabilityPubKey; report id; dispute: the report id it answers; announcement: its id; attestation: the announcement id (one per announcement); offer: its id. */
export function inventoryId(kind: EntityKind, msg: OracleId | OracleCapability | Report | Dispute | Announcement | Attestation | Offer): string {
  switch (kind) {
    case 'oracle':
      return (msg as OracleId).pubkey;
    case 'capability':
      return (msg as OracleCapability).oraclePubKey + (msg as OracleCapability).capabilityPubKey;
    case 'report':
      return reportId(msg as Report);
    case 'dispute':
      return (msg as Dispute).reportId;
    case 'announcement':
      return dlcTlvId((msg as Announcement).announcement);
    case 'attestation':
      return (msg as Attestation).announcementId;
    case 'offer':
      return offerId(msg as Offer);
  }
}

/**
 * Version hash of an entity: hex SHA-256 of its canonical form without `cTTL` (which relays lower).
 * Two copies of one version have the same hash whatever hop they came from; a new seqNo or PoW
 * gives a new hash. Relay and sync dedupe on it.
 */
export function versionHash(msg: object, memo: HashMemo | null = null): string {
  return memoHash(memo, msg, 'version', () => sha256Hex(canonicalWithout(msg, ['cTTL'], memo)));
}

/** Bytes of the version hash a short version id keeps (128 bits: see docs/PROTOCOL.md 11.6 on collisions). */
export const SHORT_ID_BYTES = 16;
/** Characters of a short version id: 16 bytes in base64url without padding. */
export const SHORT_ID_CHARS = 22;

/**
 * Short version id of a version hash (64 lowercase hex, protocol/ids.ts versionHash): its first 16
 * bytes in base64url without padding (RFC 4648 section 5), 22 characters. This is how inventory
 * names one version of an item on the wire (docs/PROTOCOL.md 11.6).
 */
export function shortId(versionHex: string): string {
  const id = Buffer.from(versionHex.slice(0, 2 * SHORT_ID_BYTES), 'hex').toString('base64url');
  // Buffer.from stops at the first non-hex character: a short result means the caller passed no hash.
  if (id.length !== SHORT_ID_CHARS) throw new TypeError(`shortId: not a version hash: ${versionHex.slice(0, 70)}`);
  return id;
}
