/** wire/frame.ts - Bitcoin-style framing: encodeFrame (pure) and a streaming FrameDecoder with limits. Imports nothing from net, p2p, mempool or api. */
import crypto from 'node:crypto';
import { COMMAND_BYTES, HEADER_BYTES } from './constants.ts';
import { WireError } from './errors.ts';

/** One decoded frame. The payload is raw bytes (its own copy); message codecs give it meaning. */
export interface Frame {
  command: string;
  payload: Buffer;
  /** Base64 of SHA-256(SHA-256(payload)), computed anyway for the checksum: a free name for these exact bytes (the relay's repeat filter keys on it). */
  digest: string;
}

// Lowercase ASCII letters and digits only: every v1 command is such a word, and it keeps logs clean.
const COMMAND_RE = /^[a-z0-9]{1,12}$/;

// One-shot crypto.hash (Node >= 20.12) skips a Hash object per call; it runs twice per frame.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: Buffer, enc: 'latin1' | 'base64') => string }).hash;

/** The inner digest between the two hashes of {@link sha256d} (used synchronously within one call, so one buffer serves every call). */
const innerDigest = Buffer.alloc(32);

/**
 * SHA-256(SHA-256(payload)) as text: 'latin1' (one character per byte) or 'base64'. Each hash answers
 * in a string and the inner digest goes through a reused buffer: a digest as a Buffer is made in C++
 * with its own ArrayBuffer per call, ~0.5 µs each, which was most of the cost of hashing a frame.
 */
function sha256d(payload: Buffer, enc: 'latin1' | 'base64'): string {
  if (oneShot) {
    innerDigest.write(oneShot('sha256', payload, 'latin1'), 0, 32, 'latin1');
    return oneShot('sha256', innerDigest, enc);
  }
  const digest = crypto.createHash('sha256').update(crypto.createHash('sha256').update(payload).digest()).digest();
  return digest.toString(enc);
}

/** SHA-256(SHA-256(payload)), 32 bytes. */
export function doubleSha256(payload: Buffer): Buffer {
  return Buffer.from(sha256d(payload, 'latin1'), 'latin1');
}

/** SHA-256(SHA-256(payload)) in base64, 44 characters (every received frame's digest). */
export function doubleSha256Base64(payload: Buffer): string {
  return sha256d(payload, 'base64');
}

/** Value of each base64 character (standard alphabet), -1 for others. */
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) BASE64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/** The first 4 bytes that base64 text encodes, read as a uint32 little-endian (as the header's checksum field is read), from its first 6 characters. */
export function leadingUint32LEOfBase64(b64: string): number {
  const c0 = BASE64_VALUE[b64.charCodeAt(0)] as number;
  const c1 = BASE64_VALUE[b64.charCodeAt(1)] as number;
  const c2 = BASE64_VALUE[b64.charCodeAt(2)] as number;
  const c3 = BASE64_VALUE[b64.charCodeAt(3)] as number;
  const c4 = BASE64_VALUE[b64.charCodeAt(4)] as number;
  const c5 = BASE64_VALUE[b64.charCodeAt(5)] as number;
  const b0 = (c0 << 2) | (c1 >> 4);
  const b1 = ((c1 & 15) << 4) | (c2 >> 2);
  const b2 = ((c2 & 3) << 6) | c3;
  const b3 = (c4 << 2) | (c5 >> 4);
  return (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0;
}

/** First 4 bytes of SHA-256(SHA-256(payload)). */
export function checksum(payload: Buffer): Buffer {
  return doubleSha256(payload).subarray(0, 4);
}

/** The first 16 header bytes (magic · NUL-padded command) per magic and command, made once: commands are a fixed set. */
const prefixes = new Map<number, Map<string, Buffer>>();

function headerPrefix(magic: Buffer, command: string): Buffer {
  if (magic.length !== 4) throw new RangeError('magic must be 4 bytes');
  const key = magic.readUInt32LE(0);
  let byCommand = prefixes.get(key);
  if (!byCommand) prefixes.set(key, (byCommand = new Map()));
  let prefix = byCommand.get(command);
  if (prefix === undefined) {
    if (!COMMAND_RE.test(command)) throw new RangeError(`invalid command ${JSON.stringify(command)}`);
    prefix = Buffer.alloc(16);
    magic.copy(prefix, 0);
    prefix.write(command, 4, COMMAND_BYTES, 'ascii');
    byCommand.set(command, prefix);
  }
  return prefix;
}

/**
 * Encode one frame: magic (4) · command (12, NUL-padded ASCII) · length (uint32 LE) · checksum (4) · payload.
 * The payload may be given as its text (UTF-8 JSON): it is then written straight into the frame, one
 * buffer per frame and no separate payload, header or concatenation buffers (the same bytes as
 * `encodeFrame(magic, command, Buffer.from(text, 'utf8'))`).
 */
export function encodeFrame(magic: Buffer, command: string, payload: Buffer | string = EMPTY): Buffer {
  const prefix = headerPrefix(magic, command);
  const text = typeof payload === 'string';
  const length = text ? Buffer.byteLength(payload, 'utf8') : payload.length;
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length);
  prefix.copy(frame, 0);
  frame.writeUInt32LE(length, 16);
  if (text) frame.write(payload, HEADER_BYTES, length, 'utf8');
  else payload.copy(frame, HEADER_BYTES);
  frame.write(sha256d(frame.subarray(HEADER_BYTES), 'latin1'), 20, 4, 'latin1');
  return frame;
}

