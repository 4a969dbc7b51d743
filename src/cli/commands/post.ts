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

const HELP = `usage: mega post <file|-> [<file>…] [--node <url>] [--type <type>] [--timeout <ms>]

POST a message to a node: oracle ads to /oracle, capabilities to /capability, reports to /report,
disputes to /dispute, announcements, attestations and offers to theirs (the type is detected from
the message's fields unless --type is given). The message is sent as is; the node validates it.
Prints the node's JSON answer:
  201 {"result": "accepted", "id"}      stored
  200 {"result": "duplicate", "id"}     already stored, not superseded
  202 {"result": "out-of-shard", "id"}  valid, but kept by another shard
  4xx {"error": {"code", "message"}}    refused: exit 1, reason on stderr
A node that cannot be reached is exit 1 with the reason on stderr.

Several files go in one request, POST /entities (admitted in the order given, at most the node's
maxBatchItems): the answer is {"results": [...]}, one per file in order, each the answer above
with its status as "httpStatus"; exit 1 if any file was refused (each named on stderr).

options:
${formatOptions([
  ['--node <url>', `the node's base URL (default $${NODE_ENV}, else ${DEFAULT_NODE})`],
  ['--type <type>', 'the type of every file: oracle, capability, report, dispute, announcement, attestation or offer (default: detected per file)'],
  ['--timeout <ms>', `give up after this long (default ${DEFAULT_TIMEOUT_MS})`],
  HELP_ROW,
])}

examples:
  mega post oracle.json --node http://localhost:8080
  mega post oracle.json capability.json report.json     # one request, in this order
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

/** POST `body` to `url` and parse the JSON answer. */
async function postJson(url: URL, body: string, timeoutMs: number): Promise<{ status: number; ok: boolean; answer: unknown }> {
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
  try {
    return { status: res.status, ok: res.ok, answer: JSON.parse(text) as unknown };
  } catch {
    throw new CliError(`${url.href} answered HTTP ${res.status} with a body that is not JSON (is --node a Mega node?)`);
  }
}

/** `code: message` of an error body, or a fallback. */
function errorDetail(answer: unknown): string {
  const error = (answer as { error?: { code?: string; message?: string } } | null)?.error;
  return error ? `${error.code ?? 'error'}: ${error.message ?? ''}` : 'no error details';
}

/** `mega post`. */
export const postCommand = defineCommand({
  name: 'post',
  help: HELP,
  maxPositionals: Infinity,
  options: { ...TYPE_OPTIONS, node: { type: 'string' }, timeout: { type: 'string' } },
  async run({ opts, positionals }, io) {
    const paths = positionals.length > 1 ? positionals : [inputPath(opts, positionals)];
    if (paths.filter((p) => p === '-').length > 1) throw opts.usage("stdin ('-') can be given once");
    const forced = typeFlag(opts);
    if (forced === 'fact') throw opts.usage('a fact is not posted on its own: put it in a report or a dispute');
    const base = nodeUrl(opts, io);
    const timeoutMs = opts.int('timeout', DEFAULT_TIMEOUT_MS, 1, 3_600_000);
    const messages: { path: string; kind: EntityKind; body: string }[] = [];
    for (const path of paths) {
      const body = await readText(io, path, 'message file');
      const detected = forced ?? detectType(parseJson(body, path === '-' ? 'message on stdin' : `message file ${path}`));
      const what = paths.length > 1 ? ` (${path})` : '';
      if (detected === undefined) throw new CliError(`cannot tell what kind of message this is${what}; give --type`);
      if (detected === 'fact') throw new CliError(`a fact is not posted on its own${what}: put it in a report (mega report) or a dispute (mega dispute)`);
      messages.push({ path, kind: detected, body });
    }
    if (messages.length === 1) {
      const { kind, body } = messages[0]!;
      const url = new URL(kind, base);
      const { status, ok, answer } = await postJson(url, body, timeoutMs);
      printJson(io, answer);
      if (ok) return EXIT.OK;
      throw new CliError(`the node refused the ${kind}: HTTP ${status} ${errorDetail(answer)}`);
    }
    // One POST /entities request; each message's bytes are sent as is (each parsed as JSON above, so the envelope is JSON).
    const url = new URL('entities', base);
    const body = `{"items":[${messages.map((m) => `{"kind":${JSON.stringify(m.kind)},"entity":${m.body}}`).join(',')}]}`;
    const { status, ok, answer } = await postJson(url, body, timeoutMs);
    printJson(io, answer);
    if (!ok) throw new CliError(`the node refused the batch: HTTP ${status} ${errorDetail(answer)}`);
    const results = (answer as { results?: { httpStatus?: number }[] } | null)?.results;
    if (!Array.isArray(results) || results.length !== messages.length) throw new CliError(`${url.href} answered without one result per message (is --node a Mega node of this version?)`);
    const refused = results.flatMap((r, i) => (typeof r?.httpStatus === 'number' && r.httpStatus < 400 ? [] : [`${messages[i]!.path}: the node refused the ${messages[i]!.kind}: HTTP ${String(r?.httpStatus)} ${errorDetail(r)}`]));
    if (refused.length === 0) return EXIT.OK;
    throw new CliError(`${refused.length} of ${messages.length} refused:\n${refused.join('\n')}`);
  },
});
