/** daemon/private-file.ts - durable private files for the daemons' key material and tokens: written whole (temp file 0600, fsync, rename, folder fsync), removed durably, and an exclusive data-dir lock that takes over a dead owner's. Imports only node built-ins. */
import fs from 'node:fs';
import path from 'node:path';

/** Mode of every file holding key material or tokens: owner read/write only. */
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

/** Write `text` to `file` durably with mode 0600: when this returns the content survives kill -9 and power loss; a crash before leaves the old file. */
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
 * (kill -9) is taken over; one naming a live process throws at once, so two daemons never share a
 * data dir (two engines on one contract store could sign two fundings). Returns the release function.
 */
export function acquireDirLock(dir: string, name = 'LOCK'): () => void {
  const lock = path.join(dir, name);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', PRIVATE_MODE);
      try {
        fs.writeSync(fd, String(process.pid));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return () => fs.rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(lock, 'utf8').trim());
      } catch {
        continue; // removed meanwhile: try again
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw new Error(`${dir} is in use by process ${owner} (${lock})`);
      fs.rmSync(lock, { force: true });
    }
  }
  throw new Error(`cannot take ${lock}`);
}
