// test/unit/mempool/properties.test.ts - fast-check model-based properties of the Mempool: replacement rules (seqNo, PoW upgrade, no report downgrade), limits, lowest-first eviction, counts = reachable entries, RankedSet order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { signingHash } from '../../../src/protocol/canonical.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import type { OracleCapability, OracleId } from '../../../src/protocol/types.ts';
import type { AddResult, EvictedEvent, Mempool, MempoolOptions } from '../../../src/mempool/mempool.ts';
import { RankedSet } from '../../../src/mempool/ranked-set.ts';
import { isInShard } from '../../../src/mempool/shard.ts';
import { fakeCapability, fakeDispute, fakeOracle, fakePubKey, fakeReport, newMempoolForTest } from '../../helpers/factory.ts';

const ALL = { page: 0, chunkSize: 10_000 };
const VOCAB = ['who', 'won', 'price', 'rain', 'btc', 'match'] as const;
const TAGS = ['t1', 't2', 't3'] as const;

// ---- reference model: plain maps and linear scans ----------------------------------------------

interface Rank {
  p: number;
  s: number;
  id: string;
}
/** Reference order: higher p, then higher s; equal ranks put the larger id lower (documented in ranked-set.ts). */
const cmp = (a: Rank, b: Rank): number => (a.p !== b.p ? a.p - b.p : a.s !== b.s ? a.s - b.s : a.id === b.id ? 0 : a.id > b.id ? -1 : 1);
const lowestOf = <T>(xs: Iterable<T>, rank: (x: T) => Rank): T | undefined => {
  let low: T | undefined;
  for (const x of xs) if (low === undefined || cmp(rank(x), rank(low)) < 0) low = x;
  return low;
};
const beats = (a: Rank, b: Rank): boolean => a.p > b.p || (a.p === b.p && a.s > b.s);
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Why the model lets a resubmission of a stored ad replace it, or not. The signed content of the
 * stand-in ads is what the test varies besides seqNo and PoW: tags (oracle), question words and tags (capability).
 */
type AdVerdict = 'seq-up' | 'pow-upgrade' | 'seq-down' | 'same-seq-no-more-pow' | 'same-seq-fork-wins' | 'same-seq-fork-loses';
/** `forkWins`: at an equal seqNo, the newcomer's signing hash is the greater (a fork is decided by content, never by PoW). */
function adVerdict(seq: number, d: number, sameContent: boolean, ex: { seq: number; d: number }, forkWins: () => boolean): AdVerdict {
  if (seq > ex.seq) return 'seq-up';
  if (seq < ex.seq) return 'seq-down';
  if (!sameContent) return forkWins() ? 'same-seq-fork-wins' : 'same-seq-fork-loses';
  return d > ex.d ? 'pow-upgrade' : 'same-seq-no-more-pow';
}
const AD_REPLACES: ReadonlySet<AdVerdict> = new Set(['seq-up', 'pow-upgrade', 'same-seq-fork-wins']);
const sigHash = (m: OracleId | OracleCapability): string => signingHash(m, 'oracleSignature');

/** The same for a report (unsigned; same id, same content): PoW must rise and seqNo must not go down; a seqNo rise alone is free churn. */
type ReportVerdict = 'seq-up' | 'pow-up' | 'both-up' | 'downgrade' | 'seq-down' | 'no-gain';
function reportVerdict(seq: number, d: number, ex: { seq: number; d: number }): ReportVerdict {
  if (seq < ex.seq) return 'seq-down';
  if (d < ex.d) return seq > ex.seq ? 'downgrade' : 'no-gain';
  if (seq > ex.seq) return d > ex.d ? 'both-up' : 'seq-up';
  return d > ex.d ? 'pow-up' : 'no-gain'; // equal seqNo, PoW not higher
}
const REPORT_REPLACES: ReadonlySet<ReportVerdict> = new Set(['pow-up', 'both-up']);

interface MCap {
  key: string;
  d: number;
  seq: number;
  words: string[];
  tags: string[];
}
interface MReport {
  id: string;
  d: number;
  seq: number;
  dispute: string | null;
}
interface MOracle {
  pubkey: string;
  d: number;
  bid: number;
  seq: number;
  tags: string[];
  caps: Map<string, MCap>;
  reports: Map<string, MReport>;
}

