/**
 * trader/maker.ts - the maker's side: make (build, sign, mine and post an offer), cancel, answer a
 * `take` with offer_dlc (coins reserved, record persisted first), answer accept_dlc with sign_dlc
 * (every taker signature verified by signAccepted before anything is signed, record persisted
 * first, offer re-posted `taken`), release a taker that never sent accept_dlc, re-post pending
 * board versions. Imports contract, dlc, protocol and the engine's modules.
 */
import { contractId as deriveContractId, contractLimits, ContractError, planCets, signAccepted } from '../contract/index.ts';
import { CHAIN_HASHES, decodeAcceptDlc, encodeOfferDlc, encodeSignDlc } from '../contract/messages.ts';
import { sha256 } from '../protocol/hash.ts';
import { offerId, offerPowText, signOffer } from '../protocol/offer.ts';
import { minePow } from '../protocol/pow-miner.ts';
import type { Offer, OfferContent } from '../protocol/types.ts';
import type { Ctx} from './common.ts';
import { OFFER_CTTL, bytesOf, hexOf, partyFromWallet, randomSerial, secretsOf, slotOf, termsOf } from './common.ts';
import { decodeAnnouncement } from '../dlc/codec.ts';
import { signEnvelope } from './envelope.ts';
import { EngineError, codeOf, messageOf } from './errors.ts';
import type { ContractRecord } from './store.ts';
import { BITCOIN_CHAIN, checkOfferAgainstEvent, checkOfferNumbers, checkedAnnouncement, descriptorOf } from './terms.ts';
import type { Envelope } from './types.ts';

/** Post an offer version; when the node is unreachable keep it as `boardPending` for tick to retry (a reject code ends the retries). */
export async function postBoard(ctx: Ctx, rec: ContractRecord, offer: Offer): Promise<ContractRecord> {
  rec = ctx.save(rec, { offer, boardPending: offer });
  try {
    await ctx.deps.mega.postOffer(offer);
  } catch (e) {
    const code = codeOf(e);
    const error = `posting the offer (seqNo ${offer.seqNo}): ${code ?? ''} ${messageOf(e)}`.trim();
    // A reject code is final (posting again gets the same answer); anything else is retried by tick.
    return ctx.save(rec, code && code !== 'unreachable' ? { error, boardPending: null } : { error });
  }
  return ctx.save(rec, { boardPending: null });
}

function resign(ctx: Ctx, o: Offer, status: Offer['status']): Offer {
  const { makerSignature: _s, makerSignatureType: _t, ...unsigned } = o;
  return signOffer({ ...unsigned, status, seqNo: o.seqNo + 1 }, ctx.secretHex);
}

/** Build, check, sign, mine and post an offer; the contract starts in `offered`. */
export async function make(ctx: Ctx, c: Omit<OfferContent, 'contact' | 'contractType'>): Promise<{ offer: Offer; offerId: string }> {
  const content: OfferContent = { ...c, contact: ctx.deps.contact, contractType: 'dlc-v0' };
  checkOfferNumbers(content);
  if (content.expiresAt <= Math.floor(ctx.now() / 1000)) throw new EngineError('offer-expired', 'expiresAt is in the past');
  const ann = await checkedAnnouncement(ctx.deps.mega, content.announcementId);
  if (ann.attested) throw new EngineError('already-attested', 'the event is already attested');
  checkOfferAgainstEvent(content, ann.announcement);
  const tip = await ctx.deps.chain.tip().catch((e: unknown) => {
    throw new EngineError('chain', `chain tip: ${messageOf(e)}`);
  });
  if (!BITCOIN_CHAIN[content.chain].includes(tip.chain)) throw new EngineError('chain-mismatch', `the offer names ${content.chain}; the chain backend is on ${tip.chain}`);
  try {
    planCets(ann, descriptorOf(content), BigInt(content.makerCollateral) + BigInt(content.takerCollateral));
  } catch (e) {
    if (e instanceof ContractError) throw new EngineError('bad-offer', `payouts do not fit the event: ${e.message}`);
    throw e;
  }
  const base = { makerPubKey: ctx.me, content };
  const pow = await minePow(offerPowText(base), ctx.deps.offerDifficulty, { workers: 1 });
  const offer = signOffer({ ...base, seqNo: 1, cTTL: OFFER_CTTL, pow, status: 'open' }, ctx.secretHex);
  const id = offerId(offer);
  if (ctx.store.get(id)) throw new EngineError('bad-offer', 'this offer was made before');
  const now = ctx.now();
  const rec: ContractRecord = {
    v: 1,
    id,
    role: 'maker',
    phase: 'offered',
    offer,
    announcementHex: ann.announcementHex,
    signingVersion: ann.signingVersion,
    oraclePubKey: ann.oraclePubKey,
    exchangeId: null,
    counterparty: null,
    exchangeStartedAt: null,
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
    boardPending: offer,
    error: null,
    createdAt: now,
    updatedAt: now,
  };
  ctx.store.put(rec);
  try {
    await ctx.deps.mega.postOffer(offer);
  } catch (e) {
    const code = codeOf(e);
    if (code && code !== 'unreachable') {
      // The node refused it (a reject code): it will never be on the board.
      ctx.save(rec, { phase: 'aborted', boardPending: null, error: `the node refused the offer: ${code} ${messageOf(e)}` });
      throw new EngineError('node', `the node refused the offer: ${code} ${messageOf(e)}`);
    }
    ctx.save(rec, { error: messageOf(e) });
    throw new EngineError('node', `the node did not take the offer (${messageOf(e)}); tick posts it again`);
  }
  ctx.save(rec, { boardPending: null });
  return { offer, offerId: id };
}

