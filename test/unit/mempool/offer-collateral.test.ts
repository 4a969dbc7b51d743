// test/unit/mempool/offer-collateral.test.ts - CollateralIndex.page (src/mempool/offer-collateral.ts): the merge of per-value runs and the bounded top-k selection over a collateral range both equal filter + full sort + slice for every range, page and filter, including ties in collateral and deep pages; a merge visits only the page's depth; the index gives up (undefined) exactly when the range spans more values than a merge takes and holds more than cap entries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CollateralIndex, MERGE_MAX_VALUES } from '../../../src/mempool/offer-collateral.ts';

interface E {
  id: string;
  rank: number;
  msg: { content: { takerCollateral: number } };
}

/** Deterministic pseudo-random integers (LCG), so a failure is reproducible. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

/** Listing order: higher rank first, then the smaller id (a total order, as OfferStore's). */
const order = (a: E, b: E): number => b.rank - a.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** The index's order: collateral, then listing order. */
const byCollateral = (a: E, b: E): number => a.msg.content.takerCollateral - b.msg.content.takerCollateral || order(a, b);
/** Before every entry of collateral c in byCollateral. */
const probe = (c: number): E => ({ id: '', rank: Number.POSITIVE_INFINITY, msg: { content: { takerCollateral: c } } });

