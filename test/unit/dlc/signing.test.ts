// test/unit/dlc/signing.test.ts - owns tests of announcement/attestation signatures under both signing versions, committed-nonce signing and its cross-check with two other BIP340 libraries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { schnorr as nobleCurves } from '@noble/curves/secp256k1.js';
import { hashes as nobleSecpHashes, schnorr as nobleSecp } from '@noble/secp256k1';
import { DlcError, fromHex, signAnnouncement, signAttestation, verifyAnnouncement, verifyAttestation } from '../../../src/dlc/index.ts';
import type { SigningVersion } from '../../../src/dlc/index.ts';
import { encodeOracleEvent, encodeOracleEventValue } from '../../../src/dlc/codec.ts';
import { attestationMessage, signWithNonce, taggedHash } from '../../../src/dlc/schnorr.ts';
import { ENUM, SIGNED, UNSIGNED, attest, loadFixture, makeEvent, secret } from './_helpers.ts';

// @noble/secp256k1 v3 ships without a hash: give it node's SHA-256.
nobleSecpHashes.sha256 = (m) => new Uint8Array(crypto.createHash('sha256').update(m).digest()) as Uint8Array<ArrayBuffer>;

const VERSIONS: SigningVersion[] = ['dlcspecs-v0', 'basic-sha256'];
const other = (v: SigningVersion): SigningVersion => (v === 'dlcspecs-v0' ? 'basic-sha256' : 'dlcspecs-v0');

describe('signing versions', () => {
  for (const version of VERSIONS) {
    it(`${version}: a signed announcement and attestation verify, and only under their own version`, () => {
      const f = makeEvent(SIGNED, version);
      assert.equal(verifyAnnouncement(f.ann, version), null, 'expected the announcement to verify');
      assert.equal(verifyAnnouncement(f.ann, other(version))?.code, 'bad-signature', 'expected the other version to refuse it');
      const att = attest(f, ['+', '0', '0', '0', '1', '0', '1', '1', '0']);
      assert.equal(verifyAttestation(f.ann, att, version), null, 'expected the attestation to verify');
      assert.equal(verifyAttestation(f.ann, att, other(version))?.code, 'bad-signature', 'expected the other version to refuse it');
    });
  }

  it('dlcspecs-v0 signs the tagged hash of the whole oracle_event TLV, basic-sha256 plain SHA-256 of its value', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0');
    const key = fromHex(f.ann.oracleKey);
    const sig = fromHex(f.ann.signature);
    const tlv = encodeOracleEvent(f.ann.event);
    assert.equal(nobleCurves.verify(sig, taggedHash('DLC/oracle/announcement/v0', tlv), key), true, 'expected the tagged hash of the event TLV to be the signed message');
    const b = makeEvent(ENUM, 'basic-sha256');
    const msg = crypto.createHash('sha256').update(encodeOracleEventValue(b.ann.event)).digest();
    assert.equal(nobleCurves.verify(fromHex(b.ann.signature), msg, fromHex(b.ann.oracleKey)), true, 'expected SHA-256 of the event value to be the signed message');
  });

  it('attestation messages: tagged hash vs plain SHA-256 of the UTF-8 outcome', () => {
    const t = crypto.createHash('sha256').update('DLC/oracle/attestation/v0').digest();
    const want = crypto.createHash('sha256').update(Buffer.concat([t, t, Buffer.from('sunny ☀', 'utf8')])).digest('hex');
    assert.equal(Buffer.from(attestationMessage('dlcspecs-v0', 'sunny ☀')).toString('hex'), want, 'expected the tagged hash');
    assert.equal(Buffer.from(attestationMessage('basic-sha256', 'sunny ☀')).toString('hex'), crypto.createHash('sha256').update('sunny ☀').digest('hex'), 'expected plain SHA-256');
  });

  it('tampering with any announcement part breaks it', () => {
    const f = makeEvent(UNSIGNED, 'dlcspecs-v0');
    const changes: [string, (a: typeof f.ann) => void][] = [
      ['maturity', (a) => (a.event.maturityEpoch += 1)],
      ['event id', (a) => (a.event.eventId = 'ev-2')],
      ['unit', (a) => a.event.descriptor.kind === 'digits' && (a.event.descriptor.unit = 'EUR')],
      ['precision', (a) => a.event.descriptor.kind === 'digits' && (a.event.descriptor.precision = 0)],
      ['nonce order', (a) => a.event.nonces.reverse()],
      ['signature s', (a) => (a.signature = a.signature.slice(0, 126) + (a.signature.endsWith('00') ? '01' : '00'))],
    ];
    for (const [name, change] of changes) {
      const a = structuredClone(f.ann);
      change(a);
      assert.equal(verifyAnnouncement(a, 'dlcspecs-v0')?.code, 'bad-signature', `expected a changed ${name} to fail the signature`);
    }
  });

  it('a key or nonce off the curve is bad-point', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0');
    // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p)
    const offCurve = '0'.repeat(63) + '5';
    assert.equal(verifyAnnouncement({ ...f.ann, oracleKey: offCurve }, 'dlcspecs-v0')?.code, 'bad-point', 'expected an off-curve key to be bad-point');
    assert.equal(verifyAnnouncement({ ...f.ann, event: { ...f.ann.event, nonces: [offCurve] } }, 'dlcspecs-v0')?.code, 'bad-point', 'expected an off-curve nonce to be bad-point');
  });

  it('refuses secrets outside [1, n-1] and nonce secrets that do not give the committed nonces', () => {
    const zero = new Uint8Array(32);
    assert.throws(() => signAnnouncement({ secretKey: zero, nonceSecrets: [secret('n')], maturityEpoch: 1, descriptor: ENUM, eventId: '', version: 'dlcspecs-v0' }), (e: unknown) => e instanceof DlcError && e.code === 'bad-secret', 'expected a zero key to be refused');
    const f = makeEvent(ENUM, 'dlcspecs-v0');
    assert.throws(() => signAttestation({ secretKey: f.sk, announcement: f.ann, nonceSecrets: [secret('other nonce')], outcomes: ['sun'], version: 'dlcspecs-v0' }), (e: unknown) => e instanceof DlcError && e.code === 'bad-secret', 'expected a foreign nonce secret to be refused');
    assert.throws(() => signAttestation({ secretKey: secret('other key'), announcement: f.ann, nonceSecrets: f.nonceSecrets, outcomes: ['sun'], version: 'dlcspecs-v0' }), (e: unknown) => e instanceof DlcError && e.code === 'key-mismatch', 'expected a foreign key to be refused');
    assert.throws(() => attest(f, ['hail']), (e: unknown) => e instanceof DlcError && e.code === 'bad-outcome', 'expected an unlisted outcome to be refused');
  });
});