/** Cancel an open offer: release any reservation, re-post it `cancelled`. */
export async function cancel(ctx: Ctx, id: string): Promise<void> {
  const rec = ctx.store.get(id);
  if (!rec || rec.role !== 'maker') throw new EngineError('unknown-offer', `no offer ${id} of this maker`);
  if (rec.phase !== 'offered') throw new EngineError('wrong-phase', `the offer is ${rec.phase}`);
  if (rec.exchangeId) await ctx.deps.wallet.release(slotOf(rec));
  const cancelled = resign(ctx, rec.offer, 'cancelled');
  const next = ctx.save(rec, { phase: 'aborted', error: 'cancelled by the maker', exchangeId: null, counterparty: null, offerDlc: null, answers: {}, boardPending: cancelled });
  await postBoard(ctx, next, cancelled);
}

function makerRecord(ctx: Ctx, e: Envelope): ContractRecord {
  const rec = ctx.store.get(e.offerId);
  if (!rec || rec.role !== 'maker') throw new EngineError('unknown-offer', `no offer ${e.offerId} of this maker`);
  return rec;
}

/** A `take`: reserve, build the terms, persist, answer offer_dlc. The same take again gets the same answer. */
export async function onTake(ctx: Ctx, e: Envelope): Promise<Envelope> {
  let rec = makerRecord(ctx, e);
  if (rec.exchangeId === e.exchangeId) {
    if (e.from !== rec.counterparty) throw new EngineError('wrong-sender', 'this exchange belongs to another taker key');
    if (rec.answers.offer_dlc) return rec.answers.offer_dlc;
    // A crash between binding the exchange and storing the answer: build it now (reserve is idempotent by id).
  } else {
    if (rec.exchangeId || rec.phase !== 'offered') {
      if (rec.phase === 'aborted') throw new EngineError('offer-not-open', rec.error ?? 'the offer is closed');
      throw new EngineError('offer-taken', 'another taker holds this offer');
    }
    if (rec.offer.status !== 'open') throw new EngineError('offer-not-open', `the offer is ${rec.offer.status}`);
    if (e.from === ctx.me) throw new EngineError('own-offer', 'a maker cannot take its own offer');
    if (rec.offer.content.expiresAt <= Math.floor(ctx.now() / 1000)) throw new EngineError('offer-expired', 'the offer expired');
    if (e.body !== '') throw new EngineError('bad-message', 'a take has an empty body');
    // Bind the exchange first, so coins reserved under its id are found (and released on expiry) after a crash.
    rec = ctx.save(rec, { exchangeId: e.exchangeId, counterparty: e.from, exchangeStartedAt: ctx.now(), offerDlc: null, answers: {}, error: null });
  }
  const c = rec.offer.content;
  let party;
  try {
    party = await partyFromWallet(ctx, slotOf(rec), BigInt(c.makerCollateral), BigInt(c.feeRate));
  } catch (err) {
    // No coins: unbind, so the offer stays takeable once the wallet is funded.
    await ctx.deps.wallet.release(slotOf(rec));
    ctx.save(rec, { exchangeId: null, counterparty: null, exchangeStartedAt: null, error: messageOf(err) });
    throw err;
  }
  const terms = {
    announcement: decodeAnnouncement(rec.announcementHex),
    signingVersion: rec.signingVersion,
    descriptor: descriptorOf(c),
    offer: party,
    totalCollateral: BigInt(c.makerCollateral) + BigInt(c.takerCollateral),
    feeRate: BigInt(c.feeRate),
    cetLocktime: c.cetLocktime,
    refundLocktime: c.refundLocktime,
    fundOutputSerialId: randomSerial(),
  };
  const chainHash = CHAIN_HASHES[c.chain];
  // dlcspecs Protocol.md: the temporary contract id is the SHA-256 of the offer message; the
  // message carries that id, so it is hashed with the id field zeroed (docs/contracts.md).
  const temporaryContractId = new Uint8Array(sha256(Buffer.from(encodeOfferDlc({ terms, temporaryContractId: new Uint8Array(32), chainHash }))));
  const offerDlc = hexOf(encodeOfferDlc({ terms, temporaryContractId, chainHash }));
  const answer = signEnvelope({ type: 'offer_dlc', offerId: e.offerId, from: ctx.me, exchangeId: e.exchangeId, body: offerDlc }, ctx.secretHex);
  ctx.save(rec, { offerDlc, answers: { offer_dlc: answer } });
  return answer;
}

