// test/unit/protocol/signatures.test.ts - owns tests of keys, signing and signature verification: tampering, malleability, bad keys, garbage input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { signingHash } from '../../../src/protocol/canonical.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { generateKeyPair, isLowS, isPrivateKey, isPublicKey, publicKeyOf, signHash, verifyHash } from '../../../src/protocol/keys.ts';
import { minePowSync } from '../../../src/protocol/pow.ts';
import { signCapability, signFact, signOracleId, signRotation } from '../../../src/protocol/sign.ts';
import type { Fact, OracleCapability, OracleId } from '../../../src/protocol/types.ts';
import { isFactSignatureValid, verifyCapability, verifyOracleId } from '../../../src/protocol/verify.ts';
import {
  CAPABILITY,
  clone,
  fixedKeys,
  leafPaths,
  loadVectors,
  makeCapability,
  makeFact,
  makeOracle,
  ORACLE,
  OTHER_CAPABILITY,
  OTHER_ORACLE,
  tamperAt,
} from './_helpers.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex64 = (x: bigint): string => x.toString(16).padStart(64, '0');
const highS = (sig: string): string => sig.slice(0, 64) + hex64(N - BigInt('0x' + sig.slice(64)));

/** A fully populated oracle ad: every optional field present, so every field can be tampered with. */
function fullOracle(): OracleId {
  return makeOracle(ORACLE, { seqNo: 7, tags: ['a', 'b'], manifestUri: 'https://o.example/m.json', bid: { amount: 5, proof: 'p', paymentType: 'lightning' } });
}

describe('tampering: every signed field of an OracleId breaks its signature', () => {
  const o = fullOracle();
  it('the untampered ad verifies', () => {
    assert.equal(verifyOracleId(o), null);
  });
  const paths = leafPaths(o).filter((p) => p[0] !== 'pow' && p[0] !== 'cTTL' && p[0] !== 'oracleSignature');
  it('covers every signed field', () => {
    assert.deepEqual(
      [...new Set(paths.map((p) => p[0]))].sort(),
      ['bid', 'manifestUri', 'oracleSignatureType', 'pubkey', 'seqNo', 'tags'],
    );
  });
  for (const p of paths) {
    it(`changing ${p.join('.')} -> signature-invalid`, () => {
      assert.equal(verifyOracleId(tamperAt(o, p, OTHER_ORACLE.publicKey))?.reason, 'signature-invalid');
    });
  }
  for (const k of ['bid', 'manifestUri', 'oracleSignatureType', 'seqNo', 'tags'] as const) {
    it(`removing ${k} -> signature-invalid`, () => {
      const t = clone(o) as Partial<OracleId>;
      delete t[k];
      assert.equal(verifyOracleId(t as OracleId)?.reason, 'signature-invalid');
    });
  }
  it('adding a field -> signature-invalid', () => {
    assert.equal(verifyOracleId({ ...o, extra: 1 } as OracleId)?.reason, 'signature-invalid');
  });
  it('a pubkey that is not on the curve -> invalid-pubkey', () => {
    assert.equal(verifyOracleId({ ...o, pubkey: '02' + '0'.repeat(63) + '5' })?.reason, 'invalid-pubkey');
  });
  it('changing any part of the signature -> signature-invalid', () => {
    for (const i of [0, 63, 64, 127]) {
      const sig = o.oracleSignature;
      const flipped = sig.slice(0, i) + (sig[i] === '0' ? '1' : '0') + sig.slice(i + 1);
      assert.equal(verifyOracleId({ ...o, oracleSignature: flipped })?.reason, 'signature-invalid', `char ${i}`);
    }
  });
  it('changing pow or cTTL does not', () => {
    assert.equal(verifyOracleId({ ...o, cTTL: 0 }), null);
    assert.equal(verifyOracleId({ ...o, cTTL: 255 }), null);
    assert.equal(verifyOracleId({ ...o, pow: minePowSync(o.pubkey, 6, 'more work') }), null);
    assert.equal(verifyOracleId({ ...o, pow: { ...o.pow, difficulty: 200, magicNo: 1 } }), null);
  });
});

