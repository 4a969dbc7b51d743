/** mempool/announcements.ts - the DLC announcement store: entries with their attestation (the message, and only the decoded fields the indexes read), per-capability and global PoW rank, count and byte bounds, the nonce index, expiry by the injected clock, maturity-ordered listings and the short-version index. Entries are mempool/announcement-entry.ts. Imports protocol, dlc types and mempool internals only. */
import { shortId } from '../protocol/ids.ts';
import type { Announcement, Attestation, DlcSigningVersion, Verified } from '../protocol/types.ts';
import type { OracleAnnouncement, OracleAttestation } from '../dlc/index.ts';
import { AnnouncementEntry, AttestationEntry, dlcKeyOf, nonceKey, type StoredAnnouncement } from './announcement-entry.ts';
import { MaturityIndex, NonceIndex } from './announcement-index.ts';
import { jsonBytes } from './byte-budget.ts';
import { RankedSet } from './ranked-set.ts';
import { questionWords } from './text-index.ts';
import type { EvictedEvent, InventoryEntry, Page } from './types.ts';

/** Limits and retention (the config slice). */
export interface AnnouncementOptions {
  /** Announcements per capability; past it the lowest PoW goes first. */
  maxAnnouncementsPerCapability: number;
  /** Announcements in all. */
  maxAnnouncements: number;
  /** JSON bytes of every stored announcement and attestation. */
  maxAnnouncementBytes: number;
  /** The oracle has until maturity + this to attest; an unattested announcement is kept until maturity + twice this (the second period is when a fact-missing may name it and a late attestation still answers it, docs/PROTOCOL.md 8.3). */
  announcementGraceMs: number;
  /** An attested announcement is kept until maturity + this. */
  attestedRetentionMs: number;
}

export type { StoredAnnouncement, StoredAttestation } from './announcement-entry.ts';

/** What an add did: like the mempool's AddResult, with the announcement-specific refusals. */
export type AnnouncementAdd =
  | { status: 'accepted'; replaced: boolean; evicted: EvictedEvent[] }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: 'rank-too-low' | 'announcement-expired' | 'announcement-not-found'; message: string };

/** Filters of a listing; all given must match. Maturity bounds are epoch seconds, inclusive. */
export interface AnnouncementFilter {
  oracle?: string;
  capability?: string;
  question?: string;
  maturityAfter?: number;
  maturityBefore?: number;
  attested?: boolean;
}

const tie = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);
/** Rank, ascending: PoW difficulty, then id (larger = lower), the same total order on every node. */
const compareRank = (a: StoredAnnouncement, b: StoredAnnouncement): number => a.msg.pow.difficulty - b.msg.pow.difficulty || tie(a.id, b.id);
/** Expiry order, ascending: the sweep takes from the front. */
const compareExpiry = (a: StoredAnnouncement, b: StoredAnnouncement): number => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Does `have` hold every word of `want`? */
function hasAll(have: readonly string[], want: readonly string[]): boolean {
  for (let i = 0; i < want.length; i++) if (!have.includes(want[i] as string)) return false;
  return true;
}

const held = (e: StoredAnnouncement): number => e.bytes + (e.attestation?.bytes ?? 0);
/** Maturity-index keys of the two disjoint halves (every announcement is in one): attested, unattested. An unfiltered listing walks both, merged. */
const ATTESTED = 'a';
const UNATTESTED = 'u';
const ALL = '*';

/**
 * Stored announcements and their attestations. Every lookup is a map or an ordered walk; nothing
 * scans the store. Contract with the Mempool that owns it: it emits the events for what the
 * returned `evicted` lists name.
 */
export class AnnouncementStore {
  private readonly opts: AnnouncementOptions;
  private readonly now: () => number;
  private readonly byId = new Map<string, StoredAnnouncement>();
  /** Short version id -> the announcement (or the announcement of the attestation) it names. */
  private readonly byVersion = new Map<string, StoredAnnouncement>();
  /** (DLC key, nonce) -> the stored announcement committing that nonce. */
  private readonly nonces = new NonceIndex<StoredAnnouncement>(dlcKeyOf);
  private readonly rank = new RankedSet<StoredAnnouncement>(compareRank);
  private readonly perCapability = new Map<string, RankedSet<StoredAnnouncement>>();
  private readonly expiry = new RankedSet<StoredAnnouncement>(compareExpiry);
  /** Maturity order: `a` (attested), `u` (unattested), `o:<oraclePubKey>`, `c:<capabilityPubKey>`, `w:<word>`. */
  private readonly maturity = new MaturityIndex<StoredAnnouncement>();
  private totalBytes = 0;
  private attested = 0;
  /** Told every short id that leaves the version index (replaced or removed): the intake remembers it from then (service/intake.ts). */
  private readonly onRetired: (vid: string) => void;

