// scripts/gen-wire-vectors.ts - owns test/fixtures/wire-vectors.json: deterministic frame vectors for every wire command. Run `npx tsx scripts/gen-wire-vectors.ts` to write, `--check` to compare.
import fs from 'node:fs';
import { shortId } from '../src/protocol/ids.ts';
import { versionHash } from '../src/protocol/ids.ts';
import { SchemaRegistry } from '../src/protocol/schema.ts';
import type { Announcement, Attestation, Dispute, EntityKind, Offer, OracleCapability, OracleId, Report } from '../src/protocol/types.ts';
import { Command, COMMANDS, DEFAULT_MAX_PAYLOAD_BYTES, HEADER_BYTES, NETWORK_MAGIC, PROTOCOL_VERSION, type Network } from '../src/wire/constants.ts';
import { checksum, encodeFrame, FrameDecoder } from '../src/wire/frame.ts';
import { MessageCodec, type InvItem, type WireMessage } from '../src/wire/messages.ts';

const OUT = new URL('../test/fixtures/wire-vectors.json', import.meta.url);
const PROTOCOL_VECTORS = new URL('../test/fixtures/protocol-vectors.json', import.meta.url);

// ---- the signed entities of the protocol vectors (so entity frames carry real, verifiable messages) ----

interface ProtocolVectors {
  signatures: { name: string; input: unknown }[];
  ids: { reports: { name: string; input: Report }[]; dispute: { name: string; input: Dispute } };
  dlc: { capability: { input: unknown }; announcement: { input: unknown }; attestation: { input: unknown } };
  dlcProofs: { equivocation: { report: Report }; nonceReuse: { report: Report }; factMissingAnnouncement: { report: Report } };
  offer: { input: Offer };
}
const pv = JSON.parse(fs.readFileSync(PROTOCOL_VECTORS, 'utf8')) as ProtocolVectors;
const signed = (name: string): unknown => {
  const s = pv.signatures.find((x) => x.name === name);
  if (!s) throw new Error(`protocol-vectors.json has no signature vector ${name}`);
  return s.input;
};

/** An entity frame's source: its kind, the protocol vector it comes from, and the message. */
interface EntitySource {
  kind: EntityKind;
  source: string;
  msg: OracleId | OracleCapability | Report | Dispute | Announcement | Attestation | Offer;
}

const entities: EntitySource[] = [
  { kind: 'oracle', source: 'oracle-id', msg: signed('oracle-id') as OracleId },
  { kind: 'oracle', source: 'oracle-id-rotated', msg: signed('oracle-id-rotated') as OracleId },
  { kind: 'capability', source: 'oracle-capability', msg: signed('oracle-capability') as OracleCapability },
  ...pv.ids.reports.map((r): EntitySource => ({ kind: 'report', source: r.name, msg: r.input })),
  { kind: 'capability', source: 'oracle-capability-dlc', msg: pv.dlc.capability.input as OracleCapability },
  { kind: 'announcement', source: 'announcement', msg: pv.dlc.announcement.input as Announcement },
  { kind: 'attestation', source: 'attestation', msg: pv.dlc.attestation.input as Attestation },
  { kind: 'report', source: 'report-dlc-equivocation', msg: pv.dlcProofs.equivocation.report },
  { kind: 'report', source: 'report-dlc-nonce-reuse', msg: pv.dlcProofs.nonceReuse.report },
  { kind: 'report', source: 'report-fact-missing-announcement', msg: pv.dlcProofs.factMissingAnnouncement.report },
  { kind: 'dispute', source: pv.ids.dispute.name, msg: pv.ids.dispute.input },
  { kind: 'offer', source: 'offer', msg: pv.offer.input },
];
/** The short version id that names an entity in inv, getdata and notfound (docs/PROTOCOL.md 11.6). */
const invItemOf = (e: EntitySource): InvItem => shortId(versionHash(e.msg));
const entityBySource = (source: string): EntitySource => {
  const e = entities.find((x) => x.source === source);
  if (!e) throw new Error(`no entity ${source}`);
  return e;
};

// ---- control messages ------------------------------------------------------------------------------

const NONCES: Record<Network, string> = { mainnet: 'a0b1c2d3e4f50617', testnet: '0123456789abcdef', regtest: '00000000000000ff' };
const versionOf = (network: Network): WireMessage => ({
  command: 'version',
  payload: {
    protocolVersion: PROTOCOL_VERSION,
    network,
    nonce: NONCES[network],
    userAgent: '/mega:0.1.0/',
    listenPort: 8333,
    httpPort: 8080,
    shard: { count: 1, index: 0 },
  },
});

