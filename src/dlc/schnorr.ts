/**
 * dlc/schnorr.ts - BIP340 for DLC oracles: the signed message per signing version, verification
 * (tiny-secp256k1, libsecp256k1 as WASM: the fastest correct candidate measured in
 * bench/bip340.ts), signing with a nonce committed in advance and the key-recovery check
 * (@noble/curves scalar/point arithmetic, which tiny-secp256k1 does not expose). Imports only dlc.
 */
import crypto from 'node:crypto';
import * as ecc from 'tiny-secp256k1';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { utf8 } from './bytes.ts';
import { TAG_ANNOUNCEMENT_V0, TAG_ATTESTATION_V0, TAG_BIP340_CHALLENGE } from './constants.ts';
import { DlcError } from './errors.ts';
import type { SigningVersion } from './types.ts';

const Point = secp256k1.Point;
const Fn = Point.Fn;
/** Order of the secp256k1 group. */
const N = Fn.ORDER;

const tagPrefixes = new Map<string, Buffer>();
/** BIP340 tagged hash: SHA-256(SHA-256(tag) || SHA-256(tag) || msg). */
export function taggedHash(tag: string, msg: Uint8Array): Uint8Array {
  let prefix = tagPrefixes.get(tag);
  if (!prefix) {
    const t = crypto.createHash('sha256').update(tag, 'utf8').digest();
    prefix = Buffer.concat([t, t]);
    tagPrefixes.set(tag, prefix);
  }
  return new Uint8Array(crypto.createHash('sha256').update(prefix).update(msg).digest());
}

function sha256(msg: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.createHash('sha256').update(msg).digest());
}

/**
 * The 32-byte message an announcement's BIP340 signature is over. `eventTlv` is the whole
 * `oracle_event` TLV, `eventValue` its value alone (what sibyls' Basic version hashes).
 */
export function announcementMessage(version: SigningVersion, eventTlv: Uint8Array, eventValue: Uint8Array): Uint8Array {
  return version === 'dlcspecs-v0' ? taggedHash(TAG_ANNOUNCEMENT_V0, eventTlv) : sha256(eventValue);
}

/** The 32-byte message an attestation signature over one outcome string is over. */
export function attestationMessage(version: SigningVersion, outcome: string): Uint8Array {
  const bytes = utf8(outcome);
  return version === 'dlcspecs-v0' ? taggedHash(TAG_ATTESTATION_V0, bytes) : sha256(bytes);
}

/** True iff `xOnly` (32 bytes) is the x coordinate of a curve point. */
export function isXOnlyPoint(xOnly: Uint8Array): boolean {
  return xOnly.length === 32 && ecc.isXOnlyPoint(xOnly);
}

/** BIP340 verify. Never throws: a malformed key or signature is simply false. */
export function verifySchnorr(sig: Uint8Array, msg32: Uint8Array, xOnlyKey: Uint8Array): boolean {
  if (sig.length !== 64 || msg32.length !== 32 || xOnlyKey.length !== 32) return false;
  try {
    return ecc.verifySchnorr(msg32, xOnlyKey, sig);
  } catch {
    return false;
  }
}

/** A scalar in [1, n-1] from 32 bytes, or a `bad-secret` DlcError. */
function secretScalar(secret: Uint8Array, what: string): bigint {
  if (secret.length !== 32) throw new DlcError('bad-secret', `${what} must be 32 bytes`);
  const k = bytesToNumberBE(secret);
  if (k <= 0n || k >= N) throw new DlcError('bad-secret', `${what} is not in [1, n-1]`);
  return k;
}

/** x-only public key (or nonce R) of a 32-byte secret, BIP340 style. */
export function xOnlyFromSecret(secret: Uint8Array): Uint8Array {
  secretScalar(secret, 'secret');
  return schnorr.getPublicKey(secret);
}

/** BIP340 challenge e = H_challenge(R.x || P.x || m) mod n. */
export function challenge(rx: Uint8Array, px: Uint8Array, msg32: Uint8Array): bigint {
  const h = taggedHash(TAG_BIP340_CHALLENGE, Buffer.concat([rx, px, msg32]));
  return Fn.create(bytesToNumberBE(h));
}

/** Scalar with the sign flipped when its point has odd Y (BIP340 normalisation). */
function evenY(k: bigint): { k: bigint; x: Uint8Array } {
  const p = Point.BASE.multiply(k);
  const even = (p.toAffine().y & 1n) === 0n;
  return { k: even ? k : N - k, x: schnorr.utils.pointToBytes(p) };
}

/**
 * BIP340 signature with the nonce the oracle committed to in its announcement: R = k·G and
 * P = x·G are normalised to even Y (k and x negated when odd), then s = k + e·x mod n. The
 * result is checked with {@link verifySchnorr} before it is returned (BIP340's advice).
 */
export function signWithNonce(secretKey: Uint8Array, nonceSecret: Uint8Array, msg32: Uint8Array): Uint8Array {
  const d = evenY(secretScalar(secretKey, 'secret key'));
  const k = evenY(secretScalar(nonceSecret, 'nonce secret'));
  const e = challenge(k.x, d.x, msg32);
  const s = Fn.add(k.k, Fn.mul(e, d.k));
  const sig = Buffer.concat([k.x, numberToBytesBE(s, 32)]);
  if (!verifySchnorr(sig, msg32, d.x)) throw new Error('BIP340 signature with committed nonce did not verify');
  return new Uint8Array(sig);
}

/** BIP340 signature with fresh auxiliary randomness (announcements); `auxRand` only for reproducible examples and vectors. */
export function signFresh(secretKey: Uint8Array, msg32: Uint8Array, auxRand?: Uint8Array): Uint8Array {
  secretScalar(secretKey, 'secret key');
  if (auxRand !== undefined && auxRand.length !== 32) throw new RangeError('auxRand is 32 bytes');
  return ecc.signSchnorr(msg32, secretKey, auxRand ?? crypto.randomBytes(32));
}

/** `count` fresh nonce secrets, each a valid scalar. The caller must store them durably before use. */
export function freshNonceSecrets(count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (out.length < count) {
    const k = new Uint8Array(crypto.randomBytes(32));
    const v = bytesToNumberBE(k);
    if (v > 0n && v < N) out.push(k);
  }
  return out;
}

/**
 * Whether two valid signatures (R, s1) over m1 and (R, s2) over m2 under one key P reveal that
 * key: x = (s1 - s2) / (e1 - e2) mod n, then x·G must have P's x coordinate. The recovered
 * scalar never leaves this function; only the yes/no does.
 */
export function recoveredKeyMatches(px: Uint8Array, rx: Uint8Array, m1: Uint8Array, s1: Uint8Array, m2: Uint8Array, s2: Uint8Array): boolean {
  const e1 = challenge(rx, px, m1);
  const e2 = challenge(rx, px, m2);
  const de = Fn.sub(e1, e2);
  if (de === 0n) return false;
  const sa = bytesToNumberBE(s1);
  const sb = bytesToNumberBE(s2);
  if (sa >= N || sb >= N) return false;
  // s_i = k + e_i·x with k, x already normalised to even Y by the signer, so the difference
  // cancels k and leaves x (the even-Y key) directly.
  const x = Fn.mul(Fn.sub(sa, sb), Fn.inv(de));
  if (x === 0n) return false;
  // x·G with libsecp256k1 (WASM): ~10x the pure-JS multiply, and admission runs this per DLC proof.
  const got = ecc.xOnlyPointFromScalar(numberToBytesBE(x, 32));
  return Buffer.compare(Buffer.from(got), Buffer.from(px)) === 0;
}