const EMPTY = Buffer.alloc(0);

/** Parse and check the 12-byte command field: ASCII word, then only NUL padding. */
export function decodeCommand(field: Buffer): string {
  return decodeCommandAt(field, 0, field.length);
}

/** {@link decodeCommand} of the field `buf[start, stop)` (12 bytes of a header, read in place). */
function decodeCommandAt(buf: Buffer, start: number, stop = start + COMMAND_BYTES): string {
  let end = start;
  while (end < stop && buf[end] !== 0) end++;
  for (let i = end; i < stop; i++) {
    if (buf[i] !== 0) throw new WireError('bad-command', 'command field has bytes after its NUL padding');
  }
  const command = buf.toString('latin1', start, end);
  if (!COMMAND_RE.test(command)) throw new WireError('bad-command', 'command field is not a lowercase ASCII word');
  return command;
}

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  magic: Buffer;
  /** Largest accepted payload; a larger declared length is refused as soon as the header arrives. */
  maxPayloadBytes: number;
}

/**
 * Streaming decoder: feed it socket chunks, get complete frames. It never holds more than one
 * header plus one payload of at most `maxPayloadBytes`. After it throws, it must not be used again
 * (the connection is dropped). libp2p length-prefixed-decoder shape, bcoin framer/parser split.
 */
export class FrameDecoder {
  private readonly magic: Buffer;
  private readonly maxPayloadBytes: number;
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already consumed (read from it in place, never re-sliced or joined per frame). */
  private offset = 0;
  private buffered = 0;
  /** The header of the frame being read; its checksum as a uint32 (no copy of the 4 bytes per frame). */
  private header: { command: string; length: number; checksum: number } | null = null;
  /** A header that spans chunks is read from here. */
  private readonly headerCopy = Buffer.alloc(HEADER_BYTES);
  private failed = false;

  constructor(opts: FrameDecoderOptions) {
    if (opts.magic.length !== 4) throw new RangeError('magic must be 4 bytes');
    this.magic = opts.magic;
    this.maxPayloadBytes = opts.maxPayloadBytes;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Feed bytes; returns every frame completed by them. Throws WireError on a protocol violation. */
  push(chunk: Buffer): Frame[] {
    if (this.failed) throw new WireError('bad-message', 'decoder already failed');
    try {
      return this.drain(chunk);
    } catch (e) {
      this.failed = true;
      this.chunks = [];
      this.offset = 0;
      this.buffered = 0;
      throw e;
    }
  }

  private drain(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (!this.header) {
        // Check the magic as soon as its bytes are here: garbage is refused without waiting for 24 bytes.
        const have = Math.min(this.buffered, 4);
        if (have > 0 && !this.startsWithMagic(have)) {
          throw new WireError('bad-magic', 'frame does not start with this network\'s magic');
        }
        if (this.buffered < HEADER_BYTES) return frames;
        // Read in place (no copy, no view object) when the header lies in one chunk, else from a copy of its 24 bytes.
        const first = this.chunks[0] as Buffer;
        const inPlace = first.length - this.offset >= HEADER_BYTES;
        const h = inPlace ? first : this.copyOut(HEADER_BYTES, this.headerCopy);
        const at = inPlace ? this.offset : 0;
        const command = decodeCommandAt(h, at + 4);
        const length = h.readUInt32LE(at + 16);
        if (length > this.maxPayloadBytes) {
          throw new WireError('oversize', `payload length ${length} exceeds the limit of ${this.maxPayloadBytes} bytes`);
        }
        this.header = { command, length, checksum: h.readUInt32LE(at + 20) };
        if (inPlace) this.skip(HEADER_BYTES);
      }
      if (this.buffered < this.header.length) return frames;
      // A copy: the frame's payload never aliases the caller's chunk (nor keeps a whole socket read alive).
      const payload = this.header.length === 0 ? Buffer.alloc(0) : this.copyOut(this.header.length, Buffer.allocUnsafe(this.header.length));
      const digest = sha256d(payload, 'base64');
      if (leadingUint32LEOfBase64(digest) !== this.header.checksum) throw new WireError('bad-checksum', `checksum mismatch in ${this.header.command}`);
      frames.push({ command: this.header.command, payload, digest });
      this.header = null;
    }
  }

  /** Are the first `n` (≤ 4) buffered bytes the magic's first `n`? Compared in place, across chunks if need be. */
  private startsWithMagic(n: number): boolean {
    let c = 0;
    let chunk = this.chunks[0] as Buffer;
    let at = this.offset;
    for (let i = 0; i < n; i++) {
      while (at >= chunk.length) {
        chunk = this.chunks[++c] as Buffer;
        at = 0;
      }
      if (chunk[at++] !== this.magic[i]) return false;
    }
    return true;
  }

  /** Drop the next `n` buffered bytes, which lie in chunks[0]. */
  private skip(n: number): void {
    this.offset += n;
    if (this.offset === (this.chunks[0] as Buffer).length) {
      this.chunks.shift();
      this.offset = 0;
    }
    this.buffered -= n;
  }

  /** Move the next `n` buffered bytes into `dst` (from each chunk they span: chunks are never joined) and return it. */
  private copyOut(n: number, dst: Buffer): Buffer {
    let done = 0;
    while (done < n) {
      const chunk = this.chunks[0] as Buffer;
      const part = Math.min(n - done, chunk.length - this.offset);
      chunk.copy(dst, done, this.offset, this.offset + part);
      done += part;
      this.skip(part);
    }
    return dst;
  }
}
