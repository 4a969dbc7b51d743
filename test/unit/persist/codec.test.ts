// test/unit/persist/codec.test.ts - journal line codec: round trip, torn tail, flipped bytes, bad JSON and bad shapes are skipped and counted, never thrown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecords, encodeRecord } from '../../../src/persist/codec.ts';

const isObj = (v: unknown): v is { n: number } => typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number';

describe('persist codec', () => {
  it('round-trips records, newlines inside strings included', () => {
    const text = encodeRecord({ n: 1, s: 'a\nb' }) + encodeRecord({ n: 2 });
    const d = decodeRecords(text, isObj);
    assert.deepEqual(d.records, [{ n: 1, s: 'a\nb' }, { n: 2 }]);
    assert.equal(d.corrupt, 0);
    assert.equal(d.tornTail, false, 'expected d.tornTail to be false');
  });

  it('skips a torn tail at every cut point and keeps every complete record', () => {
    const good = encodeRecord({ n: 1 }) + encodeRecord({ n: 2 });
    const last = encodeRecord({ n: 3, pad: 'x'.repeat(50) });
    for (let cut = 1; cut < last.length; cut++) {
      const d = decodeRecords(good + last.slice(0, cut), isObj);
      assert.deepEqual(d.records, [{ n: 1 }, { n: 2 }], `cut at ${cut}`);
      // A cut right before the final newline leaves a complete-looking line without its newline: still torn.
      assert.equal(d.tornTail, true, 'expected d.tornTail to be true');
      assert.equal(d.corrupt, 1);
    }
  });

  it('skips a record with a flipped byte, bad JSON or a wrong shape, and keeps the records after it', () => {
    const a = encodeRecord({ n: 1 });
    const flipped = encodeRecord({ n: 2 }).replace('2', '7');
    const badJson = '0123456789abcdef {not json\n';
    const wrongShape = encodeRecord({ m: 1 });
    const garbage = '\u0000\u0000\u0000\n';
    const c = encodeRecord({ n: 3 });
    const d = decodeRecords(a + flipped + badJson + wrongShape + garbage + c, isObj);
    assert.deepEqual(d.records, [{ n: 1 }, { n: 3 }]);
    assert.equal(d.corrupt, 4);
    assert.equal(d.tornTail, false, 'expected d.tornTail to be false');
  });

  it('decodes an empty file to nothing', () => {
    assert.deepEqual(decodeRecords('', isObj), { records: [], corrupt: 0, tornTail: false });
  });
});