const oRank = (o: MOracle): Rank => ({ p: o.bid, s: o.d, id: o.pubkey });
const cRank = (c: MCap): Rank => ({ p: c.d, s: 0, id: c.key });
/** Report rank: class first (an answered claim below an open one; the model's reports are all fact-missing claims), then PoW. */
const rRank = (r: MReport): Rank => ({ p: r.dispute ? 0 : 1, s: r.d, id: r.id });

type Op =
  | { t: 'oracle'; k: number; d: number; seq: number; tags: string[] }
  | { t: 'bid'; k: number; amount: number }
  | { t: 'cap'; k: number; c: number; d: number; seq: number; words: string[]; tags: string[] }
  | { t: 'report'; k: number; r: number; d: number; seq: number }
  | { t: 'dispute'; k: number; r: number };

/**
 * A resubmission of something the model holds (picked by index), with seqNo and PoW moved by
 * `ds` and `dd` and, for ads, the same or other signed content. Random ops seldom hit a stored
 * entry at the same seqNo with the same content, so this reaches every replacement verdict.
 */
type Again = { t: 'again'; kind: 'oracle' | 'cap' | 'report' | 'dispute'; pick: number; ds: number; dd: number; same: boolean };

/** `xs` (a subsequence of `all`) with `x` toggled, order kept: always a different list. */
const toggled = (all: readonly string[], xs: readonly string[], x: string): string[] => all.filter((y) => (y === x ? !xs.includes(y) : xs.includes(y)));

/** Turn a generated op into a concrete one against the model's current state (null: nothing to resubmit). */
function resolve(g: Op | Again, model: Model): Op | null {
  if (g.t !== 'again') return g;
  const ks = Array.from({ length: ORACLES }, (_, k) => k).filter((k) => model.oracles.has(oracleKey(k)));
  const move = (ex: { seq: number; d: number }): { seq: number; d: number } => ({ seq: Math.max(0, ex.seq + g.ds), d: Math.min(6, Math.max(0, ex.d + g.dd)) });
  const pickOf = <T>(xs: T[]): T | undefined => xs[g.pick % Math.max(1, xs.length)];
  switch (g.kind) {
    case 'oracle': {
      const k = pickOf(ks);
      if (k === undefined) return null;
      const ex = model.oracles.get(oracleKey(k)) as MOracle;
      return { t: 'oracle', k, ...move(ex), tags: g.same ? ex.tags : toggled(TAGS, ex.tags, 't3') };
    }
    case 'cap': {
      const found = ks.flatMap((k) => Array.from({ length: CAP_KEYS }, (_, c) => [k, c] as const).filter(([, c]) => model.oracles.get(oracleKey(k))?.caps.has(capKey(c))));
      const kc = pickOf(found);
      if (kc === undefined) return null;
      const ex = model.oracles.get(oracleKey(kc[0]))?.caps.get(capKey(kc[1])) as MCap;
      const words = g.same ? ex.words : ex.words.length === 1 && ex.words[0] === 'match' ? ['who'] : toggled(VOCAB, ex.words, 'match');
      return { t: 'cap', k: kc[0], c: kc[1], ...move(ex), words, tags: ex.tags };
    }
    case 'report':
    case 'dispute': {
      const found = ks.flatMap((k) => Array.from({ length: REPORT_IDS }, (_, r) => [k, r] as const).filter(([, r]) => model.oracles.get(oracleKey(k))?.reports.has(repId(k, r))));
      const kr = pickOf(found);
      if (kr === undefined) return null;
      if (g.kind === 'dispute') return { t: 'dispute', k: kr[0], r: kr[1] };
      const ex = model.oracles.get(oracleKey(kr[0]))?.reports.get(repId(kr[0], kr[1])) as MReport;
      return { t: 'report', k: kr[0], r: kr[1], ...move(ex) };
    }
  }
}

const oracleKey = (k: number): string => fakePubKey(k + 1);
const capKey = (c: number): string => fakePubKey(1000 + c);
const repId = (k: number, r: number): string => sha256Hex(`report:${k}:${r}`);
const dispId = (id: string): string => sha256Hex(`dispute:${id}`);

