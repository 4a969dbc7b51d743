// test/unit/wire/frame-text.test.ts - owns encodeFrame with a JSON text payload (what Peer.send writes: the text straight into the frame): the same bytes as the Buffer form for every wire vector, every command and random Unicode text; what MessageCodec.encodeText gives for each command; the digest as base64 text and the checksum read from it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { COMMANDS, HEADER_BYTES, NETWORK_MAGIC } from '../../../src/wire/constants.ts';
import { doubleSha256, doubleSha256Base64, encodeFrame, FrameDecoder, leadingUint32LEOfBase64 } from '../../../src/wire/frame.ts';
import { MessageCodec, type WireMessage } from '../../../src/wire/messages.ts';

const RUNS = { seed: 20261205, numRuns: 200 } as const;
const vectors = (JSON.parse(fs.readFileSync(new URL('../../fixtures/wire-vectors.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; network: keyof typeof NETWORK_MAGIC; command: string; payload: string; frame: string }[];
}).vectors;

describe('encodeFrame with the payload as text', () => {
  it('gives every wire vector\'s stored frame, as the Buffer form does', () => {
    for (const v of vectors) {
      const magic = NETWORK_MAGIC[v.network];
      assert.equal(encodeFrame(magic, v.command, v.payload).toString('hex'), v.frame, `${v.name}: expected the stored frame from the text payload`);
      assert.equal(encodeFrame(magic, v.command, Buffer.from(v.payload, 'utf8')).toString('hex'), v.frame, `${v.name}: expected the stored frame from the Buffer payload`);
    }
  });

  it('writes the same bytes as Buffer.from(text, "utf8") for random Unicode text (multi-byte, astral, lone surrogates), every command and network', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMANDS), fc.constantFrom(...Object.values(NETWORK_MAGIC)), fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string()), (command, magic, text) => {
        const fromText = encodeFrame(magic, command, text);
        const fromBuffer = encodeFrame(magic, command, Buffer.from(text, 'utf8'));
        assert.equal(fromText.toString('hex'), fromBuffer.toString('hex'), `expected identical frames for ${JSON.stringify(text)}`);
        assert.equal(fromText.readUInt32LE(16), Buffer.byteLength(text, 'utf8'), 'expected the length field to count UTF-8 bytes, not characters');
        assert.equal(fromText.subarray(20, 24).toString('hex'), doubleSha256(Buffer.from(text, 'utf8')).subarray(0, 4).toString('hex'), 'expected the checksum of the UTF-8 payload');
      }),
      RUNS,
    );
  });

  it('an empty text is an empty payload with the empty-payload checksum 5df6e0e2', () => {
    const f = encodeFrame(NETWORK_MAGIC.regtest, 'verack', '');
    assert.equal(f.length, HEADER_BYTES, 'expected a header alone');
    assert.equal(f.subarray(20, 24).toString('hex'), '5df6e0e2', 'expected Bitcoin\'s empty-payload checksum');
    assert.equal(f.equals(encodeFrame(NETWORK_MAGIC.regtest, 'verack')), true, 'expected the same frame as with no payload argument');
  });

  it('frames made one after another never share or overwrite each other\'s bytes', () => {
    const a = encodeFrame(NETWORK_MAGIC.regtest, 'ping', '{"nonce":"0000000000000001"}');
    const copy = Buffer.from(a);
    const b = encodeFrame(NETWORK_MAGIC.regtest, 'ping', '{"nonce":"0000000000000002"}');
    assert.equal(a.equals(copy), true, 'expected the first frame unchanged by the second');
    assert.deepEqual(new FrameDecoder({ magic: NETWORK_MAGIC.regtest, maxPayloadBytes: 1024 }).push(Buffer.concat([a, b])).map((f) => f.payload.toString()), ['{"nonce":"0000000000000001"}', '{"nonce":"0000000000000002"}']);
  });

  it('refuses an invalid command, whatever the payload form', () => {
    for (const bad of ['', 'Ping', 'get-data', 'abcdefghijklm']) {
      assert.throws(() => encodeFrame(NETWORK_MAGIC.regtest, bad, '{}'), RangeError, `expected ${JSON.stringify(bad)} refused`);
      assert.throws(() => encodeFrame(NETWORK_MAGIC.regtest, bad, Buffer.from('{}')), RangeError, `expected ${JSON.stringify(bad)} refused`);
    }
    assert.throws(() => encodeFrame(Buffer.from('MEG'), 'ping', '{}'), RangeError, 'expected a 3-byte magic refused');
  });
});

