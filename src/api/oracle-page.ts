/** api/oracle-page.ts - GET /monitor/oracles, the page's oracle list at scale: a total, page count and one page of compact rows (questions, tags, standing) in the default order of GET /oracles. Imports service and identity types and api/listings; never the mempool. */
import type { MegaService, StoredOracle } from '../service/service.ts';
import type { OracleStanding, Standing } from '../identity/standing.ts';
import { standingFor, standingOrderedPage, type PageReq } from './listings.ts';

/** One row of the page's oracle list. Tags and questions are network text: show them as text only. */
export interface OracleRow {
  pubkey: string;
  difficulty: number;
  seqNo: number;
  /** Bid as announced (msat), 0 when none; not a verified figure. */
  bidMsat: number;
  /** The ad's own tags, then tags of its best capabilities not already listed (at most MAX_TAGS). */
  tags: string[];
  /** Questions of its best capabilities by PoW (at most MAX_QUESTIONS). */
  questions: string[];
  capabilities: number;
  reports: number;
  standing: Standing;
}

/** The body of GET /monitor/oracles. */
export interface OraclePage {
  /** Oracles matching the filters (all stored oracles without one). */
  total: number;
  page: number;
  chunkSize: number;
  /** ceil(total / chunkSize), at least 1. */
  pages: number;
  oracles: OracleRow[];
}

/** Capabilities looked at per row (their questions and tags are shown). */
const MAX_QUESTIONS = 3;
const MAX_TAGS = 8;
const MAX_QUESTION_CHARS = 200;

/** The part of the ranked listing fetched so far; kept between requests while nothing changed (see {@link oraclePage}). */
export interface RankPrefix<T> {
  items: T[];
  /** The listing ended inside `items`. */
  complete: boolean;
}

/** An empty prefix. */
export const emptyPrefix = <T>(): RankPrefix<T> => ({ items: [], complete: false });

/**
 * A fetch for {@link standingOrderedPage} whose batches reuse one growing prefix of the ranked
 * listing. The listing is addressed by offset (a B+ tree walk from the top), so fetching batch i
 * costs i batches: walking to depth d batch by batch would cost d²/batch. Doubling the prefix
 * instead costs under 4d for the whole request, and nothing when `state` already holds it.
 */
export function prefixFetch<T>(list: (p: PageReq) => T[], state: RankPrefix<T> = emptyPrefix()): (p: PageReq) => T[] {
  return (p) => {
    const start = p.page * p.chunkSize;
    const end = start + p.chunkSize;
    while (!state.complete && state.items.length < end) {
      // The walk (api/listings.ts) asks for the page's own depth first, then doubles: fetch that.
      const want = Math.max(end, state.items.length * 2);
      state.items = list({ page: 0, chunkSize: want });
      if (state.items.length < want) state.complete = true;
    }
    // The whole prefix is the batch (the first batch of a walk): no copy, the walk only reads it.
    return start === 0 && end >= state.items.length ? state.items : state.items.slice(start, end);
  };
}

function rowOf(o: StoredOracle, standing: OracleStanding | undefined): OracleRow {
  const tags = [...(o.msg.tags ?? [])].slice(0, MAX_TAGS);
  const questions: string[] = [];
  for (const c of o.capabilities.descending(0, MAX_QUESTIONS)) {
    const q = c.msg.question;
    questions.push(q.length <= MAX_QUESTION_CHARS ? q : `${q.slice(0, MAX_QUESTION_CHARS - 1)}…`);
    for (const t of c.msg.tags ?? []) if (tags.length < MAX_TAGS && !tags.includes(t)) tags.push(t);
  }
  return {
    pubkey: o.msg.pubkey,
    difficulty: o.msg.pow.difficulty,
    seqNo: o.msg.seqNo,
    bidMsat: o.msg.bid.amount,
    tags,
    questions,
    capabilities: o.capabilities.size,
    reports: o.reports.size,
    standing: standingFor(standing, o.msg.pubkey, o),
  };
}

/**
 * One page with its total. Without filters the total is the stored count (O(1)) and the page costs
 * its depth in the rank index (walked once, or twice when it reaches the conflicted oracles at the
 * end), or only its own rows when `prefix` (the caller's, emptied whenever an entity or a standing
 * changes) already reaches that deep: on a quiet node page jumps cost O(page). With a question or
 * tag the matches are collected through the word/tag indexes (never a scan of the store):
 * O(matches) per request, which also gives the exact total.
 */
export function oraclePage(
  service: Pick<MegaService, 'listOracles' | 'counts'>,
  standing: OracleStanding | undefined,
  page: PageReq,
  filter: { question?: string; tag?: string },
  prefix: RankPrefix<StoredOracle> = emptyPrefix(),
): OraclePage {
  const conflicted = (o: StoredOracle): boolean => standing?.isConflicted(o.msg.pubkey) ?? false;
  let total: number;
  let list: StoredOracle[];
  if (filter.question === undefined && filter.tag === undefined) {
    total = service.counts().oracles;
    list = standingOrderedPage(prefixFetch((p) => service.listOracles(p, {}), prefix), conflicted, () => true, page, false, total);
  } else {
    const all = service.listOracles({ page: 0, chunkSize: Number.MAX_SAFE_INTEGER }, filter);
    total = all.length;
    list = standingOrderedPage((p) => all.slice(p.page * p.chunkSize, (p.page + 1) * p.chunkSize), conflicted, () => true, page, false, total);
  }
  return {
    total,
    page: page.page,
    chunkSize: page.chunkSize,
    pages: Math.max(1, Math.ceil(total / page.chunkSize)),
    oracles: list.map((o) => rowOf(o, standing)),
  };
}
