// test/unit/wire/message-errors.test.ts - owns the negative cases of MessageCodec.decode: unknown commands, empty-payload commands, UTF-8, JSON, the P2P schemas of every control message, lone surrogates; every failure a WireError with its code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { COMMANDS, EMPTY_PAYLOAD_COMMANDS, MAX_ADDR_ITEMS, MAX_INV_ITEMS } from '../../../src/wire/constants.ts';
import { WireError, type WireErrorCode } from '../../../src/wire/errors.ts';
import { ENTITY_COMMANDS, MessageCodec } from '../../../src/wire/messages.ts';

const RUNS = { seed: 11, numRuns: 300 } as const;
const codec = new MessageCodec(SchemaRegistry.load());

/** Decode a payload given as a JS value (JSON-encoded), a JSON text, or raw bytes. */
const bytesOf = (p: unknown): Buffer => (Buffer.isBuffer(p) ? p : Buffer.from(typeof p === 'string' ? p : JSON.stringify(p), 'utf8'));

/** `decode` must throw a WireError with `code` and nothing else. */
function refuses(command: string, payload: unknown, code: WireErrorCode = 'bad-payload'): WireError {
  let caught: unknown = null;
  try {
    codec.decode(command, bytesOf(payload));
  } catch (e) {
    caught = e;
  }
  assert.equal(caught instanceof WireError, true, `${command} ${String(bytesOf(payload)).slice(0, 80)}: expected WireError ${code}, got ${String(caught)}`);
  assert.equal((caught as WireError).code, code, (caught as WireError).message);
  return caught as WireError;
}

/** `decode` must accept and return the parsed payload. */
function accepts(command: string, payload: unknown): void {
  const msg = codec.decode(command, bytesOf(payload));
  assert.equal(msg.command, command);
  assert.deepEqual(msg.payload, typeof payload === 'string' ? JSON.parse(payload) : payload);
}

const HEX64 = 'a'.repeat(64);
const VERSION = { protocolVersion: 2, network: 'testnet', nonce: '0123456789abcdef', userAgent: '/mega:0.1.0/', listenPort: 8333, httpPort: 8080, shard: { count: 1, index: 0 } };
const ADDRESS = { host: '203.0.113.7', port: 8333, seqNo: 0 };
/** A short version id (docs/PROTOCOL.md 11.6): 22 base64url characters. */
const ITEM = 'bX23-QlswUBkbIggAna79A';
const without = (o: Record<string, unknown>, k: string): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([x]) => x !== k));

describe('MessageCodec: commands', () => {
  for (const command of ['offers', 'getaddr', 'reject', 'sendheaders', 'constructor', 'tostring', 'a', '0']) {
    it(`unknown command ${command}: unknown-command`, () => {
      refuses(command, '{}', 'unknown-command');
      refuses(command, '', 'unknown-command');
    });
  }

  for (const command of ['verack', 'mempool']) {
    it(`${command}: empty payload decodes to null; any byte is bad-payload`, () => {
      assert.deepEqual(codec.decode(command, Buffer.alloc(0)), { command, payload: null });
      for (const p of ['{}', 'null', ' ', '\n', '""', Buffer.from([0])]) refuses(command, p);
    });
  }

  it('every command with a JSON payload refuses an empty payload', () => {
    for (const command of COMMANDS) {
      if (EMPTY_PAYLOAD_COMMANDS.has(command)) continue;
      refuses(command, '');
    }
  });
});

