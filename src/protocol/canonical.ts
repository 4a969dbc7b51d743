/** protocol/canonical.ts - RFC 8785 (JCS) canonical JSON and the signing bytes of every signed object. Imports nothing outside protocol. */
import canonicalizeJcs from 'canonicalize';
import { sha256Hex } from './hash.ts';

/** Fields never covered by an entity signature: the hop limit changes in transit and PoW can be raised later. */
export const UNSIGNED_FIELDS = ['pow', 'cTTL'] as const;

/** RFC 8785 canonical JSON text of a JSON value. Throws on values JSON cannot represent. */
export function canonicalize(value: unknown): string {
  const text = canonicalizeJcs(value);
  if (typeof text !== 'string') throw new TypeError('value has no JSON representation');
  return text;
}

/**
 * A shallow copy of `obj` without the top-level members named in `drop` (nested objects stay whole).
 * Members are defined, not assigned, so an own "__proto__" member stays a key instead of setting the prototype.
 */
export function omitTopLevel(obj: object, drop: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (drop.includes(k)) continue;
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The object that gets signed: a shallow copy without `signatureField`, `pow` and `cTTL` (nested objects stay whole). */
export function signedPart(obj: object, signatureField: string): Record<string, unknown> {
  return omitTopLevel(obj, [signatureField, ...UNSIGNED_FIELDS]);
}

/** Canonical text of the signed part of `obj`. */
export function signingText(obj: object, signatureField: string): string {
  return canonicalize(signedPart(obj, signatureField));
}

/** SHA-256 (hex) of the canonical signed part: the 32-byte message an ECDSA signature covers. */
export function signingHash(obj: object, signatureField: string): string {
  return sha256Hex(signingText(obj, signatureField));
}

/** True when two JSON values have the same canonical form. */
export function canonicalEqual(a: unknown, b: unknown): boolean {
  return canonicalize(a) === canonicalize(b);
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Path of the first string (or object key) holding a lone UTF-16 surrogate, or null. JSON can
 * carry them ("\ud800") but they have no UTF-8 form, so RFC 8785 cannot canonicalize them:
 * such input is refused before any hashing.
 */
export function findIllFormedString(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || '(root)' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findIllFormedString(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(k)) return `${path}.${k.replace(LONE_SURROGATE, '?')}`;
      const p = findIllFormedString(v, `${path}.${k}`);
      if (p) return p;
    }
  }
  return null;
}
