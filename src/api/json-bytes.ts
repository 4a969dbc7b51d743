/** api/json-bytes.ts - the UTF-8 bytes of JSON.stringify(value), written straight into a reused scratch buffer and copied out once: a response body without the JS strings JSON.stringify builds and flattens (about 2–3 × the body in young-generation garbage per answer). Imports nothing. */

/** Scratch size kept between answers; a larger body grows it for that answer only. */
const KEEP_BYTES = 64 * 1024;
/** Deepest nesting written here; deeper values take JSON.stringify. */
const MAX_DEPTH = 64;

/** Thrown inside the writer when the value is outside what it handles exactly (JSON.stringify then writes it). */
const UNHANDLED = new Error('value not handled by the byte writer');

let buf = Buffer.allocUnsafeSlow(KEEP_BYTES);
let pos = 0;
/** Objects and arrays being written (cycle check). */
const open: object[] = [];
/** A write is under way (re-entry from a getter takes JSON.stringify). */
let writing = false;
/** Depth of the SelfWritten being written (its sink.value calls nest below it). */
let selfDepth = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const bigger = Buffer.allocUnsafeSlow(size);
  buf.copy(bigger, 0, 0, pos);
  buf = bigger;
}

function ascii(s: string): void {
  ensure(s.length);
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
}

/** Does `s`, from index `i` on, hold a character JSON.stringify escapes (quote, backslash, a control) or half of a surrogate pair (escaped when lone)? */
function needsCare(s: string, i: number): boolean {
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** Printable ASCII but the quote and the backslash: written as is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** From this length a plain string is checked by PLAIN and copied by one Buffer.write (latin1: a native copy) rather than byte by byte. */
const LONG_STRING = 48;

function writeString(s: string): void {
  const n = s.length;
  if (n >= LONG_STRING && PLAIN.test(s)) {
    ensure(n + 2);
    buf[pos++] = 0x22;
    pos += buf.write(s, pos, n, 'latin1');
    buf[pos++] = 0x22;
    return;
  }
  // Printable ASCII (keys, short values) byte by byte, with no call out of JS.
  ensure(n + 2);
  const start = pos;
  buf[pos++] = 0x22;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
    buf[pos++] = c;
  }
  if (i === n) {
    buf[pos++] = 0x22;
    return;
  }
  pos = start;
  // JSON.stringify's own escaping where needed; otherwise the characters as UTF-8.
  const text = needsCare(s, i) ? JSON.stringify(s) : null;
  ensure((text ?? s).length * 3 + 2);
  if (text === null) buf[pos++] = 0x22;
  pos += buf.write(text ?? s, pos, 'utf8');
  if (text === null) buf[pos++] = 0x22;
}

function writeNumber(x: number): void {
  if (!Number.isFinite(x)) return ascii('null');
  // Small integers digit by digit (no string); -0 is written as 0, as JSON.stringify does.
  if (Number.isInteger(x) && x > -1e15 && x < 1e15) {
    ensure(17);
    let v = x;
    if (v < 0) {
      buf[pos++] = 0x2d;
      v = -v;
    }
    if (v === 0) {
      buf[pos++] = 0x30;
      return;
    }
    let div = 1;
    while (div * 10 <= v) div *= 10;
    for (; div >= 1; div /= 10) {
      const d = Math.floor(v / div);
      buf[pos++] = 0x30 + d;
      v -= d * div;
    }
    return;
  }
  ascii(String(x));
}

/** Write `v`; false when it is a value JSON.stringify leaves out (undefined, a function, a symbol). */
function writeValue(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      writeString(v);
      return true;
    case 'number':
      writeNumber(v);
      return true;
    case 'boolean':
      ascii(v ? 'true' : 'false');
      return true;
    case 'undefined':
    case 'function':
    case 'symbol':
      return false;
    case 'object':
      if (v === null) {
        ascii('null');
        return true;
      }
      writeObject(v, depth);
      return true;
    default:
      throw UNHANDLED; // bigint: JSON.stringify throws
  }
}

