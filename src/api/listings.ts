/** api/listings.ts - the one listing shape ({id, <kind>: signed message, node-computed fields}), standing next to every oracle and capability, the default order (oracles with proofs last) and report lookups that follow the rotation chain both ways (docs/PROTOCOL.md 10.4, 10.6). Imports service, identity and mempool report classes; never the mempool itself. */
import type { Dispute, OracleCapability, OracleId, Report } from '../protocol/types.ts';
import type { StoredCapability, StoredOracle, StoredReport } from '../service/service.ts';
import { CLASS_RANK, isAnswered, reportClass, type ReportClass } from '../mempool/report-class.ts';
import type { OracleStanding, Standing } from '../identity/standing.ts';

/** A page request. */
export interface PageReq {
  page: number;
  chunkSize: number;
}

/** An entry of GET /oracles. */
export interface OracleListing {
  id: string;
  oracle: OracleId;
  standing: Standing;
}

/** An entry of GET /capabilities (`standing` is its oracle's). */
export interface CapabilityListing {
  id: string;
  capability: OracleCapability;
  standing: Standing;
}

/** An entry of GET /reports. */
export interface ReportListing {
  id: string;
  report: Report;
  dispute: Dispute | null;
  class: ReportClass;
  /** A fact-missing naming an announcement: the id of the attestation that answered it (docs/PROTOCOL.md 8.3). */
  attestationId?: string;
}

/** Fewest entries asked for in one batch of a walk. */
const MIN_BATCH = 10;
/** Longest rotation chain followed by a report lookup (each key costs one lookup of its reports). */
const MAX_CHAIN_KEYS = 64;

/** Standing of an oracle: from the standing index when the node has one, else from the stored entry's own counters (no proof index). */
export function standingFor(standing: OracleStanding | undefined, pubkey: string, stored?: StoredOracle): Standing {
  if (standing) return standing.standingOf(pubkey);
  return { conflicted: false, proofs: stored?.proofCount ?? 0, openClaims: stored?.openClaims ?? 0, answeredClaims: stored?.answeredClaims ?? 0 };
}

/** The listing entry of an oracle. */
export function oracleListing(o: StoredOracle, standing: OracleStanding | undefined): OracleListing {
  return { id: o.msg.pubkey, oracle: o.msg, standing: standingFor(standing, o.msg.pubkey, o) };
}

/** The listing entry of a capability. */
export function capabilityListing(c: StoredCapability, standing: OracleStanding | undefined, oracle: StoredOracle | undefined): CapabilityListing {
  return { id: c.msg.capabilityPubKey, capability: c.msg, standing: standingFor(standing, c.msg.oraclePubKey, oracle) };
}

/** The listing entry of a report (stored here, or gathered from peers). */
export function reportListing(id: string, report: Report, dispute: Dispute | null, attestationId?: string): ReportListing {
  const entry: ReportListing = { id, report, dispute, class: reportClass(report, dispute !== null || attestationId !== undefined) };
  if (attestationId !== undefined) entry.attestationId = attestationId;
  return entry;
}

/**
 * Walk a ranked listing from the top, calling `visit` until it returns false or the listing ends.
 * The first batch is `first` entries (what the page needs when every entry matches), then each
 * batch doubles what was fetched so far: [0, b), [b, 2b), [2b, 4b), … (as pages: (0, b), (1, b),
 * (1, 2b), …). A page whose entries all match fetches only its own depth (every entry fetched is
 * materialized by the index walk: fetching 100 to show 10 was most of a listing's garbage), and a
 * selective filter still reaches depth d in O(log d) batches.
 */
function walk<T>(fetch: (p: PageReq) => T[], first: number, visit: (item: T) => boolean): void {
  let start = 0;
  for (;;) {
    const size = start === 0 ? Math.max(MIN_BATCH, first) : start;
    const items = fetch({ page: start === 0 ? 0 : 1, chunkSize: size });
    for (const item of items) if (!visit(item)) return;
    if (items.length < size) return;
    start += size;
  }
}

/**
 * One page in the default order: the entries of oracles without proofs in rank order, then those
 * of conflicted oracles in rank order (traffic is diverted from them, docs/PROTOCOL.md 10.4);
 * `exclude` leaves the conflicted out. `keep` is any other filter. `maxMatches` bounds how many
 * entries can pass `keep` (the walk stops there). A page inside the first part costs its depth; a
 * page reaching the second part walks the listing once to count the first, and again only as far
 * as its last conflicted entry (and not at all when there is none).
 */
