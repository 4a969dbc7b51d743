/** persist/codec.ts - the line format of the journal and the snapshot: one checksummed JSON record per line, and a decoder that skips torn or corrupt lines. Imports only node:crypto. */
import crypto from 'node:crypto';

/** Hex characters of SHA-256 kept as the per-line check (64 bits: a torn or flipped line passes with odds 2^-64). */
export const CHECK_HEX_CHARS = 16;

/** One line: `<check> <json>\n`, where check = first 16 hex chars of SHA-256(json). JSON.stringify escapes newlines, so a record never spans lines. */
export function encodeRecord(record: unknown): string {
  const json = JSON.stringify(record);
  return `${checkOf(json)} ${json}\n`;
}

/** What a decode found. */
export interface DecodeResult<T> {
  records: T[];
  /** Lines whose check, JSON or shape was wrong (skipped, never fatal). */
  corrupt: number;
  /** True when the data did not end with a newline: the last write was torn (e.g. kill -9 or power loss mid-append). */
  tornTail: boolean;
}

/**
 * Decode every line of `text`. A line is kept only if its check matches and it parses to an object
 * that `isRecord` accepts; anything else is counted and skipped, so a corrupt file never stops a start.
 */
export function decodeRecords<T>(text: string, isRecord: (v: unknown) => v is T): DecodeResult<T> {
  const records: T[] = [];
  let corrupt = 0;
  const tornTail = text.length > 0 && !text.endsWith('\n');
  const lines = text.split('\n');
  // The piece after the last newline is either empty or a torn record: never trust it.
  const complete = lines.slice(0, -1);
  if (tornTail) corrupt++;
  for (const line of complete) {
    if (line.length === 0) continue;
    const sp = line.indexOf(' ');
    if (sp !== CHECK_HEX_CHARS) {
      corrupt++;
      continue;
    }
    const json = line.slice(sp + 1);
    if (checkOf(json) !== line.slice(0, sp)) {
      corrupt++;
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch {
      corrupt++;
      continue;
    }
    if (isRecord(v)) records.push(v);
    else corrupt++;
  }
  return { records, corrupt, tornTail };
}

function checkOf(json: string): string {
  return crypto.hash('sha256', json).slice(0, CHECK_HEX_CHARS);
}
