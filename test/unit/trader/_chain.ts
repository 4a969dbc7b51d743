// test/unit/trader/_chain.ts - the engine tests' chain backend: the product's BitcoindRpc (JSON-RPC) against the in-process bcoin regtest node, except that transactions are submitted through the node's mempool directly, because bcoin's sendrawtransaction answers before its mempool decided and never reports a refusal (bitcoind answers after).
import { BitcoindRpc } from '../../../src/chain/rpc.ts';
import { ChainError } from '../../../src/chain/errors.ts';
import type { ChainBackend, ChainTip, TxOutInfo, TxStatus } from '../../../src/chain/types.ts';
import { Transaction } from 'bitcoinjs-lib';
import type { Regtest } from '../../helpers/regtest.ts';

export class RegtestRpcChain implements ChainBackend {
  readonly rpc: BitcoindRpc;
  constructor(private readonly r: Regtest) {
    this.rpc = new BitcoindRpc({ url: r.rpcUrl, user: 'x', password: r.rpcPassword, timeoutMs: 10_000 });
  }
  tip(): Promise<ChainTip> {
    return this.rpc.tip();
  }
  blockHash(height: number): Promise<string> {
    return this.rpc.blockHash(height);
  }
  block(hash: string): Promise<Uint8Array> {
    return this.rpc.block(hash);
  }
  async broadcast(txHex: string): Promise<string> {
    const res = await this.r.submit(new Uint8Array(Buffer.from(txHex, 'hex')));
    if (res.ok) return res.txid;
    if (/already|exists|duplicate/i.test(res.reason)) return Transaction.fromHex(txHex).getId();
    throw new ChainError('rejected', res.reason);
  }
  txStatus(txid: string): Promise<TxStatus | null> {
    return this.rpc.txStatus(txid);
  }
  txOut(txid: string, vout: number): Promise<TxOutInfo | null> {
    return this.rpc.txOut(txid, vout);
  }
  feeRate(targetBlocks: number): Promise<bigint | null> {
    return this.rpc.feeRate(targetBlocks);
  }
}
