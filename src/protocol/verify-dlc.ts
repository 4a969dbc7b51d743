/** protocol/verify-dlc.ts - the checks of the two DLC proof report contents (dlc-equivocation, dlc-nonce-reuse, docs/PROTOCOL.md 8.3), cheapest first: strict TLV decode, order, binding, key, BIP340 signatures, then the fault itself (the key recovered from an equivocation must be the oracle key; it never leaves dlc/schnorr.ts). Imports protocol types and dlc only. */
import {
  decodeAnnouncement,
  decodeAttestation,
  DlcError,
  equivocationOf,
  nonceReuseOf,
  verifyAnnouncement,
  verifyAttestation,
  INLINE_SCHNORR,
  type OracleAnnouncement,
  type OracleAttestation,
  type SchnorrChecks,
} from '../dlc/index.ts';
import type { DlcEquivocationContent, DlcNonceReuseContent, DlcProofContent, OracleCapability } from './types.ts';

/** Refusal reasons of a DLC proof report (service/types.ts gives each its ban score; every one is 100: only a forger sends them). */
export type DlcProofReason =
  | 'dlc-invalid'
  | 'dlc-proof-unordered'
  | 'capability-not-dlc'
  | 'dlc-key-mismatch'
  | 'dlc-signature-invalid'
  | 'dlc-nonce-mismatch'
  | 'dlc-attestation-invalid'
  | 'dlc-same-outcome'
  | 'dlc-same-event'
  | 'dlc-no-shared-nonce'
  | 'dlc-key-not-recovered';

/** A failed DLC proof check. */
export interface DlcProofFailure {
  reason: DlcProofReason;
  message: string;
}

/** The decoded messages of a DLC proof content (step 1, no curve work). */
export type DecodedDlcProof =
  | { type: 'dlc-equivocation'; announcement: OracleAnnouncement; attestations: [OracleAttestation, OracleAttestation] }
  | { type: 'dlc-nonce-reuse'; announcements: [OracleAnnouncement, OracleAnnouncement] };

/** What a verified DLC proof shows: the nonce (and for an equivocation its position) that gives the fault away. */
export interface DlcProofFinding {
  /** The x-only DLC key at fault. */
  oracleKey: string;
  nonce: string;
  /** Nonce position where the two attestations differ (equivocation only). */
  index?: number;
}

const fail = (reason: DlcProofReason, message: string): DlcProofFailure => ({ reason, message });
const said = (e: DlcError): string => `${e.code}: ${e.message}`;

/** Two TLVs must be different and in ascending order (lowercase hex compared as strings): one fault, one report id. */
function checkOrder(pair: readonly [string, string], what: string): DlcProofFailure | null {
  if (pair[0] < pair[1]) return null;
  return fail('dlc-proof-unordered', `${what}[0] must sort strictly before ${what}[1] (two different TLVs, ascending hex), so one fault has one report id`);
}

/**
 * Step 1 of a DLC proof: order of the pair, then a strict decode of every TLV (`dlc-invalid` names
 * the DlcError code and which TLV). No curve work: it runs before the capability is looked up.
 */
export function decodeDlcProof(c: DlcProofContent): DecodedDlcProof | DlcProofFailure {
  const decode = <T>(fn: (hex: string) => T, hex: string, what: string): T | DlcProofFailure => {
    try {
      return fn(hex);
    } catch (e) {
      if (e instanceof DlcError) return fail('dlc-invalid', `${what}: ${said(e)}`);
      throw e;
    }
  };
  if (c.type === 'dlc-equivocation') {
    const order = checkOrder(c.attestations, 'attestations');
    if (order) return order;
    const announcement = decode(decodeAnnouncement, c.announcement, 'announcement');
    if ('reason' in announcement) return announcement;
    const a = decode(decodeAttestation, c.attestations[0], 'attestations[0]');
    if ('reason' in a) return a;
    const b = decode(decodeAttestation, c.attestations[1], 'attestations[1]');
    if ('reason' in b) return b;
    return { type: c.type, announcement, attestations: [a, b] };
  }
  const order = checkOrder(c.announcements, 'announcements');
  if (order) return order;
  const a = decode(decodeAnnouncement, c.announcements[0], 'announcements[0]');
  if ('reason' in a) return a;
  const b = decode(decodeAnnouncement, c.announcements[1], 'announcements[1]');
  if ('reason' in b) return b;
  return { type: c.type, announcements: [a, b] };
}

