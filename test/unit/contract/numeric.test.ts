// test/unit/contract/numeric.test.ts - numeric outcomes: the digit-prefix compression of dlcspecs NumericOutcomeCompression.md (its worked examples, and an exact partition of every interval), and the piecewise-linear payout curve with rounding against a brute-force evaluation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ContractError, decompose, groupByIgnoringDigits, numericCets, payoutRanges } from '../../../src/contract/index.ts';
import type { NumericPayoutCurve } from '../../../src/contract/index.ts';

const show = (g: number[][]): string[] => g.map((p) => p.join(''));

describe('NumericOutcomeCompression.md worked examples', () => {
  it('[135677, 138621] in base 10: the 20 prefixes of the "Concrete Example"', () => {
    assert.deepEqual(show(groupByIgnoringDigits(135677n, 138621n, 10, 6)), [
      '135677',
      '135678',
      '135679',
      '13568',
      '13569',
      '1357',
      '1358',
      '1359',
      '136',
      '137',
      '1380',
      '1381',
      '1382',
      '1383',
      '1384',
      '1385',
      '13860',
      '13861',
      '138620',
      '138621',
    ]);
  });

  it('[5677, 8621] in base 2: the binary example, with the endpoint optimization merging 10000110101100 and 8621', () => {
    // The spec lists 5677 and 8621 "individually" plus 12 groups (14); the algorithm's endpoint
    // optimization (same section) replaces 10000110101100 + 10000110101101 by 1000011010110_.
    assert.deepEqual(show(groupByIgnoringDigits(5677n, 8621n, 2, 14)), [
      '01011000101101',
      '0101100010111',
      '0101100011',
      '01011001',
      '0101101',
      '010111',
      '011',
      '100000',
      '1000010',
      '100001100',
      '10000110100',
      '100001101010',
      '1000011010110',
    ]);
  });

  it('[2200, 4999] in base 10: the endpoint optimization example gives 22__, 23__ … 29__, 3___, 4___', () => {
    assert.deepEqual(show(groupByIgnoringDigits(2200n, 4999n, 10, 4)), ['22', '23', '24', '25', '26', '27', '28', '29', '3', '4']);
  });

  it('total optimization: a whole prefix block is one CET; the whole domain is refused (one outcome)', () => {
    assert.deepEqual(show(groupByIgnoringDigits(300n, 399n, 10, 3)), ['3']);
    assert.throws(
      () => groupByIgnoringDigits(0n, 999n, 10, 3),
      (e: unknown) => e instanceof ContractError && e.code === 'bad-terms',
    );
  });
});

