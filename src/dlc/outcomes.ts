/** dlc/outcomes.ts - outcome rules of dlcspecs Oracle.md: which strings an event may sign, digit layout, value encode/decode with overflow clamping. Imports only dlc. */
import { noncesNeeded } from './codec.ts';
import { DlcError } from './errors.ts';
import type { DigitsDescriptor, EventDescriptor } from './types.ts';

/** The canonical decimal string of each digit value in [0, base): "0", "1", …, no leading zeros. */
function digitValue(s: string, base: number): number | null {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(s)) return null;
  const v = Number(s);
  return v < base ? v : null;
}

/**
 * Whether `outcomes` (one per nonce, in nonce order) may be signed for the descriptor. Enum: one
 * listed outcome. Digits: "+" or "-" first when signed, then nb_digits digits, each the decimal
 * string of a value in [0, base) (Oracle.md: bases above 10 are written in base 10). Zero is
 * signed "+" (Oracle.md: "+" for a positive or zero value), so "-" followed by zeros is refused.
 * Returns null when valid.
 */
export function checkOutcomes(d: EventDescriptor, outcomes: readonly string[]): DlcError | null {
  const need = noncesNeeded(d);
  if (outcomes.length !== need) return new DlcError('outcome-count', `${outcomes.length} outcomes, the event signs ${need}`);
  if (d.kind === 'enum') {
    return d.outcomes.includes(outcomes[0]!) ? null : new DlcError('bad-outcome', 'outcome is not one of the enum outcomes');
  }
  let i = 0;
  let negative = false;
  if (d.isSigned) {
    const sign = outcomes[0];
    if (sign !== '+' && sign !== '-') return new DlcError('bad-outcome', 'first outcome of a signed event must be "+" or "-"');
    negative = sign === '-';
    i = 1;
  }
  let allZero = true;
  for (; i < outcomes.length; i++) {
    const v = digitValue(outcomes[i]!, d.base);
    if (v === null) return new DlcError('bad-outcome', `outcome ${i} is not a base-${d.base} digit written in decimal`);
    if (v !== 0) allZero = false;
  }
  if (negative && allZero) return new DlcError('bad-outcome', 'zero must be signed "+", not "-"');
  return null;
}

/**
 * The integer an attestation's digit outcomes encode (sign applied), for a `digits` event. The
 * real-world value is this times base^precision, in the descriptor's unit. Throws DlcError
 * `bad-outcome` / `outcome-count` when the outcomes are not valid for the descriptor.
 */
export function decodeDigitOutcomes(d: DigitsDescriptor, outcomes: readonly string[]): bigint {
  const err = checkOutcomes(d, outcomes);
  if (err) throw err;
  const digits = d.isSigned ? outcomes.slice(1) : outcomes;
  let v = 0n;
  const base = BigInt(d.base);
  for (const s of digits) v = v * base + BigInt(s);
  return d.isSigned && outcomes[0] === '-' ? -v : v;
}

/** Largest magnitude a digits event can attest: base^nb_digits - 1. */
export function maxDigitValue(d: DigitsDescriptor): bigint {
  return BigInt(d.base) ** BigInt(d.nbDigits) - 1n;
}

/**
 * The outcome strings an oracle signs for `value`, applying Oracle.md's overflow rules: a
 * magnitude above base^nb_digits - 1 is signed as that maximum ("max_value or more", "-max or
 * less" when signed), and a negative value on an unsigned event is signed as 0. Leading zeros
 * are signed.
 */
export function outcomesForValue(d: DigitsDescriptor, value: bigint): string[] {
  const max = maxDigitValue(d);
  let negative = value < 0n;
  let mag = negative ? -value : value;
  if (negative && !d.isSigned) {
    negative = false;
    mag = 0n;
  }
  if (mag > max) mag = max;
  const base = BigInt(d.base);
  const digits: string[] = new Array<string>(d.nbDigits);
  for (let i = d.nbDigits - 1; i >= 0; i--) {
    digits[i] = (mag % base).toString(10);
    mag /= base;
  }
  if (!d.isSigned) return digits;
  return [negative ? '-' : '+', ...digits];
}

/**
 * What a client shows for an event: for enum the outcomes; for digits one row per nonce with
 * the strings it may sign ("+"/"-" for the sign row, "0".."base-1" otherwise), like bitcoin-s'
 * `getannouncement`. Bases above 64 return only the range to keep this small.
 */
export function outcomeLayout(d: EventDescriptor): string[] | { position: number; values: string[] | { from: string; to: string } }[] {
  if (d.kind === 'enum') return [...d.outcomes];
  const rows: { position: number; values: string[] | { from: string; to: string } }[] = [];
  let pos = 0;
  if (d.isSigned) rows.push({ position: pos++, values: ['+', '-'] });
  const digits = d.base <= 64 ? Array.from({ length: d.base }, (_, i) => String(i)) : { from: '0', to: String(d.base - 1) };
  for (let i = 0; i < d.nbDigits; i++) rows.push({ position: pos++, values: digits });
  return rows;
}
