// test/unit/wire/frame-errors.test.ts - owns the negative cases of FrameDecoder: magic, command field, oversize (refused at the header, nothing buffered), checksum, the failed state; every failure a WireError with its code.
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HEADER_BYTES, NETWORK_MAGIC } from '../../../src/wire/constants.ts';
import { WireError, type WireErrorCode } from '../../../src/wire/errors.ts';
import { checksum, decodeCommand, encodeFrame, FrameDecoder } from '../../../src/wire/frame.ts';

const RUNS = { seed: 7, numRuns: 500 } as const;
const MAGIC = NETWORK_MAGIC.testnet;
const LIMIT = 1024;
const PING = Buffer.from('{"nonce":"0123456789abcdef"}', 'utf8');

const newDecoder = (maxPayloadBytes = LIMIT): FrameDecoder => new FrameDecoder({ magic: MAGIC, maxPayloadBytes });

/** Run `fn`; it must throw a WireError with `code` (and nothing else). */
function expectWireError(fn: () => unknown, code: WireErrorCode): WireError {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.equal(caught instanceof WireError, true, `expected WireError ${code}, got ${String(caught)}`);
  const err = caught as WireError;
  assert.equal(err.name, 'WireError');
  assert.equal(err.code, code, err.message);
  return err;
}

/** A raw header with any field contents (no validation). */
function rawHeader(opts: { magic?: Buffer; command?: Buffer; length?: number; sum?: Buffer }): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  (opts.magic ?? MAGIC).copy(h, 0);
  const cmd = opts.command ?? Buffer.from('ping', 'latin1');
  cmd.copy(h, 4, 0, Math.min(12, cmd.length));
  h.writeUInt32LE(opts.length ?? 0, 16);
  (opts.sum ?? checksum(Buffer.alloc(0))).copy(h, 20);
  return h;
}

/** Feed `bytes` one at a time; the decoder must accept exactly `okBytes` of them and throw `code` on the next. */
function failsAtByte(bytes: Buffer, okBytes: number, code: WireErrorCode, maxPayloadBytes = LIMIT): FrameDecoder {
  const d = newDecoder(maxPayloadBytes);
  for (let i = 0; i < okBytes; i++) assert.deepEqual(d.push(bytes.subarray(i, i + 1)), [], `byte ${i} must be accepted`);
  expectWireError(() => d.push(bytes.subarray(okBytes, okBytes + 1)), code);
  assert.equal(d.bufferedBytes, 0);
  return d;
}

describe('FrameDecoder refuses a wrong magic as soon as its bytes arrive', () => {
  it('a wrong FIRST byte is refused alone, long before 24 bytes', () => {
    const d = newDecoder();
    expectWireError(() => d.push(Buffer.from([0x00])), 'bad-magic');
    assert.equal(d.bufferedBytes, 0);
  });

  for (let pos = 0; pos < 4; pos++) {
    it(`a wrong magic byte ${pos} is refused when byte ${pos} arrives`, () => {
      const frame = encodeFrame(MAGIC, 'ping', PING);
      frame[pos] = (frame[pos] as number) ^ 0x20;
      failsAtByte(frame, pos, 'bad-magic');
    });
  }

  it('another network\'s magic, Bitcoin\'s magic, an HTTP request, TLS hello', () => {
    for (const head of [
      encodeFrame(NETWORK_MAGIC.mainnet, 'ping', PING),
      encodeFrame(NETWORK_MAGIC.regtest, 'ping', PING),
      Buffer.from('f9beb4d976657273696f6e0000000000', 'hex'),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'),
      Buffer.from('160301020001', 'hex'),
    ]) {
      expectWireError(() => newDecoder().push(head), 'bad-magic');
    }
  });

  it('the magic of a later frame is checked as well', () => {
    const d = newDecoder();
    assert.deepEqual(d.push(encodeFrame(MAGIC, 'verack')).map((f) => f.command), ['verack']);
    expectWireError(() => d.push(Buffer.from('MEGX')), 'bad-magic');
  });

  it('a frame shifted by one byte (lost sync) is refused', () => {
    const bytes = Buffer.concat([encodeFrame(MAGIC, 'verack'), encodeFrame(MAGIC, 'ping', PING)]);
    expectWireError(() => newDecoder().push(bytes.subarray(1)), 'bad-magic');
  });
});

