// test/unit/contract/session.test.ts - the signing exchange as pure functions: both parties derive the same transactions; every counterparty adaptor signature and the refund signature are verified before funding is signed (one bad signature anywhere stops the step); funding is signed once; execution needs a valid attestation of the contract's oracle; rust-dlc accepts the accepter's adaptor signatures for our CETs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attestationMessage } from '../../../src/dlc/schnorr.ts';
import { ContractError, acceptOffer, executeCet, finalizeFunding, signAccepted } from '../../../src/contract/index.ts';
import type { ContractDescriptor } from '../../../src/contract/index.ts';
import { fakeInput, makeOracle, makeParty, makeTerms, runExchange } from './_helpers.ts';
import type { TermsInit } from './_helpers.ts';
import { DDK_SKIP, loadDdk, toDdk } from './_ddk.ts';

const OUTCOMES = ['up', 'down', 'flat', 'void'];
const descriptor: ContractDescriptor = {
  kind: 'enum',
  payouts: [
    { outcome: 'up', offer: 150_000n },
    { outcome: 'down', offer: 0n },
    { outcome: 'flat', offer: 100_000n },
    { outcome: 'void', offer: 60_000n },
  ],
};

function init(): TermsInit {
  const offer = makeParty();
  const accept = makeParty();
  return {
    oracle: makeOracle({ kind: 'enum', outcomes: OUTCOMES }, 1_800_000_000),
    descriptor,
    offer,
    accept,
    offerInputs: [fakeInput(offer.input, 400_000n, 1), fakeInput(offer.input, 30_000n, 2)],
    acceptInputs: [fakeInput(accept.input, 200_000n, 3)],
    offerCollateral: 100_000n,
    acceptCollateral: 50_000n,
    cetLocktime: 1_800_000_000,
    refundLocktime: 1_800_604_800,
  };
}

const code = (c: string) => (e: unknown) => e instanceof ContractError && e.code === c;
const flip = (b: Uint8Array, at: number): Uint8Array => {
  const c = Uint8Array.from(b);
  c[at]! ^= 1;
  return c;
};

