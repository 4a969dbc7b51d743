/**
 * contract/plan.ts - what each CET of a contract pays and which point its signatures are
 * encrypted to: enum outcomes (one CET per listed outcome, point = the outcome's attestation
 * point) and numeric events (one CET per digit prefix of the payout curve, point = the sum of the
 * prefix digits' points); and, given an attestation, which CET it unlocks and with what secret.
 * Imports contract and dlc.
 */
import { attestationPoint, attestationSecret, digitPointTable, digitPrefixPoint } from '../dlc/adaptor-point.ts';
import { fromHex } from '../dlc/bytes.ts';
import { decodeDigitOutcomes } from '../dlc/outcomes.ts';
import type { DigitsDescriptor, OracleAnnouncement, OracleAttestation, SigningVersion } from '../dlc/types.ts';
import { verifyAnnouncement, verifyAttestation } from '../dlc/verify.ts';
import { MAX_CETS } from './constants.ts';
import { ContractError } from './errors.ts';
import { decompose, numericCets } from './numeric.ts';
import type { NumericPayoutCurve } from './numeric.ts';
import type { Payout } from './types.ts';

/** How the collateral is split per outcome, from the offerer's side (dlcspecs contract_descriptor). */
export type ContractDescriptor = { kind: 'enum'; payouts: { outcome: string; offer: bigint }[] } | { kind: 'numeric'; curve: NumericPayoutCurve };

/** The oracle side of a contract: its announcement and how it signs. */
export interface OracleTerms {
  announcement: OracleAnnouncement;
  signingVersion: SigningVersion;
}

/** One CET: what it pays, the point its signatures are encrypted to, and what it stands for. */
export interface CetPlan {
  payout: Payout;
  adaptorPoint: Uint8Array;
  /** Enum: the outcome. Numeric: the digit prefix, e.g. "0110" (the CET covers every value starting so). */
  label: string;
  /** How many of the attestation's signatures (from the first) sum to this CET's secret. */
  nbSignatures: number;
}

function unsignedDigits(ann: OracleAnnouncement): DigitsDescriptor {
  const d = ann.event.descriptor;
  if (d.kind !== 'digits') throw new ContractError('bad-terms', 'a numeric contract needs a digit-decomposition event');
  if (d.isSigned) throw new ContractError('bad-terms', 'signed numeric events are not supported yet (issue #18)');
  return d;
}

/**
 * The CETs of a contract, in a fixed order both parties derive alike. Verifies the announcement
 * first (ContractError `bad-attestation` otherwise) and refuses descriptors that do not fit its
 * event (`bad-terms`).
 */
export function planCets(o: OracleTerms, descriptor: ContractDescriptor, totalCollateral: bigint): CetPlan[] {
  const err = verifyAnnouncement(o.announcement, o.signingVersion);
  if (err) throw new ContractError('bad-attestation', `announcement does not verify: ${err.message}`);
  const key = fromHex(o.announcement.oracleKey);
  const nonces = o.announcement.event.nonces.map(fromHex);
  const pay = (offer: bigint): Payout => {
    if (offer < 0n || offer > totalCollateral) throw new ContractError('bad-terms', 'an outcome pays more than the total collateral');
    return { offer, accept: totalCollateral - offer };
  };
  if (descriptor.kind === 'enum') {
    const ev = o.announcement.event.descriptor;
    if (ev.kind !== 'enum') throw new ContractError('bad-terms', 'an enum contract needs an enum event');
    if (descriptor.payouts.length < 2 || descriptor.payouts.length > MAX_CETS) throw new ContractError('bad-terms', `an enum contract has 2..${MAX_CETS} outcomes`);
    const seen = new Set<string>();
    return descriptor.payouts.map((p) => {
      if (!ev.outcomes.includes(p.outcome)) throw new ContractError('bad-terms', `outcome ${JSON.stringify(p.outcome).slice(0, 80)} is not one the oracle announced`);
      if (seen.has(p.outcome)) throw new ContractError('bad-terms', 'an outcome is listed twice');
      seen.add(p.outcome);
      return {
        payout: pay(p.offer),
        adaptorPoint: attestationPoint(key, nonces[0]!, o.signingVersion, p.outcome),
        label: p.outcome,
        nbSignatures: 1,
      };
    });
  }
  const d = unsignedDigits(o.announcement);
  const table = digitPointTable(key, nonces, o.signingVersion, d.base);
  return numericCets(descriptor.curve, d.base, d.nbDigits, totalCollateral).map((c) => ({
    payout: pay(c.offerPayout),
    adaptorPoint: digitPrefixPoint(table, c.prefix),
    label: c.prefix.join(d.base > 10 ? '.' : ''),
    nbSignatures: c.prefix.length,
  }));
}

/** Which CET an attestation unlocks, and the 32-byte decryption key (sum of the used scalars). */
export interface Unlock {
  cetIndex: number;
  secret: Uint8Array;
}

/**
 * Verify `att` against the contract's announcement and find the one CET it unlocks: enum, the
 * CET of the attested outcome; numeric, the CET whose digit prefix the attested digits start with.
 * Throws ContractError `bad-attestation` or `no-cet`.
 */
export function unlockFor(o: OracleTerms, plans: readonly CetPlan[], att: OracleAttestation): Unlock {
  const err = verifyAttestation(o.announcement, att, o.signingVersion);
  if (err) throw new ContractError('bad-attestation', `attestation does not verify: ${err.message}`);
  const ev = o.announcement.event.descriptor;
  if (ev.kind === 'enum') {
    const i = plans.findIndex((p) => p.label === att.outcomes[0]);
    if (i < 0) throw new ContractError('no-cet', 'no CET for the attested outcome');
    return { cetIndex: i, secret: attestationSecret(att, 1) };
  }
  const d = unsignedDigits(o.announcement);
  const digits = decompose(decodeDigitOutcomes(d, att.outcomes), d.base, d.nbDigits);
  const sep = d.base > 10 ? '.' : '';
  for (let i = 0; i < plans.length; i++) {
    const p = plans[i]!;
    if (digits.slice(0, p.nbSignatures).join(sep) === p.label) return { cetIndex: i, secret: attestationSecret(att, p.nbSignatures) };
  }
  throw new ContractError('no-cet', 'no CET covers the attested value');
}
