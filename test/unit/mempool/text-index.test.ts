// test/unit/mempool/text-index.test.ts - unit tests of questionWords and RankedIndex (src/mempool/text-index.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WORD_CHARS, questionWords, RankedIndex } from '../../../src/mempool/text-index.ts';

describe('questionWords', () => {
  it('lowercases and splits on anything that is not a letter or digit', () => {
    assert.deepEqual(questionWords('Who won the 2024 World-Cup?'), ['who', 'won', 'the', '2024', 'world', 'cup']);
  });

  it('de-duplicates case-insensitively, keeping first-seen order', () => {
    assert.deepEqual(questionWords('BTC btc Btc price'), ['btc', 'price']);
  });

  it('returns nothing for text without letters or digits', () => {
    assert.deepEqual(questionWords(''), []);
    assert.deepEqual(questionWords(' ?!. -- '), []);
  });

  it('keeps letters and digits of other scripts', () => {
    assert.deepEqual(questionWords('Wer gewann das Spiel? Ärger über München'), ['wer', 'gewann', 'das', 'spiel', 'ärger', 'über', 'münchen']);
    assert.deepEqual(questionWords('比特币 价格'), ['比特币', '价格']);
    assert.deepEqual(questionWords('ΠΟΙΟΣ κέρδισε'), ['ποιος', 'κέρδισε']);
  });

  it(`cuts words longer than ${MAX_WORD_CHARS} characters`, () => {
    const long = 'a'.repeat(MAX_WORD_CHARS + 10);
    assert.deepEqual(questionWords(`x ${long}`), ['x', 'a'.repeat(MAX_WORD_CHARS)]);
    // two long words sharing the first MAX_WORD_CHARS characters index under the same key
    assert.deepEqual(questionWords(`${long}b ${long}c`), ['a'.repeat(MAX_WORD_CHARS)]);
  });

  it('keeps words whose letters carry combining marks whole (Devanagari, decomposed accents)', () => {
    assert.deepEqual(questionWords('हिन्दी'), ['हिन्दी']);
    assert.deepEqual(questionWords('cafe\u0301').map((w) => w.normalize('NFC')), ['café']);
  });
});

describe('RankedIndex', () => {
  // members ranked by their number; the index keeps each key's members in that order
  const byNumber = (a: number, b: number): number => a - b;
  const desc = (ix: RankedIndex<number>, key: string): number[] => [...(ix.get(key)?.descending() ?? [])];

  it('maps each key to its members, highest rank first', () => {
    const ix = new RankedIndex<number>(byNumber);
    for (const [k, m] of [['a', 1], ['b', 1], ['b', 5], ['c', 5], ['b', 3]] as const) ix.add(k, m);
    assert.deepEqual(desc(ix, 'a'), [1]);
    assert.deepEqual(desc(ix, 'b'), [5, 3, 1]);
    assert.equal(ix.get('zzz'), undefined);
    assert.equal(ix.has('b', 3), true, "expected ix.has('b', 3) to be true");
    assert.equal(ix.has('a', 3), false, "expected ix.has('a', 3) to be false");
    assert.equal(ix.keyCount, 3);
  });

  it('adding a member twice under a key stores it once', () => {
    const ix = new RankedIndex<number>(byNumber);
    ix.add('a', 1);
    ix.add('a', 1);
    assert.equal(ix.get('a')?.size, 1);
  });

  it('removes members and drops keys that become empty', () => {
    const ix = new RankedIndex<number>(byNumber);
    ix.add('a', 1);
    ix.add('b', 1);
    ix.add('b', 2);
    ix.remove('a', 1);
    ix.remove('b', 1);
    assert.equal(ix.keyCount, 1);
    assert.deepEqual(desc(ix, 'b'), [2]);
    ix.remove('b', 2);
    ix.remove('never-added', 2);
    assert.equal(ix.keyCount, 0);
    assert.equal(ix.get('b'), undefined);
  });
});
