/** service/types.ts - admission outcomes shared by the REST and P2P doors. Imports only protocol and mempool types. */
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
