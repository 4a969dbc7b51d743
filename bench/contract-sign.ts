/**
 * bench/contract-sign.ts - time to build and sign a 1,000-outcome enum DLC (issue #18): the
 * accepter's step (derive 1,000 CETs and their adaptor points, adaptor-sign them all, sign the
 * refund), the offerer's (derive, verify all 1,000, adaptor-sign all, sign refund and funding) and
 * the accepter's finalize (verify all 1,000, sign funding). Same-run baseline: rust-dlc (ddk-ts,
 * native) creating and verifying adaptor signatures for the same CETs and points.
 * Standalone: `node --import tsx bench/contract-sign.ts [--quick] [--outcomes=1000]`.
 */
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import * as ecc from 'tiny-secp256k1';
import { payments } from 'bitcoinjs-lib';
import { freshNonceSecrets, signAnnouncement } from '../src/dlc/index.ts';
import { attestationMessage } from '../src/dlc/schnorr.ts';
import { acceptOffer, finalizeFunding, signAccepted } from '../src/contract/index.ts';
import type { OfferTerms, PartyParams } from '../src/contract/index.ts';
import { flag, note, QUICK, r, writeResult } from './lib/measure.ts';

const OUTCOMES = flag('outcomes', 1000);
const ROUNDS = QUICK ? 1 : 3;

function key(): { secret: Uint8Array; pubkey: Uint8Array; spk: Uint8Array } {
  for (;;) {
    const secret = new Uint8Array(crypto.randomBytes(32));
    if (!ecc.isPrivate(secret)) continue;
    const pubkey = ecc.pointFromScalar(secret, true)!;
    return { secret, pubkey, spk: payments.p2wpkh({ pubkey }).output! };
  }
}

function party(collateral: bigint, base: bigint) {
  const fund = key();
  const input = key();
  const params: PartyParams = {
    fundPubkey: fund.pubkey,
    payoutSpk: key().spk,
    payoutSerialId: base + 1n,
    changeSpk: key().spk,
    changeSerialId: base + 2n,
    inputs: [{ txid: crypto.randomBytes(32).toString('hex'), vout: 0, value: 10_000_000n, scriptPubKey: input.spk, serialId: base + 3n, maxWitnessLen: 108 }],
    collateral,
  };
  return { fund, input, params };
}

const outcomes = Array.from({ length: OUTCOMES }, (_, i) => `price-bucket-${i}`);
const oracleSk = key().secret;
const ann = signAnnouncement({
  secretKey: oracleSk,
  nonceSecrets: freshNonceSecrets(1),
  maturityEpoch: 1_800_000_000,
  descriptor: { kind: 'enum', outcomes },
  eventId: 'bench',
  version: 'dlcspecs-v0',
});
const total = 1_000_000n;

const ms = (t0: number): number => performance.now() - t0;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const acceptT: number[] = [];
const signT: number[] = [];
const finalizeT: number[] = [];
const ddkCreateT: number[] = [];
const ddkVerifyT: number[] = [];
let cetCount = 0;

type DdkTx = { rawBytes: Buffer };
interface Ddk {
  createDlcTransactions(...a: unknown[]): { cets: DdkTx[]; fundingScriptPubkey: Buffer };
  createCetAdaptorSigsFromOracleInfo(cets: DdkTx[], info: unknown[], sk: Buffer, script: Buffer, value: bigint, msgs: Buffer[][][]): unknown[];
  verifyCetAdaptorSigsFromOracleInfo(sigs: unknown[], cets: DdkTx[], info: unknown[], pk: Buffer, script: Buffer, value: bigint, msgs: Buffer[][][]): boolean;
}
let ddk: Ddk | null = null;
try {
  if (process.platform === 'linux' && process.arch === 'x64') ddk = createRequire(import.meta.url)('@bennyblader/ddk-ts/dist/ddk-ts.linux-x64-gnu.node') as Ddk;
} catch {
  ddk = null; // devDependency absent: no baseline
}

