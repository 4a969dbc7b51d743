/** protocol/types.ts - the entity shapes (OracleId, OracleCapability, Report and its contents, Dispute, Fact, DLC Announcement and Attestation, Offer). Imports nothing. */

/** Lowercase hex string (public keys, signatures, hashes). */
export type Hex = string;

/** The only signature type of protocol v1. */
export const SIGNATURE_TYPE = 'ecdsa-secp256k1' as const;
export type SignatureType = typeof SIGNATURE_TYPE;

/** Hashcash proof of work carried by every ranked entity. */
export interface Pow {
  difficulty: number;
  algorithm: 'SHA256';
  hash: Hex;
  magicNo: number;
  magicString?: string;
}

/** A payment made by an oracle to facilitators for ad placement (verified by a later release). */
export interface Bid {
  amount: number;
  proof: string;
  paymentType?: string;
}

/** An oracle's identity ad. Signed by `pubkey`. */
export interface OracleId {
  pubkey: Hex;
  seqNo: number;
  cTTL: number;
  pow: Pow;
  bid: Bid;
  oracleSignature: Hex;
  oracleSignatureType: SignatureType;
  manifestUri?: string;
  tags?: string[];
  previousId?: OracleId;
  previousIdSignatureToNewPubkey?: Hex;
}

/** A named argument of a capability's question and its allowed values. */
export interface CapabilityParam {
  name: string;
  values: string[];
}

/** A question an oracle answers, signed by the oracle key; facts are signed by `capabilityPubKey`. */
export interface OracleCapability {
  oraclePubKey: Hex;
  capabilityPubKey: Hex;
  question: string;
  seqNo: number;
  cTTL: number;
  oracleSignature: Hex;
  oracleSignatureType: SignatureType;
  pow: Pow;
  tags?: string[];
  params?: CapabilityParam[];
  answers?: string[];
  /** Base URL of the oracle's fact service: facts are asked with `POST <endpoint>/facts` (docs/PROTOCOL.md 10.7). */
  endpoint?: string;
  off?: boolean;
  /** The gateway's Oblivious HTTP key configuration (RFC 9458 3.1, hex): oblivious fact requests (docs/PROTOCOL.md 10.9). */
  ohttpKeyConfig?: string;
  /** Seconds a node may serve a fact of this capability from its cache; absent = the node's default. */
  factLifetime?: number;
  /** The oracle's Lightning node id (33-byte compressed pubkey, hex): invoices for this capability's facts are signed by it, so a fact-missing's payment proof can be verified (docs/PROTOCOL.md 8.3). */
  lightningNodeId?: Hex;
  /** DLC binding: the oracle's BIP340 attestation key and how it signs (docs/PROTOCOL.md "DLC oracles"). Covered by `oracleSignature`. */
  dlc?: DlcBinding;
}

/** The DLC signing versions a capability may bind (docs/dlc.md section 3). */
export type DlcSigningVersion = 'dlcspecs-v0' | 'basic-sha256';

/** A capability's DLC binding: the x-only BIP340 key its announcements and attestations are signed with. */
export interface DlcBinding {
  /** 32-byte x-only key, lowercase hex; never the x coordinate of the capability's ECDSA keys. */
  oracleKey: Hex;
  signingVersion: DlcSigningVersion;
}

/** A dlcspecs oracle_announcement carried for a capability with a DLC binding; id = hex SHA-256 of the TLV bytes. */
export interface Announcement {
  oraclePubKey: Hex;
  capabilityPubKey: Hex;
  /** Lowercase hex of the oracle_announcement TLV (type 55332), verbatim. */
  announcement: Hex;
  cTTL: number;
  pow: Pow;
}

/** A dlcspecs oracle_attestation of a stored announcement; id = hex SHA-256 of the TLV bytes. No PoW, no cTTL. */
export interface Attestation {
  announcementId: Hex;
  /** Lowercase hex of the oracle_attestation TLV (type 55400), verbatim. */
  attestation: Hex;
}

/** What was asked of a capability. */
export interface FactRequest {
  capabilityPubKey: Hex;
  arguments: Record<string, string>;
}

/** An answer signed by the capability key over the canonical `{request, answer}`. */
export interface Fact {
  request: FactRequest;
  answer: string;
  signatureType: SignatureType;
  signature: Hex;
}

/**
 * Evidence that a trader paid for a fact that never came. `proof` is free text; `invoice` (BOLT11)
 * with `preimage` (hex, 32 bytes) is verified when the capability names the oracle's Lightning node.
 */
export interface PaymentProof {
  proof: string;
  amount?: number;
  paymentType?: string;
  /** BOLT11 invoice signed by the capability's `lightningNodeId`, whose description hash is SHA-256 of the canonical request. */
  invoice?: string;
  /** Payment preimage, 64 hex: SHA-256 of it is the invoice's payment hash. */
  preimage?: Hex;
}

/** Two or more facts by one capability key for the same request with different answers. */
export interface FactConflictContent {
  type: 'fact-conflict';
  request: FactRequest;
  facts: Fact[];
  capability?: OracleCapability;
}

/** A request that was not answered (the oracle may dispute it with the fact). */
export interface FactMissingContent {
  type: 'fact-missing';
  request: FactRequest;
  payment?: PaymentProof;
  /** The oracle-signed capability ad of `request.capabilityPubKey`, when the node may not know it (docs/PROTOCOL.md 8.3). */
  capability?: OracleCapability;
  /**
   * A stored DLC announcement of `request.capabilityPubKey` that was not attested by maturity +
   * announcementGraceMs (docs/PROTOCOL.md 8.3); its attestation answers the report.
   */
  announcementId?: Hex;
}

