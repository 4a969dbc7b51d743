// test/unit/mempool/text-index.test.ts - unit tests of questionWords and SetIndex (src/mempool/text-index.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WORD_CHARS, questionWords, SetIndex } from '../../../src/mempool/text-index.ts';

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

describe('SetIndex', () => {
  it('maps each key to its members', () => {
    const ix = new SetIndex<string>();
    ix.add(['a', 'b'], 'm1');
    ix.add(['b', 'c'], 'm2');
    assert.deepEqual([...ix.get('a')], ['m1']);
    assert.deepEqual([...ix.get('b')].sort(), ['m1', 'm2']);
    assert.deepEqual([...ix.get('zzz')], []);
    assert.equal(ix.keyCount, 3);
  });

  it('adding a member twice under a key stores it once', () => {
    const ix = new SetIndex<string>();
    ix.add(['a', 'a'], 'm1');
    ix.add(['a'], 'm1');
    assert.equal(ix.get('a').size, 1);
  });

  it('removes members and drops keys that become empty', () => {
    const ix = new SetIndex<string>();
    ix.add(['a', 'b'], 'm1');
    ix.add(['b'], 'm2');
    ix.remove(['a', 'b'], 'm1');
    assert.equal(ix.keyCount, 1);
    assert.deepEqual([...ix.get('b')], ['m2']);
    ix.remove(['b', 'never-added'], 'm2');
    assert.equal(ix.keyCount, 0);
    assert.equal(ix.get('b').size, 0);
  });

  it('intersect returns members present under every key', () => {
    const ix = new SetIndex<string>();
    ix.add(['who', 'won', 'match'], 'c1');
    ix.add(['who', 'won'], 'c2');
    ix.add(['match'], 'c3');
    assert.deepEqual([...ix.intersect(['who', 'won'])].sort(), ['c1', 'c2']);
    assert.deepEqual([...ix.intersect(['won', 'match'])], ['c1']);
    assert.deepEqual([...ix.intersect(['won', 'absent'])], []);
    assert.deepEqual([...ix.intersect([])], []);
  });

  it('intersect returns a fresh set the caller may mutate', () => {
    const ix = new SetIndex<string>();
    ix.add(['a'], 'm1');
    const s = ix.intersect(['a']);
    s.clear();
    assert.deepEqual([...ix.get('a')], ['m1']);
  });
});