describe('FrameDecoder refuses a malformed command field when the header is complete', () => {
  const cases: [string, Buffer][] = [
    ['non-ASCII byte (latin1 é)', Buffer.from('v\xe9rack', 'latin1')],
    ['byte 0x80', Buffer.from([0x70, 0x80])],
    ['uppercase', Buffer.from('Ping', 'latin1')],
    ['all uppercase', Buffer.from('VERSION', 'latin1')],
    ['bytes after the NUL padding', Buffer.from('ping\0x', 'latin1')],
    ['a NUL then a command', Buffer.from('\0ping', 'latin1')],
    ['all NUL (empty command)', Buffer.alloc(12)],
    ['space padding', Buffer.from('ping        ', 'latin1')],
    ['a space inside', Buffer.from('get data', 'latin1')],
    ['a dash', Buffer.from('get-data', 'latin1')],
    ['an underscore', Buffer.from('__proto__', 'latin1')],
    ['a control character', Buffer.from('ping\x01', 'latin1')],
    ['0xff padding', Buffer.from('ping\xff\xff\xff\xff\xff\xff\xff\xff', 'latin1')],
  ];
  for (const [name, field] of cases) {
    it(`${name}: bad-command at the 24th byte, not before`, () => {
      const field12 = Buffer.alloc(12);
      field.copy(field12, 0, 0, 12);
      const frame = Buffer.concat([rawHeader({ command: field12, length: PING.length, sum: checksum(PING) }), PING]);
      failsAtByte(frame, HEADER_BYTES - 1, 'bad-command');
      expectWireError(() => decodeCommand(field12), 'bad-command');
    });
  }

  it('decodeCommand accepts lowercase letters and digits up to 12 characters', () => {
    assert.equal(decodeCommand(Buffer.from('ping\0\0\0\0\0\0\0\0', 'latin1')), 'ping');
    assert.equal(decodeCommand(Buffer.from('abcdefghij12', 'latin1')), 'abcdefghij12');
    assert.equal(decodeCommand(Buffer.from('0\0\0\0\0\0\0\0\0\0\0\0', 'latin1')), '0');
  });
});

describe('FrameDecoder refuses an oversize length right after the 24-byte header', () => {
  for (const length of [LIMIT + 1, 2 * LIMIT, 0x7fffffff, 0xffffffff]) {
    it(`declared length ${length} (limit ${LIMIT}): refused at the 24th byte, nothing buffered`, () => {
      const header = rawHeader({ command: Buffer.from('oracle'), length });
      const d = newDecoder();
      assert.deepEqual(d.push(header.subarray(0, HEADER_BYTES - 1)), []);
      assert.equal(d.bufferedBytes, HEADER_BYTES - 1);
      const err = expectWireError(() => d.push(header.subarray(HEADER_BYTES - 1)), 'oversize');
      assert.match(err.message, new RegExp(`${length}`));
      assert.equal(d.bufferedBytes, 0);
    });
  }

  it('the header alone is enough: no payload byte is awaited or kept', () => {
    const d = newDecoder();
    expectWireError(() => d.push(rawHeader({ command: Buffer.from('report'), length: LIMIT + 1 })), 'oversize');
    assert.equal(d.bufferedBytes, 0);
  });

  it('payload bytes arriving with the header are not buffered either', () => {
    const d = newDecoder();
    const payload = Buffer.alloc(LIMIT + 1, 0x20);
    expectWireError(() => d.push(Buffer.concat([rawHeader({ command: Buffer.from('report'), length: payload.length, sum: checksum(payload) }), payload])), 'oversize');
    assert.equal(d.bufferedBytes, 0);
  });

  it('the limit comes from the constructor: limit + 1 refused, limit accepted', () => {
    const payload = Buffer.alloc(100, 0x20);
    const frame = encodeFrame(MAGIC, 'oracle', payload);
    expectWireError(() => newDecoder(99).push(frame), 'oversize');
    assert.equal(newDecoder(100).push(frame).length, 1);
  });

  it('checks are in header order: magic, then command, then length', () => {
    expectWireError(() => newDecoder().push(rawHeader({ magic: Buffer.from('XXXX'), command: Buffer.from('BAD'), length: 0xffffffff })), 'bad-magic');
    expectWireError(() => newDecoder().push(rawHeader({ command: Buffer.from('BAD'), length: 0xffffffff })), 'bad-command');
  });
});

