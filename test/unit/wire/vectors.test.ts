// test/unit/wire/vectors.test.ts - owns the fixed frame vectors of test/fixtures/wire-vectors.json in both directions: encode to the stored hex, decode back to command + payload, codec round trip per command; and its short version id vectors.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { shortId } from '../../../src/protocol/ids.ts';
import { versionHash } from '../../../src/protocol/ids.ts';
import type { OracleId } from '../../../src/protocol/types.ts';
import { COMMANDS, DEFAULT_MAX_PAYLOAD_BYTES, EMPTY_PAYLOAD_COMMANDS, HEADER_BYTES, NETWORK_MAGIC, PROTOCOL_VERSION, type Network } from '../../../src/wire/constants.ts';
import { checksum, encodeFrame, FrameDecoder } from '../../../src/wire/frame.ts';
import { ENTITY_COMMANDS, MessageCodec } from '../../../src/wire/messages.ts';

/** One frame vector (scripts/gen-wire-vectors.ts). */
interface WireVector {
  name: string;
  network: Network;
  command: string;
  payload: string;
  length: number;
  checksum: string;
  frame: string;
  entity?: { source: string; version: string; shortId: string };
}
interface WireVectors {
  protocolVersion: number;
  headerBytes: number;
  maxPayloadBytes: number;
  networks: Record<Network, { magic: string; magicHex: string }>;
  emptyPayloadChecksum: string;
  vectors: WireVector[];
  shortIds: { name: string; version: string; first16Bytes: string; shortId: string }[];
}

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const file = JSON.parse(fs.readFileSync(new URL('wire-vectors.json', FIXTURES), 'utf8')) as WireVectors;
const protocolVectors = JSON.parse(fs.readFileSync(new URL('protocol-vectors.json', FIXTURES), 'utf8')) as {
  signatures: { name: string; input: unknown }[];
  ids: { reports: { name: string; input: unknown; id: string }[]; dispute: { name: string; input: unknown } };
  dlc: { capability: { name: string; input: unknown }; announcement: { input: unknown }; attestation: { input: unknown } };
  offer: { input: unknown };
};
const codec = new MessageCodec(SchemaRegistry.load());
const decoderFor = (network: Network, maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES): FrameDecoder =>
  new FrameDecoder({ magic: NETWORK_MAGIC[network], maxPayloadBytes });

