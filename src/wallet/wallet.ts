/**
 * wallet/wallet.ts - HdWallet: the trader's BIP84 wallet (Wallet in wallet/types.ts) over a chain
 * backend. Seed in `<dir>/wallet.seed` (0600), state in `<dir>/wallet.json`, written durably before
 * any method that changed it resolves. Coin selection is largest-first. Imports chain/types,
 * contract/types, bitcoinjs-lib and the wallet's own modules.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Block, Transaction } from 'bitcoinjs-lib';
import type { BitcoinChainName, ChainBackend } from '../chain/types.ts';
import type { FundingInput } from '../contract/types.ts';
import { MAX_ID_BYTES, MAX_RESERVATION_COINS, MAX_RESERVATIONS, MAX_SLOTS, P2WPKH_MAX_WITNESS_LEN, REORG_WINDOW_BLOCKS, SCAN_CHECKPOINT_BLOCKS } from './constants.ts';
import { WalletError } from './errors.ts';
import { createSeedFile, lockWalletDir, readSeedFile, readStateFile, writeStateFile } from './files.ts';
import { KeyTree, isMnemonic, newMnemonic } from './keys.ts';
import { applyBlock, applyOwnTx, isSpendable, pruneSpent, rollback, ScriptIndex } from './scan.ts';
import { decodeState, emptyState, encodeState, outpointKey, type WalletState } from './state.ts';
import type { Wallet, WalletBalance } from './types.ts';

export const SEED_FILE = 'wallet.seed';
export const STATE_FILE = 'wallet.json';
export const LOCK_FILE = 'wallet.lock';

/** Options of {@link HdWallet.open}. */
export interface HdWalletOptions {
  /** Folder of the seed and state files (created 0700 if missing). */
  dir: string;
  /** The chain the wallet lives on; sync refuses a backend serving another. */
  chain: BitcoinChainName;
  backend: ChainBackend;
  /** First block height to scan. Default: the tip at first sync for a new seed, 0 for an imported one. */
  birthdayHeight?: number;
  /** Import this BIP39 mnemonic instead of generating one (first start only; later it must match the seed file). */
  mnemonic?: string;
}

