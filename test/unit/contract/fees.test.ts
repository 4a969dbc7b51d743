// test/unit/contract/fees.test.ts - dlcspecs Transactions.md fee split, checked against every vector of dlcspecs test/dlc_fee_test.json, plus the change rules (insufficient funds, dust change).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContractError, changeValue, partyFees } from '../../../src/contract/index.ts';
import { loadFixture } from './_helpers.ts';

interface FeeVector {
  inputs: {
    offerInputs: { redeemScriptLen: number; maxWitnessLen: number }[];
    offerPayoutSPKLen: number;
    offerChangeSPKLen: number;
    acceptInputs: { redeemScriptLen: number; maxWitnessLen: number }[];
    acceptPayoutSPKLen: number;
    acceptChangeSPKLen: number;
    feeRate: number;
  };
  offerFundingFee: number;
  offerClosingFee: number;
  acceptFundingFee: number;
  acceptClosingFee: number;
}
const { source, vectors } = loadFixture<{ source: string; vectors: FeeVector[] }>('dlc_fee_test.json');

/** A nested-segwit input's script_sig is one push of its redeem script (a 22-byte P2WPKH program: 23 bytes). */
const scriptSigLen = (redeemScriptLen: number): number => (redeemScriptLen === 0 ? 0 : redeemScriptLen + 1);

describe(`dlcspecs fee vectors (${source})`, () => {
  it(`all ${vectors.length} vectors give the published funding and closing fees for both parties`, () => {
    assert.ok(vectors.length >= 400, 'the whole published vector file is pinned');
    vectors.forEach((v, i) => {
      const rate = BigInt(v.inputs.feeRate);
      const side = (inputs: FeeVector['inputs']['offerInputs'], change: number, payout: number) =>
        partyFees(
          { inputs: inputs.map((x) => ({ scriptSigLen: scriptSigLen(x.redeemScriptLen), maxWitnessLen: x.maxWitnessLen })), changeSpkLen: change, payoutSpkLen: payout },
          rate,
        );
      const o = side(v.inputs.offerInputs, v.inputs.offerChangeSPKLen, v.inputs.offerPayoutSPKLen);
      const a = side(v.inputs.acceptInputs, v.inputs.acceptChangeSPKLen, v.inputs.acceptPayoutSPKLen);
      assert.deepEqual(
        [o.fundingFee, o.closingFee, a.fundingFee, a.closingFee],
        [v.offerFundingFee, v.offerClosingFee, v.acceptFundingFee, v.acceptClosingFee].map(BigInt),
        `vector ${i}: ${JSON.stringify(v.inputs)}`,
      );
    });
  });
});

describe('change output', () => {
  const fees = { fundingFee: 126n, closingFee: 85n };
  it('is inputs − collateral − both fee shares', () => {
    assert.equal(changeValue(100_000n, 50_000n, fees), 100_000n - 50_000n - 211n);
  });
  it('refuses inputs that do not cover collateral and fees', () => {
    assert.throws(
      () => changeValue(50_100n, 50_000n, fees),
      (e: unknown) => e instanceof ContractError && e.code === 'insufficient-funds',
    );
  });
  it('refuses change below the 1,000 sat dust limit (dlcspecs: add funding)', () => {
    assert.throws(
      () => changeValue(50_000n + 211n + 999n, 50_000n, fees),
      (e: unknown) => e instanceof ContractError && e.code === 'dust-change',
    );
    assert.equal(changeValue(50_000n + 211n + 1000n, 50_000n, fees), 1000n);
  });
});