/** One vector before encoding. */
interface Spec {
  name: string;
  network: Network;
  description: string;
  msg: WireMessage;
  entity?: EntitySource;
}

const specs: Spec[] = [];
for (const network of ['mainnet', 'testnet', 'regtest'] as const) {
  specs.push({ name: `${network}/version`, network, description: `handshake: protocol version ${PROTOCOL_VERSION}, listening, one shard`, msg: versionOf(network) });
  specs.push({ name: `${network}/verack`, network, description: 'handshake acknowledgement: empty payload', msg: { command: 'verack', payload: null } });
}
const T = 'testnet';
specs.push(
  {
    name: 'testnet/version-not-listening',
    network: T,
    description: 'version of a node that does not listen and has no REST API; shard left out',
    msg: { command: 'version', payload: { protocolVersion: PROTOCOL_VERSION, network: T, nonce: 'fedcba9876543210', userAgent: '/mega:0.1.0/ (ünïcode)', listenPort: 0, httpPort: 0 } },
  },
  { name: 'testnet/ping', network: T, description: 'keepalive probe', msg: { command: 'ping', payload: { nonce: '5f3c9a0e12b4d687' } } },
  { name: 'testnet/pong', network: T, description: 'answer to testnet/ping: the same nonce', msg: { command: 'pong', payload: { nonce: '5f3c9a0e12b4d687' } } },
  {
    name: 'testnet/addr',
    network: T,
    description: 'three listening addresses: a host name, IPv4 and IPv6 (bare, no brackets)',
    msg: {
      command: 'addr',
      payload: {
        addresses: [
          { host: 'node1.mega.example', port: 18333, seqNo: 3 },
          { host: '203.0.113.7', port: 8333, seqNo: 0 },
          { host: '2001:db8::7', port: 8333, seqNo: 1 },
        ],
      },
    },
  },
  { name: 'testnet/addr-empty', network: T, description: 'an addr with no addresses', msg: { command: 'addr', payload: { addresses: [] } } },
  {
    name: 'testnet/inv',
    network: T,
    description: 'one item of each kind: the short version ids of the entity vectors below',
    msg: { command: 'inv', payload: { items: ['oracle-id', 'oracle-capability', 'report-fact-missing', 'dispute'].map((s) => invItemOf(entityBySource(s))) } },
  },
  {
    name: 'testnet/getdata',
    network: T,
    description: 'asks for the oracle and the capability of testnet/inv',
    msg: { command: 'getdata', payload: { items: ['oracle-id', 'oracle-capability'].map((s) => invItemOf(entityBySource(s))) } },
  },
  {
    name: 'testnet/notfound',
    network: T,
    description: 'the dispute of testnet/inv is not (or no longer) here',
    msg: { command: 'notfound', payload: { items: [invItemOf(entityBySource('dispute'))] } },
  },
  { name: 'testnet/mempool', network: T, description: 'asks for the whole inventory: empty payload', msg: { command: 'mempool', payload: null } },
  { name: 'testnet/prune', network: T, description: 'stop pushing new versions to me; announce them in lazy inv instead (11.7): empty payload', msg: { command: 'prune', payload: null } },
  { name: 'testnet/graft', network: T, description: 'push new versions to me again (11.7): empty payload', msg: { command: 'graft', payload: null } },
);
for (const e of entities) {
  specs.push({ name: `testnet/${e.kind}:${e.source}`, network: T, description: `protocol vector ${e.source}, as relayed`, msg: { command: e.kind, payload: e.msg }, entity: e });
}

// ---- encode, then check everything with the node's own decoder and codec ------------------------------

const schemas = SchemaRegistry.load();
const codec = new MessageCodec(schemas);

/** One wire vector as stored. */
interface WireVector {
  name: string;
  description: string;
  network: Network;
  command: string;
  /** The payload exactly as sent: UTF-8 JSON text, or "" for verack, mempool, prune and graft. */
  payload: string;
  /** Payload length in bytes (the frame's length field). */
  length: number;
  /** First 4 bytes of SHA-256(SHA-256(payload)). */
  checksum: string;
  /** The whole frame: 24-byte header, then the payload. */
  frame: string;
  /** Entity frames: where the message comes from, its version hash and the short version id inventory names it by. */
  entity?: { source: string; version: string; shortId: string };
}

