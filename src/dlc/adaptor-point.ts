/**
 * dlc/adaptor-point.ts - the point a contract encrypts each CET signature to (dlcspecs
 * Protocol.md / NumericOutcomeCompression.md): for one outcome, the attestation point
 * S = R + e·P (e the BIP340 challenge over the signing version's message), so the oracle's
 * signature scalar s is its discrete log; for a digit prefix, the sum of the digits' points,
 * whose discrete log is the sum of the attested scalars. Point arithmetic is libsecp256k1
 * (tiny-secp256k1). Imports only dlc.
 */
import * as ecc from 'tiny-secp256k1';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { fromHex } from './bytes.ts';
import { DlcError } from './errors.ts';
import { attestationMessage, challenge } from './schnorr.ts';
import type { OracleAttestation, SigningVersion } from './types.ts';

const Fn = secp256k1.Point.Fn;

/** BIP340 lifts an x-only key to the point with even Y: 0x02 || x. */
function lift(xOnly: Uint8Array, what: string): Uint8Array {
  const p = new Uint8Array(33);
  p[0] = 0x02;
  p.set(xOnly, 1);
  if (xOnly.length !== 32 || !ecc.isPoint(p)) throw new DlcError('bad-point', `${what} is not an x-only curve point`);
  return p;
}

/**
 * The attestation point of `outcome` under oracle key `oracleKey` and nonce `nonce` (both x-only,
 * 32 bytes): S = R + e·P, compressed (33 bytes). A valid attestation's scalar s satisfies s·G = S.
 */
export function attestationPoint(oracleKey: Uint8Array, nonce: Uint8Array, version: SigningVersion, outcome: string): Uint8Array {
  const P = lift(oracleKey, 'oracle key');
  const R = lift(nonce, 'nonce');
  const e = challenge(nonce, oracleKey, attestationMessage(version, outcome));
  const eP = e === 0n ? null : ecc.pointMultiply(P, numberToBytesBE(e, 32), true);
  const S = eP ? ecc.pointAdd(R, eP, true) : R;
  if (!S) throw new DlcError('bad-point', 'attestation point is the point at infinity');
  return S;
}

/** Sum of points (33 bytes each); throws DlcError `bad-point` if the sum is the point at infinity. */
export function sumPoints(points: readonly Uint8Array[]): Uint8Array {
  if (points.length === 0) throw new DlcError('bad-point', 'no points to add');
  let acc: Uint8Array = points[0]!;
  for (let i = 1; i < points.length; i++) {
    const next = ecc.pointAdd(acc, points[i]!, true);
    if (!next) throw new DlcError('bad-point', 'sum of attestation points is the point at infinity');
    acc = next;
  }
  return acc;
}

/**
 * Per-digit attestation points of a digit-decomposition event: `table[i][d]` is the point of digit
 * value d (signed as its decimal string) at nonce i. For an unsigned event the nonces are the
 * digits; a signed event's first nonce (the sign) is the caller's to skip.
 */
export function digitPointTable(oracleKey: Uint8Array, nonces: readonly Uint8Array[], version: SigningVersion, base: number): Uint8Array[][] {
  return nonces.map((R) => Array.from({ length: base }, (_, d) => attestationPoint(oracleKey, R, version, String(d))));
}

/** The adaptor point of a digit prefix: Σ table[i][prefix[i]] over the prefix's digits. */
export function digitPrefixPoint(table: readonly Uint8Array[][], prefix: readonly number[]): Uint8Array {
  return sumPoints(prefix.map((d, i) => table[i]![d]!));
}

/**
 * The decryption key of a CET covering the first `count` signatures of an attestation: the sum
 * of their BIP340 scalars s mod n (32 bytes). With count 1 it is the single outcome's s.
 */
export function attestationSecret(att: OracleAttestation, count: number): Uint8Array {
  if (!Number.isInteger(count) || count < 1 || count > att.signatures.length) throw new DlcError('outcome-count', `need 1..${att.signatures.length} signatures, asked ${count}`);
  let s = 0n;
  for (let i = 0; i < count; i++) {
    const sig = fromHex(att.signatures[i]!);
    if (sig.length !== 64) throw new DlcError('bad-signature', 'a BIP340 signature is 64 bytes');
    s = Fn.add(s, Fn.create(bytesToNumberBE(sig.subarray(32))));
  }
  if (s === 0n) throw new DlcError('bad-signature', 'attestation scalars sum to zero');
  return numberToBytesBE(s, 32);
}
