// test/unit/mempool/offer-collateral.test.ts - CollateralIndex.page (src/mempool/offer-collateral.ts): the bounded top-k selection over a collateral range equals filter + full sort + slice for every range, page and filter, including ties in collateral and deep pages, and gives up (undefined) exactly when the range holds more than cap entries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CollateralIndex } from '../../../src/mempool/offer-collateral.ts';

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

const byCollateral = (a: E, b: E): number => a.msg.content.takerCollateral - b.msg.content.takerCollateral || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** Listing order: higher rank first, then the smaller id (a total order, as OfferStore's). */
const order = (a: E, b: E): number => b.rank - a.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('CollateralIndex.page', () => {
  const next = rng(21);
  const all: E[] = Array.from({ length: 2000 }, (_, i) => ({ id: `id${String(next() % 1_000_000).padStart(6, '0')}-${i}`, rank: next() % 5, msg: { content: { takerCollateral: 1000 + (next() % 300) * 10 } } }));
  const idx = new CollateralIndex<E>(byCollateral);
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

  it('answers undefined exactly when more than cap entries are in range, whatever the filter keeps', () => {
    const n = inRange(1500, 1590).length;
    assert.ok(n > 20, `expected the test range to hold more than 20 entries (holds ${n})`);
    assert.ok(idx.page(1500, 1590, n, () => true, order, 0, 10) !== undefined, `expected an answer with cap = ${n} = entries in range`);
    assert.equal(idx.page(1500, 1590, n - 1, () => false, order, 0, 10), undefined, `expected undefined with cap = ${n - 1} < ${n} entries in range`);
  });

  it('follows deletions', () => {
    const local = new CollateralIndex<E>(byCollateral);
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