describe('tampering: every signed field of an OracleCapability breaks its signature', () => {
  const c = makeCapability(ORACLE, CAPABILITY, { seqNo: 4 });
  it('the untampered ad verifies', () => {
    assert.equal(verifyCapability(c), null);
  });
  const paths = leafPaths(c).filter((p) => p[0] !== 'pow' && p[0] !== 'cTTL' && p[0] !== 'oracleSignature');
  it('covers every signed field', () => {
    assert.deepEqual(
      [...new Set(paths.map((p) => p[0]))].sort(),
      ['answers', 'capabilityPubKey', 'endpoint', 'off', 'oraclePubKey', 'oracleSignatureType', 'params', 'question', 'seqNo', 'tags'],
    );
  });
  for (const p of paths) {
    it(`changing ${p.join('.')} -> signature-invalid`, () => {
      assert.equal(verifyCapability(tamperAt(c, p, OTHER_CAPABILITY.publicKey))?.reason, 'signature-invalid');
    });
  }
  for (const k of ['answers', 'endpoint', 'off', 'params', 'tags', 'seqNo', 'question'] as const) {
    it(`removing ${k} -> signature-invalid`, () => {
      const t = clone(c) as Partial<OracleCapability>;
      delete t[k];
      assert.equal(verifyCapability(t as OracleCapability)?.reason, 'signature-invalid');
    });
  }
  it('empty arrays are signed too: [] differs from an absent field', () => {
    const withEmpty = makeCapability(ORACLE, CAPABILITY, { answers: [] });
    assert.equal(verifyCapability(withEmpty), null);
    const { answers: _a, ...without } = withEmpty;
    assert.equal(verifyCapability(without as OracleCapability)?.reason, 'signature-invalid');
  });
  it('a capability signed by the capability key instead of the oracle key -> signature-invalid', () => {
    const { oracleSignature: _s, oracleSignatureType: _t, ...unsigned } = c;
    const wrong = signCapability({ ...unsigned, oraclePubKey: CAPABILITY.publicKey }, CAPABILITY.privateKey);
    assert.equal(verifyCapability({ ...wrong, oraclePubKey: ORACLE.publicKey })?.reason, 'signature-invalid');
  });
  it('pubkeys not on the curve -> invalid-pubkey', () => {
    assert.equal(verifyCapability({ ...c, oraclePubKey: '02' + '0'.repeat(64) })?.reason, 'invalid-pubkey');
    assert.equal(verifyCapability({ ...c, capabilityPubKey: '02' + '0'.repeat(64) })?.reason, 'invalid-pubkey');
  });
  it('changing pow or cTTL does not', () => {
    assert.equal(verifyCapability({ ...c, cTTL: 0 }), null);
    assert.equal(verifyCapability({ ...c, pow: { ...c.pow, difficulty: 9, magicNo: 12345, magicString: 'x' } }), null);
  });
});

describe('tampering: every signed field of a Fact breaks its signature', () => {
  const f = makeFact('A', { capabilityPubKey: CAPABILITY.publicKey, arguments: { match: 'A-B', round: 'final' } });
  it('the untampered fact verifies', () => {
    assert.equal(isFactSignatureValid(f), true, "expected the fact's signature to verify");
  });
  const paths = leafPaths({ request: f.request, answer: f.answer });
  for (const p of paths) {
    it(`changing ${p.join('.')} -> invalid`, () => {
      assert.equal(isFactSignatureValid(tamperAt(f, p, OTHER_CAPABILITY.publicKey)), false, "expected the fact's signature to be refused");
    });
  }
  it('adding or removing an argument -> invalid', () => {
    assert.equal(isFactSignatureValid({ ...f, request: { ...f.request, arguments: { ...f.request.arguments, extra: '' } } }), false, 'expected isFactSignatureValid({ ...f, request: { ...f.request, arguments: { ...f.request.arguments, extra: ...');
    assert.equal(isFactSignatureValid({ ...f, request: { ...f.request, arguments: { match: 'A-B' } } }), false, "expected the fact's signature to be refused");
  });
  it('an answer signed by another capability key -> invalid', () => {
    const other = signFact({ ...f.request, capabilityPubKey: OTHER_CAPABILITY.publicKey }, f.answer, OTHER_CAPABILITY.privateKey);
    assert.equal(isFactSignatureValid({ ...f, signature: other.signature }), false, "expected the fact's signature to be refused");
  });
  it('the signature covers {request, answer} only: signatureType is not signed (the schema pins it)', () => {
    assert.equal(isFactSignatureValid({ ...f, signatureType: 'other' } as unknown as Fact), true, "expected the fact's signature to verify");
  });
  it('a fact is not a signature over the bare answer', () => {
    const bare = signHash(sha256Hex(f.answer), CAPABILITY.privateKey);
    assert.equal(isFactSignatureValid({ ...f, signature: bare }), false, "expected the fact's signature to be refused");
  });
});