  constructor(opts: AnnouncementOptions, now: () => number, onRetired: (vid: string) => void = () => {}) {
    for (const k of ['maxAnnouncementsPerCapability', 'maxAnnouncements', 'maxAnnouncementBytes'] as const) {
      if (!(opts[k] >= 1)) throw new RangeError(`announcement store ${k} must be >= 1`);
    }
    this.opts = opts;
    this.now = now;
    this.onRetired = onRetired;
  }

  /** Stored announcements, attestations, and their JSON bytes. */
  counts(): { announcements: number; attestations: number; bytes: number } {
    return { announcements: this.byId.size, attestations: this.attested, bytes: this.totalBytes };
  }

  get(id: string): StoredAnnouncement | undefined {
    return this.byId.get(id);
  }

  /** The stored announcement of `oracleKey` that committed `nonce`. */
  byNonce(oracleKey: string, nonce: string): StoredAnnouncement | undefined {
    return this.nonces.get(oracleKey, nonce);
  }

  /** Expiry of an announcement maturing at `maturityEpoch` (s), attested or not: unattested ones stay a second grace period, while a fact-missing may name them. */
  expiresAt(maturityEpoch: number, attested: boolean): number {
    return maturityEpoch * 1000 + (attested ? this.opts.attestedRetentionMs : 2 * this.opts.announcementGraceMs);
  }

  /** Cheap check before signatures: duplicate, expired, or too low to enter a full capability or store. */
  precheck(msg: Announcement, id: string, maturityEpoch: number): AnnouncementAdd | null {
    const stored = this.byId.get(id);
    if (stored) {
      // The same TLV under another oracle or capability key (two capabilities may bind one DLC key): the
      // event is stored and indexed under the first one's keys; a copy under other keys is a duplicate, not
      // an upgrade (replacing the message would leave it indexed under keys it no longer carries).
      if (msg.oraclePubKey !== stored.msg.oraclePubKey || msg.capabilityPubKey !== stored.msg.capabilityPubKey) return { status: 'duplicate' };
      return msg.pow.difficulty > stored.msg.pow.difficulty ? null : { status: 'duplicate' };
    }
    if (this.expiresAt(maturityEpoch, false) <= this.now()) {
      return { status: 'rejected', reason: 'announcement-expired', message: 'the event matured more than twice announcementGraceMs ago unattested; this node no longer keeps it' };
    }
    return this.plan(msg.pow.difficulty, jsonBytes(msg), id, msg.capabilityPubKey) ? null : this.tooLow();
  }

