/** oracle/durable.ts - the oracle's durable file operations: its owner-only folder and an exclusive lock with stale-owner takeover; the private-file primitives are re-exported from daemon/private-file.ts. Imports node:fs, node:path and daemon. */
import fs from 'node:fs';
import path from 'node:path';

// The durable private-file primitives are the daemons' shared ones (daemon/private-file.ts): one implementation.
import { PRIVATE_MODE } from '../daemon/private-file.ts';
export { fsyncDir, PRIVATE_MODE, removeDurably, writePrivateFile } from '../daemon/private-file.ts';

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
