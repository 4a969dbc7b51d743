/**
 * contract/adaptor.ts - ECDSA adaptor signatures exactly as dlcspecs ECDSA-adaptor.md: encrypt,
 * verify (with its DLEQ proof), decrypt and recover. Point arithmetic is libsecp256k1
 * (tiny-secp256k1, WASM), scalar arithmetic @noble/curves' field; nothing here invents a
 * primitive. Checked against the spec's vectors and cross-checked against rust-dlc (docs/contracts.md).
 * Imports only dlc (tagged hash) and its libraries.
 */
import crypto from 'node:crypto';
import * as ecc from 'tiny-secp256k1';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { taggedHash } from '../dlc/schnorr.ts';
import { ContractError } from './errors.ts';

const Fn = secp256k1.Point.Fn;
const N = Fn.ORDER;
const HALF_N = N >> 1n;

/** Bytes of a serialized adaptor signature: R (33) || R_a (33) || s_a (32) || proof b (32) || c (32). */
export const ADAPTOR_SIG_BYTES = 162;
/** ECDSA-adaptor.md: the DLEQ challenge is SHA256 tagged with "DLEQ" (BIP340 style). */
const TAG_DLEQ = 'DLEQ';
/** Our `sample_nonce` tags (the spec leaves the instantiation to implementations; it advises adding randomness). */
const TAG_NONCE = 'Mega/ecdsa-adaptor/nonce';
const TAG_DLEQ_NONCE = 'Mega/ecdsa-adaptor/dleq-nonce';

/** A 33-byte compressed point, or null for the point at infinity. */
type Pt = Uint8Array | null;

const be32 = (k: bigint): Uint8Array => numberToBytesBE(k, 32);

function mulG(k: bigint): Pt {
  return k === 0n ? null : ecc.pointFromScalar(be32(k), true);
}
function mul(p: Uint8Array, k: bigint): Pt {
  return k === 0n ? null : ecc.pointMultiply(p, be32(k), true);
}
function add(a: Pt, b: Pt): Pt {
  if (!a) return b;
  if (!b) return a;
  return ecc.pointAdd(a, b, true);
}
function eqPt(a: Pt, b: Pt): boolean {
  if (!a || !b) return a === b;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}
/** x coordinate of a compressed point, reduced mod n (ECDSA's r). */
function xModN(p: Uint8Array): bigint {
  return bytesToNumberBE(p.subarray(1, 33)) % N;
}
/** `scalar(SHA256(tag || x))` for the DLEQ challenge. */
function dleqChallenge(...parts: Uint8Array[]): bigint {
  return Fn.create(bytesToNumberBE(taggedHash(TAG_DLEQ, Buffer.concat(parts))));
}
/** `sample_nonce`: a tagged hash of the inputs and 32 fresh random bytes, retried until non-zero. */
function sampleNonce(tag: string, ...parts: Uint8Array[]): bigint {
  for (;;) {
    const k = Fn.create(bytesToNumberBE(taggedHash(tag, Buffer.concat([...parts, crypto.randomBytes(32)]))));
    if (k !== 0n) return k;
  }
}

/** Whether `p` is a 33-byte compressed point on the curve. */
export function isCompressedPoint(p: Uint8Array): boolean {
  return p.length === 33 && ecc.isPointCompressed(p) && ecc.isPoint(p);
}

/** A parsed adaptor signature. */
export interface AdaptorSignature {
  R: Uint8Array;
  Ra: Uint8Array;
  sa: bigint;
  b: bigint;
  c: bigint;
}

/**
 * Parse the 162-byte encoding. Throws ContractError `bad-adaptor-signature` for a wrong length,
 * a point off the curve, or s_a zero or not below n (the spec's serialization vectors); b and c
 * must be below n.
 */
export function parseAdaptorSignature(bytes: Uint8Array): AdaptorSignature {
  if (bytes.length !== ADAPTOR_SIG_BYTES) throw new ContractError('bad-adaptor-signature', `adaptor signature is ${ADAPTOR_SIG_BYTES} bytes, got ${bytes.length}`);
  const R = bytes.slice(0, 33);
  const Ra = bytes.slice(33, 66);
  if (!isCompressedPoint(R)) throw new ContractError('bad-adaptor-signature', 'R is not a curve point');
  if (!isCompressedPoint(Ra)) throw new ContractError('bad-adaptor-signature', 'R_a is not a curve point');
  const sa = bytesToNumberBE(bytes.subarray(66, 98));
  if (sa === 0n) throw new ContractError('bad-adaptor-signature', 's_a cannot be zero');
  if (sa >= N) throw new ContractError('bad-adaptor-signature', 's_a too high');
  const b = bytesToNumberBE(bytes.subarray(98, 130));
  const c = bytesToNumberBE(bytes.subarray(130, 162));
  if (b >= N || c >= N) throw new ContractError('bad-adaptor-signature', 'proof scalar not below n');
  return { R, Ra, sa, b, c };
}

/** The 162-byte encoding of an adaptor signature. */
export function serializeAdaptorSignature(a: AdaptorSignature): Uint8Array {
  return new Uint8Array(Buffer.concat([a.R, a.Ra, be32(a.sa), be32(a.b), be32(a.c)]));
}

