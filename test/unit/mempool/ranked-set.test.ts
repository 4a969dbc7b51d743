// test/unit/mempool/ranked-set.test.ts - unit tests of RankedSet, compareRank and outranks (src/mempool/ranked-set.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareRank, outranks, RankedSet } from '../../../src/mempool/ranked-set.ts';

describe('compareRank', () => {
  it('orders by primary, then secondary', () => {
    assert.equal(Math.sign(compareRank({ primary: 1, secondary: 0, id: 'a' }, { primary: 0, secondary: 9, id: 'a' })), 1);
    assert.equal(Math.sign(compareRank({ primary: 1, secondary: 2, id: 'a' }, { primary: 1, secondary: 3, id: 'a' })), -1);
  });

  it('breaks ties by id: the lexicographically larger id counts as lower', () => {
    assert.equal(compareRank({ primary: 1, secondary: 1, id: 'b' }, { primary: 1, secondary: 1, id: 'a' }), -1);
    assert.equal(compareRank({ primary: 1, secondary: 1, id: 'a' }, { primary: 1, secondary: 1, id: 'b' }), 1);
    assert.equal(compareRank({ primary: 1, secondary: 1, id: 'a' }, { primary: 1, secondary: 1, id: 'a' }), 0);
  });
});

describe('outranks', () => {
  it('is strict and ignores the id', () => {
    assert.equal(outranks({ primary: 0, secondary: 5 }, { primary: 0, secondary: 4 }), true);
    assert.equal(outranks({ primary: 0, secondary: 5 }, { primary: 0, secondary: 5 }), false);
    assert.equal(outranks({ primary: 0, secondary: 4 }, { primary: 0, secondary: 5 }), false);
    assert.equal(outranks({ primary: 1, secondary: 0 }, { primary: 0, secondary: 200 }), true);
    assert.equal(outranks({ primary: 0, secondary: 200 }, { primary: 1, secondary: 0 }), false);
  });
});

describe('RankedSet', () => {
  it('starts empty', () => {
    const s = new RankedSet<string>();
    assert.equal(s.size, 0);
    assert.equal(s.lowest(), undefined);
    assert.deepEqual([...s.descending()], []);
    assert.equal(s.get('x'), undefined);
    assert.equal(s.has('x'), false);
    assert.equal(s.rankOf('x'), undefined);
    assert.equal(s.delete('x'), undefined);
  });

  it('keeps values in rank order and finds the lowest', () => {
    const s = new RankedSet<string>();
    s.set('a', 0, 3, 'A');
    s.set('b', 0, 1, 'B');
    s.set('c', 1, 0, 'C');
    s.set('d', 0, 7, 'D');
    assert.equal(s.size, 4);
    assert.deepEqual([...s.descending()], ['C', 'D', 'A', 'B']);
    assert.deepEqual(s.lowest(), { key: { primary: 0, secondary: 1, id: 'b' }, value: 'B' });
  });

  it('among equal ranks the larger id is lowest and listed last', () => {
    const s = new RankedSet<string>();
    s.set('m', 2, 0, 'M');
    s.set('z', 2, 0, 'Z');
    s.set('a', 2, 0, 'A');
    assert.equal(s.lowest()?.key.id, 'z');
    assert.deepEqual([...s.descending()], ['A', 'M', 'Z']);
  });

  it('re-ranks on set of an existing id without duplicating it', () => {
    const s = new RankedSet<string>();
    s.set('a', 0, 1, 'A1');
    s.set('b', 0, 2, 'B');
    s.set('a', 0, 5, 'A2');
    assert.equal(s.size, 2);
    assert.deepEqual([...s.descending()], ['A2', 'B']);
    assert.equal(s.get('a'), 'A2');
    assert.deepEqual(s.rankOf('a'), { primary: 0, secondary: 5, id: 'a' });
    assert.equal(s.lowest()?.key.id, 'b');
  });

  it('deletes and returns the value', () => {
    const s = new RankedSet<string>();
    s.set('a', 0, 1, 'A');
    s.set('b', 0, 2, 'B');
    assert.equal(s.delete('a'), 'A');
    assert.equal(s.size, 1);
    assert.equal(s.has('a'), false);
    assert.equal(s.lowest()?.key.id, 'b');
    assert.deepEqual([...s.values()], ['B']);
  });

  it('pages from the top with offset and limit', () => {
    const s = new RankedSet<number>();
    for (let i = 0; i < 10; i++) s.set(`id${i}`, 0, i, i);
    assert.deepEqual([...s.descending(0, 3)], [9, 8, 7]);
    assert.deepEqual([...s.descending(3, 3)], [6, 5, 4]);
    assert.deepEqual([...s.descending(9, 3)], [0]);
    assert.deepEqual([...s.descending(10, 3)], []);
    assert.deepEqual([...s.descending(2, 0)], []);
  });

  it('values() yields every value once', () => {
    const s = new RankedSet<number>();
    for (let i = 0; i < 5; i++) s.set(`id${i}`, i % 2, i, i);
    assert.deepEqual([...s.values()].sort(), [0, 1, 2, 3, 4]);
  });
});
