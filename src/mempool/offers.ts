/** mempool/offers.ts - the offer store: PoW rank, count and byte bounds, per-maker open-offer limit, seqNo replacement, expiry by the injected clock, the listing walks over its indexes (mempool/offer-lists.ts: status x announcement, oracle, maker, chain, question word; offer-collateral.ts: status x taker collateral) and the short-version index. Imports protocol and mempool internals only. */
import { signingHash } from '../protocol/canonical.ts';
import { shortId } from '../protocol/ids.ts';
import type { Offer, OfferChain, Verified } from '../protocol/types.ts';
import { jsonBytes } from './byte-budget.ts';
import { RankedSet } from './ranked-set.ts';
import { OfferLists } from './offer-lists.ts';
import { CollateralIndex } from './offer-collateral.ts';
import { compactOffer } from './compact.ts';
import { questionWords } from './text-index.ts';
import type { EvictedEvent, InventoryEntry, MempoolRejectReason, Page } from './types.ts';

/** Limits (the config slice). */
export interface OfferOptions {
  /** Offers in all (every status). */
  maxOffers: number;
  /** JSON bytes of every stored offer. */
  maxOfferBytes: number;
  /** Open offers one maker key may have stored. */
  offersPerMaker: number;
}

/** Defaults of the config keys (src/config/schema.ts documents them). */
export const DEFAULT_OFFER_OPTIONS: Readonly<OfferOptions> = Object.freeze({ maxOffers: 100_000, maxOfferBytes: 64 * 1024 * 1024, offersPerMaker: 20 });

/** What the store needs to know of the announcement an offer names (fixed for the offer's life: its id covers the announcement id). */
export interface OfferContext {
  /** The announcement's Mega oracle key. */
  oraclePubKey: string;
  /** The event's maturity, unix seconds. */
  maturityEpoch: number;
  /** Question of the announcement's capability (the `q` filter). */
  question: string;
}

/** A stored offer. `msg` (and with it status, seqNo, PoW) changes only while the entry is out of every ranked set. */
export interface StoredOffer {
  /** Offer id (also its inventory id). */
  readonly id: string;
  msg: Verified<Offer>;
  readonly oraclePubKey: string;
  readonly maturityEpoch: number;
  readonly words: readonly string[];
  /** Short version id of msg. */
  version: string;
  receivedAt: number;
  bytes: number;
}

/** What an add did. */
export type OfferAdd =
  | { status: 'accepted'; replaced: boolean; evicted: EvictedEvent[] }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: Extract<MempoolRejectReason, 'rank-too-low' | 'offer-maker-limit' | 'offer-expired'>; message: string };

/** Filters of a listing; all given must match. Collateral bounds are on the taker's collateral, inclusive. */
export interface OfferFilter {
  status?: Offer['status'];
  announcement?: string;
  oracle?: string;
  maker?: string;
  chain?: OfferChain;
  question?: string;
  minCollateral?: number;
  maxCollateral?: number;
}

/**
 * Does `next` replace the stored version of the same offer (same id)? Higher seqNo; at an equal seqNo
 * the greater signing hash (a maker that signs two versions with one seqNo forked its own offer:
 * every node keeps the same one); for the same signed version more PoW, then the smaller PoW hash.
 * Anything else, the very same version included, is a duplicate (docs/PROTOCOL.md "Offers").
 */
export function supersedesOffer(next: Offer, cur: Offer): boolean {
  if (next.seqNo !== cur.seqNo) return next.seqNo > cur.seqNo;
  const a = signingHash(next, 'makerSignature');
  const b = signingHash(cur, 'makerSignature');
  if (a !== b) return a > b;
  if (next.pow.difficulty !== cur.pow.difficulty) return next.pow.difficulty > cur.pow.difficulty;
  return next.pow.hash < cur.pow.hash;
}

/** The words of a listing without `q` (shared: nothing allocated). */
const NO_WORDS: readonly string[] = Object.freeze([]);

/** `held` (an array already stored) when it has the same words as `words`, else `words`: offers on one announcement share its words array. */
function sameWords(words: readonly string[], held: readonly string[] | undefined): readonly string[] {
  return held !== undefined && held.length === words.length && held.every((w, i) => w === words[i]) ? held : words;
}

