/**
 * trader/taker.ts - the taker's side: check the board offer, its announcement and the oracle, then
 * run the exchange one persisted phase at a time: `taking` (take sent) → `accepted` (offer_dlc
 * checked against the board offer, accept_dlc persisted before it is sent) → `funding` (sign_dlc
 * verified by finalizeFunding, the signed funding transaction persisted before it is broadcast).
 * A crashed or interrupted taker resumes from its phase; a refusal or a timeout aborts and releases.
 * Imports contract, protocol and the engine's modules.
 */
import crypto from 'node:crypto';
import { acceptOffer, contractId as deriveContractId, ContractError, finalizeFunding } from '../contract/index.ts';
import { CHAIN_HASHES, decodeOfferDlc, decodeSignDlc, encodeAcceptDlc, encodeOfferDlc } from '../contract/messages.ts';
import { sha256 } from '../protocol/hash.ts';
import type { Ctx} from './common.ts';
import { bytesOf, hexOf, partyFromWallet, secretsOf, slotOf, stateOf, termsOf } from './common.ts';
import { readErrorBody, signEnvelope, verifyEnvelope } from './envelope.ts';
import { EngineError, codeOf, messageOf } from './errors.ts';
import type { ContractRecord } from './store.ts';
import { DEFAULT_MAX_FEE_RATE } from './errors.ts';
import { BITCOIN_CHAIN, checkBoardOffer, checkOfferAgainstEvent, checkedAnnouncement, termsDiffer } from './terms.ts';
import type { Envelope } from './types.ts';

/** Codes a maker answers that end an exchange (anything else, or no code, is retried). */
const FINAL_REFUSALS = new Set([
  'bad-envelope',
  'bad-envelope-signature',
  'wrong-sender',
  'bad-message',
  'unknown-offer',
  'own-offer',
  'offer-not-open',
  'offer-expired',
  'offer-taken',
  'unknown-exchange',
  'wrong-phase',
  'conflicting-message',
  'terms-mismatch',
  'adaptor-verify-failed',
  'bad-signature',
  'insufficient-funds',
]);

/** Check the board offer and everything it names, persist `taking` with a fresh exchange id. */
export async function startTake(ctx: Ctx, id: string): Promise<ContractRecord> {
  const { mega, chain } = ctx.deps;
  let offer;
  try {
    offer = await mega.getOffer(id);
  } catch (e) {
    throw new EngineError('node', `GET offer: ${messageOf(e)}`);
  }
  if (!offer) throw new EngineError('unknown-offer', `the node has no offer ${id}`);
  checkBoardOffer(offer, id, Math.floor(ctx.now() / 1000));
  if (offer.makerPubKey === ctx.me) throw new EngineError('own-offer', 'a trader cannot take its own offer');
  const ann = await checkedAnnouncement(mega, offer.content.announcementId);
  checkOfferAgainstEvent(offer.content, ann.announcement);
  const maxFee = ctx.deps.maxFeeRate ?? DEFAULT_MAX_FEE_RATE;
  if (offer.content.feeRate > maxFee) throw new EngineError('fee-too-high', `the offer's fee rate ${offer.content.feeRate} sat/vB is above this trader's maxFeeRate ${maxFee}`);
  let standing;
  try {
    standing = await mega.getOracleStanding(ann.oraclePubKey);
  } catch (e) {
    throw new EngineError('node', `GET oracle: ${messageOf(e)}`);
  }
  if (standing.conflicted) throw new EngineError('oracle-conflicted', `the node holds ${standing.proofs} proof(s) against oracle ${ann.oraclePubKey}`);
  if (ann.attested) throw new EngineError('already-attested', 'the event is already attested: its outcome is known');
  let tip;
  try {
    tip = await chain.tip();
  } catch (e) {
    throw new EngineError('chain', `chain tip: ${messageOf(e)}`);
  }
  if (!BITCOIN_CHAIN[offer.content.chain].includes(tip.chain)) throw new EngineError('chain-mismatch', `the offer is on ${offer.content.chain}; the chain backend is on ${tip.chain}`);
  const now = ctx.now();
  const rec: ContractRecord = {
    v: 1,
    id,
    role: 'taker',
    phase: 'taking',
    offer,
    announcementHex: ann.announcementHex,
    signingVersion: ann.signingVersion,
    oraclePubKey: ann.oraclePubKey,
    exchangeId: crypto.randomBytes(32).toString('hex'),
    counterparty: offer.makerPubKey,
    exchangeStartedAt: now,
    offerDlc: null,
    acceptDlc: null,
    signDlc: null,
    answers: {},
    contractId: null,
    fundingTxid: null,
    fundingVout: null,
    fundingTxHex: null,
    closingKind: null,
    closingTxHex: null,
    closingTxid: null,
    attestation: null,
    outcome: null,
    boardPending: null,
    error: null,
    createdAt: now,
    updatedAt: now,
  };
  ctx.store.put(rec);
  return rec;
}

