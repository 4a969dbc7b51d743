// scripts/gen-examples.ts - builds the request examples of wolfram-mega-spec.yaml with the `mega` CLI itself (in-process, one mining thread, fixed public example keys, so the output is reproducible) and writes them between the spec's GENERATED EXAMPLES markers.
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

/** Path of the spec whose examples are generated. */
export const SPEC_FILE = new URL('../wolfram-mega-spec.yaml', import.meta.url);
/** PoW of every example: the CLI's default, enough for nodes with thresholds up to 16 bits. */
export const EXAMPLE_DIFFICULTY = 16;

/** The POST operations that get examples, in the order a fresh node accepts them. */
export const EXAMPLE_KINDS = ['oracle', 'capability', 'report', 'dispute'] as const;
export type ExampleKind = (typeof EXAMPLE_KINDS)[number];

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

/** Build every example with the CLI: an oracle, its capability, facts, the three report types and a dispute. */
export async function buildExamples(): Promise<Record<ExampleKind, Example[]>> {
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
    const keys = `(example keys are public; never use them for real)`;
    return {
      oracle: [{ name: 'oracle', summary: `An oracle identity ad with ${EXAMPLE_DIFFICULTY} bits of PoW ${keys}`, value: oracle }],
      capability: [{ name: 'capability', summary: 'A capability of the example oracle (post the oracle first)', value: capability }],
      report: [
        { name: 'factConflict', summary: 'fact-conflict: two signed facts, same request, different answers (self-proving)', value: conflict },
        { name: 'factMissing', summary: 'fact-missing: a request the oracle did not answer (the dispute example answers it)', value: missing },
        { name: 'factMissingPaid', summary: "fact-missing with a Lightning payment proof: an invoice signed by the capability's lightningNodeId, committed to the request, and its preimage (a paid claim)", value: paid },
        { name: 'factDisagreesWithPublic', summary: 'fact-disagrees-with-public: a signed fact and a comment, for human review', value: disagrees },
      ],
      dispute: [{ name: 'dispute', summary: 'The oracle answers the fact-missing example with the signed fact (post that report first)', value: dispute }],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const begin = (kind: ExampleKind) => `# BEGIN GENERATED EXAMPLES ${kind} (npx tsx scripts/gen-examples.ts)`;
const end = (kind: ExampleKind) => `# END GENERATED EXAMPLES ${kind}`;

/** The spec text with each kind's marked block replaced by `examples` (markup elsewhere untouched). */
export function renderSpec(current: string, examples: Record<ExampleKind, Example[]>): string {
  let text = current;
  for (const kind of EXAMPLE_KINDS) {
    const start = text.indexOf(begin(kind));
    const stop = text.indexOf(end(kind));
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
