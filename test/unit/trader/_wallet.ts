// test/unit/trader/_wallet.ts - the product's HdWallet (BIP84, durable) behind a counting face for the engine tests: how often each secret was asked for (a side that must not sign asks for none), and every script it handed out (to find what a CET or refund paid the wallet).
import fs from 'node:fs';
import path from 'node:path';
import type { FundingInput } from '../../../src/contract/types.ts';
import type { ChainBackend } from '../../../src/chain/types.ts';
import { HdWallet } from '../../../src/wallet/wallet.ts';
import type { Wallet, WalletBalance } from '../../../src/wallet/types.ts';
import type { Regtest } from '../../helpers/regtest.ts';

export class TestWallet implements Wallet {
  readonly scripts: Uint8Array[] = [];
  /** Calls of contractSecret per slot. */
  readonly secretCalls = new Map<string, number>();
  /** Calls of inputSecret. */
  inputCalls = 0;
  readonly inner: HdWallet;

  constructor(dir: string, backend: ChainBackend, birthdayHeight: number) {
    fs.mkdirSync(dir, { recursive: true });
    this.inner = HdWallet.open({ dir: path.join(dir, 'wallet'), chain: 'regtest', backend, birthdayHeight });
  }

  /** Receive `n` coins of `value` sat (one mined transaction), then sync. */
  async fundFrom(r: Regtest, n: number, value: bigint): Promise<void> {
    const spks: Uint8Array[] = [];
    for (let i = 0; i < n; i++) spks.push(await this.inner.newReceiveScript());
    await r.fund(spks.map((spk) => ({ spk, value })));
    await this.inner.sync();
  }
  sync(): Promise<void> {
    return this.inner.sync();
  }
  async newReceiveScript(): Promise<Uint8Array> {
    const s = await this.inner.newReceiveScript();
    this.scripts.push(s);
    return s;
  }
  async newChangeScript(): Promise<Uint8Array> {
    const s = await this.inner.newChangeScript();
    this.scripts.push(s);
    return s;
  }
  balance(): WalletBalance {
    return this.inner.balance();
  }
  reserve(id: string, amount: bigint): Promise<FundingInput[]> {
    return this.inner.reserve(id, amount);
  }
  release(id: string): Promise<void> {
    return this.inner.release(id);
  }
  inputSecret(input: FundingInput): Uint8Array {
    this.inputCalls++;
    return this.inner.inputSecret(input);
  }
  contractKey(id: string): Promise<Uint8Array> {
    return this.inner.contractKey(id);
  }
  contractSecret(id: string): Uint8Array {
    this.secretCalls.set(id, (this.secretCalls.get(id) ?? 0) + 1);
    return this.inner.contractSecret(id);
  }
  markSpent(txHex: string): Promise<void> {
    return this.inner.markSpent(txHex);
  }
}
