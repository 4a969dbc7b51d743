/** config/bitcoin-address.ts - is a string a Bitcoin address of a given network (the facilitator's rewardAddress)? Uses bitcoinjs-lib and protocol/keys; imports no other subsystem. */
import { address as btcAddress, networks, type Network } from 'bitcoinjs-lib';
import { isPublicKey } from '../protocol/keys.ts';

/** bitcoinjs-lib network of each Mega network name (config key `network`). */
export const BITCOIN_NETWORK: Record<'mainnet' | 'testnet' | 'regtest', Network> = {
  mainnet: networks.bitcoin,
  testnet: networks.testnet,
  regtest: networks.regtest,
};

/**
 * Null when `addr` is a valid address of `network` (base58 P2PKH/P2SH, bech32 segwit v0,
 * bech32m taproot), else why not. bitcoinjs-lib's toOutputScript checks prefix, checksum and
 * program length; a taproot output key is checked here (bitcoinjs-lib would need an ECC library
 * registered globally for that, which this process does not otherwise need).
 */
export function checkBitcoinAddress(addr: string, network: keyof typeof BITCOIN_NETWORK): string | null {
  const net = BITCOIN_NETWORK[network];
  let bech: { version: number; prefix: string; data: Uint8Array } | null = null;
  try {
    bech = btcAddress.fromBech32(addr);
  } catch {
    bech = null; // not bech32: base58 or invalid, toOutputScript decides below
  }
  if (bech && bech.version === 1) {
    if (bech.prefix !== net.bech32) return `is not a ${network} address (prefix ${bech.prefix}, expected ${net.bech32})`;
    if (bech.data.length !== 32 || !isPublicKey(`02${Buffer.from(bech.data).toString('hex')}`)) return 'is not a valid taproot address';
    return null;
  }
  try {
    btcAddress.toOutputScript(addr, net);
    return null;
  } catch (e) {
    // bitcoinjs-lib's message repeats the address; the caller names the key, so keep only the rule.
    const why = (e as Error).message.replace(addr, '').trim();
    return `is not a valid ${network} Bitcoin address (${why})`;
  }
}
