// test/unit/bench/raw-baseline.test.ts - a benchmark run's same-run baseline (bench/lib/raw-baseline.ts): the mean of the raw verify rates right before and right after the run, the run's rate as a ratio to it, and one raw verify in µs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rawBaseline } from '../../../bench/lib/raw-baseline.ts';
import { rawVerifyRate } from '../../../bench/lib/measure.ts';

describe('bench raw verify baseline', () => {
  it('takes the mean of before and after as the host speed, and divides the run rate by it', () => {
    // Session 9's two host speeds: 19.5k/s and 15.0k/s; a 100k sync in 5 s is 20,000 entries/s.
    const b = rawBaseline(19_500, 15_000, 20_000);
    assert.equal(b.rawVerifyPerSec, 17_250, 'host speed = mean of the rates before and after');
    assert.deepEqual(b.rawVerifyPerSecBeforeAfter, [19_500, 15_000], 'both measurements kept, before first');
    assert.equal(b.ratioToRawVerify, 1.159, 'ratio = entries per second / mean raw rate (20000 / 17250), 3 decimals');
    assert.equal(b.rawVerifyMicrosPerCheck, 58, 'one raw verify = 10^6 / 17250 µs, 1 decimal');
  });

  it('gives the same ratio for the same code on a host twice as fast (the point of a same-run baseline)', () => {
    assert.equal(rawBaseline(10_000, 10_000, 8_000).ratioToRawVerify, rawBaseline(20_000, 20_000, 16_000).ratioToRawVerify, 'ratio independent of host speed');
    assert.equal(rawBaseline(20_000, 20_000, 16_000).rawVerifyMicrosPerCheck, 50, '10^6 / 20000 µs');
  });

  it('leaves the ratio NaN (null in the JSON result) when the run did not finish, and refuses a baseline that is not a rate', () => {
    assert.ok(Number.isNaN(rawBaseline(15_000, 15_000, NaN).ratioToRawVerify), 'a timed-out run has no ratio');
    assert.equal(JSON.stringify(rawBaseline(15_000, 15_000, NaN).ratioToRawVerify), 'null', 'NaN is written as null');
    assert.throws(() => rawBaseline(0, 15_000, 1), /raw verify rates must be > 0/, 'a zero rate before is refused');
    assert.throws(() => rawBaseline(15_000, NaN, 1), /raw verify rates must be > 0/, 'a NaN rate after is refused');
  });

  it('measures a real positive verify rate in a short window (what bench/sync.ts runs before and after each sync)', () => {
    const rate = rawVerifyRate(50);
    assert.ok(Number.isFinite(rate) && rate > 0, `expected a positive finite rate, got ${rate}`);
  });
});
