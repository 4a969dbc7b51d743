/** cli/commands/verify.ts - `mega verify`: check any message offline (schema, PoW, signatures, facts); exit 0 valid, 1 invalid. Imports protocol and cli. */
import type { OracleCapability, Report } from '../../protocol/types.ts';
import { checkMessage, detectType, type CheckContext, type CheckResult } from '../check.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { EXIT } from '../errors.ts';
import { inputPath, loadAllVerified, loadVerified, TYPE_OPTIONS, typeFlag } from '../inputs.ts';
import { parseJson, printJson, readText } from '../io.ts';
import { CliError } from '../errors.ts';

const HELP = `usage: mega verify <file|-> [--type <type>] [--capability <file> ...] [--report <file>]

Check a message the way a node does, offline: schema (wolfram-mega-spec.yaml), proof of work,
oracle signatures, fact signatures and report semantics. Prints
  {"valid": true, "type", "id", "notes"?}              exit 0
  {"valid": false, "type", "reason", "message"}        exit 1
where reason is the code a node would answer with (schema-violation, pow-invalid, signature-invalid,
fact-signature-invalid, conflict-answers-equal, ...). What cannot be known offline, such as whether
a report's capability key belongs to the oracle when the ad is neither embedded nor given, is
listed in "notes".

options:
${formatOptions([
  ['--type <type>', 'oracle, capability, report, dispute or fact (default: detected)'],
  ['--capability <file>', "a capability ad to trust for key ownership, as a node's store\nwould (repeatable)"],
  ['--report <file>', "for a dispute: the report it answers (checks reportId and the\nfact's request)"],
  HELP_ROW,
])}

examples:
  mega verify report.json
  mega fact --key-file capability.key --arg x=1 --answer yes | mega verify -
`;

/** `mega verify`. */
export const verifyCommand = defineCommand({
  name: 'verify',
  help: HELP,
  maxPositionals: 1,
  options: { ...TYPE_OPTIONS, capability: { type: 'string', multiple: true }, report: { type: 'string' } },
  async run({ opts, positionals }, io) {
    const path = inputPath(opts, positionals);
    const forced = typeFlag(opts);
    const ctx: CheckContext = { capabilities: await loadAllVerified<OracleCapability>(io, opts.list('capability'), 'capability', 'capability') };
    const reportFile = opts.str('report');
    if (reportFile !== undefined) ctx.report = await loadVerified<Report>(io, reportFile, 'report', 'report');
    const text = await readText(io, path, 'message file');
    let value: unknown;
    try {
      value = parseJson(text, 'message');
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      printJson(io, { valid: false, type: forced ?? null, reason: 'invalid-json', message: e.message });
      return EXIT.FAILURE;
    }
    const type = forced ?? detectType(value);
    if (type === undefined) {
      printJson(io, { valid: false, type: null, reason: 'unknown-type', message: 'not an oracle, capability, report, dispute or fact; give --type to check it as one' });
      return EXIT.FAILURE;
    }
    if (type !== 'dispute' && reportFile !== undefined) throw opts.usage('--report applies to disputes only');
    const result: CheckResult = checkMessage(value, type, ctx);
    printJson(io, result);
    return result.valid ? EXIT.OK : EXIT.FAILURE;
  },
});
