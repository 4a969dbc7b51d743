/**
 * contract/fees.ts - dlcspecs Transactions.md "Fees": each party's share of the funding and the
 * closing (CET / refund) transaction fee from the expected weights, and the change left from its
 * inputs. Checked against dlcspecs test/dlc_fee_test.json. Imports nothing from the project.
 */
import { DUST_LIMIT_SAT } from './constants.ts';
import { ContractError } from './errors.ts';

/** Transactions.md: per-party base of the funding weight (half of the shared 214). */
const FUND_PARTY_BASE_WEIGHT = 107;
/** Transactions.md: change output weight without its script: 4 × (8 value + 1 length). */
const CHANGE_OUTPUT_BASE_WEIGHT = 36;
/** Transactions.md: funding input weight without script_sig and witness: 4 × 41. */
const FUND_INPUT_BASE_WEIGHT = 164;
/** Transactions.md: per-party base of the CET/refund weight (half of the shared 498). */
const CET_PARTY_BASE_WEIGHT = 249;

/** What a party's fees depend on. */
export interface FeeInputs {
  /** Per funding input: length of its script_sig (0 for native segwit) and its max_witness_len. */
  inputs: readonly { scriptSigLen: number; maxWitnessLen: number }[];
  changeSpkLen: number;
  payoutSpkLen: number;
}

/** A party's fee shares in satoshis. */
export interface PartyFees {
  fundingFee: bigint;
  closingFee: bigint;
}

/** ceil(weight / 4) vbytes times the fee rate (sat/vB). */
export function weightToFee(weight: number, feeRate: bigint): bigint {
  return BigInt(Math.ceil(weight / 4)) * feeRate;
}

/** Transactions.md "Fee Payment": this party's funding fee and closing fee at `feeRate` sat/vB. */
export function partyFees(p: FeeInputs, feeRate: bigint): PartyFees {
  let inputWeight = 0;
  for (const i of p.inputs) inputWeight += FUND_INPUT_BASE_WEIGHT + 4 * i.scriptSigLen + i.maxWitnessLen;
  const fundingWeight = FUND_PARTY_BASE_WEIGHT + CHANGE_OUTPUT_BASE_WEIGHT + 4 * p.changeSpkLen + inputWeight;
  const cetWeight = CET_PARTY_BASE_WEIGHT + 4 * p.payoutSpkLen;
  return {
    fundingFee: weightToFee(fundingWeight, feeRate),
    closingFee: weightToFee(cetWeight, feeRate),
  };
}

/**
 * A party's change: inputs − collateral − funding fee − closing fee. Throws ContractError
 * `insufficient-funds` when negative and `dust-change` when below the dust limit (Transactions.md:
 * "that party must include additional funding").
 */
export function changeValue(inputTotal: bigint, collateral: bigint, fees: PartyFees): bigint {
  const change = inputTotal - collateral - fees.fundingFee - fees.closingFee;
  if (change < 0n) throw new ContractError('insufficient-funds', `inputs ${inputTotal} sat do not cover collateral ${collateral} + fees ${fees.fundingFee + fees.closingFee}`);
  if (change < DUST_LIMIT_SAT) throw new ContractError('dust-change', `change of ${change} sat is below the ${DUST_LIMIT_SAT} sat dust limit: add funding`);
  return change;
}
