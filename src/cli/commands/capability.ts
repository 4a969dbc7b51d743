/** cli/commands/capability.ts - `mega capability`: build, sign (oracle key) and mine a capability ad (OracleCapability). Imports protocol and cli. */
import { signCapability, type UnsignedCapability } from '../../protocol/sign.ts';
import type { CapabilityParam } from '../../protocol/types.ts';
import type { Opts } from '../args.ts';
import { checkAndMine, ENVELOPE_HELP, ENVELOPE_OPTIONS, envelope, placeholderPow } from '../build.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { printJson } from '../io.ts';
import { keyHelp, keyOptions, signingKey } from '../keys.ts';
import { MINING_HELP, MINING_OPTIONS, miningSettings } from '../mine.ts';

const HELP = `usage: mega capability --key-file <oracle key> --capability-pubkey <pub> --question <text> [options]

Build a capability ad: a question the oracle answers, whose facts are signed by the capability
key. It is signed by the ORACLE key; the PoW preimage is oraclePubKey + capabilityPubKey.
A node stores it only once it knows the oracle. Prints the ad as JSON.

options:
${formatOptions([
  ...keyHelp('oracle'),
  ['--capability-pubkey <pub>', "public key of the capability (from 'mega keygen'); required"],
  ['--question <text>', 'the question; required'],
  ['--param <name=v1,v2,...>', "a named argument and its allowed values (repeatable;\n'name=' when any value goes)"],
  ['--answer <answer>', 'a possible answer (repeatable)'],
  ['-t, --tag <tag>', 'a tag (repeatable)'],
  ['--endpoint <url>', 'where to ask the oracle for facts'],
  ['--lightning-node-id <pub>', "the oracle's Lightning node id: invoices for this capability's facts\nare signed by it, so a fact-missing's payment can be verified"],
  ['--off', 'mark the capability as switched off'],
  ['--dlc-key <x-only hex>', "bind a DLC attestation key (dlcKey of 'mega dlc keygen'): the\ncapability's announcements and attestations are signed by it"],
  ['--dlc-signing-version <v>', 'with --dlc-key: dlcspecs-v0 (default) or basic-sha256'],
  ...ENVELOPE_HELP,
  ...MINING_HELP,
  HELP_ROW,
])}

example:
  mega capability --key-file oracle.key --capability-pubkey 02ab... \\
    --question "Will it rain in {city} on {date}?" --param city=Paris,Berlin --param date= \\
    --answer yes --answer no --tag weather > capability.json
`;

function params(opts: Opts): CapabilityParam[] {
  const out: CapabilityParam[] = [];
  for (const item of opts.list('param')) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    if (name === '') throw opts.usage(`--param takes name=v1,v2,..., got '${item}'`);
    if (out.some((p) => p.name === name)) throw opts.usage(`--param ${name} is given twice`);
    const rest = eq < 0 ? '' : item.slice(eq + 1);
    out.push({ name, values: rest === '' ? [] : rest.split(',') });
  }
  return out;
}

/** `mega capability`. */
export const capabilityCommand = defineCommand({
  name: 'capability',
  help: HELP,
  options: {
    ...keyOptions('oracle'),
    ...ENVELOPE_OPTIONS,
    ...MINING_OPTIONS,
    'capability-pubkey': { type: 'string' },
    question: { type: 'string' },
    param: { type: 'string', multiple: true },
    answer: { type: 'string', multiple: true },
    tag: { type: 'string', short: 't', multiple: true },
    endpoint: { type: 'string' },
    'lightning-node-id': { type: 'string' },
    off: { type: 'boolean' },
    'dlc-key': { type: 'string' },
    'dlc-signing-version': { type: 'string' },
  },
  async run({ opts }, io) {
    const mining = miningSettings(opts, io);
    const { seqNo, cTTL } = envelope(opts);
    opts.required('capability-pubkey', 'the public key that will sign facts');
    const capabilityPubKey = opts.pubkey('capability-pubkey') as string;
    const question = opts.required('question', 'the question this capability answers');
    const ps = params(opts);
    const keys = await signingKey(opts, io, 'oracle');
    const unsigned: UnsignedCapability = {
      oraclePubKey: keys.publicKey,
      capabilityPubKey,
      question,
      seqNo,
      cTTL,
      pow: placeholderPow(mining.difficulty),
    };
    if (ps.length > 0) unsigned.params = ps;
    const answers = opts.list('answer');
    if (answers.length > 0) unsigned.answers = answers;
    const tags = opts.list('tag');
    if (tags.length > 0) unsigned.tags = tags;
    const endpoint = opts.str('endpoint');
    if (endpoint !== undefined) unsigned.endpoint = endpoint;
    const ln = opts.pubkey('lightning-node-id');
    if (ln !== undefined) unsigned.lightningNodeId = ln;
    if (opts.flag('off')) unsigned.off = true;
    const dlcKey = opts.str('dlc-key');
    if (dlcKey !== undefined) {
      if (!/^[0-9a-f]{64}$/i.test(dlcKey)) throw opts.usage('--dlc-key must be a 32-byte x-only key (64 hex characters)');
      const v = opts.str('dlc-signing-version') ?? 'dlcspecs-v0';
      if (v !== 'dlcspecs-v0' && v !== 'basic-sha256') throw opts.usage('--dlc-signing-version must be dlcspecs-v0 or basic-sha256');
      unsigned.dlc = { oracleKey: dlcKey.toLowerCase(), signingVersion: v };
    } else if (opts.has('dlc-signing-version')) throw opts.usage('--dlc-signing-version needs --dlc-key');
    printJson(io, await checkAndMine(io, 'capability', signCapability(unsigned, keys.privateKey), mining));
  },
});
