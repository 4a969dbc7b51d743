/** mempool/shard.ts - which report ids this node stores: id (a 256-bit integer) mod count == index. Imports nothing. */

/** This node's shard: of `count` shards it stores number `index`. */
export interface Shard {
  count: number;
  index: number;
}

/** Does the 64-hex-char id belong to `shard`? */
export function isInShard(idHex: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  return BigInt('0x' + idHex) % BigInt(shard.count) === BigInt(shard.index);
}
