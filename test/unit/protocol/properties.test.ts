// test/unit/protocol/properties.test.ts - owns the fast-check property tests of canonicalization and sign/verify round trips (fixed seeds).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalEqual, canonicalize, signedPart, signingHash, signingText } from '../../../src/protocol/canonical.ts';
import { isPrivateKey, publicKeyOf, verifyHash } from '../../../src/protocol/keys.ts';
import { factHash, signFact, signObject } from '../../../src/protocol/sign.ts';
import { isFactSignatureValid } from '../../../src/protocol/verify.ts';
import { CAPABILITY } from './_helpers.ts';

const RUNS = { seed: 42, numRuns: 200 } as const;

/** A deep copy of a JSON value whose object keys are inserted in an order driven by `order`. */
function permuteKeys(v: unknown, order: number[], depth = 0): unknown {
  if (Array.isArray(v)) return v.map((x) => permuteKeys(x, order, depth + 1));
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v);
  // Fisher-Yates driven by the generated numbers, so every permutation is reachable and shrinkable.
  for (let i = entries.length - 1; i > 0; i--) {
    const j = (order[(i + depth) % order.length] as number) % (i + 1);
    [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
  }
  // Object.fromEntries defines own properties, so a generated "__proto__" key stays a plain key.
  return Object.fromEntries(entries.map(([k, x]) => [k, permuteKeys(x, order, depth + 1)]));
}

const privateKeyArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString('hex'))
  .filter((k) => isPrivateKey(k));

/** Member names of random objects; `__proto__` is forced in now and then (it must stay a plain, signed key). */
const keyArb = fc.oneof({ arbitrary: fc.string({ minLength: 1, maxLength: 12 }), weight: 9 }, { arbitrary: fc.constant('__proto__'), weight: 1 });

describe('canonicalization properties', () => {
  it('is stable under key-order permutation of nested objects', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.nat(), { minLength: 1, maxLength: 16 }), (value, order) => {
        const permuted = permuteKeys(value, order);
        assert.equal(canonicalize(permuted), canonicalize(value));
        assert.equal(canonicalEqual(permuted, value), true, 'expected canonicalEqual(permuted, value) to be true');
      }),
      RUNS,
    );
  });

  it('is idempotent: canonical text parses back to a value with the same canonical text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalize(value);
        assert.equal(canonicalize(JSON.parse(text)), text);
      }),
      RUNS,
    );
  });

  it('has no insignificant whitespace and sorted keys at every level (against a reference writer)', () => {
    // Integer-like keys ("0", "10") are why "sort, then JSON.stringify" is not JCS in JavaScript:
    // objects enumerate them first. The reference writer below joins the sorted members itself.
    fc.assert(
      fc.property(fc.dictionary(keyArb, fc.oneof(fc.integer(), fc.dictionary(keyArb, fc.integer()))), (value) => {
        assert.equal(canonicalize(value), referenceJcs(value));
      }),
      RUNS,
    );
  });

  it('the signed part drops exactly the signature field, pow and cTTL at the top level only', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, fc.jsonValue()), fc.jsonValue(), (obj, nested) => {
        const full = { ...obj, sig: 'x', pow: { difficulty: 1 }, cTTL: 3, inner: { pow: nested, cTTL: 1, sig: 'y' } };
        const part = signedPart(full, 'sig');
        assert.equal('sig' in part, false, "expected 'sig' in part to be false");
        assert.equal('pow' in part, false, "expected 'pow' in part to be false");
        assert.equal('cTTL' in part, false, "expected 'cTTL' in part to be false");
        assert.deepEqual(part.inner, full.inner);
        assert.equal(signingText(full, 'sig'), canonicalize(part));
      }),
      RUNS,
    );
  });
});

describe('sign/verify properties', () => {
  it('sign-then-verify round-trips for random objects and keys; pow and cTTL changes keep it valid', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, fc.jsonValue(), { maxKeys: 8 }), privateKeyArb, fc.nat(255), fc.jsonValue(), (obj, priv, cTTL, pow) => {
        const pub = publicKeyOf(priv);
        const signed = { ...obj, signature: signObject(obj, 'signature', priv) };
        assert.equal(verifyHash(signed.signature, signingHash(signed, 'signature'), pub), true, 'expected verifyHash to accept the signature');
        // Deterministic: the same object signs to the same bytes.
        assert.equal(signObject(permuteKeys(obj, [3, 1, 4, 1, 5]) as object, 'signature', priv), signed.signature);
        // Unsigned fields may change in transit.
        const relayed = { ...signed, cTTL, pow };
        assert.equal(verifyHash(signed.signature, signingHash(relayed, 'signature'), pub), true, 'expected verifyHash to accept the signature');
        // Anything else may not.
        const tampered = { ...signed, tampered: true };
        assert.equal(verifyHash(signed.signature, signingHash(tampered, 'signature'), pub), false, 'expected verifyHash to refuse the signature');
      }),
      RUNS,
    );
  });

  it('facts round-trip for random requests and answers, and only verify for their own {request, answer}', () => {
    const args = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 64 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)),
      fc.string({ maxLength: 256 }),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(args, fc.string({ maxLength: 64 }), fc.string({ maxLength: 64 }), (a, answer, otherAnswer) => {
        const request = { capabilityPubKey: CAPABILITY.publicKey, arguments: a };
        const f = signFact(request, answer, CAPABILITY.privateKey);
        assert.equal(isFactSignatureValid(f), true, "expected the fact's signature to verify");
        assert.equal(factHash(request, answer), factHash({ arguments: permuteKeys(a, [7, 2]) as Record<string, string>, capabilityPubKey: request.capabilityPubKey }, answer));
        if (otherAnswer !== answer) assert.equal(isFactSignatureValid({ ...f, answer: otherAnswer }), false, "expected the fact's signature to be refused");
      }),
      RUNS,
    );
  });
});

/** Minimal JCS writer for objects, arrays, strings and safe integers: the rule written out by hand. */
function referenceJcs(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(referenceJcs).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceJcs((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
