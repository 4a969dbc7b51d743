// test/unit/util/lru.test.ts - owns the LRU map behind the relay's seen cache, in-flight and orphan bookkeeping: eviction order equals a reference model under random set/get/delete, including after many deletions (the long-lived eviction iterator).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LruMap } from '../../../src/util/lru.ts';

type Op = { op: 'set' | 'get' | 'delete'; key: number };
const opArb = fc.record({ op: fc.constantFrom('set', 'set', 'get', 'delete') as fc.Arbitrary<Op['op']>, key: fc.integer({ min: 0, max: 12 }) });

describe('LruMap', () => {
  it('evicts exactly like a reference LRU under random operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { maxLength: 300 }), (max, ops) => {
        const lru = new LruMap<number, number>(max);
        let model: [number, number][] = []; // oldest first
        ops.forEach(({ op, key }, i) => {
          if (op === 'set') {
            lru.set(key, i);
            model = model.filter(([k]) => k !== key);
            model.push([key, i]);
            if (model.length > max) model.shift();
          } else if (op === 'get') {
            const hit = model.find(([k]) => k === key);
            assert.equal(lru.get(key), hit?.[1]);
          } else {
            assert.equal(lru.delete(key), model.some(([k]) => k === key));
            model = model.filter(([k]) => k !== key);
          }
          assert.equal(lru.size, model.length);
          for (const [k, v] of model) assert.equal(lru.has(k) ? lru.get(k) : undefined, v);
        });
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('stays O(1) per eviction after a long run of deletions (no walk over deleted slots)', () => {
    const lru = new LruMap<number, number>(1000);
    for (let i = 0; i < 200_000; i++) {
      lru.set(i, i);
      if (i % 2 === 0) lru.delete(i - 500);
    }
    assert.equal(lru.size, 1000);
    assert.equal(lru.get(199_999), 199_999);
    assert.equal(lru.has(0), false, 'expected lru not to have 0');
  });

  it('holds its byte budget: evicts oldest first until under it, refuses a value larger than the budget', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.record({ key: fc.integer({ min: 0, max: 12 }), size: fc.integer({ min: 0, max: 50 }) }), { maxLength: 200 }), (max, maxBytes, ops) => {
        const lru = new LruMap<number, string>(max, Infinity, Date.now, { maxBytes, sizeOf: (v) => v.length });
        let model: [number, string][] = []; // oldest first
        for (const { key, size } of ops) {
          const value = 'x'.repeat(size);
          const kept = lru.set(key, value);
          model = model.filter(([k]) => k !== key);
          assert.equal(kept, size <= maxBytes, `expected a ${size}-byte value to be kept iff it fits the ${maxBytes}-byte budget`);
          if (kept) model.push([key, value]);
          const total = (): number => model.reduce((n, [, v]) => n + v.length, 0);
          while (model.length > max || total() > maxBytes) model.shift();
          assert.equal(lru.size, model.length, 'expected the same entries as the reference model');
          assert.equal(lru.bytes, total(), 'expected the byte count to equal the sum of the values held');
          for (const [k, v] of model) assert.equal(lru.get(k), v, `expected key ${k} to be held`);
        }
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  it('frees the bytes of expired and deleted entries', () => {
    let t = 0;
    const lru = new LruMap<string, string>(10, 100, () => t, { maxBytes: 1000, sizeOf: (v) => v.length });
    lru.set('a', 'x'.repeat(300));
    lru.set('b', 'y'.repeat(200));
    assert.equal(lru.bytes, 500, 'expected 300 + 200 bytes held');
    lru.delete('b');
    assert.equal(lru.bytes, 300, "expected the deleted value's bytes freed");
    t = 100;
    assert.equal(lru.get('a'), undefined, 'expected the entry expired at its TTL');
    assert.equal(lru.bytes, 0, "expected the expired value's bytes freed");
  });
});