const tie = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);
/** Rank, ascending: PoW difficulty, then id (larger = lower), the same total order on every node. */
const compareRank = (a: StoredOffer, b: StoredOffer): number => {
  const da = a.msg.pow.difficulty;
  const db = b.msg.pow.difficulty;
  // -1/0/1 only: a difference with the collateral probe's Infinity would be a heap number per comparison.
  return da !== db ? (da < db ? -1 : 1) : tie(a.id, b.id);
};
/** Expiry order, ascending: the sweep takes from the front. */
const compareExpiry = (a: StoredOffer, b: StoredOffer): number => a.msg.content.expiresAt - b.msg.content.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** Listing order (highest rank first: more PoW, then the smaller id): the order of the listing indexes, walked from their start. */
const compareListed = (a: StoredOffer, b: StoredOffer): number => compareRank(b, a);
/** Taker-collateral order, ascending, then listing order: the collateral range index (each value's offers are a run in listing order). */
const compareCollateral = (a: StoredOffer, b: StoredOffer): number => {
  const ca = a.msg.content.takerCollateral;
  const cb = b.msg.content.takerCollateral;
  // -1/0/1 only: collateral up to 2.1e15 sat, a difference past the small-integer range would be a heap number.
  return ca !== cb ? (ca < cb ? -1 : 1) : compareRank(b, a);
};
/** The key of the collateral index before every offer of a collateral (more PoW than any: first in listing order): one object, re-aimed per use (the index uses one probe at a time). */
const PROBE = { id: '', msg: { content: { takerCollateral: 0 }, pow: { difficulty: Number.POSITIVE_INFINITY } } };
const collateralProbe = (c: number): StoredOffer => {
  PROBE.msg.content.takerCollateral = c;
  return PROBE as unknown as StoredOffer;
};

/**
 * Stored offers. Every lookup is a map or an ordered walk of the narrowest listing index; nothing
 * scans the store. Contract with the Mempool that owns it: it emits the events for what the
 * returned `evicted` lists name.
 */
export class OfferStore {
  private readonly opts: OfferOptions;
  private readonly now: () => number;
  private readonly byId = new Map<string, StoredOffer>();
  private readonly byVersion = new Map<string, StoredOffer>();
  private readonly rank = new RankedSet<StoredOffer>(compareRank);
  private readonly expiry = new RankedSet<StoredOffer>(compareExpiry);
  /** Listing indexes in listing order (highest rank first), per status: every offer, and per announcement, oracle, maker, chain and question word. */
  private readonly lists = new OfferLists(compareListed);
  /** Per status, offers in taker-collateral order: the collateral range filter's index. */
  private readonly byCollateral = new Map<string, CollateralIndex<StoredOffer>>();
  /** Open offers stored per maker key. */
  private readonly openByMaker = new Map<string, number>();
  private totalBytes = 0;
  /** Told every short id that leaves the version index (replaced or removed). */
  private readonly onRetired: (vid: string) => void;

  constructor(opts: OfferOptions, now: () => number, onRetired: (vid: string) => void = () => {}) {
    for (const k of ['maxOffers', 'maxOfferBytes', 'offersPerMaker'] as const) {
      if (!(opts[k] >= 1)) throw new RangeError(`offer store ${k} must be >= 1`);
    }
    this.opts = opts;
    this.now = now;
    this.onRetired = onRetired;
  }

  /** Stored offers (every status), open ones, and their JSON bytes. */
  counts(): { offers: number; open: number; bytes: number } {
    return { offers: this.byId.size, open: this.lists.size('open'), bytes: this.totalBytes };
  }

  get(id: string): StoredOffer | undefined {
    return this.byId.get(id);
  }

  /** Open offers stored of `maker`. */
  openOffersOf(maker: string): number {
    return this.openByMaker.get(maker) ?? 0;
  }

  /** Cheap check before the signature: duplicate or stale version, the maker's open-offer limit, or too low to enter a full store. */
  precheck(msg: Offer, id: string): OfferAdd | null {
    const stored = this.byId.get(id);
    if (stored && !supersedesOffer(msg, stored.msg)) return { status: 'duplicate' };
    const nowS = Math.floor(this.now() / 1000);
    if (msg.content.expiresAt <= nowS) return { status: 'rejected', reason: 'offer-expired', message: `expiresAt ${msg.content.expiresAt} has passed (now ${nowS})` };
    // A new open offer, or a closed one opened again, counts against its maker's limit.
    if (msg.status === 'open' && stored?.msg.status !== 'open' && this.openOffersOf(msg.makerPubKey) >= this.opts.offersPerMaker) {
      return { status: 'rejected', reason: 'offer-maker-limit', message: `maker ${msg.makerPubKey} already has ${this.opts.offersPerMaker} open offers here (offersPerMaker); cancel one first` };
    }
    if (stored) return null; // room for a new version is planned in add (it frees the old one's bytes)
    return this.plan(msg.pow.difficulty, jsonBytes(msg), null) ? null : this.tooLow();
  }

