/** dlc/summary.ts - the display summary of an announcement (describe.ts's fields, same JSON text) written straight from the TLV bytes into a JSON sink, without decoding the TLV into objects: what a listing page writes per announcement (issue #21 lookup). Imports only dlc. */
import { MAX_MESSAGE_BYTES, TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR, TLV_ENUM_EVENT_DESCRIPTOR, TLV_ORACLE_ANNOUNCEMENT, TLV_ORACLE_EVENT } from './constants.ts';

/**
 * Where the summary goes: a JSON text writer (api/json-bytes.ts implements it). `raw` writes text
 * that is already JSON (punctuation, keys, digits); `hex` a quoted lowercase hex string of
 * bytes[start, end); `utf8` a JSON string of the UTF-8 bytes[start, end) (false, having written
 * nothing, when they are not valid UTF-8).
 */
export interface SummarySink {
  raw(json: string): void;
  number(n: number): void;
  hex(bytes: Uint8Array, start: number, end: number): void;
  utf8(bytes: Uint8Array, start: number, end: number): boolean;
}

/** The TLV bytes of the announcement being written (reused: a page writes one at a time). */
let scratch = Buffer.allocUnsafeSlow(1024);

/** Positions found by {@link parse} (module state: no object per announcement). */
let keyAt = 0;
let noncesAt = 0;
let nbNonces = 0;
let maturity = 0;
let descAt = 0;
let descEnd = 0;
let isEnum = false;
let eventIdAt = 0;
let eventIdEnd = 0;
/** Read cursor of the bigsize reader; -1 after a read ran past `limit`. */
let at = 0;

/** BOLT 1 bigsize at `at` (shortest form not checked: the stored TLV was decoded strictly when admitted); -1 when it runs past `limit`. */
function bigsize(b: Buffer, limit: number): number {
  if (at >= limit) return -1;
  const first = b[at++] as number;
  if (first < 0xfd) return first;
  if (first === 0xfd) {
    if (at + 2 > limit) return -1;
    const v = b.readUInt16BE(at);
    at += 2;
    return v;
  }
  if (first === 0xfe) {
    if (at + 4 > limit) return -1;
    const v = b.readUInt32BE(at);
    at += 4;
    return v;
  }
  return -1; // 8-byte lengths: far beyond every limit here
}

/** A dlcspecs string at `at` (bigsize length, then its bytes): its end, or -1. Leaves `at` at its first byte. */
function stringEnd(b: Buffer, limit: number): number {
  const len = bigsize(b, limit);
  if (len < 0 || at + len > limit) return -1;
  return at + len;
}

/** Find the fields of the announcement TLV in `b[0, n)`; false when it is not laid out as one. */
function parse(b: Buffer, n: number): boolean {
  at = 0;
  if (bigsize(b, n) !== TLV_ORACLE_ANNOUNCEMENT) return false;
  const len = bigsize(b, n);
  if (len < 0 || at + len !== n) return false;
  at += 64; // announcement_signature
  keyAt = at;
  at += 32;
  if (at > n || bigsize(b, n) !== TLV_ORACLE_EVENT) return false;
  const evLen = bigsize(b, n);
  if (evLen < 0 || at + evLen !== n) return false;
  if (at + 2 > n) return false;
  nbNonces = b.readUInt16BE(at);
  at += 2;
  noncesAt = at;
  at += 32 * nbNonces;
  if (at + 4 > n) return false;
  maturity = b.readUInt32BE(at);
  at += 4;
  const type = bigsize(b, n);
  if (type !== TLV_ENUM_EVENT_DESCRIPTOR && type !== TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR) return false;
  isEnum = type === TLV_ENUM_EVENT_DESCRIPTOR;
  const dLen = bigsize(b, n);
  if (dLen < 0 || at + dLen > n) return false;
  descAt = at;
  descEnd = at + dLen;
  at = descEnd;
  eventIdEnd = stringEnd(b, n);
  eventIdAt = at;
  return eventIdEnd === n;
}

/** The attestable range of a digits event as decimal strings, per (base, nbDigits): few distinct pairs exist, each computed once. */
const rangeCache = new Map<number, string>();
const RANGE_CACHE_MAX = 256;

function maxOf(base: number, nbDigits: number): string {
  const key = base * 65_536 + nbDigits;
  let s = rangeCache.get(key);
  if (s === undefined) {
    s = (BigInt(base) ** BigInt(nbDigits) - 1n).toString();
    if (rangeCache.size >= RANGE_CACHE_MAX) rangeCache.clear();
    rangeCache.set(key, s);
  }
  return s;
}

/** Two digits, zero-padded. */
function two(out: Pick<SummarySink, 'raw' | 'number'>, v: number): void {
  if (v < 10) out.raw('0');
  out.number(v);
}

/** `new Date(epochS * 1000).toISOString()` as a JSON string, for an integer 0 <= epochS < 2^32 (years 1970-2106: four digits; the caller checks). */
export function writeIsoSeconds(out: Pick<SummarySink, 'raw' | 'number'>, epochS: number): void {
  const days = Math.floor(epochS / 86_400);
  let rest = epochS - days * 86_400;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  out.raw('"');
  out.number(year);
  out.raw('-');
  two(out, month);
  out.raw('-');
  two(out, day);
  out.raw('T');
  two(out, h);
  out.raw(':');
  two(out, m);
  out.raw(':');
  two(out, rest - m * 60);
  out.raw('.000Z"');
}