/** What the model expects of one operation. */
type Expect = { status: 'accepted'; replaced: boolean; evicted: EvictedEvent[] } | { status: 'duplicate' } | { status: 'out-of-shard' } | { status: 'rejected'; reason: string } | { status: 'bid'; found: boolean };

class Model {
  readonly oracles = new Map<string, MOracle>();
  /** Why the last resubmission of a stored entry replaced it or not (null for a new entry), for coverage tallies. */
  lastVerdict: string | null = null;
  constructor(readonly opts: MempoolOptions) {}

  apply(op: Op): Expect {
    this.lastVerdict = null;
    switch (op.t) {
      case 'oracle':
        return this.oracle(op);
      case 'bid': {
        const o = this.oracles.get(oracleKey(op.k));
        if (o) o.bid = op.amount;
        return { status: 'bid', found: !!o };
      }
      case 'cap':
        return this.cap(op);
      case 'report':
        return this.report(op);
      case 'dispute': {
        const r = this.oracles.get(oracleKey(op.k))?.reports.get(repId(op.k, op.r));
        if (!r) return { status: 'rejected', reason: 'report-not-found' };
        if (r.dispute) return { status: 'duplicate' };
        r.dispute = dispId(r.id);
        return { status: 'accepted', replaced: false, evicted: [] };
      }
    }
  }

  private oracle(op: Extract<Op, { t: 'oracle' }>): Expect {
    const pubkey = oracleKey(op.k);
    const ex = this.oracles.get(pubkey);
    if (ex) {
      const v = adVerdict(op.seq, op.d, sameList(op.tags, ex.tags), ex, () => sigHash(fakeOracle(pubkey, op.d, { seqNo: op.seq, tags: op.tags })) > sigHash(fakeOracle(pubkey, ex.d, { seqNo: ex.seq, tags: ex.tags })));
      this.lastVerdict = v;
      if (!AD_REPLACES.has(v)) return { status: 'duplicate' };
      Object.assign(ex, { d: op.d, seq: op.seq, tags: op.tags });
      return { status: 'accepted', replaced: true, evicted: [] };
    }
    const evicted: EvictedEvent[] = [];
    if (this.oracles.size >= this.opts.maxOracles) {
      const low = lowestOf(this.oracles.values(), oRank) as MOracle;
      if (!beats({ p: 0, s: op.d, id: pubkey }, oRank(low))) return { status: 'rejected', reason: 'rank-too-low' };
      for (const c of low.caps.values()) evicted.push({ kind: 'capability', id: c.key, oraclePubKey: low.pubkey, cause: 'oracle-evicted' });
      for (const r of low.reports.values()) {
        if (r.dispute) evicted.push({ kind: 'dispute', id: r.dispute, oraclePubKey: low.pubkey, cause: 'oracle-evicted' });
        evicted.push({ kind: 'report', id: r.id, oraclePubKey: low.pubkey, cause: 'oracle-evicted' });
      }
      evicted.push({ kind: 'oracle', id: low.pubkey, oraclePubKey: low.pubkey, cause: 'rank' });
      this.oracles.delete(low.pubkey);
    }
    this.oracles.set(pubkey, { pubkey, d: op.d, bid: 0, seq: op.seq, tags: op.tags, caps: new Map(), reports: new Map() });
    return { status: 'accepted', replaced: false, evicted };
  }

  private cap(op: Extract<Op, { t: 'cap' }>): Expect {
    const o = this.oracles.get(oracleKey(op.k));
    if (!o) return { status: 'rejected', reason: 'unknown-oracle' };
    const key = capKey(op.c);
    const ex = o.caps.get(key);
    if (ex) {
      const cap = (x: { d: number; seq: number; words: string[]; tags: string[] }): OracleCapability => fakeCapability(o.pubkey, key, x.d, { seqNo: x.seq, question: x.words.join(' '), tags: x.tags });
      const v = adVerdict(op.seq, op.d, sameList(op.words, ex.words) && sameList(op.tags, ex.tags), ex, () => sigHash(cap(op)) > sigHash(cap(ex)));
      this.lastVerdict = v;
      if (!AD_REPLACES.has(v)) return { status: 'duplicate' };
      Object.assign(ex, { d: op.d, seq: op.seq, words: op.words, tags: op.tags });
      return { status: 'accepted', replaced: true, evicted: [] };
    }
    const evicted: EvictedEvent[] = [];
    if (o.caps.size >= this.opts.maxCapabilities) {
      const low = lowestOf(o.caps.values(), cRank) as MCap;
      if (!beats({ p: op.d, s: 0, id: key }, cRank(low))) return { status: 'rejected', reason: 'rank-too-low' };
      o.caps.delete(low.key);
      evicted.push({ kind: 'capability', id: low.key, oraclePubKey: o.pubkey, cause: 'rank' });
    }
    o.caps.set(key, { key, d: op.d, seq: op.seq, words: op.words, tags: op.tags });
    return { status: 'accepted', replaced: false, evicted };
  }

