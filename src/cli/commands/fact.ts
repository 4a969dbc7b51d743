/** cli/commands/fact.ts - `mega fact`: sign an answer to a request with the capability key. Imports protocol and cli. */
import { signFact } from '../../protocol/sign.ts';
import type { FactRequest } from '../../protocol/types.ts';
import type { Opts } from '../args.ts';
import { checkMessage, schemaError } from '../check.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError } from '../errors.ts';
import { printJson, readJson, type CliIo } from '../io.ts';
import { keyHelp, keyOptions, signingKey } from '../keys.ts';

const HELP = `usage: mega fact --key-file <capability key> [--arg name=value ...] --answer <answer>
       mega fact --key-file <capability key> --request <file> --answer <answer>

Sign an answer with the CAPABILITY key. The signature covers the canonical {request, answer},
where request = {capabilityPubKey, arguments}, so it cannot be replayed for another question or
argument set. Prints the fact as JSON; facts go into reports and disputes.

options:
${formatOptions([
  ...keyHelp('capability'),
  ['--arg <name=value>', 'an argument of the request (repeatable)'],
  ['--request <file>', 'take the request from a file instead: a report (such as the\nfact-missing report to dispute), a fact, or {capabilityPubKey, arguments}'],
  ['--answer <answer>', 'the answer; required'],
  HELP_ROW,
])}

examples:
  mega fact --key-file capability.key --arg city=Paris --arg date=2024-06-01 --answer yes > fact.json
  mega fact --key-file capability.key --request missing-report.json --answer no > fact.json
`;

async function requestFromFile(io: CliIo, path: string): Promise<FactRequest> {
  const v = (await readJson(io, path, 'request file')) as Record<string, unknown> | null;
  const inner = v?.content as Record<string, unknown> | undefined;
  const candidate = inner?.request ?? v?.request ?? v;
  const bad = schemaError({ request: candidate, answer: '', signatureType: 'ecdsa-secp256k1', signature: '0'.repeat(128) }, 'fact');
  if (bad !== null) throw new CliError(`--request ${path} holds no valid request: ${bad.replace(/^fact\./, '')}`);
  return candidate as FactRequest;
}

async function request(opts: Opts, io: CliIo, capabilityPubKey: string): Promise<FactRequest> {
  const file = opts.str('request');
  if (file === undefined) return { capabilityPubKey, arguments: opts.keyValues('arg') };
  if (opts.list('arg').length > 0) throw opts.usage('give --arg or --request, not both');
  const r = await requestFromFile(io, file);
  if (r.capabilityPubKey !== capabilityPubKey) {
    throw new CliError(`the request is for capability ${r.capabilityPubKey}, but the key is of ${capabilityPubKey}`);
  }
  return r;
}

/** `mega fact`. */
export const factCommand = defineCommand({
  name: 'fact',
  help: HELP,
  options: {
    ...keyOptions('capability'),
    arg: { type: 'string', multiple: true },
    request: { type: 'string' },
    answer: { type: 'string' },
  },
  async run({ opts }, io) {
    const answer = opts.required('answer', 'the answer to sign');
    opts.keyValues('arg');
    const keys = await signingKey(opts, io, 'capability');
    const fact = signFact(await request(opts, io, keys.publicKey), answer, keys.privateKey);
    const r = checkMessage(fact, 'fact');
    if (!r.valid) throw new CliError(`the fact would be invalid (${r.reason}): ${r.message}`);
    printJson(io, fact);
  },
});
