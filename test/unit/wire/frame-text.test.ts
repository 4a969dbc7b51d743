// test/unit/wire/frame-text.test.ts - owns encodeFrame with a JSON text payload (what Peer.send writes: the text straight into the frame): the same bytes as the Buffer form for every wire vector, every command and random Unicode text, and what MessageCodec.encodeText gives for each command.
import fs from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { COMMANDS, HEADER_BYTES, NETWORK_MAGIC } from '../../../src/wire/constants.ts';
import { doubleSha256, encodeFrame, FrameDecoder } from '../../../src/wire/frame.ts';
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