describe('wire vectors: file header', () => {
  it('matches the wire constants', () => {
    assert.equal(file.protocolVersion, 5, 'wire protocol 5: the relay commands prune and graft');
    assert.equal(file.protocolVersion, PROTOCOL_VERSION);
    assert.equal(file.headerBytes, HEADER_BYTES);
    assert.equal(file.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES);
    assert.deepEqual(file.networks, {
      mainnet: { magic: 'MEGA', magicHex: '4d454741' },
      testnet: { magic: 'MEGT', magicHex: '4d454754' },
      regtest: { magic: 'MEGR', magicHex: '4d454752' },
    });
    for (const [n, m] of Object.entries(file.networks)) assert.equal(NETWORK_MAGIC[n as Network].toString('hex'), m.magicHex, n);
    assert.equal(checksum(Buffer.alloc(0)).toString('hex'), file.emptyPayloadChecksum);
  });

  it('has every command on testnet and version on every network', () => {
    const testnet = new Set(file.vectors.filter((v) => v.network === 'testnet').map((v) => v.command));
    assert.deepEqual([...testnet].sort(), [...COMMANDS].sort());
    for (const n of ['mainnet', 'testnet', 'regtest'] as const) {
      assert.equal(file.vectors.some((v) => v.network === n && v.command === 'version'), true, n);
    }
  });

  it('is what scripts/gen-wire-vectors.ts generates (--check)', () => {
    const script = new URL('../../../scripts/gen-wire-vectors.ts', import.meta.url).pathname;
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('wire vectors: encode', () => {
  for (const v of file.vectors) {
    it(`${v.name}: encodeFrame gives the stored hex`, () => {
      const payload = Buffer.from(v.payload, 'utf8');
      assert.equal(payload.length, v.length);
      assert.equal(checksum(payload).toString('hex'), v.checksum);
      const frame = encodeFrame(NETWORK_MAGIC[v.network], v.command, payload);
      assert.equal(frame.toString('hex'), v.frame);
      // The header fields, one by one.
      assert.equal(frame.subarray(0, 4).toString('ascii'), file.networks[v.network].magic);
      assert.equal(frame.subarray(4, 16).toString('latin1'), v.command.padEnd(12, '\0'));
      assert.equal(frame.readUInt32LE(16), v.length);
      assert.equal(frame.subarray(20, 24).toString('hex'), v.checksum);
    });
  }
});

describe('wire vectors: decode', () => {
  for (const v of file.vectors) {
    it(`${v.name}: FrameDecoder gives the command and the exact payload bytes`, () => {
      const d = decoderFor(v.network);
      const frames = d.push(Buffer.from(v.frame, 'hex'));
      assert.equal(frames.length, 1);
      assert.equal(frames[0]?.command, v.command);
      assert.equal(frames[0]?.payload.toString('hex'), Buffer.from(v.payload, 'utf8').toString('hex'));
      assert.equal(d.bufferedBytes, 0);
    });

    it(`${v.name}: MessageCodec decode -> encode is the identity`, () => {
      const payload = Buffer.from(v.payload, 'utf8');
      const msg = codec.decode(v.command, payload);
      assert.equal(msg.command, v.command);
      if (EMPTY_PAYLOAD_COMMANDS.has(v.command)) assert.equal(msg.payload, null);
      else assert.deepEqual(msg.payload, JSON.parse(v.payload));
      assert.equal(codec.encode(msg).toString('utf8'), v.payload);
      assert.equal(encodeFrame(NETWORK_MAGIC[v.network], msg.command, codec.encode(msg)).toString('hex'), v.frame);
    });

    it(`${v.name}: refused on the other networks (bad-magic)`, () => {
      for (const other of ['mainnet', 'testnet', 'regtest'] as const) {
        if (other === v.network) continue;
        assert.throws(() => decoderFor(other).push(Buffer.from(v.frame, 'hex')), { name: 'WireError', code: 'bad-magic' });
      }
    });
  }
});

/** The DLC proof report vectors (protocol-vectors.json `dlcProofs`, PROTOCOL 12.8). */
const dlcProofs = (protocolVectors as unknown as { dlcProofs: Record<'equivocation' | 'nonceReuse' | 'factMissingAnnouncement', { report: unknown }> }).dlcProofs;

describe('wire vectors: entity frames carry the protocol vectors unchanged', () => {
  const entityVectors = file.vectors.filter((v) => ENTITY_COMMANDS.has(v.command));
  const sources = new Map<string, unknown>([
    ...protocolVectors.signatures.map((s): [string, unknown] => [s.name, s.input]),
    ...protocolVectors.ids.reports.map((r): [string, unknown] => [r.name, r.input]),
    [protocolVectors.ids.dispute.name, protocolVectors.ids.dispute.input],
    [protocolVectors.dlc.capability.name, protocolVectors.dlc.capability.input],
    ['announcement', protocolVectors.dlc.announcement.input],
    ['attestation', protocolVectors.dlc.attestation.input],
    ['report-dlc-equivocation', dlcProofs.equivocation.report],
    ['report-dlc-nonce-reuse', dlcProofs.nonceReuse.report],
    ['report-fact-missing-announcement', dlcProofs.factMissingAnnouncement.report],
    ['offer', protocolVectors.offer.input],
  ]);

  it('covers every entity command', () => {
    assert.deepEqual([...new Set(entityVectors.map((v) => v.command))].sort(), [...ENTITY_COMMANDS].sort());
  });
  for (const v of entityVectors) {
    it(`${v.name}: payload is the protocol vector; version hash and short version id recompute`, () => {
      const e = v.entity;
      assert.notEqual(e, undefined);
      if (!e) return;
      const input = sources.get(e.source);
      assert.notEqual(input, undefined, `no protocol vector ${e.source}`);
      assert.deepEqual(JSON.parse(v.payload), input);
      assert.equal(v.payload, JSON.stringify(input));
      const msg = input as OracleId;
      assert.equal(versionHash(msg), e.version);
      assert.equal(shortId(e.version), e.shortId);
    });
  }

  it('inv / getdata / notfound vectors list short version ids of the entity vectors', () => {
    const items = new Set(entityVectors.map((v) => v.entity?.shortId));
    for (const v of file.vectors.filter((x) => ['inv', 'getdata', 'notfound'].includes(x.command))) {
      const payload = JSON.parse(v.payload) as { items: unknown[] };
      assert.notEqual(payload.items.length, 0);
      for (const it of payload.items) {
        assert.equal(typeof it, 'string');
        assert.equal(items.has(it as string), true, `${v.name}: ${JSON.stringify(it)}`);
      }
    }
  });
});

describe('wire vectors: short version ids (docs/PROTOCOL.md 11.6)', () => {
  it('covers every entity vector and both ends of the base64url alphabet', () => {
    const entities = file.vectors.filter((v) => v.entity).map((v) => v.entity?.shortId);
    assert.equal(file.shortIds.filter((x) => entities.includes(x.shortId)).length, entities.length);
    const all = file.shortIds.map((x) => x.shortId).join('');
    for (const c of ['-', '_', 'A', 'w']) assert.equal(all.includes(c), true, c);
  });
  for (const x of file.shortIds) {
    it(`${x.name}: the first 16 bytes of the version hash in base64url, no padding`, () => {
      assert.equal(x.first16Bytes, x.version.slice(0, 32));
      assert.match(x.shortId, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(shortId(x.version), x.shortId);
      // An independent encoder: Node's base64 with the RFC 4648 section 5 substitutions and no '='.
      const viaBase64 = Buffer.from(x.first16Bytes, 'hex').toString('base64').replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
      assert.equal(viaBase64, x.shortId);
      assert.equal(Buffer.from(x.shortId, 'base64url').toString('hex'), x.first16Bytes);
    });
  }
});

describe('wire vectors: all frames of a network in one stream', () => {
  for (const network of ['mainnet', 'testnet', 'regtest'] as const) {
    it(`${network}: concatenated frames decode in order`, () => {
      const vs = file.vectors.filter((v) => v.network === network);
      const frames = decoderFor(network).push(Buffer.concat(vs.map((v) => Buffer.from(v.frame, 'hex'))));
      assert.deepEqual(
        frames.map((f) => [f.command, f.payload.toString('utf8')]),
        vs.map((v) => [v.command, v.payload]),
      );
    });
  }
});
