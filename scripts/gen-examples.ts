// scripts/gen-examples.ts - builds the request examples of wolfram-mega-spec.yaml with the `mega` CLI itself (in-process, one mining thread, fixed public example keys, so the output is reproducible), DLC messages with the dlc library (fixed public example secrets, fixed BIP340 aux bytes), and the DLC GET response examples by posting those to a real app on a fixed clock; writes them between the spec's GENERATED EXAMPLES markers.
// Run: npx tsx scripts/gen-examples.ts (rewrite the spec), or with --check (exit 1 when the spec is stale). test/api/spec-examples.test.ts posts them to a fresh node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { makeRegtestInvoice } from '../test/helpers/invoice.ts';
import yaml from 'js-yaml';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { sha256Hex } from '../src/protocol/hash.ts';
import { isPrivateKey, publicKeyOf } from '../src/protocol/keys.ts';
import { requestCommitment } from '../src/protocol/payment.ts';
import request from 'supertest';
import { encodeAnnouncement, encodeAttestation, signAnnouncement, signAttestation, toHex, xOnlyFromSecret, type OracleAnnouncement } from '../src/dlc/index.ts';
import { dlcTlvId } from '../src/protocol/ids.ts';
import { announcementPreimage, minePowSync } from '../src/protocol/pow.ts';
import type { Announcement, Attestation, Offer } from '../src/protocol/types.ts';
import { offerPowText, signOffer } from '../src/protocol/offer.ts';
import { buildApp } from '../test/api/_app.ts';
import { FakeClock } from '../test/helpers/factory.ts';

/** Path of the spec whose examples are generated. */
export const SPEC_FILE = new URL('../wolfram-mega-spec.yaml', import.meta.url);
/** PoW of every example: the CLI's default, enough for nodes with thresholds up to 16 bits. */
export const EXAMPLE_DIFFICULTY = 16;

/** The POST operations that get examples, in the order a fresh node accepts them. */
export const EXAMPLE_KINDS = ['oracle', 'capability', 'announcement', 'attestation', 'report', 'dispute', 'offer'] as const;
export type ExampleKind = (typeof EXAMPLE_KINDS)[number];
/** The GET operations whose 200 answers get an example (what a node holding the request examples answers). */
export const RESPONSE_EXAMPLES = ['getAnnouncements', 'getAnnouncement', 'getAttestation', 'getOffers'] as const;
export type ResponseExample = (typeof RESPONSE_EXAMPLES)[number];
/** The POST /entities blocks: its request example (a batch of request examples) and its 200 answer. */
export const BATCH_EXAMPLES = ['entities', 'postEntities'] as const;
export type BatchExample = (typeof BATCH_EXAMPLES)[number];
/** Every generated block: request examples by kind, response examples by operation, the batch's. */
export type GeneratedBlocks = Record<ExampleKind | ResponseExample | BatchExample, Example[]>;
/**
 * The clock of the node the examples are posted to (2024-06-10T06:13:20Z): the announcements mature
 * on 2024-06-01 (its grace of 7 days has passed, so the fact-missing naming it is due) and 2024-06-20.
 */
export const EXAMPLE_NOW_MS = 1_718_000_000_000;

/** One named example of a request body. */
export interface Example {
  name: string;
  summary: string;
  value: unknown;
}

/**
 * A fixed, PUBLIC key for `label`: private key = SHA-256("wolfram-mega spec example key: " + label).
 * Anyone can sign with it; it exists only so the examples are reproducible.
 */
export function exampleKey(label: string): { privateKey: string; publicKey: string } {
  let priv = sha256Hex(`wolfram-mega spec example key: ${label}`);
  while (!isPrivateKey(priv)) priv = sha256Hex(priv);
  return { privateKey: priv, publicKey: publicKeyOf(priv) };
}

/** A fixed, PUBLIC 32-byte secret for DLC `label` (never use it for real). */
function exampleSecret(label: string): Uint8Array {
  return new Uint8Array(Buffer.from(sha256Hex(`wolfram-mega spec example dlc secret: ${label}`), 'hex'));
}

