/** mempool/text-index.ts - question-word tokenizing and rank-ordered inverted indexes (word or tag -> entries), so lookups never scan the mempool. Imports nothing from other subsystems. */
import { RankedSet } from './ranked-set.ts';

/** Longest word kept in the index; longer tokens are cut (they still match by prefix of this length). */
export const MAX_WORD_CHARS = 64;

/** NFC-normalized, lowercased, de-duplicated words (letters, marks and digits of any script) of a question or query. */
export function questionWords(text: string): string[] {
  const out = new Set<string>();
  // NFC first so composed and decomposed accents match; combining marks are part of words
  // (Devanagari vowel signs, accents), so only characters outside letters, marks and digits split.
  for (const raw of text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u)) {
    if (raw.length === 0) continue;
    out.add(raw.slice(0, MAX_WORD_CHARS));
  }
  return [...out];
}

/**
 * key -> members kept in rank order (one RankedSet per key), empty keys removed so memory follows
 * the contents. A page of the members of one key is an in-order walk of its first entries; nothing
 * is collected or sorted per query. Members' ranks must not change while indexed (unindex, change, re-index).
 */
export class RankedIndex<T> {
  private readonly map = new Map<string, RankedSet<T>>();
  private readonly compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.compare = compare;
  }

  /** Add `member` under `key` (no-op when present). */
  add(key: string, member: T): void {
    let s = this.map.get(key);
    if (!s) this.map.set(key, (s = new RankedSet(this.compare)));
    s.add(member);
  }

  /** Remove `member` from `key` (no-op when absent). */
  remove(key: string, member: T): void {
    const s = this.map.get(key);
    if (!s) return;
    s.delete(member);
    if (s.size === 0) this.map.delete(key);
  }

  /** Members under `key`, by rank; undefined when none. */
  get(key: string): RankedSet<T> | undefined {
    return this.map.get(key);
  }

  /** Is `member` under `key`? O(log n). */
  has(key: string, member: T): boolean {
    return this.map.get(key)?.has(member) ?? false;
  }

  /** Number of distinct keys. */
  get keyCount(): number {
    return this.map.size;
  }
}
