/** api/dlc-handlers.ts - the REST handlers of DLC announcements and attestations (POST /announcement, /attestation; GET /announcements, /announcements/{id} with the DLC proof reports naming it, /attestations/{announcementId}). Imports service, dlc and api helpers. */
import type { Request, Response } from 'express';
import { decodeAnnouncement, decodeDigitOutcomes, describeAnnouncement, type AnnouncementSummary, type OracleAnnouncement } from '../dlc/index.ts';
import { writeAnnouncementSummary } from '../dlc/summary.ts';
import type { StoredAnnouncement, StoredReport } from '../service/service.ts';
import { reportListing, type ReportListing } from './listings.ts';
import { submitHandler, type ApiDeps } from './handlers.ts';
import { ApiError } from './errors.ts';
import { sendJson } from './respond.ts';
import { SelfWritten, type JsonSink } from './json-bytes.ts';
import type { ValidatedInput } from './validate.ts';

type Handler = (req: Request, res: Response) => void | Promise<void>;

const input = (res: Response): ValidatedInput => res.locals.input as ValidatedInput;

/**
 * The `event` of a listed announcement: describeAnnouncement's summary, written into the answer
 * straight from the TLV bytes (dlc/summary.ts: no decoded objects per listed announcement, issue
 * #21); JSON.stringify and a TLV the writer does not take get the decoder's summary, the same text.
 */
class ListedEvent extends SelfWritten {
  constructor(private readonly tlv: string) {
    super();
  }

  writeJson(sink: JsonSink): boolean {
    return writeAnnouncementSummary(this.tlv, sink);
  }

  toJSON(): AnnouncementSummary {
    return describeAnnouncement(decodeAnnouncement(this.tlv));
  }
}

/** The listing wrapper of a stored announcement (`decoded`: its TLV, decoded once by the caller for a single read; a page writes the summary from the TLV). */
function item(e: StoredAnnouncement, decoded?: OracleAnnouncement): { id: string; announcement: unknown; event: unknown; attested: boolean } {
  return { id: e.id, announcement: e.msg, event: decoded ? describeAnnouncement(decoded) : new ListedEvent(e.msg.announcement), attested: e.attestation !== null };
}

/** The attested outcome: the enum string, or the digits' value (a number while exact, else its decimal string); null when not attested. */
function outcomeOf(e: StoredAnnouncement, decoded: OracleAnnouncement): string | number | null {
  if (!e.attestation) return null;
  const d = decoded.event.descriptor;
  const outcomes = e.attestation.decoded.outcomes;
  if (d.kind === 'enum') return outcomes[0] ?? null;
  const v = decodeDigitOutcomes(d, outcomes);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** A DLC proof report as GET /reports lists it, or null. */
function listed(r: StoredReport | null): ReportListing | null {
  return r ? reportListing(r.id, r.msg, null) : null;
}

/** Handlers keyed by the spec's operationId (merged into the app's table in api/app.ts). */
export function createDlcHandlers(deps: Pick<ApiDeps, 'service' | 'isDurable'>): Record<string, Handler> {
  const { service } = deps;
  return {
    postAnnouncement: submitHandler(deps, 'announcement'),
    postAttestation: submitHandler(deps, 'attestation'),

    getAnnouncements: (_req, res) => {
      const q = input(res).query;
      const list = service.listAnnouncements(
        { page: q.page as number, chunkSize: q.chunkSize as number },
        {
          oracle: q.oracle as string | undefined,
          capability: q.capability as string | undefined,
          question: q.question as string | undefined,
          maturityAfter: q.maturityAfter as number | undefined,
          maturityBefore: q.maturityBefore as number | undefined,
          attested: q.attested as boolean | undefined,
        },
      );
      sendJson(res, list.map((e) => item(e)));
    },
    getAnnouncement: (_req, res) => {
      const id = input(res).path.id as string;
      const e = service.getAnnouncement(id);
      if (!e) throw new ApiError(404, 'announcement-not-found', 'no announcement with this id is stored on this node');
      const proofs = service.dlcEvidence(id);
      const decoded = e.decoded;
      sendJson(res, { ...item(e, decoded), attestation: e.attestation?.msg ?? null, outcome: outcomeOf(e, decoded), equivocation: listed(proofs.equivocation), nonceReuse: listed(proofs.nonceReuse) });
    },
    getAttestation: (_req, res) => {
      const id = input(res).path.announcementId as string;
      const e = service.getAnnouncement(id);
      if (!e) throw new ApiError(404, 'announcement-not-found', 'no announcement with this id is stored on this node');
      if (!e.attestation) throw new ApiError(404, 'attestation-not-found', 'the announcement is stored but not attested (yet)');
      sendJson(res, e.attestation.msg);
    },
  };
}
