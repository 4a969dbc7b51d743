/** mempool/ranked-set.ts - entries ordered by (primary, secondary, id) rank: O(log n) insert, delete, lowest, ordered paging. Imports nothing from other subsystems. */
import BTreeModule from 'sorted-btree';

/** A rank: higher primary wins, then higher secondary; the id only breaks ties so order is total and the same on every node. */
export interface RankKey {
  primary: number;
  secondary: number;
  id: string;
}

type BTreeCtor = new <K, V>(entries?: [K, V][], compare?: (a: K, b: K) => number) => BTreeLike<K, V>;
interface BTreeLike<K, V> {
  set(key: K, value: V): boolean;
  delete(key: K): boolean;
  minKey(): K | undefined;
  entries(lowestKey?: K): IterableIterator<[K, V]>;
  entriesReversed(highestKey?: K): IterableIterator<[K, V]>;
  readonly size: number;
}
// sorted-btree is CommonJS with `exports.default`; under ESM the default import is the exports object.
const BTree: BTreeCtor = ((BTreeModule as unknown as { default?: BTreeCtor }).default ?? BTreeModule) as unknown as BTreeCtor;

/** Ascending order of ranks; among equal ranks the lexicographically larger id counts as lower. */
export function compareRank(a: RankKey, b: RankKey): number {
  if (a.primary !== b.primary) return a.primary - b.primary;
  if (a.secondary !== b.secondary) return a.secondary - b.secondary;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Is rank `a` strictly higher than `b`, ignoring the id tie-break? (A newcomer must beat the lowest this way.) */
export function outranks(a: Pick<RankKey, 'primary' | 'secondary'>, b: Pick<RankKey, 'primary' | 'secondary'>): boolean {
  return a.primary > b.primary || (a.primary === b.primary && a.secondary > b.secondary);
}

/** A map from id to value that also keeps the values in rank order. */
export class RankedSet<V> {
  private readonly tree = new BTree<RankKey, V>(undefined, compareRank);
  private readonly byId = new Map<string, { key: RankKey; value: V }>();

  /** Number of entries. */
  get size(): number {
    return this.byId.size;
  }

  /** Value stored under `id`. */
  get(id: string): V | undefined {
    return this.byId.get(id)?.value;
  }

  /** Is `id` present? */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Rank of `id`. */
  rankOf(id: string): RankKey | undefined {
    return this.byId.get(id)?.key;
  }

  /** Insert or re-rank `id`. O(log n). */
  set(id: string, primary: number, secondary: number, value: V): void {
    const old = this.byId.get(id);
    if (old) this.tree.delete(old.key);
    const key: RankKey = { primary, secondary, id };
    this.tree.set(key, value);
    this.byId.set(id, { key, value });
  }

  /** Remove `id`; returns its value. O(log n). */
  delete(id: string): V | undefined {
    const old = this.byId.get(id);
    if (!old) return undefined;
    this.tree.delete(old.key);
    this.byId.delete(id);
    return old.value;
  }

  /** The lowest-ranked entry (the one to evict). O(log n). */
  lowest(): { key: RankKey; value: V } | undefined {
    const key = this.tree.minKey();
    return key ? this.byId.get(key.id) : undefined;
  }

  /** Values from the highest rank down, skipping `offset` and yielding at most `limit`. */
  *descending(offset = 0, limit = Infinity): IterableIterator<V> {
    let i = 0;
    let n = 0;
    for (const [, v] of this.tree.entriesReversed()) {
      if (n >= limit) return;
      if (i++ < offset) continue;
      n++;
      yield v;
    }
  }

  /** Every value, in no particular order. */
  *values(): IterableIterator<V> {
    for (const e of this.byId.values()) yield e.value;
  }
}