describe('contract exchange (offer → accept → sign → finalize → execute)', () => {
  it('both parties derive the same transactions; the accepter ends with the fully signed funding transaction', () => {
    const x = runExchange(init());
    assert.equal(x.acceptMsg.cetAdaptorSigs.length, 4);
    assert.equal(x.signMsg.cetAdaptorSigs.length, 4);
    assert.equal(x.offerState.build.txs.fund.getId(), x.acceptState.build.txs.fund.getId());
    x.offerState.build.txs.cets.forEach((c, i) => assert.equal(c.getId(), x.acceptState.build.txs.cets[i]!.getId(), `CET ${i}`));
    assert.equal(x.acceptState.phase, 'funded');
    const fund = x.acceptState.fundingTx!;
    assert.equal(fund.getId(), x.offerState.build.txs.fund.getId(), 'witnesses do not change the txid');
    assert.ok(
      fund.ins.every((i) => i.witness.length === 2),
      'every funding input carries a P2WPKH witness',
    );
  });

  it("either party executes the attested outcome's CET with the payouts of the contract", () => {
    const t = init();
    const x = runExchange(t);
    for (const [outcome, offerPays] of [
      ['up', 150_000n],
      ['flat', 100_000n],
      ['void', 60_000n],
    ] as const) {
      const att = t.oracle.attest([outcome]);
      for (const [state, secret] of [
        [x.offerState, t.offer.fund.secret],
        [x.acceptState, t.accept.fund.secret],
      ] as const) {
        const { cetIndex, tx } = executeCet(state, att, secret);
        assert.equal(state.build.plans[cetIndex]!.label, outcome);
        const offerOut = tx.outs.find((o) => Buffer.from(o.script).equals(Buffer.from(t.offer.payout.spk)));
        assert.equal(offerOut?.value, offerPays, `${outcome}: offerer payout`);
        assert.equal(tx.ins[0]!.witness.length, 4, '0, two signatures, the witness script');
      }
    }
  });

  it('the offerer refuses to sign anything when one accepter adaptor signature (the last) is bad', () => {
    const t = init();
    const { terms, acceptParams } = makeTerms(t);
    const a = acceptOffer(terms, acceptParams, t.accept.fund.secret);
    const secrets = { fundSecret: t.offer.fund.secret, inputSecrets: t.offerInputs.map(() => t.offer.input.secret) };
    const tampered = { ...a.message, cetAdaptorSigs: a.message.cetAdaptorSigs.map((s, i) => (i === 3 ? flip(s, 150) : s)) };
    assert.throws(
      () => signAccepted(terms, tampered, secrets),
      (e: unknown) => code('adaptor-verify-failed')(e) && /CET 3/.test((e as Error).message),
    );
    const swapped = { ...a.message, cetAdaptorSigs: [a.message.cetAdaptorSigs[1]!, a.message.cetAdaptorSigs[0]!, ...a.message.cetAdaptorSigs.slice(2)] };
    assert.throws(() => signAccepted(terms, swapped, secrets), code('adaptor-verify-failed'), 'a valid signature for another CET is refused');
    assert.throws(() => signAccepted(terms, { ...a.message, cetAdaptorSigs: a.message.cetAdaptorSigs.slice(1) }, secrets), code('adaptor-verify-failed'), 'one missing');
    assert.throws(() => signAccepted(terms, { ...a.message, refundSig: flip(a.message.refundSig, 40) }, secrets), code('bad-signature'), 'bad refund signature');
    assert.doesNotThrow(() => signAccepted(terms, a.message, secrets), 'the untampered message is signed');
  });

  it('the accepter verifies every offerer signature before signing its inputs, and signs funding once', () => {
    const t = init();
    const { terms, acceptParams } = makeTerms(t);
    const a = acceptOffer(terms, acceptParams, t.accept.fund.secret);
    const s = signAccepted(terms, a.message, { fundSecret: t.offer.fund.secret, inputSecrets: t.offerInputs.map(() => t.offer.input.secret) });
    const own = [t.accept.input.secret];
    const badAdaptor = { ...s.message, cetAdaptorSigs: s.message.cetAdaptorSigs.map((x, i) => (i === 2 ? flip(x, 10) : x)) };
    assert.throws(() => finalizeFunding(a.state, badAdaptor, own), code('adaptor-verify-failed'));
    assert.throws(() => finalizeFunding(a.state, { ...s.message, refundSig: flip(s.message.refundSig, 3) }, own), code('bad-signature'));
    const badWitness = { ...s.message, fundingWitnesses: s.message.fundingWitnesses.map((w, i) => (i === 1 ? [flip(w[0]!, 10), w[1]!] : w)) };
    assert.throws(() => finalizeFunding(a.state, badWitness, own), code('bad-signature'), 'an offerer funding signature that does not verify');
    assert.equal(a.state.phase, 'accepted', 'refused steps leave the state as it was');
    const funded = finalizeFunding(a.state, s.message, own);
    assert.throws(() => finalizeFunding(funded, s.message, own), code('wrong-state'), 'funding is signed once');
    assert.throws(() => finalizeFunding(s.state, s.message, own), code('wrong-state'), 'the offerer has no finalize step');
  });

  it('execution refuses an attestation from another oracle or with a forged signature', () => {
    const t = init();
    const x = runExchange(t);
    const stranger = makeOracle({ kind: 'enum', outcomes: OUTCOMES }, 1_800_000_000);
    assert.throws(() => executeCet(x.offerState, stranger.attest(['up']), t.offer.fund.secret), code('bad-attestation'));
    const att = t.oracle.attest(['down']);
    const forged = { ...att, signatures: [att.signatures[0]!.slice(0, 64) + '00'.repeat(32)] };
    assert.throws(() => executeCet(x.offerState, forged, t.offer.fund.secret), code('bad-attestation'));
  });

  it('refuses terms that do not fit the announcement', () => {
    const t = init();
    assert.throws(
      () =>
        runExchange({
          ...t,
          descriptor: {
            kind: 'enum',
            payouts: [
              { outcome: 'up', offer: 1n },
              { outcome: 'sideways', offer: 2n },
            ],
          },
        }),
      code('bad-terms'),
    );
    assert.throws(() => runExchange({ ...t, acceptCollateral: 49_999n, descriptor }), code('bad-terms'), 'payouts above the total collateral');
    const numeric: ContractDescriptor = {
      kind: 'numeric',
      curve: {
        points: [
          { outcome: 0n, payout: 0n },
          { outcome: 1n, payout: 1n },
        ],
        rounding: [],
      },
    };
    assert.throws(() => runExchange({ ...t, descriptor: numeric }), code('bad-terms'), 'a numeric contract on an enum event');
  });
});

describe("rust-dlc verifies the accepter's adaptor signatures over our CETs (points, sighashes, signatures)", { skip: DDK_SKIP }, () => {
  it('verifyCetAdaptorSigsFromOracleInfo accepts all of them, and refuses them under the wrong outcome messages', () => {
    const ddk = loadDdk()!;
    const t = init();
    const x = runExchange(t);
    const b = x.acceptState.build;
    const theirs = ddk.createDlcTransactions(
      b.plans.map((p) => p.payout),
      toDdk(b.terms.offer),
      toDdk(b.accept),
      b.terms.refundLocktime,
      b.terms.feeRate,
      0,
      b.terms.cetLocktime,
      b.terms.fundOutputSerialId,
    );
    theirs.cets.forEach((c, i) => assert.equal(c.rawBytes.toString('hex'), b.txs.cets[i]!.toHex(), `CET ${i} bytes`));
    const info = [{ publicKey: Buffer.from(t.oracle.ann.oracleKey, 'hex'), nonces: t.oracle.ann.event.nonces.map((n) => Buffer.from(n, 'hex')) }];
    const msgs = b.plans.map((p) => [[Buffer.from(attestationMessage('dlcspecs-v0', p.label))]]);
    const sigs = x.acceptMsg.cetAdaptorSigs.map((s) => ({ signature: Buffer.from(s), proof: Buffer.alloc(0) }));
    const script = Buffer.from(b.txs.witnessScript);
    assert.equal(ddk.verifyCetAdaptorSigsFromOracleInfo(sigs, theirs.cets, info, Buffer.from(b.accept.fundPubkey), script, b.txs.fundValue, msgs), true);
    const rotated = [...msgs.slice(1), msgs[0]!];
    assert.equal(ddk.verifyCetAdaptorSigsFromOracleInfo(sigs, theirs.cets, info, Buffer.from(b.accept.fundPubkey), script, b.txs.fundValue, rotated), false);
  });
});
