/** service/types.ts - types shared by the REST and P2P doors: admission outcomes with ban scores, and the peer summary monitoring reads. Imports only protocol and mempool types. */
import type { EntityKind } from '../protocol/types.ts';
import type { EvictedEvent } from '../mempool/mempool.ts';

/** An admission outcome: a value, never an exception (gossipsub ReceivedMessageResult, bcoin VerifyError). */
export type AdmissionResult =
  | { status: 'accepted'; kind: EntityKind; id: string; replaced: boolean; evicted: EvictedEvent[] }
  | { status: 'duplicate'; kind: EntityKind; id: string }
  | { status: 'out-of-shard'; kind: EntityKind; id: string }
  | { status: 'rejected'; kind: EntityKind; id: string | null; reason: string; message: string; banScore: number };

/** Ban score a P2P peer earns for sending something that was rejected for `reason`. */
export function banScoreFor(reason: string): number {
  switch (reason) {
    // Honest peers can send these: the sender's view of the mempool differs from ours.
    case 'rank-too-low':
    case 'unknown-oracle':
    case 'unknown-capability':
    case 'report-not-found':
    case 'pow-below-threshold':
      return 0;
    // Only a faulty or hostile sender produces these.
    default:
      return 100;
  }
}

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
}

