// test/unit/wallet/keys-files.test.ts - the wallet's key tree against the BIP84 test vectors and a second implementation (bcoin's HD module), the seed file (0600, exclusive, imported mnemonic, mismatch) and the state file (durable round trip, corrupt -> corrupt-state naming the path). No chain needed: a backend that refuses every call.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { address, networks } from 'bitcoinjs-lib';
import { KeyTree, newMnemonic } from '../../../src/wallet/keys.ts';
import { HdWallet, LOCK_FILE, SEED_FILE, STATE_FILE } from '../../../src/wallet/wallet.ts';
import { WalletError, type WalletErrorCode } from '../../../src/wallet/errors.ts';
import { ChainError } from '../../../src/chain/errors.ts';
import type { ChainBackend } from '../../../src/chain/types.ts';

process.env.NODE_BACKEND = 'js'; // bcoin's pure-JS crypto (see test/helpers/regtest.ts)
const require = createRequire(import.meta.url);

/** BIP84's published test vector mnemonic (https://github.com/bitcoin/bips/blob/master/bip-0084.mediawiki#test-vectors). */
const BIP84_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

const down = (): never => {
  throw new ChainError('unreachable', 'no chain in this test');
};
const noChain: ChainBackend = { tip: down, blockHash: down, block: down, broadcast: down, txStatus: down, txOut: down, feeRate: down };

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mega-wallet-'));
}

function expectWalletError(fn: () => unknown, code: WalletErrorCode, re?: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WalletError, `expected WalletError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
    if (re) assert.match(err.message, re);
    return;
  }
  assert.fail(`expected WalletError ${code}`);
}

describe('wallet keys (BIP84)', () => {
  it('reproduces the BIP84 test vectors (mainnet, coin type 0)', () => {
    const k = new KeyTree(BIP84_MNEMONIC, 'main');
    const addr = (chain: 0 | 1, i: number): string => address.fromOutputScript(k.script(chain, i), networks.bitcoin);
    assert.equal(addr(0, 0), 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', "BIP84 first receive address m/84'/0'/0'/0/0");
    assert.equal(addr(0, 1), 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g', "BIP84 second receive address m/84'/0'/0'/0/1");
    assert.equal(addr(1, 0), 'bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el', "BIP84 first change address m/84'/0'/0'/1/0");
  });

  it("agrees with bcoin's HD implementation on every branch, test chains using coin type 1", () => {
    const bcoin = require('bcoin') as {
      Mnemonic: { fromPhrase(p: string): unknown };
      HDPrivateKey: { fromMnemonic(m: unknown): { derivePath(p: string): { publicKey: Buffer; privateKey: Buffer } } };
    };
    const phrase = newMnemonic();
    assert.equal(phrase.split(' ').length, 24, 'a new seed is 24 words');
    const root = bcoin.HDPrivateKey.fromMnemonic(bcoin.Mnemonic.fromPhrase(phrase));
    for (const [chain, coin] of [['main', 0], ['regtest', 1], ['test', 1], ['signet', 1]] as const) {
      const k = new KeyTree(phrase, chain);
      for (const i of [0, 7]) {
        const recv = root.derivePath(`m/84'/${coin}'/0'/0/${i}`);
        assert.equal(Buffer.from(k.secret(0, i)).toString('hex'), recv.privateKey.toString('hex'), `${chain} receive ${i}`);
        const change = root.derivePath(`m/84'/${coin}'/0'/1/${i}`);
        assert.equal(Buffer.from(k.secret(1, i)).toString('hex'), change.privateKey.toString('hex'), `${chain} change ${i}`);
        const contract = root.derivePath(`m/84'/${coin}'/1'/0/${i}`);
        assert.equal(Buffer.from(k.contractPub(i)).toString('hex'), contract.publicKey.toString('hex'), `${chain} contract key ${i}`);
        assert.equal(Buffer.from(k.contractSecret(i)).toString('hex'), contract.privateKey.toString('hex'));
      }
    }
    assert.match(new KeyTree(phrase, 'regtest').address(new KeyTree(phrase, 'regtest').script(0, 0)), /^bcrt1q/, 'regtest addresses use bcrt');
  });
});

