/** mempool/announcement-index.ts - maturity-ordered indexes of stored DLC announcements (global, per oracle, per capability, per question word) with range walks from a lower bound. Imports only mempool internals and sorted-btree. */
import BTreeModule from 'sorted-btree';

/** What the index orders by: maturity (epoch seconds), then id. */
export interface MaturityKeyed {
  readonly id: string;
  readonly maturityEpoch: number;
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

/** Ascending maturity, then id: the order of every announcement listing. */
export function compareMaturity(a: MaturityKeyed, b: MaturityKeyed): number {
  return a.maturityEpoch - b.maturityEpoch || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Named sets of entries kept in maturity order (B+ trees). `walk` starts at a maturity bound in
 * O(log n) and yields in order, so a paged, range-filtered listing never scans what lies before
 * its range. Empty sets are dropped. Contract: an entry's maturity and id never change.
 */
export class MaturityIndex<T extends MaturityKeyed> {
  private readonly sets = new Map<string, Tree<T>>();

  /** Add `e` under `key`. */
  add(key: string, e: T): void {
    let t = this.sets.get(key);
    if (!t) {
      t = new BTree<T>(undefined, compareMaturity);
      this.sets.set(key, t);
    }
    t.set(e, undefined, false);
  }

  /** Remove `e` from `key`. */
  remove(key: string, e: T): void {
    const t = this.sets.get(key);
    if (!t) return;
    t.delete(e);
    if (t.size === 0) this.sets.delete(key);
  }

  /** Entries under `key` (0 when none). */
  size(key: string): number {
    return this.sets.get(key)?.size ?? 0;
  }

  /** Entries under `key` maturing at or after `fromEpoch`, earliest first. */
  *walk(key: string, fromEpoch: number): IterableIterator<T> {
    const t = this.sets.get(key);
    if (!t) return;
    // The smallest possible key at that maturity ('' sorts before every id).
    const probe = { id: '', maturityEpoch: fromEpoch } as T;
    for (const [e] of t.entries(probe, [])) yield e;
  }
}
