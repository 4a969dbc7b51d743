/** dlc/describe.ts - a display summary of an announcement (what a page or the CLI shows). Imports only dlc. */
import { outcomeLayout } from './outcomes.ts';
import type { EventDescriptor, OracleAnnouncement } from './types.ts';

/** What a client shows for an announcement. */
export interface AnnouncementSummary {
  oracleKey: string;
  eventId: string;
  maturityEpoch: number;
  /** Maturity as an ISO 8601 UTC string. */
  maturity: string;
  nonces: string[];
  kind: EventDescriptor['kind'];
  /** Enum: the outcomes. Digits: the per-position layout (sign row first when signed). */
  outcomes: ReturnType<typeof outcomeLayout>;
  /** Digits only: base, sign, unit, precision and the attestable range as decimal strings. */
  numeric?: { base: number; isSigned: boolean; unit: string; precision: number; nbDigits: number; min: string; max: string };
}

/** Summarise an announcement for display. */
export function describeAnnouncement(a: OracleAnnouncement): AnnouncementSummary {
  const d = a.event.descriptor;
  const summary: AnnouncementSummary = {
    oracleKey: a.oracleKey,
    eventId: a.event.eventId,
    maturityEpoch: a.event.maturityEpoch,
    maturity: new Date(a.event.maturityEpoch * 1000).toISOString(),
    nonces: [...a.event.nonces],
    kind: d.kind,
    outcomes: outcomeLayout(d),
  };
  if (d.kind === 'digits') {
    const max = BigInt(d.base) ** BigInt(d.nbDigits) - 1n;
    summary.numeric = { base: d.base, isSigned: d.isSigned, unit: d.unit, precision: d.precision, nbDigits: d.nbDigits, min: d.isSigned ? (-max).toString() : '0', max: max.toString() };
  }
  return summary;
}