describe('MessageCodec.encodeText', () => {
  const codec = new MessageCodec(SchemaRegistry.load());
  const messages: WireMessage[] = [
    { command: 'verack', payload: null },
    { command: 'mempool', payload: null },
    { command: 'ping', payload: { nonce: '0123456789abcdef' } },
    { command: 'inv', payload: { items: ['AAAAAAAAAAAAAAAAAAAAAA'] } },
    { command: 'oracle', payload: { pubkey: 'é€😀', cTTL: 3 } },
  ];
  it('is the JSON text of the payload (empty for verack and mempool), and encode() is its UTF-8 bytes', () => {
    for (const m of messages) {
      const expected = m.payload === null ? '' : JSON.stringify(m.payload);
      assert.equal(codec.encodeText(m), expected, `${m.command}: expected the payload's JSON text`);
      assert.equal(codec.encode(m).equals(Buffer.from(expected, 'utf8')), true, `${m.command}: expected encode() to be the UTF-8 of encodeText()`);
    }
  });
});

describe('the digest as base64 text (what every received frame carries) and the checksum read from it', () => {
  const reference = (payload: Buffer): Buffer => crypto.createHash('sha256').update(crypto.createHash('sha256').update(payload).digest()).digest();

  it('doubleSha256Base64 and doubleSha256 are SHA-256(SHA-256(payload)) by two Hash objects, over random payloads and calls interleaved (the inner digest buffer is shared)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const pa = Buffer.from(a);
        const pb = Buffer.from(b);
        const da = doubleSha256Base64(pa);
        const db = doubleSha256(pb);
        assert.equal(da, reference(pa).toString('base64'), 'expected the base64 of SHA-256d of the first payload');
        assert.equal(db.toString('hex'), reference(pb).toString('hex'), 'expected SHA-256d of the second payload, unaffected by the first call');
        assert.equal(doubleSha256Base64(pa), da, 'expected the same digest again');
      }),
      RUNS,
    );
  });

  it('leadingUint32LEOfBase64 is readUInt32LE(0) of the bytes the text encodes, for random 32-byte digests and the edge bytes 00/ff', () => {
    const cases = [Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.from('80000001ff7f0000'.padEnd(64, '0'), 'hex')];
    for (const d of cases) assert.equal(leadingUint32LEOfBase64(d.toString('base64')), d.readUInt32LE(0), `expected ${d.toString('hex').slice(0, 8)} read little-endian`);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const d = Buffer.from(bytes);
        assert.equal(leadingUint32LEOfBase64(d.toString('base64')), d.readUInt32LE(0), `expected ${d.toString('hex').slice(0, 8)} read little-endian`);
      }),
      RUNS,
    );
  });

  it('a frame whose checksum is off in any one bit of any of its 4 bytes is refused (bad-checksum); the right one passes', () => {
    const good = encodeFrame(NETWORK_MAGIC.regtest, 'oracle', '{"pubkey":"x","cTTL":1}');
    assert.equal(new FrameDecoder({ magic: NETWORK_MAGIC.regtest, maxPayloadBytes: 1024 }).push(good).length, 1, 'expected the frame as encoded to pass');
    for (let bit = 0; bit < 32; bit++) {
      const bad = Buffer.from(good);
      const at = 20 + (bit >> 3);
      bad[at] = (bad[at] as number) ^ (1 << (bit & 7));
      assert.throws(() => new FrameDecoder({ magic: NETWORK_MAGIC.regtest, maxPayloadBytes: 1024 }).push(bad), (e: Error & { code?: string }) => e.code === 'bad-checksum', `expected checksum bit ${bit} flipped refused as bad-checksum`);
    }
  });
});
