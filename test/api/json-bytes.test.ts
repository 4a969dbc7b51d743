// test/api/json-bytes.test.ts - jsonBytes gives exactly the bytes of Buffer.from(JSON.stringify(v), 'utf8') (or undefined, or JSON.stringify's error) for every kind of value, random documents included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonBytes, SelfWritten, type JsonValueSink } from '../../src/api/json-bytes.ts';

/** jsonBytes(v) must equal JSON.stringify's UTF-8 bytes. */
function same(v: unknown, what: string): void {
  const text = JSON.stringify(v);
  const ours = jsonBytes(v);
  if (text === undefined) {
    assert.equal(ours, undefined, `${what}: JSON.stringify gives undefined, expected undefined`);
    return;
  }
  assert.ok(ours !== undefined, `${what}: expected bytes, got undefined`);
  const want = Buffer.from(text, 'utf8');
  assert.ok(ours.equals(want), `${what}: expected ${JSON.stringify(want.toString('utf8').slice(0, 300))}, got ${JSON.stringify(ours.toString('utf8').slice(0, 300))}`);
}

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

/** A deterministic PRNG (xorshift32) so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', 'ü', '東', '\u2028', '\ud83c\udf27', '\ud800', '\udfff', '<', '}'];

function randomString(r: () => number, long: boolean): string {
  const n = long ? 200 + Math.floor(r() * 200) : Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += r() < 0.7 ? String.fromCharCode(0x20 + Math.floor(r() * 95)) : (CHARS[Math.floor(r() * CHARS.length)] as string);
  return s;
}

const NUMBERS = [0, -0, 1, -1, 7, 10, 99, 100, 1234567, -987654321, 2 ** 31, 2 ** 53, -(2 ** 53), 1e15 - 1, 1e15, 1e21, 1e-7, 0.1, 1.5, -2.25, 123.456, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 6 : 9));
  switch (k) {
    case 0:
      return randomString(r, r() < 0.1);
    case 1:
      return NUMBERS[Math.floor(r() * NUMBERS.length)];
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return r() < 0.5 ? undefined : () => 1;
    case 5:
      return Math.floor(r() * 1e6) - 5e5;
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) o[r() < 0.2 ? String(Math.floor(r() * 20)) : randomString(r, false)] = randomValue(r, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: Math.floor(r() * 6) }, () => randomValue(r, depth + 1));
  }
}

describe('jsonBytes', () => {
  it('writes every scalar exactly as JSON.stringify does', () => {
    for (const n of NUMBERS) same(n, `number ${String(n)}`);
    for (const s of ['', 'plain', 'Wird es in Zürich regnen? 東京 🌧', '"\\\n\t</script>', '\u0000\u0001\u001f\u007f', '\ud800 lone', 'lone \udfff', 'a'.repeat(5000), 'é'.repeat(300), `${'x'.repeat(300)}"`]) same(s, `string ${JSON.stringify(s.slice(0, 20))}`);
    for (const v of [true, false, null, undefined, () => 1, Symbol('s')]) same(v, `value ${String(v)}`);
  });

  it('writes objects and arrays as JSON.stringify does: member order, skipped members, null in arrays, inherited members left out', () => {
    same({ b: 1, a: 2, 10: 'x', 2: 'y', u: undefined, f: () => 1, s: Symbol('x'), n: null }, 'member order and skipped members');
    same([undefined, () => 1, Symbol('x'), null, 1, [], {}], 'array holes and non-values');
    // eslint-disable-next-line no-sparse-arrays
    same([1, , 3], 'sparse array');
    same(Object.assign(Object.create(null) as object, { z: 1, a: [2] }), 'null-prototype object');
    const child = Object.create({ inherited: 1 }) as Record<string, unknown>;
    child.own = 2;
    same([child], 'inherited members');
    same({ pubkey: `02${'ab'.repeat(32)}`, pow: { difficulty: 3, algorithm: 'SHA256', hash: 'f'.repeat(64), magicNo: 12345 }, bid: { amount: 0, proof: '' }, tags: ['t1', 'wetter'] }, 'an oracle ad');
  });

  it('hands what it does not write itself to JSON.stringify: class instances, toJSON holders, boxed values, Maps', () => {
    same({ at: new Date(1_700_000_000_000), p: new Point(1, 2), m: new Map([[1, 2]]), b: new Boolean(false), s: new String('x'), t: { toJSON: (k: string) => `key:${k}` } }, 'exotic members');
    same(new Date(0), 'a Date at the top');
    same([new Point(3, 4)], 'a class instance in an array');
  });

  it('answers exactly when a getter of the value being written asks for another body (re-entry)', () => {
    const inner = { b: [1, 'two'] };
    const outer = {
      a: 1,
      get nested(): string {
        return (jsonBytes(inner) as Buffer).toString('utf8');
      },
      z: 'end',
    };
    same(outer, 'a getter that writes another body');
  });

  it('throws what JSON.stringify throws: a cycle, a bigint', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.throws(() => jsonBytes(cyclic), TypeError, 'a cycle throws TypeError, as JSON.stringify does');
    assert.throws(() => jsonBytes({ n: 1n }), TypeError, 'a bigint throws TypeError, as JSON.stringify does');
    // The writer is reused: an answer after a failure is whole and right.
    same({ after: 'failure' }, 'after a throw');
  });

  it('writes bodies past its scratch size and nesting past its depth limit exactly', () => {
    same(Array.from({ length: 3000 }, (_, i) => ({ id: i, text: `entry ${i} ${'é'.repeat(i % 50)}` })), 'a body of ~150 KB');
    same({ small: true }, 'a small body after a large one');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = i % 2 === 0 ? [deep] : { d: deep };
    same(deep, 'nesting 200 deep');
  });

  it('writes the values a SelfWritten hands to sink.value as it writes them anywhere: nested, null for what JSON leaves out, a cycle through the part as JSON.stringify', () => {
    /** `[<v0>,<v1>,...]` through sink.value; toJSON() the same array. */
    class Parts extends SelfWritten {
      constructor(readonly parts: unknown[]) {
        super();
      }
      writeJson(sink: JsonValueSink): boolean {
        sink.raw('[');
        this.parts.forEach((p, i) => {
          if (i > 0) sink.raw(',');
          sink.value(p);
        });
        sink.raw(']');
        return true;
      }
      toJSON(): unknown[] {
        return this.parts;
      }
    }
    same(new Parts([{ a: [1, 'é', null] }, 'x', 2, undefined, () => 1, new Parts([true, { deep: new Parts([]) }])]), 'values through sink.value');
    same({ list: new Parts([{ id: 'a' }, { id: 'b' }]), after: 1 }, 'a part inside an object, members after it');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 80; i++) deep = new Parts([deep]);
    same(deep, 'parts nested past the depth limit (the whole answer then from JSON.stringify)');
    const loop = new Parts([]);
    loop.parts.push({ back: loop });
    assert.throws(() => jsonBytes(loop), TypeError, 'a cycle through a part throws TypeError, as JSON.stringify does');
    same({ after: 'the cycle' }, 'after the cycle');
  });

  it('matches JSON.stringify on 3,000 random documents', () => {
    const r = rng(0x5eed21);
    for (let i = 0; i < 3000; i++) same(randomValue(r, 0), `random document ${i}`);
  });
});