describe('CollateralIndex.page', () => {
  const next = rng(21);
  const all: E[] = Array.from({ length: 2000 }, (_, i) => ({ id: `id${String(next() % 1_000_000).padStart(6, '0')}-${i}`, rank: next() % 5, msg: { content: { takerCollateral: 1000 + (next() % 300) * 10 } } }));
  const idx = new CollateralIndex<E>(byCollateral, probe);
  for (const e of all) idx.add(e);
  const inRange = (min: number, max: number): E[] => all.filter((e) => e.msg.content.takerCollateral >= min && e.msg.content.takerCollateral <= max);

  it('equals filter + sort + slice for ranges, pages and a filter', () => {
    const matches: [string, (e: E) => boolean][] = [['all', () => true], ['even rank', (e) => e.rank % 2 === 0], ['none', () => false]];
    for (const [min, max] of [[1000, 1000], [1500, 1590], [1000, 3990], [2990, 5000], [0, 999]] as const) {
      for (const [name, match] of matches) {
        for (const [skip, limit] of [[0, 10], [10, 10], [0, 1], [37, 25], [0, 5000], [900, 10], [0, 0]] as const) {
          const got = idx.page(min, max, 10_000, match, order, skip, limit);
          const want = inRange(min, max).filter(match).sort(order).slice(skip, skip + limit);
          assert.deepEqual(got?.map((e) => e.id), want.map((e) => e.id), `expected page skip=${skip} limit=${limit} of [${min}, ${max}] (${name}) to equal the sorted reference`);
        }
      }
    }
  });

  it('answers undefined exactly when the range spans more values than a merge takes and holds more than cap entries, whatever the filter keeps', () => {
    // [1500, 1900]: 41 values (> MERGE_MAX_VALUES).
    const n = inRange(1500, 1900).length;
    assert.ok(MERGE_MAX_VALUES < 41 && n > 100, `expected the test range to span more than ${MERGE_MAX_VALUES} values and hold more than 100 entries (holds ${n})`);
    assert.equal(idx.plan(1500, 1900, n), 'select', `expected a selection with cap = ${n} = entries in range`);
    assert.ok(idx.page(1500, 1900, n, () => true, order, 0, 10) !== undefined, `expected an answer with cap = ${n} = entries in range`);
    assert.equal(idx.plan(1500, 1900, n - 1), 'wide', `expected 'wide' with cap = ${n - 1} < ${n} entries in range`);
    assert.equal(idx.page(1500, 1900, n - 1, () => false, order, 0, 10), undefined, `expected undefined with cap = ${n - 1} < ${n} entries in range`);
    // [1500, 1810]: 32 values: merged whatever the cap.
    assert.equal(idx.plan(1500, 1810, 1), 'merge', `expected a merge of ${MERGE_MAX_VALUES} values even with cap 1`);
    assert.equal(idx.plan(1500, 1820, 1), 'wide', `expected 'wide' past ${MERGE_MAX_VALUES} values with cap 1`);
  });

  it('reads a page of a range over few values (merge) visiting only the page depth, not the whole range', () => {
    const local = new CollateralIndex<E>(byCollateral, probe);
    const r = rng(7);
    const many: E[] = Array.from({ length: 6000 }, (_, i) => ({ id: `m${String(r() % 1_000_000).padStart(6, '0')}-${i}`, rank: r() % 4, msg: { content: { takerCollateral: 100 * (1 + (i % 3)) } } }));
    for (const e of many) local.add(e);
    for (const [min, max] of [[100, 100], [100, 300], [150, 250], [200, 1e9], [0, 99]] as const) {
      const range = many.filter((e) => e.msg.content.takerCollateral >= min && e.msg.content.takerCollateral <= max).sort(order);
      // Pages at the boundaries: first, one past a boundary of 10, across one of 7, the last (partial) page, past the end.
      const last = Math.max(0, Math.floor((range.length - 1) / 10) * 10);
      for (const [skip, limit] of [[0, 10], [10, 10], [7, 7], [1999, 2], [last, 10], [range.length, 10], [range.length + 5, 3], [0, 1]] as const) {
        let visited = 0;
        const got = local.page(min, max, 1, () => (visited++, true), order, skip, limit);
        const want = range.slice(skip, skip + limit);
        assert.deepEqual(got?.map((e) => e.id), want.map((e) => e.id), `[${min}, ${max}] skip ${skip} limit ${limit}: expected the merged page to equal the sorted reference`);
        assert.ok(visited <= skip + limit, `[${min}, ${max}] skip ${skip} limit ${limit}: expected at most ${skip + limit} entries visited by the merge, visited ${visited} of ${range.length} in range`);
      }
      // With a filter: every other rank; the page holds the right entries in order.
      const even = (e: E): boolean => e.rank % 2 === 0;
      assert.deepEqual(local.page(min, max, 1, even, order, 13, 20)?.map((e) => e.id), range.filter(even).slice(13, 33).map((e) => e.id), `[${min}, ${max}]: expected the filtered merged page skip 13 limit 20`);
    }
    // Deleting the head of a run and whole runs: the merge follows.
    for (const e of many.filter((x) => x.msg.content.takerCollateral === 200)) local.delete(e);
    const first = many.filter((x) => x.msg.content.takerCollateral !== 200).sort(order)[0] as E;
    local.delete(first);
    const rest = many.filter((x) => x.msg.content.takerCollateral !== 200 && x !== first).sort(order);
    assert.deepEqual(local.page(0, 1e9, 1, () => true, order, 0, 25)?.map((e) => e.id), rest.slice(0, 25).map((e) => e.id), 'expected the merge to skip deleted runs and entries');
  });

  it('follows deletions', () => {
    const local = new CollateralIndex<E>(byCollateral, probe);
    const some = all.slice(0, 300);
    for (const e of some) local.add(e);
    for (const e of some.slice(0, 150)) local.delete(e);
    const want = some.slice(150).filter((e) => e.msg.content.takerCollateral <= 2000).sort(order).slice(0, 10);
    assert.deepEqual(local.page(0, 2000, 10_000, () => true, order, 0, 10)?.map((e) => e.id), want.map((e) => e.id), 'expected deleted entries gone from the page');
    assert.equal(local.size, 150, 'expected 150 entries left');
    // The range-size check counts per collateral value: it must follow deletions and ignore a repeated add.
    local.add(some[200] as E);
    assert.ok(local.page(0, 1e9, 150, () => true, order, 0, 10) !== undefined, 'expected an answer with cap = 150 = entries left (a repeated add must not count twice)');
    assert.equal(local.page(0, 1e9, 149, () => true, order, 0, 10), undefined, 'expected undefined with cap = 149 < 150 entries left');
    for (const e of some.slice(150)) local.delete(e);
    assert.deepEqual(local.page(0, 1e9, 0, () => true, order, 0, 10), [], 'expected an empty index to answer an empty page even with cap 0');
  });
});
