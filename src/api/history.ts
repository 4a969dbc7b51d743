/** api/history.ts - 24 h of per-minute monitoring history (admissions, rejections by reason, peers, P2P bytes, memory, disk) in a fixed ring, kept in the data folder across restarts; a damaged file is set aside, never fatal. Imports node:fs and persist's line codec and file helpers; never mempool or p2p. */
import fs from 'node:fs';
import path from 'node:path';
import type { AdmissionResult } from '../service/types.ts';
import { decodeRecords, encodeRecord } from '../persist/codec.ts';
import { syncDir, writeAll } from '../persist/files.ts';
import { HISTORY_FILE, HISTORY_MAX_FILE_BYTES, HISTORY_MAX_REASONS, HISTORY_MINUTES, HISTORY_RESERVE_BYTES } from './constants.ts';

/** One minute. Short keys: the file holds up to 1,440 of these (one checksummed line each). */
export interface MinuteBucket {
  /** Epoch minute (ms / 60,000). */
  m: number;
  /** Admission outcomes in the minute: accepted, duplicate (already known), out-of-shard, rejected. */
  acc: number;
  dup: number;
  oos: number;
  rej: number;
  /** Rejections by reason code; at most HISTORY_MAX_REASONS codes, the rest under `other`. */
  why: Record<string, number>;
  /** Gauges, last sampled value in the minute (null: not sampled in it). */
  peers: number | null;
  rss: number | null;
  heap: number | null;
  diskUsed: number | null;
  diskFree: number | null;
  /** P2P bytes received and sent during the minute. */
  bin: number;
  bout: number;
}

/** What a sample reads (the sampler is injected so tests control it). */
export interface ResourceSample {
  peers: number;
  bytesIn: number;
  bytesOut: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Bytes of the files in the data folder, and free bytes on its volume; null without a data folder. */
  diskUsedBytes: number | null;
  diskFreeBytes: number | null;
}

/** The body of GET /stats/history: column arrays, oldest minute first; null where the node was not running (or had not sampled). */
export interface HistoryView {
  intervalSeconds: number;
  minutes: number;
  from: string;
  to: string;
  /** True when the history is kept in the data folder (survives restarts). */
  persisted: boolean;
  series: {
    accepted: (number | null)[];
    duplicate: (number | null)[];
    outOfShard: (number | null)[];
    rejected: (number | null)[];
    peers: (number | null)[];
    bytesIn: (number | null)[];
    bytesOut: (number | null)[];
    rssBytes: (number | null)[];
    heapUsedBytes: (number | null)[];
    diskUsedBytes: (number | null)[];
    diskFreeBytes: (number | null)[];
  };
  /** Rejections per minute by reason code (0 where none, null where no data). */
  rejectedByReason: Record<string, (number | null)[]>;
}

/** Collaborators. */
export interface HistoryDeps {
  now: () => number;
  sample: () => ResourceSample;
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
}

const MINUTE_MS = 60_000;
const REASON_RE = /^[a-z0-9-]{1,64}$/;

const count = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const gauge = (v: unknown): boolean => v === null || count(v);

function isBucket(v: unknown): v is MinuteBucket {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const b = v as Record<string, unknown>;
  if (!count(b.m) || !count(b.acc) || !count(b.dup) || !count(b.oos) || !count(b.rej) || !count(b.bin) || !count(b.bout)) return false;
  if (!gauge(b.peers) || !gauge(b.rss) || !gauge(b.heap) || !gauge(b.diskUsed) || !gauge(b.diskFree)) return false;
  if (typeof b.why !== 'object' || b.why === null || Array.isArray(b.why)) return false;
  const why = Object.entries(b.why as Record<string, unknown>);
  return why.length <= HISTORY_MAX_REASONS + 1 && why.every(([k, n]) => REASON_RE.test(k) && count(n));
}

/** Free bytes for unprivileged writers on `dir`'s volume; Infinity where statfs is not available. */
function freeBytes(dir: string): number {
  try {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    return Number.POSITIVE_INFINITY;
  }
}

const emptyBucket = (m: number): MinuteBucket => ({ m, acc: 0, dup: 0, oos: 0, rej: 0, why: {}, peers: null, rss: null, heap: null, diskUsed: null, diskFree: null, bin: 0, bout: 0 });

/**
 * The ring: slot `m % HISTORY_MINUTES` holds minute `m` (a slot holding an older minute is reused),
 * so memory is fixed at 1,440 buckets whatever happens. Lifecycle: `load()` once at start (before
 * any admission is counted into it, or the counts merge with the stored minute), then record/sample
 * freely, `save()` every minute and at stop. Writes are whole-file: temp file, fsync, rename, fsync
 * folder, so a crash leaves the old file or the new one, never half of one.
 */
