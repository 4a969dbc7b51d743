/**
 * contract/tx.ts - the dlcspecs v0 transactions (Transactions.md), built with bitcoinjs-lib:
 * funding (inputs by serial id, 2-of-2 P2WSH over sorted keys, change outputs, outputs by serial
 * id), one CET per payout and the refund (one input spending the funding output, outputs by
 * payout serial id, dust outputs dropped, nLockTime), plus BIP143 sighashes, P2WPKH input
 * signing and the 2-of-2 witness. Checked byte for byte against rust-dlc in the tests.
 * Imports only contract and its libraries.
 */
import * as ecc from 'tiny-secp256k1';
import { Transaction, payments, script } from 'bitcoinjs-lib';
import {
  CLOSING_SEQUENCE,
  DUST_LIMIT_SAT,
  FUNDING_SEQUENCE,
  LOCKTIME_THRESHOLD,
  MAX_CETS,
  MAX_FEE_RATE_SAT_VB,
  MAX_FUNDING_INPUTS,
  MAX_MONEY_SAT,
  TX_VERSION,
} from './constants.ts';
import { ContractError } from './errors.ts';
import { changeValue, partyFees } from './fees.ts';
import type { DlcTxParams, FundingInput, PartyParams, Payout } from './types.ts';

/** The transactions of one contract, before any signature. */
export interface DlcTransactions {
  fund: Transaction;
  /** Index of the funding output in `fund`. */
  fundVout: number;
  /** Value of the funding output: total collateral plus both closing fees. */
  fundValue: bigint;
  /** The 2-of-2 witness script `2 <pk1> <pk2> 2 OP_CHECKMULTISIG`, keys sorted. */
  witnessScript: Uint8Array;
  /** P2WSH script of the funding output. */
  fundSpk: Uint8Array;
  /** One CET per payout, in payout order. */
  cets: Transaction[];
  refund: Transaction;
}

const cmp = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Whether a script is P2WPKH: OP_0 PUSH20 <hash>. */
export function isP2wpkh(spk: Uint8Array): boolean {
  return spk.length === 22 && spk[0] === 0x00 && spk[1] === 0x14;
}

/** The funding witness script over the two keys sorted lexicographically (BIP 67, Transactions.md). */
export function fundingWitnessScript(offerPk: Uint8Array, acceptPk: Uint8Array): Uint8Array {
  for (const pk of [offerPk, acceptPk]) {
    if (pk.length !== 33 || !ecc.isPoint(pk)) throw new ContractError('bad-point', 'funding key must be a compressed curve point');
  }
  if (cmp(offerPk, acceptPk) === 0) throw new ContractError('bad-terms', 'the two funding keys must differ');
  const pubkeys = [offerPk, acceptPk].sort(cmp);
  return payments.p2ms({ m: 2, pubkeys }).output!;
}

function u32(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new ContractError('bad-terms', `${what} must be a u32`);
}
function amount(v: bigint, what: string): void {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_MONEY_SAT) throw new ContractError('bad-terms', `${what} must be 0..21e14 sat`);
}

function checkParty(p: PartyParams, who: string): void {
  amount(p.collateral, `${who} collateral`);
  if (p.inputs.length === 0 || p.inputs.length > MAX_FUNDING_INPUTS) throw new ContractError('bad-input', `${who} needs 1..${MAX_FUNDING_INPUTS} funding inputs`);
  for (const i of p.inputs) {
    if (!/^[0-9a-f]{64}$/.test(i.txid)) throw new ContractError('bad-input', `${who} input txid must be 64 lowercase hex`);
    u32(i.vout, `${who} input vout`);
    amount(i.value, `${who} input value`);
    if (!isP2wpkh(i.scriptPubKey)) throw new ContractError('bad-input', `${who} funding inputs must be P2WPKH`);
    if (!Number.isInteger(i.maxWitnessLen) || i.maxWitnessLen < 1 || i.maxWitnessLen > 10_000) throw new ContractError('bad-input', `${who} max_witness_len out of range`);
  }
  if (p.payoutSpk.length === 0 || p.payoutSpk.length > 80 || p.changeSpk.length === 0 || p.changeSpk.length > 80)
    throw new ContractError('bad-terms', `${who} scripts must be 1..80 bytes`);
}

function distinct(ids: bigint[], what: string): void {
  if (new Set(ids).size !== ids.length) throw new ContractError('bad-terms', `${what} serial ids must be distinct`);
}

/** Sum of a party's input values. */
export function inputTotal(p: PartyParams): bigint {
  return p.inputs.reduce((s, i) => s + i.value, 0n);
}

function feeInputs(p: PartyParams): Parameters<typeof partyFees>[0] {
  return {
    inputs: p.inputs.map((i) => ({
      scriptSigLen: 0,
      maxWitnessLen: i.maxWitnessLen,
    })),
    changeSpkLen: p.changeSpk.length,
    payoutSpkLen: p.payoutSpk.length,
  };
}

