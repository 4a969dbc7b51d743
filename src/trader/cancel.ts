/**
 * trader/cancel.ts - the way out of a contract whose funding never appears: a side spends its own
 * funding inputs back to its wallet (a double-spend paying more fee than the funding, no BIP 125
 * signal), persisted before it is broadcast, and aborts and releases its coins once it confirmed.
 * The maker does it after the exchange timeouts or at once when the event is attested first (its
 * input signatures are out in sign_dlc: a withheld funding is the taker's free option on the
 * outcome); the taker when a maker funding input is spent elsewhere (its signed funding must never
 * confirm after its coins went to something else). Imports bitcoinjs-lib, contract and the engine's modules.
 */
import { Transaction } from 'bitcoinjs-lib';
import { signP2wpkhInput, weightToFee } from '../contract/index.ts';
import { DUST_LIMIT_SAT } from '../contract/constants.ts';
import type { Ctx } from './common.ts';
import { bytesOf, slotOf, termsOf } from './common.ts';
import { decodeAcceptDlc } from '../contract/messages.ts';
import { EngineError, messageOf } from './errors.ts';
import type { ContractRecord } from './store.ts';
import type { FundingInput } from '../contract/types.ts';

/**
 * nSequence of the double-spend's inputs: final, NOT signalling BIP 125, and its fee is above the
 * funding's, so the withheld funding cannot replace it in a mempool (BIP 125 rules 1 and 3).
 */
const CANCEL_SEQUENCE = 0xffffffff;

/** Has a signed maker contract waited past both exchange timeouts with no funding seen? */
export function cancelDue(ctx: Ctx, rec: ContractRecord): boolean {
  return rec.role === 'maker' && rec.phase === 'signed' && ctx.now() - (rec.exchangeStartedAt ?? 0) >= ctx.acceptTimeoutMs + ctx.signTimeoutMs;
}

/** This side's funding inputs and the other side's. */
function inputsOf(rec: ContractRecord): { mine: FundingInput[]; theirs: FundingInput[] } {
  const offer = termsOf(rec).terms.offer.inputs;
  const accept = decodeAcceptDlc(bytesOf(rec.acceptDlc!)).accept.inputs;
  return rec.role === 'maker' ? { mine: offer, theirs: accept } : { mine: accept, theirs: offer };
}

/** This side's transaction spending all its funding inputs to a fresh change script of its wallet, signed. */
async function buildCancel(ctx: Ctx, rec: ContractRecord): Promise<Transaction> {
  const { terms } = termsOf(rec);
  const { mine: ins, theirs } = inputsOf(rec);
  const spk = await ctx.deps.wallet.newChangeScript();
  const tx = new Transaction();
  tx.version = 2;
  tx.locktime = 0;
  for (const i of ins) tx.addInput(Buffer.from(i.txid, 'hex').reverse(), i.vout, CANCEL_SEQUENCE);
  const total = ins.reduce((s, i) => s + i.value, 0n);
  // Weight: version, counts, locktime, the output (non-witness ×4), marker and flag, each input (outpoint,
  // empty scriptSig, sequence ×4, plus its witness of at most maxWitnessLen).
  const weight = 4 * (4 + 1 + 1 + 4 + 8 + 1 + spk.length) + 2 + ins.reduce((w, i) => w + 4 * (32 + 4 + 1 + 4) + i.maxWitnessLen, 0);
  // The fee: the contract's rate, and more than the whole funding transaction pays (plus 1 sat/vB of
  // our own size), so a replacement by the funding is never acceptable to a mempool.
  const fund = Transaction.fromHex(rec.fundingTxHex!);
  const fundIn = [...ins, ...theirs].reduce((s, i) => s + i.value, 0n);
  const fundFee = fundIn - fund.outs.reduce((s, o) => s + BigInt(o.value), 0n);
  const fee = [weightToFee(weight, terms.feeRate), fundFee + weightToFee(weight, 1n)].reduce((a, b) => (a > b ? a : b));
  const value = total - fee;
  if (value < DUST_LIMIT_SAT) throw new EngineError('insufficient-funds', `the funding inputs (${total} sat) do not pay for their own double-spend`);
  tx.addOutput(Buffer.from(spk), value);
  ins.forEach((i, k) => {
    tx.setWitness(k, signP2wpkhInput(tx, k, i, ctx.deps.wallet.inputSecret(i)).map((b) => Buffer.from(b)));
  });
  return tx;
}

/** Build (once, persisted before it leaves) and broadcast the double-spend of this side's funding inputs. Broadcast failures are recorded, not thrown. */
export async function cancelFunding(ctx: Ctx, rec: ContractRecord, why: string): Promise<ContractRecord> {
  if (rec.phase !== (rec.role === 'maker' ? 'signed' : 'funding')) throw new EngineError('wrong-phase', `no funding double-spend in phase ${rec.phase}`);
  if (!rec.cancelTxHex) {
    const tx = await buildCancel(ctx, rec);
    rec = ctx.save(rec, { cancelTxHex: tx.toHex(), error: `${why}: double-spending the ${rec.role}'s funding inputs (${tx.getId()})` });
  }
  try {
    await ctx.deps.chain.broadcast(rec.cancelTxHex!);
  } catch (e) {
    return ctx.save(rec, { error: `${why}: broadcasting the double-spend of the funding inputs: ${messageOf(e)}` });
  }
  return rec;
}

/**
 * A contract whose funding is neither on chain nor in the mempool (maker `signed`, taker `funding`):
 * the maker cancels when due; the taker when one of the maker's funding inputs is spent (the funding
 * is dead; spending its own inputs makes that definitive before its coins are released). Aborts once
 * the double-spend confirmed.
 */
export async function cancelTick(ctx: Ctx, rec: ContractRecord, minConf: number): Promise<ContractRecord> {
  if (rec.cancelTxHex) {
    const txid = Transaction.fromHex(rec.cancelTxHex).getId();
    const st = await ctx.deps.chain.txStatus(txid);
    if (st && st.confirmations >= minConf) {
      await ctx.deps.wallet.release(slotOf(rec));
      return ctx.save(rec, { phase: 'aborted', error: `the funding never confirmed; the ${rec.role}'s funding inputs were spent back to its wallet (${txid})` });
    }
    if (!st) return cancelFunding(ctx, rec, 'the funding was not broadcast');
    return rec;
  }
  if (rec.role === 'maker') {
    if (cancelDue(ctx, rec)) return cancelFunding(ctx, rec, `the taker did not broadcast the funding within ${ctx.acceptTimeoutMs + ctx.signTimeoutMs} ms`);
    return rec;
  }
  for (const i of inputsOf(rec).theirs) {
    if ((await ctx.deps.chain.txOut(i.txid, i.vout)) === null) return cancelFunding(ctx, rec, `the maker's funding input ${i.txid}:${i.vout} was spent elsewhere`);
  }
  return rec;
}