/** A short version id worked out (docs/PROTOCOL.md 11.6). */
interface ShortIdVector {
  name: string;
  /** Version hash, 64 lowercase hex. */
  version: string;
  /** Its first 16 bytes, hex (what the short id encodes). */
  first16Bytes: string;
  /** base64url of those 16 bytes, no padding: 22 characters. */
  shortId: string;
}

const vectors: WireVector[] = specs.map((s) => {
  const payload = codec.encode(s.msg);
  const frame = encodeFrame(NETWORK_MAGIC[s.network], s.msg.command, payload);
  const out: WireVector = {
    name: s.name,
    description: s.description,
    network: s.network,
    command: s.msg.command,
    payload: payload.toString('utf8'),
    length: payload.length,
    checksum: checksum(payload).toString('hex'),
    frame: frame.toString('hex'),
  };
  if (s.entity) out.entity = { source: s.entity.source, version: versionHash(s.entity.msg), shortId: invItemOf(s.entity) };
  selfCheck(out, s);
  return out;
});

function selfCheck(v: WireVector, s: Spec): void {
  const bytes = Buffer.from(v.frame, 'hex');
  if (!Buffer.from(v.payload, 'utf8').equals(bytes.subarray(HEADER_BYTES))) throw new Error(`${v.name}: payload is not valid UTF-8 round-trip`);
  const frames = new FrameDecoder({ magic: NETWORK_MAGIC[s.network], maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES }).push(bytes);
  if (frames.length !== 1 || frames[0]?.command !== v.command) throw new Error(`${v.name}: does not decode to one ${v.command} frame`);
  const msg = codec.decode(v.command, frames[0].payload);
  if (!codec.encode(msg).equals(frames[0].payload)) throw new Error(`${v.name}: decode -> encode is not the identity`);
  if (s.entity) {
    const ok = schemas.validateEntity(s.entity.kind, msg.payload);
    if (!ok.ok) throw new Error(`${v.name}: ${ok.message}`);
  }
}

// Short version ids: every entity vector, plus hashes that reach both ends of the alphabet ('-' is 62, '_' 63).
const shortIdOf = (name: string, version: string): ShortIdVector => {
  const id = shortId(version);
  if (!/^[A-Za-z0-9_-]{22}$/.test(id) || Buffer.from(id, 'base64url').toString('hex') !== version.slice(0, 32)) throw new Error(`${name}: short id does not decode back`);
  return { name, version, first16Bytes: version.slice(0, 32), shortId: id };
};
const shortIds: ShortIdVector[] = [
  ...entities.map((e) => shortIdOf(`${e.kind}:${e.source}`, versionHash(e.msg))),
  shortIdOf('all-zero', '00'.repeat(32)),
  shortIdOf('all-ones', 'ff'.repeat(32)),
  shortIdOf('alphabet-ends', 'fbefbeffffff' + '00'.repeat(10) + 'aa'.repeat(16)),
];

const covered = new Set(vectors.filter((v) => v.network === 'testnet').map((v) => v.command));
for (const c of COMMANDS) if (!covered.has(c)) throw new Error(`no testnet vector for command ${c}`);
if (Object.values(Command).length !== COMMANDS.size) throw new Error('Command map has duplicates');

// ---- output -----------------------------------------------------------------------------------------

const file = {
  description:
    `Mega wire protocol v${PROTOCOL_VERSION} frame vectors and short version ids. Generated by scripts/gen-wire-vectors.ts from test/fixtures/protocol-vectors.json; do not edit by hand. See docs/PROTOCOL.md section 11.`,
  protocolVersion: PROTOCOL_VERSION,
  headerBytes: HEADER_BYTES,
  maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  networks: Object.fromEntries(
    (Object.keys(NETWORK_MAGIC) as Network[]).map((n) => [n, { magic: NETWORK_MAGIC[n].toString('ascii'), magicHex: NETWORK_MAGIC[n].toString('hex') }]),
  ),
  emptyPayloadChecksum: checksum(Buffer.alloc(0)).toString('hex'),
  vectors,
  shortIds,
};

const text = JSON.stringify(file, null, 2) + '\n';
if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (current !== text) {
    console.error(`${OUT.pathname} is out of date: run npx tsx scripts/gen-wire-vectors.ts`);
    process.exit(1);
  }
  console.log(`${OUT.pathname} is up to date`);
} else {
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${OUT.pathname} (${vectors.length} frames, ${covered.size} commands on testnet)`);
}
