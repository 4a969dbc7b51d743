// test/unit/protocol/canonical-fast.test.ts - owns the checks that the JSON.stringify-based canonicalization and its top-level helpers equal the RFC 8785 `canonicalize` package on every JSON value, and fail where it fails.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import canonicalizeJcs from 'canonicalize';
import fc from 'fast-check';
import { canonicalize, canonicalPick, canonicalWithout, findIllFormedString, HashMemo, memoJsonLength, signingHash, signingText, sortKeys } from '../../../src/protocol/canonical.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { reportId, versionHash } from '../../../src/protocol/ids.ts';
import { reportPreimage } from '../../../src/protocol/pow.ts';

const RUNS = { seed: 7, numRuns: 400 } as const;
const lib = (v: unknown): string => canonicalizeJcs(v) as string;
/** Strings with escapes, astral characters, backslash-u text, keys that sort differently by code unit and code point. */
const strArb = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('\\ud800', '"', '\\', '\u2028', '\u007f', '\ufb33', '\ud83d\ude00', '__proto__', 'null', '', 'a\nb'));
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), strArb, tie('arr'), tie('obj')),
  arr: fc.array(tie('value'), { maxLength: 4 }),
  obj: fc.dictionary(strArb, tie('value'), { maxKeys: 6 }),
})).value;
/** As JSON.parse makes it: own "__proto__" keys are plain members. */
const parsed = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function without(o: Record<string, unknown>, drop: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!drop.includes(k)) Object.defineProperty(out, k, { value: v, enumerable: true });
  return out;
}

describe('canonicalize (JSON.stringify with canonical key order)', () => {
  it('equals the RFC 8785 package on every JSON value', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        const p = parsed(v);
        assert.equal(canonicalize(p), lib(p));
      }),
      RUNS,
    );
  });

  it('canonicalWithout / canonicalPick equal the package on the reduced object', () => {
    fc.assert(
      fc.property(fc.dictionary(strArb, valueArb, { maxKeys: 8 }), fc.array(strArb, { maxLength: 4 }), (d, keys) => {
        const o = parsed(d) as Record<string, unknown>;
        assert.equal(canonicalWithout(o, keys), lib(without(o, keys)));
        const picked: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(o)) if (keys.includes(k)) Object.defineProperty(picked, k, { value: v, enumerable: true });
        assert.equal(canonicalPick(o, keys), lib(picked));
      }),
      RUNS,
    );
  });

  it('inside one memo scope, texts composed from remembered members equal the package for every subset', () => {
    fc.assert(
      fc.property(fc.dictionary(strArb, valueArb, { maxKeys: 8 }), fc.array(fc.array(strArb, { maxLength: 4 }), { minLength: 2, maxLength: 4 }), (d, drops) => {
        const o = parsed(d) as Record<string, unknown>;
        const memo = new HashMemo();
        for (const keys of drops) {
          assert.equal(canonicalWithout(o, keys, memo), lib(without(o, keys)));
          const picked: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(o)) if (keys.includes(k)) Object.defineProperty(picked, k, { value: v, enumerable: true });
          assert.equal(canonicalPick(o, keys, memo), lib(picked));
        }
        assert.equal(signingText(o, 'sig', memo), lib(without(o, ['sig', 'pow', 'cTTL'])));
      }),
      RUNS,
    );
  });

  it('members that JSON leaves out are left out, and a toJSON object goes the whole-object way', () => {
    const o = { b: 1, a: undefined, f: () => 1, c: 'x' } as unknown as Record<string, unknown>;
    assert.equal(canonicalWithout(o, ['b']), '{"c":"x"}');
    assert.equal(canonicalPick(o, ['a', 'c']), '{"c":"x"}');
    const j = { toJSON: () => ({ z: 1 }) };
    assert.equal(canonicalWithout(j, []), lib(j));
  });

  it('version hash, signing text, report preimage and id equal their whole-object definitions', () => {
    fc.assert(
      fc.property(fc.dictionary(strArb, valueArb, { maxKeys: 5 }), fc.string(), valueArb, (d, pk, content) => {
        const r = parsed({ ...d, oraclePubKey: pk, content, cTTL: 3, pow: { difficulty: 1 } }) as Record<string, unknown>;
        assert.equal(versionHash(r), sha256Hex(lib(without(r, ['cTTL']))));
        assert.equal(signingText(r, 'sig'), lib(without(r, ['sig', 'pow', 'cTTL'])));
        const pre = lib({ oraclePubKey: r.oraclePubKey, content: r.content });
        assert.equal(reportPreimage(r as never), pre);
        assert.equal(reportId(r as never), sha256Hex(pre));
      }),
      RUNS,
    );
  });

  it('refuses what RFC 8785 refuses, and leaves the input untouched', () => {
    assert.throws(() => canonicalize({ a: 'x\ud800y' }));
    assert.throws(() => canonicalize([1, Number.NaN]));
    assert.throws(() => canonicalize({ a: Number.POSITIVE_INFINITY }));
    assert.throws(() => canonicalize(undefined), TypeError);
    assert.equal(canonicalize({ a: 'back\\ud800slash' }), lib({ a: 'back\\ud800slash' }));
    assert.equal(canonicalize([undefined, null]), '[null,null]');
    const o = { b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } };
    assert.equal(canonicalize(o), '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
    assert.deepEqual(Object.keys(o), ['b', 'a']);
    assert.equal(canonicalize({ b: 1, 10: 'x', a: 2, 9: 'y' }), '{"10":"x","9":"y","a":2,"b":1}');
    const withProto = JSON.parse('{"z":1,"__proto__":{"x":1}}') as object;
    assert.equal(canonicalize(withProto), '{"__proto__":{"x":1},"z":1}');
  });
});