/** Check the parameters every transaction depends on; throws ContractError. */
export function checkTxParams(t: DlcTxParams): void {
  checkParty(t.offer, 'offer');
  checkParty(t.accept, 'accept');
  u32(t.cetLocktime, 'cet_locktime');
  u32(t.refundLocktime, 'refund_locktime');
  // nLockTime below 500,000,000 is a block height, above it a time; each transaction is judged on
  // its own, so the two may differ in kind (a time CET locktime with a height refund), but in one
  // kind the refund must come later.
  const sameKind = t.cetLocktime < LOCKTIME_THRESHOLD === t.refundLocktime < LOCKTIME_THRESHOLD;
  if (sameKind && t.refundLocktime <= t.cetLocktime) throw new ContractError('bad-terms', 'refund_locktime must be after cet_locktime');
  if (t.feeRate < 1n || t.feeRate > MAX_FEE_RATE_SAT_VB) throw new ContractError('bad-terms', `fee rate must be 1..${MAX_FEE_RATE_SAT_VB} sat/vB`);
  if (t.payouts.length === 0 || t.payouts.length > MAX_CETS) throw new ContractError('bad-terms', `a contract has 1..${MAX_CETS} CETs`);
  const total = t.offer.collateral + t.accept.collateral;
  if (total <= 0n) throw new ContractError('bad-terms', 'total collateral must be positive');
  for (const p of t.payouts) {
    amount(p.offer, 'payout');
    amount(p.accept, 'payout');
    if (p.offer + p.accept !== total) throw new ContractError('bad-terms', 'each CET must pay out exactly the total collateral');
  }
  distinct(
    [...t.offer.inputs, ...t.accept.inputs].map((i) => i.serialId),
    'input',
  );
  distinct([t.offer.changeSerialId, t.accept.changeSerialId, t.fundOutputSerialId], 'change and funding output');
  distinct([t.offer.payoutSerialId, t.accept.payoutSerialId], 'payout');
  const outpoints = [...t.offer.inputs, ...t.accept.inputs].map((i) => `${i.txid}:${i.vout}`);
  if (new Set(outpoints).size !== outpoints.length) throw new ContractError('bad-input', 'a funding input is listed twice');
}

/**
 * A closing transaction: one input spending the funding output, dust outputs dropped. A CET orders
 * its outputs by payout serial id (Transactions.md); the refund puts the offerer first, as
 * dlcspecs' published test vectors (test/test_vectors/*.json) and rust-dlc do, although the
 * prose calls the refund "exactly the same as a CET" (docs/contracts.md §2).
 */
function closingTx(fundTxHash: Uint8Array, fundVout: number, t: DlcTxParams, payout: Payout, locktime: number, bySerial: boolean): Transaction {
  const tx = new Transaction();
  tx.version = TX_VERSION;
  tx.locktime = locktime;
  tx.addInput(fundTxHash, fundVout, CLOSING_SEQUENCE);
  const outs = [
    {
      serial: t.offer.payoutSerialId,
      spk: t.offer.payoutSpk,
      value: payout.offer,
    },
    {
      serial: t.accept.payoutSerialId,
      spk: t.accept.payoutSpk,
      value: payout.accept,
    },
  ];
  if (bySerial) outs.sort((a, b) => (a.serial < b.serial ? -1 : 1));
  for (const o of outs) if (o.value >= DUST_LIMIT_SAT) tx.addOutput(o.spk, o.value);
  // Both outputs below the dust limit (total collateral under 2,000 sat) would leave a transaction with no output.
  if (tx.outs.length === 0) throw new ContractError('bad-terms', 'a CET or the refund would have no output above the dust limit');
  return tx;
}

/** Build the funding transaction, every CET and the refund, unsigned (Transactions.md). */
export function buildDlcTransactions(t: DlcTxParams): DlcTransactions {
  checkTxParams(t);
  const offerFees = partyFees(feeInputs(t.offer), t.feeRate);
  const acceptFees = partyFees(feeInputs(t.accept), t.feeRate);
  const offerChange = changeValue(inputTotal(t.offer), t.offer.collateral, offerFees);
  const acceptChange = changeValue(inputTotal(t.accept), t.accept.collateral, acceptFees);
  const witnessScript = fundingWitnessScript(t.offer.fundPubkey, t.accept.fundPubkey);
  const fundSpk = payments.p2wsh({ redeem: { output: witnessScript } }).output!;
  const fundValue = t.offer.collateral + t.accept.collateral + offerFees.closingFee + acceptFees.closingFee;

  const fund = new Transaction();
  fund.version = TX_VERSION;
  fund.locktime = 0;
  const inputs: FundingInput[] = [...t.offer.inputs, ...t.accept.inputs].sort((a, b) => (a.serialId < b.serialId ? -1 : 1));
  for (const i of inputs) fund.addInput(Buffer.from(i.txid, 'hex').reverse(), i.vout, FUNDING_SEQUENCE);
  const outs = [
    { serial: t.fundOutputSerialId, spk: fundSpk, value: fundValue },
    {
      serial: t.offer.changeSerialId,
      spk: t.offer.changeSpk,
      value: offerChange,
    },
    {
      serial: t.accept.changeSerialId,
      spk: t.accept.changeSpk,
      value: acceptChange,
    },
  ].sort((a, b) => (a.serial < b.serial ? -1 : 1));
  let fundVout = -1;
  outs.forEach((o, i) => {
    fund.addOutput(o.spk, o.value);
    if (o.spk === fundSpk) fundVout = i;
  });
  const fundHash = fund.getHash();
  const cets = t.payouts.map((p) => closingTx(fundHash, fundVout, t, p, t.cetLocktime, true));
  const refund = closingTx(fundHash, fundVout, t, { offer: t.offer.collateral, accept: t.accept.collateral }, t.refundLocktime, false);
  return { fund, fundVout, fundValue, witnessScript, fundSpk, cets, refund };
}

