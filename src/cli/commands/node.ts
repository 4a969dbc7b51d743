/** cli/commands/node.ts - `mega node`: operate a running node through its admin API (/admin/…) with the token from its cookie file: status, peers, bans, ban, unban, connect, disconnect, reload, compact. Imports cli. */
import fs from 'node:fs';
import type { Opts } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError, EXIT } from '../errors.ts';
import { printJson, type CliIo } from '../io.ts';
import { DEFAULT_NODE, NODE_ENV, nodeUrl } from './post.ts';

/** Where the cookie is looked for by default: the default dataDir (`data/{p2pPort}`) with the default p2pPort. */
export const DEFAULT_COOKIE = 'data/8333/.cookie';
/** Environment variables: the cookie file, or the token itself. */
export const COOKIE_ENV = 'MEGA_ADMIN_COOKIE';
export const TOKEN_ENV = 'MEGA_ADMIN_TOKEN';
const DEFAULT_TIMEOUT_MS = 30_000;

const HELP = `usage: mega node <action> [arguments] [--node <url>] [--cookie <file> | --token <token>]

Operate a running node through its admin API. Actions:
  status                     version, listeners, peer and ban counts, mempool counts, journal
  peers                      the connected peers (address, direction, user agent, bytes)
  bans                       the banned addresses and until when
  ban <ip> [--duration <ms>] ban an address (default: the node's banTimeMs) and drop its connections
  unban <ip>                 lift a ban
  connect <host:port>        dial a peer now
  disconnect <ip|ip:port>    close the connections from an address (or one connection)
  reload                     re-read the config like SIGHUP; prints what was applied and what needs a restart
  compact                    compact the mempool journal into a new snapshot now

The token comes from the node's cookie file (written at each start into its dataDir, mode 0600,
like bitcoind's .cookie), so run this as a user who can read it. Admin requests are accepted only
from the node's adminAllowFrom addresses (loopback by default). Prints the node's JSON answer;
an error answer is exit 1 with its code on stderr.

options:
${formatOptions([
  ['--node <url>', `the node's admin URL: its adminPort when set, else its httpPort (default $${NODE_ENV}, else ${DEFAULT_NODE})`],
  ['--cookie <file>', `the node's cookie file (default $${COOKIE_ENV}, else ${DEFAULT_COOKIE})`],
  ['--token <token>', `the token itself instead of a cookie file (default $${TOKEN_ENV})`],
  ['--duration <ms>', 'ban length for ban (1000 … 315360000000)'],
  ['--timeout <ms>', `give up after this long (default ${DEFAULT_TIMEOUT_MS})`],
  HELP_ROW,
])}

examples:
  mega node status
  mega node ban 203.0.113.7 --duration 3600000 --cookie /var/lib/mega/.cookie
  mega node connect seed.example.org:8333 --node http://127.0.0.1:8090
`;

const ACTIONS = ['status', 'peers', 'bans', 'ban', 'unban', 'connect', 'disconnect', 'reload', 'compact'] as const;
type Action = (typeof ACTIONS)[number];

/** The bearer token: --token, $MEGA_ADMIN_TOKEN, else the cookie file (`__cookie__:<token>`). */
function adminToken(opts: Opts, io: CliIo): string {
  const given = opts.str('token') ?? io.env[TOKEN_ENV];
  if (given !== undefined) {
    if (!/^[\x21-\x7e]{1,512}$/.test(given)) throw opts.usage('--token must be printable ASCII without spaces');
    return given;
  }
  const file = opts.str('cookie') ?? io.env[COOKIE_ENV] ?? DEFAULT_COOKIE;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read the cookie file ${file} (${code ?? (e as Error).message}): is the node running, and is this its dataDir? (--cookie <file> or --token)`);
  }
  const m = /^__cookie__:([\x21-\x7e]{1,512})\s*$/.exec(text);
  if (!m) throw new CliError(`${file} is not a Mega cookie file (expected "__cookie__:<token>")`);
  return m[1] as string;
}

/** `host:port` or `[v6]:port`. */
function hostPort(opts: Opts, s: string | undefined): { host: string; port: number } {
  const m = s === undefined ? null : /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) throw opts.usage('connect needs <host:port> (or [ipv6]:port)');
  return { host: (m[1] ?? m[2]) as string, port };
}

/** `mega node`. */
export const nodeCommand = defineCommand({
  name: 'node',
  help: HELP,
  maxPositionals: 2,
  options: { node: { type: 'string' }, cookie: { type: 'string' }, token: { type: 'string' }, duration: { type: 'string' }, timeout: { type: 'string' } },
  async run({ opts, positionals }, io) {
    const [action, arg] = positionals;
    if (action === undefined) throw opts.usage(`an action is needed: ${ACTIONS.join(', ')}`);
    if (!(ACTIONS as readonly string[]).includes(action)) throw opts.usage(`unknown action '${action}' (${ACTIONS.join(', ')})`);
    const takesArg = ['ban', 'unban', 'connect', 'disconnect'].includes(action);
    if (takesArg && arg === undefined) throw opts.usage(`${action} needs an address`);
    if (!takesArg && arg !== undefined) throw opts.usage(`unexpected argument '${arg}'`);
    if (opts.str('duration') !== undefined && action !== 'ban') throw opts.usage('--duration is for ban only');
    const base = nodeUrl(opts, io);
    const timeoutMs = opts.int('timeout', DEFAULT_TIMEOUT_MS, 1, 3_600_000);
    const token = adminToken(opts, io);
    const req = request(action as Action, arg, opts);
    const url = new URL(`admin/${req.path}`, base);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: req.method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(req.body ? { 'content-type': 'application/json' } : {}) },
        ...(req.body ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') throw new CliError(`no answer from ${url.origin} within ${timeoutMs} ms`);
      throw new CliError(`cannot reach the node at ${url.origin}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
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
    throw new CliError(`${action} failed: HTTP ${res.status} ${error ? `${error.code ?? 'error'}: ${error.message ?? ''}` : 'no error details'}`);
  },
});

function request(action: Action, arg: string | undefined, opts: Opts): { method: string; path: string; body?: Record<string, unknown> } {
  switch (action) {
    case 'status':
    case 'peers':
    case 'bans':
      return { method: 'GET', path: action };
    case 'ban': {
      const durationMs = opts.optInt('duration', 1000, 10 * 365 * 86_400_000);
      return { method: 'POST', path: 'bans', body: { address: arg, ...(durationMs !== undefined ? { durationMs } : {}) } };
    }
    case 'unban':
      return { method: 'DELETE', path: `bans/${encodeURIComponent(arg as string)}` };
    case 'connect':
      return { method: 'POST', path: 'connect', body: hostPort(opts, arg) };
    case 'disconnect':
      return { method: 'POST', path: 'disconnect', body: { address: arg } };
    case 'reload':
      return { method: 'POST', path: 'reload' };
    case 'compact':
      return { method: 'POST', path: 'compact' };
  }
}
