/**
 * bench/bip340.ts - BIP340 verify throughput of the candidate libraries on one core (tiny-secp256k1
 * = libsecp256k1 as WASM, @noble/curves, @noble/secp256k1), after a correctness gate (each must
 * accept 200 valid and refuse 200 tampered signatures), plus the DLC paths built on the winner:
 * attestation verify (18 binary digits, as sibyls publishes), committed-nonce signing and the
 * equivocation check. Standalone: `node --import tsx bench/bip340.ts [--quick]`.
 */
import crypto from 'node:crypto';
import * as tiny from 'tiny-secp256k1';
import { schnorr as curves } from '@noble/curves/secp256k1.js';
import { hashes as secpHashes, schnorr as nobleSecp } from '@noble/secp256k1';
import { checkEquivocation, signAnnouncement, signAttestation, verifyAttestation } from '../src/dlc/index.ts';
import type { DigitsDescriptor } from '../src/dlc/index.ts';
import { signWithNonce } from '../src/dlc/schnorr.ts';

secpHashes.sha256 = (m) => new Uint8Array(crypto.createHash('sha256').update(m).digest()) as Uint8Array<ArrayBuffer>;

const quick = process.argv.includes('--quick');
const RUN_MS = quick ? 500 : 3000;
const POOL = 200;

type Verify = (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) => boolean;
const candidates: [string, Verify][] = [
  ['tiny-secp256k1 2.2.4 (WASM libsecp256k1)', (s, m, k) => tiny.verifySchnorr(m, k, s)],
  ['@noble/curves 2.4.0', (s, m, k) => curves.verify(s, m, k)],
  ['@noble/secp256k1 3.2.0', (s, m, k) => nobleSecp.verify(s, m, k)],
];

// One pool of keys, messages and signatures made by a library none of the candidates is measured on first.
const pool = Array.from({ length: POOL }, () => {
  const sk = curves.utils.randomSecretKey();
  const msg = new Uint8Array(crypto.randomBytes(32));
  const sig = curves.sign(msg, sk);
  const bad = sig.slice();
  bad[63] = bad[63]! ^ 1;
  return { key: curves.getPublicKey(sk), msg, sig, bad };
});

/** Calls per second of `fn(i)` over about RUN_MS. */
function rate(fn: (i: number) => unknown): number {
  for (let i = 0; i < 50; i++) fn(i); // warm-up (JIT, WASM instantiation)
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) {
    for (let j = 0; j < 20; j++) fn(n++);
    t = performance.now();
  }
  return (n / (t - t0)) * 1000;
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, quick };
console.log(`BIP340 verify, one core, ${RUN_MS} ms per candidate`);
for (const [name, verify] of candidates) {
  const correct = pool.every((p) => verify(p.sig, p.msg, p.key) && !verify(p.bad, p.msg, p.key));
  const perSec = correct ? rate((i) => verify(pool[i % POOL]!.sig, pool[i % POOL]!.msg, pool[i % POOL]!.key)) : 0;
  results[name] = { correct, verifyPerSec: Math.round(perSec), usPerVerify: correct ? +(1e6 / perSec).toFixed(1) : null };
  console.log(`  ${name.padEnd(44)} correct=${correct}  ${Math.round(perSec).toLocaleString('en')} verifies/s  (${(1e6 / perSec).toFixed(0)} µs)`);
}

// DLC paths on the chosen stack.
const sk = curves.utils.randomSecretKey();
const d: DigitsDescriptor = { kind: 'digits', base: 2, isSigned: false, unit: 'BTCUSD', precision: 0, nbDigits: 18 };
const nonceSecrets = Array.from({ length: 18 }, () => curves.utils.randomSecretKey());
const ann = signAnnouncement({ secretKey: sk, nonceSecrets, maturityEpoch: 1_900_000_000, descriptor: d, eventId: '', version: 'basic-sha256' });
const outcomes = (v: number): string[] => v.toString(2).padStart(18, '0').split('');
const att = signAttestation({ secretKey: sk, announcement: ann, nonceSecrets, outcomes: outcomes(31747), version: 'basic-sha256' });
const att2 = signAttestation({ secretKey: sk, announcement: ann, nonceSecrets, outcomes: outcomes(31748), version: 'basic-sha256' });
const dlc = {
  attestation18VerifyPerSec: Math.round(rate(() => verifyAttestation(ann, att, 'basic-sha256'))),
  signWithNoncePerSec: Math.round(rate((i) => signWithNonce(sk, nonceSecrets[i % 18]!, pool[i % POOL]!.msg))),
  equivocationCheckPerSec: Math.round(rate(() => checkEquivocation(ann, att, att2, 'basic-sha256'))),
};
results.dlc = dlc;
console.log(`  attestation verify, 18 digits:  ${dlc.attestation18VerifyPerSec.toLocaleString('en')}/s`);
console.log(`  sign with committed nonce:      ${dlc.signWithNoncePerSec.toLocaleString('en')}/s`);
console.log(`  equivocation check (full):      ${dlc.equivocationCheckPerSec.toLocaleString('en')}/s`);
console.log(JSON.stringify(results));