describe('FrameDecoder refuses a bad checksum once the payload is complete', () => {
  it('a flipped checksum byte', () => {
    for (let i = 20; i < 24; i++) {
      const frame = encodeFrame(MAGIC, 'ping', PING);
      frame[i] = (frame[i] as number) ^ 0x01;
      failsAtByte(frame, frame.length - 1, 'bad-checksum');
    }
  });

  it('a flipped payload byte', () => {
    const frame = encodeFrame(MAGIC, 'ping', PING);
    frame[HEADER_BYTES + 5] = (frame[HEADER_BYTES + 5] as number) ^ 0x01;
    failsAtByte(frame, frame.length - 1, 'bad-checksum');
  });

  it('an empty payload with a non-empty payload\'s checksum', () => {
    expectWireError(() => newDecoder().push(rawHeader({ command: Buffer.from('verack'), length: 0, sum: checksum(PING) })), 'bad-checksum');
  });

  it('a single SHA-256 (not double) is refused', () => {
    const single = crypto.createHash('sha256').update(PING).digest().subarray(0, 4);
    expectWireError(() => newDecoder().push(Buffer.concat([rawHeader({ length: PING.length, sum: single }), PING])), 'bad-checksum');
  });

  it('a length that covers the next frame makes the checksum fail, not a silent merge', () => {
    const a = encodeFrame(MAGIC, 'ping', PING);
    a.writeUInt32LE(PING.length + HEADER_BYTES, 16);
    const bytes = Buffer.concat([a, encodeFrame(MAGIC, 'verack')]);
    expectWireError(() => newDecoder().push(bytes), 'bad-checksum');
  });
});

describe('FrameDecoder is unusable after an error', () => {
  const failures: [WireErrorCode, Buffer][] = [
    ['bad-magic', Buffer.from('XXXX')],
    ['bad-command', rawHeader({ command: Buffer.from('PING') })],
    ['oversize', rawHeader({ command: Buffer.from('oracle'), length: LIMIT + 1 })],
    ['bad-checksum', rawHeader({ command: Buffer.from('verack'), sum: Buffer.from('00000000', 'hex') })],
  ];
  for (const [code, bytes] of failures) {
    it(`after ${code}: every later push throws bad-message, even a valid frame or an empty chunk`, () => {
      const d = newDecoder();
      expectWireError(() => d.push(bytes), code);
      expectWireError(() => d.push(encodeFrame(MAGIC, 'verack')), 'bad-message');
      expectWireError(() => d.push(Buffer.alloc(0)), 'bad-message');
      assert.equal(d.bufferedBytes, 0);
    });
  }
});

describe('FrameDecoder: arbitrary input never throws anything but a WireError (fast-check)', () => {
  it('random bytes, with or without a valid magic in front, in random chunks', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 64 }), (withMagic, raw, step) => {
        const bytes = Buffer.concat([withMagic ? MAGIC : Buffer.alloc(0), Buffer.from(raw)]);
        const d = newDecoder(64);
        try {
          for (let i = 0; i < bytes.length; i += step) d.push(bytes.subarray(i, i + step));
        } catch (e) {
          assert.equal(e instanceof WireError, true, String(e));
          assert.equal(['bad-magic', 'bad-command', 'oversize', 'bad-checksum'].includes((e as WireError).code), true, "expected ['bad-magic', 'bad-command', 'oversize', 'bad-checksum'].includes((e as WireError).code) to be true");
          assert.equal(d.bufferedBytes, 0);
        }
      }),
      RUNS,
    );
  });

  it('a valid frame with one byte changed is refused or decodes to a different valid frame', () => {
    const frame = encodeFrame(MAGIC, 'ping', PING);
    fc.assert(
      fc.property(fc.nat(frame.length - 1), fc.integer({ min: 1, max: 255 }), (pos, xor) => {
        const bad = Buffer.from(frame);
        bad[pos] = (bad[pos] as number) ^ xor;
        try {
          const frames = newDecoder().push(bad);
          // Only the command field can change without being caught (another valid command, same payload),
          // or the length field shrinking/growing so that the frame is still incomplete.
          if (frames.length) {
            assert.equal(pos >= 4 && pos < 16, true, `byte ${pos} changed undetected`);
            assert.equal(frames[0]?.payload.equals(PING), true, 'expected frames[0]?.payload.equals(PING) to be true');
          } else {
            assert.equal(pos >= 16 && pos < 20, true, `byte ${pos}: no frame and no error`);
          }
        } catch (e) {
          assert.equal(e instanceof WireError, true, String(e));
        }
      }),
      RUNS,
    );
  });
});
