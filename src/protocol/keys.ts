/** protocol/keys.ts - secp256k1 keys and compact low-S ECDSA over 32-byte hashes (native `secp256k1`). Imports only protocol. */
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import type secp256k1Types from 'secp256k1';
import { LruSet } from '../util/lru.ts';
import type { HashMemo } from './canonical.ts';
import { collectingScope, INLINE, type CheckScope } from './scope.ts';

const require = createRequire(import.meta.url);
const secp: typeof secp256k1Types = require('secp256k1');

/**
 * Which secp256k1 implementation loaded. The package silently falls back to pure-JS `elliptic`
 * (~38x slower) when no prebuilt binary matches the platform, so the node logs this at start.
 */
export const SECP256K1_BACKEND: 'native' | 'elliptic' = (() => {
  try {
    return require('secp256k1/bindings') === secp ? 'native' : 'elliptic';
  } catch {
    return 'elliptic';
  }
})();

const HEX_PUBKEY = /^0[23][0-9a-f]{64}$/;
const HEX_PRIVKEY = /^[0-9a-f]{64}$/;
const HEX_SIG = /^[0-9a-f]{128}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;
// n/2 of secp256k1: a signature whose s exceeds it is malleable (high-S) and is refused.
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
/** n/2 as 64 lowercase hex digits (the form `s` has in a compact signature). */
const HALF_ORDER_HEX = HALF_ORDER.toString(16).padStart(64, '0');

