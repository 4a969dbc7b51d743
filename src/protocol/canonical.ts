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

/** The object that gets signed: a shallow copy without `signatureField`, `pow` and `cTTL` (nested objects stay whole). */
export function signedPart(obj: object, signatureField: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === signatureField || k === 'pow' || k === 'cTTL') continue;
    out[k] = v;
  }
  return out;
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
