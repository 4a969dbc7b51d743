// test/integration/dlc-contract-regtest.test.ts - issue #18 on a real chain: two parties lock coins in a dlcspecs v0 DLC on an in-process bcoin regtest node (consensus-validated segwit v0), then settle it by an oracle attestation (winner's CET confirmed, the loser's refused), by refund (refused before its locktime, confirmed after), and by a numeric event with a payout curve.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { outcomesForValue } from '../../src/dlc/index.ts';
import { ContractError, adaptorDecrypt, adaptorRecover, completeCet, executeCet, multisigWitness, signedRefund } from '../../src/contract/index.ts';
import { closingSighash, ecdsaSign } from '../../src/contract/tx.ts';
import { attestationSecret } from '../../src/dlc/adaptor-point.ts';
import type { Transaction } from 'bitcoinjs-lib';
import { Regtest, newKey } from '../helpers/regtest.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeOracle, makeParty, runExchange } from '../unit/contract/_helpers.ts';
import type { Exchange, TestParty } from '../unit/contract/_helpers.ts';
import type { FundingInput } from '../../src/contract/index.ts';

const eqBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Value paid to `spk` by `tx` (0 when no output pays it). */
function paidTo(tx: Transaction, spk: Uint8Array): bigint {
  return tx.outs.filter((o) => eqBytes(o.script, spk)).reduce((s, o) => s + o.value, 0n);
}