/** A key pair as lowercase hex. */
export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** Public keys recently found on the curve (an oracle's key recurs in every report against it). */
const validPubkeys = new LruSet<string>(100_000);

/** A BIP340 check as DLC verification asks it (dlc/verify.ts): signature (64 bytes), message (32), x-only key (32). */
export type SchnorrCheck = readonly [Uint8Array, Uint8Array, Uint8Array];

/** Signature checks and public keys a check would need, gathered by {@link collectSignatureWork}. */
export interface SignatureWork {
  /** [signature, hash, public key] hex triples, each syntactically valid and low-S. */
  sigs: [string, string, string][];
  pubkeys: string[];
  /** Set by {@link recordVerified}: 1 where libsecp256k1 answered true for `sigs[i]` (an answered scope uses it, protocol/scope.ts). */
  sigOk?: ArrayLike<number>;
  /** BIP340 checks of a DLC message, each of exact lengths (protocol/schnorr-scope.ts); absent when none. */
  schnorr?: SchnorrCheck[];
  /** x-only points (32 bytes each) to check on the curve; absent when none. */
  points?: Uint8Array[];
  /** Set by {@link recordVerified}: 1 where the thread answered true for `schnorr[i]`. */
  schnorrOk?: ArrayLike<number>;
  /** Set by {@link recordVerified}: 1 where the thread found `points[i]` on the curve. */
  pointOk?: ArrayLike<number>;
}

/**
 * Run `check` in a collecting scope (no curve arithmetic: every signature and key check answers
 * true and is recorded) and return what it asked for. A verifier thread can then do that work
 * ahead of the real call (see protocol/verify-pool.ts). Anything `check` throws is swallowed.
 */
export function collectSignatureWork(check: (scope: CheckScope) => unknown, memo: HashMemo | null = null): SignatureWork {
  const scope = collectingScope(memo);
  try {
    check(scope);
  } catch {
    // a malformed payload: the real admission names the problem
  }
  return scope.sigs.work;
}

/**
 * Keep the results of work done elsewhere: which triples verified (on `work`, for an
 * answered {@link CheckScope}, protocol/scope.ts) and which keys are on the curve (in the public-key cache). A key
 * whose signature verified is on the curve too.
 */
export function recordVerified(work: SignatureWork, sigOk: ArrayLike<number>, pubkeyOk: ArrayLike<number>, schnorrOk?: ArrayLike<number>, pointOk?: ArrayLike<number>): void {
  work.sigOk = sigOk;
  if (schnorrOk) work.schnorrOk = schnorrOk;
  if (pointOk) work.pointOk = pointOk;
  // A key already cached keeps its cached string: re-adding would swap in this message's copy, and
  // the stored entry that shares the cached one (mempool/compact.ts) would no longer share it.
  work.sigs.forEach((t, i) => {
    if (sigOk[i] === 1 && !validPubkeys.has(t[2])) validPubkeys.add(t[2]);
  });
  work.pubkeys.forEach((pub, i) => {
    if (pubkeyOk[i] === 1 && !validPubkeys.has(pub)) validPubkeys.add(pub);
  });
}

/** Did a verifier thread answer true for exactly this triple of `w`? Identity first: the strings are usually the very ones collected. */
function answeredTrue(w: SignatureWork, sig: string, hash: string, pub: string): boolean {
  const ok = w.sigOk;
  if (!ok) return false;
  const sigs = w.sigs;
  for (let i = 0; i < sigs.length; i++) {
    const t = sigs[i] as [string, string, string];
    if (ok[i] === 1 && t[0] === sig && t[1] === hash && t[2] === pub) return true;
  }
  return false;
}

/** Forget every remembered result (tests). */
export function clearVerifiedCaches(): void {
  validPubkeys.clear();
}

/** Is `hex` a syntactically valid 33-byte compressed public key that lies on the curve? */
export function isPublicKey(hex: unknown, scope: CheckScope = INLINE): hex is string {
  if (typeof hex !== 'string') return false;
  // Only keys that passed the syntax check below are ever cached: a hit needs no regex.
  if (validPubkeys.has(hex)) return true;
  if (!HEX_PUBKEY.test(hex)) return false;
  if (scope.sigs.kind === 'collect') {
    scope.sigs.work.pubkeys.push(hex);
    return true;
  }
  if (!secp.publicKeyVerify(Buffer.from(hex, 'hex'))) return false;
  validPubkeys.add(hex);
  return true;
}

/** Is `hex` a valid private key (32 bytes, 0 < k < n)? */
export function isPrivateKey(hex: unknown): hex is string {
  if (typeof hex !== 'string' || !HEX_PRIVKEY.test(hex)) return false;
  return secp.privateKeyVerify(Buffer.from(hex, 'hex'));
}

/** Fresh random key pair. */
export function generateKeyPair(): KeyPair {
  for (;;) {
    const priv = crypto.randomBytes(32);
    if (secp.privateKeyVerify(priv)) {
      return { privateKey: priv.toString('hex'), publicKey: publicKeyOf(priv.toString('hex')) };
    }
  }
}

/** Compressed public key (hex) of a private key (hex). Throws on an invalid key. */
export function publicKeyOf(privateKeyHex: string): string {
  if (!isPrivateKey(privateKeyHex)) throw new Error('invalid private key: expected 64 lowercase hex chars in (0, n)');
  return Buffer.from(secp.publicKeyCreate(Buffer.from(privateKeyHex, 'hex'), true)).toString('hex');
}

/** RFC 6979 deterministic ECDSA over a 32-byte hash (hex); returns compact low-S `r||s` hex. */
export function signHash(hashHex: string, privateKeyHex: string): string {
  if (!HEX_HASH.test(hashHex)) throw new Error('hash must be 64 lowercase hex chars');
  if (!isPrivateKey(privateKeyHex)) throw new Error('invalid private key');
  const { signature } = secp.ecdsaSign(Buffer.from(hashHex, 'hex'), Buffer.from(privateKeyHex, 'hex'));
  return Buffer.from(signature).toString('hex');
}

/** Is `s` of a compact signature at most n/2? */
export function isLowS(signatureHex: string): boolean {
  // Lowercase hex of one fixed width orders as its numbers do: a string comparison, no BigInt.
  if (HEX_SIG.test(signatureHex)) return signatureHex.slice(64) <= HALF_ORDER_HEX;
  return BigInt('0x' + signatureHex.slice(64, 128)) <= HALF_ORDER;
}

/** Verify a compact low-S signature (hex) over a 32-byte hash (hex) by a compressed public key (hex), as `scope` answers checks. Never throws. */
export function verifyHash(signatureHex: unknown, hashHex: string, publicKeyHex: unknown, scope: CheckScope = INLINE): boolean {
  if (typeof signatureHex !== 'string' || typeof publicKeyHex !== 'string') return false;
  const mode = scope.sigs;
  // A triple is collected only after it passed the syntax and low-S checks below, so a thread's
  // "true" for exactly these strings needs none of them again (admission's second pass).
  if (mode.kind === 'answered' && answeredTrue(mode.work, signatureHex, hashHex, publicKeyHex)) return true;
  if (!HEX_SIG.test(signatureHex) || !HEX_PUBKEY.test(publicKeyHex)) return false;
  if (!HEX_HASH.test(hashHex) || !isLowS(signatureHex)) return false;
  if (mode.kind === 'collect') {
    mode.work.sigs.push([signatureHex, hashHex, publicKeyHex]);
    return true;
  }
  try {
    return secp.ecdsaVerify(Buffer.from(signatureHex, 'hex'), Buffer.from(hashHex, 'hex'), Buffer.from(publicKeyHex, 'hex'));
  } catch {
    // r or s >= n, or a point not on the curve: libsecp256k1 refuses to parse it.
    return false;
  }
}