/** BIP143 SIGHASH_ALL digest of a CET or refund's funding input (the message each party signs or adaptor-signs). */
export function closingSighash(tx: Transaction, witnessScript: Uint8Array, fundValue: bigint): Uint8Array {
  return tx.hashForWitnessV0(0, witnessScript, fundValue, Transaction.SIGHASH_ALL);
}

/** Compact 64-byte ECDSA signature, RFC 6979 nonce, low S (libsecp256k1). */
export function ecdsaSign(msg32: Uint8Array, secret: Uint8Array): Uint8Array {
  return ecc.sign(msg32, secret);
}

/** Whether a compact 64-byte low-S ECDSA signature verifies (never throws). */
export function ecdsaVerify(msg32: Uint8Array, pubkey: Uint8Array, sig64: Uint8Array): boolean {
  try {
    return sig64.length === 64 && ecc.verify(msg32, pubkey, sig64, true);
  } catch {
    return false;
  }
}

/** DER signature with SIGHASH_ALL appended, as it goes in a witness. */
export function derWithHashType(sig64: Uint8Array): Uint8Array {
  return script.signature.encode(sig64, Transaction.SIGHASH_ALL);
}

/** Witness of the 2-of-2 input: empty (CHECKMULTISIG's extra pop), signatures in sorted-key order, the script. */
export function multisigWitness(witnessScript: Uint8Array, offerPk: Uint8Array, offerSig64: Uint8Array, acceptPk: Uint8Array, acceptSig64: Uint8Array): Uint8Array[] {
  const sigs = cmp(offerPk, acceptPk) < 0 ? [offerSig64, acceptSig64] : [acceptSig64, offerSig64];
  return [new Uint8Array(0), derWithHashType(sigs[0]!), derWithHashType(sigs[1]!), witnessScript];
}

/** BIP143 digest of a P2WPKH funding input. */
export function p2wpkhSighash(tx: Transaction, index: number, spk: Uint8Array, value: bigint): Uint8Array {
  const scriptCode = payments.p2pkh({ hash: spk.subarray(2) }).output!;
  return tx.hashForWitnessV0(index, scriptCode, value, Transaction.SIGHASH_ALL);
}

/**
 * Witness [DER sig, pubkey] for the funding input `index`, spending `input` (P2WPKH) with
 * `secret`. Throws ContractError `bad-input` when the secret's key is not the input's.
 */
export function signP2wpkhInput(tx: Transaction, index: number, input: FundingInput, secret: Uint8Array): Uint8Array[] {
  const pk = ecc.pointFromScalar(secret, true);
  if (!pk) throw new ContractError('bad-input', 'bad input secret');
  const hash = payments.p2wpkh({ pubkey: pk }).output!;
  if (cmp(hash, input.scriptPubKey) !== 0) throw new ContractError('bad-input', `secret does not own input ${input.txid}:${input.vout}`);
  const sig = ecdsaSign(p2wpkhSighash(tx, index, input.scriptPubKey, input.value), secret);
  return [derWithHashType(sig), pk];
}

/** Display-order txid (hex) of a transaction. */
export function txidOf(tx: Transaction): string {
  return tx.getId();
}

/**
 * dlcspecs Protocol.md `contract_id`: funding txid XOR temporary_contract_id, with the funding
 * output index XORed into the last two bytes (big-endian). Txid in display order, 32-byte hex in and out.
 */
export function contractId(fundTxid: string, fundVout: number, temporaryContractId: string): string {
  if (!/^[0-9a-f]{64}$/.test(fundTxid) || !/^[0-9a-f]{64}$/.test(temporaryContractId))
    throw new ContractError('bad-terms', 'txid and temporary contract id are 32 bytes of lowercase hex');
  if (!Number.isInteger(fundVout) || fundVout < 0 || fundVout > 0xffff) throw new ContractError('bad-terms', 'funding output index must be a u16');
  const out = Buffer.from(fundTxid, 'hex');
  const tmp = Buffer.from(temporaryContractId, 'hex');
  for (let i = 0; i < 32; i++) out[i]! ^= tmp[i]!;
  out[30]! ^= fundVout >> 8;
  out[31]! ^= fundVout & 0xff;
  return out.toString('hex');
}