  /**
   * Store an announcement (new, or the same TLV with more PoW). `words`: its capability's question.
   * Refused for rank when the capability or the store is full and nothing ranks below it. The
   * owner sweeps expired entries first ({@link sweep}). `decoded` is read here, not kept. Strings
   * of `msg` equal to those of a stored announcement of its capability are replaced by those (the
   * values, and so every answer, stay the same; the copies are freed).
   */
  add(msg: Verified<Announcement>, id: string, decoded: OracleAnnouncement, signingVersion: DlcSigningVersion, question: string, version: string): AnnouncementAdd {
    const pre = this.precheck(msg, id, decoded.event.maturityEpoch);
    if (pre) return pre;
    const evicted: EvictedEvent[] = [];
    const bytes = jsonBytes(msg);
    const stored = this.byId.get(id);
    if (stored) {
      // A PoW upgrade of the same TLV: re-rank, keep everything else.
      this.unrank(stored);
      this.byVersion.delete(stored.version);
      this.onRetired(stored.version);
      this.totalBytes -= stored.bytes;
      // The same TLV (one string: the nonce-index keys are slices of the stored one) and the same keys (precheck).
      if (!Object.isFrozen(msg)) {
        msg.announcement = stored.msg.announcement;
        msg.oraclePubKey = stored.msg.oraclePubKey;
        msg.capabilityPubKey = stored.msg.capabilityPubKey;
      }
      stored.msg = msg;
      stored.version = shortId(version);
      stored.bytes = bytes;
      this.totalBytes += bytes;
      this.byVersion.set(stored.version, stored);
      this.enrank(stored);
      return { status: 'accepted', replaced: true, evicted };
    }
    const victims = this.plan(msg.pow.difficulty, bytes, id, msg.capabilityPubKey) as StoredAnnouncement[];
    for (const v of victims) this.remove(v, evicted);
    const words = this.share(msg, questionWords(question));
    const maturity = decoded.event.maturityEpoch;
    const e = new AnnouncementEntry(id, msg, signingVersion, maturity, words, shortId(version), bytes, this.expiresAt(maturity, false));
    this.byId.set(id, e);
    this.byVersion.set(e.version, e);
    // The rules refuse a nonce already committed; a restore keeps the first one indexed.
    for (const n of decoded.event.nonces) this.nonces.add(decoded.oracleKey, nonceKey(msg.announcement, n), e);
    this.enrank(e);
    this.expiry.add(e);
    for (const k of this.keysOf(e)) this.maturity.add(k, e);
    this.totalBytes += bytes;
    return { status: 'accepted', replaced: false, evicted };
  }

  /** Attach the verified attestation of a stored announcement (the rules checked it and that none is stored). `_id` (SHA-256 of the TLV) and `_decoded` are not kept: both are computed again from the TLV when read. */
  attest(msg: Verified<Attestation>, _id: string, _decoded: OracleAttestation, version: string): AnnouncementAdd {
    const evicted: EvictedEvent[] = [];
    const e = this.byId.get(msg.announcementId);
    if (!e) return { status: 'rejected', reason: 'announcement-not-found', message: 'no stored announcement has this announcementId' };
    if (e.attestation) return { status: 'duplicate' };
    const bytes = jsonBytes(msg);
    // It ranks with its announcement: room is made only from announcements ranking below that one.
    const victims = this.planBytes(e.msg.pow.difficulty, bytes, e);
    if (!victims) return this.tooLow();
    for (const v of victims) this.remove(v, evicted);
    this.expiry.delete(e);
    this.maturity.remove(UNATTESTED, e);
    // Equal to the announcement's id (the rules looked it up by it): one string for both.
    if (!Object.isFrozen(msg)) msg.announcementId = e.id;
    e.attestation = new AttestationEntry(msg, shortId(version), bytes);
    e.expiresAt = this.expiresAt(e.maturityEpoch, true);
    this.expiry.add(e);
    this.maturity.add(ATTESTED, e);
    this.byVersion.set(e.attestation.version, e);
    this.totalBytes += bytes;
    this.attested++;
    return { status: 'accepted', replaced: false, evicted };
  }

  /** Remove every entry whose retention ended by now (earliest first, O(k log n) for k removed). */
  sweep(): EvictedEvent[] {
    const out: EvictedEvent[] = [];
    const now = this.now();
    for (let e = this.expiry.lowest(); e && e.expiresAt <= now; e = this.expiry.lowest()) this.remove(e, out, 'expired');
    return out;
  }

