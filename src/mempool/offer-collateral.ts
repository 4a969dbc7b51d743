/** mempool/offer-collateral.ts - offers in taker-collateral order (a B+ tree), with a bounded range walk and a top-k selection over it: the index behind the offer listing's collateral range filter. Imports only sorted-btree. */
import BTreeModule from 'sorted-btree';

/** What the index orders by: the taker's collateral, then id (both fixed for an offer's life: its id covers its content). */
export interface CollateralKeyed {
  readonly id: string;
  readonly msg: { readonly content: { readonly takerCollateral: number } };
}

interface Tree<K, V = undefined> {
  get(key: K): V | undefined;
  set(key: K, value: V, overwrite?: boolean): boolean;
  delete(key: K): boolean;
  entries(lowestKey?: K, reusedArray?: (K | V | undefined)[]): IterableIterator<[K, V]>;
  readonly size: number;
}
type TreeCtor = new <K, V = undefined>(entries: undefined, compare: (a: K, b: K) => number) => Tree<K, V>;
// sorted-btree is CommonJS with `exports.default` (see ranked-set.ts).
const BTree: TreeCtor = ((BTreeModule as unknown as { default?: TreeCtor }).default ?? BTreeModule) as unknown as TreeCtor;

/** Entries ordered by `compare` (ascending collateral, then id). */
export class CollateralIndex<T extends CollateralKeyed> {
  private readonly tree: Tree<T>;
  /**
   * How many entries hold each collateral value: a range's size is summed here (numbers only) before
   * any entry is visited, so a range over the cap costs its distinct values, not cap entry visits
   * (each a pointer chase into the entry: ~2 us apiece in a 4.5 GB heap, docs/benchmarks.md).
   */
  private readonly counts: Tree<number, number>;

  constructor(compare: (a: T, b: T) => number) {
    this.tree = new BTree<T>(undefined, compare);
    this.counts = new BTree<number, number>(undefined, (a, b) => a - b);
  }

  get size(): number {
    return this.tree.size;
  }

  add(e: T): void {
    if (!this.tree.set(e, undefined, false)) return;
    const c = e.msg.content.takerCollateral;
    this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
  }

  delete(e: T): void {
    if (!this.tree.delete(e)) return;
    const c = e.msg.content.takerCollateral;
    const n = (this.counts.get(c) ?? 0) - 1;
    if (n > 0) this.counts.set(c, n);
    else this.counts.delete(c);
  }

  /** Whether more than `cap` entries have min <= collateral <= max; visits at most cap + 1 distinct values. */
  private moreThan(min: number, max: number, cap: number): boolean {
    let total = 0;
    for (const [c, n] of this.counts.entries(min, [])) {
      if (c > max) return false;
      total += n;
      if (total > cap) return true;
    }
    return false;
  }

  /**
   * One page of the entries in [min, max] that pass `match`, in `order` (negative: a comes first):
   * the `limit` after the first `skip`. Undefined as soon as more than `cap` entries are in range
   * (the caller then uses another plan; told by the per-value counts, without visiting entries). A
   * bounded selection instead of a sort: it keeps only the skip + limit first seen so far in a heap,
   * so it costs O(log n + cap · log(skip + limit)) and
   * allocates nothing per entry that does not make the page.
   */
  page(min: number, max: number, cap: number, match: (e: T) => boolean, order: (a: T, b: T) => number, skip: number, limit: number): T[] | undefined {
    if (this.moreThan(min, max, cap)) return undefined;
    const k = skip + limit;
    // heap[0] is the last (in `order`) of the k first seen so far.
    const heap: T[] = [];
    for (const e of this.inRange(min, max)) {
      if (k <= 0 || !match(e)) continue;
      if (heap.length < k) siftUp(heap, e, order);
      else if (order(e, heap[0] as T) < 0) replaceTop(heap, e, order);
    }
    return heap.sort(order).slice(skip);
  }

  /** Entries with `min <= takerCollateral <= max`, ascending. */
  private *inRange(min: number, max: number): IterableIterator<T> {
    // The smallest possible key at `min` ('' sorts before every id).
    const probe = { id: '', msg: { content: { takerCollateral: min } } } as T;
    for (const [e] of this.tree.entries(probe, [])) {
      if (e.msg.content.takerCollateral > max) return;
      yield e;
    }
  }
}

/** Add `e` to the max-heap `heap` (by `order`: its root is the entry that comes last). */
function siftUp<T>(heap: T[], e: T, order: (a: T, b: T) => number): void {
  let i = heap.length;
  heap.push(e);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (order(heap[parent] as T, e) >= 0) break;
    heap[i] = heap[parent] as T;
    i = parent;
  }
  heap[i] = e;
}

/** Replace the root of the max-heap `heap` with `e` and restore the heap order. */
function replaceTop<T>(heap: T[], e: T, order: (a: T, b: T) => number): void {
  const n = heap.length;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && order(heap[r] as T, heap[l] as T) > 0 ? r : l;
    if (order(heap[c] as T, e) <= 0) break;
    heap[i] = heap[c] as T;
    i = c;
  }
  heap[i] = e;
}
