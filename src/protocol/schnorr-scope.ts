/** protocol/schnorr-scope.ts - how a CheckScope answers the curve checks of DLC verification (dlc/verify.ts SchnorrChecks: BIP340 signatures and x-only points): inline, gathered into the scope's work for a verifier thread, or from that thread's answers. Imports protocol and dlc. */
import { INLINE_SCHNORR, type SchnorrChecks } from '../dlc/index.ts';
import type { SignatureWork } from './keys.ts';
import type { CheckScope } from './scope.ts';

/** The curve checks of DLC verification as `scope` answers them; one object per verify call (the answered form keeps a cursor). */
export function schnorrChecks(scope: CheckScope): SchnorrChecks {
  const mode = scope.sigs;
  if (mode.kind === 'inline') return INLINE_SCHNORR;
  return mode.kind === 'collect' ? collecting(mode.work) : answered(mode.work);
}

/** Optimistically true, recording each check of the right lengths (a wrong length is false: nothing to hand out). */
function collecting(work: SignatureWork): SchnorrChecks {
  return {
    point(x) {
      if (x.length !== 32) return false;
      (work.points ??= []).push(x);
      return true;
    },
    verify(sig, msg, key) {
      if (sig.length !== 64 || msg.length !== 32 || key.length !== 32) return false;
      (work.schnorr ??= []).push([sig, msg, key]);
      return true;
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * True where the thread answered true for exactly this check, else on the curve now. dlc/verify.ts
 * asks its checks in a fixed order for a given input, so the n-th check of this pass is compared
 * with the n-th gathered one (no search); any difference — another signing version than the one
 * guessed when gathering, a failed or absent thread — means the check is done here.
 */
function answered(work: SignatureWork): SchnorrChecks {
  let nPoint = 0;
  let nSig = 0;
  return {
    point(x) {
      const i = nPoint++;
      const got = work.points?.[i];
      if (got && work.pointOk?.[i] === 1 && sameBytes(got, x)) return true;
      return INLINE_SCHNORR.point(x);
    },
    verify(sig, msg, key) {
      const i = nSig++;
      const got = work.schnorr?.[i];
      if (got && work.schnorrOk?.[i] === 1 && sameBytes(got[0], sig) && sameBytes(got[1], msg) && sameBytes(got[2], key)) return true;
      return INLINE_SCHNORR.verify(sig, msg, key);
    },
  };
}
