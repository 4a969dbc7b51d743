// test/unit/wire/short-id.test.ts - owns shortId, the short version id inventory names a version by (docs/PROTOCOL.md 11.6): 16 bytes of the version hash in base64url, 22 characters, and the P2PInvItem schema that checks its form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { shortId, SHORT_ID_BYTES, SHORT_ID_CHARS } from '../../../src/protocol/ids.ts';
import { versionHash } from '../../../src/protocol/ids.ts';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { makeKeys, makeOracle } from '../../helpers/factory.ts';

const PATTERN = /^[A-Za-z0-9_-]{22}$/;
const itemSchema = SchemaRegistry.load().component('P2PInvItem');

describe('shortId', () => {
  it('fixed values: the first 16 bytes in base64url, no padding', () => {
    assert.equal(SHORT_ID_BYTES, 16);
    assert.equal(SHORT_ID_CHARS, 22);
    assert.equal(shortId('00'.repeat(32)), 'AAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(shortId('ff'.repeat(32)), '_____________________w');
    assert.equal(shortId('6d7db7f9096cc140646c88200276bbf44ef089fb68cf994848cc337d1abd40d8'), 'bX23-QlswUBkbIggAna79A');
    // '-' is 62 and '_' is 63: base64url, never '+' or '/'.
    assert.equal(shortId('fbefbeffffff' + '00'.repeat(26)), '----____AAAAAAAAAAAAAA');
  });

  it('only the first 16 bytes count', () => {
    const a = 'ab'.repeat(16);
    assert.equal(shortId(a + '00'.repeat(16)), shortId(a + 'ff'.repeat(16)));
    assert.notEqual(shortId('00' + 'ab'.repeat(31)), shortId('01' + 'ab'.repeat(31)));
    assert.notEqual(shortId('ab'.repeat(15) + '00' + 'ab'.repeat(16)), shortId('ab'.repeat(15) + '01' + 'ab'.repeat(16)));
  });

  it('of a real version hash: 22 characters that decode back to its first 16 bytes, valid against P2PInvItem', () => {
    const v = versionHash(makeOracle({ keys: makeKeys(1) }));
    const id = shortId(v);
    assert.match(id, PATTERN);
    assert.equal(Buffer.from(id, 'base64url').toString('hex'), v.slice(0, 32));
    assert.equal(itemSchema(id), true, `expected ${id} to match the inventory item schema`);
  });

  it('any hash (fast-check): the pattern, the last character A/Q/g/w, one-to-one on the first 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const hex = Buffer.from(bytes).toString('hex');
        const id = shortId(hex);
        assert.match(id, PATTERN);
        assert.equal('AQgw'.includes(id.at(-1) as string), true, "expected 'AQgw'.includes(id.at(-1) as string) to be true");
        assert.equal(Buffer.from(id, 'base64url').toString('hex'), hex.slice(0, 32));
        // An independent encoder: standard base64 with the RFC 4648 section 5 substitutions, '=' dropped.
        assert.equal(id, Buffer.from(bytes.subarray(0, 16)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
        assert.equal(itemSchema(id), true, `expected ${id} to match the inventory item schema`);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('distinct versions give distinct ids (10000 random hashes)', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(shortId(crypto.randomBytes(32).toString('hex')));
    assert.equal(ids.size, 10_000);
  });

  it('refuses what is not a version hash (a bug in the caller, not a peer error)', () => {
    for (const bad of ['', 'ab', 'zz'.repeat(32), 'ab'.repeat(15) + 'zz' + 'ab'.repeat(16)]) assert.throws(() => shortId(bad), TypeError);
  });

  it('is the Buffer encoding it replaced (issue #21: no Buffer per call): same ids for either case, same refusals at every position', () => {
    const viaBuffer = (hex: string): string => {
      const id = Buffer.from(hex.slice(0, 32), 'hex').toString('base64url');
      if (id.length !== 22) throw new TypeError('not a version hash');
      return id;
    };
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (bytes, upper) => {
        const hex = Buffer.from(bytes).toString('hex');
        const text = upper ? hex.toUpperCase() : hex;
        assert.equal(shortId(text), viaBuffer(text), `expected the Buffer encoding of ${text}`);
      }),
      { seed: 2121, numRuns: 1000 },
    );
    const base = '0123456789abcdef'.repeat(4);
    for (let i = 0; i < 64; i++) {
      for (const c of ['g', 'G', ' ', '\u00e9', '\ud83d', 'x']) {
        const text = base.slice(0, i) + c + base.slice(i + 1);
        if (i < 32) assert.throws(() => shortId(text), TypeError, `expected ${JSON.stringify(c)} at digit ${i} refused`);
        else assert.equal(shortId(text), viaBuffer(text), `expected ${JSON.stringify(c)} at digit ${i} (past the 16 bytes) ignored`);
      }
    }
    for (let n = 0; n < 32; n++) assert.throws(() => shortId(base.slice(0, n)), TypeError, `expected ${n} digits refused`);
    assert.equal(shortId(base.slice(0, 32)), viaBuffer(base.slice(0, 32)), 'expected exactly 32 digits to be enough');
  });
});

describe('P2PInvItem schema', () => {
  it('accepts exactly 22 characters of the base64url alphabet', () => {
    for (const ok of ['AAAAAAAAAAAAAAAAAAAAAA', 'zzzzzzzzzzzzzzzzzzzzzz', '0123456789-_abcdefghij']) assert.equal(itemSchema(ok), true, ok);
    for (const bad of ['A'.repeat(21), 'A'.repeat(23), 'A'.repeat(20) + '==', 'A'.repeat(21) + '+', 'A'.repeat(21) + '/', 'A'.repeat(21) + '\n', 'a'.repeat(64), 22, null, { id: 'x' }]) {
      assert.equal(itemSchema(bad), false, JSON.stringify(bad));
    }
  });
});
