/** mempool/queries.ts - lookup indexes (oracle rank order, question words, tags) kept in rank order, and the paged queries over them. Imports only protocol types and mempool internals. */
import { RankedSet, type RankedView } from './ranked-set.ts';
import { compareCapabilities, compareOracles, type OracleEntry } from './stored.ts';
import { questionWords, RankedIndex } from './text-index.ts';
import type { Page, StoredCapability } from './types.ts';

/** Filters of an oracle listing. */
export interface OracleFilter {
  question?: string;
  tag?: string;
}

/** Filters of a capability listing (`oracle`: the stored oracle when `pubkey` was given, null when unknown). */
export interface CapabilityFilter {
  question?: string;
  tag?: string;
  oracle?: OracleEntry | null;
}

/**
 * The mempool's lookup side. Every set is ordered by the rank of its members, so a page is an
 * in-order walk from the top of the smallest candidate set, checking the other filters per
 * candidate in O(log n), and stops after offset + page size matches: nothing is collected or
 * sorted per query. Oracle-level word and tag sets hold an oracle while at least one of its
 * capabilities (or, for tags, the ad itself) carries the key.
 *
 * Contract with the mempool: an oracle is unlinked before its rank or tags change and relinked
 * after (the sets are ordered by the rank fields); a capability is added to its oracle's set
 * before `addCapability` and removed from it before `removeCapability`.
 */
export class Lookups {
  /** Every stored oracle, by rank (eviction takes the lowest; the unfiltered listing walks it from the top). */
  readonly oracleOrder = new RankedSet<OracleEntry>(compareOracles);
  private readonly capsByWord = new RankedIndex<StoredCapability>(compareCapabilities);
  private readonly capsByTag = new RankedIndex<StoredCapability>(compareCapabilities);
  private readonly oraclesByWord = new RankedIndex<OracleEntry>(compareOracles);
  private readonly oraclesByTag = new RankedIndex<OracleEntry>(compareOracles);

  // ---- maintenance ---------------------------------------------------------------------------

  /** Index an oracle by rank, own tags, and the words and tags of the capabilities it holds. */
  linkOracle(o: OracleEntry): void {
    this.oracleOrder.add(o);
    for (const t of o.msg.tags ?? []) this.oraclesByTag.add(t, o);
    for (const c of o.capabilities.values()) {
      for (const w of questionWords(c.msg.question)) this.oraclesByWord.add(w, o);
      for (const t of c.msg.tags ?? []) this.oraclesByTag.add(t, o);
    }
  }

  /** Undo linkOracle: before its rank changes, or before it leaves (its capabilities stay indexed; drop them with dropCapability). */
  unlinkOracle(o: OracleEntry): void {
    this.oracleOrder.delete(o);
    for (const t of o.msg.tags ?? []) this.oraclesByTag.remove(t, o);
    for (const c of o.capabilities.values()) {
      for (const w of questionWords(c.msg.question)) this.oraclesByWord.remove(w, o);
      for (const t of c.msg.tags ?? []) this.oraclesByTag.remove(t, o);
    }
  }

  /** An oracle ad was replaced at the same rank: only its own tags may differ (`oldTags`: the replaced ad's). */
  retagOracle(o: OracleEntry, oldTags: readonly string[]): void {
    const now = o.msg.tags ?? [];
    for (const t of oldTags) if (!now.includes(t) && !this.capabilityHasTag(o, t)) this.oraclesByTag.remove(t, o);
    for (const t of now) this.oraclesByTag.add(t, o);
  }

  /** Index a capability that was just added to `o`'s set. */
  addCapability(o: OracleEntry, c: StoredCapability): void {
    for (const w of questionWords(c.msg.question)) {
      this.capsByWord.add(w, c);
      this.oraclesByWord.add(w, o);
    }
    for (const t of c.msg.tags ?? []) {
      this.capsByTag.add(t, c);
      this.oraclesByTag.add(t, o);
    }
  }

  /** Unindex a capability that was just removed from `o`'s set; `o` stays under a key while another of its capabilities (or its ad, for tags) has it. */
  removeCapability(o: OracleEntry, c: StoredCapability): void {
    const words = questionWords(c.msg.question);
    this.dropCapability(c, words);
    for (const w of words) {
      let kept = false;
      for (const other of o.capabilities.values()) if ((kept = this.capsByWord.has(w, other))) break;
      if (!kept) this.oraclesByWord.remove(w, o);
    }
    for (const t of c.msg.tags ?? []) if (!(o.msg.tags ?? []).includes(t) && !this.capabilityHasTag(o, t)) this.oraclesByTag.remove(t, o);
  }

