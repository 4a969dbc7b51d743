/** mempool/offer-collateral.ts - offers in (taker collateral, listing rank) order (a B+ tree) with per-value counts: a range's page read by merging its values' rank-ordered runs, or by a bounded top-k selection over it; the index behind the offer listing's collateral range filter. Imports only sorted-btree. */
import BTreeModule from 'sorted-btree';

/** What the index orders by: the taker's collateral, then the listing's rank order (both fixed while the offer is indexed). */
export interface CollateralKeyed {
  readonly id: string;
  readonly msg: { readonly content: { readonly takerCollateral: number } };
}

interface Tree<K, V = undefined> {
  get(key: K): V | undefined;
  set(key: K, value: V, overwrite?: boolean): boolean;
  delete(key: K): boolean;
  /** Calls `onFound` for keys in [low, high] in order; a `{ break }` answer stops the walk (sorted-btree 2.1 honours it outside editRange too). */
  forRange(low: K, high: K, includeHigh: boolean, onFound: (k: K, v: V) => { break: true } | undefined): number | true;
  nextHigherKey(key: K): K | undefined;
  maxKey(): K | undefined;
  readonly size: number;
}
type TreeCtor = new <K, V = undefined>(entries: undefined, compare: (a: K, b: K) => number) => Tree<K, V>;
// sorted-btree is CommonJS with `exports.default` (see ranked-set.ts).
const BTree: TreeCtor = ((BTreeModule as unknown as { default?: TreeCtor }).default ?? BTreeModule) as unknown as TreeCtor;

/** The answer of a range callback that stops the walk (shared: nothing allocated per stop). */
const BREAK = { break: true } as const;

/**
 * Ranges over at most this many distinct collateral values are paged by merging the values' runs
 * (each run is already in listing order): O((values + visited) log n), whatever the range holds.
 */
export const MERGE_MAX_VALUES = 32;

/** How a range is read: merged per value, selected (top-k over every entry in range), or not here (too wide: the caller walks its rank index). */
export type CollateralPlan = 'merge' | 'select' | 'wide';

/**
 * Entries ordered by `compare`: ascending collateral, then `order` (the listing's order, the one
 * {@link CollateralIndex.page} pages by). The entries of one collateral value are thus one run in
 * listing order, and a page of a range over few values is a merge of few runs, read without
 * visiting the rest of the range.
 */
export class CollateralIndex<T extends CollateralKeyed> {
  private readonly tree: Tree<T>;
  /**
   * How many entries hold each collateral value: a range's size and its distinct values are counted
   * here (numbers only) before any entry is visited, so a range over the cap costs its distinct
   * values, not cap entry visits (each a pointer chase into the entry: ~2 us apiece in a 4.5 GB
   * heap, docs/benchmarks.md).
   */
  private readonly counts: Tree<number, number>;
  /** A key before every entry of a collateral value (and after every entry of smaller values). */
  private readonly probe: (collateral: number) => T;

  /**
   * `compare` must order by collateral first, then by the listing order `page` is given; `probe(c)`
   * gives a key that `compare` puts before every entry of collateral c and after those below c (it
   * may be one object re-aimed at each call: the index holds one probe at a time).
   */
  constructor(compare: (a: T, b: T) => number, probe: (collateral: number) => T) {
    this.tree = new BTree<T>(undefined, compare);
    this.counts = new BTree<number, number>(undefined, (a, b) => a - b);
    this.probe = probe;
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

  /**
   * How [min, max] is best read for a page, told by the per-value counts alone (visits at most
   * max(MERGE_MAX_VALUES, cap) + 1 distinct values): `merge` when it spans at most
   * MERGE_MAX_VALUES values, `select` when it holds at most `cap` entries, else `wide`.
   */
  plan(min: number, max: number, cap: number): CollateralPlan {
    let values = 0;
    let total = 0;
    let wide = false;
    this.counts.forRange(min, max, true, (_c, n) => {
      values++;
      total += n;
      if (values > MERGE_MAX_VALUES && total > cap) {
        wide = true;
        return BREAK;
      }
      return undefined;
    });
    if (values <= MERGE_MAX_VALUES) return 'merge';
    return wide ? 'wide' : 'select';
  }

  /**
   * One page of the entries in [min, max] that pass `match`, in `order` (negative: a comes first;
   * the order the tree's `compare` uses after collateral): the `limit` after the first `skip`.
   * Undefined when the range is `wide` (see {@link plan}: the caller then walks its rank index).
   * `merge`: a heap holds the next entry of each collateral value's run; the page is popped from
   * it, each pop followed by that run's next entry (a tree search): O((values + visited) log n),
   * where visited is the depth of the page among the range's entries. `select`: a bounded
   * selection instead of a sort, keeping only the skip + limit first seen so far in a heap:
   * O(log n + cap · log(skip + limit)), allocating nothing per entry that does not make the page.
   */
  page(min: number, max: number, cap: number, match: (e: T) => boolean, order: (a: T, b: T) => number, skip: number, limit: number): T[] | undefined {
    const plan = this.plan(min, max, cap);
    if (plan === 'wide') return undefined;
    if (limit <= 0) return [];
    return plan === 'merge' ? this.merged(min, max, match, order, skip, limit) : this.selected(min, max, match, order, skip, limit);
  }

  /** The page by merging the runs of the (few) collateral values in [min, max]. */
  private merged(min: number, max: number, match: (e: T) => boolean, order: (a: T, b: T) => number, skip: number, limit: number): T[] {
    // heads: a min-heap (by `order`) of each run's next entry.
    const heads: T[] = [];
    const reversed = (a: T, b: T): number => order(b, a);
    this.counts.forRange(min, max, true, (c) => {
      const first = this.tree.nextHigherKey(this.probe(c));
      if (first !== undefined && first.msg.content.takerCollateral === c) siftUp(heads, first, reversed);
      return undefined;
    });
    const out: T[] = [];
    while (heads.length > 0) {
      const e = heads[0] as T;
      const next = this.tree.nextHigherKey(e);
      if (next !== undefined && next.msg.content.takerCollateral === e.msg.content.takerCollateral) replaceTop(heads, next, reversed);
      else {
        // The run of e's value ended: its slot goes.
        const last = heads.pop() as T;
        if (heads.length > 0) replaceTop(heads, last, reversed);
      }
      if (!match(e)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The page by a bounded top-k selection over every entry in [min, max]. */
  private selected(min: number, max: number, match: (e: T) => boolean, order: (a: T, b: T) => number, skip: number, limit: number): T[] {
    const k = skip + limit;
    // heap[0] is the last (in `order`) of the k first seen so far.
    const heap: T[] = [];
    const end = this.tree.maxKey();
    if (end === undefined) return heap;
    this.tree.forRange(this.probe(min), end, true, (e) => {
      if (e.msg.content.takerCollateral > max) return BREAK;
      if (!match(e)) return undefined;
      if (heap.length < k) siftUp(heap, e, order);
      else if (order(e, heap[0] as T) < 0) replaceTop(heap, e, order);
      return undefined;
    });
    return heap.sort(order).slice(skip);
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