for (let round = 0; round < ROUNDS; round++) {
  const offer = party(600_000n, 100n);
  const accept = party(400_000n, 200n);
  const terms: OfferTerms = {
    announcement: ann,
    signingVersion: 'dlcspecs-v0',
    descriptor: { kind: 'enum', payouts: outcomes.map((o, i) => ({ outcome: o, offer: (total * BigInt(i)) / BigInt(OUTCOMES - 1) })) },
    offer: offer.params,
    totalCollateral: total,
    feeRate: 5n,
    cetLocktime: 1_800_000_000,
    refundLocktime: 1_800_604_800,
    fundOutputSerialId: 150n,
  };
  let t0 = performance.now();
  const a = acceptOffer(terms, accept.params, accept.fund.secret);
  acceptT.push(ms(t0));
  t0 = performance.now();
  const s = signAccepted(terms, a.message, { fundSecret: offer.fund.secret, inputSecrets: [offer.input.secret] });
  signT.push(ms(t0));
  t0 = performance.now();
  const f = finalizeFunding(a.state, s.message, [accept.input.secret]);
  finalizeT.push(ms(t0));
  if (f.phase !== 'funded') throw new Error('exchange did not complete');
  cetCount = f.build.plans.length;
  note(`round ${round + 1}/${ROUNDS}: accept ${r(acceptT.at(-1)!, 0)} ms, sign ${r(signT.at(-1)!, 0)} ms, finalize ${r(finalizeT.at(-1)!, 0)} ms`);

  if (ddk) {
    const b = f.build;
    const toDdk = (p: PartyParams) => ({
      fundPubkey: Buffer.from(p.fundPubkey),
      changeScriptPubkey: Buffer.from(p.changeSpk),
      changeSerialId: p.changeSerialId,
      payoutScriptPubkey: Buffer.from(p.payoutSpk),
      payoutSerialId: p.payoutSerialId,
      inputs: p.inputs.map((i) => ({ txid: i.txid, vout: i.vout, scriptSig: Buffer.alloc(0), maxWitnessLength: i.maxWitnessLen, serialId: i.serialId })),
      inputAmount: p.inputs.reduce((x, i) => x + i.value, 0n),
      collateral: p.collateral,
      dlcInputs: [],
    });
    const txs = ddk.createDlcTransactions(
      b.plans.map((p) => p.payout),
      toDdk(b.terms.offer),
      toDdk(b.accept),
      b.terms.refundLocktime,
      b.terms.feeRate,
      0,
      b.terms.cetLocktime,
      b.terms.fundOutputSerialId,
    );
    const info = [{ publicKey: Buffer.from(ann.oracleKey, 'hex'), nonces: ann.event.nonces.map((n) => Buffer.from(n, 'hex')) }];
    const msgs = b.plans.map((p) => [[Buffer.from(attestationMessage('dlcspecs-v0', p.label))]]);
    const script = Buffer.from(b.txs.witnessScript);
    t0 = performance.now();
    const sigs = ddk.createCetAdaptorSigsFromOracleInfo(txs.cets, info, Buffer.from(accept.fund.secret), script, b.txs.fundValue, msgs);
    ddkCreateT.push(ms(t0));
    t0 = performance.now();
    if (!ddk.verifyCetAdaptorSigsFromOracleInfo(sigs, txs.cets, info, Buffer.from(accept.fund.pubkey), script, b.txs.fundValue, msgs))
      throw new Error('rust-dlc baseline failed to verify');
    ddkVerifyT.push(ms(t0));
  }
}

writeResult('contract-sign', {
  outcomes: OUTCOMES,
  cets: cetCount,
  rounds: ROUNDS,
  acceptMs: r(median(acceptT), 0),
  signMs: r(median(signT), 0),
  finalizeMs: r(median(finalizeT), 0),
  totalMs: r(median(acceptT) + median(signT) + median(finalizeT), 0),
  baseline: ddk
    ? { impl: 'rust-dlc via @bennyblader/ddk-ts 0.3.35 (native)', createAdaptorSigsMs: r(median(ddkCreateT), 0), verifyAdaptorSigsMs: r(median(ddkVerifyT), 0) }
    : 'rust-dlc (ddk-ts) not loadable here',
});
