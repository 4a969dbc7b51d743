/** service/types.ts - types shared by the REST and P2P doors: admission outcomes, the typed reason -> ban score table, admission sources, and the peer summary monitoring reads. Imports only protocol and mempool types. */
import type { EntityKind } from '../protocol/types.ts';
import type { EvictedEvent } from '../mempool/mempool.ts';
import type { MempoolRejectReason } from '../mempool/types.ts';
import type { VerifyReason } from '../protocol/verify.ts';

/** Refusals of DLC announcements, attestations and capability `dlc` bindings (service/admission-dlc.ts, docs/PROTOCOL.md "DLC oracles"). */
export type DlcRejectReason =
  | 'dlc-invalid'
  | 'capability-not-dlc'
  | 'dlc-key-mismatch'
  | 'dlc-key-reuse'
  | 'maturity-too-far'
  | 'dlc-signature-invalid'
  | 'dlc-nonce-reuse'
  | 'dlc-attestation-invalid'
  | 'dlc-equivocation'
  | 'announcement-mismatch'
  | 'announcement-not-due'
  | 'announcement-attested';

/** Refusals of offers (service/offer-checks.ts, docs/PROTOCOL.md "Offers"), in the order they are checked. */
export type OfferRejectReason =
  | 'offer-contract-type'
  | 'offer-collateral-invalid'
  | 'offer-payouts-kind'
  | 'offer-outcomes-mismatch'
  | 'offer-payout-sum'
  | 'offer-event-signed'
  | 'offer-curve-invalid'
  | 'offer-fee-rate'
  | 'offer-refund-locktime'
  | 'offer-cet-locktime'
  | 'offer-expired'
  | 'offer-expiry-too-late'
  | 'offer-contact-invalid';

/** Why an entity was refused: every code of docs/PROTOCOL.md 10.3, checked by the compiler against {@link BAN_SCORES}. */
export type RejectReason =
  | VerifyReason
  | MempoolRejectReason
  | DlcRejectReason
  | OfferRejectReason
  | 'schema-violation'
  | 'pow-invalid'
  | 'pow-below-threshold'
  | 'repeated-refusal'
  | 'shutting-down'
  | 'internal-error';

/**
 * Ban score a P2P peer earns for sending something refused for each reason: 0 where an honest peer
 * with another view of the mempool can send it, 100 where only a faulty or hostile one can.
 * A `Record` over the union, so a new reason without a score (or a mistyped one) does not compile.
 */
export const BAN_SCORES: Readonly<Record<RejectReason, number>> = {
  // Honest peers can send these: the sender's view of the mempool differs from ours.
  'rank-too-low': 0,
  'unknown-oracle': 0,
  'unknown-capability': 0,
  // The capability version this node knows names no Lightning node; the sender's may.
  'payment-unverifiable': 0,
  'report-not-found': 0,
  'pow-below-threshold': 0,
  'announcement-not-found': 0,
  'announcement-expired': 0,
  'maturity-too-far': 0,
  // The sender relays a validly signed message; the fault is the oracle's (kept as evidence).
  'dlc-nonce-reuse': 0,
  'dlc-equivocation': 0,
  // A fact-missing naming an announcement: the sender's clock, or an attestation it has not seen yet.
  'announcement-not-due': 0,
  'announcement-attested': 0,
  // Offers: the sender's clock or config differ (an offer may expire in flight; lifetime and per-maker limits are each node's).
  'offer-expired': 0,
  'offer-expiry-too-late': 0,
  'offer-maker-limit': 0,
  // The same refused version again from the same source: honest peers remember what they sent (11.10).
  'repeated-refusal': 20,
  // Ours, not the sender's: the node is stopping, or a bug in admission (logged).
  'shutting-down': 0,
  'internal-error': 0,
  // Only a faulty or hostile sender produces these.
  'schema-violation': 100,
  'pow-invalid': 100,
  'invalid-pubkey': 100,
  'signature-invalid': 100,
  'invalid-rotation': 100,
  'capability-mismatch': 100,
  'capability-invalid': 100,
  'fact-request-mismatch': 100,
  'fact-signature-invalid': 100,
  'conflict-needs-two-facts': 100,
  'conflict-answers-equal': 100,
  'not-disputable': 100,
  'dispute-oracle-mismatch': 100,
  'dlc-invalid': 100,
  'capability-not-dlc': 100,
  'dlc-key-mismatch': 100,
  'dlc-key-reuse': 100,
  'dlc-signature-invalid': 100,
  'dlc-attestation-invalid': 100,
  'payment-invalid': 100,
  'announcement-mismatch': 100,
  // Forged DLC proof reports (docs/PROTOCOL.md 8.3): only a forger sends them.
  'dlc-proof-unordered': 100,
  'dlc-nonce-mismatch': 100,
  'dlc-same-outcome': 100,
  'dlc-same-event': 100,
  'dlc-no-shared-nonce': 100,
  'dlc-key-not-recovered': 100,
  // An offer whose terms contradict themselves or the announcement it names: only its maker could sign it.
  'offer-contract-type': 100,
  'offer-collateral-invalid': 100,
  'offer-payouts-kind': 100,
  'offer-outcomes-mismatch': 100,
  'offer-payout-sum': 100,
  'offer-event-signed': 100,
  'offer-curve-invalid': 100,
  'offer-fee-rate': 100,
  'offer-refund-locktime': 100,
  'offer-cet-locktime': 100,
  'offer-contact-invalid': 100,
};

