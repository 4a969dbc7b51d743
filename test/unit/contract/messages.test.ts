// test/unit/contract/messages.test.ts - dlcspecs offer_dlc / accept_dlc / sign_dlc: the published dlcspecs vectors decode to the vectors' fields and re-encode byte for byte, the contract id derived from a decoded vector's funding transaction is the vector's, a whole exchange round-trips through the wire and still completes, and @node-dlc/messaging reads what we write.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Transaction } from 'bitcoinjs-lib';
import { ContractInfo, DlcAccept, DlcOffer, DlcSign } from '@node-dlc/messaging';
import {
  CHAIN_HASHES,
  ContractError,
  acceptOffer,
  buildContract,
  contractId,
  decodeAcceptDlc,
  decodeOfferDlc,
  decodeSignDlc,
  encodeAcceptDlc,
  encodeOfferDlc,
  encodeSignDlc,
  finalizeFunding,
  signAccepted,
  verifyRemoteSignatures,
} from '../../../src/contract/index.ts';
import type { ContractDescriptor, FundingInput, OfferTerms, PartyParams } from '../../../src/contract/index.ts';
import type { TestKey } from '../../helpers/regtest.ts';
import { makeOracle, makeParty, makeTerms } from './_helpers.ts';
import type { TermsInit } from './_helpers.ts';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const code = (c: string, field: RegExp) => (e: unknown) => e instanceof ContractError && e.code === c && field.test(e.message);

interface Serialized {
  offer_message: string;
  accept_message: string;
  sign_message: string;
}
const serialized = (JSON.parse(fs.readFileSync(new URL('../../fixtures/dlc-messages/dlcspecs-serialized.json', import.meta.url), 'utf8')) as { vectors: Record<string, Serialized> }).vectors;

/* The decoded fields of the two single-oracle vectors (test/fixtures/contract, dlcspecs 9cd9148). */
interface VInput {
  inputSerialId: number | string;
  prevTx: string;
  prevTxVout: number;
  maxWitnessLen: number;
}
interface VParty {
  fundingPubkey: string;
  payoutSpk: string;
  payoutSerialId: number | string;
  changeSpk: string;
  changeSerialId: number | string;
  fundingInputs: VInput[];
}
interface Vector {
  offer_message: {
    message: VParty & {
      chainHash: string;
      temporaryContractId: string;
      contractInfo: { singleContractInfo: { totalCollateral: number } };
      offerCollateral: number;
      fundOutputSerialId: number | string;
      feeRatePerVb: number;
      cetLocktime: number;
      refundLocktime: number;
    };
  };
  accept_message: { message: VParty & { temporaryContractId: string; acceptCollateral: number; cetAdaptorSignatures: { ecdsaAdaptorSignatures: { signature: string }[] } } };
  sign_message: { message: { contractId: string; cetAdaptorSignatures: { ecdsaAdaptorSignatures: { signature: string }[] }; fundingSignatures: { fundingSignatures: { witnessElements: { witness: string }[] }[] } } };
}

function assertParty(p: PartyParams, v: VParty, collateral: number, what: string): void {
  assert.equal(hx(p.fundPubkey), v.fundingPubkey, `${what} funding_pubkey`);
  assert.equal(hx(p.payoutSpk), v.payoutSpk, `${what} payout_spk`);
  assert.equal(p.payoutSerialId, BigInt(v.payoutSerialId), `${what} payout_serial_id`);
  assert.equal(hx(p.changeSpk), v.changeSpk, `${what} change_spk`);
  assert.equal(p.changeSerialId, BigInt(v.changeSerialId), `${what} change_serial_id`);
  assert.equal(p.collateral, BigInt(collateral), `${what} collateral`);
  assert.equal(p.inputs.length, v.fundingInputs.length, `${what} input count`);
  p.inputs.forEach((inp, i) => {
    const vi = v.fundingInputs[i]!;
    const prev = Transaction.fromHex(vi.prevTx);
    assert.equal(inp.serialId, BigInt(vi.inputSerialId), `${what} input ${i} serial id`);
    assert.equal(inp.txid, prev.getId(), `${what} input ${i} txid is prev_tx's`);
    assert.equal(inp.vout, vi.prevTxVout);
    assert.equal(inp.value, BigInt(prev.outs[vi.prevTxVout]!.value), `${what} input ${i} value from prev_tx`);
    assert.equal(inp.maxWitnessLen, vi.maxWitnessLen);
    assert.equal(hx(inp.prevTx!), vi.prevTx);
  });
}

