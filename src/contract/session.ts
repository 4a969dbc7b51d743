/**
 * contract/session.ts - the dlcspecs v0 contract exchange as pure functions, no network:
 * offer terms → accept (the accepter's CET adaptor signatures + refund signature) → sign (the
 * offerer verifies EVERY one of them, then adaptor-signs, signs the refund and its funding
 * inputs) → finalize (the accepter verifies every offerer signature, then signs its funding
 * inputs once) → execute (an attestation decrypts the counterparty's adaptor signature and
 * completes a CET) or refund. Each step returns a new state; persisting it before sending
 * anything is the caller's job (the trader daemon). Imports contract and dlc.
 */
import type { Transaction } from 'bitcoinjs-lib';
import { payments, script } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import type { OracleAttestation } from '../dlc/types.ts';
import { adaptorDecrypt, adaptorEncrypt, adaptorVerify } from './adaptor.ts';
import { ContractError } from './errors.ts';
import { planCets, unlockFor } from './plan.ts';
import type { CetPlan, ContractDescriptor, OracleTerms } from './plan.ts';
import { buildDlcTransactions, closingSighash, ecdsaSign, ecdsaVerify, multisigWitness, p2wpkhSighash, signP2wpkhInput } from './tx.ts';
import type { DlcTransactions } from './tx.ts';
import type { PartyParams } from './types.ts';

/** What the offerer proposes (dlcspecs offer_dlc, minus its wire encoding). */
export interface OfferTerms extends OracleTerms {
  descriptor: ContractDescriptor;
  offer: PartyParams;
  totalCollateral: bigint;
  feeRate: bigint;
  cetLocktime: number;
  refundLocktime: number;
  fundOutputSerialId: bigint;
}

/** The accepter's answer (dlcspecs accept_dlc): its parameters and its signatures over every CET and the refund. */
export interface AcceptMessage {
  accept: PartyParams;
  /** 162-byte adaptor signatures, one per CET in plan order. */
  cetAdaptorSigs: Uint8Array[];
  /** Compact 64-byte ECDSA signature of the refund. */
  refundSig: Uint8Array;
}

/** The offerer's answer (dlcspecs sign_dlc). */
export interface SignMessage {
  cetAdaptorSigs: Uint8Array[];
  refundSig: Uint8Array;
  /** Witness of each offerer funding input, in the order of `offer.inputs`. */
  fundingWitnesses: Uint8Array[][];
}

/** Everything both parties derive alike from the terms and the accepter's parameters. */
export interface ContractBuild {
  terms: OfferTerms;
  accept: PartyParams;
  plans: CetPlan[];
  txs: DlcTransactions;
  cetSighashes: Uint8Array[];
  refundSighash: Uint8Array;
}

/** One party's view of a contract. */
export interface ContractState {
  role: 'offer' | 'accept';
  /** accepted: accepter waiting for sign_dlc; signed: offerer sent sign_dlc; funded: accepter holds the signed funding tx. */
  phase: 'accepted' | 'signed' | 'funded';
  build: ContractBuild;
  /** The counterparty's adaptor signatures (verified) and refund signature (verified), once received. */
  remoteCetAdaptorSigs: Uint8Array[] | null;
  remoteRefundSig: Uint8Array | null;
  /** The fully signed funding transaction (accepter, phase funded). */
  fundingTx: Transaction | null;
}

/** A party's secrets: the funding key and one key per funding input (in `inputs` order). Never stored here. */
export interface PartySecrets {
  fundSecret: Uint8Array;
  inputSecrets: Uint8Array[];
}

const eq = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function checkFundSecret(secret: Uint8Array, pubkey: Uint8Array, who: string): void {
  const pk = secret.length === 32 && ecc.isPrivate(secret) ? ecc.pointFromScalar(secret, true) : null;
  if (!pk || !eq(pk, pubkey)) throw new ContractError('bad-terms', `${who} funding secret does not match its funding key`);
}

/** Derive the CETs, the transactions and their sighashes (both parties run this and get the same bytes). */
export function buildContract(terms: OfferTerms, accept: PartyParams): ContractBuild {
  if (terms.offer.collateral + accept.collateral !== terms.totalCollateral) throw new ContractError('bad-terms', 'collaterals must add up to the total collateral');
  const plans = planCets(terms, terms.descriptor, terms.totalCollateral);
  const txs = buildDlcTransactions({
    offer: terms.offer,
    accept,
    payouts: plans.map((p) => p.payout),
    feeRate: terms.feeRate,
    cetLocktime: terms.cetLocktime,
    refundLocktime: terms.refundLocktime,
    fundOutputSerialId: terms.fundOutputSerialId,
  });
  const cetSighashes = txs.cets.map((tx) => closingSighash(tx, txs.witnessScript, txs.fundValue));
  return {
    terms,
    accept,
    plans,
    txs,
    cetSighashes,
    refundSighash: closingSighash(txs.refund, txs.witnessScript, txs.fundValue),
  };
}