describe('allocation-free shortcuts of the member texts (issue #21)', () => {
  it('sortKeys orders distinct strings exactly as Array.prototype.sort, short (insertion) and long (built-in) lists alike', () => {
    const keyArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('\ud800', '\udc00a', '\ud83d\ude00', '\uffff', '10', '9', 'a', 'B', ''));
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { maxLength: 40 }), (keys) => {
        const expected = [...keys].sort();
        const copy = [...keys];
        assert.equal(sortKeys(copy), copy, 'sorts in place and returns the same array');
        assert.deepEqual(copy, expected, `order of ${JSON.stringify(keys)}`);
      }),
      { seed: 11, numRuns: 600 },
    );
  });

  it('a string member written without JSON.stringify equals the package for quotes, backslashes, control characters, DEL, U+2028 and surrogates', () => {
    const values = ['plain', '', 'a"b', 'back\\slash', 'tab\there', '\u0000', '\u001f', '\u007f', '\u2028', '\ud83d\ude00', 'x\ud800', '\udc00', 'é', '0'.repeat(130)];
    for (const v of values) {
      const o = { k: v, z: 1 };
      let expected: string | Error;
      try {
        expected = lib(o);
      } catch (e) {
        expected = e as Error;
      }
      if (expected instanceof Error) {
        assert.throws(() => canonicalWithout(o, [], new HashMemo()), `member ${JSON.stringify(v)}: refused as the package refuses it`);
      } else {
        const memo = new HashMemo();
        assert.equal(canonicalWithout(o, [], memo), expected, `member ${JSON.stringify(v)}`);
        assert.equal(memoJsonLength(o, memo), JSON.stringify(o).length, `JSON length with member ${JSON.stringify(v)}`);
      }
    }
  });

  it('keys past the prefix cache (many distinct and long keys) and a lone-surrogate key still equal the package', () => {
    for (let i = 0; i < 700; i++) {
      const key = i % 2 === 0 ? `k${i}` : `${'long'.repeat(20)}${i}`;
      const o = { [key]: i, a: 'x' };
      assert.equal(canonicalWithout(o, [], new HashMemo()), lib(o), `key ${key}`);
    }
    const lone = { ['\ud800']: 1, a: 2 };
    assert.throws(() => canonicalWithout(lone, [], new HashMemo()), 'a lone-surrogate key takes the whole-object path, which refuses it');
  });

  it('values the direct writer leaves to the slower paths still come out as the package writes them, or are refused', () => {
    class Point {
      constructor(
        public y: number,
        public x: number,
      ) {}
    }
    const cases: unknown[] = [new Point(2, 1), { a: new Point(2, 1) }, Object.create(null) as object, { d: new Date(0) }, [1, null, 'null'], { n: null, s: 'null' }, { '10': 1, '9': 2, b: 3, a: 4 }, { k: -0, e: 1e21, f: 5e-7 }];
    for (const v of cases) assert.equal(canonicalize(v), lib(v), `value ${String(JSON.stringify(v))}`);
    assert.equal(canonicalize([undefined, () => 1]), lib([undefined, () => 1]), 'undefined and functions in arrays are written as null');
    assert.throws(() => canonicalize({ a: [Number.NaN] }), 'NaN inside an array is refused');
    assert.throws(() => canonicalize({ ['x\ud800']: 1 }), 'a lone-surrogate key is refused');
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = { a: deep };
    assert.throws(() => canonicalize(deep), RangeError, 'nesting past the limit is refused with a RangeError');
  });

  it('the lone-surrogate walk finds exactly what /\\p{Surrogate}/u finds, in values and keys, and names its path', () => {
    const LONE = /\p{Surrogate}/u;
    const units = fc.string({ unit: fc.oneof(fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', 'a', '"'), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 6 });
    fc.assert(
      fc.property(units, units, (k, v) => {
        const expected = LONE.test(k) || LONE.test(v);
        const found = findIllFormedString({ x: [1, { [k]: v }] });
        assert.equal(found !== null, expected, `key ${JSON.stringify(k)} value ${JSON.stringify(v)}`);
      }),
      { seed: 3, numRuns: 800 },
    );
    assert.equal(findIllFormedString({ a: ['ok', 'x\ud800'] }), '.a[1]');
    assert.equal(findIllFormedString('\udc00'), '(root)');
    assert.equal(findIllFormedString({ a: '\ud83d\ude00' }), null, 'a surrogate pair is well formed');
  });

  it('signing hashes of different signature fields of one object are kept apart in one memo', () => {
    const o = { a: 1, sigA: 'x', sigB: 'y', pow: { d: 1 }, cTTL: 2 };
    const memo = new HashMemo();
    const a = signingHash(o, 'sigA', memo);
    const b = signingHash(o, 'sigB', memo);
    assert.equal(a, sha256Hex(lib({ a: 1, sigB: 'y' })));
    assert.equal(b, sha256Hex(lib({ a: 1, sigA: 'x' })));
    assert.equal(signingHash(o, 'sigA', memo), a, 'remembered');
    assert.equal(signingHash(o, 'sigA'), a, 'without a memo: the same hash');
  });
});