export class StatsHistory {
  private readonly slots: (MinuteBucket | null)[] = new Array<MinuteBucket | null>(HISTORY_MINUTES).fill(null);
  private readonly deps: HistoryDeps;
  private readonly file: string | null;
  /** P2P byte totals at the last sample (the per-minute figure is the difference). */
  private lastBytes: { bytesIn: number; bytesOut: number } | null = null;
  private saveFailed = false;

  /** `dir`: the data folder (null: history in memory only). */
  constructor(dir: string | null, deps: HistoryDeps) {
    this.deps = deps;
    this.file = dir === null ? null : path.join(dir, HISTORY_FILE);
  }

  /** Is the history kept on disk? */
  get persisted(): boolean {
    return this.file !== null;
  }

  /** Count one admission outcome into the current minute. O(1). */
  record(r: AdmissionResult): void {
    const b = this.current();
    switch (r.status) {
      case 'accepted':
        b.acc++;
        return;
      case 'duplicate':
        b.dup++;
        return;
      case 'out-of-shard':
        b.oos++;
        return;
      case 'rejected': {
        b.rej++;
        const key = Object.hasOwn(b.why, r.reason) || Object.keys(b.why).length < HISTORY_MAX_REASONS ? r.reason : 'other';
        b.why[key] = (b.why[key] ?? 0) + 1;
        return;
      }
    }
  }

  /** Read peers, byte totals, memory and disk into the current minute (gauges: the last value wins; bytes: added since the previous sample). Never throws. */
  sample(): ResourceSample | null {
    let s: ResourceSample;
    try {
      s = this.deps.sample();
    } catch (err) {
      this.deps.log.warn({ err }, 'monitoring sample failed');
      return null;
    }
    const b = this.current();
    b.peers = s.peers;
    b.rss = s.rssBytes;
    b.heap = s.heapUsedBytes;
    b.diskUsed = s.diskUsedBytes;
    b.diskFree = s.diskFreeBytes;
    const last = this.lastBytes;
    // Totals are monotonic; a drop means the source restarted, so its whole total is new traffic.
    if (last) {
      b.bin += s.bytesIn >= last.bytesIn ? s.bytesIn - last.bytesIn : s.bytesIn;
      b.bout += s.bytesOut >= last.bytesOut ? s.bytesOut - last.bytesOut : s.bytesOut;
    }
    this.lastBytes = { bytesIn: s.bytesIn, bytesOut: s.bytesOut };
    return s;
  }

  /** Has the current minute been sampled yet? */
  sampledThisMinute(): boolean {
    return this.at(Math.floor(this.deps.now() / MINUTE_MS))?.rss != null;
  }

  /** The last `minutes` minutes (1..1440) up to the current one, as columns. */
  view(minutes = HISTORY_MINUTES): HistoryView {
    const n = Math.max(1, Math.min(HISTORY_MINUTES, Math.floor(minutes)));
    const nowM = Math.floor(this.deps.now() / MINUTE_MS);
    const first = nowM - n + 1;
    const series: HistoryView['series'] = {
      accepted: [],
      duplicate: [],
      outOfShard: [],
      rejected: [],
      peers: [],
      bytesIn: [],
      bytesOut: [],
      rssBytes: [],
      heapUsedBytes: [],
      diskUsedBytes: [],
      diskFreeBytes: [],
    };
    const present: (MinuteBucket | null)[] = [];
    const reasons = new Set<string>();
    for (let m = first; m <= nowM; m++) {
      const b = this.at(m);
      present.push(b);
      if (b) for (const k of Object.keys(b.why)) reasons.add(k);
      series.accepted.push(b ? b.acc : null);
      series.duplicate.push(b ? b.dup : null);
      series.outOfShard.push(b ? b.oos : null);
      series.rejected.push(b ? b.rej : null);
      series.peers.push(b ? b.peers : null);
      series.bytesIn.push(b ? b.bin : null);
      series.bytesOut.push(b ? b.bout : null);
      series.rssBytes.push(b ? b.rss : null);
      series.heapUsedBytes.push(b ? b.heap : null);
      series.diskUsedBytes.push(b ? b.diskUsed : null);
      series.diskFreeBytes.push(b ? b.diskFree : null);
    }
    const rejectedByReason: Record<string, (number | null)[]> = {};
    for (const r of [...reasons].sort()) rejectedByReason[r] = present.map((b) => (b ? (b.why[r] ?? 0) : null));
    return {
      intervalSeconds: MINUTE_MS / 1000,
      minutes: n,
      from: new Date(first * MINUTE_MS).toISOString(),
      to: new Date(nowM * MINUTE_MS).toISOString(),
      persisted: this.persisted,
      series,
      rejectedByReason,
    };
  }