function writeObject(o: object, depth: number): void {
  if (depth >= MAX_DEPTH || open.includes(o)) throw UNHANDLED;
  if (o instanceof SelfWritten) {
    const start = pos;
    const outer = selfDepth;
    selfDepth = depth;
    open.push(o);
    const done = o.writeJson(sink);
    open.pop();
    selfDepth = outer;
    if (done) return;
    // Nothing of a part that gave up stays: its toJSON() value is written instead.
    pos = start;
    open.push(o);
    if (!writeValue(o.toJSON(), depth + 1)) ascii('null');
    open.pop();
    return;
  }
  const proto = Object.getPrototypeOf(o) as unknown;
  const isArray = Array.isArray(o);
  // Plain objects and arrays only: class instances, boxed primitives, Dates and other toJSON holders take JSON.stringify.
  if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) throw UNHANDLED;
  if (typeof (o as { toJSON?: unknown }).toJSON === 'function') throw UNHANDLED;
  open.push(o);
  if (isArray) {
    const a = o as unknown[];
    ensure(1);
    buf[pos++] = 0x5b;
    for (let i = 0; i < a.length; i++) {
      if (i > 0) {
        ensure(1);
        buf[pos++] = 0x2c;
      }
      if (!writeValue(a[i], depth + 1)) ascii('null');
    }
    ensure(1);
    buf[pos++] = 0x5d;
  } else {
    ensure(1);
    buf[pos++] = 0x7b;
    let first = true;
    const rec = o as Record<string, unknown>;
    for (const k in rec) {
      if (!Object.hasOwn(rec, k)) continue;
      const member = rec[k];
      const t = typeof member;
      if (t === 'undefined' || t === 'function' || t === 'symbol') continue;
      ensure(1);
      if (!first) buf[pos++] = 0x2c;
      first = false;
      writeString(k);
      ensure(1);
      buf[pos++] = 0x3a;
      writeValue(member, depth + 1);
    }
    ensure(1);
    buf[pos++] = 0x7d;
  }
  open.pop();
}

/**
 * A value that writes its own JSON text into the byte writer (e.g. a summary read straight from
 * stored bytes, without building the objects). Contract: `writeJson(sink)` writes exactly
 * `JSON.stringify(this.toJSON())`, or returns false (what it wrote is then discarded and
 * `toJSON()` is written); JSON.stringify itself (the fallback of the whole answer) calls `toJSON()`.
 */
export abstract class SelfWritten {
  abstract writeJson(sink: JsonValueSink): boolean;
  abstract toJSON(): unknown;
}

/** What a {@link SelfWritten} writes with (it is only valid during that call). */
export interface JsonSink {
  /** Text that is already JSON (punctuation, keys, digits, literals), ASCII. */
  raw(json: string): void;
  number(n: number): void;
  string(s: string): void;
  /** A quoted lowercase hex string of bytes[start, end). */
  hex(bytes: Uint8Array, start: number, end: number): void;
  /** A JSON string of the UTF-8 text bytes[start, end); false (nothing written) when it is not valid UTF-8. */
  utf8(bytes: Uint8Array, start: number, end: number): boolean;
}

/** What a {@link SelfWritten} is given: the sink, and any value written as the byte writer writes it (a part made of stored objects). */
export interface JsonValueSink extends JsonSink {
  /** `v` as JSON.stringify writes it as an array element (`null` for undefined, a function, a symbol). */
  value(v: unknown): void;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
// fatal: invalid UTF-8 is refused (the part then gives up); ignoreBOM: a leading U+FEFF stays, as dlc/bytes.ts decodes it.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const sink: JsonValueSink = {
  raw: ascii,
  number: writeNumber,
  string: writeString,
  hex(bytes, start, end) {
    ensure(2 * (end - start) + 2);
    buf[pos++] = 0x22;
    for (let i = start; i < end; i++) {
      const b = bytes[i] as number;
      buf[pos++] = HEX_DIGITS[b >> 4] as number;
      buf[pos++] = HEX_DIGITS[b & 15] as number;
    }
    buf[pos++] = 0x22;
  },
  utf8(bytes, start, end) {
    ensure(end - start + 2);
    const from = pos;
    buf[pos++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = bytes[i] as number;
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        // Escapes or non-ASCII: the string itself, written as writeString writes any string.
        pos = from;
        let s: string;
        try {
          s = utf8Decoder.decode(bytes.subarray(start, end));
        } catch {
          return false;
        }
        writeString(s);
        return true;
      }
      buf[pos++] = c;
    }
    buf[pos++] = 0x22;
    return true;
  },
  value(v) {
    if (!writeValue(v, selfDepth + 1)) ascii('null');
  },
};

/**
 * Exactly `Buffer.from(JSON.stringify(value), 'utf8')`, or undefined where JSON.stringify gives
 * undefined. Plain objects, arrays, strings, finite and non-finite numbers, booleans and null are
 * written here; anything else (a class instance, a toJSON holder, a bigint, a cycle, nesting past
 * MAX_DEPTH) is handed to JSON.stringify, which then also throws what it throws.
 */
export function jsonBytes(value: unknown): Buffer | undefined {
  if (writing) {
    // Called from a getter of a value being written: the scratch is in use.
    const text = JSON.stringify(value);
    return text === undefined ? undefined : Buffer.from(text, 'utf8');
  }
  writing = true;
  pos = 0;
  selfDepth = 0;
  open.length = 0;
  try {
    if (!writeValue(value, 0)) return undefined;
    const out = Buffer.allocUnsafe(pos);
    buf.copy(out, 0, 0, pos);
    return out;
  } catch (err) {
    if (err !== UNHANDLED) throw err;
    const text = JSON.stringify(value);
    return text === undefined ? undefined : Buffer.from(text, 'utf8');
  } finally {
    writing = false;
    open.length = 0;
    if (buf.length > KEEP_BYTES) buf = Buffer.allocUnsafeSlow(KEEP_BYTES);
  }
}