/** An admission outcome: a value, never an exception (gossipsub ReceivedMessageResult, bcoin VerifyError). */
export type AdmissionResult =
  | { status: 'accepted'; kind: EntityKind; id: string; replaced: boolean; evicted: EvictedEvent[] }
  | { status: 'duplicate'; kind: EntityKind; id: string }
  | { status: 'out-of-shard'; kind: EntityKind; id: string }
  | { status: 'rejected'; kind: EntityKind; id: string | null; reason: RejectReason; message: string; banScore: number };

/** A refusal with the ban score of its reason. */
export function rejected(kind: EntityKind, id: string | null, reason: RejectReason, message: string): Extract<AdmissionResult, { status: 'rejected' }> {
  return { status: 'rejected', kind, id, reason, message, banScore: BAN_SCORES[reason] };
}

/**
 * The admission outcome of a mempool add (`MempoolAddResult` or the DLC store's, which has no
 * out-of-shard): the same statuses, named for `kind` and `id`.
 */
export function fromAdd(
  kind: EntityKind,
  id: string,
  r: { status: 'accepted'; replaced: boolean; evicted: EvictedEvent[] } | { status: 'duplicate' } | { status: 'out-of-shard' } | { status: 'rejected'; reason: RejectReason; message: string },
): AdmissionResult {
  switch (r.status) {
    case 'accepted':
      return { status: 'accepted', kind, id, replaced: r.replaced, evicted: r.evicted };
    case 'duplicate':
      return { status: 'duplicate', kind, id };
    case 'out-of-shard':
      return { status: 'out-of-shard', kind, id };
    case 'rejected':
      return rejected(kind, id, r.reason, r.message);
  }
}

/**
 * Who submits to the intake (service/intake.ts): an opaque id plus the hooks a P2P peer needs.
 * REST passes `{id}` and awaits the promise; the relay passes one source per peer.
 */
export interface AdmissionSource {
  /** For logs, stats and the `admission` event: `http:<ip>`, `p2p:<ip>:<port>`, `local`. */
  readonly id: string;
  /**
   * A gossip peer: its items refused only for a missing dependency are kept and admitted when it
   * arrives (orphans), and a version it sends that was decided recently is answered from the
   * intake's caches (a repeat of its own refusal is charged). Other sources (REST) always get a full
   * admission, so their answer reflects the mempool as it is now.
   */
  readonly isPeer?: boolean;
  /**
   * The payload's short version id, known once it is schema-valid (before admission; duplicates too), with the payload it names.
   * `fresh`: true when the intake has just found the version neither stored, waiting nor decided (a gossip peer's); false when it is, or was not asked.
   */
  onVersion?(vid: string, kind: EntityKind, payload: unknown, fresh: boolean): void;
  /** The outcome of every item of this source, orphans admitted later included, with the tag it was offered with (Intake.offer). Must not throw. */
  onOutcome?(result: AdmissionResult, vid: string | null, tag?: string): void;
  /** Pause (true) or resume (false) the source's reads: intake back-pressure (service/intake-budget.ts). */
  hold?(on: boolean): void;
}

/** The source of items this process makes itself (tests, benchmarks, tools). */
export const LOCAL_SOURCE: AdmissionSource = Object.freeze({ id: 'local' });

/** One connected peer as the P2P pool reports it to monitoring (here, so p2p and api share it without importing each other). Times are milliseconds since the epoch. */
export interface PeerSummary {
  /** `host:port` of the remote end. */
  address: string;
  direction: 'inbound' | 'outbound';
  /** The user agent from the peer's `version` message (network text: render it as text only). */
  userAgent: string;
  /** The shard the peer announced, null before the handshake or when it announced none. */
  shard: { count: number; index: number } | null;
  connectedSince: number;
  bytesIn: number;
  bytesOut: number;
  /** Last time anything arrived from the peer. */
  lastSeen: number;
  /** How this node relays new versions to the peer (docs/PROTOCOL.md 11.7): pushes them (`eager`, a tree edge) or announces them in lazy rounds (`lazy`). */
  relay: 'eager' | 'lazy';
}