function adaptorSignAll(b: ContractBuild, fundSecret: Uint8Array): Uint8Array[] {
  return b.plans.map((p, i) => adaptorEncrypt(fundSecret, p.adaptorPoint, b.cetSighashes[i]!));
}

/**
 * Verify every counterparty CET adaptor signature and the refund signature under `remotePk`.
 * Throws ContractError `adaptor-verify-failed` (naming the first bad CET) or `bad-signature`.
 */
export function verifyRemoteSignatures(b: ContractBuild, remotePk: Uint8Array, cetSigs: readonly Uint8Array[], refundSig: Uint8Array): void {
  if (cetSigs.length !== b.plans.length) throw new ContractError('adaptor-verify-failed', `${cetSigs.length} adaptor signatures for ${b.plans.length} CETs`);
  for (let i = 0; i < cetSigs.length; i++) {
    if (!adaptorVerify(remotePk, b.plans[i]!.adaptorPoint, b.cetSighashes[i]!, cetSigs[i]!)) {
      throw new ContractError('adaptor-verify-failed', `adaptor signature of CET ${i} (${b.plans[i]!.label.slice(0, 64)}) does not verify`);
    }
  }
  if (!ecdsaVerify(b.refundSighash, remotePk, refundSig)) throw new ContractError('bad-signature', 'refund signature does not verify');
}

/** Accepter: answer an offer with adaptor signatures over every CET and a refund signature. */
export function acceptOffer(terms: OfferTerms, accept: PartyParams, fundSecret: Uint8Array): { state: ContractState; message: AcceptMessage } {
  checkFundSecret(fundSecret, accept.fundPubkey, 'accept');
  const build = buildContract(terms, accept);
  const message: AcceptMessage = {
    accept,
    cetAdaptorSigs: adaptorSignAll(build, fundSecret),
    refundSig: ecdsaSign(build.refundSighash, fundSecret),
  };
  return {
    state: {
      role: 'accept',
      phase: 'accepted',
      build,
      remoteCetAdaptorSigs: null,
      remoteRefundSig: null,
      fundingTx: null,
    },
    message,
  };
}

function fundingIndex(b: ContractBuild, txid: string, vout: number): number {
  const hash = Buffer.from(txid, 'hex').reverse();
  const i = b.txs.fund.ins.findIndex((x) => eq(x.hash, hash) && x.index === vout);
  if (i < 0) throw new Error(`funding input ${txid}:${vout} missing from the funding transaction`);
  return i;
}

function signOwnInputs(b: ContractBuild, party: PartyParams, secrets: Uint8Array[]): Uint8Array[][] {
  if (secrets.length !== party.inputs.length) throw new ContractError('bad-input', 'one secret per funding input');
  return party.inputs.map((inp, k) => signP2wpkhInput(b.txs.fund, fundingIndex(b, inp.txid, inp.vout), inp, secrets[k]!));
}

/**
 * Offerer: verify ALL of the accepter's adaptor signatures and its refund signature, and only then
 * adaptor-sign every CET, sign the refund and sign the offerer's funding inputs.
 */
export function signAccepted(terms: OfferTerms, msg: AcceptMessage, secrets: PartySecrets): { state: ContractState; message: SignMessage } {
  checkFundSecret(secrets.fundSecret, terms.offer.fundPubkey, 'offer');
  const build = buildContract(terms, msg.accept);
  verifyRemoteSignatures(build, msg.accept.fundPubkey, msg.cetAdaptorSigs, msg.refundSig);
  const message: SignMessage = {
    cetAdaptorSigs: adaptorSignAll(build, secrets.fundSecret),
    refundSig: ecdsaSign(build.refundSighash, secrets.fundSecret),
    fundingWitnesses: signOwnInputs(build, terms.offer, secrets.inputSecrets),
  };
  const state: ContractState = {
    role: 'offer',
    phase: 'signed',
    build,
    remoteCetAdaptorSigs: [...msg.cetAdaptorSigs],
    remoteRefundSig: msg.refundSig,
    fundingTx: null,
  };
  return { state, message };
}

function checkP2wpkhWitness(b: ContractBuild, inp: PartyParams['inputs'][number], witness: Uint8Array[]): void {
  if (witness.length !== 2) throw new ContractError('bad-signature', 'a P2WPKH witness has two items');
  const [der, pk] = witness as [Uint8Array, Uint8Array];
  if (pk.length !== 33 || !ecc.isPoint(pk) || !eq(payments.p2wpkh({ pubkey: pk }).output!, inp.scriptPubKey))
    throw new ContractError('bad-signature', 'funding witness key does not own its input');
  let decoded;
  try {
    decoded = script.signature.decode(der);
  } catch {
    throw new ContractError('bad-signature', 'funding witness signature is not DER');
  }
  if (decoded.hashType !== 0x01) throw new ContractError('bad-signature', 'funding witness must sign SIGHASH_ALL');
  const idx = fundingIndex(b, inp.txid, inp.vout);
  if (!ecdsaVerify(p2wpkhSighash(b.txs.fund, idx, inp.scriptPubKey, inp.value), pk, decoded.signature))
    throw new ContractError('bad-signature', `funding signature of ${inp.txid}:${inp.vout} does not verify`);
}

