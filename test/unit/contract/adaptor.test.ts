// test/unit/contract/adaptor.test.ts - ECDSA adaptor signatures: every dlcspecs vector (test/ecdsa_adaptor.json), round trips and tampering, and a two-way cross-check with rust-dlc (secp256k1-zkp's implementation via ddk-ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as ecc from 'tiny-secp256k1';
import { ADAPTOR_SIG_BYTES, ContractError, adaptorDecrypt, adaptorEncrypt, adaptorRecover, adaptorVerify } from '../../../src/contract/index.ts';
import { parseAdaptorSignature } from '../../../src/contract/adaptor.ts';
import { newKey } from '../../helpers/regtest.ts';
import { loadFixture } from './_helpers.ts';
import { DDK_SKIP, loadDdk } from './_ddk.ts';

interface Vector {
  kind: 'verification' | 'recovery' | 'serialization';
  adaptor_sig: string;
  message_hash?: string;
  public_signing_key?: string;
  encryption_key?: string;
  decryption_key?: string | null;
  signature?: string;
  error?: string | null;
  comment?: string;
}
const { source, vectors } = loadFixture<{ source: string; vectors: Vector[] }>('ecdsa_adaptor.json');
const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe(`ECDSA adaptor signatures: dlcspecs vectors (${source})`, () => {
  it('the fixture holds all 11 published vectors of the three kinds', () => {
    assert.equal(vectors.length, 11);
    assert.deepEqual([...new Set(vectors.map((v) => v.kind))].sort(), ['recovery', 'serialization', 'verification']);
  });

  vectors.forEach((v, i) => {
    const name = `vector ${i} (${v.kind}): ${v.comment ?? v.error ?? 'valid'}`;
    it(name, () => {
      const sig = h(v.adaptor_sig);
      if (v.kind === 'verification') {
        const ok = adaptorVerify(h(v.public_signing_key!), h(v.encryption_key!), h(v.message_hash!), sig);
        if (v.error) {
          assert.equal(ok, false, `must refuse: ${v.error}`);
          return;
        }
        assert.equal(ok, true, 'ecdsa_adaptor_verify must accept');
        assert.equal(hex(adaptorDecrypt(sig, h(v.decryption_key!))), v.signature, 'ecdsa_adaptor_decrypt must give the vector signature');
        assert.equal(hex(adaptorRecover(h(v.encryption_key!), sig, h(v.signature!))!), v.decryption_key, 'ecdsa_adaptor_recover must give the decryption key');
      } else if (v.kind === 'recovery') {
        const got = adaptorRecover(h(v.encryption_key!), sig, h(v.signature!));
        if (v.error) assert.equal(got, null, `must fail: ${v.error}`);
        else assert.equal(got && hex(got), v.decryption_key, 'recovered key');
      } else if (v.error) {
        assert.throws(
          () => parseAdaptorSignature(sig),
          (e: unknown) => e instanceof ContractError && e.code === 'bad-adaptor-signature' && e.message === v.error,
        );
      } else {
        const a = parseAdaptorSignature(sig);
        assert.equal(hex(sig), hex(new Uint8Array(Buffer.concat([a.R, a.Ra, Buffer.from(v.adaptor_sig.slice(132), 'hex')]))), 'parsing keeps every byte');
      }
    });
  });
});

describe('ECDSA adaptor signatures: round trip and tampering', () => {
  const signer = newKey();
  const y = newKey();
  const msg = new Uint8Array(32).fill(7);
  const sig = adaptorEncrypt(signer.secret, y.pubkey, msg);

  it('encrypt → verify → decrypt gives a valid low-S ECDSA signature → recover gives y', () => {
    assert.equal(sig.length, ADAPTOR_SIG_BYTES);
    assert.equal(adaptorVerify(signer.pubkey, y.pubkey, msg, sig), true);
    const ecdsa = adaptorDecrypt(sig, y.secret);
    assert.equal(ecc.verify(msg, signer.pubkey, ecdsa, true), true, 'decrypted signature must verify under strict (low-S) rules');
    assert.equal(hex(adaptorRecover(y.pubkey, sig, ecdsa)!), hex(y.secret));
  });

  it('refuses the wrong message, signing key, encryption key or a flipped byte', () => {
    const other = newKey();
    assert.equal(adaptorVerify(signer.pubkey, y.pubkey, new Uint8Array(32).fill(8), sig), false, 'other message');
    assert.equal(adaptorVerify(other.pubkey, y.pubkey, msg, sig), false, 'other signing key');
    assert.equal(adaptorVerify(signer.pubkey, other.pubkey, msg, sig), false, 'other encryption key');
    for (const at of [5, 40, 70, 100, 140, 161]) {
      const bad = Uint8Array.from(sig);
      bad[at]! ^= 1;
      assert.equal(adaptorVerify(signer.pubkey, y.pubkey, msg, bad), false, `flipped byte ${at}`);
    }
    assert.equal(adaptorVerify(signer.pubkey, y.pubkey, msg, sig.subarray(1)), false, 'short');
  });

  it('arbitrary bytes as signature, keys or message: verify is false and recover null, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.uint8Array({ minLength: 0, maxLength: 40 }), fc.uint8Array({ minLength: 0, maxLength: 40 }), (junk, k, m) => {
        assert.equal(adaptorVerify(signer.pubkey, y.pubkey, msg, junk), false);
        assert.equal(adaptorVerify(k, y.pubkey, msg, sig), false);
        assert.equal(adaptorVerify(signer.pubkey, k, msg, sig), false);
        assert.equal(adaptorVerify(signer.pubkey, y.pubkey, m, sig), false);
        assert.equal(adaptorRecover(y.pubkey, junk, m), null);
      }),
      { numRuns: 200 },
    );
  });

  it('decrypting with the wrong key gives a signature that does not verify', () => {
    const wrong = adaptorDecrypt(sig, newKey().secret);
    assert.equal(ecc.verify(msg, signer.pubkey, wrong, true), false);
  });
});