describe('wallet files', () => {
  it('creates a 24-word seed file with mode 0600 and keeps it across opens', async () => {
    const dir = tmpDir();
    const w1 = HdWallet.open({ dir, chain: 'regtest', backend: noChain });
    const seedPath = path.join(dir, SEED_FILE);
    assert.equal(fs.statSync(seedPath).mode & 0o777, 0o600, 'seed file must be 0600');
    assert.equal(fs.readFileSync(seedPath, 'utf8').trim().split(' ').length, 24);
    assert.deepEqual(fs.readdirSync(dir).sort(), [LOCK_FILE, SEED_FILE, STATE_FILE].sort(), 'no temp files left behind');
    const s1 = await w1.newReceiveScript();
    const k1 = await w1.contractKey('c-1');
    const w2 = HdWallet.open({ dir, chain: 'regtest', backend: noChain });
    const s2 = await w2.newReceiveScript();
    assert.notDeepEqual(s2, s1, 'the next receive index survives a restart');
    assert.deepEqual(await w2.contractKey('c-1'), k1, 'the same contract slot gives the same key after restart');
    assert.deepEqual(w2.contractSecret('c-1'), w1.contractSecret('c-1'));
    assert.notDeepEqual(await w2.contractKey('c-2'), k1);
    expectWalletError(() => w2.contractSecret('never'), 'unknown-key');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports a mnemonic; a different one later is refused; a widened seed mode is refused', () => {
    const dir = tmpDir();
    HdWallet.open({ dir, chain: 'main', backend: noChain, mnemonic: BIP84_MNEMONIC });
    assert.equal(fs.readFileSync(path.join(dir, SEED_FILE), 'utf8').trim(), BIP84_MNEMONIC);
    HdWallet.open({ dir, chain: 'main', backend: noChain, mnemonic: ` ${BIP84_MNEMONIC}\n` });
    expectWalletError(() => HdWallet.open({ dir, chain: 'main', backend: noChain, mnemonic: newMnemonic() }), 'seed', /another mnemonic/);
    expectWalletError(() => HdWallet.open({ dir: tmpDir(), chain: 'main', backend: noChain, mnemonic: 'abandon '.repeat(12).trim() }), 'seed', /not a valid/);
    expectWalletError(() => HdWallet.open({ dir, chain: 'regtest', backend: noChain }), 'chain', /main wallet/);
    fs.chmodSync(path.join(dir, SEED_FILE), 0o644);
    expectWalletError(() => HdWallet.open({ dir, chain: 'main', backend: noChain }), 'seed', /chmod 600/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a corrupt seed or state file -> corrupt-state naming the path', () => {
    const dir = tmpDir();
    HdWallet.open({ dir, chain: 'regtest', backend: noChain });
    const statePath = path.join(dir, STATE_FILE);
    const good = fs.readFileSync(statePath, 'utf8');
    for (const bad of ['', '{', '[]', good.replace('"version":1', '"version":9'), good.replace('"nextSlot":0', '"nextSlot":-1'), good.replace('"coins":[]', '"coins":[{"txid":"zz"}]')]) {
      fs.writeFileSync(statePath, bad);
      expectWalletError(() => HdWallet.open({ dir, chain: 'regtest', backend: noChain }), 'corrupt-state', new RegExp(statePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
    fs.writeFileSync(statePath, good);
    fs.writeFileSync(path.join(dir, SEED_FILE), 'not a mnemonic\n', { mode: 0o600 });
    expectWalletError(() => HdWallet.open({ dir, chain: 'regtest', backend: noChain }), 'corrupt-state', /wallet\.seed/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sync maps a backend failure to code chain; bad ids are refused with limit', async () => {
    const dir = tmpDir();
    const w = HdWallet.open({ dir, chain: 'regtest', backend: noChain });
    await assert.rejects(w.sync(), (e: unknown) => e instanceof WalletError && e.code === 'chain' && e.cause instanceof ChainError);
    await assert.rejects(w.contractKey(''), (e: unknown) => e instanceof WalletError && e.code === 'limit');
    await assert.rejects(w.contractKey('x'.repeat(257)), (e: unknown) => e instanceof WalletError && e.code === 'limit');
    expectWalletError(() => w.inputSecret({ txid: '00'.repeat(32), vout: 0, value: 1n, scriptPubKey: new Uint8Array(22), serialId: 0n, maxWitnessLen: 108 }), 'unknown-key');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a wallet folder held by another live process is refused (in-use); a dead owner is taken over', () => {
    const dir = tmpDir();
    HdWallet.open({ dir, chain: 'regtest', backend: noChain });
    fs.writeFileSync(path.join(dir, LOCK_FILE), '1'); // pid 1 always lives
    expectWalletError(() => HdWallet.open({ dir, chain: 'regtest', backend: noChain }), 'in-use', /process 1\b/);
    fs.writeFileSync(path.join(dir, LOCK_FILE), '2147483646'); // no such process
    HdWallet.open({ dir, chain: 'regtest', backend: noChain });
    assert.equal(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'), String(process.pid), 'the stale lock is taken over');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
