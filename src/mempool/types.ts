/** mempool/types.ts - the mempool's options, stored-entry shapes, events and results. Imports only protocol types. */
import type { Announcement, Attestation, Dispute, Offer, OracleCapability, OracleId, Report, Verified } from '../protocol/types.ts';
import type { RankedView } from './ranked-set.ts';
import type { Shard } from './shard.ts';
import type { AnnouncementOptions } from './announcements.ts';
import type { OfferOptions } from './offers.ts';

/** Limits and shard of one mempool (the config slice). */
export interface MempoolOptions {
  /** Oracle ads, global. */
  maxOracles: number;
  /** Capability ads per oracle. */
  maxCapabilities: number;
  /** Reports per oracle. */
  maxReports: number;
  /** JSON bytes of everything stored (ads, capabilities, reports, disputes) but proofs; past it the lowest PoW goes first (mempool/byte-budget.ts). Infinity = no byte limit. */
  maxBytes?: number;
  /** Proof reports kept, all accused keys together (mempool/proofs.ts); default DEFAULT_MAX_PROOFS. */
  maxProofs?: number;
  /** JSON bytes of the proofs kept; default DEFAULT_MAX_PROOF_BYTES. */
  maxProofBytes?: number;
  shard: Shard;
  /** DLC announcements: limits and retention (defaults in mempool/announcements.ts DEFAULT_ANNOUNCEMENT_OPTIONS). */
  announcements?: Partial<AnnouncementOptions>;
  /** Offers: limits (defaults in mempool/offers.ts DEFAULT_OFFER_OPTIONS). */
  offers?: Partial<OfferOptions>;
}

/** Injected collaborators. */
export interface MempoolDeps {
  /** Clock in milliseconds since the epoch (tests use a fake one). */
  now: () => number;
}

/** A stored oracle ad with its capabilities and the reports against it. */
export interface StoredOracle {
  msg: Verified<OracleId>;
  /** The first hex digits of msg.pubkey as a number (mempool/stored.ts idPrefix): the rank tie-break reads it before the key. */
  readonly keyPrefix: number;
  /** Short version id of msg (mempool/version-index.ts shortId of its versionHash; inv and getdata name it so). The full hash is not kept. */
  version: string;
  /** Bid amount (msat) proven by payment; 0 until bids are verified. */
  verifiedBid: number;
  receivedAt: number;
  /** JSON size of msg (the byte budget counts it). */
  bytes: number;
  /** Its capabilities, by rank (read-only; the mempool changes them). */
  readonly capabilities: RankedView<StoredCapability>;
  /** Reports this oracle keeps (against it, or against keys rotated to it), by rank: class first (read-only). */
  readonly reports: RankedView<StoredReport>;
  /** Held proofs (mempool/report-class.ts). */
  readonly proofCount: number;
  /** Held claims not answered (paid or not). */
  readonly openClaims: number;
  /** Held fact-missing reports the oracle disputed with a valid fact. */
  readonly answeredClaims: number;
}

/** A stored capability ad. */
export interface StoredCapability {
  msg: Verified<OracleCapability>;
  /** The first hex digits of msg.capabilityPubKey as a number (mempool/stored.ts idPrefix), as StoredOracle.keyPrefix. */
  readonly keyPrefix: number;
  /** Short version id of msg (as StoredOracle.version). */
  version: string;
  receivedAt: number;
  /** JSON size of msg. */
  bytes: number;
}

/** A stored report and the dispute attached to it, if any. */
export interface StoredReport {
  id: string;
  msg: Report;
  /** Short version id of msg (as StoredOracle.version). */
  version: string;
  receivedAt: number;
  /** JSON size of msg (its dispute's is counted on the dispute). */
  bytes: number;
  dispute: StoredDispute | null;
  /** A fact-missing naming an announcement (content.announcementId): the id of its attestation once stored, which answers it (docs/PROTOCOL.md 8.3). */
  attestationId?: string;
}

/** A stored dispute, attached to its report. */
export interface StoredDispute {
  /** Dispute id (also its version hash: a dispute has no cTTL). */
  id: string;
  msg: Verified<Dispute>;
  receivedAt: number;
  /** Short version id: shortId(id). */
  version: string;
  /** JSON size of msg. */
  bytes: number;
}

/** The kinds of stored things. */
export type StoredKind = 'oracle' | 'capability' | 'report' | 'dispute' | 'announcement' | 'attestation' | 'offer';

/** Payload of `accepted`: something new or newer is stored. */
export interface AcceptedEvent {
  kind: StoredKind;
  /** oracle: pubkey; capability: capabilityPubKey; report: report id; dispute: dispute id; announcement, attestation: hex SHA-256 of its TLV; offer: its id (oraclePubKey: its announcement's oracle). */
  id: string;
  oraclePubKey: string;
  /** True when a stored version was superseded (higher seqNo, or a PoW upgrade; see supersedesAd/supersedesReport). */
  replaced: boolean;
  /** versionHash of the stored message (full hex; the entry keeps only its short id). */
  version: string;
  /** The stored message. */
  entity: OracleId | OracleCapability | Report | Dispute | Announcement | Attestation | Offer;
  /** True when it comes back from this node's own disk at start ({@link Mempool.restoring}): indexes learn it, nobody journals or relays it. */
  restored?: true;
}

/** Payload of `evicted`: something left the mempool. */
export interface EvictedEvent {
  kind: StoredKind;
  id: string;
  oraclePubKey: string;
  /** `rank`: pushed out by a higher-ranked newcomer (past a count limit, the byte budget or the proof store's limits); `oracle-evicted`: its oracle left (never a proof: proofs stay in the proof store); `expired`: a DLC announcement's retention ended, or an offer's expiresAt passed. */
  cause: 'rank' | 'oracle-evicted' | 'expired';
}

/**
 * Typed event map (gossipsub-style). Listeners run synchronously after the change is complete and
 * MUST NOT throw: a throwing listener would surface as an exception from the add call that
 * triggered it, after the change was made.
 */
export interface MempoolEvents {
  'mempool:accepted': [AcceptedEvent];
  'mempool:evicted': [EvictedEvent];
  /** A stored version (Mempool.tracksVersion, any kind) left the store: replaced by a newer one, or removed. Payload: its short version id. */
  'mempool:version-retired': [string];
}

/** Result of an insertion attempt. */
export type AddResult =
  | { status: 'accepted'; replaced: boolean; evicted: EvictedEvent[] }
  | { status: 'duplicate' }
  | { status: 'out-of-shard' }
  | { status: 'rejected'; reason: MempoolRejectReason; message: string };

/** Why the mempool refused an otherwise valid entry. */
export type MempoolRejectReason = 'rank-too-low' | 'unknown-oracle' | 'report-not-found' | 'announcement-expired' | 'announcement-not-found' | 'offer-maker-limit' | 'offer-expired';

/** One stored item as relay and sync see it. `cTTL` is null for disputes (they carry none). */
export interface InventoryEntry {
  kind: StoredKind;
  /** Inventory id: oracle pubkey; capability oraclePubKey + capabilityPubKey; report id; dispute: the report id it answers. */
  id: string;
  /** Short version id of the stored version (docs/PROTOCOL.md 11.6), as sent in inv. */
  version: string;
  msg: OracleId | OracleCapability | Report | Dispute | Announcement | Attestation | Offer;
  cTTL: number | null;
}

/** A page request. */
export interface Page {
  page: number;
  chunkSize: number;
}

