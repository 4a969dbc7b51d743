/** mempool/text-index.ts - inverted indexes from question words and tags to entries, so lookups never scan the mempool. Imports nothing from other subsystems. */

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

/** key -> set of members, with empty sets removed so memory follows the contents. */
export class SetIndex<T> {
  private readonly map = new Map<string, Set<T>>();

  /** Add `member` under each key. */
  add(keys: Iterable<string>, member: T): void {
    for (const k of keys) {
      let s = this.map.get(k);
      if (!s) this.map.set(k, (s = new Set()));
      s.add(member);
    }
  }

  /** Remove `member` from each key. */
  remove(keys: Iterable<string>, member: T): void {
    for (const k of keys) {
      const s = this.map.get(k);
      if (!s) continue;
      s.delete(member);
      if (s.size === 0) this.map.delete(k);
    }
  }

  /** Members under `key` (empty when none). */
  get(key: string): ReadonlySet<T> {
    return this.map.get(key) ?? EMPTY;
  }

  /** Members present under every one of `keys`, starting from the smallest set. */
  intersect(keys: string[]): Set<T> {
    if (keys.length === 0) return new Set();
    const sets = keys.map((k) => this.get(k)).sort((a, b) => a.size - b.size);
    const [first, ...rest] = sets as [ReadonlySet<T>, ...ReadonlySet<T>[]];
    const out = new Set<T>();
    for (const m of first) if (rest.every((s) => s.has(m))) out.add(m);
    return out;
  }

  /** Number of distinct keys. */
  get keyCount(): number {
    return this.map.size;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
