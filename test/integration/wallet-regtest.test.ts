// test/integration/wallet-regtest.test.ts - the trader's chain backend and wallet on a real chain: BitcoindRpc speaks JSON-RPC to an in-process bcoin regtest node; HdWallet receives (gap-limit look-ahead), reserves/releases, survives a restart, signs a P2WPKH spend the node accepts and mines, sees a spend it did not broadcast, and rolls back a coin whose block a reorg removed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Block, Transaction } from 'bitcoinjs-lib';
import { BitcoindRpc } from '../../src/chain/rpc.ts';
import { signP2wpkhInput } from '../../src/contract/tx.ts';
import { HdWallet, SEED_FILE } from '../../src/wallet/wallet.ts';
import { KeyTree } from '../../src/wallet/keys.ts';
import { WalletError } from '../../src/wallet/errors.ts';
import type { FundingInput } from '../../src/contract/types.ts';
import { Regtest, newKey } from '../helpers/regtest.ts';
import { waitFor } from '../helpers/wait.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('chain backend and wallet on bcoin regtest (issue #18)', { timeout: 240_000 }, () => {
  let chain: Regtest;
  let rpc: BitcoindRpc;
  let dir: string;
  let wallet: HdWallet;
  let keys: KeyTree;

  before(async () => {
    chain = await Regtest.start();
    rpc = new BitcoindRpc({ url: chain.rpcUrl, user: 'x', password: chain.rpcPassword, timeoutMs: 10_000 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-wallet-it-'));
    wallet = HdWallet.open({ dir, chain: 'regtest', backend: rpc, birthdayHeight: chain.height });
    keys = new KeyTree(fs.readFileSync(path.join(dir, SEED_FILE), 'utf8').trim(), 'regtest');
  });

  after(async () => {
    await chain?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('BitcoindRpc reads the tip, blocks and transactions of the real node', async () => {
    const tip = await rpc.tip();
    assert.equal(tip.chain, 'regtest');
    assert.equal(tip.height, chain.height);
    assert.equal(await rpc.blockHash(tip.height), tip.bestBlockHash);
    const block = Block.fromBuffer(Buffer.from(await rpc.block(tip.bestBlockHash)));
    assert.equal(block.getId(), tip.bestBlockHash, 'getblock <hash> 0 must return the raw block of that hash');
    const k = newKey();
    const [coin] = await chain.fund([{ spk: k.spk, value: 123_456n }]);
    assert.deepEqual(await rpc.txStatus(coin!.txid), { confirmations: 1, blockHash: await rpc.blockHash(chain.height) });
    const out = await rpc.txOut(coin!.txid, 0);
    assert.equal(out?.value, 123_456n);
    assert.equal(hex(out!.scriptPubKey), hex(k.spk));
    assert.equal(out?.confirmations, 1);
    assert.equal(await rpc.txStatus('00'.repeat(32)), null, 'an unknown txid is null');
    assert.equal(await rpc.feeRate(2), null, 'regtest has no fee estimate');
  });

  it('receives on handed-out and look-ahead scripts (gap 20 extends past each used index)', async () => {
    const s0 = await wallet.newReceiveScript();
    assert.equal(hex(s0), hex(keys.script(0, 0)), "the first receive script is m/84'/1'/0'/0/0");
    await chain.fund([
      { spk: s0, value: 100_000_000n },
      { spk: keys.script(0, 15), value: 50_000_000n }, // never handed out, within the gap
      { spk: keys.script(0, 30), value: 25_000_000n }, // beyond the first gap, within the gap after 15
      { spk: keys.script(0, 60), value: 7n }, // beyond any gap: not seen
    ]);
    await wallet.sync();
    assert.deepEqual(wallet.balance(), { available: 175_000_000n, reserved: 0n, pending: 0n });
    assert.equal(hex(await wallet.newReceiveScript()), hex(keys.script(0, 31)), 'the next receive index is past the highest used one');
  });

  it('reserve is largest-first and idempotent per id; release gives coins back; too much -> insufficient-funds', async () => {
    const a = await wallet.reserve('contract-a', 60_000_000n);
    assert.deepEqual(a.map((i) => i.value), [100_000_000n], 'largest coin first');
    assert.equal(a[0]!.maxWitnessLen, 108);
    assert.deepEqual(await wallet.reserve('contract-a', 60_000_000n), a, 'the same id returns the same inputs and serial ids');
    const b = await wallet.reserve('contract-b', 60_000_000n);
    assert.deepEqual(b.map((i) => i.value), [50_000_000n, 25_000_000n]);
    assert.notEqual(b[0]!.serialId, b[1]!.serialId);
    assert.deepEqual(wallet.balance(), { available: 0n, reserved: 175_000_000n, pending: 0n });
    await assert.rejects(wallet.reserve('contract-c', 1n), (e: unknown) => e instanceof WalletError && e.code === 'insufficient-funds');
    await wallet.release('contract-b');
    await wallet.release('never-reserved');
    // Concurrent reservations never share a coin (the wallet serialises its state changes).
    const [p, q] = await Promise.all([wallet.reserve('p', 1n), wallet.reserve('q', 1n)]);
    assert.notEqual(`${p[0]!.txid}:${p[0]!.vout}`, `${q[0]!.txid}:${q[0]!.vout}`, 'two reservations got the same coin');
    await Promise.all([wallet.release('p'), wallet.release('q')]);
    assert.deepEqual(wallet.balance(), { available: 75_000_000n, reserved: 100_000_000n, pending: 0n });
  });

  it('a new Wallet on the same files keeps coins, reservations, indexes and contract keys', async () => {
    const key = await wallet.contractKey('contract-a');
    const again = HdWallet.open({ dir, chain: 'regtest', backend: rpc });
    assert.deepEqual(again.balance(), wallet.balance());
    assert.deepEqual(await again.reserve('contract-a', 60_000_000n), await wallet.reserve('contract-a', 60_000_000n));
    assert.deepEqual(await again.contractKey('contract-a'), key);
    assert.equal(hex(await again.newReceiveScript()), hex(keys.script(0, 32)));
    await again.sync();
    wallet = again;
  });

  it('inputSecret signs a P2WPKH spend the node accepts; markSpent shows it before it confirms; the block confirms it', async () => {
    const [input] = await wallet.reserve('contract-a', 60_000_000n);
    const change = await wallet.newChangeScript();
    assert.equal(hex(change), hex(keys.script(1, 0)));
    const dest = newKey();
    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(Buffer.from(input!.txid, 'hex').reverse(), input!.vout);
    tx.addOutput(dest.spk, 30_000_000n);
    tx.addOutput(change, 69_990_000n);
    tx.setWitness(0, signP2wpkhInput(tx, 0, input!, wallet.inputSecret(input!)));
    assert.equal(await rpc.broadcast(tx.toHex()), tx.getId());
    await waitFor(() => chain.inMempool(tx.getId()), { message: 'the wallet-signed spend must enter the mempool' });
    assert.equal(await rpc.broadcast(tx.toHex()), tx.getId(), 'broadcasting again is not an error');
    await wallet.markSpent(tx.toHex());
    await wallet.release('contract-a');
    assert.deepEqual(wallet.balance(), { available: 75_000_000n, reserved: 0n, pending: 69_990_000n }, 'spent coin gone, change pending');
    assert.deepEqual(await rpc.txStatus(tx.getId()), { confirmations: 0 });
    await chain.mine(1);
    await wallet.sync();
    assert.equal(await chain.confirmedHeight(tx.getId()), chain.height);
    assert.deepEqual(wallet.balance(), { available: 144_990_000n, reserved: 0n, pending: 0n }, 'change confirmed');
  });

  it('sees a spend of its coin that it did not broadcast', async () => {
    const inputs = await wallet.reserve('sweep', 25_000_000n);
    assert.equal(inputs.length, 1);
    const input: FundingInput = inputs[0]!;
    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(Buffer.from(input.txid, 'hex').reverse(), input.vout);
    tx.addOutput(newKey().spk, input.value - 10_000n);
    tx.setWitness(0, signP2wpkhInput(tx, 0, input, wallet.inputSecret(input)));
    assert.deepEqual(await chain.mineWith(tx), { ok: true, txid: tx.getId() });
    await wallet.release('sweep');
    const before = wallet.balance().available;
    await wallet.sync();
    assert.equal(wallet.balance().available, before - input.value, 'the coin spent on chain must leave the balance');
  });

  it('a reorg that removes the block of a payment rolls the coin back', async () => {
    const spk = await wallet.newReceiveScript();
    const before = wallet.balance().available;
    const [coin] = await chain.fund([{ spk, value: 3_000_000n }]);
    await wallet.sync();
    assert.equal(wallet.balance().available, before + 3_000_000n);
    const forkedHeight = chain.height;
    const forked = await rpc.blockHash(forkedHeight);
    await chain.invalidate(forked); // bcoin: disconnect the block (its mempool is reset)
    await chain.mine(2); // a longer chain without the payment
    assert.notEqual(await rpc.blockHash(forkedHeight), forked, 'the fork replaced the block');
    assert.equal(await rpc.txOut(coin!.txid, coin!.vout), null, 'the payment is not on the new chain');
    await wallet.sync();
    assert.equal(wallet.balance().available, before, 'the coin of the removed block must be gone');
    const restarted = HdWallet.open({ dir, chain: 'regtest', backend: rpc });
    assert.deepEqual(restarted.balance(), wallet.balance(), 'the rollback is on disk');
  });

  it("a reorg that removes our own broadcast keeps its spend and makes its change pending until it confirms again", async () => {
    const spk = await wallet.newReceiveScript();
    await chain.fund([{ spk, value: 4_000_000n }]);
    await wallet.sync();
    const start = wallet.balance();
    const [input] = await wallet.reserve('own-reorg', 4_000_000n);
    assert.ok(input!.value >= 4_000_000n, `a coin of at least 0.04 BTC is reserved (got ${input!.value})`);
    const change = await wallet.newChangeScript();
    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(Buffer.from(input!.txid, 'hex').reverse(), input!.vout);
    tx.addOutput(newKey().spk, 1_000_000n);
    tx.addOutput(change, input!.value - 1_010_000n);
    tx.setWitness(0, signP2wpkhInput(tx, 0, input!, wallet.inputSecret(input!)));
    await wallet.markSpent(tx.toHex());
    await rpc.broadcast(tx.toHex());
    await waitFor(() => chain.inMempool(tx.getId()), { message: 'own spend in the mempool' });
    await wallet.release('own-reorg');
    await chain.mine(1);
    await wallet.sync();
    const changeValue = input!.value - 1_010_000n;
    assert.deepEqual(wallet.balance(), { available: start.available - input!.value + changeValue, reserved: 0n, pending: 0n });
    await chain.invalidate(await rpc.blockHash(chain.height));
    await chain.mine(2);
    await wallet.sync();
    assert.deepEqual(
      wallet.balance(),
      { available: start.available - input!.value, reserved: 0n, pending: changeValue },
      'our spend stays spent (we will broadcast it again); its change is pending, not lost',
    );
    assert.equal(await rpc.broadcast(tx.toHex()), tx.getId());
    await waitFor(() => chain.inMempool(tx.getId()), { message: 'the re-broadcast spend in the mempool' });
    await chain.mine(1);
    await wallet.sync();
    assert.deepEqual(wallet.balance(), { available: start.available - input!.value + changeValue, reserved: 0n, pending: 0n });
  });

  it('a reorg deeper than the 144 stored block hashes rescans from the birthday', async () => {
    const spk = await wallet.newReceiveScript();
    const before = wallet.balance().available;
    const [coin] = await chain.fund([{ spk, value: 2_000_000n }]);
    const fundHeight = chain.height;
    await chain.mine(150);
    await wallet.sync();
    assert.equal(wallet.balance().available, before + 2_000_000n);
    await chain.invalidate(await rpc.blockHash(fundHeight));
    await chain.mine(152);
    assert.equal(await rpc.txOut(coin!.txid, coin!.vout), null, 'the payment is not on the new chain');
    await wallet.sync();
    assert.equal(wallet.balance().available, before, 'the deep reorg must drop the coin (full rescan)');
    const again = HdWallet.open({ dir, chain: 'regtest', backend: rpc });
    assert.deepEqual(again.balance(), wallet.balance());
  });
});