/** The enum outcomes (`["a","b"]`) from the descriptor's value; false on a malformed one. */
function writeEnumOutcomes(b: Buffer, out: SummarySink): boolean {
  at = descAt;
  if (at + 2 > descEnd) return false;
  const count = b.readUInt16BE(at);
  at += 2;
  out.raw('[');
  for (let i = 0; i < count; i++) {
    const end = stringEnd(b, descEnd);
    if (end < 0) return false;
    if (i > 0) out.raw(',');
    if (!out.utf8(b, at, end)) return false;
    at = end;
  }
  out.raw(']');
  return at === descEnd;
}

/** One row's values of a digits layout: ["0",…,"base-1"], or {"from":"0","to":"base-1"} above base 64 (dlc/outcomes.ts outcomeLayout). */
function writeDigitValues(out: SummarySink, base: number): void {
  if (base > 64) {
    out.raw('{"from":"0","to":"');
    out.number(base - 1);
    out.raw('"}');
    return;
  }
  out.raw('[');
  for (let v = 0; v < base; v++) {
    out.raw(v === 0 ? '"' : ',"');
    out.number(v);
    out.raw('"');
  }
  out.raw(']');
}

/** The digits layout and the `numeric` member; false on a malformed descriptor. */
function writeDigits(b: Buffer, out: SummarySink): boolean {
  at = descAt;
  if (at + 3 > descEnd) return false;
  const base = b.readUInt16BE(at);
  const signByte = b[at + 2] as number;
  if (signByte > 1) return false;
  const isSigned = signByte === 1;
  at += 3;
  const unitEnd = stringEnd(b, descEnd);
  if (unitEnd < 0 || unitEnd + 6 !== descEnd) return false;
  const unitAt = at;
  const precision = b.readInt32BE(unitEnd);
  const nbDigits = b.readUInt16BE(unitEnd + 4);
  out.raw('[');
  let pos = 0;
  if (isSigned) {
    out.raw('{"position":0,"values":["+","-"]}');
    pos = 1;
  }
  for (let i = 0; i < nbDigits; i++, pos++) {
    out.raw(pos === 0 ? '{"position":' : ',{"position":');
    out.number(pos);
    out.raw(',"values":');
    writeDigitValues(out, base);
    out.raw('}');
  }
  out.raw('],"numeric":{"base":');
  out.number(base);
  out.raw(isSigned ? ',"isSigned":true,"unit":' : ',"isSigned":false,"unit":');
  if (!out.utf8(b, unitAt, unitEnd)) return false;
  out.raw(',"precision":');
  out.number(precision);
  out.raw(',"nbDigits":');
  out.number(nbDigits);
  const max = maxOf(base, nbDigits);
  out.raw(isSigned ? ',"min":"-' : ',"min":"0');
  if (isSigned) out.raw(max);
  out.raw('","max":"');
  out.raw(max);
  out.raw('"}');
  return true;
}

/**
 * Write `JSON.stringify(describeAnnouncement(decodeAnnouncement(tlvHex)))` (dlc/describe.ts) into
 * `out`, reading the fields from the TLV bytes: no decoded objects, strings or arrays. For a TLV the
 * decoder accepted (a stored announcement). False when the bytes are not laid out as an
 * announcement or a string is not UTF-8: the caller then discards what was written and takes the
 * decoder (which throws what it throws). Not re-entrant (one module scratch).
 */
export function writeAnnouncementSummary(tlvHex: string, out: SummarySink): boolean {
  const n = tlvHex.length >> 1;
  if (n * 2 !== tlvHex.length || n > MAX_MESSAGE_BYTES) return false;
  if (scratch.length < n) scratch = Buffer.allocUnsafeSlow(Math.max(n, scratch.length * 2));
  const b = scratch;
  // Buffer#write stops at the first character that is not hex.
  if (b.write(tlvHex, 0, n, 'hex') !== n || !parse(b, n)) return false;
  out.raw('{"oracleKey":');
  out.hex(b, keyAt, keyAt + 32);
  out.raw(',"eventId":');
  if (!out.utf8(b, eventIdAt, eventIdEnd)) return false;
  out.raw(',"maturityEpoch":');
  out.number(maturity);
  out.raw(',"maturity":');
  writeIsoSeconds(out, maturity);
  out.raw(',"nonces":[');
  for (let i = 0; i < nbNonces; i++) {
    if (i > 0) out.raw(',');
    out.hex(b, noncesAt + 32 * i, noncesAt + 32 * i + 32);
  }
  if (isEnum) {
    out.raw('],"kind":"enum","outcomes":');
    if (!writeEnumOutcomes(b, out)) return false;
  } else {
    out.raw('],"kind":"digits","outcomes":');
    if (!writeDigits(b, out)) return false;
  }
  out.raw('}');
  return true;
}
