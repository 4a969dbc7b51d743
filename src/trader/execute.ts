/**
 * trader/execute.ts - settling a funded contract: an attestation (verified against the stored
 * announcement) picks the CET, the side with a non-zero payout completes it, persists `closing`
 * with the CET and then broadcasts; the refund after its nLockTime (or on request); confirmations
 * move `signed`/`funding` → `funded` and `closing` → `closed`; a funding output spent by the
 * counterparty closes the contract. Imports contract, dlc, chain types and the engine's modules.
 */
import { ContractError, executeCet, signedRefund } from '../contract/index.ts';
import { LOCKTIME_THRESHOLD } from '../contract/constants.ts';
import { decodeAttestation } from '../dlc/codec.ts';
import { decodeDigitOutcomes } from '../dlc/outcomes.ts';
import type { ChainTip } from '../chain/types.ts';
import type { Attestation } from '../protocol/types.ts';
import type { Ctx} from './common.ts';
import { slotOf, stateOf, termsOf } from './common.ts';
import { broadcastFunding } from './taker.ts';
import { cancelFunding, cancelTick } from './cancel.ts';
import { EngineError, messageOf } from './errors.ts';
import type { ContractRecord } from './store.ts';

/** Phases in which the funding may be (or become) on chain and nothing closed it yet. */
export const OPEN_PHASES = new Set(['signed', 'funding', 'funded']);

/** Is a transaction with nLockTime `lock` final in the block after `tip` (heights; BIP 113 median time past)? */
export function lockFinal(lock: number, tip: ChainTip): boolean {
  return lock < LOCKTIME_THRESHOLD ? lock <= tip.height : lock < tip.medianTime;
}

async function broadcastClosing(ctx: Ctx, rec: ContractRecord): Promise<ContractRecord> {
  try {
    await ctx.deps.chain.broadcast(rec.closingTxHex!);
    return rec.error ? ctx.save(rec, { error: null }) : rec;
  } catch (e) {
    return ctx.save(rec, { error: `broadcasting the ${rec.closingKind}: ${messageOf(e)}` });
  }
}

/** The attested outcome as text: the enum outcome, or the numeric value. */
function outcomeText(rec: ContractRecord, outcomes: string[]): string {
  const { terms } = termsOf(rec);
  const d = terms.announcement.event.descriptor;
  return d.kind === 'enum' ? outcomes[0]! : decodeDigitOutcomes(d, outcomes).toString();
}

/**
 * Execute `rec` with an attestation: verify it against the stored announcement (`bad-attestation`),
 * find its CET; with a non-zero payout for us, complete it, persist `closing`, broadcast.
 */
export async function executeWith(ctx: Ctx, rec: ContractRecord, att: Attestation): Promise<ContractRecord> {
  if (!OPEN_PHASES.has(rec.phase) || !rec.exchangeId) return rec;
  let oracleAtt;
  try {
    oracleAtt = decodeAttestation(att.attestation);
  } catch (e) {
    throw new EngineError('bad-attestation', `attestation does not decode: ${messageOf(e)}`);
  }
  const state = stateOf(rec);
  let done;
  try {
    done = executeCet(state, oracleAtt, ctx.deps.wallet.contractSecret(slotOf(rec)));
  } catch (e) {
    if (e instanceof ContractError) throw new EngineError('bad-attestation', e.message);
    throw e;
  }
  const plan = state.build.plans[done.cetIndex]!;
  const mine = rec.role === 'maker' ? plan.payout.offer : plan.payout.accept;
  const outcome = outcomeText(rec, oracleAtt.outcomes);
  if (rec.phase !== 'funded') {
    if (rec.role === 'maker' && rec.phase === 'signed') {
      // The taker has not broadcast the funding and the outcome is now known: funding later would be
      // its free option on a settled bet. Spend the funding inputs back instead.
      let st;
      try {
        st = await ctx.deps.chain.txStatus(rec.fundingTxid!);
      } catch (e) {
        throw new EngineError('chain', `funding status: ${messageOf(e)}`);
      }
      if (!st) return cancelFunding(ctx, ctx.save(rec, { attestation: att, outcome }), rec.cancelTxHex ? 'the funding was not broadcast' : 'the event was attested before the taker broadcast the funding');
    }
    // The funding is not confirmed (it may never be: a double-spend): a CET could not confirm now.
    // The verified attestation is kept; chainTick settles with it once the funding confirmed.
    return ctx.save(rec, { attestation: att, outcome });
  }
  if (mine === 0n) return ctx.save(rec, { attestation: att, outcome }); // the counterparty closes; tick sees the funding spent
  rec = ctx.save(rec, { phase: 'closing', closingKind: 'cet', closingTxHex: done.tx.toHex(), closingTxid: done.tx.getId(), attestation: att, outcome });
  return broadcastClosing(ctx, rec);
}