describe('MessageCodec: UTF-8 and JSON', () => {
  const invalidUtf8: [string, Buffer][] = [
    ['a lone 0xff', Buffer.from('{"nonce":"\xff"}', 'latin1')],
    ['a truncated sequence', Buffer.from([0x7b, 0x22, 0x6e, 0xc3, 0x22, 0x7d])],
    ['an overlong "/"', Buffer.from([0x22, 0xc0, 0xaf, 0x22])],
    ['a UTF-8 encoded surrogate (CESU-8)', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])],
    ['a code point above U+10FFFF', Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22])],
  ];
  for (const [name, bytes] of invalidUtf8) {
    it(`invalid UTF-8 (${name}) is bad-payload for control and entity commands`, () => {
      for (const command of ['version', 'ping', 'addr', 'inv', 'oracle', 'report', 'dispute']) refuses(command, bytes);
    });
  }

  const invalidJson = ['{', '}', '{"nonce":}', "{'nonce':'0123456789abcdef'}", '{"nonce":"0123456789abcdef"} x', '{"nonce":"0123456789abcdef"}{}', 'NaN', 'undefined', '{"a":01}', '[1,]'];
  for (const text of invalidJson) {
    it(`invalid JSON ${JSON.stringify(text)} is bad-payload`, () => {
      for (const command of ['ping', 'inv', 'oracle', 'capability']) refuses(command, text);
    });
  }

  it('JSON values that are not objects: control commands refuse them, entity commands pass them on', () => {
    for (const text of ['null', '1', '"x"', '[]', 'true']) {
      for (const command of ['version', 'ping', 'pong', 'addr', 'inv', 'getdata', 'notfound']) refuses(command, text);
      // Entity payloads are parsed only: the service validates them (and ranks the sender) like a REST body.
      for (const command of ENTITY_COMMANDS) assert.deepEqual(codec.decode(command, Buffer.from(text)).payload, JSON.parse(text));
    }
  });

  it('insignificant whitespace is allowed', () => {
    accepts('ping', ' \n{ "nonce" : "0123456789abcdef" }\t');
  });

  it('a deeply nested payload is refused without a stack overflow', () => {
    refuses('version', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
    refuses('inv', '['.repeat(100_000) + ']'.repeat(100_000));
  });
});

describe('MessageCodec: version (P2PVersion)', () => {
  it('the full message, and without the optional shard', () => {
    accepts('version', VERSION);
    accepts('version', without(VERSION, 'shard'));
  });
  it('boundaries that are accepted', () => {
    accepts('version', { ...VERSION, userAgent: 'u'.repeat(256) });
    accepts('version', { ...VERSION, userAgent: '' });
    accepts('version', { ...VERSION, userAgent: '😀'.repeat(256) }); // 256 code points, 512 UTF-16 units
    accepts('version', { ...VERSION, listenPort: 0, httpPort: 0 });
    accepts('version', { ...VERSION, listenPort: 65535, httpPort: 65535 });
    accepts('version', { ...VERSION, protocolVersion: 0 });
    accepts('version', { ...VERSION, protocolVersion: 4294967295 }); // the peer refuses it (unsupported-version), the codec does not
    for (const network of ['mainnet', 'testnet', 'regtest']) accepts('version', { ...VERSION, network });
  });
  it('an extra field', () => {
    refuses('version', { ...VERSION, services: 1 });
    refuses('version', { ...VERSION, relay: true });
  });
  for (const field of ['protocolVersion', 'network', 'nonce', 'userAgent', 'listenPort', 'httpPort']) {
    it(`missing ${field}`, () => {
      refuses('version', without(VERSION, field));
    });
  }
  it('bad nonce', () => {
    for (const nonce of ['0123456789ABCDEF', '0123456789abcde', '0123456789abcdef0', '0123456789abcdeg', '', 123, null]) refuses('version', { ...VERSION, nonce });
  });
  it('bad protocolVersion', () => {
    for (const protocolVersion of [-1, 1.5, '1', 4294967296, null, true]) refuses('version', { ...VERSION, protocolVersion });
  });
  it('bad network', () => {
    for (const network of ['Mainnet', 'signet', '', 'main', 1]) refuses('version', { ...VERSION, network });
  });
  it('bad userAgent', () => {
    for (const userAgent of ['u'.repeat(257), 1, null, ['x']]) refuses('version', { ...VERSION, userAgent });
  });
  it('bad ports', () => {
    for (const p of [-1, 65536, 1.5, '8333', null]) {
      refuses('version', { ...VERSION, listenPort: p });
      refuses('version', { ...VERSION, httpPort: p });
    }
  });
  it('bad shard', () => {
    for (const shard of [{ count: 0, index: 0 }, { count: 1, index: -1 }, { count: 1 }, { index: 0 }, { count: 1.5, index: 0 }, null, 1, []]) refuses('version', { ...VERSION, shard });
  });
  it('an extra field inside shard', () => {
    refuses('version', { ...VERSION, shard: { count: 1, index: 0, extra: 1 } });
  });
  it('a lone surrogate in userAgent (escaped in JSON) is bad-payload, not another exception', () => {
    const e = refuses('version', JSON.stringify({ ...VERSION, userAgent: 'x' }).replace('"x"', '"\\ud800"'));
    assert.match(e.message, /surrogate/);
    refuses('version', JSON.stringify({ ...VERSION, userAgent: 'x' }).replace('"x"', '"a\\udc00b"'));
  });
  it('a lone surrogate in a member name is bad-payload', () => {
    refuses('version', JSON.stringify(VERSION).replace('{', '{"\\ud800":1,'));
  });
  it('a __proto__ member is an unknown field', () => {
    refuses('version', JSON.stringify(VERSION).replace('{', '{"__proto__":{"x":1},'));
  });
});