describe('high-S signatures', () => {
  const o = fullOracle();
  it('the signer only produces low-S, and the n - s twin is refused everywhere', () => {
    assert.equal(isLowS(o.oracleSignature), true, 'expected a low-S signature');
    const twin = highS(o.oracleSignature);
    assert.equal(isLowS(twin), false, 'expected a high-S signature to be flagged');
    assert.equal(verifyHash(twin, signingHash(o, 'oracleSignature'), o.pubkey), false, 'expected verifyHash to refuse the signature');
    assert.equal(verifyOracleId({ ...o, oracleSignature: twin })?.reason, 'signature-invalid');
    const c = makeCapability();
    assert.equal(verifyCapability({ ...c, oracleSignature: highS(c.oracleSignature) })?.reason, 'signature-invalid');
    const f = makeFact('A');
    assert.equal(isFactSignatureValid({ ...f, signature: highS(f.signature) }), false, "expected the fact's signature to be refused");
  });
  it('s = n/2 is the largest accepted s; n/2 + 1 is high', () => {
    const half = (N - 1n) / 2n;
    assert.equal(isLowS('1'.repeat(64) + hex64(half)), true, 'expected a low-S signature');
    assert.equal(isLowS('1'.repeat(64) + hex64(half + 1n)), false, 'expected a high-S signature to be flagged');
  });
  it('every signature of 50 random hashes is low-S and its twin is refused', () => {
    for (let i = 0; i < 50; i++) {
      const h = sha256Hex(`msg ${i}`);
      const sig = signHash(h, ORACLE.privateKey);
      assert.equal(isLowS(sig), true, 'expected a low-S signature');
      assert.equal(verifyHash(sig, h, ORACLE.publicKey), true, 'expected verifyHash to accept the signature');
      assert.equal(verifyHash(highS(sig), h, ORACLE.publicKey), false, 'expected verifyHash to refuse the signature');
    }
  });
});

describe('keys', () => {
  const v = loadVectors();
  for (const k of v.invalidPublicKeys) {
    it(`isPublicKey refuses: ${k.why}`, () => {
      assert.equal(isPublicKey(k.publicKey), false, 'expected the public key refused');
    });
  }
  it('isPublicKey accepts both parities and refuses non-strings', () => {
    assert.equal(isPublicKey(ORACLE.publicKey), true, 'expected a valid public key');
    const parities = new Set([1, 2, 3, 4, 5, 6].map((b) => fixedKeys(b).publicKey.slice(0, 2)));
    assert.deepEqual([...parities].sort(), ['02', '03']);
    for (const b of [1, 2, 3, 4, 5, 6]) assert.equal(isPublicKey(fixedKeys(b).publicKey), true, 'expected a valid public key');
    for (const x of [undefined, null, 3, {}, [], Buffer.from(ORACLE.publicKey, 'hex')]) assert.equal(isPublicKey(x), false, 'expected the public key refused');
  });
  it('isPrivateKey: 0 and n and above are refused; 1 and n - 1 accepted', () => {
    assert.equal(isPrivateKey('0'.repeat(64)), false, 'expected the private key refused');
    assert.equal(isPrivateKey(hex64(N)), false, 'expected the private key refused');
    assert.equal(isPrivateKey('f'.repeat(64)), false, 'expected the private key refused');
    assert.equal(isPrivateKey(hex64(1n)), true, 'expected a valid private key');
    assert.equal(isPrivateKey(hex64(N - 1n)), true, 'expected a valid private key');
    assert.equal(isPrivateKey('AB'.repeat(32)), false, 'expected the private key refused');
  });
  it('publicKeyOf and signHash refuse invalid input with an Error', () => {
    assert.throws(() => publicKeyOf('0'.repeat(64)), Error);
    assert.throws(() => signHash('zz', ORACLE.privateKey), /hash must be 64 lowercase hex/);
    assert.throws(() => signHash(sha256Hex('x'), 'f'.repeat(64)), /invalid private key/);
  });
  it('generateKeyPair gives a working pair', () => {
    const k = generateKeyPair();
    assert.equal(publicKeyOf(k.privateKey), k.publicKey);
    const h = sha256Hex('hello');
    assert.equal(verifyHash(signHash(h, k.privateKey), h, k.publicKey), true, 'expected verifyHash to accept the signature');
  });
  it('signers refuse a private key that does not match the declared public key', () => {
    const o = makeOracle(ORACLE);
    const { oracleSignature: _s, oracleSignatureType: _t, ...unsigned } = o;
    assert.throws(() => signOracleId(unsigned, OTHER_ORACLE.privateKey), /does not match/);
    const c = makeCapability();
    const { oracleSignature: _cs, oracleSignatureType: _ct, ...unsignedCap } = c;
    assert.throws(() => signCapability(unsignedCap, CAPABILITY.privateKey), /does not match/);
    assert.throws(() => signFact({ capabilityPubKey: CAPABILITY.publicKey, arguments: {} }, 'x', ORACLE.privateKey), /does not match/);
  });
  it('the rotation link signs SHA-256 of the new pubkey hex text', () => {
    const link = signRotation(OTHER_ORACLE.publicKey, ORACLE.privateKey);
    assert.equal(verifyHash(link, sha256Hex(OTHER_ORACLE.publicKey), ORACLE.publicKey), true, 'expected verifyHash to accept the signature');
    assert.equal(verifyHash(link, sha256Hex(Buffer.from(OTHER_ORACLE.publicKey, 'hex')), ORACLE.publicKey), false, 'expected verifyHash to refuse the signature');
  });
});