/** Send one envelope to the maker and check its answer: signed by the offer's maker key, same offer and exchange, the expected type. */
async function exchange(ctx: Ctx, rec: ContractRecord, type: Envelope['type'], body: string, want: Envelope['type']): Promise<Envelope> {
  const env = signEnvelope({ type, offerId: rec.id, from: ctx.me, exchangeId: rec.exchangeId!, body }, ctx.secretHex);
  let raw: Envelope;
  try {
    raw = await ctx.deps.peers.send(rec.offer.content.contact, env);
  } catch (e) {
    const code = codeOf(e);
    if (code && FINAL_REFUSALS.has(code)) throw new EngineError('peer-refused', `${code}: ${messageOf(e)}`);
    throw new EngineError('peer-unreachable', messageOf(e));
  }
  const ans = verifyEnvelope(raw);
  if (ans.from !== rec.offer.makerPubKey) throw new EngineError('wrong-sender', 'the answer is not signed by the offer\'s maker key');
  if (ans.offerId !== rec.id || ans.exchangeId !== rec.exchangeId) throw new EngineError('bad-message', 'the answer names another offer or exchange');
  if (ans.type === 'error') {
    const err = readErrorBody(ans.body);
    throw new EngineError('peer-refused', `${err?.code ?? 'error'}: ${err?.message ?? ''}`);
  }
  if (ans.type !== want) throw new EngineError('bad-message', `expected ${want}, got ${ans.type}`);
  return ans;
}

/** Abort a taker contract that was never funded: release its coins, keep the reason. */
export async function abortTaker(ctx: Ctx, rec: ContractRecord, why: string): Promise<ContractRecord> {
  if (rec.phase !== 'taking' && rec.phase !== 'accepted') return rec;
  await ctx.deps.wallet.release(slotOf(rec));
  return ctx.save(rec, { phase: 'aborted', error: why });
}

/** taking: take → offer_dlc, checked against the board offer; reserve, accept, persist `accepted`. */
async function stepTaking(ctx: Ctx, rec: ContractRecord): Promise<ContractRecord> {
  const ans = await exchange(ctx, rec, 'take', '', 'offer_dlc');
  const c = rec.offer.content;
  let o;
  try {
    o = decodeOfferDlc(bytesOf(ans.body), rec.signingVersion);
  } catch (e) {
    throw new EngineError('bad-message', `offer_dlc: ${messageOf(e)}`);
  }
  if (hexOf(o.chainHash) !== hexOf(CHAIN_HASHES[c.chain])) throw new EngineError('chain-mismatch', 'offer_dlc names another chain');
  const expectTmp = sha256(Buffer.from(encodeOfferDlc({ terms: o.terms, temporaryContractId: new Uint8Array(32), chainHash: o.chainHash })));
  if (hexOf(o.temporaryContractId) !== hexOf(expectTmp)) throw new EngineError('bad-message', 'temporary_contract_id is not the hash of the offer message');
  const diff = termsDiffer(o.terms, rec.offer, rec.announcementHex, rec.signingVersion);
  if (diff) throw new EngineError('terms-mismatch', `offer_dlc differs from the board offer in its ${diff}`);
  const party = await partyFromWallet(ctx, slotOf(rec), BigInt(c.takerCollateral), BigInt(c.feeRate));
  let accepted;
  try {
    accepted = acceptOffer(o.terms, party, secretsOf(ctx, slotOf(rec), party).fundSecret);
  } catch (e) {
    if (e instanceof ContractError) throw new EngineError('terms-mismatch', `the maker's terms do not build a contract: ${e.message}`);
    throw e;
  }
  const m = accepted.message;
  const acceptDlc = hexOf(encodeAcceptDlc({ temporaryContractId: o.temporaryContractId, accept: m.accept, cetAdaptorSigs: m.cetAdaptorSigs, refundSig: m.refundSig }));
  return ctx.save(rec, { phase: 'accepted', offerDlc: ans.body, acceptDlc });
}

