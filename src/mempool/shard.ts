/** mempool/shard.ts - which report ids this node stores: id (a 256-bit integer) mod count == index. Imports nothing. */

/** This node's shard: of `count` shards it stores number `index`. */
export interface Shard {
  count: number;
  index: number;
}

/** Largest count the digit-by-digit remainder handles exactly (r * 16 + 15 stays a safe integer); config allows up to 2^20. */
const DIGIT_MOD_MAX_COUNT = 2 ** 40;

/** Does the 64-hex-char id belong to `shard`? */
export function isInShard(idHex: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  const r = shard.count <= DIGIT_MOD_MAX_COUNT ? hexMod(idHex, shard.count) : -1;
  // Anything but hex digits (or a count past the exact range) is answered by BigInt, which also throws as it did for a non-hex id.
  if (r >= 0) return r === shard.index;
  return BigInt('0x' + idHex) % BigInt(shard.count) === BigInt(shard.index);
}

/**
 * `idHex` (hex digits, either case) as an integer mod `count`, Horner's rule one digit at a time:
 * the same remainder as BigInt('0x' + idHex) % count without parsing a 256-bit BigInt (three
 * BigInts per call, up to three calls per report admitted on a sharded node). -1 when `idHex` is
 * empty or holds anything but hex digits.
 */
function hexMod(idHex: string, count: number): number {
  if (idHex.length === 0) return -1;
  let r = 0;
  for (let i = 0; i < idHex.length; i++) {
    const c = idHex.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    r = (r * 16 + d) % count;
  }
  return r;
}
