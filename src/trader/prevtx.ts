/**
 * trader/prevtx.ts - the previous transactions of a party's funding inputs, which offer_dlc and
 * accept_dlc carry whole (dlcspecs `prev_tx`): when the wallet did not attach them, each is read
 * from the block that confirmed it, found through the pinned ChainBackend alone (gettxout's
 * confirmations → height → getblockhash → getblock), so no transaction index is needed.
 * Imports bitcoinjs-lib and chain and contract types.
 */
import { Block } from 'bitcoinjs-lib';
import type { ChainBackend } from '../chain/types.ts';
import type { FundingInput } from '../contract/types.ts';
import { EngineError, messageOf } from './errors.ts';

async function findInBlock(chain: ChainBackend, height: number, txid: string): Promise<Uint8Array | null> {
  if (height < 0) return null;
  const block = Block.fromBuffer(Buffer.from(await chain.block(await chain.blockHash(height))));
  const tx = block.transactions?.find((t) => t.getId() === txid);
  return tx ? new Uint8Array(tx.toBuffer()) : null;
}

/** `inputs` with `prevTx` filled (inputs that have it are kept). Throws EngineError `chain` when a coin is unknown, unconfirmed or its block cannot be read. */
export async function withPrevTxs(chain: ChainBackend, inputs: FundingInput[]): Promise<FundingInput[]> {
  const found = new Map<string, Uint8Array>();
  const out: FundingInput[] = [];
  for (const i of inputs) {
    if (i.prevTx) {
      out.push(i);
      continue;
    }
    let raw = found.get(i.txid) ?? null;
    try {
      if (!raw) {
        const o = await chain.txOut(i.txid, i.vout);
        if (!o || o.confirmations < 1) throw new EngineError('chain', `coin ${i.txid}:${i.vout} is spent, unknown or unconfirmed`);
        const tip = await chain.tip();
        const h = tip.height - o.confirmations + 1;
        // A block found between the two calls shifts the height by one: look next to it too.
        for (const at of [h, h + 1, h - 1]) {
          raw = await findInBlock(chain, at, i.txid);
          if (raw) break;
        }
        if (!raw) throw new EngineError('chain', `transaction ${i.txid} not found in the block that confirmed it`);
        found.set(i.txid, raw);
      }
    } catch (e) {
      if (e instanceof EngineError) throw e;
      throw new EngineError('chain', `reading the previous transaction of ${i.txid}:${i.vout}: ${messageOf(e)}`);
    }
    out.push({ ...i, prevTx: raw });
  }
  return out;
}
