/** cli/commands/report.ts - `mega report <type>`: build and mine a fact-conflict, fact-missing, fact-disagrees-with-public, dlc-equivocation or dlc-nonce-reuse report. Imports protocol and cli. */
import { canonicalEqual } from '../../protocol/canonical.ts';
import type { Fact, OracleCapability, PaymentProof, Report, ReportContent, ReportType } from '../../protocol/types.ts';
import { REPORT_TYPES } from '../../protocol/types.ts';
import type { Opts } from '../args.ts';
import { checkAndMine, ENVELOPE_HELP, ENVELOPE_OPTIONS, envelope, placeholderPow } from '../build.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError } from '../errors.ts';
import { loadAllVerified, loadVerified } from '../inputs.ts';
import { note, printJson, type CliIo } from '../io.ts';
import { decodeDlcProof, equivocationContent, nonceReuseContent, verifyDlcProof } from '../../protocol/verify-dlc.ts';
import type { DlcProofContent } from '../../protocol/types.ts';
import { tlvArg } from './dlc.ts';
import { MINING_HELP, MINING_OPTIONS, miningSettings } from '../mine.ts';

const HELP = `usage: mega report fact-conflict --fact <file> --fact <file> [...] [--oracle <pub>] [--capability <file>] [options]
       mega report fact-missing --oracle <pub> --capability-pubkey <pub> [--arg name=value ...] [--capability <file>]
                                [--payment-proof <s> [--payment-amount <msat>] [--payment-type <s>]]
                                [--payment-invoice <bolt11> --preimage <hex>] [options]
       mega report fact-disagrees-with-public --fact <file> [--comment <text>] [--oracle <pub>] [--capability <file>] [options]
       mega report dlc-equivocation --announcement <hex|file> --attestation <hex|file> --attestation <hex|file>
                                    (--capability <file> | --oracle <pub> --capability-pubkey <pub>) [options]
       mega report dlc-nonce-reuse --announcement <hex|file> --announcement <hex|file>
                                   (--capability <file> | --oracle <pub> --capability-pubkey <pub>) [options]

Build a malleability report against an oracle and mine its proof of work (reports are unsigned;
the PoW preimage is the canonical {oraclePubKey, content}, which is also the report id).
Prints the report as JSON; 'mega id' prints its id.

  fact-conflict               two or more facts signed by one capability key for the same request
                              with different answers; self-proving, the node checks it
  fact-missing                a request the oracle did not answer (optionally with a payment
                              proof); the oracle may answer it with 'mega dispute'. The capability
                              must be known to the node, or embedded with --capability. A Lightning
                              invoice with its preimage is verified by the node against the
                              capability's lightningNodeId and makes the report a paid claim,
                              ranked above other claims; the invoice's description hash must be
                              SHA-256 of the canonical request (see docs/PROTOCOL.md 8.3)
  fact-disagrees-with-public  a signed fact that contradicts public knowledge, for human review
  dlc-equivocation            two attestations of one DLC announcement signing different outcomes
                              under one committed nonce: they give the oracle's DLC key, so the
                              node checks the fault itself (self-proving, a proof)
  dlc-nonce-reuse             two announcements of one DLC key committing to a shared nonce for
                              different events (self-proving, a proof)
  With --capability the DLC proof is checked here before mining (the node checks it again).

options:
${formatOptions([
  ['--oracle <pub>', 'the reported oracle (default: oraclePubKey of --capability)'],
  ['--fact <file>', "a fact from 'mega fact'; all facts must answer one request"],
  ['--capability <file>', "the capability ad of the facts' key (fact-missing: of --capability-pubkey),\nembedded as proof that the key belongs to the oracle (needed when the\nnode does not store the ad)"],
  ['--comment <text>', 'why the fact is wrong (fact-disagrees-with-public)'],
  ['--capability-pubkey <pub>', 'the capability asked (fact-missing)'],
  ['--arg <name=value>', 'an argument of the unanswered request (fact-missing; repeatable)'],
  ['--payment-proof <s>', 'proof of payment for the fact (fact-missing)'],
  ['--payment-amount <msat>', 'amount paid, millisatoshi (with --payment-proof)'],
  ['--payment-type <s>', 'payment type, e.g. lightning (with --payment-proof)'],
  ['--payment-invoice <bolt11>', 'the paid BOLT11 invoice, verified by the node (fact-missing; with\n--preimage)'],
  ['--preimage <hex>', 'the payment preimage, 64 hex (with --payment-invoice)'],
  ['--announcement-id <id>', 'fact-missing: a stored DLC announcement of --capability-pubkey not\nattested by maturity + the node\'s announcementGraceMs'],
  ['--announcement <hex|file>', 'dlc-*: an oracle_announcement TLV (hex, or a file holding it, the\nJSON mega dlc announce printed, or an announcement entity); twice\nfor dlc-nonce-reuse'],
  ['--attestation <hex|file>', 'dlc-equivocation: an oracle_attestation TLV (hex or file); twice'],
  ...ENVELOPE_HELP,
  ...MINING_HELP,
  HELP_ROW,
])}

examples:
  mega report fact-conflict --fact yes.json --fact no.json --capability capability.json > report.json
  mega report fact-missing --oracle 02ab... --capability-pubkey 03cd... --arg city=Paris > report.json
  mega report dlc-equivocation --announcement ann.json --attestation att1.json --attestation att2.json \
    --capability cap.json | mega post -
`;

