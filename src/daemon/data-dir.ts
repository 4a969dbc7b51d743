/** daemon/data-dir.ts - make sure the data folder is a plain, writable directory before anything is stored there, failing fast with a clear message (issue #19: `"dataDir": "/proc/…"` made Node's recursive mkdir spin at 100 % CPU). Imports only node built-ins. */
import fs from 'node:fs';
import path from 'node:path';
import type { MegaConfig } from '../config/schema.ts';

/** The configured data folder with `{p2pPort}` filled in (so nodes on one machine never share one), or null for memory only. */
export function dataDirOf(c: Pick<MegaConfig, 'dataDir' | 'p2pPort'>): string | null {
  return c.dataDir === null ? null : c.dataDir.replaceAll('{p2pPort}', String(c.p2pPort));
}

/** Why the data folder cannot be used (the message names the folder and what is wrong). */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** Pseudo file systems that look like folders but hold no files (statfs f_type, linux/magic.h). */
const PSEUDO_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
]);

function fsTypeOf(dir: string): string | null {
  try {
    return PSEUDO_FS.get(Number(fs.statfsSync(dir).type)) ?? null;
  } catch {
    return null;
  }
}

/**
 * Create `dir` (and missing parents) one level at a time and check that it is a writable directory
 * on a real file system: every failure is a DataDirError at once. Node's own
 * `mkdirSync(dir, {recursive: true})` is not used: under /proc it loops forever.
 */
export function ensureDataDir(dir: string): void {
  const abs = path.resolve(dir);
  // Nearest existing ancestor first: it must be a directory on a real file system.
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new DataDirError(`dataDir ${dir}: a part of the path is a file, not a directory`);
      if (code !== 'ENOENT') throw new DataDirError(`dataDir ${dir}: cannot read ${cur} (${code})`);
    }
    if (st) {
      if (!st.isDirectory()) throw new DataDirError(`dataDir ${dir}: ${cur} exists and is not a directory`);
      break;
    }
    missing.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) throw new DataDirError(`dataDir ${dir}: no existing parent folder`);
    cur = up;
  }
  const pseudo = fsTypeOf(cur);
  if (pseudo) throw new DataDirError(`dataDir ${dir}: ${cur} is on ${pseudo}, a kernel pseudo file system that cannot hold data; choose a folder on a disk`);
  for (const m of missing) {
    try {
      fs.mkdirSync(m, { mode: 0o700 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new DataDirError(`dataDir ${dir}: cannot create ${m} (${code ?? (e as Error).message})`);
    }
  }
  const st = fs.statSync(abs);
  if (!st.isDirectory()) throw new DataDirError(`dataDir ${dir}: not a directory`);
  // Writable for real (access() says yes to root on a read-only mount): create and remove a probe file.
  const probe = path.join(abs, `.write-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '', { flag: 'wx' });
    fs.rmSync(probe);
  } catch (e) {
    throw new DataDirError(`dataDir ${dir}: not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
