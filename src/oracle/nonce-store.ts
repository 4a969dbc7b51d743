/** oracle/nonce-store.ts - the secrets behind an oracle's committed nonces: one private file per announcement, written durably before the announcement leaves the process, read once to attest, removed only after the attestation is logged. Imports node:fs, node:path and oracle. */
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, removeDurably, writePrivateFile } from './durable.ts';

/** What is stored for one announcement. */
export interface StoredNonces {
  announcementId: string;
  /** x-only oracle key the nonces belong to. */
  oracleKey: string;
  /** x-only R values, as committed, in order. */
  nonces: string[];
  /** The secrets k (hex), in the same order. Never logged, never printed. */
  secrets: string[];
  /** How the announcement was signed; its attestation is signed the same way. */
  signingVersion: 'dlcspecs-v0' | 'basic-sha256';
  createdAt: string;
}

const ID = /^[0-9a-f]{64}$/;

/** `<dir>/<announcementId>.json`, mode 0600, in a folder of mode 0700. */
export class NonceStore {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    ensurePrivateDir(dir);
  }

  private file(announcementId: string): string {
    if (!ID.test(announcementId)) throw new Error('an announcement id is 64 lowercase hex characters');
    return path.join(this.dir, `${announcementId}.json`);
  }

  /** Store the secrets of a new announcement durably (returns once fsynced). Refuses to overwrite: a nonce is committed once. */
  commit(rec: StoredNonces): void {
    const f = this.file(rec.announcementId);
    if (fs.existsSync(f)) throw new Error(`nonces of announcement ${rec.announcementId} are stored already`);
    writePrivateFile(f, `${JSON.stringify(rec)}\n`);
  }

  /** The stored secrets of an announcement, or undefined when there are none (never committed here, or attested and removed). */
  load(announcementId: string): StoredNonces | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(announcementId), 'utf8')) as StoredNonces;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Ids of the announcements whose secrets are stored. */
  list(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json') && ID.test(f.slice(0, -5)))
      .map((f) => f.slice(0, -5));
  }

  /** Forget the secrets of an attested announcement (after its attestation is logged). */
  remove(announcementId: string): void {
    removeDurably(this.file(announcementId));
  }
}
