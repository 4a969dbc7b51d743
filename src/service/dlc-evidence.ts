/** service/dlc-evidence.ts - DLC faults as reports: the content of the dlc-equivocation / dlc-nonce-reuse report a node submits itself (service/own-reports.ts mines it) when its admission finds a fault, describes an accepted DLC proof report for the `report:proof` event, and indexes stored DLC proof reports by announcement id (fed by the mempool's events, so it is bounded by the proof store and rebuilt by a restore). Never holds a recovered key. Imports protocol and mempool types only. */
import { dlcTlvId } from '../protocol/ids.ts';
import { decodeDlcProof, equivocationContent, nonceReuseContent } from '../protocol/verify-dlc.ts';
import { isDlcProofContent, type DlcProofContent, type OracleCapability, type Report } from '../protocol/types.ts';
import type { AcceptedEvent, EvictedEvent } from '../mempool/types.ts';

/** A DLC fault as the service's `report:proof` event carries it (an accepted dlc-equivocation or dlc-nonce-reuse report). */
export type DlcProof =
  | { type: 'dlc-equivocation'; reportId: string; oracleKey: string; oraclePubKey: string; announcementId: string; evidence: { index: number; nonce: string } }
  | { type: 'dlc-nonce-reuse'; reportId: string; oracleKey: string; oraclePubKey: string; announcementIds: [string, string]; evidence: { nonce: string } };

/** A fault found by this node's own admission, to be reported (service.ts mines and admits it). */
export type DlcFault =
  | { type: 'dlc-equivocation'; capability: OracleCapability; announcement: string; attestations: [string, string] }
  | { type: 'dlc-nonce-reuse'; capability: OracleCapability; announcements: [string, string] };

/** The content of the report of a fault this node found: the capability ad embedded, so every node can check it alone and the proof outlives the oracle. */
export function faultContent(f: DlcFault): DlcProofContent {
  const cap = f.capability;
  return f.type === 'dlc-equivocation'
    ? equivocationContent(cap.capabilityPubKey, f.announcement, f.attestations[0], f.attestations[1], cap)
    : nonceReuseContent(cap.capabilityPubKey, f.announcements[0], f.announcements[1], cap);
}

/** Announcement ids a DLC proof report names: the attested announcement, or both announcements. */
export function announcementIdsOf(c: DlcProofContent): string[] {
  return c.type === 'dlc-equivocation' ? [dlcTlvId(c.announcement)] : c.announcements.map(dlcTlvId);
}

/**
 * The `report:proof` event of a stored DLC proof report (admission verified it; this only decodes
 * to name the key and the nonce). Null for other reports.
 */
export function describeDlcProof(reportId: string, r: Report): DlcProof | null {
  const c = r.content;
  if (!isDlcProofContent(c)) return null;
  const d = decodeDlcProof(c);
  if ('reason' in d) return null;
  if (d.type === 'dlc-equivocation') {
    const [a, b] = d.attestations;
    const index = Math.max(0, a.outcomes.findIndex((o, i) => o !== b.outcomes[i]));
    return { type: d.type, reportId, oracleKey: d.announcement.oracleKey, oraclePubKey: r.oraclePubKey, announcementId: dlcTlvId((c as { announcement: string }).announcement), evidence: { index, nonce: d.announcement.event.nonces[index] ?? '' } };
  }
  const [x, y] = d.announcements;
  const nonce = y.event.nonces.find((n) => x.event.nonces.includes(n)) ?? '';
  const ids = announcementIdsOf(c) as [string, string];
  return { type: d.type, reportId, oracleKey: x.oracleKey, oraclePubKey: r.oraclePubKey, announcementIds: ids, evidence: { nonce } };
}

/**
 * Stored DLC proof reports by announcement id, kept exact by the mempool's accepted and evicted
 * events (restored ones included). Bounded by the proof store: an id leaves when its report does.
 */
export class DlcProofIndex {
  private readonly byAnnouncement = new Map<string, Set<string>>();
  private readonly byReport = new Map<string, { type: DlcProofContent['type']; announcements: string[] }>();

  /** Learn a stored report (no-op for other kinds and report types). */
  onAccepted(e: AcceptedEvent): void {
    if (e.kind !== 'report' || this.byReport.has(e.id)) return;
    const c = (e.entity as Report).content;
    if (!isDlcProofContent(c)) return;
    const announcements = announcementIdsOf(c);
    this.byReport.set(e.id, { type: c.type, announcements });
    for (const a of announcements) {
      let set = this.byAnnouncement.get(a);
      if (!set) this.byAnnouncement.set(a, (set = new Set()));
      set.add(e.id);
    }
  }

  /** Forget a report that left the mempool. */
  onEvicted(e: EvictedEvent): void {
    if (e.kind !== 'report') return;
    const r = this.byReport.get(e.id);
    if (!r) return;
    this.byReport.delete(e.id);
    for (const a of r.announcements) {
      const set = this.byAnnouncement.get(a);
      set?.delete(e.id);
      if (set?.size === 0) this.byAnnouncement.delete(a);
    }
  }

  /** Ids of the stored proof reports of `type` naming an announcement, ascending. */
  reportsOf(announcementId: string, type: DlcProofContent['type']): string[] {
    const set = this.byAnnouncement.get(announcementId);
    if (!set) return [];
    return [...set].filter((id) => this.byReport.get(id)?.type === type).sort();
  }

  /** Indexed reports (tests). */
  get size(): number {
    return this.byReport.size;
  }
}
