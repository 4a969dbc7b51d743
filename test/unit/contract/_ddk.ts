// test/unit/contract/_ddk.ts - loads rust-dlc through @bennyblader/ddk-ts (N-API), the independent implementation the contract tests cross-check against. Its package `import` entry throws (it declares ESM but ships CommonJS), so the prebuilt .node file is required directly.
import { createRequire } from 'node:module';
import type { PartyParams } from '../../../src/contract/index.ts';

export interface DdkTx {
  rawBytes: Buffer;
}
export interface DdkAdaptorSig {
  signature: Buffer;
  proof: Buffer;
}
export interface DdkOracleInfo {
  publicKey: Buffer;
  nonces: Buffer[];
}
export interface DdkPartyParams {
  fundPubkey: Buffer;
  changeScriptPubkey: Buffer;
  changeSerialId: bigint;
  payoutScriptPubkey: Buffer;
  payoutSerialId: bigint;
  inputs: { txid: string; vout: number; scriptSig: Buffer; maxWitnessLength: number; serialId: bigint }[];
  inputAmount: bigint;
  collateral: bigint;
  dlcInputs: never[];
}
/** The rust-dlc functions the tests use (names and shapes from ddk-ts 0.3.35 dist/index.d.ts). */
export interface Ddk {
  version(): string;
  createDlcTransactions(
    outcomes: { offer: bigint; accept: bigint }[],
    local: DdkPartyParams,
    remote: DdkPartyParams,
    refundLocktime: number,
    feeRate: bigint,
    fundLockTime: number,
    cetLockTime: number,
    fundOutputSerialId: bigint,
  ): { fund: DdkTx; cets: DdkTx[]; refund: DdkTx; fundingScriptPubkey: Buffer };
  getCetSighash(cet: DdkTx, fundingScript: Buffer, fundOutputValue: bigint): Buffer;
  createCetAdaptorPointsFromOracleInfo(oracleInfo: DdkOracleInfo[], msgs: Buffer[][][]): Buffer[];
  createCetAdaptorSigsFromPoints(cets: DdkTx[], points: Buffer[], fundingSecretKey: Buffer, fundingScript: Buffer, fundOutputValue: bigint): DdkAdaptorSig[];
  createCetAdaptorSigsFromOracleInfo(
    cets: DdkTx[],
    oracleInfo: DdkOracleInfo[],
    fundingSecretKey: Buffer,
    fundingScript: Buffer,
    fundOutputValue: bigint,
    msgs: Buffer[][][],
  ): DdkAdaptorSig[];
  verifyCetAdaptorSigsFromOracleInfo(
    sigs: DdkAdaptorSig[],
    cets: DdkTx[],
    oracleInfo: DdkOracleInfo[],
    pubkey: Buffer,
    fundingScript: Buffer,
    fundOutputValue: bigint,
    msgs: Buffer[][][],
  ): boolean;
  extractEcdsaSignatureFromOracleSignatures(oracleSignatures: Buffer[], adaptorSignature: Buffer): Buffer;
}

const PREBUILDS: Record<string, string> = { 'linux-x64': 'linux-x64-gnu', 'darwin-arm64': 'darwin-arm64' };

/** rust-dlc, or null on a platform ddk-ts ships no prebuild for. */
export function loadDdk(): Ddk | null {
  const target = PREBUILDS[`${process.platform}-${process.arch}`];
  if (!target) return null;
  return createRequire(import.meta.url)(`@bennyblader/ddk-ts/dist/ddk-ts.${target}.node`) as Ddk;
}

/** Skip reason for cross-checks when rust-dlc cannot load here. */
export const DDK_SKIP = loadDdk() ? false : `no ddk-ts prebuild for ${process.platform}-${process.arch}`;

/** Our party parameters in ddk-ts's shape (all inputs native P2WPKH: empty script_sig). */
export function toDdk(p: PartyParams): DdkPartyParams {
  return {
    fundPubkey: Buffer.from(p.fundPubkey),
    changeScriptPubkey: Buffer.from(p.changeSpk),
    changeSerialId: p.changeSerialId,
    payoutScriptPubkey: Buffer.from(p.payoutSpk),
    payoutSerialId: p.payoutSerialId,
    inputs: p.inputs.map((i) => ({ txid: i.txid, vout: i.vout, scriptSig: Buffer.alloc(0), maxWitnessLength: i.maxWitnessLen, serialId: i.serialId })),
    inputAmount: p.inputs.reduce((s, i) => s + i.value, 0n),
    collateral: p.collateral,
    dlcInputs: [],
  };
}
