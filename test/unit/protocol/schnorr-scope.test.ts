// test/unit/protocol/schnorr-scope.test.ts - owns the BIP340 side of the verifier threads: the checks DLC verification gathers (every nonce and the key on the curve, then the signature; one signature per attested outcome), the bytes a batch carries, a thread's answer per check (valid, tampered, off-curve), and that admission takes an answer only for exactly the gathered bytes and only when it was true.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAnnouncement, decodeAttestation, fromHex, INLINE_SCHNORR, verifyAnnouncement, verifyAttestation, verifyAttestationSignatures, type EventDescriptor } from '../../../src/dlc/index.ts';
import { schnorrChecks } from '../../../src/protocol/schnorr-scope.ts';
import { answeredScope, collectingScope, INLINE } from '../../../src/protocol/scope.ts';
import { countChecks, packBatch, POINT_CHECK_BYTES, SCHNORR_CHECK_BYTES, VerifyPool } from '../../../src/protocol/verify-pool.ts';
import type { SignatureWork } from '../../../src/protocol/keys.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';

const DIGITS: EventDescriptor = { kind: 'digits', base: 10, isSigned: false, unit: 'usd', precision: 0, nbDigits: 4 };
const O = makeDlcOracle(41);
const ENUM = makeDlcEvent(O, { maturityEpoch: 1_900_000_000, eventId: 'enum' });
const NUM = makeDlcEvent(O, { maturityEpoch: 1_900_000_001, eventId: 'num', descriptor: DIGITS });
const ANN = decodeAnnouncement(NUM.entity.announcement);
const ATT = decodeAttestation(makeDlcAttestation(O, NUM, ['0', '4', '2', '7']).attestation);
/** x = 5 is not the x coordinate of a curve point (5^3 + 7 is not a square mod p). */
const OFF_CURVE = fromHex('00'.repeat(31) + '05');

/** The checks `check` asks, gathered (answered true) into a fresh work list. */
function gather(check: (scope: ReturnType<typeof collectingScope>) => unknown): SignatureWork {
  const scope = collectingScope(null);
  check(scope);
  return scope.sigs.work;
}

/** A copy of `b` with bit 0 of byte `i` flipped. */
function flip(b: Uint8Array, i: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[i]! ^= 1;
  return c;
}