describe('ECDSA adaptor signatures: cross-check with rust-dlc (ddk-ts)', { skip: DDK_SKIP }, () => {
  const ddk = loadDdk()!;
  const a = newKey();
  const b = newKey();
  const txs = ddk.createDlcTransactions(
    [
      { offer: 10_000n, accept: 0n },
      { offer: 0n, accept: 10_000n },
      { offer: 5_000n, accept: 5_000n },
    ],
    {
      fundPubkey: Buffer.from(a.pubkey),
      changeScriptPubkey: Buffer.from(a.spk),
      changeSerialId: 1n,
      payoutScriptPubkey: Buffer.from(a.spk),
      payoutSerialId: 2n,
      inputs: [{ txid: '11'.repeat(32), vout: 0, scriptSig: Buffer.alloc(0), maxWitnessLength: 108, serialId: 3n }],
      inputAmount: 100_000n,
      collateral: 5_000n,
      dlcInputs: [],
    },
    {
      fundPubkey: Buffer.from(b.pubkey),
      changeScriptPubkey: Buffer.from(b.spk),
      changeSerialId: 4n,
      payoutScriptPubkey: Buffer.from(b.spk),
      payoutSerialId: 5n,
      inputs: [{ txid: '22'.repeat(32), vout: 0, scriptSig: Buffer.alloc(0), maxWitnessLength: 108, serialId: 6n }],
      inputAmount: 100_000n,
      collateral: 5_000n,
      dlcInputs: [],
    },
    200,
    1n,
    0,
    100,
    7n,
  );
  // ddk names it fundingScriptPubkey but returns the 2-of-2 witness script, which BIP143 signs over.
  const script = txs.fundingScriptPubkey;
  const fundValue = 10_000n + 2n * 85n;
  const points = [newKey(), newKey(), newKey()];

  it('rust-dlc adaptor signatures (162 bytes) verify, decrypt and recover here', () => {
    const sigs = ddk.createCetAdaptorSigsFromPoints(
      txs.cets,
      points.map((p) => Buffer.from(p.pubkey)),
      Buffer.from(a.secret),
      script,
      fundValue,
    );
    assert.equal(script.length, 71, '2 <pk> <pk> 2 CHECKMULTISIG is 71 bytes');
    sigs.forEach((s, i) => {
      const bytes = new Uint8Array(Buffer.concat([s.signature, s.proof]));
      assert.equal(bytes.length, ADAPTOR_SIG_BYTES, 'rust-dlc serializes the same 162 bytes');
      const sighash = ddk.getCetSighash(txs.cets[i]!, script, fundValue);
      assert.equal(adaptorVerify(a.pubkey, points[i]!.pubkey, sighash, bytes), true, `rust-dlc signature ${i} must verify here`);
      assert.equal(adaptorVerify(a.pubkey, points[(i + 1) % 3]!.pubkey, sighash, bytes), false, 'and not under another point');
      const ecdsa = adaptorDecrypt(bytes, points[i]!.secret);
      assert.equal(ecc.verify(sighash, a.pubkey, ecdsa, true), true);
      assert.equal(hex(adaptorRecover(points[i]!.pubkey, bytes, ecdsa)!), hex(points[i]!.secret));
    });
  });

  it('our adaptor signatures verify in rust-dlc, and rust-dlc decrypts them to what we decrypt', () => {
    // rust-dlc verifies against oracle info: use a one-nonce "oracle" whose attestation point is the adaptor point.
    const oracle = newKey();
    const nonce = newKey();
    const xOnly = (k: Uint8Array): Buffer => Buffer.from(ecc.xOnlyPointFromScalar(k));
    const msgs = [0, 1, 2].map((i) => [[Buffer.alloc(32, i + 1)]]);
    const info = [{ publicKey: xOnly(oracle.secret), nonces: [xOnly(nonce.secret)] }];
    const pts = ddk.createCetAdaptorPointsFromOracleInfo(info, msgs);
    const ours = txs.cets.map((c, i) => adaptorEncrypt(a.secret, new Uint8Array(pts[i]!), ddk.getCetSighash(c, script, fundValue)));
    const asDdk = ours.map((s) => ({ signature: Buffer.from(s), proof: Buffer.alloc(0) })); // ddk carries all 162 bytes in `signature`
    assert.equal(ddk.verifyCetAdaptorSigsFromOracleInfo(asDdk, txs.cets, info, Buffer.from(a.pubkey), script, fundValue, msgs), true, 'rust-dlc must accept our signatures');
    const tampered = asDdk.map((s, i) => (i === 1 ? { signature: Buffer.from(s.signature.map((x, k) => (k === 120 ? x ^ 1 : x))), proof: s.proof } : s));
    assert.equal(ddk.verifyCetAdaptorSigsFromOracleInfo(tampered, txs.cets, info, Buffer.from(a.pubkey), script, fundValue, msgs), false, 'and refuse a tampered one');
  });
});