describe('dlcspecs serialized vectors (test/test_vectors at 9cd9148)', () => {
  for (const [file, name, cets] of [
    ['dlcspecs_enum_single_oracle.json', 'enum_single_oracle_test', 4],
    ['dlcspecs_single_oracle_numerical.json', 'single_oracle_numerical_test', 14],
  ] as const) {
    // The fixtures hold u64 serial ids as JSON numbers above 2^53: read them as exact decimal strings.
    const raw = fs.readFileSync(new URL(`../../fixtures/contract/${file}`, import.meta.url), 'utf8').replace(/(:\s*)(\d{16,})/g, '$1"$2"');
    const v = (JSON.parse(raw) as { vectors: Vector }).vectors;
    const s = serialized[name]!;
    it(`${name}: offer_dlc decodes to the vector's fields and re-encodes byte for byte`, () => {
      const d = decodeOfferDlc(h(s.offer_message), 'basic-sha256');
      const m = v.offer_message.message;
      assert.equal(hx(d.chainHash), m.chainHash);
      assert.equal(hx(d.chainHash), hx(CHAIN_HASHES['bitcoin-regtest']), 'the vectors are on regtest');
      assert.equal(hx(d.temporaryContractId), m.temporaryContractId);
      assert.equal(d.terms.totalCollateral, BigInt(m.contractInfo.singleContractInfo.totalCollateral));
      assert.equal(d.terms.fundOutputSerialId, BigInt(m.fundOutputSerialId));
      assert.equal(d.terms.feeRate, BigInt(m.feeRatePerVb));
      assert.equal(d.terms.cetLocktime, m.cetLocktime);
      assert.equal(d.terms.refundLocktime, m.refundLocktime);
      assertParty(d.terms.offer, m, m.offerCollateral, 'offer');
      assert.equal(hx(encodeOfferDlc(d)), s.offer_message);
    });
    it(`${name}: accept_dlc and sign_dlc decode to the vector's fields and re-encode byte for byte`, () => {
      const a = decodeAcceptDlc(h(s.accept_message));
      const am = v.accept_message.message;
      assert.equal(hx(a.temporaryContractId), am.temporaryContractId);
      assertParty(a.accept, am, am.acceptCollateral, 'accept');
      assert.deepEqual(a.cetAdaptorSigs.map(hx), am.cetAdaptorSignatures.ecdsaAdaptorSignatures.map((x) => x.signature));
      assert.equal(hx(encodeAcceptDlc(a)), s.accept_message);
      const sg = decodeSignDlc(h(s.sign_message));
      const sm = v.sign_message.message;
      assert.equal(hx(sg.contractId), sm.contractId);
      assert.deepEqual(sg.msg.cetAdaptorSigs.map(hx), sm.cetAdaptorSignatures.ecdsaAdaptorSignatures.map((x) => x.signature));
      assert.deepEqual(
        sg.msg.fundingWitnesses.map((w) => w.map(hx)),
        sm.fundingSignatures.fundingSignatures.map((w) => w.witnessElements.map((e) => e.witness)),
      );
      assert.equal(hx(encodeSignDlc(sg)), s.sign_message);
    });
    it(`${name}: the decoded offer and accept build ${cets} CETs and the funding transaction whose contract id is sign_dlc's; both parties' signatures verify`, () => {
      const o = decodeOfferDlc(h(s.offer_message), 'basic-sha256');
      const a = decodeAcceptDlc(h(s.accept_message));
      const sg = decodeSignDlc(h(s.sign_message));
      const b = buildContract(o.terms, a.accept);
      assert.equal(b.plans.length, cets);
      assert.equal(contractId(b.txs.fund.getId(), b.txs.fundVout, hx(o.temporaryContractId)), hx(sg.contractId));
      assert.doesNotThrow(() => verifyRemoteSignatures(b, a.accept.fundPubkey, a.cetAdaptorSigs, a.refundSig), 'accepter signatures');
      assert.doesNotThrow(() => verifyRemoteSignatures(b, o.terms.offer.fundPubkey, sg.msg.cetAdaptorSigs, sg.msg.refundSig), 'offerer signatures');
    });
  }

  it('accept_dlc and sign_dlc of the multi-oracle and hyperbola vectors round-trip too (they do not depend on the oracle side)', () => {
    for (const name of ['single_oracle_numerical_hyperbola_test', 'enum_3_of_3_test', 'three_of_three_oracle_numerical_test']) {
      const s = serialized[name]!;
      assert.equal(hx(encodeAcceptDlc(decodeAcceptDlc(h(s.accept_message)))), s.accept_message, `${name} accept`);
      assert.equal(hx(encodeSignDlc(decodeSignDlc(h(s.sign_message)))), s.sign_message, `${name} sign`);
    }
  });

  it('offers Mega cannot settle are refused by name: hyperbola pieces, multi-oracle info', () => {
    assert.throws(() => decodeOfferDlc(h(serialized.single_oracle_numerical_hyperbola_test!.offer_message), 'basic-sha256'), code('bad-message', /hyperbola/));
    assert.throws(() => decodeOfferDlc(h(serialized.enum_3_of_3_test!.offer_message), 'basic-sha256'), code('bad-message', /multi_oracle_info/));
    assert.throws(() => decodeOfferDlc(h(serialized.three_of_three_oracle_numerical_test!.offer_message), 'basic-sha256'), code('bad-message', /multi_oracle_info/));
  });
});

