// test/unit/protocol/verify-pool.test.ts - owns the verifier threads and the answers they record: per work of a batch, used by admission only inside that work's scope and only when true; public keys found on the curve are cached; a closed pool records nothing.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearVerifiedCaches, collectSignatureWork, isPublicKey, verifyHash } from '../../../src/protocol/keys.ts';
import { answeredScope } from '../../../src/protocol/scope.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { signHash } from '../../../src/protocol/keys.ts';
import { verifyOracleId } from '../../../src/protocol/verify.ts';
import { VerifyPool } from '../../../src/protocol/verify-pool.ts';
import { makeKeys, makeOracle, offCurvePubKey } from '../../helpers/factory.ts';
import type { Worker } from 'node:worker_threads';

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
    const work = collectSignatureWork((scope) => verifyOracleId(ad, scope));
    assert.deepEqual(work.pubkeys, [K.publicKey]);
    assert.equal(work.sigs.length, 1);
    assert.equal(work.sigs[0]?.[0], ad.oracleSignature);
    assert.equal(work.sigs[0]?.[2], K.publicKey);
    // A signature that fails the cheap syntax checks (high-S, bad hex) is never sent to a thread.
    assert.deepEqual(collectSignatureWork((scope) => verifyHash('zz', H, K.publicKey, scope)).sigs, []);
  });

  it("records libsecp256k1's answers on each work of a batch, and public keys found on the curve", async () => {
    const pool = new VerifyPool(2);
    try {
      const bad = offCurvePubKey(3);
      const a = collectSignatureWork((scope) => {
        verifyHash(GOOD, H, K.publicKey, scope);
        verifyHash(WRONG_KEY, H, K.publicKey, scope);
      });
      const b = collectSignatureWork((scope) => {
        isPublicKey(K2.publicKey, scope);
        isPublicKey(bad, scope);
      });
      assert.equal(a.sigs.length, 2);
      assert.deepEqual(b.pubkeys, [K2.publicKey, bad]);
      await pool.run([a, b]);
      assert.deepEqual(Array.from(a.sigOk ?? []), [1, 0]);
      assert.deepEqual(Array.from(b.sigOk ?? []), []);
      // Keys found on the curve (K2; K, whose signature verified) are remembered, the bad one is not.
      const again = collectSignatureWork((scope) => {
        isPublicKey(K.publicKey, scope);
        isPublicKey(K2.publicKey, scope);
        isPublicKey(bad, scope);
      });
      assert.deepEqual(again.pubkeys, [bad]);
      assert.equal(isPublicKey(bad), false, 'expected the public key refused');
    } finally {
      await pool.close();
    }
  });

  it("admission takes an answer only in a scope answered by that work, and only when it was true", () => {
    // Forged answers show which path decides: a "true" for a wrong signature is taken in scope ...
    const forgedTrue = { sigs: [[WRONG_KEY, H, K.publicKey] as [string, string, string]], pubkeys: [], sigOk: [1] };
    assert.equal(verifyHash(WRONG_KEY, H, K.publicKey, answeredScope(forgedTrue, null)), true, 'expected verifyHash to accept the signature');
    // ... never outside it, nor for another triple ...
    assert.equal(verifyHash(WRONG_KEY, H, K.publicKey), false, 'expected verifyHash to refuse the signature');
    assert.equal(verifyHash(WRONG_KEY, sha256Hex('other'), K.publicKey, answeredScope(forgedTrue, null)), false, 'expected verifyHash to refuse the signature');
    // ... and a "false" never refuses by itself: the check runs inline.
    const forgedFalse = { sigs: [[GOOD, H, K.publicKey] as [string, string, string]], pubkeys: [], sigOk: [0] };
    assert.equal(verifyHash(GOOD, H, K.publicKey, answeredScope(forgedFalse, null)), true, 'expected verifyHash to accept the signature');
    // Unanswered work (a thread failed) leaves every check inline.
    const unanswered = collectSignatureWork((scope) => verifyHash(WRONG_KEY, H, K.publicKey, scope));
    assert.equal(verifyHash(WRONG_KEY, H, K.publicKey, answeredScope(unanswered, null)), false, 'expected verifyHash to refuse the signature');
  });

  it('answers many batches across threads, and a closed pool resolves without recording', async () => {
    const pool = new VerifyPool(2);
    const works = Array.from({ length: 20 }, (_, i) => {
      const h = sha256Hex(`m${i}`);
      return collectSignatureWork((scope) => verifyHash(signHash(h, K.privateKey), h, K.publicKey, scope));
    });
    await Promise.all(works.map((w) => pool.run([w])));
    for (const w of works) assert.deepEqual(Array.from(w.sigOk ?? []), [1]);
    await pool.close();
    const h = sha256Hex('late');
    const late = collectSignatureWork((scope) => verifyHash(signHash(h, K.privateKey), h, K.publicKey, scope));
    await pool.run([late]);
    assert.equal(late.sigOk, undefined);
    assert.throws(() => new VerifyPool(0), RangeError);
  });

  it('start() runs every thread before the first batch (a fresh node must not wait for them under its first entity); a closed pool starts none', async () => {
    const pool = new VerifyPool(2);
    assert.equal(pool.threads, 0, 'no thread before start() or a first batch');
    pool.start();
    assert.equal(pool.threads, 2, 'start() must spawn every thread of the pool');
    pool.start();
    assert.equal(pool.threads, 2, 'a second start() must not spawn more');
    const w = collectSignatureWork((scope) => verifyHash(GOOD, H, K.publicKey, scope));
    await pool.run([w]);
    assert.deepEqual(Array.from(w.sigOk ?? []), [1], 'a started thread answers the first batch');
    await pool.close();
    assert.equal(pool.threads, 0);
    pool.start();
    assert.equal(pool.threads, 0, 'a closed pool must not start threads again');
  });

  it('close() lets a thread finish the batch it is on and end by itself, instead of terminating it inside a native call', async () => {
    const pool = new VerifyPool(1);
    pool.start();
    const worker = (pool as unknown as { slots: ({ worker: Worker } | null)[] }).slots[0]?.worker;
    assert.notEqual(worker, undefined, 'expected a started thread');
    let answers = 0;
    worker?.on('message', () => answers++);
    const ended = new Promise<void>((resolve) => worker?.once('exit', () => resolve()));
    // ~2,000 checks: the thread is inside the batch (libsecp256k1 calls) when close() is called.
    const works = Array.from({ length: 2000 }, () => collectSignatureWork((scope) => verifyHash(GOOD, H, K.publicKey, scope)));
    const inFlight = pool.run(works);
    await pool.close();
    await inFlight;
    await ended;
    assert.equal(answers, 1, 'expected the thread to answer the batch it was on before ending (a terminated thread is cut off inside it)');
  });
});
