// test/unit/oracle/values.test.ts - owns src/oracle/values.ts: a source value becomes the outcomes an event signs; enum values must be listed; numbers are scaled by base^precision exactly or rounded as configured; beyond the digits they are clamped as dlcspecs Oracle.md says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDigitOutcomes, type DigitsDescriptor } from '../../../src/dlc/index.ts';
import { outcomeForValue, parseDecimal, ValueError } from '../../../src/oracle/values.ts';

const D = (over: Partial<DigitsDescriptor> = {}): DigitsDescriptor => ({ kind: 'digits', base: 10, isSigned: false, unit: 'usd', precision: 0, nbDigits: 5, ...over });
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValueError, `expected a ValueError, got ${String(e)}`);
    return e.code;
  }
  throw new Error('expected a ValueError');
};

describe('outcomeForValue', () => {
  it('enum: the value (as text) must be one of the outcomes', () => {
    assert.deepEqual(outcomeForValue({ kind: 'enum', outcomes: ['yes', 'no'] }, 'yes').outcomes, ['yes']);
    assert.deepEqual(outcomeForValue({ kind: 'enum', outcomes: ['true', 'false'] }, true).outcomes, ['true'], 'a JSON boolean is its text');
    assert.equal(code(() => outcomeForValue({ kind: 'enum', outcomes: ['yes', 'no'] }, 'Yes')), 'not-an-outcome');
  });

  it('digits: an exact integer is signed digit by digit, leading zeros included', () => {
    const o = outcomeForValue(D(), 972);
    assert.deepEqual(o.outcomes, ['0', '0', '9', '7', '2']);
    assert.equal(o.clamped, false);
    assert.equal(decodeDigitOutcomes(D(), o.outcomes), 972n);
  });

  it('digits: a fraction is refused unless a rounding is configured', () => {
    assert.equal(code(() => outcomeForValue(D(), '97250.4')), 'not-exact');
    assert.equal(outcomeForValue(D({ nbDigits: 6 }), '97250.4', 'nearest').value, '97250');
    assert.equal(outcomeForValue(D({ nbDigits: 6 }), '97250.5', 'nearest').value, '97251', 'half rounds away from zero');
    assert.equal(outcomeForValue(D({ nbDigits: 6, isSigned: true }), '-97250.5', 'nearest').value, '-97251');
    assert.equal(outcomeForValue(D({ nbDigits: 6 }), 97250.9, 'floor').value, '97250');
    assert.equal(outcomeForValue(D({ nbDigits: 6 }), 97250.1, 'ceil').value, '97251');
    assert.equal(outcomeForValue(D({ nbDigits: 6, isSigned: true }), -1.5, 'floor').value, '-2');
    assert.equal(outcomeForValue(D({ nbDigits: 6, isSigned: true }), -1.5, 'ceil').value, '-1');
  });

  it('digits: precision scales the value (value = integer × base^precision)', () => {
    assert.equal(outcomeForValue(D({ precision: -2 }), '123.45').value, '12345', 'cents');
    assert.equal(outcomeForValue(D({ precision: 3 }), 97000).value, '97', 'thousands');
    assert.equal(code(() => outcomeForValue(D({ precision: 3 }), 97250)), 'not-exact');
    assert.equal(outcomeForValue(D({ base: 2, nbDigits: 10, precision: -1 }), 2.5).value, '5', 'base 2, halves');
    assert.equal(outcomeForValue(D({ precision: -2 }), 1.5e-1).value, '15', 'exponent notation');
  });

  it('digits: out of range is clamped as dlcspecs says (max for too large, 0 for negative on unsigned, -max on signed)', () => {
    const big = outcomeForValue(D({ nbDigits: 3 }), 123456);
    assert.deepEqual(big.outcomes, ['9', '9', '9']);
    assert.equal(big.clamped, true);
    assert.deepEqual(outcomeForValue(D({ nbDigits: 3 }), -5).outcomes, ['0', '0', '0']);
    assert.deepEqual(outcomeForValue(D({ nbDigits: 2, isSigned: true }), -500).outcomes, ['-', '9', '9']);
    assert.deepEqual(outcomeForValue(D({ nbDigits: 2, isSigned: true }), 0).outcomes, ['+', '0', '0'], 'zero is signed "+"');
  });

  it('digits: anything but a decimal number is refused', () => {
    for (const v of ['abc', '', '1,5', 'NaN', '0x10', true, Number.POSITIVE_INFINITY]) assert.equal(code(() => outcomeForValue(D(), v)), 'not-a-number', String(v));
  });

  it('parseDecimal is exact (no floating point)', () => {
    assert.deepEqual(parseDecimal('0.1'), { num: 1n, den: 10n });
    assert.deepEqual(parseDecimal('-12.50'), { num: -1250n, den: 100n });
    assert.deepEqual(parseDecimal('1e3'), { num: 1000n, den: 1n });
    assert.deepEqual(parseDecimal(' 7 '), { num: 7n, den: 1n });
  });
});
