// test/unit/dlc/outcomes.test.ts - owns tests of the outcome rules: enum membership, digits in [0, base) as decimal, the sign position, overflow clamping, value decoding and the display layout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkOutcomes, decodeDigitOutcomes, describeAnnouncement, maxDigitValue, outcomeLayout, outcomesForValue, verifyAttestation } from '../../../src/dlc/index.ts';
import type { DigitsDescriptor } from '../../../src/dlc/index.ts';
import { ENUM, SIGNED, UNSIGNED, attest, makeEvent } from './_helpers.ts';

const dec = UNSIGNED as DigitsDescriptor; // base 10, 5 digits, unsigned
const bin = SIGNED as DigitsDescriptor; // base 2, 8 digits, signed
const hex16: DigitsDescriptor = { kind: 'digits', base: 16, isSigned: false, unit: 'x', precision: 0, nbDigits: 2 };

describe('outcome validity', () => {
  it('enum: exactly one listed outcome', () => {
    assert.equal(checkOutcomes(ENUM, ['sun']), null, 'expected a listed outcome to pass');
    assert.equal(checkOutcomes(ENUM, ['Sun'])?.code, 'bad-outcome', 'expected case to matter');
    assert.equal(checkOutcomes(ENUM, ['sun', 'rain'])?.code, 'outcome-count', 'expected two outcomes to be refused');
  });

  it('digits: each a canonical decimal string of a value in [0, base)', () => {
    assert.equal(checkOutcomes(dec, ['0', '9', '0', '0', '1']), null, 'expected decimal digits to pass');
    assert.equal(checkOutcomes(dec, ['0', '10', '0', '0', '1'])?.code, 'bad-outcome', 'expected 10 to be out of base 10');
    assert.equal(checkOutcomes(dec, ['0', '09', '0', '0', '1'])?.code, 'bad-outcome', 'expected a leading zero to be refused');
    assert.equal(checkOutcomes(dec, ['0', '+9', '0', '0', '1'])?.code, 'bad-outcome', 'expected a sign inside a digit to be refused');
    assert.equal(checkOutcomes(dec, ['0', ' 9', '0', '0', '1'])?.code, 'bad-outcome', 'expected whitespace to be refused');
    assert.equal(checkOutcomes(hex16, ['15', '0']), null, 'expected base-16 digit 15 written in decimal to pass');
    assert.equal(checkOutcomes(hex16, ['f', '0'])?.code, 'bad-outcome', 'expected "f" to be refused (Oracle.md: digits in base 10)');
    assert.equal(checkOutcomes(hex16, ['16', '0'])?.code, 'bad-outcome', 'expected 16 to be out of base 16');
    assert.equal(checkOutcomes(dec, ['0', '0', '0', '1'])?.code, 'outcome-count', 'expected 4 digits of 5 to be refused (leading zeros are signed)');
  });

  it('signed digits: "+" or "-" first, zero is "+"', () => {
    assert.equal(checkOutcomes(bin, ['+', '0', '0', '0', '0', '0', '0', '0', '0']), null, 'expected +0 to pass');
    assert.equal(checkOutcomes(bin, ['-', '0', '0', '0', '0', '0', '0', '0', '0'])?.code, 'bad-outcome', 'expected -0 to be refused');
    assert.equal(checkOutcomes(bin, ['-', '0', '0', '0', '0', '0', '0', '0', '1']), null, 'expected -1 to pass');
    assert.equal(checkOutcomes(bin, ['0', '0', '0', '0', '0', '0', '0', '0', '1'])?.code, 'bad-outcome', 'expected a digit in the sign position to be refused');
    assert.equal(checkOutcomes(bin, ['+', '2', '0', '0', '0', '0', '0', '0', '1'])?.code, 'bad-outcome', 'expected 2 to be out of base 2');
    assert.equal(checkOutcomes(dec, ['+', '0', '0', '0', '1'])?.code, 'bad-outcome', 'expected a sign on an unsigned event to be refused');
  });

  it('verifyAttestation applies the rules: a validly signed but invalid outcome is bad-outcome', () => {
    const f = makeEvent(SIGNED, 'dlcspecs-v0', 'rules');
    const good = attest(f, ['+', '0', '0', '0', '0', '0', '0', '0', '1']);
    // sign "-" and zeros with the real keys by going around the attest() guard
    const att = { ...good, outcomes: ['-', '0', '0', '0', '0', '0', '0', '0', '0'] };
    assert.equal(verifyAttestation(f.ann, att, 'dlcspecs-v0')?.code, 'bad-outcome', 'expected -0 to fail before any signature check');
  });
});