/** A signed fact that the reporter says contradicts public knowledge (for human review). */
export interface FactDisagreesWithPublicContent {
  type: 'fact-disagrees-with-public';
  request: FactRequest;
  fact: Fact;
  comment?: string;
  capability?: OracleCapability;
}

/**
 * Two valid attestations of one announcement that sign different outcomes under one committed
 * nonce: they give the oracle's DLC key (self-proving, docs/PROTOCOL.md 8.3).
 */
export interface DlcEquivocationContent {
  type: 'dlc-equivocation';
  /** The capability of `oraclePubKey` whose `dlc` binding names the signing key and version. */
  capabilityPubKey: Hex;
  /** oracle_announcement TLV, hex. */
  announcement: Hex;
  /** Two different oracle_attestation TLVs of it, hex, in ascending order. */
  attestations: [Hex, Hex];
  /** The oracle-signed capability ad of `capabilityPubKey` (a node that does not store it needs it). */
  capability?: OracleCapability;
}

/** Two valid announcements of one DLC key committing to a shared nonce for different events (self-proving). */
export interface DlcNonceReuseContent {
  type: 'dlc-nonce-reuse';
  capabilityPubKey: Hex;
  /** Two different oracle_announcement TLVs, hex, in ascending order. */
  announcements: [Hex, Hex];
  capability?: OracleCapability;
}

/** The report contents that carry DLC messages instead of a fact request. */
export type DlcProofContent = DlcEquivocationContent | DlcNonceReuseContent;

export type ReportContent = FactConflictContent | FactMissingContent | FactDisagreesWithPublicContent | DlcProofContent;
export type ReportType = ReportContent['type'];
export const REPORT_TYPES: readonly ReportType[] = ['fact-conflict', 'fact-missing', 'fact-disagrees-with-public', 'dlc-equivocation', 'dlc-nonce-reuse'];

/** Is this content a DLC proof (no fact request; capabilityPubKey at the top)? */
export function isDlcProofContent(c: ReportContent): c is DlcProofContent {
  return c.type === 'dlc-equivocation' || c.type === 'dlc-nonce-reuse';
}

/** The capability key a report content names: its request's, or a DLC proof's. */
export function contentCapabilityKey(c: ReportContent): Hex {
  return isDlcProofContent(c) ? c.capabilityPubKey : c.request.capabilityPubKey;
}

/** A malleability report against an oracle; unsigned, protected by PoW. */
export interface Report {
  oraclePubKey: Hex;
  seqNo: number;
  cTTL: number;
  pow: Pow;
  content: ReportContent;
}

/** An oracle's answer to a fact-missing report: the signed fact for the stored report's request. */
export interface Dispute {
  reportId: Hex;
  oraclePubKey: Hex;
  fact: Fact;
}

/** The chains an offer may name (docs/PROTOCOL.md "Offers"). */
export type OfferChain = 'bitcoin-regtest' | 'bitcoin-testnet' | 'bitcoin-signet' | 'bitcoin-mainnet';

/** One enum outcome's split of the total collateral, satoshis: maker + taker = makerCollateral + takerCollateral. */
export interface OfferEnumPayout {
  outcome: string;
  maker: number;
  taker: number;
}

/** A point of the maker's payout curve for a numeric (digit-decomposition) event: at `outcome` the maker receives `maker` sat. */
export interface OfferCurvePoint {
  outcome: number;
  maker: number;
}

/** The payouts of an offer: per enum outcome, or a piecewise-linear maker payout curve over the numeric event's whole domain. */
export type OfferPayouts =
  | { kind: 'enum'; outcomes: OfferEnumPayout[] }
  | { kind: 'numeric'; points: OfferCurvePoint[]; rounding?: { begin: number; mod: number }[] };

/** The terms of an offer: everything but who signs it and its status. Covered by the id, the PoW and the signature. */
export interface OfferContent {
  /** Id of the stored DLC announcement the bet settles on (hex SHA-256 of its TLV). */
  announcementId: Hex;
  chain: OfferChain;
  contractType: 'dlc-v0';
  /** Satoshis each side locks. */
  makerCollateral: number;
  takerCollateral: number;
  payouts: OfferPayouts;
  /** Funding fee rate, sat/vB. */
  feeRate: number;
  /** nLockTime of the CETs (dlcspecs cet_locktime); 0 = none. */
  cetLocktime: number;
  /** nLockTime of the refund (dlcspecs refund_locktime): a unix time (>= 500,000,000), after the event's maturity. */
  refundLocktime: number;
  /** Unix seconds after which nobody should take the offer; no later than the event's maturity. */
  expiresAt: number;
  /** Where a taker reaches the maker's trader daemon: base URL of its counterparty endpoint (http or https). */
  contact: string;
}

/**
 * A maker's signed intent to enter a DLC on one announcement. No UTXOs, keys or addresses: taking
 * it is a private exchange with the maker's daemon. Id = hex SHA-256 of the canonical
 * `{makerPubKey, content}` (also the PoW preimage); a higher seqNo replaces (cancel, taken).
 * Signed by `makerPubKey` like every entity (JCS without the signature, pow and cTTL).
 */
export interface Offer {
  makerPubKey: Hex;
  seqNo: number;
  cTTL: number;
  pow: Pow;
  status: 'open' | 'cancelled' | 'taken';
  content: OfferContent;
  makerSignature: Hex;
  makerSignatureType: SignatureType;
}

/** The entity kinds a node admits. */
export type EntityKind = 'oracle' | 'capability' | 'report' | 'dispute' | 'announcement' | 'attestation' | 'offer';

declare const verifiedBrand: unique symbol;
/**
 * An entity whose schema, PoW and signatures were checked. Only the service's admission path
 * produces it (nostr-tools `VerifiedEvent`); the mempool accepts nothing else.
 */
export type Verified<T> = T & { readonly [verifiedBrand]: true };
