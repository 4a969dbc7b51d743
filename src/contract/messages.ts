/**
 * contract/messages.ts - the dlcspecs Protocol.md contract messages on the wire (current master,
 * protocol_version 1): offer_dlc (42778), accept_dlc (42780) and sign_dlc (42782), each a u16 type
 * then its fields, encoded from and decoded to the session's shapes (OfferTerms, PartyParams,
 * SignMessage). Decoding is bounded (total size, inputs, CETs, every length checked before use)
 * and reports malformed input as ContractError `bad-message` naming the field. Specified in
 * docs/contracts.md "Messages". Imports contract and dlc.
 */
import { Transaction } from 'bitcoinjs-lib';
import type { SigningVersion } from '../dlc/types.ts';
import { ADAPTOR_SIG_BYTES, isCompressedPoint } from './adaptor.ts';
import { FUNDING_SEQUENCE, MAX_CETS, MAX_FUNDING_INPUTS } from './constants.ts';
import { readContractInfo, writeContractInfo } from './contract-info.ts';
import { ContractError } from './errors.ts';
import { MAX_SCRIPT_BYTES, MsgReader, MsgWriter } from './msg-codec.ts';
import type { OfferTerms, SignMessage } from './session.ts';
import type { FundingInput, PartyParams } from './types.ts';

/** Wire message types (Protocol.md). */
export const MSG_OFFER_DLC = 42778;
export const MSG_ACCEPT_DLC = 42780;
export const MSG_SIGN_DLC = 42782;
/** The protocol_version written and the only one accepted (Protocol.md "The current protocol version is 1"). */
export const DLC_PROTOCOL_VERSION = 1;
/** Largest message decoded: an accept_dlc with MAX_CETS adaptor signatures (3.24 MB) and room for its inputs. */
export const MAX_DLC_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Largest `prev_tx` (a standard transaction weighs at most 400,000 WU, so serialises to at most 400,000 bytes). */
export const MAX_PREV_TX_BYTES = 400_000;
/** Most items in one funding input witness, and most bytes of one item. */
export const MAX_WITNESS_ITEMS = 64;
export const MAX_WITNESS_ITEM_BYTES = MAX_SCRIPT_BYTES;
/** Compact ECDSA signature (`signature`). */
const SIGNATURE_BYTES = 64;

/**
 * dlcspecs chain_hash per Mega chain name: the genesis block hash in internal byte order (the
 * reverse of how bitcoind prints it), as BOLT 0 defines chain_hash.
 */
export const CHAIN_HASHES: Record<'bitcoin-regtest' | 'bitcoin-testnet' | 'bitcoin-signet' | 'bitcoin-mainnet', Uint8Array> = {
  'bitcoin-mainnet': genesis('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'),
  'bitcoin-testnet': genesis('000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943'),
  'bitcoin-signet': genesis('00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6'),
  'bitcoin-regtest': genesis('0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206'),
};

function genesis(displayHex: string): Uint8Array {
  return new Uint8Array(Buffer.from(displayHex, 'hex').reverse());
}

const bad = (message: string): ContractError => new ContractError('bad-message', message);

function reader(bytes: Uint8Array, type: number, name: string): MsgReader {
  if (!(bytes instanceof Uint8Array)) throw bad(`${name}: expected bytes`);
  if (bytes.length > MAX_DLC_MESSAGE_BYTES) throw bad(`${name}: ${bytes.length} bytes, limit ${MAX_DLC_MESSAGE_BYTES}`);
  const r = new MsgReader(bytes);
  const t = r.u16('message type');
  if (t !== type) throw bad(`${name}: expected message type ${type}, got ${t}`);
  const v = r.u32('protocol_version');
  if (v !== DLC_PROTOCOL_VERSION) throw bad(`${name}: protocol_version ${v}, only ${DLC_PROTOCOL_VERSION} is supported`);
  return r;
}

// ---- funding inputs ----

