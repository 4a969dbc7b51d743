/** api/live-subscriptions.ts - what one `/events` client asked for: filters (an oracle, an announcement, a question word, event names) parsed from the upgrade URL, the match of an event against them, and the replay ring that lets a client that reconnects resume after the last sequence number it saw. Pure; imports nothing but types. */
import type { LiveEvent } from './live-events.ts';

/** A client's filters; an absent member matches everything. */
export interface LiveFilter {
  oracle?: string;
  announcement?: string;
  /** Lowercase word that must occur in the event's question. */
  question?: string;
  /** Event names to receive. */
  events?: Set<string>;
}

/** A parsed subscription: its filter (null = everything) and where to resume. */
export interface Subscription {
  filter: LiveFilter | null;
  /** Resume after this sequence number of epoch `epoch`. */
  since?: number;
  epoch?: string;
}

/** Event names a client may ask for (`events=`). */
export const LIVE_EVENT_NAMES = ['mempool:accepted', 'mempool:evicted', 'peer:connect', 'peer:disconnect', 'peer:relay', 'announcement:accepted', 'attestation:accepted', 'offer:accepted', 'report:proof'] as const;

const QUERY_KEYS = new Set(['oracle', 'announcement', 'question', 'events', 'since', 'epoch']);

/** Parse the query of an upgrade URL; an unknown or malformed parameter is an error (HTTP 400 at the upgrade). */
export function parseSubscription(query: URLSearchParams): Subscription | { error: string } {
  for (const k of new Set(query.keys())) {
    if (!QUERY_KEYS.has(k)) return { error: `unknown parameter ${JSON.stringify(k.slice(0, 40))}` };
    if (query.getAll(k).length > 1) return { error: `parameter ${k} given twice` };
  }
  const f: LiveFilter = {};
  const oracle = query.get('oracle');
  if (oracle !== null) {
    if (!/^0[23][0-9a-f]{64}$/.test(oracle)) return { error: 'oracle must be a compressed public key (66 lowercase hex)' };
    f.oracle = oracle;
  }
  const ann = query.get('announcement');
  if (ann !== null) {
    if (!/^[0-9a-f]{64}$/.test(ann)) return { error: 'announcement must be an announcement id (64 lowercase hex)' };
    f.announcement = ann;
  }
  const q = query.get('question');
  if (q !== null) {
    if (!/^[\p{L}\p{N}]{1,64}$/u.test(q)) return { error: 'question must be one word of 1-64 letters or digits' };
    f.question = q.toLowerCase();
  }
  const ev = query.get('events');
  if (ev !== null) {
    const names = ev.split(',');
    const bad = names.find((n) => !(LIVE_EVENT_NAMES as readonly string[]).includes(n));
    if (bad !== undefined) return { error: `events: unknown event ${JSON.stringify(bad.slice(0, 40))} (one of ${LIVE_EVENT_NAMES.join(', ')})` };
    f.events = new Set(names);
  }
  const sub: Subscription = { filter: Object.keys(f).length ? f : null };
  const since = query.get('since');
  const epoch = query.get('epoch');
  if ((since === null) !== (epoch === null)) return { error: 'since and epoch go together (both from the events you received)' };
  if (since !== null && epoch !== null) {
    if (!/^\d{1,15}$/.test(since)) return { error: 'since must be a sequence number' };
    if (!/^[0-9a-f]{16}$/.test(epoch)) return { error: 'epoch must be 16 lowercase hex' };
    sub.since = Number(since);
    sub.epoch = epoch;
  }
  return sub;
}

/** Words of a question, lowercase (letters and digits). */
function hasWord(text: string, word: string): boolean {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).includes(word);
}

/** Does `e` pass filter `f`? Peer events carry no oracle: any oracle/announcement/question filter excludes them. */
export function matches(f: LiveFilter | null, e: LiveEvent): boolean {
  if (!f) return true;
  if (f.events && !f.events.has(e.event)) return false;
  if (e.event === 'hello') return true;
  if (f.oracle !== undefined && (!('oraclePubKey' in e) || e.oraclePubKey !== f.oracle)) return false;
  if (f.announcement !== undefined) {
    const a = f.announcement;
    const hit =
      (e.event === 'announcement:accepted' && e.id === a) ||
      (e.event === 'attestation:accepted' && e.announcementId === a) ||
      (e.event === 'offer:accepted' && e.announcementId === a) ||
      (e.event === 'report:proof' && e.announcementIds.includes(a)) ||
      ((e.event === 'mempool:accepted' || e.event === 'mempool:evicted') && e.type === 'announcement' && e.id === a);
    if (!hit) return false;
  }
  if (f.question !== undefined && !(e.event === 'mempool:accepted' && typeof e.question === 'string' && hasWord(e.question, f.question))) return false;
  return true;
}

/** One remembered event. */
interface Entry {
  seq: number;
  event: LiveEvent;
  data: string;
}

/** The last events sent, bounded by count and bytes, for clients that resume (`since`). */
export class ReplayRing {
  private readonly entries: Entry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  push(seq: number, event: LiveEvent, data: string): void {
    this.entries.push({ seq, event, data });
    this.bytes += data.length;
    while (this.entries.length - this.head > this.maxEntries || this.bytes > this.maxBytes) {
      this.bytes -= (this.entries[this.head] as Entry).data.length;
      this.head++;
    }
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Held entries and bytes. */
  size(): { entries: number; bytes: number } {
    return { entries: this.entries.length - this.head, bytes: this.bytes };
  }

  /**
   * The data of held events after `since` that pass `filter`, at most `limit`; `complete` is false
   * when events after `since` are no longer held or more than `limit` match (the client must list
   * again instead of trusting the feed).
   */
  after(since: number, filter: LiveFilter | null, limit: number): { data: string[]; complete: boolean } {
    const first = this.entries[this.head];
    if (!first) return { data: [], complete: true };
    if (since + 1 < first.seq) return { data: [], complete: false };
    const out: string[] = [];
    // Sequence numbers are contiguous in the ring: the start is an index computation, not a search.
    for (let i = this.head + Math.max(0, since + 1 - first.seq); i < this.entries.length; i++) {
      const e = this.entries[i] as Entry;
      if (!matches(filter, e.event)) continue;
      if (out.length === limit) return { data: [], complete: false };
      out.push(e.data);
    }
    return { data: out, complete: true };
  }
}
