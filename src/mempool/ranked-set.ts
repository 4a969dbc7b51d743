/** mempool/ranked-set.ts - a set of values kept in rank order by a comparator: a small exact-size array, or a B+ tree once large. Imports nothing from other subsystems. */
import BTreeModule from 'sorted-btree';

type BTreeCtor = new <K, V>(entries?: [K, V][], compare?: (a: K, b: K) => number) => BTreeLike<K, V>;
interface BTreeLike<K, V> {
  set(key: K, value: V, overwrite?: boolean): boolean;
  has(key: K): boolean;
  delete(key: K): boolean;
  minKey(): K | undefined;
  keys(): IterableIterator<K>;
  keysArray(): K[];
  entriesReversed(highestKey?: K, reusedArray?: (K | V)[]): IterableIterator<[K, V]>;
  forEachPair(callback: (k: K, v: V) => { break: true } | undefined): number | true;
  readonly size: number;
}
// sorted-btree is CommonJS with `exports.default`; under ESM the default import is the exports object.
const BTree: BTreeCtor = ((BTreeModule as unknown as { default?: BTreeCtor }).default ?? BTreeModule) as unknown as BTreeCtor;

/**
 * Largest set kept as a plain sorted array. Most sets are small (an oracle's few capabilities, a
 * rare question word), and an empty B+ tree with one leaf costs ~300 B while an array of one costs
 * ~56 B; inserting into an array this small (copying ≤ 32 pointers) is as fast as a tree insert.
 */
export const SMALL_SET_MAX = 32;

/** The answer of a walk callback that stops it (shared: nothing allocated per stop). */
const STOP = { break: true } as const;

/** Read-only view of a ranked collection (what leaves the mempool on stored entries). */
export interface RankedView<T> {
  readonly size: number;
  /** Every value, lowest rank first. */
  values(): IterableIterator<T>;
  /** Values from the highest rank down, skipping `offset` and yielding at most `limit`. */
  descending(offset?: number, limit?: number): IterableIterator<T>;
}

/**
 * Values ordered by `compare` (ascending = lowest rank first); `compare(a, b) === 0` must mean the
 * same entry, so the order is total. Contract: a value's rank must not change while it is in the
 * set — remove it, change it, add it back. O(log n) add/delete/has/lowest once past SMALL_SET_MAX.
 */
export class RankedSet<T> implements RankedView<T> {
  /** Ascending exact-size array while small (copy-on-write, no spare capacity), else a B+ tree used as a set (values undefined). */
  private items: T[] | BTreeLike<T, undefined> = EMPTY_ARRAY as unknown as T[];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** Number of values. */
  get size(): number {
    return Array.isArray(this.items) ? this.items.length : this.items.size;
  }

  /** Is `value` (an entry comparing equal to it) present? */
  has(value: T): boolean {
    if (!Array.isArray(this.items)) return this.items.has(value);
    const i = this.search(this.items, value);
    return i >= 0;
  }

  /** Insert `value`; false when an equal entry is already present. */
  add(value: T): boolean {
    const items = this.items;
    if (!Array.isArray(items)) return items.set(value, undefined, false); // keep the entry already present
    const i = this.search(items, value);
    if (i >= 0) return false;
    const at = -i - 1;
    if (items.length < SMALL_SET_MAX) {
      const next = new Array<T>(items.length + 1);
      for (let j = 0; j < at; j++) next[j] = items[j] as T;
      next[at] = value;
      for (let j = at; j < items.length; j++) next[j + 1] = items[j] as T;
      this.items = next;
      return true;
    }
    const tree = new BTree<T, undefined>(undefined, this.compare);
    for (const v of items) tree.set(v, undefined);
    tree.set(value, undefined);
    this.items = tree;
    return true;
  }

  /** Remove `value` (the entry comparing equal to it); false when absent. */
  delete(value: T): boolean {
    const items = this.items;
    if (!Array.isArray(items)) {
      if (!items.delete(value)) return false;
      // Back to an array well below the threshold, so a set that shrank does not keep a tree (hysteresis: no flapping).
      if (items.size <= SMALL_SET_MAX / 2) this.items = items.keysArray();
      return true;
    }
    const i = this.search(items, value);
    if (i < 0) return false;
    if (items.length === 1) {
      this.items = EMPTY_ARRAY as unknown as T[];
      return true;
    }
    const next = new Array<T>(items.length - 1);
    for (let j = 0; j < i; j++) next[j] = items[j] as T;
    for (let j = i + 1; j < items.length; j++) next[j - 1] = items[j] as T;
    this.items = next;
    return true;
  }

  /** The lowest-ranked value (the one to evict). */
  lowest(): T | undefined {
    return Array.isArray(this.items) ? this.items[0] : this.items.minKey();
  }

  /** Values from the highest rank down, skipping `offset` and yielding at most `limit`. O(offset + limit) (+ log n). */
  *descending(offset = 0, limit = Infinity): IterableIterator<T> {
    if (limit <= 0) return;
    let n = 0;
    const items = this.items;
    if (Array.isArray(items)) {
      for (let i = items.length - 1 - offset; i >= 0; i--) {
        yield items[i] as T;
        if (++n >= limit) return;
      }
      return;
    }
    let skip = offset;
    for (const [v] of items.entriesReversed(undefined, [])) {
      if (skip > 0) {
        skip--;
        continue;
      }
      yield v;
      if (++n >= limit) return;
    }
  }

  /** Call `visit` for each value, lowest rank first, until it returns false: a callback walk, no iterator or result object per value. Do not change the set meanwhile. */
  forEachAscending(visit: (value: T) => boolean): void {
    const items = this.items;
    if (!Array.isArray(items)) {
      items.forEachPair((v) => (visit(v) ? undefined : STOP));
      return;
    }
    for (let i = 0; i < items.length; i++) if (!visit(items[i] as T)) return;
  }

  /** Every value, lowest rank first. Do not change the set while iterating (copy first: `[...s.values()]`). */
  values(): IterableIterator<T> {
    const items = this.items;
    return Array.isArray(items) ? items.values() : items.keys();
  }

  /** Index of `value` in `items`, or -(insertion point) - 1. */
  private search(items: T[], value: T): number {
    let lo = 0;
    let hi = items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(items[mid] as T, value);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
}

const EMPTY_ARRAY: readonly never[] = Object.freeze([]);

/** An always-empty view, shared by entries that have nothing in a collection yet. */
export const EMPTY_VIEW: RankedView<never> = Object.freeze({
  size: 0,
  *values(): IterableIterator<never> {},
  *descending(): IterableIterator<never> {},
});