/**
 * Accepter: verify ALL of the offerer's adaptor signatures, its refund signature and its funding
 * input signatures, then sign the accepter's funding inputs — once: only a state in phase
 * `accepted` may be finalized. Returns the fully signed funding transaction, ready to broadcast.
 */
export function finalizeFunding(state: ContractState, msg: SignMessage, inputSecrets: Uint8Array[]): ContractState {
  if (state.role !== 'accept' || state.phase !== 'accepted') throw new ContractError('wrong-state', `cannot sign funding in phase ${state.phase} as ${state.role}`);
  const b = state.build;
  verifyRemoteSignatures(b, b.terms.offer.fundPubkey, msg.cetAdaptorSigs, msg.refundSig);
  if (msg.fundingWitnesses.length !== b.terms.offer.inputs.length) throw new ContractError('bad-signature', 'one witness per offerer funding input');
  b.terms.offer.inputs.forEach((inp, k) => checkP2wpkhWitness(b, inp, msg.fundingWitnesses[k]!));
  const own = signOwnInputs(b, b.accept, inputSecrets);
  const fund = b.txs.fund.clone();
  b.terms.offer.inputs.forEach((inp, k) => fund.setWitness(fundingIndex(b, inp.txid, inp.vout), msg.fundingWitnesses[k]!));
  b.accept.inputs.forEach((inp, k) => fund.setWitness(fundingIndex(b, inp.txid, inp.vout), own[k]!));
  return {
    ...state,
    phase: 'funded',
    remoteCetAdaptorSigs: [...msg.cetAdaptorSigs],
    remoteRefundSig: msg.refundSig,
    fundingTx: fund,
  };
}

function ownAndRemotePks(state: ContractState): {
  own: Uint8Array;
  remote: Uint8Array;
} {
  const o = state.build.terms.offer.fundPubkey;
  const a = state.build.accept.fundPubkey;
  return state.role === 'offer' ? { own: o, remote: a } : { own: a, remote: o };
}

function witnessFor(state: ContractState, ownSig: Uint8Array, remoteSig: Uint8Array): Uint8Array[] {
  const b = state.build;
  const [offerSig, acceptSig] = state.role === 'offer' ? [ownSig, remoteSig] : [remoteSig, ownSig];
  return multisigWitness(b.txs.witnessScript, b.terms.offer.fundPubkey, offerSig, b.accept.fundPubkey, acceptSig);
}

function requireRemote(state: ContractState): Uint8Array[] {
  if (!state.remoteCetAdaptorSigs || !state.remoteRefundSig) throw new ContractError('wrong-state', 'the counterparty signatures have not been received');
  return state.remoteCetAdaptorSigs;
}

/**
 * Complete CET `cetIndex` with a decryption key: decrypt the counterparty's adaptor signature,
 * check it verifies (a wrong key gives an invalid signature: ContractError `bad-signature`), add
 * our own signature and the witness. Returns the signed CET.
 */
export function completeCet(state: ContractState, cetIndex: number, decryptionKey: Uint8Array, fundSecret: Uint8Array): Transaction {
  const remote = requireRemote(state);
  const b = state.build;
  const pks = ownAndRemotePks(state);
  checkFundSecret(fundSecret, pks.own, state.role);
  if (!Number.isInteger(cetIndex) || cetIndex < 0 || cetIndex >= b.plans.length) throw new ContractError('no-cet', `no CET ${cetIndex}`);
  const msg = b.cetSighashes[cetIndex]!;
  const remoteSig = adaptorDecrypt(remote[cetIndex]!, decryptionKey);
  if (!ecdsaVerify(msg, pks.remote, remoteSig)) throw new ContractError('bad-signature', 'the decryption key does not complete this CET');
  const tx = b.txs.cets[cetIndex]!.clone();
  tx.setWitness(0, witnessFor(state, ecdsaSign(msg, fundSecret), remoteSig));
  return tx;
}

/** Execute: verify the attestation, find its CET, complete it. Throws ContractError `bad-attestation` / `no-cet`. */
export function executeCet(state: ContractState, att: OracleAttestation, fundSecret: Uint8Array): { cetIndex: number; tx: Transaction } {
  const u = unlockFor(state.build.terms, state.build.plans, att);
  return {
    cetIndex: u.cetIndex,
    tx: completeCet(state, u.cetIndex, u.secret, fundSecret),
  };
}

/** The refund, signed by both (valid on chain only from `refund_locktime`). */
export function signedRefund(state: ContractState, fundSecret: Uint8Array): Transaction {
  requireRemote(state);
  const b = state.build;
  checkFundSecret(fundSecret, ownAndRemotePks(state).own, state.role);
  const tx = b.txs.refund.clone();
  tx.setWitness(0, witnessFor(state, ecdsaSign(b.refundSighash, fundSecret), state.remoteRefundSig!));
  return tx;
}
