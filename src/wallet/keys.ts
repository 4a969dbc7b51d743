/**
 * wallet/keys.ts - the wallet's BIP32/BIP39/BIP84 key tree: mnemonic -> seed -> m/84'/c'/0'/{0,1}/i
 * (P2WPKH receive and change) and m/84'/c'/1'/0/i (contract keys, a branch no address uses). Coin
 * type c is 0 on mainnet, 1 on every test chain (BIP44). Imports @scure/bip32, @scure/bip39,
 * bitcoinjs-lib and chain/types.
 */
import { HDKey } from '@scure/bip32';
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { address as bAddress, networks, payments, type Network } from 'bitcoinjs-lib';
import type { BitcoinChainName } from '../chain/types.ts';
import { MAX_INDEX } from './constants.ts';
import { WalletError } from './errors.ts';

/** The two address chains of a BIP84 account. */
export type AddressChain = 0 | 1;
export const EXTERNAL: AddressChain = 0;
export const INTERNAL: AddressChain = 1;

/** A fresh 24-word English mnemonic (256 bits from the platform's CSPRNG, via @scure/bip39). */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

/** Whether `m` is a valid English BIP39 mnemonic (checksum included). */
export function isMnemonic(m: string): boolean {
  return validateMnemonic(m, wordlist);
}

/** bitcoinjs-lib's network parameters for a bitcoind chain name (regtest: bech32 `bcrt`). */
export function bitcoinNetwork(chain: BitcoinChainName): Network {
  if (chain === 'main') return networks.bitcoin;
  if (chain === 'regtest') return networks.regtest;
  return networks.testnet;
}

/** BIP44 coin type: 0 on mainnet, 1 on every test chain. */
export function coinType(chain: BitcoinChainName): number {
  return chain === 'main' ? 0 : 1;
}

/** The wallet's key tree. Private keys stay in this object; nothing here logs or serialises them. */
export class KeyTree {
  private readonly chains: [HDKey, HDKey];
  private readonly contracts: HDKey;
  private readonly scriptCache = new Map<string, Uint8Array>();

  constructor(
    mnemonic: string,
    readonly chain: BitcoinChainName,
  ) {
    if (!isMnemonic(mnemonic)) throw new WalletError('corrupt-state', 'the seed is not a valid BIP39 mnemonic');
    const root = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic));
    const c = coinType(chain);
    const account = root.derive(`m/84'/${c}'/0'`);
    this.chains = [account.deriveChild(0), account.deriveChild(1)];
    this.contracts = root.derive(`m/84'/${c}'/1'/0`);
  }

  private node(base: HDKey, index: number): HDKey {
    if (!Number.isSafeInteger(index) || index < 0 || index > MAX_INDEX) throw new WalletError('limit', `key index ${index} out of range`);
    return base.deriveChild(index);
  }

  /** The P2WPKH script of m/84'/c'/0'/chain/index. */
  script(chain: AddressChain, index: number): Uint8Array {
    const k = `${chain}/${index}`;
    let s = this.scriptCache.get(k);
    if (!s) {
      s = payments.p2wpkh({ pubkey: this.node(this.chains[chain], index).publicKey! }).output!;
      this.scriptCache.set(k, s);
    }
    return s;
  }

  /** The private key of m/84'/c'/0'/chain/index. */
  secret(chain: AddressChain, index: number): Uint8Array {
    return this.node(this.chains[chain], index).privateKey!;
  }

  /** The compressed public key of contract slot m/84'/c'/1'/0/index. */
  contractPub(index: number): Uint8Array {
    return this.node(this.contracts, index).publicKey!;
  }

  /** The private key of contract slot m/84'/c'/1'/0/index. */
  contractSecret(index: number): Uint8Array {
    return this.node(this.contracts, index).privateKey!;
  }

  /** The address of an output script on this chain (regtest `bcrt1…`; bcoin prints `rb1…` for the same script). */
  address(spk: Uint8Array): string {
    return bAddress.fromOutputScript(spk, bitcoinNetwork(this.chain));
  }
}
