// test/unit/mempool/shard-mod.test.ts - owns the check that isInShard's digit-by-digit remainder answers as the BigInt remainder it replaced, for every count the config allows and for ids that are not hex.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { isInShard } from '../../../src/mempool/shard.ts';

/** The definition: id (a 256-bit integer) mod count == index, by BigInt. */
const byBigInt = (id: string, count: number, index: number): boolean => BigInt('0x' + id) % BigInt(count) === BigInt(index);

describe('isInShard', () => {
  it('answers as the BigInt remainder for random ids, counts up to 2^20 and every index', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 2, max: 1 << 20 }), fc.boolean(), (bytes, count, upper) => {
        let id = Buffer.from(bytes).toString('hex');
        if (upper) id = id.toUpperCase();
        const index = Number(BigInt('0x' + id) % BigInt(count));
        assert.equal(isInShard(id, { count, index }), true, `${id} mod ${count} = ${index}`);
        assert.equal(isInShard(id, { count, index: (index + 1) % count }), byBigInt(id, count, (index + 1) % count));
      }),
      { seed: 5, numRuns: 500 },
    );
  });

  it('the extreme ids and counts: all zeros, all f, count 2 and 2^20', () => {
    for (const id of ['0'.repeat(64), 'f'.repeat(64), crypto.randomBytes(32).toString('hex')]) {
      for (const count of [2, 3, 7, 1 << 20]) {
        for (const index of [0, 1, count - 1]) assert.equal(isInShard(id, { count, index }), byBigInt(id, count, index), `${id} count ${count} index ${index}`);
      }
    }
    assert.equal(isInShard('zz', { count: 1, index: 0 }), true, 'one shard holds everything without reading the id');
  });

  it('an id that is not hex throws as the BigInt parse did', () => {
    for (const bad of ['', 'xyz', '12 34', '0x12', '1_0']) assert.throws(() => isInShard(bad, { count: 4, index: 0 }), SyntaxError, `id ${JSON.stringify(bad)}`);
  });
});