  private report(op: Extract<Op, { t: 'report' }>): Expect {
    const o = this.oracles.get(oracleKey(op.k));
    if (!o) return { status: 'rejected', reason: 'unknown-oracle' };
    const id = repId(op.k, op.r);
    const ex = o.reports.get(id);
    if (ex) {
      const v = reportVerdict(op.seq, op.d, ex);
      this.lastVerdict = v;
      if (!REPORT_REPLACES.has(v)) return { status: 'duplicate' };
      Object.assign(ex, { d: op.d, seq: op.seq });
      return { status: 'accepted', replaced: true, evicted: [] };
    }
    if (!modelInShard(id, this.opts.shard)) return { status: 'out-of-shard' };
    const evicted: EvictedEvent[] = [];
    if (o.reports.size >= this.opts.maxReports) {
      const low = lowestOf(o.reports.values(), rRank) as MReport;
      if (!beats({ p: 1, s: op.d, id }, rRank(low))) return { status: 'rejected', reason: 'rank-too-low' };
      o.reports.delete(low.id);
      if (low.dispute) evicted.push({ kind: 'dispute', id: low.dispute, oraclePubKey: o.pubkey, cause: 'rank' });
      evicted.push({ kind: 'report', id: low.id, oraclePubKey: o.pubkey, cause: 'rank' });
    }
    o.reports.set(id, { id, d: op.d, seq: op.seq, dispute: null });
    return { status: 'accepted', replaced: false, evicted };
  }

  counts(): { oracles: number; capabilities: number; reports: number; disputes: number } {
    let capabilities = 0;
    let reports = 0;
    let disputes = 0;
    for (const o of this.oracles.values()) {
      capabilities += o.caps.size;
      reports += o.reports.size;
      for (const r of o.reports.values()) if (r.dispute) disputes++;
    }
    return { oracles: this.oracles.size, capabilities, reports, disputes };
  }
}

/** Independent shard rule: big-endian bytes folded mod count. */
function modelInShard(idHex: string, shard: { count: number; index: number }): boolean {
  let rem = 0;
  for (let i = 0; i < idHex.length; i += 2) rem = (rem * 256 + parseInt(idHex.slice(i, i + 2), 16)) % shard.count;
  return rem === shard.index;
}

// ---- driving the real mempool ------------------------------------------------------------------

function run(m: Mempool, op: Op): AddResult | { status: 'bid'; found: boolean } {
  switch (op.t) {
    case 'oracle':
      return m.addOracle(fakeOracle(oracleKey(op.k), op.d, { seqNo: op.seq, tags: op.tags }));
    case 'bid':
      return { status: 'bid', found: m.setVerifiedBid(oracleKey(op.k), op.amount) };
    case 'cap':
      return m.addCapability(fakeCapability(oracleKey(op.k), capKey(op.c), op.d, { seqNo: op.seq, question: op.words.join(' '), tags: op.tags }));
    case 'report':
      // Content tagged by report id, as a real report's id is its content's hash: two reports never share a version.
      return m.addReport(fakeReport(oracleKey(op.k), op.d, { seqNo: op.seq, tag: `${op.k}:${op.r}` }), repId(op.k, op.r));
    case 'dispute': {
      const id = repId(op.k, op.r);
      return m.addDispute(fakeDispute(id, oracleKey(op.k)), dispId(id));
    }
  }
}