describe('BIP340 checks for a verifier thread', () => {
  it('gathering an announcement lists every nonce and the key as points, then its one signature; an attestation one signature per outcome', () => {
    const a = gather((s) => verifyAnnouncement(ANN, O.version, schnorrChecks(s)));
    assert.deepEqual(a.points?.map((p) => Buffer.from(p).toString('hex')), [...ANN.event.nonces, ANN.oracleKey], 'expected the 4 nonces then the oracle key');
    assert.equal(a.schnorr?.length, 1, 'expected one signature check for the announcement');
    assert.equal(Buffer.from(a.schnorr![0]![0]).toString('hex'), ANN.signature);
    assert.deepEqual(a.sigs, [], 'no ECDSA work');
    const t = gather((s) => verifyAttestationSignatures(ATT, O.version, schnorrChecks(s)));
    assert.equal(t.schnorr?.length, 4, 'expected one signature check per attested outcome');
    assert.deepEqual(t.schnorr?.map((c) => Buffer.from(c[0]).toString('hex')), ATT.signatures);
    assert.equal(t.points, undefined, 'an attestation has no point checks of its own');
    // The full attestation check gathers the same signatures, in the same order.
    const full = gather((s) => verifyAttestation(ANN, ATT, O.version, schnorrChecks(s)));
    assert.deepEqual(full.schnorr?.map((c) => c.map((b) => Buffer.from(b).toString('hex'))), t.schnorr?.map((c) => c.map((b) => Buffer.from(b).toString('hex'))));
  });

  it('packs BIP340 checks (sig · message · key) and then points after the ECDSA part, in work order', () => {
    const works = [gather((s) => verifyAnnouncement(ANN, O.version, schnorrChecks(s))), gather((s) => verifyAttestationSignatures(ATT, O.version, schnorrChecks(s)))];
    const n = countChecks(works);
    assert.deepEqual(n, { sigs: 0, keys: 0, schnorr: 5, points: 5 });
    const bytes = Buffer.from(packBatch(works, n));
    assert.equal(bytes.length, 5 * SCHNORR_CHECK_BYTES + 5 * POINT_CHECK_BYTES, 'expected 128 bytes per BIP340 check and 32 per point');
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    const expected = works.flatMap((w) => (w.schnorr ?? []).map((c) => c.map(hex).join(''))).join('') + works.flatMap((w) => (w.points ?? []).map(hex)).join('');
    assert.equal(bytes.toString('hex'), expected, 'expected signature checks first, then points, each in work order');
  });

  it('a thread answers each check as tiny-secp256k1 does: valid, tampered signature, tampered message, off-curve key; points on and off the curve', async () => {
    const pool = new VerifyPool(1);
    try {
      const good = gather((s) => verifyAnnouncement(ANN, O.version, schnorrChecks(s)));
      const [sig, msg, key] = good.schnorr![0]!;
      const bad: SignatureWork = { sigs: [], pubkeys: [], schnorr: [[flip(sig, 40), msg, key], [sig, flip(msg, 0), key], [sig, msg, OFF_CURVE]], points: [OFF_CURVE, key] };
      await pool.run([good, bad]);
      assert.deepEqual(Array.from(good.schnorrOk ?? []), [1], 'expected the real announcement signature verified');
      assert.deepEqual(Array.from(good.pointOk ?? []), [1, 1, 1, 1, 1], 'expected every nonce and the key on the curve');
      assert.deepEqual(Array.from(bad.schnorrOk ?? []), [0, 0, 0], 'expected a flipped signature bit, a flipped message bit and an off-curve key all refused');
      assert.deepEqual(Array.from(bad.pointOk ?? []), [0, 1], 'expected x = 5 off the curve and the oracle key on it');
      assert.deepEqual(pool.answered, { sigs: 0, keys: 0, schnorr: 4, points: 7 }, 'expected the pool to count the checks its thread answered');
      // The inline library agrees on every one.
      for (const [i, c] of bad.schnorr!.entries()) assert.equal(INLINE_SCHNORR.verify(...c), false, `check ${i} refused inline too`);
    } finally {
      await pool.close();
    }
  });

  it('admission takes an answer only for exactly the gathered bytes, and only when it was true', () => {
    const work = gather((s) => verifyAnnouncement(ANN, O.version, schnorrChecks(s)));
    const forged = { ...work, schnorr: work.schnorr!.map(([s, m, k]) => [flip(s, 40), m, k] as const), schnorrOk: [1], pointOk: [1, 1, 1, 1, 1] };
    const tampered = { ...ANN, signature: Buffer.from(forged.schnorr[0]![0]).toString('hex') };
    // A forged "true" for the tampered signature is taken in its scope (which shows the thread's answer decides) ...
    assert.equal(verifyAnnouncement(tampered, O.version, schnorrChecks(answeredScope(forged, null))), null, 'expected the forged true answer to be used');
    // ... never outside it, nor for other bytes (another signing version gives another message) ...
    assert.equal(verifyAnnouncement(tampered, O.version, schnorrChecks(INLINE))?.code, 'bad-signature');
    const other = O.version === 'dlcspecs-v0' ? 'basic-sha256' : 'dlcspecs-v0';
    assert.equal(verifyAnnouncement(tampered, other, schnorrChecks(answeredScope(forged, null)))?.code, 'bad-signature', 'expected a check with other bytes done inline');
    // ... and a "false" never refuses by itself: the check runs inline.
    const falseAnswers = { ...work, schnorrOk: [0], pointOk: [0, 0, 0, 0, 0] };
    assert.equal(verifyAnnouncement(ANN, O.version, schnorrChecks(answeredScope(falseAnswers, null))), null, 'expected a valid announcement accepted despite false answers');
    // A point answered true for other bytes is checked inline.
    const offPoint = { ...work, points: [OFF_CURVE, ...work.points!.slice(1)], pointOk: [1, 1, 1, 1, 1] };
    assert.equal(verifyAnnouncement({ ...ANN }, O.version, schnorrChecks(answeredScope(offPoint, null))), null, 'expected the real nonce checked inline and found on the curve');
    // Unanswered work (no thread) leaves every check inline.
    assert.equal(verifyAnnouncement(tampered, O.version, schnorrChecks(answeredScope(gather((s) => verifyAnnouncement(tampered, O.version, schnorrChecks(s))), null)))?.code, 'bad-signature');
    assert.equal(verifyAnnouncement(ENUM.ann, O.version, schnorrChecks(INLINE)), null);
  });
});