/** accept_dlc: verify every taker signature (signAccepted), sign once, persist `signed`, re-post the offer `taken`, answer sign_dlc. */
export async function onAccept(ctx: Ctx, e: Envelope): Promise<Envelope> {
  let rec = makerRecord(ctx, e);
  if (rec.exchangeId !== e.exchangeId) throw new EngineError('unknown-exchange', 'no open exchange with that id on this offer (it may have timed out)');
  if (e.from !== rec.counterparty) throw new EngineError('wrong-sender', 'accept_dlc must come from the key that sent the take');
  if (rec.answers.sign_dlc) {
    if (rec.acceptDlc !== e.body) throw new EngineError('conflicting-message', 'a different accept_dlc was already answered');
    return rec.answers.sign_dlc;
  }
  if (rec.phase !== 'offered' || !rec.offerDlc) throw new EngineError('wrong-phase', `accept_dlc in phase ${rec.phase}`);
  const { terms, temporaryContractId } = termsOf(rec);
  let a;
  try {
    a = decodeAcceptDlc(bytesOf(e.body));
  } catch (err) {
    throw new EngineError('bad-message', `accept_dlc: ${messageOf(err)}`);
  }
  if (hexOf(a.temporaryContractId) !== hexOf(temporaryContractId)) throw new EngineError('bad-message', 'accept_dlc names another temporary contract id');
  if (a.accept.collateral !== BigInt(rec.offer.content.takerCollateral)) throw new EngineError('terms-mismatch', 'the taker collateral differs from the offer');
  if (a.cetAdaptorSigs.length > contractLimits.MAX_CETS) throw new EngineError('bad-message', 'too many adaptor signatures');
  let signed;
  try {
    signed = signAccepted(terms, a, secretsOf(ctx, slotOf(rec), terms.offer));
  } catch (err) {
    if (err instanceof ContractError) {
      const code = err.code === 'adaptor-verify-failed' || err.code === 'bad-adaptor-signature' ? 'adaptor-verify-failed' : err.code === 'bad-signature' ? 'bad-signature' : 'terms-mismatch';
      throw new EngineError(code, err.message);
    }
    throw err;
  }
  const fund = signed.state.build.txs;
  const fundingTxid = fund.fund.getId();
  const cid = deriveContractId(fundingTxid, fund.fundVout, hexOf(temporaryContractId));
  const signDlc = hexOf(encodeSignDlc({ contractId: bytesOf(cid), msg: signed.message }));
  const answer = signEnvelope({ type: 'sign_dlc', offerId: e.offerId, from: ctx.me, exchangeId: e.exchangeId, body: signDlc }, ctx.secretHex);
  // The `taken` version is recorded with the phase, so a crash before it reaches the board is re-posted by tick.
  const taken = resign(ctx, rec.offer, 'taken');
  rec = ctx.save(rec, {
    phase: 'signed',
    acceptDlc: e.body,
    signDlc,
    answers: { ...rec.answers, sign_dlc: answer },
    contractId: cid,
    fundingTxid,
    fundingVout: fund.fundVout,
    fundingTxHex: fund.fund.toHex(),
    boardPending: taken,
  });
  await postBoard(ctx, rec, taken);
  return answer;
}

/** A taker that never sent accept_dlc in time: release the coins, the offer is open again. An untaken offer past expiresAt ends (`aborted`). */
export async function expireExchange(ctx: Ctx, rec: ContractRecord): Promise<void> {
  if (rec.role !== 'maker' || rec.phase !== 'offered' || rec.answers.sign_dlc) return;
  if (!rec.exchangeId) {
    // Nobody took it before expiresAt: nothing more can happen to this offer.
    if (rec.offer.content.expiresAt <= Math.floor(ctx.now() / 1000)) ctx.save(rec, { phase: 'aborted', error: 'the offer expired untaken' });
    return;
  }
  if (ctx.now() - (rec.exchangeStartedAt ?? 0) < ctx.acceptTimeoutMs) return;
  // Release first: a crash between the two leaves a record whose expiry runs again (release of an unknown id is a no-op).
  await ctx.deps.wallet.release(slotOf(rec));
  ctx.save(rec, { exchangeId: null, counterparty: null, exchangeStartedAt: null, offerDlc: null, answers: {}, error: `taker ${rec.counterparty} sent no accept_dlc in ${ctx.acceptTimeoutMs} ms` });
}
