/** api/rejections.ts - the recent rejections of GET /stats/rejections: a ring bounded by count and bytes of {time, kind, reason, source, from, id, message}, newest first. Imports service types only. */
import type { AdmissionResult } from '../service/types.ts';
import { REJECTIONS_MAX, REJECTIONS_MAX_BYTES } from './constants.ts';

/** Which door the item came through. */
export type RejectionSource = 'peer' | 'rest' | 'local';

/** One refused item. `message` and `id` may carry text derived from the network: show them as text only. */
export interface RecentRejection {
  time: string;
  kind: string;
  reason: string;
  source: RejectionSource;
  /** The submitter: `<ip>:<port>` of a peer, `<ip>` of a REST client, `local`. */
  from: string;
  /** Inventory id when it was known (null: refused before it could be computed, e.g. schema). */
  id: string | null;
  message: string;
}

/** The body of GET /stats/rejections. */
export interface RejectionsView {
  maxEntries: number;
  maxBytes: number;
  /** Rejections recorded since start (also those that left the ring). */
  total: number;
  recent: RecentRejection[];
}

const MAX_MESSAGE_CHARS = 240;
const MAX_ID_CHARS = 80;
const MAX_FROM_CHARS = 80;
/** Fixed JSON overhead of an entry (keys, quotes, time), for the byte bound. */
const ENTRY_OVERHEAD_BYTES = 120;

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** `http:<ip>` -> rest, `p2p:<ip>:<port>` -> peer, anything else local. */
export function sourceOf(sourceId: string): { source: RejectionSource; from: string } {
  if (sourceId.startsWith('p2p:')) return { source: 'peer', from: clip(sourceId.slice(4), MAX_FROM_CHARS) };
  if (sourceId.startsWith('http:')) return { source: 'rest', from: clip(sourceId.slice(5), MAX_FROM_CHARS) };
  return { source: 'local', from: clip(sourceId, MAX_FROM_CHARS) };
}

/** Bounded ring: the oldest entries leave first when either bound is passed. O(1) amortised per record. */
export class RecentRejections {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  /** Oldest first; `head` is the index of the oldest live entry (compacted lazily). */
  private entries: { at: number; e: Omit<RecentRejection, 'time'>; bytes: number }[] = [];
  private head = 0;
  private bytes = 0;
  private total = 0;

  constructor(now: () => number, maxEntries = REJECTIONS_MAX, maxBytes = REJECTIONS_MAX_BYTES) {
    this.now = now;
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** Keep `r` if it is a rejection (other outcomes are ignored). */
  record(r: AdmissionResult, sourceId: string): void {
    if (r.status !== 'rejected') return;
    this.total++;
    const { source, from } = sourceOf(sourceId);
    // The time is kept as a number and formatted when viewed: a flood of refusals costs no date strings.
    const e: Omit<RecentRejection, 'time'> = {
      kind: r.kind,
      reason: r.reason,
      source,
      from,
      id: r.id === null ? null : clip(r.id, MAX_ID_CHARS),
      message: clip(r.message, MAX_MESSAGE_CHARS),
    };
    const bytes = ENTRY_OVERHEAD_BYTES + e.kind.length + e.reason.length + e.from.length + (e.id?.length ?? 0) + Buffer.byteLength(e.message);
    this.entries.push({ at: this.now(), e, bytes });
    this.bytes += bytes;
    while (this.entries.length - this.head > this.maxEntries || this.bytes > this.maxBytes) {
      const old = this.entries[this.head++] as { bytes: number };
      this.bytes -= old.bytes;
    }
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Newest first. */
  view(): RejectionsView {
    const recent: RecentRejection[] = [];
    for (let i = this.entries.length - 1; i >= this.head; i--) {
      const x = this.entries[i] as { at: number; e: Omit<RecentRejection, 'time'> };
      recent.push({ time: new Date(x.at).toISOString(), ...x.e });
    }
    return { maxEntries: this.maxEntries, maxBytes: this.maxBytes, total: this.total, recent };
  }

  /** Entries and bytes held now (tests check the bounds). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.length - this.head, bytes: this.bytes };
  }
}