/** A P2WPKH output of a real (unbroadcast) transaction: the FundingInput carries that transaction. */
function prevTxInput(owner: TestKey, value: bigint, seed: number): FundingInput {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(Buffer.alloc(32, seed), seed, 0xffffffff);
  const vout = seed % 3;
  for (let i = 0; i <= vout; i++) tx.addOutput(i === vout ? Buffer.from(owner.spk) : Buffer.from([0x6a, 0x01, i]), i === vout ? value : 0n);
  return { txid: tx.getId(), vout, value, scriptPubKey: owner.spk, serialId: 0n, maxWitnessLen: 108, prevTx: new Uint8Array(tx.toBuffer()) };
}

function init(descriptor: ContractDescriptor, numeric: boolean): TermsInit {
  const offer = makeParty();
  const accept = makeParty();
  return {
    oracle: numeric
      ? makeOracle({ kind: 'digits', base: 2, isSigned: false, unit: 'usd', precision: 0, nbDigits: 10 }, 1_800_000_000)
      : makeOracle({ kind: 'enum', outcomes: ['up', 'down', 'flat'] }, 1_800_000_000),
    descriptor,
    offer,
    accept,
    offerInputs: [prevTxInput(offer.input, 400_000n, 1), prevTxInput(offer.input, 30_000n, 2)],
    acceptInputs: [prevTxInput(accept.input, 200_000n, 3)],
    offerCollateral: 100_000n,
    acceptCollateral: 50_000n,
    cetLocktime: 1_800_000_000,
    refundLocktime: 1_800_604_800,
  };
}

const ENUM: ContractDescriptor = {
  kind: 'enum',
  payouts: [
    { outcome: 'up', offer: 150_000n },
    { outcome: 'down', offer: 0n },
    { outcome: 'flat', offer: 75_000n },
  ],
};
const NUMERIC: ContractDescriptor = {
  kind: 'numeric',
  curve: {
    points: [
      { outcome: 0n, payout: 0n },
      { outcome: 300n, payout: 0n },
      { outcome: 700n, payout: 150_000n },
      { outcome: 1023n, payout: 150_000n },
    ],
    midpoints: [[], [{ outcome: 500n, payout: 60_000n }], []],
    rounding: [
      { begin: 0n, mod: 1_000n },
      { begin: 600n, mod: 5_000n },
    ],
  },
};