  /**
   * Store a verified offer: new, or a version that supersedes the stored one. The owner sweeps
   * expired entries first ({@link sweep}). `ann`: the stored announcement's id and question words,
   * shared with the offer when equal (mempool/compact.ts).
   */
  add(msg: Verified<Offer>, id: string, ctx: OfferContext, version: string, ann?: { readonly id: string; readonly words: readonly string[] }): OfferAdd {
    const pre = this.precheck(msg, id);
    if (pre) return pre;
    compactOffer(msg, this.byId.get(id)?.msg ?? this.lists.anyOfMaker(msg.makerPubKey)?.msg, ann?.id);
    const evicted: EvictedEvent[] = [];
    const bytes = jsonBytes(msg);
    const stored = this.byId.get(id);
    if (stored) {
      // A new version of the same offer: out of every ranked set, change, back in.
      const victims = this.plan(msg.pow.difficulty, bytes - stored.bytes, stored);
      if (!victims) return this.tooLow();
      for (const v of victims) this.remove(v, evicted);
      this.unlink(stored);
      this.byVersion.delete(stored.version);
      this.onRetired(stored.version);
      this.totalBytes -= stored.bytes;
      stored.msg = msg;
      stored.version = shortId(version);
      stored.bytes = bytes;
      stored.receivedAt = this.now();
      this.totalBytes += bytes;
      this.byVersion.set(stored.version, stored);
      this.link(stored);
      return { status: 'accepted', replaced: true, evicted };
    }
    const victims = this.plan(msg.pow.difficulty, bytes, null) as StoredOffer[];
    for (const v of victims) this.remove(v, evicted);
    const words = sameWords(questionWords(ctx.question), ann?.words);
    const e: StoredOffer = { id, msg, oraclePubKey: ctx.oraclePubKey, maturityEpoch: ctx.maturityEpoch, words, version: shortId(version), receivedAt: this.now(), bytes };
    this.byId.set(id, e);
    this.byVersion.set(e.version, e);
    this.totalBytes += bytes;
    this.link(e);
    return { status: 'accepted', replaced: false, evicted };
  }

  /** Remove every offer whose expiresAt has passed (earliest first, O(k log n) for k removed). */
  sweep(): EvictedEvent[] {
    const out: EvictedEvent[] = [];
    const nowS = Math.floor(this.now() / 1000);
    for (let e = this.expiry.lowest(); e && e.msg.content.expiresAt <= nowS; e = this.expiry.lowest()) this.remove(e, out, 'expired');
    return out;
  }

  /** Offers matching `filter` (status default open), highest rank first. Walks the narrowest index; the other filters are O(1) per candidate. */
  list(page: Page, filter: OfferFilter): StoredOffer[] {
    const status = filter.status ?? 'open';
    const words = filter.question === undefined ? NO_WORDS : questionWords(filter.question);
    if (filter.question !== undefined && words.length === 0) return [];
    const set = this.lists.narrowest(status, filter, words);
    if (!set) return [];
    const min = filter.minCollateral ?? 0;
    const max = filter.maxCollateral ?? Infinity;
    const match = (e: StoredOffer): boolean => {
      const c = e.msg.content;
      if (filter.announcement !== undefined && c.announcementId !== filter.announcement) return false;
      if (filter.oracle !== undefined && e.oraclePubKey !== filter.oracle) return false;
      if (filter.maker !== undefined && e.msg.makerPubKey !== filter.maker) return false;
      if (filter.chain !== undefined && c.chain !== filter.chain) return false;
      if (c.takerCollateral < min || c.takerCollateral > max) return false;
      for (let i = 0; i < words.length; i++) if (!e.words.includes(words[i] as string)) return false;
      return true;
    };
    const skip = page.page * page.chunkSize;
    if (filter.minCollateral !== undefined || filter.maxCollateral !== undefined) {
      // A narrow collateral range would make the rank walk below scan ~needed x n / k entries for k
      // in range. The collateral index reads the page instead when the range spans few collateral
      // values (merging their runs, each in listing order: O((values + page depth) log n)) or holds
      // at most `cap` entries (selecting the page by rank as it walks them: O(cap log needed),
      // offer-collateral.ts). Past both the range is wide enough for the rank walk to find its page
      // within ~needed x n / cap candidates. cap = sqrt(needed x n) balances the two.
      const cap = Math.max(1024, Math.ceil(Math.sqrt((skip + page.chunkSize) * set.size)));
      const inRange = cap < set.size ? this.byCollateral.get(status)?.page(min, max, cap, match, compareListed, skip, page.chunkSize) : undefined;
      if (inRange) return inRange;
    }
    return this.walk(set, match, skip, page.chunkSize);
  }

