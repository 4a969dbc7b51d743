// test/unit/contract/_helpers.ts - shared builders for the contract tests: party keys and parameters, an oracle event, offer terms, the whole exchange.
import fs from 'node:fs';
import { freshNonceSecrets, signAnnouncement, signAttestation } from '../../../src/dlc/index.ts';
import type { EventDescriptor, OracleAnnouncement, OracleAttestation, SigningVersion } from '../../../src/dlc/index.ts';
import { acceptOffer, finalizeFunding, signAccepted } from '../../../src/contract/index.ts';
import type { ContractDescriptor, ContractState, FundingInput, OfferTerms, PartyParams, SignMessage, AcceptMessage } from '../../../src/contract/index.ts';
import { newKey } from '../../helpers/regtest.ts';
import type { TestKey } from '../../helpers/regtest.ts';

/** A JSON fixture from test/fixtures/contract. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(new URL(`../../fixtures/contract/${name}`, import.meta.url), 'utf8')) as T;
}

/** An oracle with its secrets and one announced event. */
export interface TestOracle {
  sk: Uint8Array;
  nonceSecrets: Uint8Array[];
  ann: OracleAnnouncement;
  version: SigningVersion;
  attest(outcomes: string[]): OracleAttestation;
}

/** Announce `descriptor` with a fresh oracle key and fresh nonces (dlc signing functions). */
export function makeOracle(descriptor: EventDescriptor, maturityEpoch: number, version: SigningVersion = 'dlcspecs-v0'): TestOracle {
  const sk = newKey().secret;
  const need = descriptor.kind === 'enum' ? 1 : descriptor.nbDigits + (descriptor.isSigned ? 1 : 0);
  const nonceSecrets = freshNonceSecrets(need);
  const ann = signAnnouncement({
    secretKey: sk,
    nonceSecrets,
    maturityEpoch,
    descriptor,
    eventId: 'contract-test',
    version,
  });
  return {
    sk,
    nonceSecrets,
    ann,
    version,
    attest: (outcomes) =>
      signAttestation({
        secretKey: sk,
        announcement: ann,
        nonceSecrets,
        outcomes,
        version,
      }),
  };
}

/** A party's keys: funding, funding-input owner, payout and change. */
export interface TestParty {
  fund: TestKey;
  input: TestKey;
  payout: TestKey;
  change: TestKey;
}

export function makeParty(): TestParty {
  return {
    fund: newKey(),
    input: newKey(),
    payout: newKey(),
    change: newKey(),
  };
}

/** PartyParams of `p` spending `inputs` (which pay to p.input) with `collateral`; serial ids from `base`. */
export function partyParams(p: TestParty, inputs: FundingInput[], collateral: bigint, base: bigint): PartyParams {
  return {
    fundPubkey: p.fund.pubkey,
    payoutSpk: p.payout.spk,
    payoutSerialId: base + 1n,
    changeSpk: p.change.spk,
    changeSerialId: base + 2n,
    inputs: inputs.map((i, k) => ({ ...i, serialId: base + 10n + BigInt(k) })),
    collateral,
  };
}

/** A P2WPKH input not on any chain (for tests that never broadcast). */
export function fakeInput(owner: TestKey, value: bigint, seed: number): FundingInput {
  return {
    txid: seed.toString(16).padStart(2, '0').repeat(32),
    vout: seed % 3,
    value,
    scriptPubKey: owner.spk,
    serialId: 0n,
    maxWitnessLen: 108,
  };
}

/** The full exchange between two parties, as in dlcspecs Protocol.md. */
export interface Exchange {
  terms: OfferTerms;
  offerState: ContractState;
  acceptState: ContractState;
  acceptMsg: AcceptMessage;
  signMsg: SignMessage;
}

export interface TermsInit {
  oracle: TestOracle;
  descriptor: ContractDescriptor;
  offer: TestParty;
  accept: TestParty;
  offerInputs: FundingInput[];
  acceptInputs: FundingInput[];
  offerCollateral: bigint;
  acceptCollateral: bigint;
  cetLocktime: number;
  refundLocktime: number;
  feeRate?: bigint;
}

export function makeTerms(t: TermsInit): {
  terms: OfferTerms;
  acceptParams: PartyParams;
} {
  const terms: OfferTerms = {
    announcement: t.oracle.ann,
    signingVersion: t.oracle.version,
    descriptor: t.descriptor,
    offer: partyParams(t.offer, t.offerInputs, t.offerCollateral, 100n),
    totalCollateral: t.offerCollateral + t.acceptCollateral,
    feeRate: t.feeRate ?? 2n,
    cetLocktime: t.cetLocktime,
    refundLocktime: t.refundLocktime,
    fundOutputSerialId: 150n,
  };
  return {
    terms,
    acceptParams: partyParams(t.accept, t.acceptInputs, t.acceptCollateral, 200n),
  };
}

/** offer → accept → sign → finalize; returns both states and the messages. */
export function runExchange(t: TermsInit): Exchange {
  const { terms, acceptParams } = makeTerms(t);
  const a = acceptOffer(terms, acceptParams, t.accept.fund.secret);
  const s = signAccepted(terms, a.message, {
    fundSecret: t.offer.fund.secret,
    inputSecrets: t.offerInputs.map(() => t.offer.input.secret),
  });
  const acceptState = finalizeFunding(
    a.state,
    s.message,
    t.acceptInputs.map(() => t.accept.input.secret),
  );
  return {
    terms,
    offerState: s.state,
    acceptState,
    acceptMsg: a.message,
    signMsg: s.message,
  };
}
