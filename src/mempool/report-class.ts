/** mempool/report-class.ts - the class of a report (proof, paid claim, claim, answered), the first key of its rank (docs/PROTOCOL.md 9.5). A new proof type is one entry in TYPE_CLASS. Imports only protocol types. */
import type { Report, ReportType } from '../protocol/types.ts';
import type { StoredReport } from './types.ts';

/**
 * Classes, lowest rank first. `proof`: self-proving, checked by the node; `paid-claim`: a
 * fact-missing whose Lightning payment the node verified (the oracle was paid); `claim`: any other
 * report not answered; `answered`: a fact-missing the oracle disputed with a valid signed fact, or whose announcement it
 * names was attested.
 */
export type ReportClass = 'answered' | 'claim' | 'paid-claim' | 'proof';

/** Rank of each class: a report of a higher class always ranks above one of a lower class, whatever their PoW. */
export const CLASS_RANK: Readonly<Record<ReportClass, number>> = { answered: 0, claim: 1, 'paid-claim': 2, proof: 3 };

/**
 * What each report type is before any dispute or payment: a `Record` over the type union, so a new
 * report type (e.g. `dlc-equivocation`, `dlc-nonce-reuse`: proofs) does not compile without its
 * entry, and entering it as `'proof'` is all the ranking, proof store and standing need.
 */
export const TYPE_CLASS: Readonly<Record<ReportType, 'proof' | 'claim'>> = {
  'fact-conflict': 'proof',
  'fact-missing': 'claim',
  'fact-disagrees-with-public': 'claim',
  'dlc-equivocation': 'proof',
  'dlc-nonce-reuse': 'proof',
};

/** Is a report of this type self-proving (kept in the proof store, never evicted by a claim)? */
export function isProofType(type: ReportType): boolean {
  return TYPE_CLASS[type] === 'proof';
}

/** Is this report a proof? */
export function isProof(msg: Report): boolean {
  return TYPE_CLASS[msg.content.type] === 'proof';
}

/**
 * The class of a stored report. A payment proof (invoice and preimage) is verified at admission
 * (protocol/verify.ts); a report carrying one was admitted only when it verified, so its presence
 * is the verdict and the class is a pure function of the stored messages (a restore recomputes it).
 */
export function reportClass(msg: Report, answered: boolean): ReportClass {
  if (TYPE_CLASS[msg.content.type] === 'proof') return 'proof';
  if (answered) return 'answered';
  if (msg.content.type === 'fact-missing' && msg.content.payment?.invoice !== undefined) return 'paid-claim';
  return 'claim';
}

/** Is a stored report answered: disputed with a valid fact, or (a fact-missing naming an announcement) attested? */
export function isAnswered(r: Pick<StoredReport, 'dispute' | 'attestationId'>): boolean {
  return r.dispute !== null || r.attestationId !== undefined;
}
