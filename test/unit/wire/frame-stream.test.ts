// test/unit/wire/frame-stream.test.ts - owns the streaming behaviour of FrameDecoder: frames split at every byte, many frames per chunk, random chunkings (fast-check, fixed seed), empty payloads, buffered-byte accounting.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HEADER_BYTES, NETWORK_MAGIC } from '../../../src/wire/constants.ts';
import { doubleSha256, encodeFrame, FrameDecoder, type Frame } from '../../../src/wire/frame.ts';

const RUNS = { seed: 20240601, numRuns: 300 } as const;
const MAGIC = NETWORK_MAGIC.testnet;
const LIMIT = 4096;

const vectors = (JSON.parse(fs.readFileSync(new URL('../../fixtures/wire-vectors.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; network: string; command: string; payload: string; frame: string }[];
}).vectors.filter((v) => v.network === 'testnet');

const newDecoder = (maxPayloadBytes = LIMIT): FrameDecoder => new FrameDecoder({ magic: MAGIC, maxPayloadBytes });
const asPairs = (frames: Frame[]): [string, string][] => frames.map((f) => [f.command, f.payload.toString('hex')]);

/** Feed `bytes` in pieces cut at `cuts` (sorted offsets); returns every frame and checks the buffered count after each piece. */
function feed(d: FrameDecoder, bytes: Buffer, cuts: number[]): Frame[] {
  const out: Frame[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    out.push(...d.push(bytes.subarray(from, to)));
    from = to;
  }
  return out;
}

describe('FrameDecoder: one frame split at every byte boundary', () => {
  for (const v of vectors) {
    it(`${v.name}: two pieces, cut at each offset`, () => {
      const bytes = Buffer.from(v.frame, 'hex');
      for (let cut = 0; cut <= bytes.length; cut++) {
        const d = newDecoder(1 << 20);
        const first = d.push(bytes.subarray(0, cut));
        if (cut < bytes.length) {
          assert.deepEqual(first, [], `cut ${cut}`);
          // Until the header is complete everything is held; afterwards only the payload part is.
          assert.equal(d.bufferedBytes, cut < HEADER_BYTES ? cut : cut - HEADER_BYTES, `cut ${cut}`);
        }
        const second = d.push(bytes.subarray(cut));
        const all = [...first, ...second];
        assert.deepEqual(asPairs(all), [[v.command, Buffer.from(v.payload, 'utf8').toString('hex')]], `cut ${cut}`);
        assert.equal(d.bufferedBytes, 0);
      }
    });
  }

  it('one byte at a time: only the last byte completes the frame', () => {
    for (const v of vectors) {
      const bytes = Buffer.from(v.frame, 'hex');
      const d = newDecoder(1 << 20);
      for (let i = 0; i < bytes.length - 1; i++) assert.deepEqual(d.push(bytes.subarray(i, i + 1)), [], `${v.name} byte ${i}`);
      assert.deepEqual(asPairs(d.push(bytes.subarray(bytes.length - 1))), [[v.command, Buffer.from(v.payload, 'utf8').toString('hex')]]);
    }
  });
});

describe('FrameDecoder: many frames in one chunk', () => {
  it('every testnet vector twice, in one chunk, in order', () => {
    const list = [...vectors, ...vectors];
    const frames = newDecoder(1 << 20).push(Buffer.concat(list.map((v) => Buffer.from(v.frame, 'hex'))));
    assert.deepEqual(asPairs(frames), list.map((v) => [v.command, Buffer.from(v.payload, 'utf8').toString('hex')]));
  });

  it('a chunk ending inside the next frame keeps the tail for the next push', () => {
    const a = encodeFrame(MAGIC, 'ping', Buffer.from('{"nonce":"0000000000000001"}'));
    const b = encodeFrame(MAGIC, 'pong', Buffer.from('{"nonce":"0000000000000002"}'));
    const d = newDecoder();
    const first = d.push(Buffer.concat([a, b.subarray(0, 30)]));
    assert.deepEqual(first.map((f) => f.command), ['ping']);
    assert.equal(d.bufferedBytes, 30 - HEADER_BYTES);
    assert.deepEqual(d.push(b.subarray(30)).map((f) => f.command), ['pong']);
    assert.equal(d.bufferedBytes, 0);
  });

  it('1000 empty-payload frames in one chunk', () => {
    const one = encodeFrame(MAGIC, 'verack');
    assert.equal(one.length, HEADER_BYTES);
    const frames = newDecoder().push(Buffer.concat(Array.from({ length: 1000 }, () => one)));
    assert.equal(frames.length, 1000);
    for (const f of frames) {
      assert.equal(f.command, 'verack');
      assert.equal(f.payload.length, 0);
    }
  });
});

describe('FrameDecoder: empty payloads', () => {
  it('verack and mempool: a 24-byte frame completes on its last header byte', () => {
    for (const command of ['verack', 'mempool']) {
      const frame = encodeFrame(MAGIC, command);
      assert.equal(frame.length, HEADER_BYTES);
      assert.equal(frame.readUInt32LE(16), 0);
      assert.equal(frame.subarray(20).toString('hex'), '5df6e0e2');
      const d = newDecoder();
      assert.deepEqual(d.push(frame.subarray(0, 23)), []);
      assert.deepEqual(asPairs(d.push(frame.subarray(23))), [[command, '']]);
    }
  });

  it('an empty chunk is a no-op, before, inside and after frames', () => {
    const frame = encodeFrame(MAGIC, 'ping', Buffer.from('{"nonce":"00000000000000aa"}'));
    const d = newDecoder();
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.deepEqual(d.push(frame.subarray(0, 10)), []);
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.equal(d.bufferedBytes, 10);
    assert.deepEqual(d.push(frame.subarray(10)).map((f) => f.command), ['ping']);
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.equal(d.bufferedBytes, 0);
  });

  it('a payload of exactly the limit is accepted', () => {
    const payload = Buffer.alloc(64, 0x41);
    const frames = newDecoder(64).push(encodeFrame(MAGIC, 'oracle', payload));
    assert.equal(frames[0]?.payload.equals(payload), true, 'expected frames[0]?.payload.equals(payload) to be true');
  });
});

describe('FrameDecoder: random chunkings (fast-check)', () => {
  // Frames with arbitrary commands and payload bytes (the decoder does not look inside payloads).
  const frameArb = fc.record({
    command: fc.stringMatching(/^[a-z0-9]{1,12}$/),
    payload: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  });

  it('any frames, cut anywhere, decode to the same frames in order', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, rawCuts) => {
        const bytes = Buffer.concat(frames.map((f) => encodeFrame(MAGIC, f.command, f.payload)));
        const cuts = [...new Set(rawCuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
        const d = newDecoder(300);
        const got = feed(d, bytes, cuts);
        assert.deepEqual(asPairs(got), frames.map((f) => [f.command, f.payload.toString('hex')]));
        assert.equal(d.bufferedBytes, 0);
      }),
      RUNS,
    );
  });

  it('the testnet vectors, chunked at random sizes, decode in order', () => {
    const stream = Buffer.concat(vectors.map((v) => Buffer.from(v.frame, 'hex')));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 60 }), (sizes) => {
        const cuts: number[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          at += sizes[i % sizes.length] as number;
          if (at < stream.length) cuts.push(at);
        }
        const d = newDecoder(1 << 20);
        const got = feed(d, stream, cuts);
        assert.deepEqual(asPairs(got), vectors.map((v) => [v.command, Buffer.from(v.payload, 'utf8').toString('hex')]));
      }),
      RUNS,
    );
  });

  it('holds at most one unfinished header or one unfinished payload of at most the limit', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 97 }), (frames, step) => {
        const bytes = Buffer.concat(frames.map((f) => encodeFrame(MAGIC, f.command, f.payload)));
        const d = newDecoder(300);
        for (let i = 0; i < bytes.length; i += step) {
          d.push(bytes.subarray(i, i + step));
          // Everything complete was returned: what is left is < 24 header bytes or < length (<= 300) payload bytes.
          assert.ok(d.bufferedBytes < Math.max(HEADER_BYTES, 300), `expected d.bufferedBytes < Math.max(HEADER_BYTES, 300), got d.bufferedBytes = ${d.bufferedBytes}`);
        }
        assert.equal(d.bufferedBytes, 0);
      }),
      RUNS,
    );
  });
});