describe('MessageCodec: ping and pong (P2PPing)', () => {
  for (const command of ['ping', 'pong']) {
    it(`${command}: nonce of 16 lowercase hex characters, nothing else`, () => {
      accepts(command, { nonce: '0123456789abcdef' });
      refuses(command, {});
      refuses(command, { nonce: '0123456789abcdef', extra: 1 });
      refuses(command, { nonce: '0123456789abcdef', timestamp: 0 });
      for (const nonce of ['0123456789ABCDEF', '0123456789abcde', '0123456789abcdef00', 'zzzzzzzzzzzzzzzz', 1234, null, ['0123456789abcdef']]) refuses(command, { nonce });
      refuses(command, '{"nonce":"\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800"}');
    });
  }
});

describe('MessageCodec: addr (P2PAddr)', () => {
  it('valid addresses, up to the limit', () => {
    accepts('addr', { addresses: [] });
    accepts('addr', { addresses: [ADDRESS, { host: 'node.example', port: 1, seqNo: 9007199254740991 }, { host: '2001:db8::1', port: 65535, seqNo: 1 }, { host: '[2001:db8::1]', port: 8333, seqNo: 1 }] });
    accepts('addr', { addresses: [{ ...ADDRESS, host: 'h'.repeat(255) }] });
    accepts('addr', { addresses: Array.from({ length: MAX_ADDR_ITEMS }, (_, i) => ({ ...ADDRESS, port: i + 1 })) });
  });
  it(`more than ${MAX_ADDR_ITEMS} addresses`, () => {
    refuses('addr', { addresses: Array.from({ length: MAX_ADDR_ITEMS + 1 }, (_, i) => ({ ...ADDRESS, port: i + 1 })) });
  });
  it('an optional shard on an address (protocol 4): a Shard, nothing else', () => {
    accepts('addr', { addresses: [{ ...ADDRESS, shard: { count: 2, index: 1 } }, { ...ADDRESS, port: 2, shard: { count: 1, index: 0 } }] });
    const example = (SchemaRegistry.load().doc.components.schemas as Record<string, { example?: unknown }>).P2PAddr?.example;
    assert.notEqual(example, undefined, 'expected the spec to show an addr example');
    accepts('addr', example);
    for (const shard of [{ count: 0, index: 0 }, { count: 2, index: -1 }, { count: 2 }, { index: 0 }, { count: 2, index: 1, extra: 1 }, { count: 1.5, index: 0 }, { count: '2', index: 0 }, null, [2, 1]]) {
      refuses('addr', { addresses: [{ ...ADDRESS, shard }] });
    }
  });
  it('extra fields, on the message and on an address', () => {
    refuses('addr', { addresses: [], extra: 1 });
    refuses('addr', { addresses: [{ ...ADDRESS, services: 1 }] });
  });
  it('missing fields', () => {
    refuses('addr', {});
    for (const f of ['host', 'port', 'seqNo']) refuses('addr', { addresses: [without(ADDRESS, f)] });
  });
  it('bad host, port and seqNo', () => {
    for (const host of ['', 'h'.repeat(256), 'a b', 'user@host', 'host/path', 'héllo', 1, null]) refuses('addr', { addresses: [{ ...ADDRESS, host }] });
    for (const port of [0, 65536, -1, 1.5, '8333']) refuses('addr', { addresses: [{ ...ADDRESS, port }] });
    for (const seqNo of [-1, 9007199254740992, 0.5, '0']) refuses('addr', { addresses: [{ ...ADDRESS, seqNo }] });
    refuses('addr', { addresses: ADDRESS });
  });
});