describe('digit-prefix compression covers exactly the interval (property)', () => {
  it('every value of [start, end] has exactly one covering prefix and no value outside has any', () => {
    fc.assert(
      fc.property(fc.constantFrom([2, 2], [2, 11], [3, 5], [10, 2], [10, 3]), fc.nat(), fc.nat(), ([base, digits], x, y) => {
        const size = base ** digits;
        const [s, hi] = [x % size, y % size].sort((a, b) => a - b) as [number, number];
        const e = s === 0 && hi === size - 1 ? hi - 1 : hi; // the whole domain is refused by design
        const groups = groupByIgnoringDigits(BigInt(s), BigInt(e), base, digits);
        for (let v = 0; v < size; v++) {
          const d = decompose(BigInt(v), base, digits);
          const covering = groups.filter((g) => g.every((digit, i) => d[i] === digit)).length;
          assert.equal(covering, v >= s && v <= e ? 1 : 0, `value ${v} in base ${base} for [${s}, ${e}]`);
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** The curve's payout at x by direct evaluation (the spec's definition). */
function brute(c: NumericPayoutCurve, x: bigint, total: bigint): bigint {
  let i = 0;
  while (i + 2 < c.points.length && c.points[i + 1]!.outcome <= x) i++;
  const a = c.points[i]!;
  const b = c.points[i + 1]!;
  const value = (Number(a.payout) * Number(b.outcome - a.outcome) + Number(b.payout - a.payout) * Number(x - a.outcome)) / Number(b.outcome - a.outcome);
  let mod = 1;
  for (const r of c.rounding) if (r.begin <= x) mod = Number(r.mod);
  const lo = value - (value % mod);
  const rounded = value - lo >= mod / 2 ? lo + mod : lo; // nearest, ties up (NumericOutcome.md)
  return BigInt(Math.min(Math.round(rounded), Number(total)));
}

describe('polynomial payout curve piece (PayoutCurve.md, Lagrange)', () => {
  it('the quadratic through (0,0), (3,1e8), (5,2e8) gives 26,666,667 / 60,000,000 / 146,666,667 at 1, 2, 4 (rounded, ties up), then the flat line', () => {
    const c: NumericPayoutCurve = {
      points: [
        { outcome: 0n, payout: 0n },
        { outcome: 5n, payout: 200_000_000n },
        { outcome: 1023n, payout: 200_000_000n },
      ],
      midpoints: [[{ outcome: 3n, payout: 100_000_000n }], []],
      rounding: [],
    };
    const pays = payoutRanges(c, 1023n, 200_000_000n).map((r) => [r.start, r.end, r.offerPayout]);
    assert.deepEqual(pays, [
      [0n, 0n, 0n],
      [1n, 1n, 26_666_667n],
      [2n, 2n, 60_000_000n],
      [3n, 3n, 100_000_000n],
      [4n, 4n, 146_666_667n],
      [5n, 1023n, 200_000_000n],
    ]);
  });
});

describe('piecewise-linear payout curve with rounding', () => {
  const curve: NumericPayoutCurve = {
    points: [
      { outcome: 0n, payout: 0n },
      { outcome: 300n, payout: 0n },
      { outcome: 700n, payout: 100_000n },
      { outcome: 800n, payout: 30_000n },
      { outcome: 1023n, payout: 100_000n },
    ],
    rounding: [
      { begin: 0n, mod: 10_000n },
      { begin: 750n, mod: 2_500n },
    ],
  };

  it('ranges agree with evaluating every outcome directly, and cover the domain in order', () => {
    const ranges = payoutRanges(curve, 1023n, 100_000n);
    let next = 0n;
    for (const r of ranges) {
      assert.equal(r.start, next, 'ranges are contiguous');
      for (let x = r.start; x <= r.end; x++) assert.equal(r.offerPayout, brute(curve, x, 100_000n), `payout at ${x}`);
      next = r.end + 1n;
    }
    assert.equal(next, 1024n);
    for (let i = 1; i < ranges.length; i++) assert.notEqual(ranges[i]!.offerPayout, ranges[i - 1]!.offerPayout, 'neighbouring ranges differ (maximal)');
  });

  it('rounds to the nearest multiple, ties up: 613 on (300,0)-(700,100000) is 78,250 → 80,000; 320 is 5,000 → 10,000', () => {
    const at = (x: bigint): bigint => payoutRanges(curve, 1023n, 100_000n).find((r) => r.start <= x && x <= r.end)!.offerPayout;
    assert.equal(at(613n), 80_000n);
    assert.equal(at(320n), 10_000n);
    assert.equal(at(319n), 0n);
  });

  it("numeric CETs: every outcome maps to exactly one CET whose payout is the curve's", () => {
    const cets = numericCets(curve, 2, 10, 100_000n);
    for (let v = 0n; v < 1024n; v++) {
      const d = decompose(v, 2, 10);
      const hits = cets.filter((c) => c.prefix.every((digit, i) => d[i] === digit));
      assert.equal(hits.length, 1, `value ${v}`);
      assert.equal(hits[0]!.offerPayout, brute(curve, v, 100_000n), `payout of ${v}`);
    }
  });

  const bad: [string, NumericPayoutCurve][] = [
    [
      'not starting at 0',
      {
        points: [
          { outcome: 1n, payout: 0n },
          { outcome: 1023n, payout: 5n },
        ],
        rounding: [],
      },
    ],
    [
      'not reaching the domain maximum',
      {
        points: [
          { outcome: 0n, payout: 0n },
          { outcome: 1000n, payout: 5n },
        ],
        rounding: [],
      },
    ],
    [
      'outcomes not increasing',
      {
        points: [
          { outcome: 0n, payout: 0n },
          { outcome: 0n, payout: 1n },
          { outcome: 1023n, payout: 5n },
        ],
        rounding: [],
      },
    ],
    [
      'a payout above the collateral',
      {
        points: [
          { outcome: 0n, payout: 0n },
          { outcome: 1023n, payout: 100_001n },
        ],
        rounding: [],
      },
    ],
    [
      'a zero rounding modulus',
      {
        points: [
          { outcome: 0n, payout: 0n },
          { outcome: 1023n, payout: 5n },
        ],
        rounding: [{ begin: 0n, mod: 0n }],
      },
    ],
  ];
  bad.push([
    'with a midpoint outside its piece',
    {
      points: [
        { outcome: 0n, payout: 0n },
        { outcome: 1023n, payout: 5n },
      ],
      midpoints: [[{ outcome: 1023n, payout: 1n }]],
      rounding: [],
    },
  ]);
  for (const [name, c] of bad) {
    it(`refuses a curve ${name}`, () => {
      assert.throws(
        () => payoutRanges(c, 1023n, 100_000n),
        (e: unknown) => e instanceof ContractError && e.code === 'bad-terms',
      );
    });
  }
});