const evKey = (e: EvictedEvent): string => `${e.kind}|${e.id}|${e.oraclePubKey}|${e.cause}`;
const sortedKeys = (es: EvictedEvent[]): string[] => es.map(evKey).sort();

/** Compare one outcome with the model's expectation. */
function checkOutcome(op: Op, got: ReturnType<typeof run>, want: Expect, events: EvictedEvent[], acceptedEvents: number): void {
  const ctx = JSON.stringify(op);
  if (want.status === 'rejected') {
    assert.equal(got.status, 'rejected', ctx);
    assert.equal(got.status === 'rejected' && got.reason, want.reason, ctx);
  } else if (want.status === 'accepted') {
    assert.equal(got.status, 'accepted', ctx);
    if (got.status !== 'accepted') return;
    assert.equal(got.replaced, want.replaced, ctx);
    assert.deepEqual(sortedKeys(got.evicted), sortedKeys(want.evicted), ctx);
    // the entry that is evicted for rank comes last (its dependants first)
    if (want.evicted.length > 0) assert.deepEqual(got.evicted.at(-1), want.evicted.at(-1), ctx);
    assert.deepEqual(events, got.evicted, ctx);
  } else {
    assert.deepEqual(got, want, ctx);
  }
  assert.equal(acceptedEvents, want.status === 'accepted' ? 1 : 0, ctx);
  if (want.status !== 'accepted') assert.deepEqual(events, [], ctx);
}

