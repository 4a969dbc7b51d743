/**
 * contract/numeric.ts - numeric outcomes: a piecewise-linear payout curve with rounding
 * (dlcspecs PayoutCurve.md, NumericOutcome.md "rounding_intervals") evaluated into ranges of
 * equal payout, and each range compressed into digit prefixes (NumericOutcomeCompression.md
 * `groupByIgnoringDigits`, with its endpoint and total optimizations). Imports only contract.
 */
import { MAX_CETS, MAX_CURVE_POINTS, MAX_NUMERIC_DOMAIN, MAX_POLYNOMIAL_PIECE_OUTCOMES } from './constants.ts';
import { ContractError } from './errors.ts';

/** `decompose`: the `numDigits` base-`base` digits of `num`, most significant first. */
export function decompose(num: bigint, base: number, numDigits: number): number[] {
  const b = BigInt(base);
  const out = new Array<number>(numDigits);
  let n = num;
  for (let i = numDigits - 1; i >= 0; i--) {
    out[i] = Number(n % b);
    n /= b;
  }
  return out;
}

function frontGroupings(digits: number[], base: number): number[][] {
  // digits.reverse.zipWithIndex.dropWhile(_ == 0): [digit, index from the back]
  const rev = digits.map((d, i) => [d, digits.length - 1 - i] as const).reverse();
  let k = 0;
  while (k < rev.length && rev[k]![0] === 0) k++;
  const nonZero = rev.slice(k);
  if (nonZero.length === 0) return [[0]];
  const fromFront: number[][] = [];
  for (const [last, unimportant] of nonZero.slice(0, -1)) {
    const fixed = digits.slice(0, digits.length - (unimportant + 1));
    for (let d = last + 1; d < base; d++) fromFront.push([...fixed, d]);
  }
  return [nonZero.map((x) => x[0]).reverse(), ...fromFront];
}

function backGroupings(digits: number[], base: number): number[][] {
  const rev = digits.map((d, i) => [d, digits.length - 1 - i] as const).reverse();
  let k = 0;
  while (k < rev.length && rev[k]![0] === base - 1) k++;
  const nonMax = rev.slice(k);
  if (nonMax.length === 0) return [[base - 1]];
  const fromBack: number[][] = [];
  for (const [last, unimportant] of nonMax.slice(0, -1)) {
    const fixed = digits.slice(0, digits.length - (unimportant + 1));
    for (let d = last - 1; d >= 0; d--) fromBack.push([...fixed, d]);
  }
  return [...fromBack.reverse(), nonMax.map((x) => x[0]).reverse()];
}

/**
 * `groupByIgnoringDigits(start, end, base, numDigits)`: the digit prefixes that together cover
 * exactly [start, end], each prefix standing for every value that begins with it.
 */
export function groupByIgnoringDigits(start: bigint, end: bigint, base: number, numDigits: number): number[][] {
  if (start > end) throw new ContractError('bad-terms', 'interval start after its end');
  const s = decompose(start, base, numDigits);
  const e = decompose(end, base, numDigits);
  let p = 0;
  while (p < numDigits && s[p] === e[p]) p++;
  const prefix = s.slice(0, p);
  const sd = s.slice(p);
  const ed = e.slice(p);
  if (start === end) return [prefix];
  if (sd.every((d) => d === 0) && ed.every((d) => d === base - 1)) {
    if (prefix.length > 0) return [prefix];
    throw new ContractError('bad-terms', 'DLCs with only one outcome are not supported');
  }
  if (prefix.length === numDigits - 1) {
    const out: number[][] = [];
    for (let d = sd[sd.length - 1]!; d <= ed[ed.length - 1]!; d++) out.push([...prefix, d]);
    return out;
  }
  const middle: number[][] = [];
  for (let d = sd[0]! + 1; d < ed[0]!; d++) middle.push([d]);
  return [...frontGroupings(sd, base), ...middle, ...backGroupings(ed, base)].map((g) => [...prefix, ...g]);
}

/** A point of the offerer's payout curve: at `outcome`, the offerer receives `payout` sat. */
export interface CurvePoint {
  outcome: bigint;
  payout: bigint;
}

/** From outcome `begin` on, payouts are rounded to a multiple of `mod` (until the next interval). */
export interface RoundingInterval {
  begin: bigint;
  mod: bigint;
}