/** Sign and broadcast the refund; `refund-not-final` before its locktime. */
export async function refundNow(ctx: Ctx, rec: ContractRecord, tip: ChainTip): Promise<ContractRecord> {
  if (!OPEN_PHASES.has(rec.phase) || !rec.exchangeId) throw new EngineError('wrong-phase', `no refund in phase ${rec.phase}`);
  const lock = rec.offer.content.refundLocktime;
  if (!lockFinal(lock, tip)) {
    const now = lock < LOCKTIME_THRESHOLD ? `height ${tip.height}` : `median time ${tip.medianTime}`;
    throw new EngineError('refund-not-final', `the refund is locked until ${lock} (chain at ${now})`);
  }
  const tx = signedRefund(stateOf(rec), ctx.deps.wallet.contractSecret(slotOf(rec)));
  rec = ctx.save(rec, { phase: 'closing', closingKind: 'refund', closingTxHex: tx.toHex(), closingTxid: tx.getId() });
  return broadcastClosing(ctx, rec);
}

/** Is the funding output confirmed and spent (by a CET or refund of either side)? */
async function fundingSpent(ctx: Ctx, rec: ContractRecord): Promise<boolean> {
  const st = await ctx.deps.chain.txStatus(rec.fundingTxid!);
  if (!st || st.confirmations < 1) return false;
  return (await ctx.deps.chain.txOut(rec.fundingTxid!, rec.fundingVout!)) === null;
}

/** One contract's periodic chain work. Chain failures are recorded on the record, not thrown. */
export async function chainTick(ctx: Ctx, rec: ContractRecord, tip: ChainTip): Promise<ContractRecord> {
  const chain = ctx.deps.chain;
  const minConf = Math.max(1, ctx.deps.minConfirmations);
  try {
    if (rec.phase === 'signed' || rec.phase === 'funding') {
      const st = await chain.txStatus(rec.fundingTxid!);
      if (st && st.confirmations >= minConf) {
        if (rec.role === 'maker') await ctx.deps.wallet.markSpent(rec.fundingTxHex!);
        rec = ctx.save(rec, { phase: 'funded', error: null });
        await ctx.deps.wallet.release(slotOf(rec)); // its coins are spent now: the reservation has no more use
        // An attestation that came while the funding was unconfirmed (the double-spend lost the race): settle now.
        if (rec.attestation && !rec.closingTxHex) rec = await executeWith(ctx, rec, rec.attestation);
      } else if (!st && rec.role === 'taker' && !rec.cancelTxHex) {
        rec = await cancelTick(ctx, rec, minConf); // a maker input spent elsewhere: the funding is dead
        if (!rec.cancelTxHex) rec = await broadcastFunding(ctx, rec);
      } else if (!st) {
        rec = await cancelTick(ctx, rec, minConf);
        if (rec.phase === 'aborted') return rec;
      }
    }
    if (rec.phase === 'closing') {
      const st = await chain.txStatus(rec.closingTxid!);
      if (st && st.confirmations >= minConf) return ctx.save(rec, { phase: 'closed', error: null });
      if (!st) {
        if (await fundingSpent(ctx, rec)) return ctx.save(rec, { phase: 'closed', closingTxid: null, closingKind: null, error: 'the funding output was spent by another closing transaction (the counterparty\'s)' });
        rec = await broadcastClosing(ctx, rec);
      }
      return rec;
    }
    if (OPEN_PHASES.has(rec.phase) && rec.fundingTxid) {
      if (rec.phase === 'funded' && (await fundingSpent(ctx, rec))) {
        return ctx.save(rec, { phase: 'closed', error: rec.outcome ? null : 'the funding output was spent by the counterparty' });
      }
      if (lockFinal(rec.offer.content.refundLocktime, tip) && rec.phase === 'funded') return await refundNow(ctx, rec, tip);
    }
  } catch (e) {
    if (e instanceof EngineError && e.code !== 'chain') throw e;
    return ctx.save(rec, { error: `chain: ${messageOf(e)}` });
  }
  return rec;
}
