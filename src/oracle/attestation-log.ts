/** oracle/attestation-log.ts - the oracle's append-only attestation log: one checksummed line per attestation, fsynced before the attestation leaves the process; the record that makes a second, different attestation under the same nonces impossible. Imports only node:fs, node:crypto and oracle. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PRIVATE_MODE } from './durable.ts';

/** One attestation as logged. */
export interface LoggedAttestation {
  /** Hex SHA-256 of the announcement TLV. */
  announcementId: string;
  /** Hex of the oracle_attestation TLV, exactly as published. */
  attestation: string;
  outcomes: string[];
  /** ISO 8601 time of signing. */
  at: string;
}

/** The log cannot be trusted (a damaged line before the end): the oracle must not sign until an operator restores it. */
export class AttestationLogError extends Error {
  override name = 'AttestationLogError';
}

const checksum = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/**
 * Append-only, fsynced JSON lines `{"r": record, "c": sha256(JSON of record)}`. Loading keeps every
 * intact line; a torn last line (a crash mid-append: the attestation never left the process) is cut
 * off; a damaged line anywhere else is an {@link AttestationLogError}: a log with a hole could let
 * the oracle sign a second outcome, so the oracle refuses to attest until it is restored.
 */
export class AttestationLog {
  private readonly file: string;
  private readonly byAnnouncement = new Map<string, LoggedAttestation>();

  constructor(file: string) {
    this.file = file;
    this.load();
  }

  /** The logged attestation of an announcement, if any. */
  get(announcementId: string): LoggedAttestation | undefined {
    return this.byAnnouncement.get(announcementId);
  }

  /** Number of logged attestations. */
  get size(): number {
    return this.byAnnouncement.size;
  }

  /** Append one attestation and fsync it. Throws if one is logged for the announcement already (callers check first). */
  append(rec: LoggedAttestation): void {
    if (this.byAnnouncement.has(rec.announcementId)) throw new Error(`announcement ${rec.announcementId} is attested already`);
    const text = JSON.stringify(rec);
    const line = Buffer.from(`${JSON.stringify({ r: rec, c: checksum(text) })}\n`, 'utf8');
    const fd = fs.openSync(this.file, 'a', PRIVATE_MODE);
    try {
      const start = fs.fstatSync(fd).size;
      let off = 0;
      try {
        while (off < line.length) off += fs.writeSync(fd, line, off, line.length - off);
        fs.fsyncSync(fd);
      } catch (err) {
        // Never leave a fragment a later line would be glued onto.
        fs.ftruncateSync(fd, start);
        throw err;
      }
    } finally {
      fs.closeSync(fd);
    }
    this.byAnnouncement.set(rec.announcementId, rec);
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const lines = text.split('\n');
    const complete = lines.length - 1; // what follows the last newline is torn (or empty)
    let goodBytes = 0;
    for (let i = 0; i < complete; i++) {
      const line = lines[i] as string;
      const rec = parseLine(line);
      if (!rec) {
        const rest = lines.slice(i + 1, complete).some((l) => l.length > 0);
        if (rest) throw new AttestationLogError(`${this.file} line ${i + 1} is damaged: refusing to attest until the log is restored (docs/oracle.md)`);
        break; // the last complete line is damaged: treated as torn
      }
      if (this.byAnnouncement.has(rec.announcementId)) throw new AttestationLogError(`${this.file} line ${i + 1} attests announcement ${rec.announcementId} a second time`);
      this.byAnnouncement.set(rec.announcementId, rec);
      goodBytes += Buffer.byteLength(line, 'utf8') + 1;
    }
    if (goodBytes < Buffer.byteLength(text, 'utf8')) fs.truncateSync(this.file, goodBytes); // cut a torn tail
  }
}

function parseLine(line: string): LoggedAttestation | null {
  try {
    const v = JSON.parse(line) as { r?: LoggedAttestation; c?: unknown };
    if (!v || typeof v !== 'object' || !v.r || typeof v.c !== 'string') return null;
    if (checksum(JSON.stringify(v.r)) !== v.c) return null;
    const r = v.r;
    if (typeof r.announcementId !== 'string' || typeof r.attestation !== 'string' || !Array.isArray(r.outcomes)) return null;
    return r;
  } catch {
    return null;
  }
}