/** Offer → accept → sign → finalize with every message passing through its encoder and decoder. */
function exchangeOverTheWire(t: TermsInit): { offerBytes: Uint8Array; acceptBytes: Uint8Array; signBytes: Uint8Array; terms: OfferTerms } {
  const { terms, acceptParams } = makeTerms(t);
  const tmp = new Uint8Array(32).fill(7);
  const offerBytes = encodeOfferDlc({ terms, temporaryContractId: tmp, chainHash: CHAIN_HASHES['bitcoin-regtest'] });
  const offer = decodeOfferDlc(offerBytes, t.oracle.version);
  assert.deepEqual(offer.terms, terms, 'offer_dlc gives back the terms');
  const a = acceptOffer(offer.terms, acceptParams, t.accept.fund.secret);
  const acceptBytes = encodeAcceptDlc({ temporaryContractId: offer.temporaryContractId, ...a.message });
  const accepted = decodeAcceptDlc(acceptBytes);
  assert.deepEqual(accepted.accept, acceptParams, 'accept_dlc gives back the accepter parameters');
  const s = signAccepted(terms, accepted, { fundSecret: t.offer.fund.secret, inputSecrets: t.offerInputs.map(() => t.offer.input.secret) });
  const cid = contractId(s.state.build.txs.fund.getId(), s.state.build.txs.fundVout, hx(tmp));
  const signBytes = encodeSignDlc({ contractId: h(cid), msg: s.message });
  const signed = decodeSignDlc(signBytes);
  assert.equal(hx(signed.contractId), cid);
  const funded = finalizeFunding(a.state, signed.msg, t.acceptInputs.map(() => t.accept.input.secret));
  assert.equal(funded.phase, 'funded', 'the accepter finalizes funding from the decoded sign_dlc');
  assert.equal(funded.fundingTx!.getId(), s.state.build.txs.fund.getId());
  return { offerBytes, acceptBytes, signBytes, terms };
}

const exchanges = new Map<ContractDescriptor, ReturnType<typeof exchangeOverTheWire>>();
/** One exchange per descriptor for the whole file (the numeric one signs ~100 CETs twice). */
function exchangeOnce(d: ContractDescriptor): ReturnType<typeof exchangeOverTheWire> {
  let x = exchanges.get(d);
  if (!x) exchanges.set(d, (x = exchangeOverTheWire(init(d, d.kind === 'numeric'))));
  return x;
}

describe('a whole exchange over the wire', () => {
  for (const [kind, d] of [
    ['enum', ENUM],
    ['numeric (polynomial piece, rounding intervals)', NUMERIC],
  ] as const) {
    it(`${kind}: every message decodes to what was encoded and the exchange completes`, () => {
      const x = exchangeOnce(d);
      assert.equal(hx(encodeOfferDlc(decodeOfferDlc(x.offerBytes, x.terms.signingVersion))), hx(x.offerBytes));
    });
  }

  it('encoding refuses a funding input without its previous transaction, or with one that does not hold it', () => {
    const t = init(ENUM, false);
    const { terms } = makeTerms(t);
    const enc = (inputs: FundingInput[]) => encodeOfferDlc({ terms: { ...terms, offer: { ...terms.offer, inputs } }, temporaryContractId: new Uint8Array(32), chainHash: CHAIN_HASHES['bitcoin-regtest'] });
    const { prevTx: _omit, ...noPrev } = terms.offer.inputs[0]!;
    assert.throws(() => enc([noPrev]), code('bad-input', /prevTx/));
    assert.throws(() => enc([{ ...terms.offer.inputs[0]!, value: 1n }]), code('bad-input', /does not hold/));
  });
});

describe('chain hashes', () => {
  it('are the genesis hashes in internal byte order (BOLT 0 chain_hash; mainnet as BOLT 0 prints it)', () => {
    assert.equal(hx(CHAIN_HASHES['bitcoin-mainnet']), '6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000');
    assert.equal(hx(CHAIN_HASHES['bitcoin-regtest']), '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f');
    assert.equal(new Set(Object.values(CHAIN_HASHES).map(hx)).size, 4);
  });
});