  /** Unindex a capability from the capability-level sets only (its oracle is leaving and was unlinked). */
  dropCapability(c: StoredCapability, words = questionWords(c.msg.question)): void {
    for (const w of words) this.capsByWord.remove(w, c);
    for (const t of c.msg.tags ?? []) this.capsByTag.remove(t, c);
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Oracles, highest rank first; with a question, the owners of a capability whose question has every query word; with a tag, oracles tagged by their ad or a capability. */
  listOracles(page: Page, filter: OracleFilter): OracleEntry[] {
    const offset = page.page * page.chunkSize;
    if (filter.question === undefined && filter.tag === undefined) return [...this.oracleOrder.descending(offset, page.chunkSize)];
    const words = filter.question === undefined ? [] : questionWords(filter.question);
    if (filter.question !== undefined && words.length === 0) return [];
    const sets: RankedSet<OracleEntry>[] = [];
    for (const w of words) {
      const s = this.oraclesByWord.get(w);
      if (!s) return [];
      sets.push(s);
    }
    const byTag = filter.tag === undefined ? undefined : this.oraclesByTag.get(filter.tag);
    if (filter.tag !== undefined && !byTag) return [];
    if (byTag) sets.push(byTag);
    const driver = smallest(sets);
    // One word: membership of its oracle set is the whole condition. More: one capability must hold them all.
    const capSets = words.length > 1 ? words.map((w) => this.capsByWord.get(w) as RankedSet<StoredCapability>) : null;
    // (with capSets, the word sets' membership is implied; only the tag set is left to check)
    const others = (capSets ? (byTag ? [byTag] : []) : sets).filter((s) => s !== driver);
    const matches = (o: OracleEntry): boolean =>
      others.every((s) => s.has(o)) && (capSets === null || someCapability(o.capabilities, (c) => capSets.every((s) => s.has(c))));
    return pageOf(driver.descending(), matches, offset, page.chunkSize);
  }

  /** Capabilities, highest PoW first, of one oracle and/or matching every question word and/or a tag. At least one filter is required. */
  listCapabilities(page: Page, filter: CapabilityFilter): StoredCapability[] {
    const offset = page.page * page.chunkSize;
    if (filter.oracle === null) return [];
    const words = filter.question === undefined ? [] : questionWords(filter.question);
    if (filter.question !== undefined && words.length === 0) return [];
    const sets: RankedSet<StoredCapability>[] = [];
    for (const key of words) {
      const s = this.capsByWord.get(key);
      if (!s) return [];
      sets.push(s);
    }
    if (filter.tag !== undefined) {
      const s = this.capsByTag.get(filter.tag);
      if (!s) return [];
      sets.push(s);
    }
    let driver: RankedView<StoredCapability>;
    if (filter.oracle) driver = filter.oracle.capabilities;
    else if (sets.length > 0) driver = smallest(sets);
    else return [];
    return pageOf(driver.descending(), (c) => sets.every((s) => s === driver || s.has(c)), offset, page.chunkSize);
  }

  private capabilityHasTag(o: OracleEntry, t: string): boolean {
    return someCapability(o.capabilities, (c) => (c.msg.tags ?? []).includes(t));
  }
}

function someCapability(caps: RankedView<StoredCapability>, pred: (c: StoredCapability) => boolean): boolean {
  for (const c of caps.values()) if (pred(c)) return true;
  return false;
}

function smallest<T>(sets: RankedSet<T>[]): RankedSet<T> {
  let best = sets[0] as RankedSet<T>;
  for (const s of sets) if (s.size < best.size) best = s;
  return best;
}

/** Matches `pred` in iteration order: skip `offset`, keep at most `limit`; stops as soon as the page is full. */
function pageOf<T>(it: Iterable<T>, pred: (x: T) => boolean, offset: number, limit: number): T[] {
  const out: T[] = [];
  if (limit <= 0) return out;
  let skip = offset;
  for (const x of it) {
    if (!pred(x)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(x);
    if (out.length >= limit) break;
  }
  return out;
}