describe('MessageCodec: inv, getdata, notfound (P2PInv)', () => {
  for (const command of ['inv', 'getdata', 'notfound']) {
    it(`${command}: short version ids over the whole base64url alphabet, up to ${MAX_INV_ITEMS} items`, () => {
      accepts(command, { items: [] });
      accepts(command, { items: ['AAAAAAAAAAAAAAAAAAAAAA', '_____________________w', '----____AAAAAAAAAAAAAA', 'abcdefghijklmnopqrstuv', 'wxyzABCDEFGHIJKLMNOPQR', 'STUVWXYZ0123456789-_Aw'] });
      accepts(command, { items: Array.from({ length: MAX_INV_ITEMS }, () => ITEM) });
    });
    it(`${command}: more than ${MAX_INV_ITEMS} items`, () => {
      refuses(command, { items: Array.from({ length: MAX_INV_ITEMS + 1 }, () => ITEM) });
    });
    it(`${command}: an item of the wrong length or alphabet`, () => {
      const bad = [
        ITEM.slice(1), // 21 characters
        ITEM + 'A', // 23
        ITEM.slice(0, 20) + '==', // padded
        ITEM.slice(0, 21) + '+', // base64, not base64url
        ITEM.slice(0, 21) + '/',
        ITEM.slice(0, 21) + '.',
        ITEM.slice(0, 21) + ' ',
        ITEM.slice(0, 21) + 'é',
        HEX64, // a whole version hash (protocol 1)
        HEX64.slice(0, 32), // its 16 bytes in hex
        '',
      ];
      for (const item of bad) refuses(command, { items: [item] });
      for (const item of bad) refuses(command, { items: [ITEM, item] });
    });
    it(`${command}: an item that is not a string (protocol 1 objects included)`, () => {
      for (const item of [{ type: 'report', id: HEX64, version: HEX64 }, { id: ITEM }, 1, null, true, [ITEM]]) refuses(command, { items: [item] });
    });
    it(`${command}: extra and missing fields`, () => {
      refuses(command, { items: [], extra: 1 });
      refuses(command, {});
      refuses(command, { items: ITEM });
      refuses(command, { ITEMS: [ITEM] });
    });
  }
});

describe('MessageCodec: entity commands are parsed, not judged', () => {
  it('a lone surrogate in an entity payload reaches the service (which refuses it as schema-violation)', () => {
    const msg = codec.decode('oracle', Buffer.from('{"pubkey":"\\ud800"}'));
    assert.equal((msg.payload as { pubkey: string }).pubkey, '\ud800');
  });
});

describe('MessageCodec: arbitrary input never throws anything but a WireError (fast-check)', () => {
  const commands = [...COMMANDS, 'offers', 'x'];
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.uint8Array({ maxLength: 120 }), (command, raw) => {
        try {
          codec.decode(command, Buffer.from(raw));
        } catch (e) {
          assert.equal(e instanceof WireError, true, String(e));
        }
      }),
      RUNS,
    );
  });

  it('random JSON, including lone surrogates', () => {
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.jsonValue(), (command, value) => {
        try {
          codec.decode(command, Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'));
        } catch (e) {
          assert.equal(e instanceof WireError, true, String(e));
          assert.equal(['unknown-command', 'bad-payload'].includes((e as WireError).code), true, "expected ['unknown-command', 'bad-payload'].includes((e as WireError).code) to be true");
        }
      }),
      RUNS,
    );
  });

  it('random near-valid control messages: a WireError or a schema-valid message', () => {
    const versionArb = fc.record(
      {
        protocolVersion: fc.oneof(fc.integer(), fc.constant(1)),
        network: fc.constantFrom('mainnet', 'testnet', 'regtest', 'other'),
        nonce: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.string()),
        userAgent: fc.string({ unit: 'binary', maxLength: 300 }),
        listenPort: fc.integer({ min: -10, max: 70000 }),
        httpPort: fc.integer({ min: -10, max: 70000 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(versionArb, (v) => {
        try {
          const msg = codec.decode('version', Buffer.from(JSON.stringify(v), 'utf8'));
          assert.equal(msg.command, 'version');
        } catch (e) {
          assert.equal(e instanceof WireError, true, String(e));
          assert.equal((e as WireError).code, 'bad-payload');
        }
      }),
      RUNS,
    );
  });
});