/** accepted: (re)send accept_dlc → sign_dlc; finalizeFunding verifies every maker signature and signs our inputs once; persist `funding` before broadcasting. */
async function stepAccepted(ctx: Ctx, rec: ContractRecord): Promise<ContractRecord> {
  const ans = await exchange(ctx, rec, 'accept_dlc', rec.acceptDlc!, 'sign_dlc');
  let s;
  try {
    s = decodeSignDlc(bytesOf(ans.body));
  } catch (e) {
    throw new EngineError('bad-message', `sign_dlc: ${messageOf(e)}`);
  }
  const state = stateOf(rec);
  const { temporaryContractId } = termsOf(rec);
  let funded;
  try {
    funded = finalizeFunding(state, s.msg, secretsOf(ctx, slotOf(rec), state.build.accept).inputSecrets);
  } catch (e) {
    if (e instanceof ContractError) throw new EngineError(e.code === 'adaptor-verify-failed' || e.code === 'bad-adaptor-signature' ? 'adaptor-verify-failed' : 'bad-signature', e.message);
    throw e;
  }
  const txs = state.build.txs;
  const fundingTxid = funded.fundingTx!.getId();
  const cid = deriveContractId(fundingTxid, txs.fundVout, hexOf(temporaryContractId));
  if (hexOf(s.contractId) !== cid) throw new EngineError('bad-message', 'sign_dlc names another contract id');
  return ctx.save(rec, { phase: 'funding', signDlc: ans.body, contractId: cid, fundingTxid, fundingVout: txs.fundVout, fundingTxHex: funded.fundingTx!.toHex() });
}

/** Broadcast the stored signed funding transaction (again) and mark its coins spent. Errors are recorded, not thrown. */
export async function broadcastFunding(ctx: Ctx, rec: ContractRecord): Promise<ContractRecord> {
  try {
    await ctx.deps.chain.broadcast(rec.fundingTxHex!);
    await ctx.deps.wallet.markSpent(rec.fundingTxHex!);
    return rec.error ? ctx.save(rec, { error: null }) : rec;
  } catch (e) {
    return ctx.save(rec, { error: `broadcasting the funding: ${messageOf(e)}` });
  }
}

/**
 * Drive a taker contract as far as it goes now. Definitive refusals and bad answers abort (the
 * maker cannot fund without our input signatures, so aborting before `funding` is safe); an
 * unreachable maker leaves the phase for tick to retry until the timeout.
 */
export async function advanceTaker(ctx: Ctx, rec: ContractRecord): Promise<ContractRecord> {
  try {
    if (rec.phase === 'taking') rec = await stepTaking(ctx, rec);
    if (rec.phase === 'accepted') {
      rec = await stepAccepted(ctx, rec);
      rec = await broadcastFunding(ctx, rec);
    }
    return rec;
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    const retry = e.code === 'peer-unreachable' || e.code === 'chain' || e.code === 'store-full';
    const late = ctx.now() - (rec.exchangeStartedAt ?? 0) >= ctx.signTimeoutMs;
    if (retry && !late) {
      ctx.save(rec, { error: `${e.code}: ${e.message}` });
      throw e;
    }
    await abortTaker(ctx, rec, `${e.code}: ${e.message}`);
    throw e;
  }
}
