/** protocol/ids.ts - content ids: report id, dispute id, inventory id on the wire, and the version hash relay and sync dedupe on. Imports only protocol. */
import { canonicalize, canonicalPick, canonicalWithout, memoHash, type HashMemo } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import { offerId } from './offer.ts';
import type { Announcement, Attestation, Dispute, EntityKind, Offer, OracleCapability, OracleId, Report } from './types.ts';

/** The members a report id (and its PoW preimage) cover. */
export const REPORT_ID_FIELDS = ['oraclePubKey', 'content'] as const;

/** Canonical `{oraclePubKey, content}` of a report: its PoW preimage, and the text its id hashes. */
export function reportText(r: Pick<Report, 'oraclePubKey' | 'content'>, memo: HashMemo | null = null): string {
  // memoHash inlined (here and below): no closure per call on the admission path.
  if (!memo) return canonicalPick(r, REPORT_ID_FIELDS, null);
  const hit = memo.get(r, 'report-text');
  if (hit !== undefined) return hit as string;
  const text = canonicalPick(r, REPORT_ID_FIELDS, memo);
  memo.set(r, 'report-text', text);
  return text;
}

/** Report id: hex SHA-256 of the canonical `{oraclePubKey, content}` (seqNo, cTTL and pow excluded, so updates keep the id). */
export function reportId(r: Pick<Report, 'oraclePubKey' | 'content'>, memo: HashMemo | null = null): string {
  if (!memo) return sha256Hex(reportText(r, null));
  const hit = memo.get(r, 'report-id');
  if (hit !== undefined) return hit as string;
  const id = sha256Hex(reportText(r, memo));
  memo.set(r, 'report-id', id);
  return id;
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
  if (!memo) return sha256Hex(canonicalWithout(msg, VERSION_DROPS, null));
  const hit = memo.get(msg, 'version');
  if (hit !== undefined) return hit as string;
  const hash = sha256Hex(canonicalWithout(msg, VERSION_DROPS, memo));
  memo.set(msg, 'version', hash);
  return hash;
}

/** The members a version hash leaves out. */
const VERSION_DROPS: readonly string[] = ['cTTL'];

/** Bytes of the version hash a short version id keeps (128 bits: see docs/PROTOCOL.md 11.6 on collisions). */
export const SHORT_ID_BYTES = 16;
/** Characters of a short version id: 16 bytes in base64url without padding. */
export const SHORT_ID_CHARS = 22;

/** Value of each ASCII hex digit (either case, as Buffer.from(_, 'hex') reads them); -1 for every other code unit below 128. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = HEX_VALUE[65 + i] = 10 + i;
/** The base64url alphabet (RFC 4648 section 5) as character codes. */
const BASE64URL = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (c) => c.charCodeAt(0));
/** Character codes of one short id being built (reused: shortId is synchronous). */
const idCodes: number[] = new Array<number>(SHORT_ID_CHARS).fill(0);

/** Value of hex digit `i` of `hex`; throws when it is not one (or missing) as the short-id check below did. */
function hexDigit(hex: string, i: number): number {
  const c = hex.charCodeAt(i);
  const v = c < 128 ? (HEX_VALUE[c] as number) : -1; // NaN (past the end) < 128 is false
  if (v < 0) throw new TypeError(`shortId: not a version hash: ${hex.slice(0, 70)}`);
  return v;
}

/**
 * Short version id of a version hash (64 lowercase hex, protocol/ids.ts versionHash): its first 16
 * bytes in base64url without padding (RFC 4648 section 5), 22 characters. This is how inventory
 * names one version of an item on the wire (docs/PROTOCOL.md 11.6). Computed from the hex digits
 * directly, three bytes (six digits) to four characters, then one byte to two: the same string as
 * `Buffer.from(hex.slice(0, 32), 'hex').toString('base64url')` without a Buffer per call (it runs
 * three times per admitted entity); anything but 32 leading hex digits throws, as that did.
 */
export function shortId(versionHex: string): string {
  const h = versionHex;
  let o = 0;
  for (let i = 0; i < 30; i += 6) {
    const x = (hexDigit(h, i) << 20) | (hexDigit(h, i + 1) << 16) | (hexDigit(h, i + 2) << 12) | (hexDigit(h, i + 3) << 8) | (hexDigit(h, i + 4) << 4) | hexDigit(h, i + 5);
    idCodes[o++] = BASE64URL[x >>> 18] as number;
    idCodes[o++] = BASE64URL[(x >>> 12) & 63] as number;
    idCodes[o++] = BASE64URL[(x >>> 6) & 63] as number;
    idCodes[o++] = BASE64URL[x & 63] as number;
  }
  const y = (hexDigit(h, 30) << 4) | hexDigit(h, 31);
  idCodes[o++] = BASE64URL[y >>> 2] as number;
  idCodes[o] = BASE64URL[(y & 3) << 4] as number;
  return String.fromCharCode.apply(null, idCodes);
}
