/**
 * trader/common.ts - what the maker, taker and execution steps share: the engine context (ports,
 * store, identity, clock, per-contract serialisation), building one party's contract parameters
 * from the wallet, rebuilding a contract's signing state from its stored messages, and record
 * updates. Imports contract, protocol, wallet and chain types.
 */
import crypto from 'node:crypto';
import { buildContract, partyFees } from '../contract/index.ts';
import type { ContractState, OfferTerms, PartyParams } from '../contract/index.ts';
import { DUST_LIMIT_SAT, P2WPKH_MAX_WITNESS_LEN } from '../contract/constants.ts';
import { decodeAcceptDlc, decodeOfferDlc, decodeSignDlc } from '../contract/messages.ts';
import { publicKeyOf } from '../protocol/keys.ts';
import { EngineError, codeOf, messageOf } from './errors.ts';
import { withPrevTxs } from './prevtx.ts';
import type { ContractRecord, ContractStore } from './store.ts';
import type { EngineDeps } from './types.ts';

/** Defaults of the optional timing members of EngineDeps. */
export const DEFAULT_ACCEPT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_SIGN_TIMEOUT_MS = 10 * 60_000;
/** cTTL of the offers the engine posts: the CLI's default relay hop limit (cli/build.ts DEFAULT_TTL). */
export const OFFER_CTTL = 16;

/** The engine's context, handed to every step. */
export class Ctx {
  readonly secretHex: string;
  readonly me: string;
  readonly now: () => number;
  private readonly chains = new Map<string, Promise<unknown>>();
  closed = false;

  constructor(
    readonly deps: EngineDeps,
    readonly store: ContractStore,
  ) {
    this.secretHex = Buffer.from(deps.identitySecret).toString('hex');
    this.me = publicKeyOf(this.secretHex);
    this.now = deps.now ?? Date.now;
  }

  get acceptTimeoutMs(): number {
    return this.deps.acceptTimeoutMs ?? DEFAULT_ACCEPT_TIMEOUT_MS;
  }
  get signTimeoutMs(): number {
    return this.deps.signTimeoutMs ?? DEFAULT_SIGN_TIMEOUT_MS;
  }

  /** Run `fn` after every earlier call for the same contract id has settled (one step at a time per contract). */
  serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const run = prev.then(
      () => fn(),
      () => fn(),
    );
    const tail = run.catch(() => undefined);
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return run;
  }

  /** Wait for every running step. */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  /** Write a new version of a record durably; returns it. */
  save(rec: ContractRecord, patch: Partial<ContractRecord>): ContractRecord {
    const next: ContractRecord = { ...rec, ...patch, updatedAt: this.now() };
    this.store.put(next);
    return next;
  }
}

/**
 * The wallet slot (contract key and coin reservation) of a contract. A taker's slot is its own
 * random exchange id. A maker's exchange id is chosen by the taker, so the maker's slot is a hash
 * of the offer id and the exchange id: a taker who sends one exchange id to two offers gets two
 * slots (two contract keys, two reservations), never the coins or key of another contract.
 */
export function slotOf(rec: Pick<ContractRecord, 'role' | 'id' | 'exchangeId'>): string {
  if (!rec.exchangeId) throw new EngineError('wrong-phase', 'the contract has no exchange yet');
  if (rec.role === 'taker') return rec.exchangeId;
  return crypto.createHash('sha256').update(`mega/trader/maker-slot\0${rec.id}\0${rec.exchangeId}`).digest('hex');
}

export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const bytesOf = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
export const randomSerial = (): bigint => crypto.randomBytes(8).readBigUInt64BE();

function feeNeed(collateral: bigint, feeRate: bigint, nInputs: number): bigint {
  const f = partyFees(
    {
      inputs: Array.from({ length: nInputs }, () => ({ scriptSigLen: 0, maxWitnessLen: P2WPKH_MAX_WITNESS_LEN })),
      changeSpkLen: 22,
      payoutSpkLen: 22,
    },
    feeRate,
  );
  return collateral + f.fundingFee + f.closingFee + DUST_LIMIT_SAT;
}

