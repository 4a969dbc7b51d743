// test/unit/dlc/proofs.test.ts - owns tests of equivocation (key recovery from two attestations under one nonce) and nonce-reuse proofs, and their refusal of forged or non-proofs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DlcError, checkEquivocation, checkNonceReuse, fromHex, signAnnouncement } from '../../../src/dlc/index.ts';
import type { OracleAttestation } from '../../../src/dlc/index.ts';
import { attestationMessage, recoveredKeyMatches, signWithNonce, xOnlyFromSecret } from '../../../src/dlc/schnorr.ts';
import { ENUM, SIGNED, UNSIGNED, attest, makeEvent, secret, secretWithParity } from './_helpers.ts';

describe('equivocation', () => {
  for (const version of ['dlcspecs-v0', 'basic-sha256'] as const) {
    it(`two enum attestations with different outcomes prove the key (${version})`, () => {
      const f = makeEvent(ENUM, version, 'eq');
      const r = checkEquivocation(f.ann, attest(f, ['rain']), attest(f, ['sun']), version);
      assert.deepEqual(r, { ok: true, index: 0, nonce: f.ann.event.nonces[0] }, 'expected a proof at nonce 0');
    });
  }

  it('digit attestations differing in one digit prove it at that position', () => {
    const f = makeEvent(UNSIGNED, 'dlcspecs-v0', 'eq-digits');
    const r = checkEquivocation(f.ann, attest(f, ['0', '1', '2', '3', '4']), attest(f, ['0', '1', '2', '3', '5']), 'dlcspecs-v0');
    assert.deepEqual(r, { ok: true, index: 4, nonce: f.ann.event.nonces[4] }, 'expected a proof at the last digit');
  });

  it('recovery works for every parity of key and nonce (even-Y normalisation)', () => {
    for (const keyOdd of [false, true]) {
      for (const nonceOdd of [false, true]) {
        const sk = secretWithParity(`k${keyOdd}`, keyOdd);
        const k = secretWithParity(`n${nonceOdd}`, nonceOdd);
        const m1 = attestationMessage('dlcspecs-v0', 'a');
        const m2 = attestationMessage('dlcspecs-v0', 'b');
        const s1 = signWithNonce(sk, k, m1);
        const s2 = signWithNonce(sk, k, m2);
        const px = xOnlyFromSecret(sk);
        assert.equal(recoveredKeyMatches(px, s1.subarray(0, 32), m1, s1.subarray(32), m2, s2.subarray(32)), true, `expected recovery (key odd=${keyOdd}, nonce odd=${nonceOdd})`);
        assert.equal(recoveredKeyMatches(xOnlyFromSecret(secret('other')), s1.subarray(0, 32), m1, s1.subarray(32), m2, s2.subarray(32)), false, 'expected another key not to match');
      }
    }
  });

  it('refuses the same outcome twice', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0', 'same');
    const a = attest(f, ['snow']);
    const r = checkEquivocation(f.ann, a, attest(f, ['snow']), 'dlcspecs-v0');
    assert.equal(r instanceof Error ? r.code : 'ok', 'same-outcome', 'expected same-outcome');
  });

  it('refuses signatures under a different nonce than the committed one', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0', 'nonces');
    const other = secret('uncommitted nonce');
    const forged: OracleAttestation = { ...attest(f, ['rain']), outcomes: ['sun'] };
    forged.signatures = [Buffer.from(signWithNonce(f.sk, other, attestationMessage('dlcspecs-v0', 'sun'))).toString('hex')];
    const r = checkEquivocation(f.ann, attest(f, ['rain']), forged, 'dlcspecs-v0');
    assert.equal(r instanceof Error ? r.code : 'ok', 'nonce-mismatch', 'expected nonce-mismatch');
    // and the bare algebra: two different R values give nothing
    const m1 = attestationMessage('dlcspecs-v0', 'rain');
    const m2 = attestationMessage('dlcspecs-v0', 'sun');
    const s1 = signWithNonce(f.sk, f.nonceSecrets[0]!, m1);
    const s2 = signWithNonce(f.sk, other, m2);
    assert.equal(recoveredKeyMatches(fromHex(f.ann.oracleKey), s1.subarray(0, 32), m1, s1.subarray(32), m2, s2.subarray(32)), false, 'expected no key from two different nonces');
  });

  it('refuses a forged second signature (s changed) and attestations of another key', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0', 'forge');
    const b = attest(f, ['sun']);
    const s = BigInt('0x' + b.signatures[0]!.slice(64)) + 1n;
    const forged = { ...b, signatures: [b.signatures[0]!.slice(0, 64) + s.toString(16).padStart(64, '0')] };
    const r = checkEquivocation(f.ann, attest(f, ['rain']), forged, 'dlcspecs-v0');
    assert.equal(r instanceof Error ? r.code : 'ok', 'bad-signature', 'expected a changed s to fail verification');
    const g = makeEvent(ENUM, 'dlcspecs-v0', 'someone else');
    const r2 = checkEquivocation(f.ann, attest(f, ['rain']), attest(g, ['sun']), 'dlcspecs-v0');
    assert.equal(r2 instanceof Error ? r2.code : 'ok', 'key-mismatch', 'expected another oracle key to be refused');
    // same key and nonce, but the wrong signing version for one of them
    const r3 = checkEquivocation(f.ann, attest(f, ['rain']), b, 'basic-sha256');
    assert.equal(r3 instanceof Error ? r3.code : 'ok', 'bad-signature', 'expected the wrong signing version to fail');
  });
});

