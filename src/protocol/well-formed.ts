/** protocol/well-formed.ts - finds lone UTF-16 surrogates in JSON values (they have no UTF-8 form, so RFC 8785 cannot canonicalize them): the allocation-free walk every admitted payload gets, and the path of the first one. Imports nothing. */

const LONE_SURROGATE = /\p{Surrogate}/u;

/** `String.prototype.isWellFormed` (ES2024, in Node 20; the compile target's lib predates it). */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

/**
 * Does any string or key in `value` hold a lone surrogate? (The allocation-free walk every admission
 * runs; the path is built only on a hit.) `isWellFormed` answers exactly what /\p{Surrogate}/u finds
 * (a pair is one astral code point, not a surrogate), natively, without a regular expression per string.
 */
function hasIllFormedString(value: unknown): boolean {
  if (typeof value === 'string') return !isWellFormed.call(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasIllFormedString(value[i])) return true;
    return false;
  }
  if (value !== null && typeof value === 'object') {
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      if (!isWellFormed.call(k) || hasIllFormedString((value as Record<string, unknown>)[k])) return true;
    }
  }
  return false;
}

/**
 * Path of the first string (or object key) holding a lone UTF-16 surrogate, or null. JSON can
 * carry them ("\ud800") but they have no UTF-8 form, so RFC 8785 cannot canonicalize them:
 * such input is refused before any hashing.
 */
export function findIllFormedString(value: unknown, path = ''): string | null {
  return hasIllFormedString(value) ? illFormedPath(value, path) : null;
}

function illFormedPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || '(root)' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = illFormedPath(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(k)) return `${path}.${k.replace(LONE_SURROGATE, '?')}`;
      const p = illFormedPath(v, `${path}.${k}`);
      if (p) return p;
    }
  }
  return null;
}