/** The trader's wallet. Create with {@link HdWallet.open}. */
export class HdWallet implements Wallet {
  private readonly scripts: ScriptIndex;
  private readonly statePath: string;
  /** Tip height at the last sync (coinbase maturity). */
  private tipHeight: number;
  /** Serialises the methods that change state, so a sync and a reserve never interleave their writes. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly keys: KeyTree,
    private state: WalletState,
    private readonly backend: ChainBackend,
    dir: string,
    private birthdayUnset: boolean,
  ) {
    this.statePath = path.join(dir, STATE_FILE);
    this.scripts = new ScriptIndex(keys);
    this.scripts.extend(state);
    this.tipHeight = state.height;
  }

  /** Open (or create) the wallet in `opts.dir`: reads or creates the seed, loads the state. */
  static open(opts: HdWalletOptions): HdWallet {
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    lockWalletDir(path.join(opts.dir, LOCK_FILE));
    const seedPath = path.join(opts.dir, SEED_FILE);
    const given = opts.mnemonic?.trim().split(/\s+/).join(' ');
    if (given !== undefined && !isMnemonic(given)) throw new WalletError('seed', 'the mnemonic given is not a valid English BIP39 mnemonic');
    let mnemonic = readSeedFile(seedPath);
    let imported = given !== undefined;
    if (mnemonic === null) {
      const fresh = given ?? newMnemonic();
      if (!createSeedFile(seedPath, fresh)) throw new WalletError('seed', `${seedPath} appeared while creating it: another process is opening this wallet`);
      mnemonic = fresh;
    } else {
      if (!isMnemonic(mnemonic)) throw new WalletError('corrupt-state', `${seedPath}: not a valid BIP39 mnemonic`);
      if (given !== undefined && given !== mnemonic) throw new WalletError('seed', `${seedPath} holds another mnemonic than the one given`);
      imported = false;
    }
    const keys = new KeyTree(mnemonic, opts.chain);
    const statePath = path.join(opts.dir, STATE_FILE);
    const text = readStateFile(statePath);
    let state: WalletState;
    let birthdayUnset = false;
    if (text === null) {
      if (opts.birthdayHeight !== undefined && (!Number.isSafeInteger(opts.birthdayHeight) || opts.birthdayHeight < 0)) throw new RangeError(`birthdayHeight ${opts.birthdayHeight} is not a height`);
      birthdayUnset = opts.birthdayHeight === undefined && !imported;
      state = emptyState(opts.chain, opts.birthdayHeight ?? 0);
      writeStateFile(statePath, encodeState(state));
    } else {
      state = decodeState(text, statePath);
      if (state.chain !== opts.chain) throw new WalletError('chain', `${statePath} is a ${state.chain} wallet, not ${opts.chain}`);
    }
    return new HdWallet(keys, state, opts.backend, opts.dir, birthdayUnset);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Work on a copy; the copy becomes the state only once it is on disk (a failed write leaves memory as the file is). */
  private commit(next: WalletState): void {
    writeStateFile(this.statePath, encodeState(next));
    this.state = next;
  }

  private clone(): WalletState {
    return decodeState(encodeState(this.state), this.statePath);
  }

  sync(): Promise<void> {
    return this.serial(() => this.doSync());
  }

  private async chainCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new WalletError('chain', `chain backend: ${(err as Error).message}`, { cause: err });
    }
  }

  private async doSync(): Promise<void> {
    const tip = await this.chainCall(() => this.backend.tip());
    if (tip.chain !== this.state.chain) throw new WalletError('chain', `the chain backend serves ${tip.chain}, this wallet is ${this.state.chain}`);
    let s = this.clone();
    if (this.birthdayUnset && s.height < s.birthday) {
      // A seed generated here cannot have received anything before now.
      s.birthday = tip.height;
      s.height = tip.height - 1;
    }
    await this.findFork(s, tip.height);
    let sinceCheckpoint = 0;
    let refetches = 0;
    while (s.height < tip.height) {
      const h = s.height + 1;
      const hash = await this.chainCall(() => this.backend.blockHash(h));
      const raw = await this.chainCall(() => this.backend.block(hash));
      let block: Block;
      try {
        block = Block.fromBuffer(Buffer.from(raw));
      } catch (err) {
        throw new WalletError('chain', `block ${hash} at ${h} does not parse: ${(err as Error).message}`, { cause: err });
      }
      if (block.getId() !== hash) throw new WalletError('chain', `the backend sent block ${block.getId()} for ${hash}`);
      const prev = s.hashes.get(h - 1);
      if (prev !== undefined && Buffer.from(block.prevHash!).reverse().toString('hex') !== prev) {
        // The chain moved under us mid-scan: find the fork again and go on from there.
        if (++refetches > REORG_WINDOW_BLOCKS) throw new WalletError('chain', `the backend keeps serving blocks that do not link at ${h}`);
        await this.findFork(s, h);
        continue;
      }
      applyBlock(s, this.scripts, block.transactions ?? [], h, hash);
      if (++sinceCheckpoint >= SCAN_CHECKPOINT_BLOCKS) {
        pruneSpent(s);
        this.commit(s);
        s = this.clone();
        sinceCheckpoint = 0;
      }
    }
    pruneSpent(s);
    this.birthdayUnset = false;
    this.tipHeight = tip.height;
    this.commit(s);
  }

  /** Roll `s` back to the highest stored block the backend still has at its height (the birthday if none). */
  private async findFork(s: WalletState, tipHeight: number): Promise<void> {
    let h = Math.min(s.height, tipHeight);
    if (h < s.height) rollback(s, h);
    const lowest = Math.max(s.birthday, s.height - REORG_WINDOW_BLOCKS + 1);
    for (; h >= lowest; h--) {
      const stored = s.hashes.get(h);
      if (stored === undefined) break;
      if ((await this.chainCall(() => this.backend.blockHash(h))) === stored) {
        if (h < s.height) rollback(s, h);
        return;
      }
    }
    if (s.hashes.size === 0 && s.height < s.birthday) return; // nothing scanned yet
    if (h >= lowest && h === s.height) return; // no hash stored for the top (fresh state)
    rollback(s, s.birthday - 1); // reorg deeper than the window: rescan everything
  }

  newReceiveScript(): Promise<Uint8Array> {
    return this.serial(async () => this.nextScript(0));
  }

  newChangeScript(): Promise<Uint8Array> {
    return this.serial(async () => this.nextScript(1));
  }

  /** A fresh receive address in this chain's encoding (regtest `bcrt1…`). */
  async newReceiveAddress(): Promise<string> {
    return this.keys.address(await this.newReceiveScript());
  }

  private nextScript(chain: 0 | 1): Uint8Array {
    const s = this.clone();
    const index = s.next[chain]++;
    this.commit(s);
    this.scripts.extend(this.state);
    return this.keys.script(chain, index);
  }

  balance(): WalletBalance {
    const reserved = this.reservedSet();
    const b: WalletBalance = { available: 0n, reserved: 0n, pending: 0n };
    for (const [key, c] of this.state.coins) {
      if (c.spentBy !== null) continue;
      if (reserved.has(key)) b.reserved += c.value;
      else if (isSpendable(c, this.tipHeight)) b.available += c.value;
      else b.pending += c.value;
    }
    return b;
  }

  private reservedSet(state: WalletState = this.state): Set<string> {
    const set = new Set<string>();
    for (const r of state.reservations.values()) for (const c of r.coins) set.add(c.outpoint);
    return set;
  }

  async reserve(id: string, amount: bigint): Promise<FundingInput[]> {
    checkId(id);
    if (typeof amount !== 'bigint' || amount <= 0n) throw new RangeError(`reserve: amount ${amount} must be a positive bigint`);
    return this.serial(async () => {
      const existing = this.state.reservations.get(id);
      if (existing) return this.inputsOf(existing.coins);
      if (this.state.reservations.size >= MAX_RESERVATIONS) throw new WalletError('limit', `${MAX_RESERVATIONS} reservations are open already`);
      const taken = this.reservedSet();
      const candidates = [...this.state.coins.entries()]
        .filter(([key, c]) => !taken.has(key) && isSpendable(c, this.tipHeight))
        .sort(([, a], [, b]) => (a.value === b.value ? 0 : a.value > b.value ? -1 : 1)); // largest first
      const chosen: string[] = [];
      let sum = 0n;
      for (const [key, c] of candidates) {
        if (sum >= amount) break;
        if (chosen.length >= MAX_RESERVATION_COINS) break;
        chosen.push(key);
        sum += c.value;
      }
      if (sum < amount) throw new WalletError('insufficient-funds', `need ${amount} sat, ${sum} sat spendable and unreserved`);
      const s = this.clone();
      const serials = new Set<bigint>();
      const coins = chosen.map((outpoint) => {
        let serialId: bigint;
        do serialId = crypto.randomBytes(8).readBigUInt64BE();
        while (serials.has(serialId));
        serials.add(serialId);
        return { outpoint, serialId };
      });
      s.reservations.set(id, { coins });
      this.commit(s);
      return this.inputsOf(coins);
    });
  }

  private inputsOf(coins: { outpoint: string; serialId: bigint }[]): FundingInput[] {
    return coins.map(({ outpoint, serialId }) => {
      const c = this.state.coins.get(outpoint);
      if (!c) throw new WalletError('unknown-reservation', `reserved coin ${outpoint} is no longer tracked`);
      return { txid: c.txid, vout: c.vout, value: c.value, scriptPubKey: this.keys.script(c.chain, c.index), serialId, maxWitnessLen: P2WPKH_MAX_WITNESS_LEN };
    });
  }

  release(id: string): Promise<void> {
    return this.serial(async () => {
      if (!this.state.reservations.has(id)) return;
      const s = this.clone();
      s.reservations.delete(id);
      this.commit(s);
    });
  }

  inputSecret(input: FundingInput): Uint8Array {
    const c = this.state.coins.get(outpointKey(input.txid, input.vout));
    const pos = c ? { chain: c.chain, index: c.index } : this.scripts.lookup(input.scriptPubKey);
    if (!pos || !Buffer.from(this.keys.script(pos.chain, pos.index)).equals(Buffer.from(input.scriptPubKey))) {
      throw new WalletError('unknown-key', `input ${input.txid}:${input.vout} is not paid to a key of this wallet`);
    }
    return this.keys.secret(pos.chain, pos.index);
  }

  async contractKey(id: string): Promise<Uint8Array> {
    checkId(id);
    return this.serial(async () => {
      let index = this.state.slots.get(id);
      if (index === undefined) {
        if (this.state.slots.size >= MAX_SLOTS) throw new WalletError('limit', `${MAX_SLOTS} contract key slots are in use`);
        const s = this.clone();
        index = s.nextSlot++;
        s.slots.set(id, index);
        this.commit(s);
      }
      return this.keys.contractPub(index);
    });
  }

  contractSecret(id: string): Uint8Array {
    const index = this.state.slots.get(id);
    if (index === undefined) throw new WalletError('unknown-key', `no contract key slot ${JSON.stringify(id).slice(0, 80)}`);
    return this.keys.contractSecret(index);
  }

  async markSpent(txHex: string): Promise<void> {
    let tx: Transaction;
    try {
      tx = Transaction.fromHex(txHex);
    } catch (err) {
      throw new RangeError(`markSpent: not a transaction: ${(err as Error).message}`);
    }
    return this.serial(async () => {
      const s = this.clone();
      applyOwnTx(s, this.scripts, tx);
      this.commit(s);
    });
  }
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > MAX_ID_BYTES) throw new WalletError('limit', `id must be 1..${MAX_ID_BYTES} bytes`);
}
