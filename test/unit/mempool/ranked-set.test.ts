// test/unit/mempool/ranked-set.test.ts - unit tests of RankedSet (array and B+ tree modes), the rank orders and outranks (src/mempool/ranked-set.ts, stored.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_VIEW, RankedSet, SMALL_SET_MAX } from '../../../src/mempool/ranked-set.ts';
import { compareOracles, compareReports, outranks } from '../../../src/mempool/stored.ts';
import type { StoredOracle, StoredReport } from '../../../src/mempool/types.ts';

interface R {
  p: number;
  id: string;
}
/** Ascending by p; equal p: the larger id is lower (the mempool's tie-break). */
const cmp = (a: R, b: R): number => a.p - b.p || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const r = (p: number, id: string): R => ({ p, id });
const ids = (xs: Iterable<R>): string[] => [...xs].map((x) => x.id);

describe('outranks', () => {
  it('is strict and ignores the id', () => {
    assert.equal(outranks({ primary: 0, secondary: 5 }, { primary: 0, secondary: 4 }), true, 'expected the first rank to outrank the second');
    assert.equal(outranks({ primary: 0, secondary: 5 }, { primary: 0, secondary: 5 }), false, 'expected the first rank not to outrank the second');
    assert.equal(outranks({ primary: 0, secondary: 4 }, { primary: 0, secondary: 5 }), false, 'expected the first rank not to outrank the second');
    assert.equal(outranks({ primary: 1, secondary: 0 }, { primary: 0, secondary: 200 }), true, 'expected the first rank to outrank the second');
    assert.equal(outranks({ primary: 0, secondary: 200 }, { primary: 1, secondary: 0 }), false, 'expected the first rank not to outrank the second');
  });
});

describe('rank orders', () => {
  const oracle = (bid: number, d: number, pubkey: string): StoredOracle => ({ verifiedBid: bid, msg: { pubkey, pow: { difficulty: d } } }) as unknown as StoredOracle;
  it('oracles: verified bid, then difficulty, then the larger pubkey is lower', () => {
    assert.equal(Math.sign(compareOracles(oracle(1, 0, 'a'), oracle(0, 9, 'a'))), 1);
    assert.equal(Math.sign(compareOracles(oracle(1, 2, 'a'), oracle(1, 3, 'a'))), -1);
    assert.equal(compareOracles(oracle(1, 1, 'b'), oracle(1, 1, 'a')), -1);
    assert.equal(compareOracles(oracle(1, 1, 'a'), oracle(1, 1, 'a')), 0);
  });
  it('reports: class, then difficulty, then the larger id is lower', () => {
    const rep = (d: number, id: string, type = 'fact-missing', answered = false): StoredReport =>
      ({ id, msg: { pow: { difficulty: d }, content: { type } }, dispute: answered ? {} : null }) as unknown as StoredReport;
    assert.equal(Math.sign(compareReports(rep(2, 'z'), rep(1, 'a'))), 1, 'expected more PoW to rank higher within a class');
    assert.equal(compareReports(rep(1, 'z'), rep(1, 'a')), -1, 'expected the larger id to rank lower at equal PoW');
    assert.equal(Math.sign(compareReports(rep(0, 'a', 'fact-conflict'), rep(250, 'a'))), 1, 'expected a proof to outrank a claim with far more PoW');
    assert.equal(Math.sign(compareReports(rep(250, 'a', 'fact-missing', true), rep(0, 'b'))), -1, 'expected an answered claim to rank below an open claim with less PoW');
  });
});