// Flags that belong to only some report types; giving them to another type is a usage error.
const ONLY_FOR: Record<string, ReportType[]> = {
  fact: ['fact-conflict', 'fact-disagrees-with-public'],
  capability: ['fact-conflict', 'fact-missing', 'fact-disagrees-with-public', 'dlc-equivocation', 'dlc-nonce-reuse'],
  comment: ['fact-disagrees-with-public'],
  'capability-pubkey': ['fact-missing', 'dlc-equivocation', 'dlc-nonce-reuse'],
  'announcement-id': ['fact-missing'],
  announcement: ['dlc-equivocation', 'dlc-nonce-reuse'],
  attestation: ['dlc-equivocation'],
  arg: ['fact-missing'],
  'payment-proof': ['fact-missing'],
  'payment-amount': ['fact-missing'],
  'payment-type': ['fact-missing'],
  'payment-invoice': ['fact-missing'],
  preimage: ['fact-missing'],
};

async function withFacts(opts: Opts, io: CliIo, type: ReportType): Promise<{ oracle: string; facts: Fact[]; capability?: OracleCapability }> {
  const files = opts.list('fact');
  if (type === 'fact-conflict' && files.length < 2) throw opts.usage('fact-conflict needs at least two --fact files');
  if (type === 'fact-disagrees-with-public' && files.length !== 1) throw opts.usage('fact-disagrees-with-public takes exactly one --fact');
  let oracle = opts.pubkey('oracle');
  const capFile = opts.str('capability');
  if (oracle === undefined && capFile === undefined) throw opts.usage('--oracle is required (or give --capability, whose oraclePubKey is used)');
  const facts = await loadAllVerified<Fact>(io, files, 'fact', 'fact');
  const first = facts[0] as Fact;
  for (const f of facts.slice(1)) {
    if (!canonicalEqual(f.request, first.request)) throw new CliError('the facts answer different requests; a conflict needs one request answered differently');
  }
  if (capFile === undefined) return { oracle: oracle as string, facts };
  const capability = await loadVerified<OracleCapability>(io, capFile, 'capability', 'capability');
  if (oracle !== undefined && capability.oraclePubKey !== oracle) throw new CliError('--capability is the ad of another oracle than --oracle');
  oracle = capability.oraclePubKey;
  return { oracle, facts, capability };
}