describe('verifyHash never throws on garbage', () => {
  const h = sha256Hex('m');
  const sig = signHash(h, ORACLE.privateKey);
  it('hand-picked hostile inputs return false', () => {
    const r0 = '0'.repeat(64) + sig.slice(64);
    const rN = hex64(N) + sig.slice(64);
    const sN = sig.slice(0, 64) + hex64(N);
    const s0 = sig.slice(0, 64) + '0'.repeat(64);
    const cases: [unknown, unknown, unknown][] = [
      [r0, h, ORACLE.publicKey],
      [rN, h, ORACLE.publicKey],
      [sN, h, ORACLE.publicKey],
      [s0, h, ORACLE.publicKey],
      ['f'.repeat(128), h, ORACLE.publicKey],
      [sig, h, '02' + '0'.repeat(63) + '5'],
      [sig, h, '03' + 'f'.repeat(64)],
      [sig, h, '04' + ORACLE.publicKey.slice(2)],
      [sig.toUpperCase(), h, ORACLE.publicKey],
      [sig, h.toUpperCase(), ORACLE.publicKey],
      [sig + '00', h, ORACLE.publicKey],
      [sig, h + '00', ORACLE.publicKey],
      [sig, '', ORACLE.publicKey],
      [Buffer.from(sig, 'hex'), h, ORACLE.publicKey],
      [sig, Buffer.from(h, 'hex'), ORACLE.publicKey],
      [sig, h, Buffer.from(ORACLE.publicKey, 'hex')],
      [null, null, null],
      [undefined, undefined, undefined],
      [{ toString: () => sig }, h, ORACLE.publicKey],
      [[sig], h, ORACLE.publicKey],
      [123, 456, 789],
    ];
    for (const [s, hh, pk] of cases) {
      assert.equal(verifyHash(s, hh as string, pk), false, `${String(s)} / ${String(hh)} / ${String(pk)}`);
    }
    assert.equal(verifyHash(sig, h, ORACLE.publicKey), true, 'expected verifyHash to accept the signature');
  });
  it('random values of every JSON type return a boolean (fast-check)', () => {
    const hexish = (len: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxz'.split('')), minLength: len, maxLength: len });
    const sigArb = fc.oneof(fc.anything(), hexish(128), fc.constant(sig));
    const hashArb = fc.oneof(fc.anything(), hexish(64), fc.constant(h));
    const keyArb = fc.oneof(fc.anything(), hexish(66), hexish(66).map((x) => '02' + x.slice(2)), fc.constant(ORACLE.publicKey));
    fc.assert(
      fc.property(sigArb, hashArb, keyArb, (s, hh, pk) => {
        const r = verifyHash(s, hh as string, pk);
        assert.equal(typeof r, 'boolean');
        if (r) {
          assert.equal(s, sig);
          assert.equal(hh, h);
          assert.equal(pk, ORACLE.publicKey);
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });
  it('random 64-byte signatures against a valid key never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        assert.equal(verifyHash(Buffer.from(bytes).toString('hex'), h, ORACLE.publicKey), false, 'expected verifyHash to refuse the signature');
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