describe('encodeFrame', () => {
  it('refuses a bad magic or command (a bug of the caller, not a WireError)', () => {
    assert.throws(() => encodeFrame(Buffer.from('MEG'), 'ping'), RangeError);
    assert.throws(() => encodeFrame(MAGIC, 'Ping'), RangeError);
    assert.throws(() => encodeFrame(MAGIC, ''), RangeError);
    assert.throws(() => encodeFrame(MAGIC, 'abcdefghijklm'), RangeError);
    assert.throws(() => new FrameDecoder({ magic: Buffer.from('MEGAX'), maxPayloadBytes: 1 }), RangeError);
  });

  it('a 12-character command fills the field with no NUL', () => {
    const f = encodeFrame(MAGIC, 'abcdefghijkl');
    assert.equal(f.subarray(4, 16).toString('latin1'), 'abcdefghijkl');
    assert.deepEqual(asPairs(newDecoder().push(f)), [['abcdefghijkl', '']]);
  });

  it('does not change its inputs and is deterministic', () => {
    const payload = Buffer.from('{"nonce":"0123456789abcdef"}');
    const copy = Buffer.from(payload);
    const a = encodeFrame(MAGIC, 'ping', payload);
    const b = encodeFrame(MAGIC, 'ping', payload);
    assert.equal(a.equals(b), true, 'expected a.equals(b) to be true');
    assert.equal(payload.equals(copy), true, 'expected payload.equals(copy) to be true');
    assert.equal(MAGIC.toString('ascii'), 'MEGT');
  });

  it('decoded payloads do not alias the pushed chunk', () => {
    const frame = encodeFrame(MAGIC, 'ping', Buffer.from('{"nonce":"0123456789abcdef"}'));
    const [f] = newDecoder().push(frame);
    frame.fill(0);
    assert.equal(f?.payload.toString('utf8'), '{"nonce":"0123456789abcdef"}');
  });
});