describe('values and overflow (Oracle.md "max_value or more", "0 when negative and unsigned")', () => {
  it('encodes with leading zeros and decodes back', () => {
    assert.deepEqual(outcomesForValue(dec, 42n), ['0', '0', '0', '4', '2'], 'expected 42 as 00042');
    assert.equal(decodeDigitOutcomes(dec, ['0', '0', '0', '4', '2']), 42n, 'expected 00042 to decode to 42');
    assert.deepEqual(outcomesForValue(bin, -5n), ['-', '0', '0', '0', '0', '0', '1', '0', '1'], 'expected -5 in signed binary');
    assert.equal(decodeDigitOutcomes(bin, ['-', '0', '0', '0', '0', '0', '1', '0', '1']), -5n, 'expected -5 back');
    assert.deepEqual(outcomesForValue(hex16, 255n), ['15', '15'], 'expected 255 as 15,15 in base 16');
    assert.equal(decodeDigitOutcomes(hex16, ['15', '15']), 255n, 'expected 255 back from base 16');
  });

  it('clamps overflow to the maximum and underflow to the minimum / zero', () => {
    assert.equal(maxDigitValue(dec), 99_999n, 'expected 10^5 - 1');
    assert.deepEqual(outcomesForValue(dec, 1_000_000n), ['9', '9', '9', '9', '9'], 'expected an overflow to sign 99999');
    assert.deepEqual(outcomesForValue(dec, -7n), ['0', '0', '0', '0', '0'], 'expected a negative value on an unsigned event to sign 0');
    assert.deepEqual(outcomesForValue(bin, 1000n), ['+', '1', '1', '1', '1', '1', '1', '1', '1'], 'expected +255 for an overflow');
    assert.deepEqual(outcomesForValue(bin, -1000n), ['-', '1', '1', '1', '1', '1', '1', '1', '1'], 'expected -255 for an underflow');
    assert.deepEqual(outcomesForValue(bin, 0n), ['+', '0', '0', '0', '0', '0', '0', '0', '0'], 'expected zero to be "+"');
  });

  it('round-trips every value of a small signed event through sign and verify', () => {
    const d: DigitsDescriptor = { kind: 'digits', base: 3, isSigned: true, unit: 'u', precision: 0, nbDigits: 2 };
    const f = makeEvent(d, 'basic-sha256', 'small');
    for (let v = -8n; v <= 8n; v++) {
      const att = attest(f, outcomesForValue(d, v));
      assert.equal(verifyAttestation(f.ann, att, 'basic-sha256'), null, `expected the attestation of ${v} to verify`);
      assert.equal(decodeDigitOutcomes(d, att.outcomes), v, `expected ${v} to decode back`);
    }
  });

  it('decodeDigitOutcomes refuses invalid outcomes', () => {
    assert.throws(() => decodeDigitOutcomes(dec, ['0', '0', '0', '0', 'x']), /not a base-10 digit/, 'expected a DlcError for "x"');
  });
});

describe('display helpers', () => {
  it('layout and summary', () => {
    assert.deepEqual(outcomeLayout(ENUM), ['rain', 'sun', 'snow'], 'expected the enum outcomes');
    const rows = outcomeLayout(bin) as { position: number; values: string[] }[];
    assert.deepEqual(rows[0], { position: 0, values: ['+', '-'] }, 'expected the sign row first');
    assert.deepEqual(rows[8], { position: 8, values: ['0', '1'] }, 'expected binary digit rows');
    assert.equal(rows.length, 9, 'expected 1 sign row + 8 digit rows');
    const f = makeEvent(SIGNED, 'dlcspecs-v0', 'show');
    const s = describeAnnouncement(f.ann);
    assert.equal(s.maturity, '2030-03-17T17:46:40.000Z', 'expected the maturity as ISO UTC');
    assert.deepEqual(s.numeric, { base: 2, isSigned: true, unit: 'C', precision: 0, nbDigits: 8, min: '-255', max: '255' }, 'expected the numeric range');
    assert.deepEqual(s.nonces, f.ann.event.nonces, 'expected the nonces in order');
  });
});