/** A piecewise-linear payout function over [0, base^nbDigits − 1] with rounding. */
export interface NumericPayoutCurve {
  /** Endpoints with strictly increasing outcomes, the first at 0 and the last at the domain's maximum. */
  points: CurvePoint[];
  /**
   * Optional midpoints per piece (index i: the piece from points[i] to points[i+1]), PayoutCurve.md
   * `polynomial_payout_curve_piece`: the piece is the polynomial through its two endpoints and its
   * midpoints (Lagrange interpolation). Absent or empty: the line between the endpoints.
   */
  midpoints?: (CurvePoint[] | undefined)[];
  /** Sorted by `begin`; none means a modulus of 1 everywhere. */
  rounding: RoundingInterval[];
}

/** A range of outcomes that pays the offerer the same amount. */
export interface PayoutRange {
  start: bigint;
  end: bigint;
  offerPayout: bigint;
}

/** Check a curve against its domain and the total collateral; throws ContractError `bad-terms`. */
export function checkCurve(c: NumericPayoutCurve, maxOutcome: bigint, totalCollateral: bigint): void {
  if (c.points.length < 2 || c.points.length > MAX_CURVE_POINTS) throw new ContractError('bad-terms', `a payout curve has 2..${MAX_CURVE_POINTS} points`);
  if (c.points[0]!.outcome !== 0n || c.points[c.points.length - 1]!.outcome !== maxOutcome)
    throw new ContractError('bad-terms', `the curve must span the event's whole domain [0, ${maxOutcome}]`);
  for (let i = 0; i < c.points.length; i++) {
    const p = c.points[i]!;
    if (p.payout < 0n || p.payout > totalCollateral) throw new ContractError('bad-terms', 'curve payouts must lie in [0, total collateral]');
    if (i > 0 && p.outcome <= c.points[i - 1]!.outcome) throw new ContractError('bad-terms', 'curve outcomes must strictly increase');
  }
  const mids = c.midpoints ?? [];
  if (mids.length > c.points.length - 1) throw new ContractError('bad-terms', 'more midpoint lists than curve pieces');
  mids.forEach((m, i) => {
    if (!m) return;
    if (m.length > MAX_CURVE_POINTS) throw new ContractError('bad-terms', `at most ${MAX_CURVE_POINTS} midpoints per piece`);
    let prev = c.points[i]!.outcome;
    for (const p of m) {
      if (p.outcome <= prev || p.outcome >= c.points[i + 1]!.outcome) throw new ContractError('bad-terms', 'midpoints must lie strictly inside their piece, in increasing order');
      if (p.payout < 0n || p.payout > totalCollateral) throw new ContractError('bad-terms', 'curve payouts must lie in [0, total collateral]');
      prev = p.outcome;
    }
    if (m.length > 0 && c.points[i + 1]!.outcome - c.points[i]!.outcome > MAX_POLYNOMIAL_PIECE_OUTCOMES) {
      throw new ContractError('bad-terms', `a polynomial piece may span at most ${MAX_POLYNOMIAL_PIECE_OUTCOMES} outcomes (it is evaluated at each)`);
    }
  });
  if (c.rounding.length > MAX_CURVE_POINTS) throw new ContractError('bad-terms', `at most ${MAX_CURVE_POINTS} rounding intervals`);
  for (let i = 0; i < c.rounding.length; i++) {
    const r = c.rounding[i]!;
    if (r.mod < 1n || r.begin < 0n) throw new ContractError('bad-terms', 'rounding moduli are ≥ 1 and interval starts ≥ 0');
    if (i > 0 && r.begin <= c.rounding[i - 1]!.begin) throw new ContractError('bad-terms', 'rounding interval starts must strictly increase');
  }
}

/** Rounding modulus in force at `x` (1 before the first interval). */
function modAt(c: NumericPayoutCurve, x: bigint): bigint {
  let m = 1n;
  for (const r of c.rounding) if (r.begin <= x) m = r.mod;
  return m;
}

/**
 * The offerer's payout at `x` on the segment (a, b): the line through the two endpoints, rounded to
 * the nearest multiple of `mod` (ties up, NumericOutcome.md) and clamped to [0, total].
 */
function segmentPayout(a: CurvePoint, b: CurvePoint, x: bigint, mod: bigint, total: bigint): bigint {
  const den = b.outcome - a.outcome;
  return roundClamp(a.payout * den + (b.payout - a.payout) * (x - a.outcome), den, mod, total); // value = num / den
}

/** Round value = num/den (den > 0) to the nearest multiple of `mod`, ties up, clamped to [0, total]. */
function roundClamp(num: bigint, den: bigint, mod: bigint, total: bigint): bigint {
  if (num <= 0n) return 0n;
  const rounded = ((2n * num + den * mod) / (2n * den * mod)) * mod;
  return rounded > total ? total : rounded;
}