/**
 * @node-dlc/messaging 1.1.7 reads dlcspecs PR #163 messages (protocol_version 1) but appends one
 * Optional(dlc_input) byte to every funding_input (its splicing extension; neither dlcspecs master
 * nor rust-dlc writes it). To cross-check everything else, that 0x00 byte is inserted after each
 * of our funding inputs; node-dlc must then read every field as we wrote it and write the same bytes.
 */
function nodeDlcVariant(bytes: Uint8Array, inputsStart: number, inputs: readonly FundingInput[]): Buffer {
  const parts: Buffer[] = [];
  let at = inputsStart + 1; // the bigsize count (< 0xfd here)
  parts.push(Buffer.from(bytes.subarray(0, at)));
  for (const inp of inputs) {
    const len = 8 + (inp.prevTx!.length < 0xfd ? 1 : 3) + inp.prevTx!.length + 4 + 4 + 2 + 2;
    parts.push(Buffer.from(bytes.subarray(at, at + len)), Buffer.from([0]));
    at += len;
  }
  parts.push(Buffer.from(bytes.subarray(at)));
  return Buffer.concat(parts);
}

describe('cross-check with @node-dlc/messaging 1.1.7', () => {
  it('contract_info of the single-oracle vectors: node-dlc and we read the same descriptor and write the same bytes', () => {
    for (const name of ['enum_single_oracle_test', 'single_oracle_numerical_test']) {
      const bytes = h(serialized[name]!.offer_message);
      const ours = decodeOfferDlc(bytes, 'basic-sha256').terms;
      const nd = ContractInfo.deserialize(Buffer.from(bytes.subarray(71)));
      assert.deepEqual(descriptorOf(nd.toJSON()), ours.descriptor, name);
      assert.equal(hx(nd.serialize()), hx(bytes.subarray(71, 71 + nd.serialize().length)), name);
    }
  });

  it('sign_dlc: node-dlc reads the dlcspecs vectors and ours field by field and writes the same bytes', () => {
    for (const [name, s] of Object.entries(serialized)) {
      const nd = DlcSign.deserialize(Buffer.from(s.sign_message, 'hex'));
      assert.equal(nd.serialize().toString('hex'), s.sign_message, name);
    }
    const x = exchangeOnce(ENUM);
    const ours = decodeSignDlc(x.signBytes);
    const nd = DlcSign.deserialize(Buffer.from(x.signBytes));
    assert.equal(hx(nd.contractId), hx(ours.contractId));
    assert.equal(hx(nd.refundSignature), hx(ours.msg.refundSig));
    assert.equal(nd.serialize().toString('hex'), hx(x.signBytes));
  });

  for (const [kind, d] of [
    ['enum', ENUM],
    ['numeric', NUMERIC],
  ] as const) {
    it(`offer_dlc and accept_dlc (${kind}): node-dlc reads every field as we wrote it`, () => {
      const x = exchangeOnce(d);
      const o = decodeOfferDlc(x.offerBytes, x.terms.signingVersion);
      const t = o.terms;
      // offer: type, version, flags, chain hash, temp id = 71 bytes; then contract_info, funding_pubkey, payout_spk, two u64.
      const infoLen = x.offerBytes.length - 71 - (33 + 2 + t.offer.payoutSpk.length + 16 + 1) - inputsLen(t.offer.inputs) - (2 + t.offer.changeSpk.length + 24 + 8);
      const variant = nodeDlcVariant(x.offerBytes, 71 + infoLen + 33 + 2 + t.offer.payoutSpk.length + 16, t.offer.inputs);
      const nd = DlcOffer.deserialize(variant);
      assert.equal(nd.protocolVersion, 1);
      assert.equal(hx(nd.chainHash), hx(o.chainHash));
      assert.equal(hx(nd.temporaryContractId), hx(o.temporaryContractId));
      assert.equal(nd.contractInfo.totalCollateral, t.totalCollateral);
      assert.deepEqual(descriptorOf(nd.contractInfo.toJSON()), t.descriptor, 'node-dlc reads our contract descriptor');
      assert.equal(annOf(nd.contractInfo.toJSON()).oraclePublicKey, t.announcement.oracleKey);
      assert.equal(annOf(nd.contractInfo.toJSON()).announcementSignature, t.announcement.signature);
      assert.equal(hx(nd.fundingPubkey), hx(t.offer.fundPubkey));
      assert.equal(nd.offerCollateral, t.offer.collateral);
      assert.equal(nd.payoutSerialId, t.offer.payoutSerialId);
      assert.equal(nd.fundOutputSerialId, t.fundOutputSerialId);
      assert.equal(nd.feeRatePerVb, t.feeRate);
      assert.equal(nd.cetLocktime, t.cetLocktime);
      assert.equal(nd.refundLocktime, t.refundLocktime);
      assert.deepEqual(
        nd.fundingInputs.map((i) => [i.inputSerialId, i.prevTxVout, i.prevTx.txId.toString(), i.maxWitnessLen]),
        t.offer.inputs.map((i) => [i.serialId, i.vout, i.txid, i.maxWitnessLen]),
      );
      assert.equal(nd.serialize().toString('hex'), variant.toString('hex'), 'node-dlc writes back the same offer');
      const a = decodeAcceptDlc(x.acceptBytes);
      const aVariant = nodeDlcVariant(x.acceptBytes, 2 + 4 + 32 + 8 + 33 + 2 + a.accept.payoutSpk.length + 8, a.accept.inputs);
      const na = DlcAccept.deserialize(aVariant);
      assert.equal(na.acceptCollateral, a.accept.collateral);
      assert.equal(hx(na.fundingPubkey), hx(a.accept.fundPubkey));
      assert.equal(na.cetAdaptorSignatures.sigs.length, a.cetAdaptorSigs.length);
      assert.equal(hx(na.refundSignature), hx(a.refundSig));
      assert.equal(na.serialize().toString('hex'), aVariant.toString('hex'), 'node-dlc writes back the same accept');
    });
  }
});

