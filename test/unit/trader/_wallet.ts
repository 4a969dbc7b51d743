// test/unit/trader/_wallet.ts - a small in-memory Wallet (the Wallet interface of src/wallet/types.ts) over keys this test holds, funded from regtest coinbases; it stands in until the wallet helper's BIP84 wallet is merged. Shared by engine instances to model a wallet that survives an engine restart.
import crypto from 'node:crypto';
import { Transaction } from 'bitcoinjs-lib';
import type { FundingInput } from '../../../src/contract/types.ts';
import type { Wallet, WalletBalance } from '../../../src/wallet/types.ts';
import { newKey } from '../../helpers/regtest.ts';
import type { Regtest, TestKey } from '../../helpers/regtest.ts';

const key = (i: { txid: string; vout: number }): string => `${i.txid}:${i.vout}`;

export class TestWallet implements Wallet {
  private readonly coins = new Map<string, { input: FundingInput; key: TestKey }>();
  private readonly reservations = new Map<string, string[]>();
  private readonly slots = new Map<string, TestKey>();
  readonly scripts: TestKey[] = [];
  /** Calls of contractSecret per slot: a test asserts a side never signed. */
  readonly secretCalls = new Map<string, number>();

  /** Add `n` coins of `value` sat, mined. */
  async fundFrom(r: Regtest, n: number, value: bigint): Promise<void> {
    const keys = Array.from({ length: n }, () => newKey());
    const ins = await r.fund(keys.map((k) => ({ spk: k.spk, value })));
    ins.forEach((i, k) => this.coins.set(key(i), { input: { ...i, serialId: crypto.randomBytes(8).readBigUInt64BE() }, key: keys[k]! }));
  }
  async sync(): Promise<void> {}
  async newReceiveScript(): Promise<Uint8Array> {
    const k = newKey();
    this.scripts.push(k);
    return k.spk;
  }
  async newChangeScript(): Promise<Uint8Array> {
    return this.newReceiveScript();
  }
  balance(): WalletBalance {
    let available = 0n;
    let reserved = 0n;
    const held = new Set([...this.reservations.values()].flat());
    for (const [k, c] of this.coins) {
      if (held.has(k)) reserved += c.input.value;
      else available += c.input.value;
    }
    return { available, reserved, pending: 0n };
  }
  async reserve(id: string, amount: bigint): Promise<FundingInput[]> {
    const have = this.reservations.get(id);
    if (have) return have.map((k) => this.coins.get(k)!.input);
    const held = new Set([...this.reservations.values()].flat());
    const picked: string[] = [];
    let sum = 0n;
    for (const [k, c] of this.coins) {
      if (held.has(k)) continue;
      picked.push(k);
      sum += c.input.value;
      if (sum >= amount) break;
    }
    if (sum < amount) throw Object.assign(new Error(`need ${amount}, have ${sum}`), { code: 'insufficient-funds' });
    this.reservations.set(id, picked);
    return picked.map((k) => this.coins.get(k)!.input);
  }
  async release(id: string): Promise<void> {
    this.reservations.delete(id);
  }
  reservedFor(id: string): number {
    return this.reservations.get(id)?.length ?? 0;
  }
  /** Calls of inputSecret: a funding signature needs one per input. */
  inputCalls = 0;
  inputSecret(input: FundingInput): Uint8Array {
    this.inputCalls++;
    const c = this.coins.get(key(input));
    if (!c) throw Object.assign(new Error('unknown coin'), { code: 'unknown-key' });
    return c.key.secret;
  }
  async contractKey(id: string): Promise<Uint8Array> {
    let k = this.slots.get(id);
    if (!k) this.slots.set(id, (k = newKey()));
    return k.pubkey;
  }
  contractSecret(id: string): Uint8Array {
    const k = this.slots.get(id);
    if (!k) throw Object.assign(new Error('unknown slot'), { code: 'unknown-key' });
    this.secretCalls.set(id, (this.secretCalls.get(id) ?? 0) + 1);
    return k.secret;
  }
  async markSpent(txHex: string): Promise<void> {
    const tx = Transaction.fromHex(txHex);
    for (const i of tx.ins) {
      const k = `${Buffer.from(i.hash).reverse().toString('hex')}:${i.index}`;
      this.coins.delete(k);
      for (const [id, ks] of this.reservations) if (ks.includes(k)) this.reservations.delete(id);
    }
  }
}
