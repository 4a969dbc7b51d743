/** mempool/offer-collateral.ts - offers in taker-collateral order (a B+ tree), with a bounded range walk: the index behind the offer listing's collateral range filter. Imports only sorted-btree. */
import BTreeModule from 'sorted-btree';

/** What the index orders by: the taker's collateral, then id (both fixed for an offer's life: its id covers its content). */
export interface CollateralKeyed {
  readonly id: string;
  readonly msg: { readonly content: { readonly takerCollateral: number } };
}

interface Tree<K> {
  set(key: K, value: undefined, overwrite?: boolean): boolean;
  delete(key: K): boolean;
  entries(lowestKey?: K, reusedArray?: (K | undefined)[]): IterableIterator<[K, undefined]>;
  readonly size: number;
}
type TreeCtor = new <K>(entries: undefined, compare: (a: K, b: K) => number) => Tree<K>;
// sorted-btree is CommonJS with `exports.default` (see ranked-set.ts).
const BTree: TreeCtor = ((BTreeModule as unknown as { default?: TreeCtor }).default ?? BTreeModule) as unknown as TreeCtor;

/** Entries ordered by `compare` (ascending collateral, then id). */
export class CollateralIndex<T extends CollateralKeyed> {
  private readonly tree: Tree<T>;

  constructor(compare: (a: T, b: T) => number) {
    this.tree = new BTree<T>(undefined, compare);
  }

  get size(): number {
    return this.tree.size;
  }

  add(e: T): void {
    this.tree.set(e, undefined, false);
  }

  delete(e: T): void {
    this.tree.delete(e);
  }

  /**
   * Entries with `min <= takerCollateral <= max`, ascending; undefined as soon as more than `cap`
   * are found (the caller then uses another plan). O(log n + cap).
   */
  range(min: number, max: number, cap: number): T[] | undefined {
    // The smallest possible key at `min` ('' sorts before every id).
    const probe = { id: '', msg: { content: { takerCollateral: min } } } as T;
    const out: T[] = [];
    for (const [e] of this.tree.entries(probe, [])) {
      if (e.msg.content.takerCollateral > max) break;
      if (out.length >= cap) return undefined;
      out.push(e);
    }
    return out;
  }
}
