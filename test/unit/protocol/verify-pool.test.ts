// test/unit/protocol/verify-pool.test.ts - owns the verifier threads and the signature/public-key caches they fill: only checks libsecp256k1 answered true are remembered, each signature answer is used once, a closed pool records nothing.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearVerifiedCaches, collectSignatureWork, isPublicKey, verifyHash } from '../../../src/protocol/keys.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { signHash } from '../../../src/protocol/keys.ts';
import { verifyOracleId } from '../../../src/protocol/verify.ts';
import { VerifyPool } from '../../../src/protocol/verify-pool.ts';
import { makeKeys, makeOracle, offCurvePubKey } from '../../helpers/factory.ts';

const K = makeKeys(1);
const K2 = makeKeys(2);
const H = sha256Hex('message');
const GOOD = signHash(H, K.privateKey);
const WRONG_KEY = signHash(H, K2.privateKey);

afterEach(() => clearVerifiedCaches());

describe('verify pool', () => {
  it('collect mode lists the checks a real verification makes, without answering them', () => {
    clearVerifiedCaches();
    const ad = makeOracle({ keys: K });
    const work = collectSignatureWork(() => verifyOracleId(ad));
    assert.deepEqual(work.pubkeys, [K.publicKey]);
    assert.equal(work.sigs.length, 1);
    assert.equal(work.sigs[0]?.[0], ad.oracleSignature);
    assert.equal(work.sigs[0]?.[2], K.publicKey);
    // A signature that fails the cheap syntax checks (high-S, bad hex) is never sent to a thread.
    assert.deepEqual(collectSignatureWork(() => verifyHash('zz', H, K.publicKey)).sigs, []);
  });

  it('records only what libsecp256k1 accepted; each signature answer is used once', async () => {
    const pool = new VerifyPool(2);
    try {
      const bad = offCurvePubKey(3);
      const work = collectSignatureWork(() => {
        verifyHash(GOOD, H, K.publicKey);
        verifyHash(WRONG_KEY, H, K.publicKey);
        isPublicKey(K2.publicKey);
        isPublicKey(bad);
      });
      assert.equal(work.sigs.length, 2);
      assert.equal(work.pubkeys.length, 2);
      await pool.run(work);
      // Now remembered: collecting again asks for nothing that passed ...
      const again = collectSignatureWork(() => {
        verifyHash(GOOD, H, K.publicKey);
        verifyHash(WRONG_KEY, H, K.publicKey);
        isPublicKey(K2.publicKey);
        isPublicKey(bad);
      });
      assert.deepEqual(again.sigs, [[WRONG_KEY, H, K.publicKey]]);
      assert.deepEqual(again.pubkeys, [bad]);
      // ... and the real checks give the true answers.
      assert.equal(verifyHash(GOOD, H, K.publicKey), true);
      assert.equal(verifyHash(WRONG_KEY, H, K.publicKey), false);
      assert.equal(isPublicKey(K2.publicKey), true);
      assert.equal(isPublicKey(bad), false);
      // The good signature's cached answer was consumed; it verifies inline the same way.
      assert.equal(collectSignatureWork(() => verifyHash(GOOD, H, K.publicKey)).sigs.length, 1);
      assert.equal(verifyHash(GOOD, H, K.publicKey), true);
    } finally {
      await pool.close();
    }
  });

  it('answers many batches across threads, and a closed pool resolves without recording', async () => {
    const pool = new VerifyPool(2);
    const works = Array.from({ length: 20 }, (_, i) => {
      const h = sha256Hex(`m${i}`);
      return collectSignatureWork(() => verifyHash(signHash(h, K.privateKey), h, K.publicKey));
    });
    await Promise.all(works.map((w) => pool.run(w)));
    for (const w of works) assert.equal(collectSignatureWork(() => verifyHash(...(w.sigs[0] as [string, string, string]))).sigs.length, 0);
    await pool.close();
    const h = sha256Hex('late');
    const late = collectSignatureWork(() => verifyHash(signHash(h, K.privateKey), h, K.publicKey));
    await pool.run(late);
    assert.equal(collectSignatureWork(() => verifyHash(...(late.sigs[0] as [string, string, string]))).sigs.length, 1);
    assert.throws(() => new VerifyPool(0), RangeError);
  });
});
