/** wire/frame.ts - Bitcoin-style framing: encodeFrame (pure) and a streaming FrameDecoder with limits. Imports nothing from net, p2p, mempool or api. */
import crypto from 'node:crypto';
import { COMMAND_BYTES, HEADER_BYTES } from './constants.ts';
import { WireError } from './errors.ts';

/** One decoded frame. The payload is raw bytes; message codecs give it meaning. */
export interface Frame {
  command: string;
  payload: Buffer;
  /** SHA-256(SHA-256(payload)), computed anyway for the checksum: a free name for these exact bytes (the relay's repeat filter keys on it). */
  digest: Buffer;
}

// Lowercase ASCII letters and digits only: every v1 command is such a word, and it keeps logs clean.
const COMMAND_RE = /^[a-z0-9]{1,12}$/;

// One-shot crypto.hash (Node >= 20.12) skips a Hash object per call; it runs twice per frame.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: Buffer, enc: 'buffer') => Buffer }).hash;

/** SHA-256(SHA-256(payload)), 32 bytes (every received frame: the one-shot form where Node has it, no Hash object per round). */
export function doubleSha256(payload: Buffer): Buffer {
  if (oneShot) return oneShot('sha256', oneShot('sha256', payload, 'buffer'), 'buffer');
  return crypto.createHash('sha256').update(crypto.createHash('sha256').update(payload).digest()).digest();
}

/** First 4 bytes of SHA-256(SHA-256(payload)). */
export function checksum(payload: Buffer): Buffer {
  if (oneShot) return oneShot('sha256', oneShot('sha256', payload, 'buffer'), 'buffer').subarray(0, 4);
  const once = crypto.createHash('sha256').update(payload).digest();
  return crypto.createHash('sha256').update(once).digest().subarray(0, 4);
}

/** Encode one frame: magic (4) · command (12, NUL-padded ASCII) · length (uint32 LE) · checksum (4) · payload. */
export function encodeFrame(magic: Buffer, command: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  if (magic.length !== 4) throw new RangeError('magic must be 4 bytes');
  if (!COMMAND_RE.test(command)) throw new RangeError(`invalid command ${JSON.stringify(command)}`);
  const header = Buffer.alloc(HEADER_BYTES);
  magic.copy(header, 0);
  header.write(command, 4, COMMAND_BYTES, 'ascii');
  header.writeUInt32LE(payload.length, 16);
  checksum(payload).copy(header, 20);
  return Buffer.concat([header, payload]);
}

/** Parse and check the 12-byte command field: ASCII word, then only NUL padding. */
export function decodeCommand(field: Buffer): string {
  let end = field.indexOf(0);
  if (end === -1) end = field.length;
  for (let i = end; i < field.length; i++) {
    if (field[i] !== 0) throw new WireError('bad-command', 'command field has bytes after its NUL padding');
  }
  const command = field.toString('latin1', 0, end);
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
  private buffered = 0;
  /** The header of the frame being read; its checksum as a uint32 (no copy of the 4 bytes per frame). */
  private header: { command: string; length: number; checksum: number } | null = null;
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
        if (have > 0 && !this.peek(have).equals(this.magic.subarray(0, have))) {
          throw new WireError('bad-magic', 'frame does not start with this network\'s magic');
        }
        if (this.buffered < HEADER_BYTES) return frames;
        const h = this.take(HEADER_BYTES);
        const command = decodeCommand(h.subarray(4, 16));
        const length = h.readUInt32LE(16);
        if (length > this.maxPayloadBytes) {
          throw new WireError('oversize', `payload length ${length} exceeds the limit of ${this.maxPayloadBytes} bytes`);
        }
        this.header = { command, length, checksum: h.readUInt32LE(20) };
      }
      if (this.buffered < this.header.length) return frames;
      const payload = this.take(this.header.length);
      const digest = doubleSha256(payload);
      if (digest.readUInt32LE(0) !== this.header.checksum) throw new WireError('bad-checksum', `checksum mismatch in ${this.header.command}`);
      frames.push({ command: this.header.command, payload, digest });
      this.header = null;
    }
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks).subarray(0, n);
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    let first = this.chunks[0] as Buffer;
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const out = Buffer.from(first.subarray(0, n));
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