function writeInputs(w: MsgWriter, inputs: readonly FundingInput[]): void {
  if (inputs.length > MAX_FUNDING_INPUTS) throw new ContractError('bad-input', `at most ${MAX_FUNDING_INPUTS} funding inputs`);
  w.bigsize(inputs.length);
  inputs.forEach((inp, i) => {
    const what = `funding input ${i}`;
    if (!inp.prevTx) throw new ContractError('bad-input', `${what}: prevTx (the whole previous transaction) is needed on the wire`);
    const prev = parsePrevTx(inp.prevTx, inp.vout, what, (m) => new ContractError('bad-input', m));
    if (prev.txid !== inp.txid || prev.value !== inp.value || Buffer.compare(Buffer.from(prev.spk), Buffer.from(inp.scriptPubKey)) !== 0) {
      throw new ContractError('bad-input', `${what}: prevTx does not hold ${inp.txid}:${inp.vout} with that value and script`);
    }
    w.u64(inp.serialId, `${what} input_serial_id`).bigsize(inp.prevTx.length).bytes(inp.prevTx);
    w.u32(inp.vout, `${what} prev_tx_vout`).u32(FUNDING_SEQUENCE).u16(inp.maxWitnessLen, `${what} max_witness_len`).u16(0); // empty redeemscript: native segwit
  });
}

function parsePrevTx(raw: Uint8Array, vout: number, what: string, fail: (m: string) => ContractError): { txid: string; value: bigint; spk: Uint8Array } {
  let tx: Transaction;
  try {
    tx = Transaction.fromBuffer(Buffer.from(raw));
  } catch (e) {
    throw fail(`${what}: prev_tx is not a transaction (${(e as Error).message})`);
  }
  // Re-serialising must give the same bytes, or the txid we compute is not the one spent.
  if (Buffer.compare(tx.toBuffer(), Buffer.from(raw)) !== 0) throw fail(`${what}: prev_tx is not in its canonical serialisation`);
  const out = tx.outs[vout];
  if (!out) throw fail(`${what}: prev_tx_vout ${vout} is not an output of prev_tx (${tx.outs.length} outputs)`);
  return { txid: tx.getId(), value: BigInt(out.value), spk: new Uint8Array(out.script) };
}

function readInputs(r: MsgReader): FundingInput[] {
  // A funding input is at least 8 + 1 + 4 + 4 + 2 + 2 bytes (with an empty prev_tx).
  const n = r.count('num_funding_inputs', MAX_FUNDING_INPUTS, 21);
  const out: FundingInput[] = [];
  for (let i = 0; i < n; i++) {
    const what = `funding input ${i}`;
    const serialId = r.u64(`${what} input_serial_id`);
    const len = r.bigsize(`${what} prevtx_len`);
    if (len > MAX_PREV_TX_BYTES) throw bad(`${what}: prev_tx of ${len} bytes, limit ${MAX_PREV_TX_BYTES}`);
    const prevTx = r.bytes(len, `${what} prev_tx`);
    const vout = r.u32(`${what} prev_tx_vout`);
    const sequence = r.u32(`${what} sequence`);
    if (sequence !== FUNDING_SEQUENCE) throw bad(`${what}: sequence 0x${sequence.toString(16)} (Mega builds final funding inputs, 0xffffffff)`);
    const maxWitnessLen = r.u16(`${what} max_witness_len`);
    const redeem = r.spk(`${what} redeemscript`);
    if (redeem.length !== 0) throw bad(`${what}: a redeemscript (P2SH-wrapped input) is not supported, native segwit only`);
    const prev = parsePrevTx(prevTx, vout, what, bad);
    out.push({ txid: prev.txid, vout, value: prev.value, scriptPubKey: prev.spk, serialId, maxWitnessLen, prevTx });
  }
  return out;
}

// ---- signatures ----

function writeAdaptorSigs(w: MsgWriter, sigs: readonly Uint8Array[]): void {
  if (sigs.length > MAX_CETS) throw new ContractError('bad-terms', `at most ${MAX_CETS} CET adaptor signatures`);
  w.bigsize(sigs.length);
  sigs.forEach((s, i) => w.fixed(s, ADAPTOR_SIG_BYTES, `CET adaptor signature ${i}`));
}

function readAdaptorSigs(r: MsgReader): Uint8Array[] {
  const n = r.count('cet_adaptor_signatures nb_signatures', MAX_CETS, ADAPTOR_SIG_BYTES);
  const out: Uint8Array[] = [];
  // Each is the 65-byte ecdsa_adaptor_signature followed by its 97-byte dleq_proof.
  for (let i = 0; i < n; i++) out.push(r.bytes(ADAPTOR_SIG_BYTES, `CET adaptor signature ${i}`));
  return out;
}

