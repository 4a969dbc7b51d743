/**
 * wallet/files.ts - the wallet's two files on disk: the seed (BIP39 mnemonic, 0600, created once and
 * atomically) and the state (JSON, replaced atomically: tmp + fsync + rename + dir fsync). Imports
 * node:fs, node:path and the wallet's errors/constants.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MAX_SEED_BYTES, MAX_STATE_BYTES } from './constants.ts';
import { WalletError } from './errors.ts';

/** fsync a folder so a rename or link in it survives a crash. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a folder; the rename/link is atomic anyway.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeFully(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length; ) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    off += n;
  }
}

/** Read at most `max` bytes of a file; null when it does not exist. Throws corrupt-state when it is larger. */
function readBounded(p: string, max: number): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > max) throw new WalletError('corrupt-state', `${p}: ${size} bytes, more than the ${max}-byte limit`);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n <= 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Create the seed file holding `mnemonic`, exclusively: it is written to a private temp file (O_EXCL,
 * 0600, fsync) and hard-linked into place, which fails if a seed already exists, so two starts can
 * never overwrite each other's seed and a crash never leaves a half-written seed under the real
 * name. Returns false when a seed file already exists.
 */
export function createSeedFile(p: string, mnemonic: string): boolean {
  const tmp = `${p}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // the umask cannot widen it, but be explicit
    writeFully(fd, Buffer.from(`${mnemonic}\n`));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
    syncDir(path.dirname(p));
  }
  return true;
}

/** The mnemonic in the seed file, or null when there is none. Refuses a file group or others may read (code `seed`). */
export function readSeedFile(p: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new WalletError('seed', `${p}: mode ${(st.mode & 0o777).toString(8)} lets others read the seed; chmod 600 it`);
  }
  const buf = readBounded(p, MAX_SEED_BYTES);
  if (buf === null) return null;
  return buf.toString('utf8').trim().split(/\s+/).join(' ');
}

/** The state file's text, or null when there is none. */
export function readStateFile(p: string): string | null {
  const buf = readBounded(p, MAX_STATE_BYTES);
  return buf === null ? null : buf.toString('utf8');
}

/** Replace the state file with `text` durably: tmp (0600) + fsync + rename + folder fsync. Throws `limit` when too large. */
export function writeStateFile(p: string, text: string): void {
  const buf = Buffer.from(text);
  if (buf.length > MAX_STATE_BYTES) throw new WalletError('limit', `wallet state would be ${buf.length} bytes, more than ${MAX_STATE_BYTES}`);
  const tmp = `${p}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    writeFully(fd, buf);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, p);
  syncDir(path.dirname(p));
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
 * Claim the wallet folder for this process: two traders on one wallet would hand out the same
 * addresses and reserve the same coins. A lock file naming another live process -> `in-use`; one
 * left by a dead process (kill -9) is taken over. The lock is never removed: a stale one is harmless.
 */
export function lockWalletDir(p: string): void {
  let text = '';
  try {
    text = fs.readFileSync(p, 'utf8').slice(0, 32);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const owner = Number.parseInt(text, 10);
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new WalletError('in-use', `${p}: the wallet is in use by process ${owner}; give each trader its own wallet folder`);
  }
  const tmp = `${p}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, String(process.pid), { mode: 0o600 });
  fs.renameSync(tmp, p);
}
