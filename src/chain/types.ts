/** chain/types.ts - what the trader needs from a Bitcoin chain backend (bitcoind's JSON-RPC or anything speaking it). Imports nothing. */

/** bitcoind's chain names (getblockchaininfo `chain`). */
export type BitcoinChainName = 'main' | 'test' | 'testnet4' | 'signet' | 'regtest';

export interface ChainTip {
  chain: BitcoinChainName;
  /** Height of the best block. */
  height: number;
  bestBlockHash: string;
  /** Median time past of the best block, unix seconds (what a time-based nLockTime is checked against). */
  medianTime: number;
}

export interface TxStatus {
  /** 0 = in the mempool. */
  confirmations: number;
  blockHash?: string;
}

export interface TxOutInfo {
  value: bigint;
  scriptPubKey: Uint8Array;
  /** 0 = in the mempool. */
  confirmations: number;
}

/**
 * A chain backend. Implementations speak bitcoind's JSON-RPC (so a real bitcoind plugs in
 * unchanged; tests use bcoin's). Every method throws ChainError (chain/errors.ts): `unreachable`
 * (connection, timeout, auth), `rejected` (the node refused a transaction: `message` carries its
 * reason, e.g. "non-final", "bad-txns-inputs-missingorspent"), `bad-response`.
 * A malformed argument (a txid that is not 64 lowercase hex, a negative height) is a caller bug:
 * RangeError. Implementation: chain/rpc.ts `BitcoindRpc`.
 */
export interface ChainBackend {
  tip(): Promise<ChainTip>;
  blockHash(height: number): Promise<string>;
  /** The raw block (getblock <hash> 0), for the wallet's scan. */
  block(hash: string): Promise<Uint8Array>;
  /** sendrawtransaction; the txid (display order). An already-known transaction is not an error. */
  broadcast(txHex: string): Promise<string>;
  /** Confirmations of a transaction the backend knows (mempool or chain); null = unknown. */
  txStatus(txid: string): Promise<TxStatus | null>;
  /** gettxout (mempool included): null = spent or unknown. */
  txOut(txid: string, vout: number): Promise<TxOutInfo | null>;
  /** estimatesmartfee in sat/vB; null when the backend has no estimate (regtest). */
  feeRate(targetBlocks: number): Promise<bigint | null>;
}