/**
 * One party's contract parameters from the wallet: coins reserved under `slot` covering the
 * collateral, both fee shares and a change above dust; the contract key of `slot`; fresh payout
 * and change scripts; random serial ids. Throws `insufficient-funds` or `chain`.
 */
export async function partyFromWallet(ctx: Ctx, slot: string, collateral: bigint, feeRate: bigint): Promise<PartyParams> {
  const w = ctx.deps.wallet;
  let n = 1;
  let synced = false;
  for (let round = 0; round < 8; round++) {
    let inputs;
    try {
      inputs = await w.reserve(slot, feeNeed(collateral, feeRate, n));
    } catch (e) {
      if (codeOf(e) === 'insufficient-funds' && !synced) {
        // The change of a funding that just confirmed is spendable only once the wallet has seen its
        // block: catch up with the chain once (instead of waiting for the next tick) before refusing.
        synced = true;
        await w.sync().catch(() => undefined);
        round--;
        continue;
      }
      if (codeOf(e) === 'insufficient-funds') throw new EngineError('insufficient-funds', messageOf(e));
      throw new EngineError('chain', `wallet: ${messageOf(e)}`);
    }
    const total = inputs.reduce((s, i) => s + i.value, 0n);
    if (total >= feeNeed(collateral, feeRate, inputs.length)) {
      const withPrev = await withPrevTxs(ctx.deps.chain, inputs);
      const [fundPubkey, payoutSpk, changeSpk] = [await w.contractKey(slot), await w.newReceiveScript(), await w.newChangeScript()];
      return { fundPubkey, payoutSpk, payoutSerialId: randomSerial(), changeSpk, changeSerialId: randomSerial(), inputs: withPrev, collateral };
    }
    await w.release(slot);
    n = inputs.length + 1;
  }
  throw new EngineError('insufficient-funds', 'the wallet could not select coins covering the collateral and fees');
}

/** The secrets of a party, from the wallet (never stored). */
export function secretsOf(ctx: Ctx, slot: string, p: PartyParams): { fundSecret: Uint8Array; inputSecrets: Uint8Array[] } {
  return { fundSecret: ctx.deps.wallet.contractSecret(slot), inputSecrets: p.inputs.map((i) => ctx.deps.wallet.inputSecret(i)) };
}

/** The terms in a record's offer_dlc. */
export function termsOf(rec: ContractRecord): { terms: OfferTerms; temporaryContractId: Uint8Array; chainHash: Uint8Array } {
  if (!rec.offerDlc) throw new EngineError('wrong-phase', 'no offer_dlc yet');
  return decodeOfferDlc(bytesOf(rec.offerDlc), rec.signingVersion);
}

/**
 * The signing state of a contract from its stored messages: the offerer's after sign_dlc (remote
 * signatures = the accept_dlc ones, verified before they were stored), the accepter's after
 * accept_dlc (phase accepted) or after sign_dlc (funded; verified by finalizeFunding before stored).
 */
export function stateOf(rec: ContractRecord): ContractState {
  if (!rec.acceptDlc) throw new EngineError('wrong-phase', 'no accept_dlc yet');
  const { terms } = termsOf(rec);
  const a = decodeAcceptDlc(bytesOf(rec.acceptDlc));
  const build = buildContract(terms, a.accept);
  if (rec.role === 'maker') {
    return { role: 'offer', phase: 'signed', build, remoteCetAdaptorSigs: a.cetAdaptorSigs, remoteRefundSig: a.refundSig, fundingTx: null };
  }
  if (!rec.signDlc) return { role: 'accept', phase: 'accepted', build, remoteCetAdaptorSigs: null, remoteRefundSig: null, fundingTx: null };
  const s = decodeSignDlc(bytesOf(rec.signDlc)).msg;
  return { role: 'accept', phase: 'funded', build, remoteCetAdaptorSigs: s.cetAdaptorSigs, remoteRefundSig: s.refundSig, fundingTx: null };
}
