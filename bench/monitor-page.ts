/**
 * bench/monitor-page.ts - cost of one page of the monitoring page's oracle list (GET /monitor/oracles,
 * api/oracle-page.ts) with N stored oracles, first, middle and last page, unfiltered and by tag,
 * against a same-run baseline: the batch-by-batch walk GET /oracles uses (listings.ts
 * standingOrderedPage over service.listOracles pages), whose deep pages cost depth²/batch.
 * `monitorOraclesQuietNode`: the same with the prefix kept between requests (what Monitoring does
 * while nothing changes). In-process (the handler's work only, no HTTP). Standalone: `node --import tsx bench/monitor-page.ts [--quick] [--oracles=N]`.
 */
import { Mempool } from '../src/mempool/mempool.ts';
import { emptyPrefix, oraclePage, prefixFetch } from '../src/api/oracle-page.ts';
import { standingOrderedPage } from '../src/api/listings.ts';
import { fakePow } from '../test/helpers/factory.ts';
import type { OracleCapability, OracleId, Verified } from '../src/protocol/types.ts';
import type { StoredOracle } from '../src/service/service.ts';
import { flag, QUICK, r, writeResult } from './lib/measure.ts';

const N = flag('oracles', 20_000);
const REPS = QUICK ? 20 : 100;
const CHUNK = 10;
const TAGS = 50;

const hex = (i: number, prefix: string): string => prefix + i.toString(16).padStart(64, '0');
const mempool = new Mempool({ maxOracles: N + 1, maxCapabilities: 100, maxReports: 1000, shard: { count: 1, index: 0 } }, { now: Date.now });
for (let i = 0; i < N; i++) {
  const pubkey = hex(i, '02');
  const o: OracleId = { pubkey, seqNo: 0, cTTL: 5, pow: fakePow(i % 8), bid: { amount: 0, proof: '' }, oracleSignature: '0'.repeat(128), oracleSignatureType: 'ecdsa-secp256k1', tags: [`region-${i % TAGS}`] };
  mempool.addOracle(o as Verified<OracleId>);
  const c: OracleCapability = { oraclePubKey: pubkey, capabilityPubKey: hex(i, '03'), question: `Will sensor ${i} read high?`, seqNo: 0, cTTL: 5, oracleSignature: '0'.repeat(128), oracleSignatureType: 'ecdsa-secp256k1', pow: fakePow(0) };
  mempool.addCapability(c as Verified<OracleCapability>);
}
const service = { listOracles: (p: { page: number; chunkSize: number }, f: { question?: string; tag?: string }) => mempool.listOracles(p, f), counts: () => mempool.counts() };
const noConflicts = (): boolean => false;

/** Median and p99 in µs of `fn` over REPS runs (after a warm-up). */
function time(fn: () => unknown): { medianUs: number; p99Us: number } {
  for (let i = 0; i < 3; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const a = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - a) / 1000);
  }
  t.sort((a, b) => a - b);
  return { medianUs: r(t[Math.floor(t.length / 2)] as number, 1), p99Us: r(t[Math.min(t.length - 1, Math.floor(t.length * 0.99))] as number, 1) };
}

const lastPage = Math.ceil(N / CHUNK) - 1;
const cases: Record<string, unknown> = {};
for (const [name, page] of [
  ['first', 0],
  ['middle', Math.floor(lastPage / 2)],
  ['last', lastPage],
] as const) {
  const p = { page, chunkSize: CHUNK };
  const ours = time(() => oraclePage(service, undefined, p, {}));
  // GET /oracles' walk: 100-entry batches, each fetched from the top of the rank index.
  const baseline = time(() => standingOrderedPage((q) => service.listOracles(q, {}) as StoredOracle[], noConflicts, () => true, p, false));
  // GET /oracles as the handler walks now: one doubling prefix per request (api/handlers.ts).
  const getOracles = time(() => standingOrderedPage(prefixFetch((q) => service.listOracles(q, {}) as StoredOracle[]), noConflicts, () => true, p, false));
  // A quiet node: Monitoring keeps the walked prefix between requests until something changes.
  const shared = emptyPrefix<StoredOracle>();
  const quiet = time(() => oraclePage(service, undefined, p, {}, shared));
  cases[`unfiltered-${name}`] = { page, monitorOracles: ours, monitorOraclesQuietNode: quiet, getOraclesWalk: baseline, getOraclesPrefixWalk: getOracles, speedup: r(baseline.medianUs / ours.medianUs, 1) };
}
const tagLast = Math.ceil(N / TAGS / CHUNK) - 1;
cases[`tag-last`] = { page: tagLast, matches: N / TAGS, monitorOracles: time(() => oraclePage(service, undefined, { page: tagLast, chunkSize: CHUNK }, { tag: 'region-7' })) };
writeResult('monitor-page', { oracles: N, chunkSize: CHUNK, reps: REPS, cases });