/** Counts, limits, rank order and every index agree with the model. */
function checkState(m: Mempool, model: Model): void {
  const counts = m.counts();
  assert.deepEqual(counts, model.counts());
  assert.ok(counts.oracles <= model.opts.maxOracles, `expected counts.oracles <= model.opts.maxOracles, got counts.oracles = ${counts.oracles}, model.opts.maxOracles = ${model.opts.maxOracles}`);

  const oracles = m.listOracles(ALL);
  const wantOrder = [...model.oracles.values()].sort((a, b) => cmp(oRank(b), oRank(a))).map((o) => o.pubkey);
  assert.deepEqual(oracles.map((o) => o.msg.pubkey), wantOrder);

  let caps = 0;
  let reports = 0;
  let disputes = 0;
  for (const o of oracles) {
    const mo = model.oracles.get(o.msg.pubkey) as MOracle;
    assert.equal(o.verifiedBid, mo.bid);
    // the stored version is the one the model kept
    assert.deepEqual([o.msg.seqNo, o.msg.pow.difficulty, o.msg.tags], [mo.seq, mo.d, mo.tags]);
    const cs = m.listCapabilities(ALL, { pubkey: o.msg.pubkey });
    assert.ok(cs.length <= model.opts.maxCapabilities, `expected cs.length <= model.opts.maxCapabilities, got cs.length = ${cs.length}, model.opts.maxCapabilities = ${model.opts.maxCapabilities}`);
    assert.deepEqual(cs.map((c) => c.msg.capabilityPubKey), [...mo.caps.values()].sort((a, b) => cmp(cRank(b), cRank(a))).map((c) => c.key));
    for (const c of cs) {
      const mc = mo.caps.get(c.msg.capabilityPubKey) as MCap;
      assert.deepEqual([c.msg.seqNo, c.msg.pow.difficulty, c.msg.question, c.msg.tags], [mc.seq, mc.d, mc.words.join(' '), mc.tags]);
    }
    const rs = m.listReports(o.msg.pubkey, ALL);
    assert.ok(rs.length <= model.opts.maxReports, `expected rs.length <= model.opts.maxReports, got rs.length = ${rs.length}, model.opts.maxReports = ${model.opts.maxReports}`);
    assert.deepEqual(rs.map((r) => [r.id, r.dispute?.id ?? null]), [...mo.reports.values()].sort((a, b) => cmp(rRank(b), rRank(a))).map((r) => [r.id, r.dispute]));
    for (const r of rs) {
      assert.equal(m.getReport(r.id), r);
      const mr = mo.reports.get(r.id) as MReport;
      assert.deepEqual([r.msg.seqNo, r.msg.pow.difficulty], [mr.seq, mr.d]);
    }
    caps += cs.length;
    reports += rs.length;
    disputes += rs.filter((r) => r.dispute !== null).length;
  }
  assert.deepEqual({ oracles: oracles.length, capabilities: caps, reports, disputes }, counts);

  // The short-version-id index holds exactly the stored versions: each resolves to its own item,
  // and there is nothing else in it (no replaced or removed version, which getdata would serve).
  const inventory = [...m.inventory()];
  assert.equal(m.indexedVersions, inventory.length);
  for (const e of inventory) {
    const hit = m.getByShortId(e.version);
    assert.deepEqual(hit && [hit.kind, hit.id, hit.version, hit.cTTL], [e.kind, e.id, e.version, e.cTTL]);
    assert.equal(hit?.msg, e.msg);
  }

  // Word and tag indexes hold exactly the stored entries (nothing stale, nothing missing), in rank
  // order: oracles by oracle rank, capabilities by (PoW, capability key, oracle key); pages agree.
  const capId = (o: string, c: string): string => `${o}/${c}`;
  const allCaps = [...model.oracles.values()].flatMap((o) => [...o.caps.values()].map((c) => ({ o, c })));
  const capOrder = (a: { o: MOracle; c: MCap }, b: { o: MOracle; c: MCap }): number =>
    b.c.d - a.c.d || (a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : a.o.pubkey < b.o.pubkey ? -1 : a.o.pubkey > b.o.pubkey ? 1 : 0);
  const gotCaps = (f: { question?: string; tag?: string }, page = ALL): string[] => m.listCapabilities(page, f).map((c) => capId(c.msg.oraclePubKey, c.msg.capabilityPubKey));
  const gotOracles = (f: { question?: string; tag?: string }, page = ALL): string[] => m.listOracles(page, f).map((o) => o.msg.pubkey);
  const hasTag = (o: MOracle, t: string): boolean => o.tags.includes(t) || [...o.caps.values()].some((c) => c.tags.includes(t));
  const queries: { question?: string; tag?: string; words: string[] }[] = [
    ...VOCAB.map((w) => ({ question: w, words: [w] })),
    { question: 'who won', words: ['who', 'won'] },
    { question: 'price btc rain', words: ['price', 'btc', 'rain'] },
    ...TAGS.map((tag) => ({ tag, words: [] })),
    { question: 'match', tag: 't1', words: ['match'] },
    { question: 'who price', tag: 't2', words: ['who', 'price'] },
  ];
  for (const q of queries) {
    const f = { question: q.question, tag: q.tag };
    const capOk = (c: MCap): boolean => q.words.every((w) => c.words.includes(w)) && (q.tag === undefined || c.tags.includes(q.tag));
    const wantCaps = allCaps.filter(({ c }) => capOk(c)).sort(capOrder).map(({ o, c }) => capId(o.pubkey, c.key));
    assert.deepEqual(gotCaps(f), wantCaps, `capabilities ${JSON.stringify(f)}`);
    const oracleOk = (o: MOracle): boolean =>
      (q.question === undefined || [...o.caps.values()].some((c) => q.words.every((w) => c.words.includes(w)))) && (q.tag === undefined || hasTag(o, q.tag));
    const wantOracles = wantOrder.filter((k) => oracleOk(model.oracles.get(k) as MOracle));
    assert.deepEqual(gotOracles(f), wantOracles, `oracles ${JSON.stringify(f)}`);
    for (const page of [0, 1, 2]) {
      assert.deepEqual(gotOracles(f, { page, chunkSize: 2 }), wantOracles.slice(page * 2, page * 2 + 2), `oracle page ${page} ${JSON.stringify(f)}`);
      assert.deepEqual(gotCaps(f, { page, chunkSize: 2 }), wantCaps.slice(page * 2, page * 2 + 2), `capability page ${page} ${JSON.stringify(f)}`);
    }
  }
}

// ---- generators --------------------------------------------------------------------------------