  /** Stored announcements matching `filter`, earliest maturity first (then id). */
  list(page: Page, filter: AnnouncementFilter): StoredAnnouncement[] {
    const words = filter.question === undefined ? [] : questionWords(filter.question);
    if (filter.question !== undefined && words.length === 0) return [];
    // Walk the smallest candidate set; check the other filters per candidate in O(1).
    const keys = [filter.attested === undefined ? ALL : filter.attested ? ATTESTED : UNATTESTED];
    if (filter.oracle !== undefined) keys.push(`o:${filter.oracle}`);
    if (filter.capability !== undefined) keys.push(`c:${filter.capability}`);
    for (const w of words) keys.push(`w:${w}`);
    const size = (k: string): number => (k === ALL ? this.byId.size : this.maturity.size(k));
    let best = keys[0] as string;
    for (const k of keys) if (size(k) < size(best)) best = k;
    const out: StoredAnnouncement[] = [];
    let skip = page.page * page.chunkSize;
    const limit = page.chunkSize;
    if (limit <= 0) return out;
    const before = filter.maturityBefore ?? Infinity;
    const from = filter.maturityAfter ?? 0;
    const { oracle, capability, attested } = filter;
    // One callback for the walk (no iterator or result object per entry visited).
    const visit = (e: StoredAnnouncement): boolean => {
      if (e.maturityEpoch > before) return false;
      if (oracle !== undefined && e.msg.oraclePubKey !== oracle) return true;
      if (capability !== undefined && e.msg.capabilityPubKey !== capability) return true;
      if (attested !== undefined && (e.attestation !== null) !== attested) return true;
      if (words.length > 0 && !hasAll(e.words, words)) return true;
      if (skip > 0) {
        skip--;
        return true;
      }
      out.push(e);
      return out.length < limit;
    };
    if (best === ALL) this.maturity.forEachUnion(ATTESTED, UNATTESTED, from, visit);
    else this.maturity.forEach(best, from, visit);
    return out;
  }

  /** Every stored announcement and attestation, as relay and sync see them (an announcement before its attestation). */
  *inventory(): IterableIterator<InventoryEntry> {
    for (const e of this.byId.values()) {
      yield { kind: 'announcement', id: e.id, version: e.version, msg: e.msg, cTTL: e.msg.cTTL };
      if (e.attestation) yield { kind: 'attestation', id: e.id, version: e.attestation.version, msg: e.attestation.msg, cTTL: null };
    }
  }

  /** The stored item with this inventory id (announcement: its id; attestation: its announcement's id). */
  getByInventoryId(kind: 'announcement' | 'attestation', id: string): InventoryEntry | undefined {
    const e = this.byId.get(id);
    if (!e) return undefined;
    if (kind === 'announcement') return { kind, id, version: e.version, msg: e.msg, cTTL: e.msg.cTTL };
    return e.attestation ? { kind, id, version: e.attestation.version, msg: e.attestation.msg, cTTL: null } : undefined;
  }

  /** The stored announcement or attestation whose current version has this short id. O(1). */
  getByShortId(vid: string): InventoryEntry | undefined {
    const e = this.byVersion.get(vid);
    if (!e) return undefined;
    if (e.version === vid) return { kind: 'announcement', id: e.id, version: vid, msg: e.msg, cTTL: e.msg.cTTL };
    return e.attestation ? { kind: 'attestation', id: e.id, version: vid, msg: e.attestation.msg, cTTL: null } : undefined;
  }

  /** Is a stored announcement's or attestation's current version this short id? O(1). */
  hasVersion(vid: string): boolean {
    return this.byVersion.has(vid);
  }

  /** Number of short ids indexed (equals stored announcements + attestations). */
  get indexedVersions(): number {
    return this.byVersion.size;
  }

  // ---- internals -----------------------------------------------------------------------------

  private tooLow(): AnnouncementAdd {
    return {
      status: 'rejected',
      reason: 'rank-too-low',
      message: `the capability holds ${this.opts.maxAnnouncementsPerCapability} announcements or the node ${this.opts.maxAnnouncements} / ${this.opts.maxAnnouncementBytes} bytes, and this one does not outrank enough of them`,
    };
  }

  /** Victims that make room for a new announcement of `difficulty`, or null when it does not outrank enough of them. */
  private plan(difficulty: number, bytes: number, id: string, capabilityPubKey: string): StoredAnnouncement[] | null {
    const stored = this.byId.get(id);
    if (stored) return []; // a PoW upgrade of the same entry: no count or byte change worth a plan (same TLV)
    const victims: StoredAnnouncement[] = [];
    const cap = this.perCapability.get(capabilityPubKey);
    if (cap && cap.size >= this.opts.maxAnnouncementsPerCapability) {
      const lowest = cap.lowest() as StoredAnnouncement;
      if (lowest.msg.pow.difficulty >= difficulty) return null;
      victims.push(lowest);
    }
    let count = this.byId.size + 1 - victims.length;
    let need = this.totalBytes + bytes - this.opts.maxAnnouncementBytes - victims.reduce((n, v) => n + held(v), 0);
    if (count <= this.opts.maxAnnouncements && need <= 0) return victims;
    for (const v of this.rank.values()) {
      if (v.msg.pow.difficulty >= difficulty) return null;
      if (victims.includes(v)) continue;
      victims.push(v);
      count--;
      need -= held(v);
      if (count <= this.opts.maxAnnouncements && need <= 0) return victims;
    }
    return null;
  }