/** The Mega announcement entity of a signed TLV, mined like the CLI would (one thread, from magicNo 0). */
function announcementEntity(oraclePubKey: string, capabilityPubKey: string, ann: OracleAnnouncement): Announcement {
  const hex = toHex(encodeAnnouncement(ann));
  const pow = minePowSync(announcementPreimage({ oraclePubKey, capabilityPubKey }, dlcTlvId(hex)), EXAMPLE_DIFFICULTY);
  return { oraclePubKey, capabilityPubKey, announcement: hex, cTTL: 5, pow };
}

/** An open offer on announcement `annId` (maturity `maturity`) by the example maker key, mined like the examples (from magicNo 0). */
function offerExample(annId: string, maturity: number): Offer {
  const maker = exampleKey('maker');
  const base = {
    makerPubKey: maker.publicKey,
    content: {
      announcementId: annId,
      chain: 'bitcoin-regtest' as const,
      contractType: 'dlc-v0' as const,
      makerCollateral: 60_000,
      takerCollateral: 40_000,
      payouts: { kind: 'enum' as const, outcomes: [{ outcome: 'rain', maker: 100_000, taker: 0 }, { outcome: 'sun', maker: 0, taker: 100_000 }, { outcome: 'snow', maker: 0, taker: 100_000 }] },
      feeRate: 2,
      cetLocktime: maturity,
      refundLocktime: maturity + 7 * 24 * 3600,
      expiresAt: maturity - 24 * 3600,
      contact: 'https://maker.example/dlc',
    },
  };
  return signOffer({ ...base, seqNo: 0, cTTL: 5, status: 'open', pow: minePowSync(offerPowText(base), EXAMPLE_DIFFICULTY) }, maker.privateKey);
}

/** Run `mega ...args` in this process; its stdout parsed as JSON. */
async function mega(args: string[]): Promise<unknown> {
  let out = '';
  let err = '';
  const io: CliIo = {
    env: {},
    stdin: Readable.from([]),
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stderrIsTTY: false,
    stdinUsed: false,
    onInterrupt: () => () => undefined,
    exit: (code) => {
      throw new Error(`mega asked to exit ${code}`);
    },
  };
  const code = await main(args, io);
  if (code !== 0) throw new Error(`mega ${args.join(' ')} exited ${code}: ${err}`);
  return JSON.parse(out);
}

