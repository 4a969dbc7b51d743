// test/unit/wire/protocol-doc.test.ts - owns the drift checks between docs/PROTOCOL.md section 11 (wire protocol) and the code: P2P schemas, commands, error codes, magics, limits, config defaults and the worked example.
import fs from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_SCHEMA } from '../../../src/config/schema.ts';
import * as p2p from '../../../src/p2p/constants.ts';
import { DECIDED_CACHE_SIZE, DECIDED_TTL_MS, STATE_REFUSAL_TTL_MS } from '../../../src/service/intake.ts';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { COMMANDS, DEFAULT_MAX_PAYLOAD_BYTES, MAX_ADDR_ITEMS, MAX_INV_ITEMS, NETWORK_MAGIC, PROTOCOL_VERSION } from '../../../src/wire/constants.ts';

const doc = fs.readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
const start = doc.indexOf('\n## 11 ');
const end = doc.indexOf('\n## 12 ');
const section = doc.slice(start, end);
const lines = section.split('\n');
/** The section with every run of white space as one space (phrases may wrap). */
const flat = section.replace(/\s+/g, ' ');
const src = (p: string): string => fs.readFileSync(new URL(`../../../src/${p}`, import.meta.url), 'utf8');
const schemas = SchemaRegistry.load().doc.components.schemas as Record<string, { type?: string; pattern?: string; properties?: Record<string, Record<string, unknown>> }>;
const vectors = JSON.parse(fs.readFileSync(new URL('../../fixtures/wire-vectors.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; payload: string; frame: string }[];
};

const P2P_SCHEMAS = ['P2PVersion', 'P2PPing', 'P2PAddr', 'P2PAddress', 'P2PInv', 'P2PInvItem'];
const LIMIT_KEYWORDS = ['maxLength', 'maxItems', 'maximum', 'minLength'] as const;
/** A table row of section 11 that names `member` in its first cell. */
const rowOf = (member: string): string[] => lines.filter((l) => l.startsWith(`| \`${member}\` |`));

describe('docs/PROTOCOL.md section 11 exists and is no longer "not in this release"', () => {
  it('has the section, a table of contents line and no leftover text', () => {
    assert.equal(start > 0 && end > start, true, 'expected start > 0 && end > start to be true');
    assert.match(doc, /^11\. Wire protocol \(TCP\)$/m);
    assert.equal(doc.includes('not in this release'), false, "expected doc not to include 'not in this release'");
    assert.equal(doc.includes('later release) adds'), false, "expected doc not to include 'later release) adds'");
  });
});

describe('section 11 matches the P2P schemas of wolfram-mega-spec.yaml', () => {
  for (const name of P2P_SCHEMAS) {
    it(`${name}: named, and every member is a table row with its limits and pattern`, () => {
      assert.equal(section.includes(`\`${name}\``), true, `${name} not named`);
      if (schemas[name]?.type === 'string') {
        // A string schema (P2PInvItem): one row of its own, with the pattern.
        assert.equal(rowOf(name).some((r) => r.includes(`\`${schemas[name]?.pattern ?? ''}\``)), true, `${name}: pattern ${schemas[name]?.pattern ?? ''}`);
        return;
      }
      const props = schemas[name]?.properties;
      assert.notEqual(props, undefined);
      for (const [prop, def] of Object.entries(props ?? {})) {
        const rows = rowOf(prop);
        assert.notEqual(rows.length, 0, `${name}.${prop} has no row`);
        for (const k of LIMIT_KEYWORDS) {
          if (typeof def[k] !== 'number') continue;
          assert.equal(rows.some((r) => r.includes(String(def[k]))), true, `${name}.${prop}: ${k} ${String(def[k])}`);
        }
        if (typeof def.pattern === 'string') {
          assert.equal(rows.some((r) => r.includes(`\`${def.pattern as string}\``)), true, `${name}.${prop}: pattern ${def.pattern as string}`);
        }
        for (const v of (def.enum as string[] | undefined) ?? []) {
          assert.equal(rows.some((r) => r.includes(`"${v}"`)), true, `${name}.${prop}: enum value ${v}`);
        }
      }
    });
  }

  it('item limits in the schemas are the wire constants', () => {
    assert.equal((schemas.P2PInv?.properties?.items as { maxItems: number }).maxItems, MAX_INV_ITEMS);
    assert.equal((schemas.P2PAddr?.properties?.addresses as { maxItems: number }).maxItems, MAX_ADDR_ITEMS);
  });
});

describe('section 11 lists every command, error code and magic of src/wire', () => {
  it('every command has a row in the commands table, and there are no others', () => {
    const table = section.slice(section.indexOf('### 11.3'), section.indexOf('### 11.4'));
    const listed = [...table.matchAll(/^\| `([a-z0-9]+)` \|/gm)].map((m) => m[1] as string);
    assert.deepEqual(listed.sort(), [...COMMANDS].sort());
    assert.equal(flat.includes(`These ${COMMANDS.size} names`), true, 'expected flat to include `These ${COMMANDS.size} names`');
  });

  it('every WireError code a peer can cause is in the table of 11.2', () => {
    const codes = [...src('wire/errors.ts').matchAll(/\| '([a-z-]+)'/g)].map((m) => m[1] as string).filter((c) => c !== 'bad-message');
    assert.ok(codes.length >= 6, `expected codes.length >= 6, got codes.length = ${codes.length}`);
    const table = section.slice(section.indexOf('### 11.2'), section.indexOf('### 11.3'));
    for (const c of codes) assert.equal(table.includes(`| \`${c}\` |`), true, c);
  });

  it('every network magic, in ASCII and hex', () => {
    for (const [network, magic] of Object.entries(NETWORK_MAGIC)) {
      const row = lines.find((l) => l.startsWith(`| \`${network}\``));
      assert.notEqual(row, undefined, network);
      assert.equal(row?.includes(`\`${magic.toString('ascii')}\``), true, network);
      assert.equal(row?.includes(`\`${[...magic].map((b) => b.toString(16).padStart(2, '0')).join(' ')}\``), true, network);
    }
  });

  it('the close reasons it names are those of src/p2p/peer.ts', () => {
    const reasons = new Set([...src('p2p/peer.ts').matchAll(/^ {2}\| '([a-z-]+)'/gm)].map((m) => m[1] as string));
    for (const m of section.matchAll(/\(`([a-z]+(?:-[a-z]+)+)`[,)]/g)) {
      const r = m[1] as string;
      if (['bad-magic', 'bad-command', 'bad-checksum', 'bad-payload', 'unknown-command', 'schema-violation', 'unknown-oracle'].includes(r)) continue;
      assert.equal(reasons.has(r), true, `close reason ${r} is not in peer.ts`);
    }
  });
});

describe('section 11 states the limits and defaults of the code', () => {
  const numbers: [string, string][] = [
    ['protocol version', `\`${PROTOCOL_VERSION}\``],
    ['ban threshold', `**${p2p.BAN_THRESHOLD}**`],
    ['addr rate', `at most ${p2p.ADDR_MESSAGES_PER_MINUTE} \`addr\` messages per peer per minute`],
    ['addr fan-out', `fan-out ${p2p.ADDR_RELAY_FANOUT}`],
    ['addresses on connect', `up to ${p2p.ADDR_SAMPLE_ON_CONNECT} addresses`],
    ['idle intervals', `${p2p.IDLE_INTERVALS} × \`p2pKeepAlive\``],
    ['mempool interval', `at most one every ${p2p.MEMPOOL_REQUEST_MIN_INTERVAL_MS / 1000} s per peer`],
    ['send buffer', `| unsent data per peer | ${p2p.MAX_SEND_BUFFER_BYTES / 1024 / 1024} MiB |`],
    ['sync high water', `${p2p.SYNC_HIGH_WATER_BYTES / 1024 / 1024} MiB or more of data to that peer`],
    ['known inventory', `${p2p.MAX_KNOWN_INVENTORY} versions`],
    ['decided versions', `${DECIDED_CACHE_SIZE} versions, ${DECIDED_TTL_MS / 60_000} minutes each; refusals with ban score 0: ${DECIDED_CACHE_SIZE / 4}, ${STATE_REFUSAL_TTL_MS / 1000} s each`],
    ['getdata timeout', `${p2p.GETDATA_TIMEOUT_MS / 1000} s per version, ${p2p.MAX_IN_FLIGHT} in total`],
    ['getdata pacing', `served while less than ${p2p.GETDATA_HIGH_WATER_BYTES / 1024 / 1024} MiB is unsent to that peer; at most ${p2p.MAX_GETDATA_QUEUE} short ids waiting per peer`],
    ['address book', `at most ${p2p.MAX_ADDRESSES} addresses`],
    ['dial timeout', `${p2p.DIAL_TIMEOUT_MS / 1000} s connect timeout`],
    ['dial backoff', `${p2p.DIAL_BACKOFF_BASE_MS / 1000} s doubling up to ${p2p.DIAL_BACKOFF_MAX_MS / 60_000} minutes`],
    ['dial failures', `after ${p2p.MAX_DIAL_FAILURES} failures in a row`],
    ['inv items', `| ${MAX_INV_ITEMS} | schema limit |`],
    ['short version id', 'first 16 bytes of the version hash'],
    ['short version id form', '`^[A-Za-z0-9_-]{22}$`'],
    ['addr items', `addresses per \`addr\` | ${MAX_ADDR_ITEMS} |`],
    ['bans kept', 'At most 10000 bans are kept'],
  ];
  for (const [what, text] of numbers) {
    it(`${what}: "${text}"`, () => {
      assert.equal(flat.includes(text), true, 'expected flat to include text');
    });
  }

  it('the bans kept are those of src/p2p/bans.ts', () => {
    assert.match(src('p2p/bans.ts'), /const MAX_BANS = 10_000;/);
  });

  const defaults: [keyof typeof CONFIG_SCHEMA, string][] = [
    ['maxMsgLength', '`maxMsgLength` (node configuration, default 1048576 bytes'],
    ['handshakeTimeoutMs', '`handshakeTimeoutMs` (default 10000 ms)'],
    ['p2pKeepAlive', '`p2pKeepAlive` milliseconds (node configuration, default 30000)'],
    ['antiEntropyIntervalMs', '`antiEntropyIntervalMs` (node configuration, default 60000)'],
    ['banTimeMs', '`banTimeMs` (node configuration, default 86400000 ms'],
    ['p2pMaxMessagesPerSecond', '`p2pMaxMessagesPerSecond`, default 20000'],
    ['maxConnections', '`maxConnections` (default 64)'],
    ['targetOutbound', '`targetOutbound` (default 8)'],
    ['network', '`mainnet` (default)'],
  ];
  for (const [key, text] of defaults) {
    it(`config ${key}: the documented default is the schema's`, () => {
      assert.equal(flat.includes(text), true, text);
      assert.equal(text.includes(String(CONFIG_SCHEMA[key].default)), true, `default ${String(CONFIG_SCHEMA[key].default)}`);
    });
  }
  it('maxMsgLength default is the wire default', () => {
    assert.equal(CONFIG_SCHEMA.maxMsgLength.default, DEFAULT_MAX_PAYLOAD_BYTES);
  });
});

describe('section 11.12: the worked example is the testnet/version vector', () => {
  const v = vectors.vectors.find((x) => x.name === 'testnet/version');
  const example = section.slice(section.indexOf('### 11.12'));

  it('the payload shown is the vector payload', () => {
    const m = /```json\n(.*)\n```/.exec(example);
    assert.equal(m?.[1], v?.payload);
  });

  it('the annotated hex dump is the vector frame', () => {
    const dump = example.slice(example.indexOf('The frame,'), example.indexOf('(payload rows'));
    const hex = dump
      .split('\n')
      .map((l) => /^(?:[0-9a-f]{4} {2})?((?:[0-9a-f]{2} )*[0-9a-f]{2})(?: {2}|$)/.exec(l)?.[1] ?? '')
      .join('')
      .replaceAll(' ', '');
    assert.equal(hex, v?.frame);
  });

  it('the verack shown is the testnet/verack vector', () => {
    const verack = vectors.vectors.find((x) => x.name === 'testnet/verack')?.frame ?? '';
    const m = /```\n([0-9a-f ]+)\n/.exec(example.slice(example.indexOf('answering `verack`')));
    assert.equal(m?.[1]?.replaceAll(' ', ''), verack);
  });
});