describe('RankedSet', () => {
  it('starts empty', () => {
    const s = new RankedSet<R>(cmp);
    assert.equal(s.size, 0);
    assert.equal(s.lowest(), undefined);
    assert.deepEqual([...s.descending()], []);
    assert.deepEqual([...s.values()], []);
    assert.equal(s.has(r(0, 'x')), false, "expected s not to have r(0, 'x')");
    assert.equal(s.delete(r(0, 'x')), false, "expected s.delete(r(0, 'x')) to be false");
  });

  it('keeps values in rank order and finds the lowest', () => {
    const s = new RankedSet<R>(cmp);
    for (const x of [r(3, 'a'), r(1, 'b'), r(10, 'c'), r(7, 'd')]) assert.equal(s.add(x), true, 'expected s.add(x) to be true');
    assert.equal(s.size, 4);
    assert.deepEqual(ids(s.descending()), ['c', 'd', 'a', 'b']);
    assert.deepEqual(ids(s.values()), ['b', 'a', 'd', 'c']);
    assert.equal(s.lowest()?.id, 'b');
  });

  it('among equal ranks the larger id is lowest and listed last', () => {
    const s = new RankedSet<R>(cmp);
    s.add(r(2, 'm'));
    s.add(r(2, 'z'));
    s.add(r(2, 'a'));
    assert.equal(s.lowest()?.id, 'z');
    assert.deepEqual(ids(s.descending()), ['a', 'm', 'z']);
  });

  it('adding an equal entry twice keeps one; delete finds entries by rank', () => {
    const s = new RankedSet<R>(cmp);
    assert.equal(s.add(r(1, 'a')), true, "expected s.add(r(1, 'a')) to be true");
    assert.equal(s.add(r(1, 'a')), false, "expected s.add(r(1, 'a')) to be false");
    assert.equal(s.size, 1);
    assert.equal(s.has(r(1, 'a')), true, "expected s to have r(1, 'a')");
    assert.equal(s.delete(r(2, 'a')), false, 'another rank is another entry');
    assert.equal(s.delete(r(1, 'a')), true, "expected s.delete(r(1, 'a')) to be true");
    assert.equal(s.size, 0);
  });

  it('pages from the top with offset and limit', () => {
    const s = new RankedSet<R>(cmp);
    for (let i = 0; i < 10; i++) s.add(r(i, `id${i}`));
    assert.deepEqual(ids(s.descending(0, 3)), ['id9', 'id8', 'id7']);
    assert.deepEqual(ids(s.descending(3, 3)), ['id6', 'id5', 'id4']);
    assert.deepEqual(ids(s.descending(9, 3)), ['id0']);
    assert.deepEqual(ids(s.descending(10, 3)), []);
    assert.deepEqual(ids(s.descending(2, 0)), []);
  });

  it(`switches to a B+ tree above ${SMALL_SET_MAX} entries and back below half of that, keeping order`, () => {
    const s = new RankedSet<R>(cmp);
    const n = SMALL_SET_MAX * 3;
    for (let i = 0; i < n; i++) s.add(r((i * 37) % n, `k${i}`));
    const want = [...Array(n).keys()].map((i) => r((i * 37) % n, `k${i}`)).sort((a, b) => cmp(b, a));
    assert.deepEqual(ids(s.descending()), ids(want));
    assert.deepEqual(ids(s.descending(5, 7)), ids(want.slice(5, 12)));
    assert.equal(s.lowest()?.id, want.at(-1)?.id);
    for (const x of want.slice(0, n - 3)) assert.equal(s.delete(x), true, 'expected s.delete(x) to be true');
    assert.equal(s.size, 3);
    assert.deepEqual(ids(s.descending()), ids(want.slice(n - 3)));
  });

  it('iterating values() while the set changes is safe in array mode (copy-on-write)', () => {
    const s = new RankedSet<R>(cmp);
    for (let i = 0; i < 5; i++) s.add(r(i, `k${i}`));
    const seen: string[] = [];
    for (const x of s.values()) {
      seen.push(x.id);
      s.delete(x);
    }
    assert.deepEqual(seen, ['k0', 'k1', 'k2', 'k3', 'k4']);
    assert.equal(s.size, 0);
  });

  it('EMPTY_VIEW is empty', () => {
    assert.equal(EMPTY_VIEW.size, 0);
    assert.deepEqual([...EMPTY_VIEW.values()], []);
    assert.deepEqual([...EMPTY_VIEW.descending(0, 5)], []);
  });
});
