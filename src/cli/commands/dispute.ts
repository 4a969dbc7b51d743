/** cli/commands/dispute.ts - `mega dispute`: answer a fact-missing report with the signed fact. Imports protocol and cli. */
import { buildDispute } from '../../protocol/sign.ts';
import type { Dispute, Fact, Report } from '../../protocol/types.ts';
import { checkMessage } from '../check.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError } from '../errors.ts';
import { loadVerified } from '../inputs.ts';
import { printJson } from '../io.ts';

const HELP = `usage: mega dispute --report <file> --fact <file>
       mega dispute --report-id <hex> --oracle <pub> --fact <file>

Answer a fact-missing report: the dispute carries the fact, signed by the capability key, for the
report's request. It is not signed or mined itself; the node checks the fact against the request
of the report it stores. Prints the dispute as JSON.

options:
${formatOptions([
  ['--report <file>', 'the fact-missing report: gives reportId and oraclePubKey, and the\nfact is checked against its request'],
  ['--report-id <hex>', "the report id ('mega id report.json'), instead of --report"],
  ['--oracle <pub>', 'the reported oracle (with --report-id)'],
  ['--fact <file>', "the fact from 'mega fact --request report.json ...'; required"],
  HELP_ROW,
])}

example:
  mega fact --key-file capability.key --request report.json --answer yes > fact.json
  mega dispute --report report.json --fact fact.json | mega post -
`;

/** `mega dispute`. */
export const disputeCommand = defineCommand({
  name: 'dispute',
  help: HELP,
  options: {
    report: { type: 'string' },
    'report-id': { type: 'string' },
    oracle: { type: 'string' },
    fact: { type: 'string' },
  },
  async run({ opts }, io) {
    const reportFile = opts.str('report');
    if (reportFile !== undefined && (opts.has('report-id') || opts.has('oracle'))) throw opts.usage('give --report, or --report-id with --oracle, not both');
    if (reportFile === undefined && !(opts.has('report-id') && opts.has('oracle'))) throw opts.usage('give --report <file>, or --report-id <hex> with --oracle <pub>');
    const rid = opts.hash('report-id');
    const oracle = opts.pubkey('oracle');
    const factFile = opts.required('fact', 'the signed fact');
    let report: Report | undefined;
    if (reportFile !== undefined) {
      report = await loadVerified<Report>(io, reportFile, 'report', 'report');
      if (report.content.type !== 'fact-missing') throw new CliError(`--report is a ${report.content.type} report; only fact-missing reports can be disputed`);
    }
    const fact = await loadVerified<Fact>(io, factFile, 'fact', 'fact');
    const dispute: Dispute = report
      ? buildDispute(report, fact)
      : { reportId: rid as string, oraclePubKey: oracle as string, fact };
    const r = checkMessage(dispute, 'dispute', report ? { report } : {});
    if (!r.valid) throw new CliError(`the dispute would be invalid (${r.reason}): ${r.message}`);
    printJson(io, dispute);
  },
});
