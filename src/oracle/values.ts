/** oracle/values.ts - turn a source's value into the outcome strings an event signs: an enum value must be one of the outcomes; a number is scaled to the descriptor's precision (exactly, or rounded as configured) and clamped as dlcspecs says (outcomesForValue). Imports dlc and oracle. */
import { outcomesForValue, maxDigitValue, type EventDescriptor } from '../dlc/index.ts';
import type { RoundMode, SourceValue } from './sources.ts';

/** A value the event cannot sign; `code` shows in the daemon's status and the admin API's 422. */
export class ValueError extends Error {
  override name = 'ValueError';
  constructor(
    readonly code: 'not-an-outcome' | 'not-a-number' | 'not-exact',
    message: string,
  ) {
    super(message);
  }
}

/** What an event will sign for a value. */
export interface EventOutcome {
  outcomes: string[];
  /** Enum: the outcome; digits: the signed integer (before clamping) as a decimal string. */
  value: string;
  /** The value was outside the representable range and is signed as the bound (dlcspecs Oracle.md). */
  clamped: boolean;
}

const DECIMAL = /^([+-]?)(\d{1,80})(?:\.(\d{1,80}))?(?:[eE]([+-]?\d{1,3}))?$/;

/** A decimal number (JSON number or string) as an exact fraction num/den, den > 0. */
export function parseDecimal(v: SourceValue): { num: bigint; den: bigint } {
  const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  const m = DECIMAL.exec(text);
  if (!m) throw new ValueError('not-a-number', `${JSON.stringify(v).slice(0, 80)} is not a decimal number`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let num = BigInt(int! + frac);
  let den = 10n ** BigInt(frac.length);
  const e = Number(exp);
  if (e >= 0) num *= 10n ** BigInt(e);
  else den *= 10n ** BigInt(-e);
  return { num: sign === '-' ? -num : num, den };
}

function divRound(num: bigint, den: bigint, mode: RoundMode): bigint | null {
  const q = num / den; // truncates toward zero
  const r = num % den;
  if (r === 0n) return q;
  const negative = num < 0n !== den < 0n;
  switch (mode) {
    case 'none':
      return null;
    case 'floor':
      return negative ? q - 1n : q;
    case 'ceil':
      return negative ? q : q + 1n;
    case 'nearest': {
      const twice = (r < 0n ? -r : r) * 2n;
      const d = den < 0n ? -den : den;
      if (twice < d) return q;
      return negative ? q - 1n : q + 1n; // half away from zero
    }
  }
}

/**
 * The outcomes to sign for `value` under `descriptor`. Enum: `String(value)` must be one of the
 * outcomes. Digits: the value is divided by base^precision and must then be an integer, unless
 * `round` says how to round it; a magnitude beyond the digits, or a negative value on an unsigned
 * event, is signed as the nearest representable bound (dlcspecs Oracle.md, outcomesForValue).
 */
export function outcomeForValue(descriptor: EventDescriptor, value: SourceValue, round: RoundMode = 'none'): EventOutcome {
  if (descriptor.kind === 'enum') {
    const s = String(value);
    if (!descriptor.outcomes.includes(s)) throw new ValueError('not-an-outcome', `${JSON.stringify(s).slice(0, 80)} is not one of the outcomes ${JSON.stringify(descriptor.outcomes).slice(0, 200)}`);
    return { outcomes: [s], value: s, clamped: false };
  }
  let { num, den } = parseDecimal(value);
  const scale = BigInt(descriptor.base) ** BigInt(Math.abs(descriptor.precision));
  if (descriptor.precision >= 0) den *= scale;
  else num *= scale;
  const n = divRound(num, den, round);
  if (n === null) throw new ValueError('not-exact', `${String(value)} is not a whole multiple of ${descriptor.base}^${descriptor.precision} (set "round" on the source to round it)`);
  const max = maxDigitValue(descriptor);
  const clamped = n > max || n < (descriptor.isSigned ? -max : 0n);
  return { outcomes: outcomesForValue(descriptor, n), value: n.toString(), clamped };
}
