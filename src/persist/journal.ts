/** persist/journal.ts - whole-record journal writes (complete, or cut back to the last complete record), the bounded queue of changes held while the disk refuses writes, and the free-space probe. Imports only node:fs and node:path. */
import fs from 'node:fs';
import path from 'node:path';

/** How often a failing journal is probed for space while an outage lasts. */
export const PROBE_INTERVAL_MS = 1_000;
/** Bytes the probe must be able to write before writes are retried (a few dozen records; a 1-byte write can succeed in a block's slack on a full disk). */
export const PROBE_BYTES = 64 * 1024;
/** Changes held in memory while the journal cannot be written, at most this many... */
export const MAX_HELD_CHANGES = 10_000;
/** ...and at most this many bytes of encoded records; past either limit the queue is dropped and a full snapshot replaces it. */
export const MAX_HELD_CHANGE_BYTES = 16 * 1024 * 1024;

/** Name of the probe file in the data folder (deleted right after each probe). */
const PROBE_FILE = 'probe.tmp';

/** Outcome of one whole-record write. */
export type AppendResult = { ok: true } | { ok: false; err: unknown; cut: boolean };

/**
 * Append all of `buf` to the journal open at `fd` (O_APPEND) whose complete records end at `size`,
 * or none of it. `fs.writeSync` may write fewer bytes than asked when the disk fills mid-record (a
 * short write is not an exception), so the count is checked and the rest retried; the first error
 * cuts the file back to `size`, so a fragment never stays for a later record to be glued onto.
 * `cut: false` means that truncate failed too: the caller must cut before its next write.
 */
export function appendWhole(fd: number, buf: Buffer, size: number): AppendResult {
  let off = 0;
  try {
    while (off < buf.length) {
      const n = fs.writeSync(fd, buf, off, buf.length - off);
      if (n <= 0) throw Object.assign(new Error('journal write made no progress'), { code: 'EIO' });
      off += n;
    }
    return { ok: true };
  } catch (err) {
    if (off === 0) return { ok: false, err, cut: true }; // nothing reached the file
    try {
      fs.ftruncateSync(fd, size);
      return { ok: false, err, cut: true };
    } catch {
      return { ok: false, err, cut: false };
    }
  }
}

/**
 * True when `dir` can take {@link PROBE_BYTES} more bytes right now: writes and deletes a probe
 * file. Never throws.
 */
export function hasHeadroom(dir: string): boolean {
  const p = path.join(dir, PROBE_FILE);
  let fd: number | null = null;
  try {
    fd = fs.openSync(p, 'w');
    const r = appendWhole(fd, Buffer.alloc(PROBE_BYTES), 0);
    return r.ok;
  } catch {
    return false;
  } finally {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // closing a probe file cannot lose data
      }
    }
    fs.rmSync(p, { force: true });
  }
}

/**
 * Journal lines of changes made while the journal could not be written, in order, bounded by
 * count and bytes. When a bound is passed the queue is emptied and `overflowed` is set: the
 * changes are then made durable by a full snapshot of the mempool instead of by replaying them.
 */
export class HeldChanges {
  private lines: string[] = [];
  private bytes = 0;
  /** True once changes were dropped from the queue: only a snapshot of the whole mempool restores durability. */
  overflowed = false;

  /** Hold one encoded record. */
  push(line: string): void {
    const n = Buffer.byteLength(line);
    if (this.lines.length >= MAX_HELD_CHANGES || this.bytes + n > MAX_HELD_CHANGE_BYTES) {
      this.lines = [];
      this.bytes = 0;
      this.overflowed = true;
    }
    this.lines.push(line);
    this.bytes += n;
  }

  /** Held records, oldest first. */
  get count(): number {
    return this.lines.length;
  }

  /** The oldest held line, if any. */
  peek(): string | undefined {
    return this.lines[0];
  }

  /** Drop the oldest held line (it was written). */
  shift(): void {
    const l = this.lines.shift();
    if (l !== undefined) this.bytes -= Buffer.byteLength(l);
  }

  /** Forget everything held (a snapshot now covers it). */
  clear(): void {
    this.lines = [];
    this.bytes = 0;
    this.overflowed = false;
  }
}