  /**
   * Read the file back (minutes older than 24 h are dropped, as are minutes in the future). A file
   * with damaged lines is renamed to `monitor-history.damaged-<time>.log` (kept for the operator,
   * never read again) and its intact lines are used; an unreadable or oversized one is set aside
   * whole. Never throws.
   */
  load(): { minutes: number; corrupt: number; setAside: string | null } {
    const out = { minutes: 0, corrupt: 0, setAside: null as string | null };
    if (!this.file) return out;
    let text: string;
    try {
      const st = fs.statSync(this.file);
      if (st.size > HISTORY_MAX_FILE_BYTES) throw Object.assign(new Error(`${st.size} bytes, more than ${HISTORY_MAX_FILE_BYTES}`), { code: 'EFBIG' });
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      this.deps.log.warn({ err, file: this.file }, 'monitoring history unreadable: set aside, starting empty');
      out.setAside = this.setAside();
      return out;
    }
    const { records, corrupt } = decodeRecords(text, isBucket);
    const nowM = Math.floor(this.deps.now() / MINUTE_MS);
    for (const b of records) {
      if (b.m > nowM || b.m <= nowM - HISTORY_MINUTES) continue;
      this.slots[b.m % HISTORY_MINUTES] = { ...b, why: { ...b.why } };
      out.minutes++;
    }
    out.corrupt = corrupt;
    if (corrupt > 0) {
      out.setAside = this.setAside();
      this.deps.log.warn({ file: this.file, corrupt, kept: out.minutes, setAside: out.setAside }, 'monitoring history had damaged lines: file set aside, intact minutes kept');
    }
    return out;
  }

  /** Write the ring (whole file, atomically), unless that would leave less than HISTORY_RESERVE_BYTES free for the mempool journal. Returns false when not written (logged once per outage); never throws. */
  save(): boolean {
    if (!this.file) return false;
    const tmp = `${this.file}.tmp`;
    try {
      const nowM = Math.floor(this.deps.now() / MINUTE_MS);
      let text = '';
      for (let m = nowM - HISTORY_MINUTES + 1; m <= nowM; m++) {
        const b = this.at(m);
        if (b) text += encodeRecord(b);
      }
      // The journal comes first: the history is written only while the volume keeps a reserve beyond it.
      if (freeBytes(path.dirname(this.file)) < Buffer.byteLength(text) + HISTORY_RESERVE_BYTES) {
        throw Object.assign(new Error(`less than ${HISTORY_RESERVE_BYTES} bytes would stay free for the journal`), { code: 'ENOSPC' });
      }
      const fd = fs.openSync(tmp, 'w', 0o644);
      try {
        writeAll(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      syncDir(path.dirname(this.file));
      if (this.saveFailed) this.deps.log.info({ file: this.file }, 'monitoring history written again');
      this.saveFailed = false;
      return true;
    } catch (err) {
      if (!this.saveFailed) this.deps.log.warn({ err, file: this.file }, 'cannot write the monitoring history (disk full?); retrying every minute');
      this.saveFailed = true;
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing more to free
      }
      return false;
    }
  }

  private at(m: number): MinuteBucket | null {
    const b = this.slots[((m % HISTORY_MINUTES) + HISTORY_MINUTES) % HISTORY_MINUTES];
    return b && b.m === m ? b : null;
  }

  /** The bucket of the current minute (a clock that steps back counts into the newest minute held). */
  private current(): MinuteBucket {
    const m = Math.floor(this.deps.now() / MINUTE_MS);
    const i = ((m % HISTORY_MINUTES) + HISTORY_MINUTES) % HISTORY_MINUTES;
    const b = this.slots[i];
    if (b && b.m >= m) return b;
    const fresh = emptyBucket(m);
    this.slots[i] = fresh;
    return fresh;
  }

  /** Rename the file out of the way; returns the new name, or null when even that failed. */
  private setAside(): string | null {
    if (!this.file) return null;
    const aside = this.file.replace(/\.log$/, '') + `.damaged-${new Date(this.deps.now()).toISOString().replace(/[:.]/g, '-')}.log`;
    try {
      fs.renameSync(this.file, aside);
      return path.basename(aside);
    } catch (err) {
      this.deps.log.warn({ err, file: this.file }, 'cannot set the damaged monitoring history aside');
      return null;
    }
  }
}