  /** Victims that free `bytes` for an attestation of `keep`, each ranking below `difficulty`; null when impossible. */
  private planBytes(difficulty: number, bytes: number, keep: StoredAnnouncement): StoredAnnouncement[] | null {
    let need = this.totalBytes + bytes - this.opts.maxAnnouncementBytes;
    const victims: StoredAnnouncement[] = [];
    if (need <= 0) return victims;
    for (const v of this.rank.values()) {
      if (v.msg.pow.difficulty >= difficulty) return null;
      if (v === keep) continue;
      victims.push(v);
      need -= held(v);
      if (need <= 0) return victims;
    }
    return null;
  }

  private enrank(e: StoredAnnouncement): void {
    this.rank.add(e);
    let cap = this.perCapability.get(e.msg.capabilityPubKey);
    if (!cap) {
      cap = new RankedSet(compareRank);
      this.perCapability.set(e.msg.capabilityPubKey, cap);
    }
    cap.add(e);
  }

  private unrank(e: StoredAnnouncement): void {
    this.rank.delete(e);
    const cap = this.perCapability.get(e.msg.capabilityPubKey);
    if (!cap) return;
    cap.delete(e);
    if (cap.size === 0) this.perCapability.delete(e.msg.capabilityPubKey);
  }

  private keysOf(e: StoredAnnouncement): string[] {
    return [e.attestation ? ATTESTED : UNATTESTED, `o:${e.msg.oraclePubKey}`, `c:${e.msg.capabilityPubKey}`, ...e.words.map((w) => `w:${w}`)];
  }

  /**
   * A newcomer's strings made the same strings as a stored announcement of its capability's: its
   * oracle and capability keys in `msg`, and its question words (returned: the stored array when
   * equal). The values do not change, so no answer does; only the duplicate copies go. A frozen
   * message (an embedding caller's) is kept as it is.
   */
  private share(msg: Verified<Announcement>, words: string[]): readonly string[] {
    const peer = this.perCapability.get(msg.capabilityPubKey)?.lowest();
    if (!peer || peer.msg.oraclePubKey !== msg.oraclePubKey || Object.isFrozen(msg)) return words;
    msg.oraclePubKey = peer.msg.oraclePubKey;
    msg.capabilityPubKey = peer.msg.capabilityPubKey;
    return peer.words.length === words.length && peer.words.every((w, i) => w === words[i]) ? peer.words : words;
  }

  /** Remove an announcement with its attestation; the evictions are appended to `out`. */
  private remove(e: StoredAnnouncement, out: EvictedEvent[], cause: EvictedEvent['cause'] = 'rank'): void {
    if (this.byId.get(e.id) !== e) return;
    this.byId.delete(e.id);
    this.unrank(e);
    this.expiry.delete(e);
    for (const k of this.keysOf(e)) this.maturity.remove(k, e);
    for (const n of e.decoded.event.nonces) this.nonces.remove(n, e);
    this.byVersion.delete(e.version);
    this.onRetired(e.version);
    this.totalBytes -= held(e);
    if (e.attestation) {
      this.byVersion.delete(e.attestation.version);
      this.onRetired(e.attestation.version);
      this.attested--;
      out.push({ kind: 'attestation', id: e.attestation.id, oraclePubKey: e.msg.oraclePubKey, cause });
    }
    out.push({ kind: 'announcement', id: e.id, oraclePubKey: e.msg.oraclePubKey, cause });
  }
}

/** Defaults of the config keys (src/config/schema.ts documents them). */
export const DEFAULT_ANNOUNCEMENT_OPTIONS: Readonly<AnnouncementOptions> = Object.freeze({
  maxAnnouncementsPerCapability: 1_000,
  maxAnnouncements: 100_000,
  maxAnnouncementBytes: 64 * 1024 * 1024,
  announcementGraceMs: 7 * 24 * 3600 * 1000,
  attestedRetentionMs: 365 * 24 * 3600 * 1000,
});