describe('doubleSha256 (the digest every received frame carries, and its checksum)', () => {
  it('is SHA-256(SHA-256(payload)): Bitcoin\'s empty-payload checksum, a fixed value, and two Hash objects over random payloads', () => {
    assert.equal(doubleSha256(Buffer.alloc(0)).toString('hex'), '5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456', 'expected SHA-256d of nothing (Bitcoin\'s verack checksum 5df6e0e2)');
    assert.equal(doubleSha256(Buffer.from('hello')).toString('hex'), '9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const payload = Buffer.from(bytes);
        const expected = crypto.createHash('sha256').update(crypto.createHash('sha256').update(payload).digest()).digest();
        const got = doubleSha256(payload);
        assert.equal(got.length, 32, 'expected 32 bytes');
        assert.equal(got.toString('hex'), expected.toString('hex'), 'expected SHA-256 of SHA-256 of the payload');
      }),
      RUNS,
    );
  });

  it('decoded frames carry it as their digest', () => {
    const payload = Buffer.from('{"a":1}');
    const [f] = newDecoder().push(encodeFrame(MAGIC, 'oracle', payload));
    assert.equal(f?.digest, doubleSha256(payload).toString('base64'), 'expected the frame digest to be the base64 of SHA-256d of its payload');
  });
});
