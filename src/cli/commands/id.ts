/** cli/commands/id.ts - `mega id`: the id a node gives a message (pubkey, capabilityPubKey, report id, dispute id). Imports cli. */
import { detectType, messageId, schemaError } from '../check.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError } from '../errors.ts';
import { inputPath, TYPE_OPTIONS, typeFlag } from '../inputs.ts';
import { printJson, readJson } from '../io.ts';

const HELP = `usage: mega id <file|-> [--type oracle|capability|report|dispute]

Print {"type", "id"} of a message: the id a node answers with and lists it under.
  oracle      its pubkey
  capability  its capabilityPubKey
  report      hex SHA-256 of the canonical {oraclePubKey, content} (seqNo, cTTL and pow excluded,
              so a re-mined or re-versioned report keeps its id); disputes name it as reportId
  dispute     hex SHA-256 of the canonical dispute

options:
${formatOptions([['--type <type>', 'the message type (default: detected from its fields)'], HELP_ROW])}

example:
  mega id report.json | jq -r .id
`;

/** `mega id`. */
export const idCommand = defineCommand({
  name: 'id',
  help: HELP,
  maxPositionals: 1,
  options: { ...TYPE_OPTIONS },
  async run({ opts, positionals }, io) {
    const path = inputPath(opts, positionals);
    const forced = typeFlag(opts);
    const value = await readJson(io, path, 'message file');
    const type = forced ?? detectType(value);
    if (type === undefined) throw new CliError('cannot tell what kind of message this is; give --type');
    if (type === 'fact') throw new CliError('a fact has no id; it is identified by its request (and signed with its answer)');
    const bad = schemaError(value, type);
    if (bad !== null) throw new CliError(`not a valid ${type}: ${bad}`);
    printJson(io, { type, id: messageId(value, type) });
  },
});
