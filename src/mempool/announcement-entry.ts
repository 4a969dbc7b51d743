/** mempool/announcement-entry.ts - what the DLC announcement store keeps per entry: the message and only the decoded fields its indexes read; the rest of the TLV (key, nonces, descriptor, signatures, an attestation's id) is computed from the message when asked (issue #21 memory). Imports protocol and the dlc decoder only. */
import { dlcTlvId } from '../protocol/ids.ts';
import type { Announcement, Attestation, DlcSigningVersion, Verified } from '../protocol/types.ts';
import { decodeAnnouncement, decodeAttestation, type OracleAnnouncement, type OracleAttestation } from '../dlc/index.ts';

/** A stored attestation (one per announcement). */
export interface StoredAttestation {
  /** hex SHA-256 of the TLV bytes (hashed on each read, ~2 µs: it is read on a duplicate, an eviction or a fact-missing only). */
  readonly id: string;
  readonly msg: Verified<Attestation>;
  /** The TLV decoded on each read (~3 µs; not kept: it would double the entry, docs/benchmarks.md "Memory"). */
  readonly decoded: OracleAttestation;
  /** Short version id (shortId of its version hash; it has no cTTL). */
  readonly version: string;
  readonly bytes: number;
}

/** A stored announcement. Rank fields (`msg.pow`) change only while it is out of the ranked sets. */
export interface StoredAnnouncement {
  /** hex SHA-256 of the TLV bytes (also its inventory id). */
  readonly id: string;
  msg: Verified<Announcement>;
  /** The TLV decoded on each read (~5 µs for an enum event, ~15 µs for 20 digits; not kept: it would double the entry, docs/benchmarks.md "Memory"). Read it once per use. */
  readonly decoded: OracleAnnouncement;
  /** The capability's signing version when it was admitted (attestations are checked under it). */
  readonly signingVersion: DlcSigningVersion;
  readonly maturityEpoch: number;
  /** Question words of its capability when it was admitted (the `question` filter; one array shared by the entries of a capability). */
  readonly words: readonly string[];
  version: string;
  bytes: number;
  attestation: StoredAttestation | null;
  /** When the sweep removes it (ms since the epoch). */
  expiresAt: number;
}

/**
 * The entry of an announcement: the message and what the indexes read (maturity, words, rank and
 * expiry fields). Everything else of the TLV (key, nonces, descriptor, signature) is decoded from
 * `msg.announcement` when asked: single reads, pages, checks of an attestation, removal.
 */
export class AnnouncementEntry implements StoredAnnouncement {
  readonly id: string;
  msg: Verified<Announcement>;
  readonly signingVersion: DlcSigningVersion;
  readonly maturityEpoch: number;
  readonly words: readonly string[];
  version: string;
  bytes: number;
  attestation: StoredAttestation | null = null;
  expiresAt: number;

  constructor(id: string, msg: Verified<Announcement>, signingVersion: DlcSigningVersion, maturityEpoch: number, words: readonly string[], version: string, bytes: number, expiresAt: number) {
    this.id = id;
    this.msg = msg;
    this.signingVersion = signingVersion;
    this.maturityEpoch = maturityEpoch;
    this.words = words;
    this.version = version;
    this.bytes = bytes;
    this.expiresAt = expiresAt;
  }

  get decoded(): OracleAnnouncement {
    return decodeAnnouncement(this.msg.announcement);
  }
}

/** The entry of an attestation: its message, short version and JSON bytes; its id is hashed and its TLV decoded when asked. */
export class AttestationEntry implements StoredAttestation {
  readonly msg: Verified<Attestation>;
  readonly version: string;
  readonly bytes: number;

  constructor(msg: Verified<Attestation>, version: string, bytes: number) {
    this.msg = msg;
    this.version = version;
    this.bytes = bytes;
  }

  get id(): string {
    return dlcTlvId(this.msg.attestation);
  }

  get decoded(): OracleAttestation {
    return decodeAttestation(this.msg.attestation);
  }
}

/** The DLC key of a stored announcement (decoded: the nonce index asks only on a hit or a nonce shared by two keys). */
export const dlcKeyOf = (e: StoredAnnouncement): string => e.decoded.oracleKey;

/**
 * The index key of a nonce of `tlvHex`: the same 64 characters taken from the message's TLV hex
 * (V8 keeps a substring of 13+ characters of a flat string as a 32-byte slice of it, where a fresh
 * string costs 80 bytes; the message holds the TLV anyway). The nonce itself when not found
 * verbatim (never for a lowercase TLV, which the schema requires).
 */
export function nonceKey(tlvHex: string, nonce: string): string {
  const at = tlvHex.indexOf(nonce);
  return at < 0 ? nonce : tlvHex.slice(at, at + nonce.length);
}