function payment(opts: Opts): PaymentProof | undefined {
  const invoice = opts.str('payment-invoice');
  const preimage = opts.str('preimage');
  if ((invoice === undefined) !== (preimage === undefined)) throw opts.usage('--payment-invoice and --preimage go together');
  if (invoice !== undefined && !/^ln[a-z0-9]+$/.test(invoice.toLowerCase().replace(/^lightning:/, ''))) throw opts.usage('--payment-invoice: not a BOLT11 invoice (ln...)');
  if (preimage !== undefined && !/^[0-9a-fA-F]{64}$/.test(preimage)) throw opts.usage('--preimage: 64 hex characters (32 bytes)');
  // An invoice is a proof by itself: --payment-proof then defaults to a note saying so.
  const proof = opts.str('payment-proof') ?? (invoice !== undefined ? 'lightning invoice and preimage' : undefined);
  if (proof === undefined) {
    if (opts.has('payment-amount') || opts.has('payment-type')) throw opts.usage('--payment-amount/--payment-type need --payment-proof');
    return undefined;
  }
  const p: PaymentProof = { proof };
  if (invoice !== undefined && preimage !== undefined) {
    p.invoice = invoice.toLowerCase().replace(/^lightning:/, '');
    p.preimage = preimage.toLowerCase();
  }
  const amount = opts.optInt('payment-amount');
  if (amount !== undefined) p.amount = amount;
  const t = opts.str('payment-type');
  if (t !== undefined) p.paymentType = t;
  return p;
}

async function content(opts: Opts, io: CliIo, type: ReportType): Promise<{ oracle: string; content: ReportContent }> {
  if (type === 'fact-missing') {
    const oracle = opts.pubkey('oracle');
    if (oracle === undefined) throw opts.usage('--oracle is required (the oracle that did not answer)');
    opts.required('capability-pubkey', 'the capability that was asked');
    const request = { capabilityPubKey: opts.pubkey('capability-pubkey') as string, arguments: opts.keyValues('arg') };
    const pay = payment(opts);
    const c: Extract<ReportContent, { type: 'fact-missing' }> = pay === undefined ? { type, request } : { type, request, payment: pay };
    const announcementId = opts.str('announcement-id');
    if (announcementId !== undefined) {
      if (!/^[0-9a-f]{64}$/i.test(announcementId)) throw opts.usage('--announcement-id: 64 hex characters (the announcement id)');
      c.announcementId = announcementId.toLowerCase();
    }
    const capFile = opts.str('capability');
    if (capFile !== undefined) {
      const capability = await loadVerified<OracleCapability>(io, capFile, 'capability', 'capability');
      if (capability.oraclePubKey !== oracle || capability.capabilityPubKey !== request.capabilityPubKey) {
        throw new CliError('--capability is not the ad of --oracle for --capability-pubkey');
      }
      c.capability = capability;
    }
    return { oracle, content: c };
  }
  if (type === 'dlc-equivocation' || type === 'dlc-nonce-reuse') return dlcProof(opts, io, type);
  const { oracle, facts, capability } = await withFacts(opts, io, type);
  const request = (facts[0] as Fact).request;
  if (type === 'fact-conflict') {
    if (new Set(facts.map((f) => f.answer)).size < 2) throw new CliError('the facts all give the same answer; a conflict needs different answers');
    return { oracle, content: capability === undefined ? { type, request, facts } : { type, request, facts, capability } };
  }
  const c: Extract<ReportContent, { type: 'fact-disagrees-with-public' }> = { type: 'fact-disagrees-with-public', request, fact: facts[0] as Fact };
  const comment = opts.str('comment');
  if (comment !== undefined) c.comment = comment;
  if (capability !== undefined) c.capability = capability;
  return { oracle, content: c };
}