const ORACLES = 7;
const CAP_KEYS = 5;
const REPORT_IDS = 4;
const diff = fc.integer({ min: 0, max: 6 });
const tagsArb = fc.subarray([...TAGS]);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('oracle' as const), k: fc.nat(ORACLES - 1), d: diff, seq: fc.nat(3), tags: tagsArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('bid' as const), k: fc.nat(ORACLES - 1), amount: fc.nat(2) }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('cap' as const), k: fc.nat(ORACLES - 1), c: fc.nat(CAP_KEYS - 1), d: diff, seq: fc.nat(2), words: fc.subarray([...VOCAB], { minLength: 1 }), tags: tagsArb }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('report' as const), k: fc.nat(ORACLES - 1), r: fc.nat(REPORT_IDS - 1), d: diff, seq: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('dispute' as const), k: fc.nat(ORACLES - 1), r: fc.nat(REPORT_IDS - 1) }) },
);
const againArb: fc.Arbitrary<Again> = fc.record({
  t: fc.constant('again' as const),
  kind: fc.constantFrom('oracle' as const, 'cap' as const, 'report' as const, 'dispute' as const),
  pick: fc.nat(),
  ds: fc.integer({ min: -1, max: 1 }),
  dd: fc.integer({ min: -2, max: 2 }),
  same: fc.boolean(),
});
const genOpArb: fc.Arbitrary<Op | Again> = fc.oneof({ weight: 5, arbitrary: opArb }, { weight: 2, arbitrary: againArb });
const optionsArb: fc.Arbitrary<MempoolOptions> = fc
  .record({ maxOracles: fc.integer({ min: 1, max: 5 }), maxCapabilities: fc.integer({ min: 1, max: 3 }), maxReports: fc.integer({ min: 1, max: 3 }), count: fc.integer({ min: 1, max: 3 }), pick: fc.nat() })
  .map(({ count, pick, ...rest }) => ({ ...rest, shard: { count, index: pick % count } }));