/** Build every example with the CLI: an oracle, its capabilities, facts, DLC announcements and an attestation, the five report types and a dispute; then the DLC GET answers. */
export async function buildExamples(): Promise<GeneratedBlocks> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-examples-'));
  const file = (name: string, value: unknown): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, JSON.stringify(value));
    return p;
  };
  const mining = ['--difficulty', String(EXAMPLE_DIFFICULTY), '--workers', '1'];
  try {
    const oracleKey = exampleKey('oracle');
    const capKey = exampleKey('capability');
    const lightningKey = exampleKey('lightning');
    const oracle = await mega(['oracle', '--key', oracleKey.privateKey, '--tag', 'weather', '--tag', 'example', ...mining]);
    const capability = await mega([
      'capability', '--key', oracleKey.privateKey, '--capability-pubkey', capKey.publicKey,
      '--question', 'Will it rain in {city} on {date}?', '--param', 'city=Paris,Berlin', '--param', 'date=',
      '--answer', 'yes', '--answer', 'no', '--tag', 'weather', '--lightning-node-id', lightningKey.publicKey, ...mining,
    ]);
    const fact = (args: string[], answer: string) => mega(['fact', '--key', capKey.privateKey, ...args, '--answer', answer]);
    const paris = ['--arg', 'city=Paris', '--arg', 'date=2024-06-01'];
    const yes = file('yes.json', await fact(paris, 'yes'));
    const no = file('no.json', await fact(paris, 'no'));
    const conflict = await mega(['report', 'fact-conflict', '--oracle', oracleKey.publicKey, '--fact', yes, '--fact', no, ...mining]);
    const missing = await mega([
      'report', 'fact-missing', '--oracle', oracleKey.publicKey, '--capability-pubkey', capKey.publicKey,
      '--arg', 'city=Berlin', '--arg', 'date=2024-06-02', ...mining,
    ]);
    // A paid claim: the oracle's Lightning node issued an invoice committed to the request (its
    // description hash is SHA-256 of the JCS request), and the trader holds its preimage.
    const paidRequest = { capabilityPubKey: capKey.publicKey, arguments: { city: 'Paris', date: '2024-06-05' } };
    const preimage = sha256Hex('wolfram-mega spec example preimage');
    const invoice = makeRegtestInvoice({
      nodePrivateKey: lightningKey.privateKey,
      paymentHash: sha256Hex(Buffer.from(preimage, 'hex')),
      descriptionHash: requestCommitment(paidRequest),
      millisatoshis: '5000',
      timestamp: 1_717_200_000,
      paymentSecret: '42'.repeat(32),
    });
    const paid = await mega([
      'report', 'fact-missing', '--oracle', oracleKey.publicKey, '--capability-pubkey', capKey.publicKey,
      '--arg', 'city=Paris', '--arg', 'date=2024-06-05', '--payment-invoice', invoice, '--preimage', preimage, ...mining,
    ]);
    const wrong = file('wrong.json', await fact(['--arg', 'city=Berlin', '--arg', 'date=2024-06-03'], 'no'));
    const disagrees = await mega([
      'report', 'fact-disagrees-with-public', '--oracle', oracleKey.publicKey, '--fact', wrong,
      '--comment', 'Public weather records show rain in Berlin on 2024-06-03.', ...mining,
    ]);
    const missingFile = file('missing.json', missing);
    const answer = file('answer.json', await fact(['--request', missingFile], 'no'));
    const dispute = await mega(['dispute', '--report', missingFile, '--fact', answer]);

    // DLC: a capability binding a BIP340 key, two announcements (one attested), a third that reuses
    // the first one's nonce (never posted: a faulty oracle), and a second, different attestation.
    const dlcCapKey = exampleKey('dlc capability');
    const dlcSecret = exampleSecret('oracle key');
    const dlcKey = toHex(xOnlyFromSecret(dlcSecret));
    const dlcCapability = await mega([
      'capability', '--key', oracleKey.privateKey, '--capability-pubkey', dlcCapKey.publicKey,
      '--question', 'Will it rain, shine or snow in Paris on {date}?', '--answer', 'rain', '--answer', 'sun', '--answer', 'snow',
      '--tag', 'weather', '--tag', 'dlc', '--dlc-key', dlcKey, ...mining,
    ]);
    const descriptor = { kind: 'enum' as const, outcomes: ['rain', 'sun', 'snow'] };
    const aux = exampleSecret('aux');
    const sign = (eventId: string, maturityEpoch: number, nonce: string): { ann: OracleAnnouncement; k: Uint8Array } => {
      const k = exampleSecret(`nonce ${nonce}`);
      return { ann: signAnnouncement({ secretKey: dlcSecret, nonceSecrets: [k], maturityEpoch, descriptor, eventId, version: 'dlcspecs-v0', auxRand: aux }), k };
    };
    const june20 = sign('paris-weather-2024-06-20', 1_718_841_600, 'june20');
    const june1 = sign('paris-weather-2024-06-01', 1_717_200_000, 'june1');
    const reused = sign('paris-weather-2024-06-21', 1_718_928_000, 'june20');
    const annJune20 = announcementEntity(oracleKey.publicKey, dlcCapKey.publicKey, june20.ann);
    const annJune1 = announcementEntity(oracleKey.publicKey, dlcCapKey.publicKey, june1.ann);
    const attest = (outcome: string): string => toHex(encodeAttestation(signAttestation({ secretKey: dlcSecret, announcement: june20.ann, nonceSecrets: [june20.k], outcomes: [outcome], version: 'dlcspecs-v0' })));
    const attestation: Attestation = { announcementId: dlcTlvId(annJune20.announcement), attestation: attest('rain') };
    const equivocation = await mega([
      'report', 'dlc-equivocation', '--announcement', annJune20.announcement, '--attestation', attestation.attestation, '--attestation', attest('sun'),
      '--capability', file('dlc-capability.json', dlcCapability), ...mining,
    ]);
    const nonceReuse = await mega([
      'report', 'dlc-nonce-reuse', '--announcement', annJune20.announcement, '--announcement', toHex(encodeAnnouncement(reused.ann)),
      '--oracle', oracleKey.publicKey, '--capability-pubkey', dlcCapKey.publicKey, ...mining,
    ]);
    const missedAttestation = await mega([
      'report', 'fact-missing', '--oracle', oracleKey.publicKey, '--capability-pubkey', dlcCapKey.publicKey,
      '--arg', 'date=2024-06-01', '--announcement-id', dlcTlvId(annJune1.announcement), ...mining,
    ]);
    const keys = `(example keys are public; never use them for real)`;
    const requests: Record<ExampleKind, Example[]> = {
      oracle: [{ name: 'oracle', summary: `An oracle identity ad with ${EXAMPLE_DIFFICULTY} bits of PoW ${keys}`, value: oracle }],
      capability: [
        { name: 'capability', summary: 'A capability of the example oracle (post the oracle first)', value: capability },
        { name: 'capabilityDlc', summary: 'A capability binding a DLC attestation key (dlc.oracleKey, BIP340 x-only) of the example oracle', value: dlcCapability },
      ],
      announcement: [
        { name: 'announcement', summary: 'An enum event (rain, sun, snow) maturing 2024-06-20, signed by the DLC key of capabilityDlc (post that first)', value: annJune20 },
        { name: 'announcementUnattested', summary: 'An event maturing 2024-06-01 that the oracle never attests (the fact-missing example names it)', value: annJune1 },
      ],
      attestation: [{ name: 'attestation', summary: 'The attestation of the announcement example: outcome rain', value: attestation }],
      report: [
        { name: 'factConflict', summary: 'fact-conflict: two signed facts, same request, different answers (self-proving)', value: conflict },
        { name: 'factMissing', summary: 'fact-missing: a request the oracle did not answer (the dispute example answers it)', value: missing },
        { name: 'factMissingPaid', summary: "fact-missing with a Lightning payment proof: an invoice signed by the capability's lightningNodeId, committed to the request, and its preimage (a paid claim)", value: paid },
        { name: 'factDisagreesWithPublic', summary: 'fact-disagrees-with-public: a signed fact and a comment, for human review', value: disagrees },
        { name: 'dlcEquivocation', summary: 'dlc-equivocation: the announcement example attested rain and sun under its one nonce (self-proving: the two signatures give the DLC key; capability embedded)', value: equivocation },
        { name: 'dlcNonceReuse', summary: "dlc-nonce-reuse: the announcement example and another event committing the same nonce (self-proving; the node knows the capability)", value: nonceReuse },
        { name: 'factMissingAnnouncement', summary: 'fact-missing naming an announcement that was not attested by maturity + announcementGraceMs (due on a node whose clock is past 2024-06-08)', value: missedAttestation },
      ],
      dispute: [{ name: 'dispute', summary: 'The oracle answers the fact-missing example with the signed fact (post that report first)', value: dispute }],
      offer: [{ name: 'offer', summary: `An open offer on the announcement example: 60,000 sat against 40,000, the maker wins on rain ${keys}`, value: offerExample(dlcTlvId(annJune20.announcement), june20.ann.event.maturityEpoch) }],
    };
    return { ...requests, ...(await responseExamples(requests)), ...(await batchExamples(requests)) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Post the request examples, in order, to a real app on the fixed clock {@link EXAMPLE_NOW_MS}
 * (PoW thresholds at the examples' difficulty) and keep its answers to the DLC GET operations.
 */
export async function responseExamples(requests: Record<ExampleKind, Example[]>): Promise<Record<ResponseExample, Example[]>> {
  const d = EXAMPLE_DIFFICULTY;
  const { app } = buildApp({ clock: new FakeClock(EXAMPLE_NOW_MS), service: { powThresholdOracles: d, powThresholdCapabilities: d, powThresholdReports: d } });
  for (const kind of EXAMPLE_KINDS) {
    for (const e of requests[kind]) {
      const res = await request(app).post(`/${kind}`).set('content-type', 'application/json').send(JSON.stringify(e.value));
      if (res.status !== 201) throw new Error(`example ${kind}/${e.name} was not accepted: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  const id = (requests.attestation[0]!.value as Attestation).announcementId;
  const get = async (url: string): Promise<unknown> => {
    const res = await request(app).get(url);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    return res.body as unknown;
  };
  return {
    getAnnouncements: [{ name: 'byQuestion', summary: 'GET /announcements?question=paris: both announcement examples, earliest maturity first', value: await get('/announcements?question=paris') }],
    getAnnouncement: [{ name: 'equivocated', summary: `GET /announcements/${id.slice(0, 8)}…: attested rain, with the dlc-equivocation and dlc-nonce-reuse reports naming it`, value: await get(`/announcements/${id}`) }],
    getAttestation: [{ name: 'attestation', summary: 'GET /attestations/{announcementId}: the attestation entity as submitted', value: await get(`/attestations/${id}`) }],
    getOffers: [{ name: 'byAnnouncement', summary: `GET /offers?announcement=${id.slice(0, 8)}…: the offer example with its oracle's standing and the event's maturity`, value: await get(`/offers?announcement=${id}`) }],
  };
}

/**
 * The POST /entities example: the oracle, its two capabilities, the announcement, its attestation, the
 * fact-conflict report and the offer in one batch, admitted in that order (each depends on an earlier
 * one), then the oracle again (a duplicate); and the answer of a fresh app on the fixed clock.
 */
export async function batchExamples(requests: Record<ExampleKind, Example[]>): Promise<Record<BatchExample, Example[]>> {
  const pick = (kind: ExampleKind, name: string): { kind: ExampleKind; entity: unknown } => {
    const e = requests[kind].find((x) => x.name === name);
    if (!e) throw new Error(`no ${kind} example ${name}`);
    return { kind, entity: e.value };
  };
  const items = [
    pick('oracle', 'oracle'),
    pick('capability', 'capability'),
    pick('capability', 'capabilityDlc'),
    pick('announcement', 'announcement'),
    pick('attestation', 'attestation'),
    pick('report', 'factConflict'),
    pick('offer', 'offer'),
    pick('oracle', 'oracle'),
  ];
  const d = EXAMPLE_DIFFICULTY;
  const { app } = buildApp({ clock: new FakeClock(EXAMPLE_NOW_MS), service: { powThresholdOracles: d, powThresholdCapabilities: d, powThresholdReports: d } });
  const res = await request(app).post('/entities').set('content-type', 'application/json').send(JSON.stringify({ items }));
  if (res.status !== 200) throw new Error(`the batch example was not answered 200: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    entities: [{ name: 'dependentChain', summary: 'An oracle, its capabilities, a DLC announcement, its attestation, a fact-conflict report and an offer in one batch (each needs an earlier one: request order is admission order), then the oracle again (a duplicate)', value: { items } }],
    postEntities: [{ name: 'dependentChain', summary: 'The answer of a fresh node to the dependentChain batch: seven 201 accepted, then 200 duplicate', value: res.body as unknown }],
  };
}

const begin = (kind: string) => `# BEGIN GENERATED EXAMPLES ${kind} (npx tsx scripts/gen-examples.ts)`;
const end = (kind: string) => `# END GENERATED EXAMPLES ${kind}`;

/** The spec text with each block's marked place replaced by its examples (markup elsewhere untouched). */
export function renderSpec(current: string, examples: GeneratedBlocks): string {
  let text = current;
  for (const kind of [...EXAMPLE_KINDS, ...RESPONSE_EXAMPLES, ...BATCH_EXAMPLES]) {
    const start = text.indexOf(begin(kind));
    const stop = text.indexOf(end(kind) + '\n', start); // (getAnnouncement's end marker is a prefix of getAnnouncements')
    if (start < 0 || stop < start) throw new Error(`the spec lacks the GENERATED EXAMPLES markers of ${kind}`);
    const indent = text.slice(text.lastIndexOf('\n', start) + 1, start);
    const block: Record<string, { summary: string; value: unknown }> = {};
    for (const e of examples[kind]) block[e.name] = { summary: e.summary, value: e.value };
    const body = yaml
      .dump({ examples: block }, { lineWidth: -1, noRefs: true })
      .trimEnd()
      .split('\n')
      .map((l) => indent + l)
      .join('\n');
    text = text.slice(0, start) + begin(kind) + '\n' + body + '\n' + indent + text.slice(stop);
  }
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const current = fs.readFileSync(SPEC_FILE, 'utf8');
  const next = renderSpec(current, await buildExamples());
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('wolfram-mega-spec.yaml examples are stale: run npx tsx scripts/gen-examples.ts');
      process.exit(1);
    }
    console.log('spec examples up to date');
  } else {
    fs.writeFileSync(SPEC_FILE, next);
    console.log('wolfram-mega-spec.yaml examples updated');
  }
}
