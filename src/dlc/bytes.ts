/** dlc/bytes.ts - strict big-endian reader and writer for dlcspecs fields (bigsize, u16, u32, i32, bool, string, TLV). Imports only dlc. */
import { MAX_STRING_BYTES } from './constants.ts';
import { DlcError } from './errors.ts';

// fatal: invalid UTF-8 throws instead of becoming U+FFFD; ignoreBOM: a leading U+FEFF stays part
// of the string, so decode then encode gives the same bytes back.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of a hex string; throws DlcError `bad-hex` unless it is even-length hex. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new DlcError('bad-hex', 'expected an even-length hex string');
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/**
 * Reads fields front to back from a byte range; every read checks the range first and throws
 * DlcError (`truncated`, `length-overflow`, `non-minimal-bigsize`, `bad-bool`, `bad-utf8`, `not-nfc`).
 */
export class FieldReader {
  private pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  /** Bytes not read yet. */
  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw new DlcError('truncated', `input ends inside ${what} (needs ${n} bytes, ${this.end - this.pos} left)`);
  }

  /** `n` raw bytes (a view, not a copy). */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  i32(what: string): number {
    return this.u32(what) | 0;
  }

  /** dlcspecs `bool`: exactly 0x00 or 0x01. */
  bool(what: string): boolean {
    const b = this.u8(what);
    if (b > 1) throw new DlcError('bad-bool', `${what}: bool byte must be 0x00 or 0x01, got 0x${b.toString(16).padStart(2, '0')}`);
    return b === 1;
  }

  /**
   * BOLT 1 `bigsize`: 1, 3, 5 or 9 bytes, big-endian, in its shortest form. Values above
   * Number.MAX_SAFE_INTEGER can only be lengths or types far beyond every limit here, so they
   * are reported as `length-overflow`.
   */
  bigsize(what: string): number {
    const first = this.u8(what);
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const v = this.u16(what);
      if (v < 0xfd) throw new DlcError('non-minimal-bigsize', `${what}: bigsize ${v} must be encoded in 1 byte`);
      return v;
    }
    if (first === 0xfe) {
      const v = this.u32(what);
      if (v < 0x10000) throw new DlcError('non-minimal-bigsize', `${what}: bigsize ${v} must be encoded in 3 bytes`);
      return v;
    }
    const hi = this.u32(what);
    const lo = this.u32(what);
    if (hi === 0) throw new DlcError('non-minimal-bigsize', `${what}: bigsize ${lo} must be encoded in 5 bytes`);
    if (hi > 0x1fffff) throw new DlcError('length-overflow', `${what}: bigsize above 2^53`);
    return hi * 0x100000000 + lo;
  }

  /** dlcspecs `string`: bigsize byte length, then UTF-8 in NFC. */
  string(what: string): string {
    const len = this.bigsize(`${what} length`);
    if (len > MAX_STRING_BYTES) throw new DlcError('too-large', `${what}: ${len} bytes, limit ${MAX_STRING_BYTES}`);
    if (len > this.remaining()) throw new DlcError('length-overflow', `${what}: length ${len} runs past the end (${this.remaining()} left)`);
    const raw = this.bytes(len, what);
    let s: string;
    try {
      s = utf8Decoder.decode(raw);
    } catch {
      throw new DlcError('bad-utf8', `${what} is not valid UTF-8`);
    }
    if (s.normalize('NFC') !== s) throw new DlcError('not-nfc', `${what} is not in Unicode NFC`);
    return s;
  }

  /**
   * One TLV record of the expected type: returns a reader over exactly its value. The caller
   * must read the value to its end and call {@link FieldReader.done} on it.
   */
  tlv(expectedType: number, what: string): FieldReader {
    const type = this.bigsize(`${what} type`);
    if (type !== expectedType) throw new DlcError('wrong-type', `${what}: expected TLV type ${expectedType}, got ${type}`);
    const len = this.bigsize(`${what} length`);
    if (len > this.remaining()) throw new DlcError('length-overflow', `${what}: TLV length ${len} runs past the end (${this.remaining()} left)`);
    const inner = new FieldReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return inner;
  }

  /** Peek the bigsize type of the next TLV without consuming it. */
  peekType(what: string): number {
    const save = this.pos;
    try {
      return this.bigsize(`${what} type`);
    } finally {
      this.pos = save;
    }
  }

  /** Throws `trailing-bytes` unless everything was read. */
  done(what: string): void {
    if (this.pos !== this.end) throw new DlcError('trailing-bytes', `${this.end - this.pos} unexpected bytes after ${what}`);
  }
}

/** Appends fields; {@link FieldWriter.finish} concatenates them. */
export class FieldWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }

  u16(v: number): this {
    return this.bytes(Uint8Array.of((v >>> 8) & 0xff, v & 0xff));
  }

  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0);
    return this.bytes(b);
  }

  i32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v | 0);
    return this.bytes(b);
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  /** BOLT 1 bigsize, shortest form. */
  bigsize(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`bigsize out of range: ${v}`);
    if (v < 0xfd) return this.u8(v);
    if (v <= 0xffff) return this.u8(0xfd).u16(v);
    if (v <= 0xffffffff) return this.u8(0xfe).u32(v);
    return this.u8(0xff)
      .u32(Math.floor(v / 0x100000000))
      .u32(v % 0x100000000);
  }

  /** dlcspecs `string`: bigsize byte length, then UTF-8. */
  string(s: string): this {
    const b = utf8(s);
    return this.bigsize(b.length).bytes(b);
  }

  /** A TLV record: bigsize type, bigsize length, value. */
  tlv(type: number, value: Uint8Array): this {
    return this.bigsize(type).bigsize(value.length).bytes(value);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const part of this.parts) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }
}