describe('Mempool properties (model-based, fast-check)', () => {
  it('matches a reference model: outcomes, lowest-first evictions, limits, counts and indexes', () => {
    // Tally what the runs exercised, so the property cannot pass vacuously.
    const seen = new Map<string, number>();
    const tally = (k: string): void => void seen.set(k, (seen.get(k) ?? 0) + 1);
    fc.assert(
      fc.property(optionsArb, fc.array(genOpArb, { minLength: 1, maxLength: 80, size: 'max' }), (opts, ops) => {
        const { mempool } = newMempoolForTest(opts);
        const model = new Model(opts);
        let events: EvictedEvent[] = [];
        let accepted = 0;
        mempool.on('mempool:evicted', (e) => events.push(e));
        mempool.on('mempool:accepted', () => accepted++);
        for (const g of ops) {
          const op = resolve(g, model);
          if (op === null) continue;
          events = [];
          accepted = 0;
          const want = model.apply(op);
          const got = run(mempool, op);
          checkOutcome(op, got, want, events, accepted);
          checkState(mempool, model);
          tally(`${op.t}:${got.status === 'rejected' ? got.reason : got.status}`);
          if (model.lastVerdict !== null) tally(`${op.t}:${model.lastVerdict}`);
          if (got.status === 'accepted') for (const e of got.evicted) tally(`evicted:${e.kind}:${e.cause}`);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
    for (const k of [
      'oracle:accepted', 'oracle:duplicate', 'oracle:rank-too-low', 'bid:bid',
      'cap:accepted', 'cap:duplicate', 'cap:rank-too-low', 'cap:unknown-oracle',
      'report:accepted', 'report:duplicate', 'report:rank-too-low', 'report:out-of-shard', 'report:unknown-oracle',
      'dispute:accepted', 'dispute:duplicate', 'dispute:report-not-found',
      // every replacement verdict, for ads and reports
      'oracle:seq-up', 'oracle:pow-upgrade', 'oracle:seq-down', 'oracle:same-seq-no-more-pow', 'oracle:same-seq-fork-wins', 'oracle:same-seq-fork-loses',
      'cap:seq-up', 'cap:pow-upgrade', 'cap:seq-down', 'cap:same-seq-no-more-pow', 'cap:same-seq-fork-wins', 'cap:same-seq-fork-loses',
      'report:seq-up', 'report:pow-up', 'report:both-up', 'report:downgrade', 'report:seq-down', 'report:no-gain',
      'evicted:oracle:rank', 'evicted:capability:rank', 'evicted:report:rank',
      'evicted:capability:oracle-evicted', 'evicted:report:oracle-evicted', 'evicted:dispute:oracle-evicted',
    ]) {
      assert.ok((seen.get(k) ?? 0) >= 5, `too few ${k}: ${seen.get(k) ?? 0}`);
    }
    // rarer (a disputed report must be the lowest of a full set); reports.test.ts pins the event itself
    assert.equal((seen.get('evicted:dispute:rank') ?? 0) >= 1, true, 'no rank eviction of a disputed report');
  });

  it('every evicted oracle was the lowest-ranked at the time and the newcomer strictly outranked it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.oneof(fc.record({ k: fc.nat(19), d: diff }), fc.record({ k: fc.nat(19), bid: fc.nat(2) })), { maxLength: 60, size: 'max' }),
        (maxOracles, ops) => {
          const { mempool } = newMempoolForTest({ maxOracles });
          for (const op of ops) {
            if ('bid' in op) {
              mempool.setVerifiedBid(oracleKey(op.k), op.bid);
              continue;
            }
            const before = mempool.listOracles(ALL).map((o) => ({ p: o.verifiedBid, s: o.msg.pow.difficulty, id: o.msg.pubkey }));
            const r = mempool.addOracle(fakeOracle(oracleKey(op.k), op.d, { seqNo: 0 }));
            assert.ok(mempool.counts().oracles <= maxOracles, `expected mempool.counts().oracles <= maxOracles, got maxOracles = ${maxOracles}`);
            if (r.status !== 'accepted') continue;
            const gone = r.evicted.filter((e) => e.kind === 'oracle');
            if (gone.length === 0) {
              assert.ok(before.length < maxOracles || before.some((b) => b.id === oracleKey(op.k)), 'expected before.length < maxOracles || before.some((b) => b.id === oracleKey(op.k))');
              continue;
            }
            assert.equal(gone.length, 1);
            const lowest = before.at(-1) as Rank;
            assert.equal(gone[0]?.id, lowest.id);
            for (const b of before) assert.ok(cmp(lowest, b) <= 0, 'expected cmp(lowest, b) <= 0');
            assert.equal(beats({ p: 0, s: op.d, id: '' }, lowest), true, "expected beats({ p: 0, s: op.d, id: '' }, lowest) to be true");
          }
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('the model shard rule agrees with isInShard on random 256-bit ids', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), fc.nat(), (bytes, count, pick) => {
        const id = Buffer.from(bytes).toString('hex');
        const shard = { count, index: pick % count };
        assert.equal(isInShard(id, shard), modelInShard(id, shard));
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('RankedSet properties (fast-check)', () => {
  it('lowest(), has() and descending() agree with a sorted array under random add/delete, in array and tree mode', () => {
    type SOp = { del: boolean; p: number; id: number };
    // up to 120 distinct entries, so sets cross SMALL_SET_MAX (32) both ways
    const sop: fc.Arbitrary<SOp> = fc.record({ del: fc.boolean(), p: fc.nat(5), id: fc.nat(20) });
    fc.assert(
      fc.property(fc.array(sop, { maxLength: 300, size: 'max' }), fc.nat(40), fc.integer({ min: 1, max: 40 }), (ops, offset, limit) => {
        const set = new RankedSet<Rank>(cmp);
        const ref = new Map<string, Rank>();
        for (const op of ops) {
          const x: Rank = { p: op.p, s: 0, id: `id${String(op.id).padStart(2, '0')}` };
          const key = `${x.p}/${x.id}`;
          if (op.del) {
            assert.equal(set.delete(x), ref.has(key));
            ref.delete(key);
          } else {
            assert.equal(set.add(x), !ref.has(key));
            if (!ref.has(key)) ref.set(key, x); // an equal entry already present is kept

          }
          assert.equal(set.size, ref.size);
          assert.equal(set.has(x), !op.del);
          const desc = [...ref.values()].sort((a, b) => cmp(b, a));
          assert.equal(set.lowest(), desc.at(-1));
        }
        const desc = [...ref.values()].sort((a, b) => cmp(b, a));
        assert.deepEqual([...set.descending()], desc);
        assert.deepEqual([...set.descending(offset, limit)], desc.slice(offset, offset + limit));
        assert.deepEqual([...set.values()], [...desc].reverse());
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