/** DLEQ_prove(x, (X, Y, Z)) of ECDSA-adaptor.md: proof that log_G X = log_Y Z = x. */
function dleqProve(x: bigint, X: Uint8Array, Y: Uint8Array, Z: Uint8Array): { b: bigint; c: bigint } {
  const a = sampleNonce(TAG_DLEQ_NONCE, X, Y, Z, be32(x));
  const AG = mulG(a)!;
  const AY = mul(Y, a)!;
  const b = dleqChallenge(X, Y, Z, AG, AY);
  return { b, c: Fn.add(a, Fn.mul(b, x)) };
}

/** DLEQ_verify((X, Y, Z), (b, c)): A_G = c·G − b·X, A_Y = c·Y − b·Z, then b == H(X‖Y‖Z‖A_G‖A_Y). */
function dleqVerify(X: Uint8Array, Y: Uint8Array, Z: Uint8Array, b: bigint, c: bigint): boolean {
  const nb = Fn.neg(b);
  const AG = add(mulG(c), mul(X, nb));
  const AY = add(mul(Y, c), mul(Z, nb));
  if (!AG || !AY) return false;
  return dleqChallenge(X, Y, Z, AG, AY) === b;
}

function scalarOf(secret: Uint8Array, what: string): bigint {
  if (secret.length !== 32) throw new ContractError('bad-terms', `${what} must be 32 bytes`);
  const x = bytesToNumberBE(secret);
  if (x === 0n || x >= N) throw new ContractError('bad-terms', `${what} is not in [1, n-1]`);
  return x;
}

/**
 * ecdsa_adaptor_encrypt(x, Y, message_hash): an ECDSA signature by `secretKey` over `msg32`
 * that only the discrete log of `encryptionKey` (33-byte point) can complete.
 */
export function adaptorEncrypt(secretKey: Uint8Array, encryptionKey: Uint8Array, msg32: Uint8Array): Uint8Array {
  const x = scalarOf(secretKey, 'secret key');
  if (msg32.length !== 32) throw new ContractError('bad-terms', 'message hash must be 32 bytes');
  if (!isCompressedPoint(encryptionKey)) throw new ContractError('bad-point', 'encryption key is not a compressed curve point');
  const m = Fn.create(bytesToNumberBE(msg32));
  for (;;) {
    const k = sampleNonce(TAG_NONCE, encryptionKey, msg32, secretKey);
    const Ra = mulG(k)!;
    const R = mul(encryptionKey, k)!;
    const r = xModN(R);
    const sa = Fn.mul(Fn.inv(k), Fn.add(m, Fn.mul(r, x)));
    if (r === 0n || sa === 0n) continue; // negligible; a fresh nonce keeps s_a invertible
    const { b, c } = dleqProve(k, Ra, encryptionKey, R);
    return serializeAdaptorSignature({ R, Ra, sa, b, c });
  }
}

/**
 * ecdsa_adaptor_verify(X, Y, message_hash, a). Never throws: a malformed signature or key is
 * simply false.
 */
export function adaptorVerify(publicKey: Uint8Array, encryptionKey: Uint8Array, msg32: Uint8Array, sig: Uint8Array): boolean {
  let a: AdaptorSignature;
  try {
    a = parseAdaptorSignature(sig);
  } catch {
    return false;
  }
  if (msg32.length !== 32 || !isCompressedPoint(publicKey) || !isCompressedPoint(encryptionKey)) return false;
  if (!dleqVerify(a.Ra, encryptionKey, a.R, a.b, a.c)) return false;
  const m = Fn.create(bytesToNumberBE(msg32));
  const r = xModN(a.R);
  const si = Fn.inv(a.sa);
  const implied = add(mulG(Fn.mul(si, m)), mul(publicKey, Fn.mul(si, r)));
  return eqPt(implied, a.Ra);
}

/**
 * ecdsa_adaptor_decrypt(a, y): the ECDSA signature r‖s (64 bytes, low S per BIP62) completed
 * with the decryption key y (32 bytes; for a DLC, the oracle's attestation scalar or their sum).
 */
export function adaptorDecrypt(sig: Uint8Array, decryptionKey: Uint8Array): Uint8Array {
  const a = parseAdaptorSignature(sig);
  const y = scalarOf(decryptionKey, 'decryption key');
  let s = Fn.mul(a.sa, Fn.inv(y));
  if (s > HALF_N) s = N - s;
  return new Uint8Array(Buffer.concat([be32(xModN(a.R)), be32(s)]));
}

/**
 * ecdsa_adaptor_recover(Y, a, sig): the decryption key from an adaptor signature and the ECDSA
 * signature completed from it (64-byte r‖s), or null when they do not belong together. In a
 * DLC this is the oracle scalar a published CET reveals.
 */
export function adaptorRecover(encryptionKey: Uint8Array, sig: Uint8Array, ecdsaSig: Uint8Array): Uint8Array | null {
  let a: AdaptorSignature;
  try {
    a = parseAdaptorSignature(sig);
  } catch {
    return null;
  }
  if (ecdsaSig.length !== 64 || !isCompressedPoint(encryptionKey)) return null;
  const r = bytesToNumberBE(ecdsaSig.subarray(0, 32));
  const s = bytesToNumberBE(ecdsaSig.subarray(32, 64));
  if (s === 0n || s >= N || r !== xModN(a.R)) return null;
  const y = Fn.mul(Fn.inv(s), a.sa);
  const Y = mulG(y);
  if (!Y) return null;
  if (eqPt(Y, encryptionKey)) return be32(y);
  if (Buffer.compare(Buffer.from(Y.subarray(1)), Buffer.from(encryptionKey.subarray(1))) === 0) return be32(Fn.neg(y));
  return null;
}
