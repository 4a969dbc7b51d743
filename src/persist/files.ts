/** persist/files.ts - file-level helpers of the store: the dataDir LOCK, whole writes, folder fsync. Imports only node:fs and node:path. */
import fs from 'node:fs';
import path from 'node:path';

/** Name of the lock file in the data folder (holds the owner's pid). */
export const LOCK = 'LOCK';

/** Minimal logger this module needs. */
interface WarnLog {
  warn: (o: object, m: string) => void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Two processes appending to one journal would each restore the other's changes: refuse a folder
 * whose LOCK names a live process (throws). A LOCK left by kill -9 names a dead pid and is taken
 * over, rewritten in place (no free space needed). On a full disk a new LOCK may stay empty
 * (warned; an empty LOCK counts as stale). Returns true once the folder is locked.
 */
export function lockDir(dir: string, log: WarnLog): true {
  const p = path.join(dir, LOCK);
  const pid = String(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(p, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let text = '';
      try {
        text = fs.readFileSync(p, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const owner = Number.parseInt(text, 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(`dataDir ${dir} is in use by process ${owner} (its ${LOCK} file); give each node its own dataDir`);
      }
      if (overwrite(p, pid)) return true;
      fs.rmSync(p, { force: true }); // stale: its process is gone
      continue;
    }
    try {
      writeAll(fd, pid);
    } catch (err) {
      log.warn({ err, dir }, `cannot write the pid into ${LOCK} (disk full?): the folder is locked by an empty ${LOCK}`);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  }
  throw new Error(`cannot lock dataDir ${dir}`);
}

/** Write a whole string to `fd` (fs.writeSync may write fewer bytes than asked). Throws on error. */
export function writeAll(fd: number, s: string): void {
  const buf = Buffer.from(s);
  for (let off = 0; off < buf.length; ) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    off += n;
  }
}

/** Rewrite a small existing file in place (no new space needed when it keeps or shrinks its size); false on failure. */
function overwrite(p: string, text: string): boolean {
  try {
    const fd = fs.openSync(p, 'r+');
    try {
      const buf = Buffer.from(text);
      if (fs.writeSync(fd, buf, 0, buf.length, 0) !== buf.length) return false;
      fs.ftruncateSync(fd, buf.length);
      return true;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** fsync a folder so a rename in it is durable. Never throws. */
export function syncDir(dir: string): void {
  try {
    const d = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(d);
    } finally {
      fs.closeSync(d);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
