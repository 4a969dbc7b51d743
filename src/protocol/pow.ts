/** protocol/pow.ts - hashcash preimages, hashing, leading-zero-bit checks and a synchronous miner. Imports only protocol. */
import { reportText } from './ids.ts';
import type { HashMemo } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import type { Announcement, OracleCapability, OracleId, Pow, Report } from './types.ts';

/** Highest meaningful difficulty: SHA-256 has 256 bits. */
export const MAX_DIFFICULTY = 256;

/** PoW preimage of an oracle ad: its pubkey, so identity work survives seqNo updates. */
export function oraclePreimage(o: Pick<OracleId, 'pubkey'>): string {
  return o.pubkey;
}

/** PoW preimage of a capability: oraclePubKey followed by capabilityPubKey. */
export function capabilityPreimage(c: Pick<OracleCapability, 'oraclePubKey' | 'capabilityPubKey'>): string {
  return c.oraclePubKey + c.capabilityPubKey;
}

/** PoW preimage of a DLC announcement: oraclePubKey + capabilityPubKey + its id (hex SHA-256 of the TLV). */
export function announcementPreimage(a: Pick<Announcement, 'oraclePubKey' | 'capabilityPubKey'>, id: string): string {
  return a.oraclePubKey + a.capabilityPubKey + id;
}

/** PoW preimage of a report: the canonical `{oraclePubKey, content}` (the same text its id hashes). */
export function reportPreimage(r: Pick<Report, 'oraclePubKey' | 'content'>, memo: HashMemo | null = null): string {
  return reportText(r, memo);
}

/** hex SHA-256 of UTF-8(preimage + decimal magicNo + (magicString ?? "")). */
export function powHash(preimage: string, magicNo: number, magicString?: string): string {
  return sha256Hex(preimage + String(magicNo) + (magicString ?? ''));
}

/** Number of leading zero bits of a hex digest. */
export function leadingZeroBits(hex: string): number {
  let bits = 0;
  for (let i = 0; i < hex.length; i++) {
    const nibble = parseInt(hex[i] as string, 16);
    if (nibble === 0) {
      bits += 4;
      continue;
    }
    return bits + (Math.clz32(nibble) - 28);
  }
  return bits;
}

/** Why a PoW is not valid, or null when it is. */
export function checkPow(pow: Pow, preimage: string): null | 'pow-algorithm' | 'pow-hash-mismatch' | 'pow-insufficient' {
  if (pow.algorithm !== 'SHA256') return 'pow-algorithm';
  const hash = powHash(preimage, pow.magicNo, pow.magicString);
  if (hash !== pow.hash) return 'pow-hash-mismatch';
  if (leadingZeroBits(hash) < pow.difficulty) return 'pow-insufficient';
  return null;
}

/** Is `pow` a valid proof for `preimage`? */
export function verifyPow(pow: Pow, preimage: string): boolean {
  return checkPow(pow, preimage) === null;
}

/** Mine synchronously from `start` (blocking; for tests and tiny difficulties; the CLI uses the worker miner). */
export function minePowSync(preimage: string, difficulty: number, magicString?: string, start = 0): Pow {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > MAX_DIFFICULTY) {
    throw new RangeError(`difficulty must be an integer in [0, ${MAX_DIFFICULTY}]`);
  }
  for (let magicNo = start; magicNo <= Number.MAX_SAFE_INTEGER; magicNo++) {
    const hash = powHash(preimage, magicNo, magicString);
    if (leadingZeroBits(hash) >= difficulty) {
      const pow: Pow = { difficulty, algorithm: 'SHA256', hash, magicNo };
      if (magicString !== undefined) pow.magicString = magicString;
      return pow;
    }
  }
  throw new Error('PoW search space exhausted');
}