/* node-dlc's JSON view of a single contract_info (its toJSON names). */
interface NdPoint {
  eventOutcome: number;
  outcomePayout: number;
}
interface NdInfo {
  singleContractInfo: {
    contractInfo: {
      contractDescriptor: {
        enumeratedContractDescriptor?: { payouts: { outcome: string; offerPayout: number }[] };
        numericOutcomeContractDescriptor?: {
          payoutFunction: { payoutFunctionPieces: { endPoint: NdPoint; payoutCurvePiece: { polynomialPayoutCurvePiece: { payoutPoints: NdPoint[] } } }[]; lastEndpoint: NdPoint };
          roundingIntervals: { intervals: { beginInterval: number; roundingMod: number }[] };
        };
      };
      oracleInfo: { single: { oracleAnnouncement: { announcementSignature: string; oraclePublicKey: string } } };
    };
  };
}
const pt = (p: NdPoint) => ({ outcome: BigInt(p.eventOutcome), payout: BigInt(p.outcomePayout) });
function descriptorOf(json: unknown): ContractDescriptor {
  const d = (json as NdInfo).singleContractInfo.contractInfo.contractDescriptor;
  if (d.enumeratedContractDescriptor) return { kind: 'enum', payouts: d.enumeratedContractDescriptor.payouts.map((p) => ({ outcome: p.outcome, offer: BigInt(p.offerPayout) })) };
  const n = d.numericOutcomeContractDescriptor!;
  const pieces = n.payoutFunction.payoutFunctionPieces;
  return {
    kind: 'numeric',
    curve: {
      points: [...pieces.map((p) => pt(p.endPoint)), pt(n.payoutFunction.lastEndpoint)],
      midpoints: pieces.map((p) => p.payoutCurvePiece.polynomialPayoutCurvePiece.payoutPoints.map(pt)),
      rounding: n.roundingIntervals.intervals.map((r) => ({ begin: BigInt(r.beginInterval), mod: BigInt(r.roundingMod) })),
    },
  };
}
const annOf = (json: unknown) => (json as NdInfo).singleContractInfo.contractInfo.oracleInfo.single.oracleAnnouncement;

function inputsLen(inputs: readonly FundingInput[]): number {
  return inputs.reduce((n, i) => n + 8 + (i.prevTx!.length < 0xfd ? 1 : 3) + i.prevTx!.length + 12, 0);
}