/** A DLC proof from its TLVs; with --capability (embedded) it is checked here first, so a mistake costs no mining. */
async function dlcProof(opts: Opts, io: CliIo, type: 'dlc-equivocation' | 'dlc-nonce-reuse'): Promise<{ oracle: string; content: ReportContent }> {
  const anns = opts.list('announcement');
  const atts = opts.list('attestation');
  if (type === 'dlc-equivocation' && (anns.length !== 1 || atts.length !== 2)) throw opts.usage('dlc-equivocation takes one --announcement and two --attestation');
  if (type === 'dlc-nonce-reuse' && anns.length !== 2) throw opts.usage('dlc-nonce-reuse takes two --announcement');
  const capFile = opts.str('capability');
  let capability: OracleCapability | undefined;
  let oracle = opts.pubkey('oracle');
  let capabilityPubKey = opts.pubkey('capability-pubkey');
  if (capFile !== undefined) {
    capability = await loadVerified<OracleCapability>(io, capFile, 'capability', 'capability');
    if ((oracle !== undefined && capability.oraclePubKey !== oracle) || (capabilityPubKey !== undefined && capability.capabilityPubKey !== capabilityPubKey)) {
      throw new CliError('--capability is not the ad of --oracle for --capability-pubkey');
    }
    oracle = capability.oraclePubKey;
    capabilityPubKey = capability.capabilityPubKey;
  }
  if (oracle === undefined || capabilityPubKey === undefined) throw opts.usage('give --capability <file>, or --oracle and --capability-pubkey (the capability whose dlc binding names the key)');
  const annHex = await Promise.all(anns.map((a) => tlvArg(io, a, 'announcement')));
  const attHex = await Promise.all(atts.map((a) => tlvArg(io, a, 'attestation')));
  if (new Set(type === 'dlc-equivocation' ? attHex : annHex).size !== 2) throw new CliError(`the two ${type === 'dlc-equivocation' ? 'attestations' : 'announcements'} are the same TLV: a proof needs two different ones`);
  const content: DlcProofContent =
    type === 'dlc-equivocation'
      ? equivocationContent(capabilityPubKey, annHex[0] as string, attHex[0] as string, attHex[1] as string, capability)
      : nonceReuseContent(capabilityPubKey, annHex[0] as string, annHex[1] as string, capability);
  const decoded = decodeDlcProof(content);
  if ('reason' in decoded) throw new CliError(`${decoded.reason}: ${decoded.message}`);
  if (capability) {
    const found = verifyDlcProof(decoded, capability);
    if ('reason' in found) throw new CliError(`not a proof: ${found.reason}: ${found.message}`);
    note(io, `checked: DLC key ${found.oracleKey} ${type === 'dlc-equivocation' ? `equivocated under nonce ${found.nonce} (position ${found.index})` : `reused nonce ${found.nonce}`}`);
  }
  return { oracle, content };
}

/** `mega report`. */
export const reportCommand = defineCommand({
  name: 'report',
  help: HELP,
  maxPositionals: 1,
  options: {
    ...ENVELOPE_OPTIONS,
    ...MINING_OPTIONS,
    oracle: { type: 'string' },
    fact: { type: 'string', multiple: true },
    capability: { type: 'string' },
    comment: { type: 'string' },
    'capability-pubkey': { type: 'string' },
    arg: { type: 'string', multiple: true },
    'payment-proof': { type: 'string' },
    'payment-amount': { type: 'string' },
    'payment-type': { type: 'string' },
    'payment-invoice': { type: 'string' },
    preimage: { type: 'string' },
    'announcement-id': { type: 'string' },
    announcement: { type: 'string', multiple: true },
    attestation: { type: 'string', multiple: true },
  },
  async run({ opts, positionals }, io) {
    const type = positionals[0];
    if (type === undefined) throw opts.usage(`which report? give a type: ${REPORT_TYPES.join(', ')}`);
    if (!(REPORT_TYPES as readonly string[]).includes(type)) throw opts.usage(`unknown report type '${type}' (one of ${REPORT_TYPES.join(', ')})`);
    const reportType = type as ReportType;
    for (const [flag, types] of Object.entries(ONLY_FOR)) {
      if (opts.has(flag) && !types.includes(reportType)) throw opts.usage(`--${flag} does not apply to ${reportType}`);
    }
    const mining = miningSettings(opts, io);
    const { seqNo, cTTL } = envelope(opts);
    const built = await content(opts, io, reportType);
    const report: Report = { oraclePubKey: built.oracle, seqNo, cTTL, pow: placeholderPow(mining.difficulty), content: built.content };
    printJson(io, await checkAndMine(io, 'report', report, mining));
  },
});
