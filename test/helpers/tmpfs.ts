/** test/helpers/tmpfs.ts - a small tmpfs for disk-full tests (needs root; CI runs as root): mount at a unique point under os.tmpdir(), fill it, free part of it, unmount. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A mounted tmpfs. */
export interface Tmpfs {
  dir: string;
  /** Fill every free byte with a filler file (the disk is then full). */
  fill(): void;
  /** Give back `bytes` of the filler (rounded by the filesystem to pages). */
  free(bytes: number): void;
  /** Delete the filler: space returns. */
  empty(): void;
  unmount(): void;
}

/** Why tmpfs tests cannot run here, or null when they can (root and a working `mount -t tmpfs`). */
export function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'disk-full tests need Linux tmpfs';
  if (process.getuid?.() !== 0) return 'disk-full tests mount a tmpfs and need root (CI runs as root)';
  return null;
}

/** Mount a tmpfs of `sizeBytes` at a fresh folder under os.tmpdir(). */
export function mountTmpfs(sizeBytes: number): Tmpfs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(4096);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
    },
    free(bytes) {
      const size = fs.statSync(filler).size;
      fs.truncateSync(filler, Math.max(0, size - bytes));
    },
    empty() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir]); // lazy: detaches even if a failed test left a file open
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