describe('nonce reuse', () => {
  it('two valid announcements of one key sharing a nonce are a proof', () => {
    const sk = secret('reuser');
    const shared = secret('shared nonce');
    const a = signAnnouncement({ secretKey: sk, nonceSecrets: [shared], maturityEpoch: 100, descriptor: ENUM, eventId: 'a', version: 'dlcspecs-v0' });
    const b = signAnnouncement({ secretKey: sk, nonceSecrets: [secret('x'), shared, secret('y'), secret('z'), secret('w'), secret('v'), secret('u'), secret('t'), secret('s')], maturityEpoch: 100, descriptor: SIGNED, eventId: 'b', version: 'dlcspecs-v0' });
    const r = checkNonceReuse(a, b, 'dlcspecs-v0');
    assert.deepEqual(r, { ok: true, nonce: a.event.nonces[0] }, 'expected the shared nonce');
  });

  it('refuses: no shared nonce, the same event, another key, a bad signature', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0', 'r1', 'e1');
    const g = makeEvent(ENUM, 'dlcspecs-v0', 'r1', 'e2');
    const code = (x: unknown): string => (x instanceof DlcError ? x.code : 'ok');
    assert.equal(code(checkNonceReuse(f.ann, g.ann, 'dlcspecs-v0')), 'no-shared-nonce', 'expected no-shared-nonce');
    // the same event re-signed (BIP340 aux randomness gives a new signature)
    const again = signAnnouncement({ secretKey: f.sk, nonceSecrets: f.nonceSecrets, maturityEpoch: f.ann.event.maturityEpoch, descriptor: ENUM, eventId: 'e1', version: 'dlcspecs-v0' });
    assert.notEqual(again.signature, f.ann.signature, 'expected a fresh signature');
    assert.equal(code(checkNonceReuse(f.ann, again, 'dlcspecs-v0')), 'same-event', 'expected same-event');
    const other = signAnnouncement({ secretKey: secret('other key'), nonceSecrets: f.nonceSecrets, maturityEpoch: 1, descriptor: ENUM, eventId: 'e3', version: 'dlcspecs-v0' });
    assert.equal(code(checkNonceReuse(f.ann, other, 'dlcspecs-v0')), 'key-mismatch', 'expected key-mismatch');
    const tampered = { ...g.ann, event: { ...g.ann.event, nonces: f.ann.event.nonces } };
    assert.equal(code(checkNonceReuse(f.ann, tampered, 'dlcspecs-v0')), 'bad-signature', 'expected a forged announcement to be refused');
  });

  it('the key is not in any result', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0', 'leak');
    const r = checkEquivocation(f.ann, attest(f, ['rain']), attest(f, ['sun']), 'dlcspecs-v0');
    const skHex = Buffer.from(f.sk).toString('hex');
    const negHex = (0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n - BigInt('0x' + skHex)).toString(16).padStart(64, '0');
    const text = JSON.stringify(r);
    assert.equal(text.includes(skHex) || text.includes(negHex), false, 'expected neither x nor n-x in the proof');
    assert.deepEqual(Object.keys(r).sort(), ['index', 'nonce', 'ok'], 'expected only ok, index and nonce');
  });
});
