/** mempool/announcement-index.ts - the indexes of stored DLC announcements: maturity-ordered sets (attested, unattested, per oracle, per capability, per question word) with callback walks from a lower bound and merged walks of two sets, and the nonce index (nonce -> the announcement of each DLC key committing it). Imports only sorted-btree. */
import BTreeModule from 'sorted-btree';

/** What the index orders by: maturity (epoch seconds), then id. */
export interface MaturityKeyed {
  readonly id: string;
  readonly maturityEpoch: number;
}

interface Tree<K> {
  set(key: K, value: undefined, overwrite?: boolean): boolean;
  delete(key: K): boolean;
    /** Calls `onFound` for keys in [low, high] in order; a `{ break }` answer stops the walk (sorted-btree 2.1 honours it outside editRange too). */
  forRange(low: K, high: K, includeHigh: boolean, onFound: (k: K) => { break: true } | undefined): number | true;
  nextHigherKey(key: K): K | undefined;
  readonly size: number;
}

/** The answer of a range callback that stops the walk (one shared object: nothing allocated per stop). */
const BREAK = { break: true } as const;
type TreeCtor = new <K>(entries: undefined, compare: (a: K, b: K) => number) => Tree<K>;
// sorted-btree is CommonJS with `exports.default` (see ranked-set.ts).
const BTree: TreeCtor = ((BTreeModule as unknown as { default?: TreeCtor }).default ?? BTreeModule) as unknown as TreeCtor;

/** Ascending maturity, then id: the order of every announcement listing. */
export function compareMaturity(a: MaturityKeyed, b: MaturityKeyed): number {
  // -1/0/1 only: a difference with the open end (Infinity) would be a heap number per comparison.
  if (a.maturityEpoch !== b.maturityEpoch) return a.maturityEpoch < b.maturityEpoch ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The smallest possible key at maturity `epoch` ('' sorts before every id). */
const probeAt = (epoch: number): MaturityKeyed => ({ id: '', maturityEpoch: epoch });
/** A key after every entry (the high bound of an open-ended range walk). */
const END: MaturityKeyed = { id: '', maturityEpoch: Number.POSITIVE_INFINITY };

/**
 * Named sets of entries kept in maturity order (B+ trees). `walk` starts at a maturity bound in
 * O(log n) and visits in order, so a paged, range-filtered listing never scans what lies before
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

  /**
   * Call `visit` for the entries under `key` maturing at or after `fromEpoch`, earliest first,
   * until it returns false. A callback walk of the tree: no iterator or result object per entry
   * (a listing's garbage, issue #21 lookup).
   */
  forEach(key: string, fromEpoch: number, visit: (e: T) => boolean): void {
    const t = this.sets.get(key);
    if (t) t.forRange(probeAt(fromEpoch) as T, END as unknown as T, true, (e) => (visit(e) ? undefined : BREAK));
  }

  /**
   * Call `visit` for the entries under `a` or `b` (disjoint sets) maturing at or after
   * `fromEpoch`, earliest first, until it returns false: a merge of the larger set's callback walk
   * with a cursor over the smaller (each of its steps a tree search, O(log n): the smaller set
   * is the attested 1 %), allocating nothing per entry.
   */
  forEachUnion(a: string, b: string, fromEpoch: number, visit: (e: T) => boolean): void {
    let big = this.sets.get(a);
    let small = this.sets.get(b);
    if (!big || (small && small.size > big.size)) [big, small] = [small, big];
    if (!big) return;
    const probe = probeAt(fromEpoch) as T;
    if (!small) {
      big.forRange(probe, END as unknown as T, true, (e) => (visit(e) ? undefined : BREAK));
      return;
    }
    const other = small;
    // The smallest possible key at that maturity is not an entry: the next higher key is the first at or after it.
    let s = other.nextHigherKey(probe);
    let stopped = false;
    big.forRange(probe, END as unknown as T, true, (e) => {
      while (s !== undefined && compareMaturity(s, e) < 0) {
        if (!visit(s)) {
          stopped = true;
          return BREAK;
        }
        s = other.nextHigherKey(s);
      }
      if (visit(e)) return undefined;
      stopped = true;
      return BREAK;
    });
    for (; !stopped && s !== undefined; s = other.nextHigherKey(s)) if (!visit(s)) return;
  }
}

/**
 * Committed nonces -> the stored entry of each DLC key that committed it. Keyed by the nonce alone
 * (64 hex characters; the caller may pass a substring of the entry's TLV hex, which V8 keeps as a
 * 32-byte slice of it): the same nonce under two keys is not a reuse, and is kept as a short list
 * (only a copied R makes one). `keyOf` reads an entry's DLC key (decoded on demand: only a hit or a
 * shared nonce asks). Contract: an entry's nonces and key never change while it is indexed.
 */
export class NonceIndex<T extends object> {
  private readonly map = new Map<string, T | T[]>();
  private readonly keyOf: (e: T) => string;

  constructor(keyOf: (e: T) => string) {
    this.keyOf = keyOf;
  }

  /** Nonces indexed. */
  get size(): number {
    return this.map.size;
  }

  /** The entry of DLC key `oracleKey` that committed `nonce`. */
  get(oracleKey: string, nonce: string): T | undefined {
    const v = this.map.get(nonce);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.keyOf(v) === oracleKey ? v : undefined;
    return v.find((e) => this.keyOf(e) === oracleKey);
  }

  /** Index `e` (of DLC key `oracleKey`) under `nonce`; an entry of that key already there is kept (the first one stays indexed). */
  add(oracleKey: string, nonce: string, e: T): void {
    const v = this.map.get(nonce);
    if (v === undefined) this.map.set(nonce, e);
    else if (this.get(oracleKey, nonce) === undefined) this.map.set(nonce, Array.isArray(v) ? [...v, e] : [v, e]);
  }

  /** Drop `e` from `nonce` (nothing when another entry is indexed there). */
  remove(nonce: string, e: T): void {
    const v = this.map.get(nonce);
    if (v === e) this.map.delete(nonce);
    else if (Array.isArray(v) && v.includes(e)) {
      const rest = v.filter((x) => x !== e);
      // Re-keyed with the caller's string: the stored key may be a slice of `e`'s TLV, which would stay alive.
      this.map.delete(nonce);
      this.map.set(nonce, rest.length === 1 ? (rest[0] as T) : rest);
    }
  }
}