export function standingOrderedPage<T>(
  fetch: (p: PageReq) => T[],
  conflicted: (item: T) => boolean,
  keep: (item: T) => boolean,
  page: PageReq,
  exclude: boolean,
  maxMatches = Number.POSITIVE_INFINITY,
): T[] {
  const offset = page.page * page.chunkSize;
  const out: T[] = [];
  // No more entries can match than maxMatches: a page past them (or any page at 0) walks nothing.
  if (page.chunkSize <= 0 || maxMatches <= offset) return out;
  let clean = 0;
  let matches = 0;
  let conflictedSeen = 0;
  const first = Math.min(offset + page.chunkSize, maxMatches);
  walk(fetch, first, (item) => {
    if (!keep(item)) return true;
    matches++;
    if (conflicted(item)) conflictedSeen++;
    else if (clean++ >= offset) out.push(item);
    // Stop when the page is full (the second part is not reached) or nothing more can match.
    return out.length < page.chunkSize && matches < maxMatches;
  });
  // The first walk went to the end (or to the last possible match): the second part needs a walk
  // only if it saw conflicted entries, and stops after the last of them.
  if (exclude || out.length === page.chunkSize || conflictedSeen === 0) return out;
  let skip = Math.max(0, offset - clean);
  let seen = 0;
  walk(fetch, first, (item) => {
    if (!keep(item) || !conflicted(item)) return true;
    seen++;
    if (skip > 0) skip--;
    else out.push(item);
    return out.length < page.chunkSize && seen < conflictedSeen;
  });
  return out;
}

/** What a report lookup needs from the service and standing. */
export interface ReportLookupDeps {
  listReports(pubkey: string, page: PageReq): StoredReport[];
  standing?: OracleStanding;
}

/** Every key of `pubkey`'s rotation chain, both directions (older keys of every key found, newer keys of every key found), `pubkey` first. */
export function chainKeys(pubkey: string, standing: OracleStanding | undefined): string[] {
  const out = [pubkey];
  if (!standing) return out;
  // Built only once a linked key turns up: a key without links (most) costs its two lookups.
  let seen: Set<string> | null = null;
  const add = (n: string): void => {
    seen ??= new Set(out);
    if (!seen.has(n) && out.length < MAX_CHAIN_KEYS) {
      seen.add(n);
      out.push(n);
    }
  };
  for (let i = 0; i < out.length && out.length < MAX_CHAIN_KEYS; i++) {
    const k = out[i] as string;
    for (const n of standing.previousKeys(k)) add(n);
    for (const n of standing.newerKeys(k)) add(n);
  }
  return out;
}

/** A report gathered from this node and its peers (GET /reports?scope=network). */
export interface GatheredReport {
  id: string;
  report: Report;
  dispute: Dispute | null;
}

/**
 * GET /reports?pubkey=K&scope=network over K's rotation chain: `gather(k)` (this node's and other
 * shards' reports against key k, re-verified) for every key of the chain, at most `keysAtOnce` at a
 * time, merged by id and ordered like local listings (class, PoW, id).
 */
export async function listNetworkReportsByChain(gather: (key: string) => Promise<GatheredReport[]>, standing: OracleStanding | undefined, pubkey: string, page: PageReq, keysAtOnce: number): Promise<ReportListing[]> {
  const keys = chainKeys(pubkey, standing);
  const byId = new Map<string, GatheredReport>();
  for (let i = 0; i < keys.length; i += keysAtOnce) {
    const lists = await Promise.all(keys.slice(i, i + keysAtOnce).map(gather));
    for (const list of lists) for (const r of list) if (!byId.has(r.id)) byId.set(r.id, r);
  }
  const rank = (r: GatheredReport): number => CLASS_RANK[reportClass(r.report, r.dispute !== null)];
  const all = [...byId.values()].sort((a, b) => rank(b) - rank(a) || b.report.pow.difficulty - a.report.pow.difficulty || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return all.slice(page.page * page.chunkSize, (page.page + 1) * page.chunkSize).map((r) => reportListing(r.id, r.report, r.dispute));
}

/** Rank order of report listings, highest first: class, PoW, then id ascending. */
function compareListed(a: StoredReport, b: StoredReport): number {
  const ca = CLASS_RANK[reportClass(a.msg, isAnswered(a))];
  const cb = CLASS_RANK[reportClass(b.msg, isAnswered(b))];
  return cb - ca || b.msg.pow.difficulty - a.msg.pow.difficulty || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * GET /reports?pubkey=K: the reports against every key of K's rotation chain, in either direction
 * (a new key shows what was filed against its older keys; an old key shows what is kept under its
 * newer key), by rank. One key without links costs one paged lookup; a chain gathers each key's
 * reports (at most maxReports claims per stored key, plus its proofs) and sorts them.
 */
export function listReportsByChain(deps: ReportLookupDeps, pubkey: string, page: PageReq): ReportListing[] {
  const keys = chainKeys(pubkey, deps.standing);
  const toListing = (r: StoredReport) => reportListing(r.id, r.msg, r.dispute?.msg ?? null, r.attestationId);
  if (keys.length === 1) return deps.listReports(pubkey, page).map(toListing);
  const chain = new Set(keys);
  const byId = new Map<string, StoredReport>();
  for (const k of keys) {
    for (const r of deps.listReports(k, { page: 0, chunkSize: Number.MAX_SAFE_INTEGER })) {
      if (chain.has(r.msg.oraclePubKey)) byId.set(r.id, r);
    }
  }
  const all = [...byId.values()].sort(compareListed);
  return all.slice(page.page * page.chunkSize, (page.page + 1) * page.chunkSize).map(toListing);
}
