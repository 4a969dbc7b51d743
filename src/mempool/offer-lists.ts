/** mempool/offer-lists.ts - the offer listing indexes: per status, every offer and the offers of each announcement, oracle, maker, chain and question word, each a RankedSet in listing order, keyed by the stored entry's own strings; the narrowest index of a filter found without building a key. Imports protocol types and mempool internals only. */
import type { Offer } from '../protocol/types.ts';
import { RankedSet } from './ranked-set.ts';
import type { OfferFilter, StoredOffer } from './offers.ts';

type Index = Map<string, RankedSet<StoredOffer>>;

/** The indexes of one status. Keys are the strings the stored entries hold (announcement id, keys, chain, words): an index costs no key string of its own. */
interface StatusLists {
  all: RankedSet<StoredOffer>;
  announcement: Index;
  oracle: Index;
  maker: Index;
  chain: Index;
  word: Index;
}

const STATUSES: readonly Offer['status'][] = ['open', 'cancelled', 'taken'];

function put(index: Index, key: string, e: StoredOffer, compare: (a: StoredOffer, b: StoredOffer) => number): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new RankedSet(compare)));
  set.add(e);
}

function take(index: Index, key: string, e: StoredOffer): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(e);
  if (set.size === 0) index.delete(key);
}

/** `best`, or the index of `key` when it is smaller; undefined when `key` has no index (no offer has it). */
function narrower(best: RankedSet<StoredOffer>, index: Index, key: string | undefined): RankedSet<StoredOffer> | undefined {
  if (key === undefined) return best;
  const set = index.get(key);
  if (!set) return undefined;
  return set.size < best.size ? set : best;
}

/**
 * The listing indexes of the offer store. An entry's status and indexed fields must not change
 * while it is in here (the store removes it, changes it, adds it back), and neither may its rank
 * under `compare`.
 */
export class OfferLists {
  private readonly byStatus = new Map<Offer['status'], StatusLists>();

  /** `compare`: listing order (the first entry is listed first). */
  constructor(private readonly compare: (a: StoredOffer, b: StoredOffer) => number) {}

  /** Offers stored with `status`. */
  size(status: Offer['status']): number {
    return this.byStatus.get(status)?.all.size ?? 0;
  }

  add(e: StoredOffer): void {
    const status = e.msg.status;
    let s = this.byStatus.get(status);
    if (!s) {
      s = { all: new RankedSet(this.compare), announcement: new Map(), oracle: new Map(), maker: new Map(), chain: new Map(), word: new Map() };
      this.byStatus.set(status, s);
    }
    const c = e.msg.content;
    s.all.add(e);
    put(s.announcement, c.announcementId, e, this.compare);
    put(s.oracle, e.oraclePubKey, e, this.compare);
    put(s.maker, e.msg.makerPubKey, e, this.compare);
    put(s.chain, c.chain, e, this.compare);
    for (let i = 0; i < e.words.length; i++) put(s.word, e.words[i] as string, e, this.compare);
  }

  delete(e: StoredOffer): void {
    const s = this.byStatus.get(e.msg.status);
    if (!s) return;
    const c = e.msg.content;
    s.all.delete(e);
    take(s.announcement, c.announcementId, e);
    take(s.oracle, e.oraclePubKey, e);
    take(s.maker, e.msg.makerPubKey, e);
    take(s.chain, c.chain, e);
    for (let i = 0; i < e.words.length; i++) take(s.word, e.words[i] as string, e);
    if (s.all.size === 0) this.byStatus.delete(e.msg.status);
  }

  /**
   * The smallest index that holds every offer of `status` matching the key filters of `filter`
   * (announcement, oracle, maker, chain, each of `words`); undefined when one of them has no offer
   * (nothing can match). O(filters): map lookups with the filter's own strings, nothing built.
   */
  narrowest(status: Offer['status'], filter: OfferFilter, words: readonly string[]): RankedSet<StoredOffer> | undefined {
    const s = this.byStatus.get(status);
    if (!s) return undefined;
    let best: RankedSet<StoredOffer> | undefined = s.all;
    best = narrower(best, s.announcement, filter.announcement);
    if (best) best = narrower(best, s.oracle, filter.oracle);
    if (best) best = narrower(best, s.maker, filter.maker);
    if (best) best = narrower(best, s.chain, filter.chain);
    if (!best) return undefined;
    for (let i = 0; i < words.length; i++) {
      const set = s.word.get(words[i] as string);
      if (!set) return undefined;
      if (set.size < best.size) best = set;
    }
    return best;
  }

  /** A stored offer of `maker` (any status), if any: O(log n). */
  anyOfMaker(maker: string): StoredOffer | undefined {
    for (const status of STATUSES) {
      const e = this.byStatus.get(status)?.maker.get(maker)?.lowest();
      if (e) return e;
    }
    return undefined;
  }
}