function writeWitnesses(w: MsgWriter, ws: readonly (readonly Uint8Array[])[]): void {
  if (ws.length > MAX_FUNDING_INPUTS) throw new ContractError('bad-input', `at most ${MAX_FUNDING_INPUTS} funding witnesses`);
  w.bigsize(ws.length);
  ws.forEach((items, i) => {
    if (items.length === 0 || items.length > MAX_WITNESS_ITEMS) throw new ContractError('bad-signature', `funding witness ${i} has 1..${MAX_WITNESS_ITEMS} items`);
    w.bigsize(items.length);
    for (const it of items) w.bigsize(it.length).bytes(it);
  });
}

function readWitnesses(r: MsgReader): Uint8Array[][] {
  const n = r.count('funding_signatures num_witnesses', MAX_FUNDING_INPUTS, 2);
  const out: Uint8Array[][] = [];
  for (let i = 0; i < n; i++) {
    const k = r.count(`funding witness ${i} num_witness_elems`, MAX_WITNESS_ITEMS, 1);
    if (k === 0) throw bad(`funding witness ${i} is empty (every funding input is segwit)`);
    const items: Uint8Array[] = [];
    for (let j = 0; j < k; j++) {
      const len = r.bigsize(`funding witness ${i} element ${j} len`);
      if (len > MAX_WITNESS_ITEM_BYTES) throw bad(`funding witness ${i} element ${j}: ${len} bytes, limit ${MAX_WITNESS_ITEM_BYTES}`);
      items.push(r.bytes(len, `funding witness ${i} element ${j}`));
    }
    out.push(items);
  }
  return out;
}

// ---- party parameters ----

function readFundPubkey(r: MsgReader): Uint8Array {
  const pk = r.bytes(33, 'funding_pubkey');
  if (!isCompressedPoint(pk)) throw bad('funding_pubkey is not a compressed secp256k1 point');
  return pk;
}

// ---- offer_dlc ----

/** Encode `offer_dlc`: the terms, a 32-byte temporary contract id and the chain hash. Every funding input needs `prevTx`. */
export function encodeOfferDlc(o: { terms: OfferTerms; temporaryContractId: Uint8Array; chainHash: Uint8Array }): Uint8Array {
  const { terms: t } = o;
  const w = new MsgWriter().u16(MSG_OFFER_DLC).u32(DLC_PROTOCOL_VERSION).u8(0); // contract_flags: none defined
  w.fixed(o.chainHash, 32, 'chain_hash').fixed(o.temporaryContractId, 32, 'temporary_contract_id');
  writeContractInfo(w, { totalCollateral: t.totalCollateral, descriptor: t.descriptor, announcement: t.announcement });
  w.fixed(t.offer.fundPubkey, 33, 'funding_pubkey').spk(t.offer.payoutSpk, 'payout_spk');
  w.u64(t.offer.payoutSerialId, 'payout_serial_id').u64(t.offer.collateral, 'offer_collateral');
  writeInputs(w, t.offer.inputs);
  w.spk(t.offer.changeSpk, 'change_spk').u64(t.offer.changeSerialId, 'change_serial_id').u64(t.fundOutputSerialId, 'fund_output_serial_id');
  w.u64(t.feeRate, 'feerate_per_vb').u32(t.cetLocktime, 'cet_locktime').u32(t.refundLocktime, 'refund_locktime');
  return w.finish();
}

/**
 * Decode `offer_dlc`. `signingVersion` says how the announcement's oracle signs (it is not on the
 * wire). Structure only: the terms are checked when the contract is built (planCets, buildContract).
 */
export function decodeOfferDlc(bytes: Uint8Array, signingVersion: SigningVersion): { terms: OfferTerms; temporaryContractId: Uint8Array; chainHash: Uint8Array } {
  const r = reader(bytes, MSG_OFFER_DLC, 'offer_dlc');
  r.u8('contract_flags'); // Protocol.md: no bits defined, the receiver ignores them.
  const chainHash = r.bytes(32, 'chain_hash');
  const temporaryContractId = r.bytes(32, 'temporary_contract_id');
  const info = readContractInfo(r);
  const fundPubkey = readFundPubkey(r);
  const payoutSpk = r.spk('payout_spk');
  const payoutSerialId = r.u64('payout_serial_id');
  const collateral = r.u64('offer_collateral');
  const inputs = readInputs(r);
  const changeSpk = r.spk('change_spk');
  const changeSerialId = r.u64('change_serial_id');
  const fundOutputSerialId = r.u64('fund_output_serial_id');
  const feeRate = r.u64('feerate_per_vb');
  const cetLocktime = r.u32('cet_locktime');
  const refundLocktime = r.u32('refund_locktime');
  r.tlvStream('offer_tlvs');
  const terms: OfferTerms = {
    announcement: info.announcement,
    signingVersion,
    descriptor: info.descriptor,
    offer: { fundPubkey, payoutSpk, payoutSerialId, changeSpk, changeSerialId, inputs, collateral },
    totalCollateral: info.totalCollateral,
    feeRate,
    cetLocktime,
    refundLocktime,
    fundOutputSerialId,
  };
  return { terms, temporaryContractId, chainHash };
}

