/** service/dlc-evidence.ts - verified evidence of DLC oracle faults (equivocation pairs, nonce-reuse pairs), bounded by count and bytes, looked up by announcement id. Holds messages only, never a recovered key. Imports protocol types and util only. */
import type { Announcement, Attestation } from '../protocol/types.ts';
import { LruMap } from '../util/lru.ts';

/** Most evidence records kept (each names one announcement). */
export const MAX_EVIDENCE_RECORDS = 10_000;
/** Most JSON bytes of evidence kept (a record holds two TLVs of at most 64 KiB each). */
export const MAX_EVIDENCE_BYTES = 16 * 1024 * 1024;

/** Two valid attestations of one announcement that sign different outcomes with one committed nonce (checked by dlc checkEquivocation). */
export interface EquivocationEvidence {
  /** The stored (first) attestation, then the refused one. */
  attestations: [Attestation, Attestation];
  /** Nonce position where the outcomes differ. */
  index: number;
  nonce: string;
}

/** Two valid announcements of one DLC key committing to a shared nonce (checked by dlc checkNonceReuse). */
export interface NonceReuseEvidence {
  /** The stored (first) announcement, then the refused one. */
  announcements: [Announcement, Announcement];
  nonce: string;
}

/** A fault as the service's `report:proof` event carries it. */
export type DlcProof =
  | { type: 'dlc-equivocation'; oracleKey: string; oraclePubKey: string; announcementId: string; evidence: EquivocationEvidence }
  | { type: 'dlc-nonce-reuse'; oracleKey: string; oraclePubKey: string; announcementIds: [string, string]; evidence: NonceReuseEvidence };

type Stored = EquivocationEvidence | NonceReuseEvidence;

/**
 * Evidence by announcement id: `eq:<id>` for an equivocation of that announcement, `nr:<id>` for a
 * nonce reuse involving it (both announcements point at one record). Least recently added goes
 * first past {@link MAX_EVIDENCE_RECORDS} or {@link MAX_EVIDENCE_BYTES}. Relaying these as reports
 * of the proof class is the accountability work's (issue #15); until then this is what GET
 * /announcements/{id} shows.
 */
export class DlcEvidenceStore {
  private readonly records: LruMap<string, Stored>;

  constructor(now: () => number, maxRecords = MAX_EVIDENCE_RECORDS, maxBytes = MAX_EVIDENCE_BYTES) {
    this.records = new LruMap<string, Stored>(maxRecords, Infinity, now, { maxBytes, sizeOf: (v) => JSON.stringify(v).length });
  }

  /** Keep an equivocation of `announcementId`; false when one is already kept (the first pair stays). */
  addEquivocation(announcementId: string, e: EquivocationEvidence): boolean {
    const key = `eq:${announcementId}`;
    if (this.records.has(key)) return false;
    this.records.set(key, e);
    return true;
  }

  /** Keep a nonce reuse between two announcements; false when the pair is already kept. */
  addNonceReuse(firstId: string, secondId: string, e: NonceReuseEvidence): boolean {
    if (this.records.has(`nr:${secondId}`)) return false;
    this.records.set(`nr:${secondId}`, e);
    if (!this.records.has(`nr:${firstId}`)) this.records.set(`nr:${firstId}`, e);
    return true;
  }

  /** The equivocation kept for an announcement, or null. */
  equivocation(announcementId: string): EquivocationEvidence | null {
    return (this.records.get(`eq:${announcementId}`) as EquivocationEvidence | undefined) ?? null;
  }

  /** A nonce reuse kept for an announcement (as first or second), or null. */
  nonceReuse(announcementId: string): NonceReuseEvidence | null {
    return (this.records.get(`nr:${announcementId}`) as NonceReuseEvidence | undefined) ?? null;
  }

  /** Records kept and their bytes. */
  get size(): { records: number; bytes: number } {
    return { records: this.records.size, bytes: this.records.bytes };
  }
}