  /** Entries of `set` (in listing order) matching `match`, highest rank first, after skipping `skip` of them; at most `limit`. */
  private walk(set: RankedSet<StoredOffer>, match: (e: StoredOffer) => boolean, skip: number, limit: number): StoredOffer[] {
    const out: StoredOffer[] = [];
    if (limit <= 0) return out;
    set.forEachAscending((e) => {
      if (!match(e)) return true;
      if (skip > 0) {
        skip--;
        return true;
      }
      out.push(e);
      return out.length < limit;
    });
    return out;
  }

  /** Every stored offer, as relay and sync see it. */
  *inventory(): IterableIterator<InventoryEntry> {
    for (const e of this.byId.values()) yield { kind: 'offer', id: e.id, version: e.version, msg: e.msg, cTTL: e.msg.cTTL };
  }

  /** The stored offer with this inventory id (its id). */
  getByInventoryId(id: string): InventoryEntry | undefined {
    const e = this.byId.get(id);
    return e && { kind: 'offer', id, version: e.version, msg: e.msg, cTTL: e.msg.cTTL };
  }

  /** The stored offer whose current version has this short id. O(1). */
  getByShortId(vid: string): InventoryEntry | undefined {
    const e = this.byVersion.get(vid);
    return e && { kind: 'offer', id: e.id, version: vid, msg: e.msg, cTTL: e.msg.cTTL };
  }

  /** Keep the highest cTTL seen for a stored version (docs/PROTOCOL.md 11.7); the cTTL before, or null when unchanged. */
  raiseCTTL(vid: string, cTTL: number): number | null {
    const e = this.byVersion.get(vid);
    if (!e || !(cTTL > e.msg.cTTL)) return null;
    const before = e.msg.cTTL;
    e.msg.cTTL = cTTL;
    return before;
  }

  /** Is a stored offer's current version this short id? O(1). */
  hasVersion(vid: string): boolean {
    return this.byVersion.has(vid);
  }

  /** Number of short ids indexed (equals stored offers). */
  get indexedVersions(): number {
    return this.byVersion.size;
  }

  // ---- internals -----------------------------------------------------------------------------

  private tooLow(): OfferAdd {
    return { status: 'rejected', reason: 'rank-too-low', message: `the node holds ${this.opts.maxOffers} offers or ${this.opts.maxOfferBytes} bytes of them, and this one does not outrank enough of them` };
  }

  /** Lowest-ranked offers (each below `difficulty`) whose removal makes room for `bytes` more (and one more entry unless `replacing`); null when impossible. */
  private plan(difficulty: number, bytes: number, replacing: StoredOffer | null): StoredOffer[] | null {
    let count = this.byId.size + (replacing ? 0 : 1);
    let need = this.totalBytes + bytes - this.opts.maxOfferBytes;
    const victims: StoredOffer[] = [];
    if (count <= this.opts.maxOffers && need <= 0) return victims;
    for (const v of this.rank.values()) {
      if (v.msg.pow.difficulty >= difficulty) return null;
      if (v === replacing) continue;
      victims.push(v);
      count--;
      need -= v.bytes;
      if (count <= this.opts.maxOffers && need <= 0) return victims;
    }
    return null;
  }

  private link(e: StoredOffer): void {
    this.rank.add(e);
    this.expiry.add(e);
    let byC = this.byCollateral.get(e.msg.status);
    if (!byC) this.byCollateral.set(e.msg.status, (byC = new CollateralIndex(compareCollateral, collateralProbe)));
    byC.add(e);
    this.lists.add(e);
    if (e.msg.status === 'open') this.openByMaker.set(e.msg.makerPubKey, this.openOffersOf(e.msg.makerPubKey) + 1);
  }

  private unlink(e: StoredOffer): void {
    this.rank.delete(e);
    this.expiry.delete(e);
    const byC = this.byCollateral.get(e.msg.status);
    if (byC) {
      byC.delete(e);
      if (byC.size === 0) this.byCollateral.delete(e.msg.status);
    }
    this.lists.delete(e);
    if (e.msg.status === 'open') {
      const n = this.openOffersOf(e.msg.makerPubKey) - 1;
      if (n > 0) this.openByMaker.set(e.msg.makerPubKey, n);
      else this.openByMaker.delete(e.msg.makerPubKey);
    }
  }

  /** Remove an offer; the eviction is appended to `out`. */
  private remove(e: StoredOffer, out: EvictedEvent[], cause: EvictedEvent['cause'] = 'rank'): void {
    if (this.byId.get(e.id) !== e) return;
    this.unlink(e);
    this.byId.delete(e.id);
    this.byVersion.delete(e.version);
    this.onRetired(e.version);
    this.totalBytes -= e.bytes;
    out.push({ kind: 'offer', id: e.id, oraclePubKey: e.oraclePubKey, cause });
  }
}
