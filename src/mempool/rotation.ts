/** mempool/rotation.ts - key rotation links: old key -> stored ads whose previousId chain names it (docs/PROTOCOL.md 4.4). Imports only protocol types. */
import type { OracleId } from '../protocol/types.ts';

/** Longest previousId chain followed per ad; a longer chain is cut, never walked without bound. */
const MAX_CHAIN = 16;
/** Most newer keys returned for one key. */
const MAX_NEWER_KEYS = 64;

/** Which stored ads name a key in their previousId chain. */
export class RotationLinks {
  private readonly rotatedTo = new Map<string, Set<string>>();

  /** Is `pubkey` named by any stored ad's chain? */
  has(pubkey: string): boolean {
    return this.rotatedTo.has(pubkey);
  }

  /** Record the chain of a stored ad. */
  link(o: OracleId): void {
    for (let p = o.previousId, n = 0; p !== undefined && n < MAX_CHAIN; p = p.previousId, n++) {
      let set = this.rotatedTo.get(p.pubkey);
      if (!set) this.rotatedTo.set(p.pubkey, (set = new Set()));
      set.add(o.pubkey);
    }
  }

  /** Forget the chain of an ad that is replaced or leaves. */
  unlink(o: OracleId): void {
    for (let p = o.previousId, n = 0; p !== undefined && n < MAX_CHAIN; p = p.previousId, n++) {
      const set = this.rotatedTo.get(p.pubkey);
      set?.delete(o.pubkey);
      if (set?.size === 0) this.rotatedTo.delete(p.pubkey);
    }
  }

  /** Newer keys of `pubkey` (transitively through stored ads' chains), nearest first; ties by smallest pubkey. */
  newerKeys(pubkey: string): string[] {
    const seen = new Set<string>([pubkey]);
    const out: string[] = [];
    for (let i = -1; i < out.length && out.length < MAX_NEWER_KEYS; i++) {
      const k = i < 0 ? pubkey : (out[i] as string);
      for (const s of [...(this.rotatedTo.get(k) ?? [])].sort()) {
        if (!seen.has(s)) {
          seen.add(s);
          out.push(s);
        }
      }
    }
    return out;
  }
}
