/** oracle/durable.ts - durable file operations for the oracle's key material: private files written whole (temp file, fsync, rename, folder fsync) and an exclusive lock with stale-owner takeover. Imports only node:fs and node:path. */
import fs from 'node:fs';
import path from 'node:path';

/** Mode of every file holding key material or nonce secrets: owner read/write only. */
export const PRIVATE_MODE = 0o600;

/** fsync a folder so a rename or unlink inside it survives a power loss (a no-op where folders cannot be fsynced). */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a folder; the rename itself is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * Write `text` to `file` durably and privately: a temp file in the same folder (mode 0600, `wx`),
 * written whole and fsynced, renamed over `file`, then the folder fsynced. When this returns, the
 * content survives kill -9 and power loss; a crash before leaves the old file (or none) and at
 * most a temp file, which {@link writePrivateFile} ignores and overwrites next time.
 */
export function writePrivateFile(file: string, text: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, 'wx', PRIVATE_MODE);
  try {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(dir);
}

/** Remove `file` durably (the folder is fsynced); absent is fine. */
export function removeDurably(file: string): void {
  fs.rmSync(file, { force: true });
  fsyncDir(path.dirname(file));
}

/** Create `dir` (and parents) with owner-only access if missing; refuse a path that is not a folder. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take `<dir>/<name>` for this process: created exclusively with our pid; one naming a dead process
 * (kill -9) is taken over; one naming a live process makes this throw at once (no waiting).
 * Returns the function that releases it.
 */
export function acquireDirLock(dir: string, name = 'LOCK'): () => void {
  const lock = path.join(dir, name);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', PRIVATE_MODE);
      try {
        fs.writeSync(fd, String(process.pid));
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw new Error(`${dir} is in use by process ${owner}`);
      fs.rmSync(lock, { force: true }); // left by a process that died (or by this one, pid reused)
    }
  }
  return () => fs.rmSync(lock, { force: true });
}

/**
 * Hold the folder's `LOCK` while `fn` runs, so two signers never work on one state folder at once
 * (two attestations racing past the log check). A LOCK naming a dead process (kill -9) is taken
 * over; one naming a live process makes this throw at once (no waiting).
 */
export function withDirLock<T>(dir: string, fn: () => T): T {
  const release = acquireDirLock(dir);
  try {
    return fn();
  } finally {
    release();
  }
}
