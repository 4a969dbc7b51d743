// test/unit/mempool/ranked-walk.test.ts - RankedSet.forEachAscending (src/mempool/ranked-set.ts): the callback walk gives the values in rank order, as values() does, in the array and the B+ tree forms, and stops where the visitor says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RankedSet, SMALL_SET_MAX } from '../../../src/mempool/ranked-set.ts';

describe('RankedSet.forEachAscending', () => {
  for (const n of [0, 1, 5, SMALL_SET_MAX, SMALL_SET_MAX + 1, 700]) {
    it(`walks ${n} values in rank order and stops early`, () => {
      const s = new RankedSet<number>((a, b) => a - b);
      for (let i = 0; i < n; i++) s.add((i * 7919) % 1009);
      const all: number[] = [];
      s.forEachAscending((v) => (all.push(v), true));
      assert.deepEqual(all, [...s.values()], `${n} values: expected the callback walk to equal values()`);
      for (const stopAt of [1, 3, 40]) {
        const some: number[] = [];
        s.forEachAscending((v) => (some.push(v), some.length < stopAt));
        assert.deepEqual(some, all.slice(0, stopAt), `${n} values: expected the walk to stop after ${stopAt}`);
      }
    });
  }
});
