/**
 * contract/msg-codec.ts - bounded big-endian reader and writer for the dlcspecs contract messages
 * (Messaging.md fundamental types: u8/u16/u32/u64, bigsize, spk, string, sub-type prefixes).
 * Every read checks the remaining length first and throws ContractError `bad-message` naming the
 * field. Imports contract only.
 */
import { ContractError } from './errors.ts';

// fatal: invalid UTF-8 throws; ignoreBOM: a leading U+FEFF stays in the string (round trip).
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Most bytes of one `spk` / `redeemscript` (Bitcoin's MAX_SCRIPT_SIZE). */
export const MAX_SCRIPT_BYTES = 10_000;
/** Most bytes of one `string` in a contract message (an enum outcome). */
export const MAX_STRING_BYTES = 4_096;

const bad = (message: string): ContractError => new ContractError('bad-message', message);

/** Reads dlcspecs fields front to back; never reads past its end, never allocates from an unchecked length. */
export class MsgReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Offset of the next byte, for {@link MsgReader.since}. */
  position(): number {
    return this.pos;
  }

  /** A view of the bytes read since `start` (a {@link MsgReader.position}). */
  since(start: number): Uint8Array {
    return this.buf.subarray(start, this.pos);
  }

  /** Throws unless `n` more bytes are there. */
  need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) throw bad(`input ends inside ${what} (needs ${n} bytes, ${this.buf.length - this.pos} left)`);
  }

  /** `n` raw bytes, copied (decoded values never alias the input). */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next `n` bytes as a view, for a nested decoder. */
  view(n: number, what: string): Uint8Array {
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

  u64(what: string): bigint {
    const hi = this.u32(what);
    const lo = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** BOLT 1 bigsize in its shortest form; values above 2^53 are refused (no count or type here comes near). */
  bigsize(what: string): number {
    const first = this.u8(what);
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const v = this.u16(what);
      if (v < 0xfd) throw bad(`${what}: bigsize ${v} is not in its shortest form`);
      return v;
    }
    if (first === 0xfe) {
      const v = this.u32(what);
      if (v < 0x10000) throw bad(`${what}: bigsize ${v} is not in its shortest form`);
      return v;
    }
    const hi = this.u32(what);
    const lo = this.u32(what);
    if (hi === 0) throw bad(`${what}: bigsize ${lo} is not in its shortest form`);
    if (hi > 0x1fffff) throw bad(`${what}: bigsize above 2^53`);
    return hi * 0x100000000 + lo;
  }

  /**
   * A bigsize item count, at most `max`, and small enough that `count * minItemBytes` bytes can
   * still follow (checked before anything is allocated for the items).
   */
  count(what: string, max: number, minItemBytes: number): number {
    const n = this.bigsize(what);
    if (n > max) throw bad(`${what}: ${n}, limit ${max}`);
    if (n * minItemBytes > this.remaining()) throw bad(`${what}: ${n} items cannot fit in the ${this.remaining()} bytes left`);
    return n;
  }

  /** `spk`: u16 length, then the script. */
  spk(what: string): Uint8Array {
    const n = this.u16(`${what} length`);
    if (n > MAX_SCRIPT_BYTES) throw bad(`${what}: ${n} bytes, limit ${MAX_SCRIPT_BYTES}`);
    return this.bytes(n, what);
  }

  /** dlcspecs `string`: bigsize length, UTF-8 in NFC. */
  string(what: string): string {
    const n = this.bigsize(`${what} length`);
    if (n > MAX_STRING_BYTES) throw bad(`${what}: ${n} bytes, limit ${MAX_STRING_BYTES}`);
    const raw = this.view(n, what);
    let s: string;
    try {
      s = utf8Decoder.decode(raw);
    } catch {
      throw bad(`${what} is not valid UTF-8`);
    }
    if (s.normalize('NFC') !== s) throw bad(`${what} is not in Unicode NFC`);
    return s;
  }

  /** Optional sub-type prefix: 0x00 absent, 0x01 present. */
  optional(what: string): boolean {
    const b = this.u8(what);
    if (b > 1) throw bad(`${what}: optional prefix must be 0x00 or 0x01, got 0x${b.toString(16).padStart(2, '0')}`);
    return b === 1;
  }

  /**
   * The message's trailing TLV stream (BOLT 1): types strictly increasing, each length within the
   * input; an unknown even type is refused ("it's OK to be odd"), odd ones are skipped.
   */
  tlvStream(what: string): void {
    let last = -1;
    while (this.remaining() > 0) {
      const type = this.bigsize(`${what} type`);
      if (type <= last) throw bad(`${what}: TLV types must strictly increase (${type} after ${last})`);
      last = type;
      const len = this.bigsize(`${what} length`);
      this.view(len, `${what} record ${type}`);
      if (type % 2 === 0) throw bad(`${what}: unknown even TLV type ${type}`);
    }
  }
}

/** Appends fields; {@link MsgWriter.finish} concatenates them. */
export class MsgWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  /** Exactly `n` bytes, else a ContractError naming the field (a caller's mistake, caught before sending). */
  fixed(b: Uint8Array, n: number, what: string): this {
    if (!(b instanceof Uint8Array) || b.length !== n) throw new ContractError('bad-terms', `${what} must be ${n} bytes`);
    return this.bytes(b);
  }

  u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }

  u16(v: number, what = 'u16'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new ContractError('bad-terms', `${what} must be a u16`);
    return this.bytes(Uint8Array.of(v >>> 8, v & 0xff));
  }

  u32(v: number, what = 'u32'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ContractError('bad-terms', `${what} must be a u32`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    return this.bytes(b);
  }

  u64(v: bigint, what = 'u64'): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new ContractError('bad-terms', `${what} must be a u64`);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v);
    return this.bytes(b);
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

  spk(s: Uint8Array, what: string): this {
    if (s.length > MAX_SCRIPT_BYTES) throw new ContractError('bad-terms', `${what}: ${s.length} bytes, limit ${MAX_SCRIPT_BYTES}`);
    return this.u16(s.length).bytes(s);
  }

  string(s: string, what: string): this {
    const b = utf8Encoder.encode(s);
    if (b.length > MAX_STRING_BYTES) throw new ContractError('bad-terms', `${what}: ${b.length} bytes, limit ${MAX_STRING_BYTES}`);
    return this.bigsize(b.length).bytes(b);
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
