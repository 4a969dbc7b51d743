/** trader/types.ts - the contract engine's face to the trader daemon shell: what it needs (ports) and what it offers. Imports protocol, dlc, chain and wallet types. */
import type { ChainBackend } from '../chain/types.ts';
import type { Announcement, Attestation, Offer, OfferContent, OracleCapability } from '../protocol/types.ts';
import type { Wallet } from '../wallet/types.ts';

/** The trader's view of its Mega node(s): the shell implements it over REST (and the /events WebSocket). */
export interface MegaPort {
  /** POST /offer; resolves on accepted or duplicate, throws with the node's `code` otherwise. */
  postOffer(offer: Offer): Promise<void>;
  getOffer(id: string): Promise<Offer | null>;
  getAnnouncement(id: string): Promise<{ announcement: Announcement; attestation: Attestation | null } | null>;
  getCapability(oraclePubKey: string, capabilityPubKey: string): Promise<OracleCapability | null>;
  /** The oracle's standing as GET /oracles/{pubkey} reports it (conflicted, proofs...), for the taker's client-side check. */
  getOracleStanding(oraclePubKey: string): Promise<{ known: boolean; conflicted: boolean; proofs: number }>;
}

/** A counterparty's daemon, reached at the offer's `contact`: the shell implements it over HTTP. */
export interface CounterpartyPort {
  /** POST <contact>/dlc/v0 with one signed envelope; resolves to the peer's signed answer envelope. */
  send(contact: string, envelope: Envelope): Promise<Envelope>;
}

/**
 * One message of the exchange between two trader daemons, authenticated end to end: `from` is the
 * sender's key (the maker's is the offer's makerPubKey; the taker's is named in its first message),
 * `signature` is ECDSA (protocol/sign.ts rule) over the canonical envelope without `signature`.
 * `body` is the dlcspecs message (offer_dlc / accept_dlc / sign_dlc) in its TLV wire form, hex.
 */
export interface Envelope {
  type: 'take' | 'offer_dlc' | 'accept_dlc' | 'sign_dlc' | 'error';
  offerId: string;
  from: string;
  /** Random 32-byte hex per contract, fixed by the taker's `take`. */
  exchangeId: string;
  body: string;
  signature: string;
}

/** Where a contract stands; persisted before any message that depends on it leaves the process. */
export type ContractPhase =
  | 'offered' // maker: offer on the board, nobody took it
  | 'taking' // taker: sent take, waiting for offer_dlc
  | 'accepted' // taker: sent accept_dlc, waiting for sign_dlc
  | 'signed' // maker: sent sign_dlc, waiting for the funding to confirm
  | 'funding' // taker: funding broadcast, waiting for confirmations
  | 'funded' // both: funding confirmed, waiting for the attestation
  | 'closing' // a CET or the refund broadcast, waiting for confirmations
  | 'closed' // settled on chain
  | 'aborted'; // never funded; coins released

export interface ContractSummary {
  id: string;
  offerId: string;
  role: 'maker' | 'taker';
  phase: ContractPhase;
  announcementId: string;
  chain: OfferContent['chain'];
  myCollateral: string;
  theirCollateral: string;
  fundingTxid: string | null;
  closingTxid: string | null;
  /** Enum outcome or numeric value the attestation gave, once known. */
  outcome: string | null;
  refundLocktime: number;
  /** Why the contract was aborted, or the last error while closing. */
  error: string | null;
  updatedAt: number;
}

export interface EngineDeps {
  dataDir: string;
  wallet: Wallet;
  chain: ChainBackend;
  mega: MegaPort;
  peers: CounterpartyPort;
  /** The trader's identity key (signs offers and envelopes), 32 bytes; from its own 0600 key file. */
  identitySecret: Uint8Array;
  /** Base URL counterparties reach this daemon at (put into offers as `contact`). */
  contact: string;
  /** Minimum PoW difficulty to mine offers at (the node's powThresholdOffers). */
  offerDifficulty: number;
  /** Confirmations before a funding or closing transaction counts. */
  minConfirmations: number;
  now?: () => number;
  /** Maker: how long a taker may take between its `take` and its accept_dlc before the coins are released and the offer is open again (default 10 min). */
  acceptTimeoutMs?: number;
  /** Taker: how long it waits for offer_dlc / sign_dlc before it aborts and releases its coins (default 10 min). */
  signTimeoutMs?: number;
  /** Taker: the highest funding fee rate (sat/vB) it accepts in an offer (default 200): a hostile maker cannot make it pay an absurd fee. */
  maxFeeRate?: number;
}

/** What the shell can ask of the engine. */
export interface ContractEngine {
  /** Make: build, sign and mine an offer on a stored announcement and post it; the contract starts in `offered`. */
  make(content: Omit<OfferContent, 'contact' | 'contractType'>): Promise<{ offer: Offer; offerId: string }>;
  /** Cancel an open offer (re-post with status cancelled, higher seqNo). */
  cancel(offerId: string): Promise<void>;
  /** Take: fetch and check the offer, the announcement and the oracle's standing, then run the exchange to a broadcast funding. */
  take(offerId: string): Promise<ContractSummary>;
  /** Counterparty endpoint: one envelope in, one answer out (the shell maps EngineError codes to HTTP 4xx). */
  receive(envelope: unknown): Promise<Envelope>;
  /** An attestation for an announcement some contract uses (from the node's /events or a poll). */
  onAttestation(attestation: Attestation): Promise<void>;
  /** Periodic work: confirmations, refunds past their locktime, retries. Idempotent. */
  tick(): Promise<void>;
  /** Broadcast the refund now (fails with `refund-not-final` before its locktime). */
  refund(contractId: string): Promise<ContractSummary>;
  list(): ContractSummary[];
  get(contractId: string): ContractSummary | null;
  /** Announcement ids some open contract waits on (the shell subscribes to them). */
  watching(): string[];
  close(): Promise<void>;
}