/** The polynomial through `pts` (distinct outcomes) at x, as a fraction num/den with den > 0 (Lagrange). */
function lagrange(pts: readonly CurvePoint[], x: bigint): { num: bigint; den: bigint } {
  let num = 0n;
  let den = 1n;
  for (let i = 0; i < pts.length; i++) {
    let n = pts[i]!.payout;
    let d = 1n;
    for (let j = 0; j < pts.length; j++) {
      if (j === i) continue;
      n *= x - pts[j]!.outcome;
      d *= pts[i]!.outcome - pts[j]!.outcome;
    }
    // num/den + n/d
    num = num * d + n * den;
    den *= d;
  }
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

/**
 * Evaluate the curve into maximal ranges of equal payout, in outcome order. Within one segment
 * and one rounding interval the rounded line is monotone, so each range's end is found by binary
 * search: the work is O(ranges × log domain), not O(domain).
 */
export function payoutRanges(c: NumericPayoutCurve, maxOutcome: bigint, totalCollateral: bigint): PayoutRange[] {
  if (maxOutcome + 1n > MAX_NUMERIC_DOMAIN) throw new ContractError('bad-terms', 'numeric domain too large');
  checkCurve(c, maxOutcome, totalCollateral);
  // Cut points: segment ends and rounding interval starts.
  const cuts = new Set<bigint>();
  for (const r of c.rounding) if (r.begin > 0n && r.begin <= maxOutcome) cuts.add(r.begin);
  const out: PayoutRange[] = [];
  const push = (start: bigint, end: bigint, pay: bigint): void => {
    const last = out[out.length - 1];
    if (last && last.offerPayout === pay && last.end + 1n === start) last.end = end;
    else {
      if (out.length >= MAX_CETS) throw new ContractError('bad-terms', `the curve needs more than ${MAX_CETS} payout ranges: coarsen its rounding`);
      out.push({ start, end, offerPayout: pay });
    }
  };
  for (let i = 0; i + 1 < c.points.length; i++) {
    const a = c.points[i]!;
    const b = c.points[i + 1]!;
    const segEnd = i + 2 === c.points.length ? b.outcome : b.outcome - 1n; // b belongs to the next segment
    const bounds = [a.outcome, ...[...cuts].filter((x) => x > a.outcome && x <= segEnd).sort((x, y) => (x < y ? -1 : 1))];
    for (let j = 0; j < bounds.length; j++) {
      const lo = bounds[j]!;
      const hi = j + 1 < bounds.length ? bounds[j + 1]! - 1n : segEnd;
      const mod = modAt(c, lo);
      const mids = c.midpoints?.[i];
      if (mids && mids.length > 0) {
        // A polynomial need not be monotone: evaluate every outcome of the stretch (bounded by checkCurve).
        const pts = [a, ...mids, b];
        for (let x = lo; x <= hi; x++) {
          const v = lagrange(pts, x);
          push(x, x, roundClamp(v.num, v.den, mod, totalCollateral));
        }
        continue;
      }
      let x = lo;
      while (x <= hi) {
        const pay = segmentPayout(a, b, x, mod, totalCollateral);
        // largest y in [x, hi] with the same payout (monotone on this stretch)
        let l = x;
        let r = hi;
        while (l < r) {
          const m = (l + r + 1n) / 2n;
          if (segmentPayout(a, b, m, mod, totalCollateral) === pay) l = m;
          else r = m - 1n;
        }
        push(x, l, pay);
        x = l + 1n;
      }
    }
  }
  return out;
}

/** One CET of a numeric contract: the digit prefix it covers and the offerer's payout. */
export interface NumericCet {
  prefix: number[];
  offerPayout: bigint;
}

/** The CETs of a numeric contract: each payout range compressed into digit prefixes. */
export function numericCets(c: NumericPayoutCurve, base: number, nbDigits: number, totalCollateral: bigint): NumericCet[] {
  const maxOutcome = BigInt(base) ** BigInt(nbDigits) - 1n;
  const out: NumericCet[] = [];
  for (const r of payoutRanges(c, maxOutcome, totalCollateral)) {
    for (const prefix of groupByIgnoringDigits(r.start, r.end, base, nbDigits)) {
      if (out.length >= MAX_CETS) throw new ContractError('bad-terms', `more than ${MAX_CETS} CETs`);
      out.push({ prefix, offerPayout: r.offerPayout });
    }
  }
  return out;
}
