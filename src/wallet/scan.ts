/**
 * wallet/scan.ts - how blocks and our own transactions change the wallet state: outputs to the
 * wallet's scripts (kept GAP_LIMIT past the last used index on both chains), spends of its coins,
 * rolling back blocks a reorg removed, pruning long-spent coins. Pure state updates; no I/O.
 * Imports bitcoinjs-lib and the wallet's state/keys/constants/errors.
 */
import type { Transaction } from 'bitcoinjs-lib';
import { COINBASE_MATURITY, GAP_LIMIT, MAX_COINS, PRUNE_SPENT_DEPTH, REORG_WINDOW_BLOCKS } from './constants.ts';
import { WalletError } from './errors.ts';
import type { AddressChain, KeyTree } from './keys.ts';
import { outpointKey, type Coin, type WalletState } from './state.ts';

/** Output script (hex) -> its key position, covering every index up to last used + GAP_LIMIT on both chains. */
export class ScriptIndex {
  private readonly map = new Map<string, { chain: AddressChain; index: number }>();
  private readonly top: [number, number] = [-1, -1];

  constructor(private readonly keys: KeyTree) {}

  /** Derive scripts until each chain covers max(used, next - 1) + GAP_LIMIT. */
  extend(state: WalletState): void {
    for (const chain of [0, 1] as const) {
      const want = Math.max(state.used[chain], state.next[chain] - 1) + GAP_LIMIT;
      while (this.top[chain] < want) {
        const index = ++this.top[chain];
        this.map.set(Buffer.from(this.keys.script(chain, index)).toString('hex'), { chain, index });
      }
    }
  }

  lookup(spk: Uint8Array): { chain: AddressChain; index: number } | undefined {
    return this.map.get(Buffer.from(spk).toString('hex'));
  }
}

function txidOfInput(hash: Uint8Array): string {
  return Buffer.from(hash).reverse().toString('hex');
}

/** Record outputs of `tx` paying the wallet. `height` null = not in a block yet. Returns how many were new. */
function addOutputs(state: WalletState, scripts: ScriptIndex, tx: Transaction, txid: string, height: number | null, coinbase: boolean, own: boolean): number {
  let added = 0;
  tx.outs.forEach((out, vout) => {
    const pos = scripts.lookup(out.script);
    if (!pos) return;
    const key = outpointKey(txid, vout);
    const known = state.coins.get(key);
    if (known) {
      if (height !== null) known.height = height;
      return;
    }
    if (state.coins.size >= MAX_COINS) throw new WalletError('limit', `the wallet tracks ${MAX_COINS} coins already; consolidate before receiving more`);
    const coin: Coin = { txid, vout, value: out.value, chain: pos.chain, index: pos.index, height, coinbase, own, spentBy: null, spentHeight: null, spentOwn: false };
    state.coins.set(key, coin);
    added++;
    if (pos.index > state.used[pos.chain]) state.used[pos.chain] = pos.index;
    if (pos.index >= state.next[pos.chain]) state.next[pos.chain] = pos.index + 1;
    scripts.extend(state);
  });
  return added;
}

/** Mark the wallet coins `tx` spends. */
function markInputs(state: WalletState, tx: Transaction, txid: string, height: number | null, own: boolean): void {
  for (const input of tx.ins) {
    const coin = state.coins.get(outpointKey(txidOfInput(input.hash), input.index));
    if (!coin) continue;
    if (coin.spentBy !== txid) {
      coin.spentBy = txid;
      coin.spentOwn = own;
    } else if (own) {
      coin.spentOwn = true;
    }
    if (height !== null) coin.spentHeight = height;
  }
}

/** Apply one block's transactions at `height` (hash `hash`). */
export function applyBlock(state: WalletState, scripts: ScriptIndex, txs: Transaction[], height: number, hash: string): void {
  txs.forEach((tx, i) => {
    const txid = tx.getId();
    if (i > 0) markInputs(state, tx, txid, height, false);
    addOutputs(state, scripts, tx, txid, height, i === 0, false);
  });
  state.height = height;
  state.hashes.set(height, hash);
  state.hashes.delete(height - REORG_WINDOW_BLOCKS);
}

/** Apply a transaction the wallet itself broadcast: its inputs become spent-pending, its outputs to us pending coins. */
export function applyOwnTx(state: WalletState, scripts: ScriptIndex, tx: Transaction): void {
  const txid = tx.getId();
  markInputs(state, tx, txid, null, true);
  addOutputs(state, scripts, tx, txid, null, false, true);
}

/** Undo every block above `fork`: coins created there vanish (our own broadcasts' become pending again), spends there are forgotten. */
export function rollback(state: WalletState, fork: number): void {
  for (const [key, coin] of state.coins) {
    if (coin.height !== null && coin.height > fork) {
      if (!coin.own) {
        state.coins.delete(key);
        continue;
      }
      coin.height = null;
    }
    if (coin.spentHeight !== null && coin.spentHeight > fork) {
      coin.spentHeight = null;
      if (!coin.spentOwn) coin.spentBy = null;
    }
  }
  for (const h of [...state.hashes.keys()]) if (h > fork) state.hashes.delete(h);
  state.height = fork;
}

/** Drop coins spent deeper than any handled reorg, unless a reservation still names them. */
export function pruneSpent(state: WalletState): void {
  const reserved = new Set<string>();
  for (const r of state.reservations.values()) for (const c of r.coins) reserved.add(c.outpoint);
  for (const [key, coin] of state.coins) {
    if (coin.spentHeight !== null && state.height - coin.spentHeight >= PRUNE_SPENT_DEPTH && !reserved.has(key)) state.coins.delete(key);
  }
}

/** Whether a coin can fund something now: in a block, unspent, and (coinbase) mature at `tipHeight`. */
export function isSpendable(coin: Coin, tipHeight: number): boolean {
  if (coin.spentBy !== null || coin.height === null) return false;
  return !coin.coinbase || tipHeight - coin.height + 1 >= COINBASE_MATURITY;
}
