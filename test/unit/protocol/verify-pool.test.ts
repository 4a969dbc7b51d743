// test/unit/protocol/verify-pool.test.ts - owns the verifier threads and the answers they record: per work of a batch, used by admission only inside that work's scope and only when true; public keys found on the curve are cached; a closed pool records nothing.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearVerifiedCaches, collectSignatureWork, isPublicKey, verifyHash, withVerifiedWork } from '../../../src/protocol/keys.ts';
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

  it("records libsecp256k1's answers on each work of a batch, and public keys found on the curve", async () => {
    const pool = new VerifyPool(2);
    try {
      const bad = offCurvePubKey(3);
      const a = collectSignatureWork(() => {
        verifyHash(GOOD, H, K.publicKey);
        verifyHash(WRONG_KEY, H, K.publicKey);
      });
      const b = collectSignatureWork(() => {
        isPublicKey(K2.publicKey);
        isPublicKey(bad);
      });
      assert.equal(a.sigs.length, 2);
      assert.deepEqual(b.pubkeys, [K2.publicKey, bad]);
      await pool.run([a, b]);
      assert.deepEqual(Array.from(a.sigOk ?? []), [1, 0]);
      assert.deepEqual(Array.from(b.sigOk ?? []), []);
      // Keys found on the curve (K2; K, whose signature verified) are remembered, the bad one is not.
      const again = collectSignatureWork(() => {
        isPublicKey(K.publicKey);
        isPublicKey(K2.publicKey);
        isPublicKey(bad);
      });
      assert.deepEqual(again.pubkeys, [bad]);
      assert.equal(isPublicKey(bad), false);
    } finally {
      await pool.close();
    }
  });

  it("admission takes an answer only inside its work's scope and only when it was true", () => {
    // Forged answers show which path decides: a "true" for a wrong signature is taken in scope ...
    const forgedTrue = { sigs: [[WRONG_KEY, H, K.publicKey] as [string, string, string]], pubkeys: [], sigOk: [1] };
    assert.equal(withVerifiedWork(forgedTrue, () => verifyHash(WRONG_KEY, H, K.publicKey)), true);
    // ... never outside it, nor for another triple ...
    assert.equal(verifyHash(WRONG_KEY, H, K.publicKey), false);
    assert.equal(withVerifiedWork(forgedTrue, () => verifyHash(WRONG_KEY, sha256Hex('other'), K.publicKey)), false);
    // ... and a "false" never refuses by itself: the check runs inline.
    const forgedFalse = { sigs: [[GOOD, H, K.publicKey] as [string, string, string]], pubkeys: [], sigOk: [0] };
    assert.equal(withVerifiedWork(forgedFalse, () => verifyHash(GOOD, H, K.publicKey)), true);
    // Unanswered work (a thread failed) leaves every check inline.
    const unanswered = collectSignatureWork(() => verifyHash(WRONG_KEY, H, K.publicKey));
    assert.equal(withVerifiedWork(unanswered, () => verifyHash(WRONG_KEY, H, K.publicKey)), false);
  });

  it('answers many batches across threads, and a closed pool resolves without recording', async () => {
    const pool = new VerifyPool(2);
    const works = Array.from({ length: 20 }, (_, i) => {
      const h = sha256Hex(`m${i}`);
      return collectSignatureWork(() => verifyHash(signHash(h, K.privateKey), h, K.publicKey));
    });
    await Promise.all(works.map((w) => pool.run([w])));
    for (const w of works) assert.deepEqual(Array.from(w.sigOk ?? []), [1]);
    await pool.close();
    const h = sha256Hex('late');
    const late = collectSignatureWork(() => verifyHash(signHash(h, K.privateKey), h, K.publicKey));
    await pool.run([late]);
    assert.equal(late.sigOk, undefined);
    assert.throws(() => new VerifyPool(0), RangeError);
  });
});