/** An announcement's failure as a proof reason: a bad signature, else malformed (bad point, nonce count). */
function announcementFailure(e: DlcError, what: string, version: string): DlcProofFailure {
  return fail(e.code === 'bad-signature' ? 'dlc-signature-invalid' : 'dlc-invalid', `${what} under ${version}: ${said(e)}`);
}

/**
 * Step 2, against the capability that owns `capabilityPubKey` (ownership checked by the caller):
 * the capability binds a DLC key, every announcement is of that key and verifies under the
 * binding's signing version, every attestation verifies against the announcement (its nonces, key
 * and event id), and the fault holds: different outcomes under one nonce whose two signatures give
 * the oracle key (equivocation), or two different events sharing a nonce (nonce reuse).
 */
export function verifyDlcProof(d: DecodedDlcProof, capability: OracleCapability, checks: SchnorrChecks = INLINE_SCHNORR): DlcProofFinding | DlcProofFailure {
  const binding = capability.dlc;
  if (!binding) return fail('capability-not-dlc', 'the capability binds no dlc key (capability.dlc), so no DLC message can be its oracle\'s');
  const version = binding.signingVersion;
  const anns = d.type === 'dlc-equivocation' ? [d.announcement] : d.announcements;
  for (let i = 0; i < anns.length; i++) {
    if (anns[i]!.oracleKey !== binding.oracleKey) return fail('dlc-key-mismatch', `${label(d, i)} is signed by another key than the capability's dlc.oracleKey`);
  }
  for (let i = 0; i < anns.length; i++) {
    const bad = verifyAnnouncement(anns[i]!, version, checks);
    if (bad) return announcementFailure(bad, label(d, i), version);
  }
  if (d.type === 'dlc-nonce-reuse') {
    const found = nonceReuseOf(d.announcements[0], d.announcements[1]);
    if (found instanceof DlcError) return fail(found.code === 'same-event' ? 'dlc-same-event' : 'dlc-no-shared-nonce', `announcements: ${said(found)}`);
    return { oracleKey: binding.oracleKey, nonce: found.nonce };
  }
  for (let i = 0; i < 2; i++) {
    const bad = verifyAttestation(d.announcement, d.attestations[i]!, version, checks);
    if (!bad) continue;
    const reason: DlcProofReason = bad.code === 'key-mismatch' ? 'dlc-key-mismatch' : bad.code === 'nonce-mismatch' ? 'dlc-nonce-mismatch' : 'dlc-attestation-invalid';
    return fail(reason, `attestations[${i}] against the announcement under ${version}: ${said(bad)}`);
  }
  const found = equivocationOf(d.announcement, d.attestations[0], d.attestations[1], version);
  if (found instanceof DlcError) return fail(found.code === 'same-outcome' ? 'dlc-same-outcome' : 'dlc-key-not-recovered', `attestations: ${said(found)}`);
  return { oracleKey: binding.oracleKey, nonce: found.nonce, index: found.index };
}

function label(d: DecodedDlcProof, i: number): string {
  return d.type === 'dlc-equivocation' ? 'announcement' : `announcements[${i}]`;
}

/** Build the content of a dlc-equivocation report: the pair put in ascending order (the only order admission accepts). */
export function equivocationContent(capabilityPubKey: string, announcement: string, a: string, b: string, capability?: OracleCapability): DlcEquivocationContent {
  const attestations: [string, string] = a < b ? [a, b] : [b, a];
  return capability ? { type: 'dlc-equivocation', capabilityPubKey, announcement, attestations, capability } : { type: 'dlc-equivocation', capabilityPubKey, announcement, attestations };
}

/** Build the content of a dlc-nonce-reuse report, the pair in ascending order. */
export function nonceReuseContent(capabilityPubKey: string, a: string, b: string, capability?: OracleCapability): DlcNonceReuseContent {
  const announcements: [string, string] = a < b ? [a, b] : [b, a];
  return capability ? { type: 'dlc-nonce-reuse', capabilityPubKey, announcements, capability } : { type: 'dlc-nonce-reuse', capabilityPubKey, announcements };
}
