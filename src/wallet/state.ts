/**
 * wallet/state.ts - the wallet's persistent state (indexes, scan position with recent block hashes,
 * coins, reservations, contract slots): its in-memory shape and its JSON encoding, decoded strictly
 * (anything else is `corrupt-state` naming the file). Imports the wallet's errors and chain/types.
 */
import type { BitcoinChainName } from '../chain/types.ts';
import { WalletError } from './errors.ts';
import type { AddressChain } from './keys.ts';

export const STATE_VERSION = 1;

/** One output the wallet owns. */
export interface Coin {
  txid: string;
  vout: number;
  value: bigint;
  /** Which BIP84 chain and index its key sits at. */
  chain: AddressChain;
  index: number;
  /** Height of the block it was created in; null = not yet seen in a block (our own broadcast's change). */
  height: number | null;
  coinbase: boolean;
  /** Created by a transaction this wallet broadcast (markSpent): a reorg makes it pending again instead of dropping it. */
  own: boolean;
  /** The transaction spending it, when one is known. */
  spentBy: string | null;
  /** Height of the block of that spend; null = seen only through markSpent so far. */
  spentHeight: number | null;
  /** The spend came from markSpent (our own broadcast): a reorg keeps it spent-pending. */
  spentOwn: boolean;
}

export interface Reservation {
  /** Outpoints `txid:vout` with the serial ids handed out for them. */
  coins: { outpoint: string; serialId: bigint }[];
}

export interface WalletState {
  version: number;
  chain: BitcoinChainName;
  /** First height scanned. */
  birthday: number;
  /** Next index handed out per chain (external, internal). */
  next: [number, number];
  /** Highest index seen used on chain per chain (-1 = none). */
  used: [number, number];
  /** Last height scanned (birthday - 1 before the first scan). */
  height: number;
  /** Hashes of the last scanned blocks, keyed by height. */
  hashes: Map<number, string>;
  coins: Map<string, Coin>;
  reservations: Map<string, Reservation>;
  slots: Map<string, number>;
  nextSlot: number;
}

export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

export function emptyState(chain: BitcoinChainName, birthday: number): WalletState {
  return {
    version: STATE_VERSION,
    chain,
    birthday,
    next: [0, 0],
    used: [-1, -1],
    height: birthday - 1,
    hashes: new Map(),
    coins: new Map(),
    reservations: new Map(),
    slots: new Map(),
    nextSlot: 0,
  };
}

export function encodeState(s: WalletState): string {
  return JSON.stringify({
    version: s.version,
    chain: s.chain,
    birthday: s.birthday,
    next: s.next,
    used: s.used,
    height: s.height,
    hashes: [...s.hashes].map(([h, hash]) => [h, hash]),
    coins: [...s.coins.values()].map((c) => ({ ...c, value: c.value.toString() })),
    reservations: [...s.reservations].map(([id, r]) => [id, r.coins.map((c) => [c.outpoint, c.serialId.toString()])]),
    slots: [...s.slots],
    nextSlot: s.nextSlot,
  });
}

const HEX64 = /^[0-9a-f]{64}$/;
const CHAINS = new Set(['main', 'test', 'testnet4', 'signet', 'regtest']);

/** Decode a state file's text; any deviation is `corrupt-state` naming `file`. */
export function decodeState(text: string, file: string): WalletState {
  const fail = (why: string): never => {
    throw new WalletError('corrupt-state', `${file}: ${why}`);
  };
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail('not JSON');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return fail('not an object');
  const int = (v: unknown, what: string, min = 0): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? v : fail(`${what} is not an integer >= ${min}`));
  const arr = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`${what} is not an array`));
  const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : fail(`${what} is not a string`));
  const big = (v: unknown, what: string): bigint => (typeof v === 'string' && /^[0-9]{1,20}$/.test(v) ? BigInt(v) : fail(`${what} is not a decimal amount`));
  const hex64 = (v: unknown, what: string): string => (typeof v === 'string' && HEX64.test(v) ? v : fail(`${what} is not a 64-hex hash`));
  const pair = (v: unknown, what: string, min: number): [number, number] => {
    const a = arr(v, what);
    if (a.length !== 2) fail(`${what} must hold two numbers`);
    return [int(a[0], `${what}[0]`, min), int(a[1], `${what}[1]`, min)];
  };
  if (j.version !== STATE_VERSION) fail(`version ${JSON.stringify(j.version)} is not ${STATE_VERSION}`);
  if (typeof j.chain !== 'string' || !CHAINS.has(j.chain)) fail('chain is not a bitcoind chain name');
  const birthday = int(j.birthday, 'birthday');
  const s = emptyState(j.chain as BitcoinChainName, birthday);
  s.next = pair(j.next, 'next', 0);
  s.used = pair(j.used, 'used', -1);
  s.height = int(j.height, 'height', birthday - 1);
  for (const e of arr(j.hashes, 'hashes')) {
    const p = arr(e, 'hashes[]');
    s.hashes.set(int(p[0], 'hashes[].height'), hex64(p[1], 'hashes[].hash'));
  }
  for (const e of arr(j.coins, 'coins')) {
    if (typeof e !== 'object' || e === null) fail('coins[] is not an object');
    const c = e as Record<string, unknown>;
    const nullableInt = (v: unknown, what: string): number | null => (v === null ? null : int(v, what));
    const chain = int(c.chain, 'coin.chain');
    if (chain > 1) fail('coin.chain is not 0 or 1');
    const coin: Coin = {
      txid: hex64(c.txid, 'coin.txid'),
      vout: int(c.vout, 'coin.vout'),
      value: big(c.value, 'coin.value'),
      chain: chain as AddressChain,
      index: int(c.index, 'coin.index'),
      height: nullableInt(c.height, 'coin.height'),
      coinbase: c.coinbase === true,
      own: c.own === true,
      spentBy: c.spentBy === null ? null : hex64(c.spentBy, 'coin.spentBy'),
      spentHeight: nullableInt(c.spentHeight, 'coin.spentHeight'),
      spentOwn: c.spentOwn === true,
    };
    s.coins.set(outpointKey(coin.txid, coin.vout), coin);
  }
  for (const e of arr(j.reservations, 'reservations')) {
    const p = arr(e, 'reservations[]');
    const coins = arr(p[1], 'reservation coins').map((x) => {
      const q = arr(x, 'reservation coin');
      return { outpoint: str(q[0], 'reservation outpoint'), serialId: big(q[1], 'reservation serialId') };
    });
    s.reservations.set(str(p[0], 'reservation id'), { coins });
  }
  for (const e of arr(j.slots, 'slots')) {
    const p = arr(e, 'slots[]');
    s.slots.set(str(p[0], 'slot id'), int(p[1], 'slot index'));
  }
  s.nextSlot = int(j.nextSlot, 'nextSlot');
  return s;
}
