/** facts/fact-ledger.ts - every verified fact this node sees (proxied answers, trader uploads) remembered by request, so two different signed answers to one request are noticed and turned into a `fact-conflict` report without anyone having to file it; bounded by count and bytes. Imports protocol and util. */
import { canonicalize } from '../protocol/canonical.ts';
import { sha256Hex } from '../protocol/hash.ts';
import type { Fact, OracleCapability } from '../protocol/types.ts';
import { LruMap } from '../util/lru.ts';

/** A conflict found: two verified facts of one capability key answering one request differently. */
export interface FoundConflict {
  oraclePubKey: string;
  capability: OracleCapability;
  facts: [Fact, Fact];
}

/** Limits of the ledger. */
export interface FactLedgerOptions {
  maxEntries: number;
  maxBytes: number;
}

/** What {@link FactLedger.record} found. */
export type RecordOutcome = 'new' | 'same' | 'conflict' | 'conflict-known';

/** Key of one request: SHA-256 of its canonical form (the capability key is inside the request). */
export function requestKey(request: Fact['request']): string {
  return sha256Hex(canonicalize(request));
}

/**
 * Remembers the first verified answer to each request. A later fact with a different answer is a
 * conflict, returned once per request (the caller builds and admits the report). Only facts whose
 * signature and capability the caller has verified may be recorded.
 */
export class FactLedger {
  private readonly seen: LruMap<string, { fact: Fact; conflicted: boolean }>;

  constructor(opts: FactLedgerOptions) {
    this.seen = new LruMap(opts.maxEntries, Infinity, Date.now, { maxBytes: opts.maxBytes, sizeOf: (v) => 64 + JSON.stringify(v.fact).length });
  }

  /** Record a verified fact of `capability` (owned by `oraclePubKey`); `conflict` is set the first time a request gets a second answer. */
  record(oraclePubKey: string, capability: OracleCapability, fact: Fact): { outcome: RecordOutcome; conflict: FoundConflict | null } {
    const key = requestKey(fact.request);
    const known = this.seen.get(key);
    if (!known) {
      this.seen.set(key, { fact, conflicted: false });
      return { outcome: 'new', conflict: null };
    }
    if (known.fact.answer === fact.answer) return { outcome: 'same', conflict: null };
    if (known.conflicted) return { outcome: 'conflict-known', conflict: null };
    known.conflicted = true;
    return { outcome: 'conflict', conflict: { oraclePubKey, capability, facts: [known.fact, fact] } };
  }

  /** Entries and bytes held (metrics, limits table). */
  size(): { entries: number; bytes: number } {
    return { entries: this.seen.size, bytes: this.seen.bytes };
  }
}
