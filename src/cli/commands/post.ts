/** cli/commands/post.ts - `mega post`: submit a message to a node's REST API and print the node's JSON answer. Imports cli. */
import type { EntityKind } from '../../protocol/types.ts';
import type { Opts } from '../args.ts';
import { detectType } from '../check.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError, EXIT } from '../errors.ts';
import { inputPath, TYPE_OPTIONS, typeFlag } from '../inputs.ts';
import { parseJson, printJson, readText, type CliIo } from '../io.ts';

/** Node used when neither --node nor $MEGA_NODE is given. */
export const DEFAULT_NODE = 'http://localhost:8080';
/** Environment variable naming the node to post to. */
export const NODE_ENV = 'MEGA_NODE';
const DEFAULT_TIMEOUT_MS = 30_000;

const HELP = `usage: mega post <file|-> [--node <url>] [--type <type>] [--timeout <ms>]

POST a message to a node: oracle ads to /oracle, capabilities to /capability, reports to /report,
disputes to /dispute (the type is detected from the message's fields unless --type is given).
The message is sent as is; the node validates it. Prints the node's JSON answer:
  201 {"result": "accepted", "id"}      stored
  200 {"result": "duplicate", "id"}     already stored, not superseded
  202 {"result": "out-of-shard", "id"}  valid, but kept by another shard
  4xx {"error": {"code", "message"}}    refused: exit 1, reason on stderr
A node that cannot be reached is exit 1 with the reason on stderr.

options:
${formatOptions([
  ['--node <url>', `the node's base URL (default $${NODE_ENV}, else ${DEFAULT_NODE})`],
  ['--type <type>', 'oracle, capability, report or dispute (default: detected)'],
  ['--timeout <ms>', `give up after this long (default ${DEFAULT_TIMEOUT_MS})`],
  HELP_ROW,
])}

examples:
  mega post oracle.json --node http://localhost:8080
  mega report fact-missing --oracle 02ab... --capability-pubkey 03cd... | mega post -
`;

/** The node base URL from --node, $MEGA_NODE or the default, with a trailing slash so endpoints resolve under any path prefix. */
export function nodeUrl(opts: Opts, io: CliIo): URL {
  const raw = opts.str('node') ?? io.env[NODE_ENV] ?? DEFAULT_NODE;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw opts.usage(`--node must be a URL such as ${DEFAULT_NODE}, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw opts.usage(`--node must be an http(s) URL, got '${raw}'`);
  // Keep any path prefix (a node behind a reverse proxy): resolve the endpoint relative to it.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** A fetch failure as one CLI error line. */
export function networkError(e: unknown, url: URL, timeoutMs: number): CliError {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return new CliError(`no answer from ${url.origin} within ${timeoutMs} ms`);
  const why = err.cause?.code ?? err.cause?.message ?? err.message;
  return new CliError(`cannot reach the node at ${url.origin}: ${why}`);
}

/** `mega post`. */
export const postCommand = defineCommand({
  name: 'post',
  help: HELP,
  maxPositionals: 1,
  options: { ...TYPE_OPTIONS, node: { type: 'string' }, timeout: { type: 'string' } },
  async run({ opts, positionals }, io) {
    const path = inputPath(opts, positionals);
    const forced = typeFlag(opts);
    if (forced === 'fact') throw opts.usage('a fact is not posted on its own: put it in a report or a dispute');
    const base = nodeUrl(opts, io);
    const timeoutMs = opts.int('timeout', DEFAULT_TIMEOUT_MS, 1, 3_600_000);
    const body = await readText(io, path, 'message file');
    const detected = forced ?? detectType(parseJson(body, path === '-' ? 'message on stdin' : `message file ${path}`));
    if (detected === undefined) throw new CliError('cannot tell what kind of message this is; give --type');
    if (detected === 'fact') throw new CliError('a fact is not posted on its own: put it in a report (mega report) or a dispute (mega dispute)');
    const kind: EntityKind = detected;
    const url = new URL(kind, base);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw networkError(e, url, timeoutMs);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text) as unknown;
    } catch {
      throw new CliError(`${url.href} answered HTTP ${res.status} with a body that is not JSON (is --node a Mega node?)`);
    }
    printJson(io, answer);
    if (res.ok) return EXIT.OK;
    const error = (answer as { error?: { code?: string; message?: string } } | null)?.error;
    const detail = error ? `${error.code ?? 'error'}: ${error.message ?? ''}` : 'no error details';
    throw new CliError(`the node refused the ${kind}: HTTP ${res.status} ${detail}`);
  },
});