describe('committed-nonce signing cross-checked', () => {
  it('matches the dlcspecs dlc_schnorr_test vectors byte for byte', () => {
    const fx = loadFixture<{ vectors: { inputs: { privKey: string; privNonce: string; msgHash: string }; pubKey: string; signature: string }[] }>('dlcspecs-schnorr.json');
    assert.equal(fx.vectors.length, 5, 'expected the five published vectors');
    for (const v of fx.vectors) {
      const sig = signWithNonce(fromHex(v.inputs.privKey), fromHex(v.inputs.privNonce), fromHex(v.inputs.msgHash));
      assert.equal(Buffer.from(sig).toString('hex'), v.signature, `expected the published signature for key ${v.pubKey.slice(0, 8)}…`);
    }
  });

  it('signatures it produces verify with @noble/curves and @noble/secp256k1, for odd- and even-Y keys and nonces', () => {
    for (const version of VERSIONS) {
      const f = makeEvent(SIGNED, version, 'cross');
      const att = attest(f, ['-', '1', '1', '1', '1', '1', '1', '1', '1']);
      const key = fromHex(att.oracleKey);
      att.signatures.forEach((s, i) => {
        const msg = attestationMessage(version, att.outcomes[i]!);
        assert.equal(nobleCurves.verify(fromHex(s), msg, key), true, `expected @noble/curves to verify signature ${i} (${version})`);
        assert.equal(nobleSecp.verify(fromHex(s), msg, key), true, `expected @noble/secp256k1 to verify signature ${i} (${version})`);
      });
      assert.equal(nobleSecp.verify(fromHex(att.signatures[0]!), attestationMessage(version, '+'), key), false, 'expected a signature over "-" not to verify for "+" in the other library either');
    }
  });

  it('random keys, nonces and messages: R is the committed nonce and @noble/curves verifies s·G = R + e·P', () => {
    for (let i = 0; i < 50; i++) {
      const sk = nobleCurves.utils.randomSecretKey();
      const k = nobleCurves.utils.randomSecretKey();
      const msg = crypto.randomBytes(32);
      const sig = signWithNonce(sk, k, msg);
      assert.equal(Buffer.from(sig.subarray(0, 32)).toString('hex'), Buffer.from(nobleCurves.getPublicKey(k)).toString('hex'), 'expected R to be the x-only nonce');
      assert.equal(nobleCurves.verify(sig, msg, nobleCurves.getPublicKey(sk)), true, `expected random case ${i} to verify with @noble/curves`);
    }
  });
});
