/** protocol/scope.ts - the explicit context of one admission's checks: which memo remembers its texts and hashes, and how its signature and public-key checks are answered (inline, gathered for a verifier thread, or from that thread's answers). Passed as the last argument of every check in protocol/verify.ts; nothing here is module state. Imports only protocol types. */
import type { HashMemo } from './canonical.ts';
import type { SignatureWork } from './keys.ts';

/** How a scope answers signature and public-key checks. */
export type SignatureMode =
  /** On the curve, now (libsecp256k1). */
  | { readonly kind: 'inline' }
  /** Optimistically true, recording each check in `work` (a verifier thread does them later). */
  | { readonly kind: 'collect'; readonly work: SignatureWork }
  /** True where a verifier thread answered true for exactly this check in `work`; on the curve otherwise. */
  | { readonly kind: 'answered'; readonly work: SignatureWork };

/** The context of one admission's checks. */
export interface CheckScope {
  /** Texts and hashes remembered for this admission's objects (null: compute every time). */
  readonly memo: HashMemo | null;
  readonly sigs: SignatureMode;
}

/** Checks on the curve now, nothing remembered: the default of every check. */
export const INLINE: CheckScope = Object.freeze({ memo: null, sigs: Object.freeze({ kind: 'inline' as const }) });

/** A scope that gathers the signature and key checks into a fresh work list instead of doing them. */
export function collectingScope(memo: HashMemo | null): CheckScope & { sigs: { kind: 'collect'; work: SignatureWork } } {
  return { memo, sigs: { kind: 'collect', work: { sigs: [], pubkeys: [] } } };
}

/** A scope that takes a verifier thread's true answers recorded on `work` (protocol/verify-pool.ts). */
export function answeredScope(work: SignatureWork, memo: HashMemo | null): CheckScope {
  return { memo, sigs: { kind: 'answered', work } };
}
