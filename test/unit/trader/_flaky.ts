// test/unit/trader/_flaky.ts - a ChainBackend that refuses the next N broadcasts (as a crash right after persisting, before the transaction left, would leave it), delegating everything else.
import type { ChainBackend, ChainTip, TxOutInfo, TxStatus } from '../../../src/chain/types.ts';

export class FlakyChain implements ChainBackend {
  failBroadcasts = 0;
  broadcasts: string[] = [];
  constructor(private readonly inner: ChainBackend) {}
  tip(): Promise<ChainTip> {
    return this.inner.tip();
  }
  blockHash(h: number): Promise<string> {
    return this.inner.blockHash(h);
  }
  block(hash: string): Promise<Uint8Array> {
    return this.inner.block(hash);
  }
  async broadcast(txHex: string): Promise<string> {
    if (this.failBroadcasts > 0) {
      this.failBroadcasts--;
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'unreachable' });
    }
    this.broadcasts.push(txHex);
    return this.inner.broadcast(txHex);
  }
  txStatus(txid: string): Promise<TxStatus | null> {
    return this.inner.txStatus(txid);
  }
  txOut(txid: string, vout: number): Promise<TxOutInfo | null> {
    return this.inner.txOut(txid, vout);
  }
  feeRate(t: number): Promise<bigint | null> {
    return this.inner.feeRate(t);
  }
}