// ---- accept_dlc ----

/** Encode `accept_dlc` (no negotiation_fields). Every funding input needs `prevTx`. */
export function encodeAcceptDlc(a: { temporaryContractId: Uint8Array; accept: PartyParams; cetAdaptorSigs: Uint8Array[]; refundSig: Uint8Array }): Uint8Array {
  const p = a.accept;
  const w = new MsgWriter().u16(MSG_ACCEPT_DLC).u32(DLC_PROTOCOL_VERSION).fixed(a.temporaryContractId, 32, 'temporary_contract_id');
  w.u64(p.collateral, 'accept_collateral').fixed(p.fundPubkey, 33, 'funding_pubkey').spk(p.payoutSpk, 'payout_spk').u64(p.payoutSerialId, 'payout_serial_id');
  writeInputs(w, p.inputs);
  w.spk(p.changeSpk, 'change_spk').u64(p.changeSerialId, 'change_serial_id');
  writeAdaptorSigs(w, a.cetAdaptorSigs);
  w.fixed(a.refundSig, SIGNATURE_BYTES, 'refund_signature').u8(0); // negotiation_fields absent
  return w.finish();
}

/** Decode `accept_dlc`. negotiation_fields (a request to renegotiate rounding) are refused. */
export function decodeAcceptDlc(bytes: Uint8Array): { temporaryContractId: Uint8Array; accept: PartyParams; cetAdaptorSigs: Uint8Array[]; refundSig: Uint8Array } {
  const r = reader(bytes, MSG_ACCEPT_DLC, 'accept_dlc');
  const temporaryContractId = r.bytes(32, 'temporary_contract_id');
  const collateral = r.u64('accept_collateral');
  const fundPubkey = readFundPubkey(r);
  const payoutSpk = r.spk('payout_spk');
  const payoutSerialId = r.u64('payout_serial_id');
  const inputs = readInputs(r);
  const changeSpk = r.spk('change_spk');
  const changeSerialId = r.u64('change_serial_id');
  const cetAdaptorSigs = readAdaptorSigs(r);
  const refundSig = r.bytes(SIGNATURE_BYTES, 'refund_signature');
  if (r.optional('negotiation_fields')) throw bad('negotiation_fields are not supported (the offer is taken as it stands)');
  r.tlvStream('accept_tlvs');
  return {
    temporaryContractId,
    accept: { fundPubkey, payoutSpk, payoutSerialId, changeSpk, changeSerialId, inputs, collateral },
    cetAdaptorSigs,
    refundSig,
  };
}

// ---- sign_dlc ----

/** Encode `sign_dlc` for a 32-byte contract id. */
export function encodeSignDlc(s: { contractId: Uint8Array; msg: SignMessage }): Uint8Array {
  const w = new MsgWriter().u16(MSG_SIGN_DLC).u32(DLC_PROTOCOL_VERSION).fixed(s.contractId, 32, 'contract_id');
  writeAdaptorSigs(w, s.msg.cetAdaptorSigs);
  w.fixed(s.msg.refundSig, SIGNATURE_BYTES, 'refund_signature');
  writeWitnesses(w, s.msg.fundingWitnesses);
  return w.finish();
}

/** Decode `sign_dlc`. The witnesses come in the order of the offer's funding inputs. */
export function decodeSignDlc(bytes: Uint8Array): { contractId: Uint8Array; msg: SignMessage } {
  const r = reader(bytes, MSG_SIGN_DLC, 'sign_dlc');
  const contractId = r.bytes(32, 'contract_id');
  const cetAdaptorSigs = readAdaptorSigs(r);
  const refundSig = r.bytes(SIGNATURE_BYTES, 'refund_signature');
  const fundingWitnesses = readWitnesses(r);
  r.tlvStream('sign_tlvs');
  return { contractId, msg: { cetAdaptorSigs, refundSig, fundingWitnesses } };
}