describe('DLC contract on a bcoin regtest chain (issue #18)', { timeout: 240_000 }, () => {
  let chain: Regtest;
  let offer: TestParty;
  let accept: TestParty;
  const inputs: { offer: FundingInput[]; accept: FundingInput[] }[] = [];

  before(async () => {
    chain = await Regtest.start();
    offer = makeParty();
    accept = makeParty();
    // Three contracts' worth of funding inputs, one coinbase each.
    for (let i = 0; i < 3; i++) {
      const [o, a] = await chain.fund([
        { spk: offer.input.spk, value: 1_000_000n },
        { spk: accept.input.spk, value: 600_000n },
      ]);
      inputs.push({ offer: [o!], accept: [a!] });
    }
  });

  after(async () => {
    await chain?.stop();
  });

  /** Broadcast the exchange's funding transaction and mine it. */
  async function fundOnChain(x: Exchange): Promise<void> {
    const fund = x.acceptState.fundingTx!;
    assert.equal(fund.getId(), x.offerState.build.txs.fund.getId(), 'both parties must derive the same funding txid');
    const res = await chain.submit(fund);
    assert.deepEqual(res, { ok: true, txid: fund.getId() }, 'the fully signed funding transaction must enter the mempool');
    await chain.mine(1);
    assert.equal(await chain.confirmedHeight(fund.getId()), chain.height, 'funding must confirm in the mined block');
  }

  it("enum event: the attested outcome's CET confirms; the loser's CET completed with the wrong secret is refused by consensus", async () => {
    const mtp = await chain.medianTimePast();
    const oracle = makeOracle({ kind: 'enum', outcomes: ['offer-wins', 'accept-wins', 'draw'] }, mtp - 3600);
    const x = runExchange({
      oracle,
      descriptor: {
        kind: 'enum',
        payouts: [
          { outcome: 'offer-wins', offer: 150_000n },
          { outcome: 'accept-wins', offer: 0n },
          { outcome: 'draw', offer: 100_000n },
        ],
      },
      offer,
      accept,
      offerInputs: inputs[0]!.offer,
      acceptInputs: inputs[0]!.accept,
      offerCollateral: 100_000n,
      acceptCollateral: 50_000n,
      cetLocktime: oracle.ann.event.maturityEpoch, // dlcspecs: CETs locked to the event maturity
      refundLocktime: chain.height + 500,
    });
    await fundOnChain(x);

    const att = oracle.attest(['accept-wins']);
    const unlock = attestationSecret(att, 1);
    // The loser (offerer) tries its favourite CET with the secret the oracle did reveal: the
    // product refuses to build it, so build it by hand from the primitives and let the chain judge.
    const loserIdx = x.offerState.build.plans.findIndex((p) => p.label === 'offer-wins');
    assert.throws(
      () => completeCet(x.offerState, loserIdx, unlock, offer.fund.secret),
      (e: unknown) => e instanceof ContractError && e.code === 'bad-signature',
    );
    const b = x.offerState.build;
    const badAcceptSig = adaptorDecrypt(x.offerState.remoteCetAdaptorSigs![loserIdx]!, unlock);
    const loserCet = b.txs.cets[loserIdx]!.clone();
    loserCet.setWitness(
      0,
      multisigWitness(
        b.txs.witnessScript,
        offer.fund.pubkey,
        ecdsaSign(closingSighash(loserCet, b.txs.witnessScript, b.txs.fundValue), offer.fund.secret),
        accept.fund.pubkey,
        badAcceptSig,
      ),
    );
    const viaMempool = await chain.submit(loserCet);
    assert.equal(viaMempool.ok, false, "the mempool must refuse the loser's CET");
    assert.match((viaMempool as { reason: string }).reason, /mandatory-script-verify-flag/, 'refused for its signature, not for anything else');
    assert.equal(chain.inMempool(loserCet.getId()), false, 'the refused CET is not in the mempool');
    const heightBefore = chain.height;
    const viaBlock = await chain.mineWith(loserCet);
    assert.equal(viaBlock.ok, false, "a block carrying the loser's CET must be refused by consensus");
    assert.match((viaBlock as { reason: string }).reason, /mandatory-script-verify-flag/, "the block is refused for the CET's script");
    assert.equal(chain.height, heightBefore, 'the refused block must not extend the chain');

    // The winner (accepter) executes with the attestation.
    const { cetIndex, tx } = executeCet(x.acceptState, att, accept.fund.secret);
    assert.equal(x.acceptState.build.plans[cetIndex]!.label, 'accept-wins');
    assert.equal(paidTo(tx, accept.payout.spk), 150_000n, 'the winner takes the whole collateral');
    assert.equal(paidTo(tx, offer.payout.spk), 0n, 'no output for the loser (zero payout is dropped)');
    assert.deepEqual(await chain.submit(tx), { ok: true, txid: tx.getId() }, "the winner's CET must be accepted");
    await chain.mine(1);
    assert.equal(await chain.confirmedHeight(tx.getId()), chain.height, "the winner's CET must confirm");

    // The CET on chain reveals the oracle's scalar to anyone holding the adaptor signature.
    const onChainAcceptSig = adaptorDecrypt(x.offerState.remoteCetAdaptorSigs![cetIndex]!, unlock);
    const recovered = adaptorRecover(x.offerState.build.plans[cetIndex]!.adaptorPoint, x.offerState.remoteCetAdaptorSigs![cetIndex]!, onChainAcceptSig);
    assert.ok(recovered && eqBytes(recovered, unlock), 'the published signature must reveal the attestation scalar');

    // Now the funding output is spent: the refund can never confirm.
    const refund = signedRefund(x.offerState, offer.fund.secret);
    const late = await chain.submit(refund);
    assert.equal(late.ok, false, 'a refund after settlement must be refused');
  });

  it('no settlement by maturity: an early CET is non-final; the refund is refused before refund_locktime (non-final) and confirmed after', async () => {
    const mtp = await chain.medianTimePast();
    const oracle = makeOracle({ kind: 'enum', outcomes: ['yes', 'no'] }, mtp + 86_400);
    const refundAt = chain.height + 6;
    const x = runExchange({
      oracle,
      descriptor: {
        kind: 'enum',
        payouts: [
          { outcome: 'yes', offer: 120_000n },
          { outcome: 'no', offer: 0n },
        ],
      },
      offer,
      accept,
      offerInputs: inputs[1]!.offer,
      acceptInputs: inputs[1]!.accept,
      offerCollateral: 70_000n,
      acceptCollateral: 50_000n,
      cetLocktime: oracle.ann.event.maturityEpoch,
      refundLocktime: refundAt,
    });
    await fundOnChain(x);
    const refund = signedRefund(x.acceptState, accept.fund.secret);
    assert.equal(refund.locktime, refundAt);
    assert.equal(paidTo(refund, offer.payout.spk), 70_000n, "the refund returns the offerer's collateral");
    assert.equal(paidTo(refund, accept.payout.spk), 50_000n, "the refund returns the accepter's collateral");
    const early = await chain.submit(refund);
    assert.deepEqual(early, { ok: false, reason: 'non-final' }, `refund at height ${chain.height + 1} < locktime ${refundAt} must be non-final`);
    const earlyBlock = await chain.mineWith(refund);
    assert.equal(earlyBlock.ok, false, 'a block with the early refund must be refused by consensus');
    assert.equal((earlyBlock as { reason: string }).reason, 'bad-txns-nonfinal', 'consensus refuses the block for the non-final refund');
    // Every CET is time-locked to the event's maturity (a day ahead here): even an early attestation
    // cannot settle before it.
    assert.ok(
      x.acceptState.build.txs.cets.every((c) => c.locktime === oracle.ann.event.maturityEpoch),
      'CET nLockTime must be the event maturity',
    );
    const earlyCet = executeCet(x.acceptState, oracle.attest(['no']), accept.fund.secret);
    assert.deepEqual(await chain.submit(earlyCet.tx), { ok: false, reason: 'non-final' }, 'a CET before the event maturity (median time past) must be non-final');
    await chain.mine(refundAt - chain.height, newKey().spk); // blocks found by someone else: time passes
    assert.deepEqual(await chain.submit(refund), { ok: true, txid: refund.getId() }, 'the refund must be accepted once its locktime has passed');
    await chain.mine(1);
    assert.equal(await chain.confirmedHeight(refund.getId()), chain.height, 'the refund must confirm');
  });

  it('numeric event (digit decomposition) with a piecewise-linear payout curve settles on the attested value', async () => {
    const mtp = await chain.medianTimePast();
    const descriptor = {
      kind: 'digits' as const,
      base: 2,
      isSigned: false,
      unit: 'USD',
      precision: 0,
      nbDigits: 10,
    };
    const oracle = makeOracle(descriptor, mtp - 3600);
    const x = runExchange({
      oracle,
      descriptor: {
        kind: 'numeric',
        curve: {
          points: [
            { outcome: 0n, payout: 0n },
            { outcome: 300n, payout: 0n },
            { outcome: 700n, payout: 100_000n },
            { outcome: 1023n, payout: 100_000n },
          ],
          rounding: [{ begin: 0n, mod: 10_000n }],
        },
      },
      offer,
      accept,
      offerInputs: inputs[2]!.offer,
      acceptInputs: inputs[2]!.accept,
      offerCollateral: 60_000n,
      acceptCollateral: 40_000n,
      cetLocktime: oracle.ann.event.maturityEpoch,
      refundLocktime: chain.height + 500,
    });
    assert.ok(x.offerState.build.plans.length < 64, `digit prefixes must compress 1,024 values, got ${x.offerState.build.plans.length} CETs`);
    await fundOnChain(x);
    // 613 on the line (300, 0)–(700, 100000) is 78,250; rounded to the nearest 10,000: 80,000.
    const att = oracle.attest(outcomesForValue(descriptor, 613n));
    const { cetIndex, tx } = executeCet(x.offerState, att, offer.fund.secret);
    const label = x.offerState.build.plans[cetIndex]!.label;
    assert.ok((613).toString(2).padStart(10, '0').startsWith(label), `CET prefix ${label} must cover 613`);
    assert.equal(paidTo(tx, offer.payout.spk), 80_000n, 'offerer gets the rounded curve value');
    assert.equal(paidTo(tx, accept.payout.spk), 20_000n, 'accepter gets the rest');
    // Broadcast the way the trader daemon will: bitcoind's JSON-RPC (bcoin answers it).
    assert.equal(await chain.rpc<string>('sendrawtransaction', [tx.toHex()]), tx.getId(), 'sendrawtransaction returns the txid');
    await waitFor(() => chain.inMempool(tx.getId()), { timeoutMs: 10_000, message: 'numeric CET in the mempool after sendrawtransaction' });
    await chain.mine(1);
    assert.equal((await chain.rpc<{ blocks: number }>('getblockchaininfo')).blocks, chain.height, 'the RPC sees the same chain');
    assert.equal(await chain.confirmedHeight(tx.getId()), chain.height, 'the numeric CET must confirm');
  });
});
