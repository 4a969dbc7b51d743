// test/unit/trader/_chain.ts - a ChainBackend over bitcoind's JSON-RPC as the in-process bcoin regtest node answers it (getblockchaininfo, getblockhash, getblock, gettxout; transactions go through its mempool), for the engine tests.
import { Transaction } from 'bitcoinjs-lib';
import type { ChainBackend, ChainTip, TxOutInfo, TxStatus } from '../../../src/chain/types.ts';
import type { Regtest } from '../../helpers/regtest.ts';

/** A chain error with the codes of the ChainBackend contract. */
export class TestChainError extends Error {
  constructor(
    readonly code: 'unreachable' | 'rejected' | 'bad-response',
    message: string,
  ) {
    super(message);
  }
}

export class RegtestRpcChain implements ChainBackend {
  constructor(private readonly r: Regtest) {}

  async tip(): Promise<ChainTip> {
    const i = await this.r.rpc<{ chain: string; blocks: number; bestblockhash: string; mediantime: number }>('getblockchaininfo');
    return { chain: i.chain as ChainTip['chain'], height: i.blocks, bestBlockHash: i.bestblockhash, medianTime: i.mediantime };
  }
  async blockHash(height: number): Promise<string> {
    return this.r.rpc<string>('getblockhash', [height]);
  }
  async block(hash: string): Promise<Uint8Array> {
    return new Uint8Array(Buffer.from(await this.r.rpc<string>('getblock', [hash, 0]), 'hex'));
  }
  async broadcast(txHex: string): Promise<string> {
    // bcoin's sendrawtransaction answers before its mempool decided (and hides refusals): submit
    // through the mempool directly, as bitcoind's RPC would, and report its reason.
    const res = await this.r.submit(new Uint8Array(Buffer.from(txHex, 'hex')));
    if (res.ok) return res.txid;
    if (/already|exists|duplicate/i.test(res.reason)) return Transaction.fromHex(txHex).getId();
    throw new TestChainError('rejected', res.reason);
  }
  async txStatus(txid: string): Promise<TxStatus | null> {
    if (this.r.inMempool(txid)) return { confirmations: 0 };
    const h = await this.r.confirmedHeight(txid);
    return h === null ? null : { confirmations: this.r.height - h + 1 };
  }
  async txOut(txid: string, vout: number): Promise<TxOutInfo | null> {
    const o = await this.r.rpc<{ value: number; confirmations: number; scriptPubKey: { hex: string } } | null>('gettxout', [txid, vout, true]);
    if (!o) return null;
    return { value: BigInt(Math.round(o.value * 1e8)), scriptPubKey: new Uint8Array(Buffer.from(o.scriptPubKey.hex, 'hex')), confirmations: o.confirmations };
  }
  async feeRate(): Promise<bigint | null> {
    return null;
  }
}
