/**
 * trader/engine.ts - the ContractEngine: one trader's contracts as maker and taker over its
 * wallet, chain backend, Mega node(s) and counterparties (ports). Dispatches envelopes, serialises
 * the steps of each contract, resumes every intermediate phase on start (tick), and summarises
 * the records. Imports the engine's modules.
 */
import { ContractStore, DEFAULT_STORE_LIMITS } from './store.ts';
import type { ContractRecord, StoreLimits } from './store.ts';
import { Ctx } from './common.ts';
import { verifyEnvelope } from './envelope.ts';
import { EngineError, messageOf } from './errors.ts';
import { OPEN_PHASES, chainTick, executeWith, refundNow } from './execute.ts';
import { cancel, expireExchange, make, onAccept, onTake, postBoard } from './maker.ts';
import { advanceTaker, startTake } from './taker.ts';
import type { Attestation, Offer, OfferContent } from '../protocol/types.ts';
import type { ContractEngine, ContractSummary, EngineDeps, Envelope } from './types.ts';

/** A summary of a record for the shell. */
export function summarize(r: ContractRecord): ContractSummary {
  const c = r.offer.content;
  const maker = r.role === 'maker';
  return {
    id: r.id,
    offerId: r.id,
    role: r.role,
    phase: r.phase,
    announcementId: c.announcementId,
    chain: c.chain,
    myCollateral: String(maker ? c.makerCollateral : c.takerCollateral),
    theirCollateral: String(maker ? c.takerCollateral : c.makerCollateral),
    fundingTxid: r.fundingTxid,
    closingTxid: r.closingTxid,
    outcome: r.outcome,
    refundLocktime: c.refundLocktime,
    error: r.error,
    updatedAt: r.updatedAt,
  };
}

/** The contract engine of one trader daemon. */
export class Engine implements ContractEngine {
  private readonly ctx: Ctx;

  constructor(deps: EngineDeps, limits: StoreLimits = DEFAULT_STORE_LIMITS) {
    this.ctx = new Ctx(deps, new ContractStore(deps.dataDir, limits));
  }

  /** Contract files that could not be read at start (left untouched on disk). */
  get unreadable(): { file: string; error: string }[] {
    return this.ctx.store.unreadable;
  }

  private open(): Ctx {
    if (this.ctx.closed) throw new EngineError('closed', 'the engine is closed');
    return this.ctx;
  }

  async make(content: Omit<OfferContent, 'contact' | 'contractType'>): Promise<{ offer: Offer; offerId: string }> {
    return make(this.open(), content);
  }

  async cancel(offerId: string): Promise<void> {
    const ctx = this.open();
    return ctx.serial(offerId, () => cancel(ctx, offerId));
  }

  async take(offerId: string): Promise<ContractSummary> {
    const ctx = this.open();
    return ctx.serial(offerId, async () => {
      let rec = ctx.store.get(offerId);
      if (rec?.role === 'maker') throw new EngineError('own-offer', 'a trader cannot take its own offer');
      if (!rec || rec.phase === 'aborted') rec = await startTake(ctx, offerId);
      if (rec.phase === 'taking' || rec.phase === 'accepted') rec = await advanceTaker(ctx, rec);
      return summarize(rec);
    });
  }

  async receive(envelope: unknown): Promise<Envelope> {
    const ctx = this.open();
    const e = verifyEnvelope(envelope);
    return ctx.serial(e.offerId, async () => {
      switch (e.type) {
        case 'take':
          return onTake(ctx, e);
        case 'accept_dlc':
          return onAccept(ctx, e);
        default:
          throw new EngineError('wrong-phase', `a maker does not expect ${e.type}`);
      }
    });
  }

  async onAttestation(attestation: Attestation): Promise<void> {
    const ctx = this.open();
    if (typeof attestation?.announcementId !== 'string' || typeof attestation.attestation !== 'string') throw new EngineError('bad-attestation', 'not an attestation');
    const recs = ctx.store.all().filter((r) => r.offer.content.announcementId === attestation.announcementId && OPEN_PHASES.has(r.phase));
    let firstError: unknown = null;
    for (const r of recs) {
      await ctx
        .serial(r.id, async () => {
          const cur = ctx.store.get(r.id);
          if (cur) await executeWith(ctx, cur, attestation);
        })
        .catch((e: unknown) => {
          firstError ??= e;
        });
    }
    if (firstError) throw firstError;
  }

  async tick(): Promise<void> {
    const ctx = this.open();
    let tip = null;
    try {
      tip = await ctx.deps.chain.tip();
    } catch {
      // The chain is unreachable: only the exchange work runs this time.
    }
    for (const r of ctx.store.all()) {
      if (r.phase === 'closed' || r.phase === 'aborted') {
        if (r.boardPending) await ctx.serial(r.id, () => postBoard(ctx, ctx.store.get(r.id)!, r.boardPending!));
        continue;
      }
      await ctx
        .serial(r.id, async () => {
          let cur = ctx.store.get(r.id)!;
          if (cur.boardPending) cur = await postBoard(ctx, cur, cur.boardPending);
          if (cur.role === 'maker') await expireExchange(ctx, cur);
          else if (cur.phase === 'taking' || cur.phase === 'accepted') cur = await advanceTaker(ctx, cur);
          if (tip) await chainTick(ctx, ctx.store.get(r.id)!, tip);
        })
        .catch(() => {
          // Recorded on the contract (error); tick carries on with the others.
        });
    }
  }

  async refund(contractId: string): Promise<ContractSummary> {
    const ctx = this.open();
    return ctx.serial(contractId, async () => {
      const rec = ctx.store.get(contractId);
      if (!rec) throw new EngineError('unknown-contract', `no contract ${contractId}`);
      let tip;
      try {
        tip = await ctx.deps.chain.tip();
      } catch (e) {
        throw new EngineError('chain', `chain tip: ${messageOf(e)}`);
      }
      return summarize(await refundNow(ctx, rec, tip));
    });
  }

  list(): ContractSummary[] {
    return this.ctx.store
      .all()
      .map(summarize)
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  get(contractId: string): ContractSummary | null {
    const r = this.ctx.store.get(contractId);
    return r ? summarize(r) : null;
  }

  watching(): string[] {
    const ids = new Set<string>();
    for (const r of this.ctx.store.all()) if (OPEN_PHASES.has(r.phase) || r.phase === 'offered') ids.add(r.offer.content.announcementId);
    return [...ids].sort();
  }

  async close(): Promise<void> {
    this.ctx.closed = true;
    await this.ctx.idle();
  }
}
