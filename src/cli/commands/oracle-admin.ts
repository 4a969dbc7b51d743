/** cli/commands/oracle-admin.ts - `mega oracle status|outcome|pause|resume`: talk to a running mega-oracle through its admin API (URL from <dataDir>/admin.json, bearer token from <dataDir>/.cookie). Imports cli and oracle-daemon (config loader, file names). */
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_FILE, COOKIE_FILE } from '../../oracle-daemon/admin.ts';
import { loadOracleConfig, OracleConfigError } from '../../oracle-daemon/config.ts';
import type { Opts } from '../args.ts';
import { defineCommand, type Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { printJson } from '../io.ts';

/** The subcommands `mega oracle` hands to this module. */
export const ADMIN_SUBCOMMANDS: readonly string[] = ['status', 'outcome', 'pause', 'resume'];

const HELP = `usage: mega oracle status  (--config <oracle-cfg.json> | --data-dir <dir>) [--url <admin url>]
       mega oracle outcome --capability <name> (--maturity <time> | --event-id <id> | --announcement <id>)
                           --value <v> (--config <file> | --data-dir <dir>)
       mega oracle pause|resume (--config <file> | --data-dir <dir>)

Talk to a running oracle daemon (mega-oracle) through its admin API on loopback. The API's URL is
read from <dataDir>/admin.json and its bearer token from <dataDir>/.cookie (written at each start,
mode 0600), so only a user who can read the data dir can use it.

status   everything the daemon watches: the ad and capabilities, each node (held, rank, restored,
         refusals), events announced / awaiting an outcome / attested, failing sources, mining
outcome  the outcome of an announced event of a capability whose source is "manual"; checked
         against the event's descriptor now, attested at maturity. Refused (exit 1) once attested.
pause    stop announcing, attesting and posting to nodes (kept across restarts)
resume   start again

options:
${formatOptions([
  ['--config <file>', "the daemon's config (its dataDir is used)"],
  ['--data-dir <dir>', "the daemon's data dir"],
  ['--url <url>', 'the admin API (default: from <dataDir>/admin.json)'],
  ['--capability <name>', 'outcome: the capability name in the config'],
  ['--maturity <time>', 'outcome: the event maturity (ISO 8601 or epoch seconds)'],
  ['--event-id <id>', 'outcome: the event id'],
  ['--announcement <id>', 'outcome: the announcement id (64 hex)'],
  ['--value <v>', 'outcome: an enum outcome, or a number for a numeric event'],
  HELP_ROW,
])}

example:
  mega oracle outcome --config oracle-cfg.json --capability election --maturity 2028-11-08T12:00:00Z --value candidate-a
`;

function dataDirOf(opts: Opts): string {
  const cfg = opts.str('config');
  const dir = opts.str('data-dir');
  if ((cfg === undefined) === (dir === undefined)) throw opts.usage('give --config or --data-dir (one of them)');
  if (dir !== undefined) return path.resolve(dir);
  try {
    return loadOracleConfig(cfg as string).dataDir;
  } catch (e) {
    throw new CliError(e instanceof OracleConfigError ? e.message : String(e));
  }
}

function readAdmin(dir: string, urlFlag: string | undefined): { url: string; token: string } {
  let token: string;
  try {
    token = fs.readFileSync(path.join(dir, COOKIE_FILE), 'utf8').trim();
  } catch (e) {
    throw new CliError(`cannot read ${path.join(dir, COOKIE_FILE)} (is mega-oracle running on this data dir, and may you read it?): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (urlFlag !== undefined) return { url: urlFlag.replace(/\/+$/, ''), token };
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, ADMIN_FILE), 'utf8')) as { url?: unknown };
    if (typeof v.url !== 'string') throw new Error('no url');
    return { url: v.url, token };
  } catch (e) {
    throw new CliError(`cannot read the admin URL from ${path.join(dir, ADMIN_FILE)}: ${(e as Error).message}`);
  }
}

async function call(admin: { url: string; token: string }, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${admin.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${admin.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new CliError(`cannot reach the oracle daemon at ${admin.url}: ${(e as Error).message}`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`the oracle daemon answered ${res.status} with something that is not JSON`);
  }
  if (res.status !== 200) {
    const err = (json as { error?: { code?: string; message?: string } }).error;
    throw new CliError(`${res.status} ${err?.code ?? ''}: ${err?.message ?? text.slice(0, 200)}`);
  }
  return json;
}

/** `mega oracle status|outcome|pause|resume`. */
export const oracleAdminCommand = defineCommand({
  name: 'oracle',
  help: HELP,
  maxPositionals: 1,
  options: {
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    url: { type: 'string' },
    capability: { type: 'string' },
    maturity: { type: 'string' },
    'event-id': { type: 'string' },
    announcement: { type: 'string' },
    value: { type: 'string' },
  },
  async run({ opts, positionals }, io) {
    const sub = positionals[0] as string;
    const admin = readAdmin(dataDirOf(opts), opts.str('url'));
    if (sub === 'status') return printJson(io, await call(admin, 'GET', '/status'));
    if (sub === 'pause' || sub === 'resume') return printJson(io, await call(admin, 'POST', `/${sub}`));
    const body: Record<string, unknown> = { capability: opts.required('capability', 'the capability name'), value: opts.required('value', 'the outcome') };
    const m = opts.str('maturity');
    if (m !== undefined) body.maturity = /^\d+$/.test(m) ? Number(m) : m;
    const ev = opts.str('event-id');
    if (ev !== undefined) body.eventId = ev;
    const ann = opts.hash('announcement');
    if (ann !== undefined) body.announcementId = ann;
    if (m === undefined && ev === undefined && ann === undefined) throw opts.usage('name the event: --maturity, --event-id or --announcement');
    printJson(io, await call(admin, 'POST', '/outcome', body));
  },
});

/** `build` (mega oracle's ad builder), with the admin subcommands dispatched here and named in its help. */
export function withAdminSubcommands(build: Command): Command {
  const help = `${build.help.trimEnd()}\n\nA running oracle daemon: mega oracle status|outcome|pause|resume (mega oracle status --help).\n`;
  return {
    name: build.name,
    help,
    async run(argv, io) {
      const first = argv[0];
      if (first !== undefined && ADMIN_SUBCOMMANDS.includes(first)) return oracleAdminCommand.run(argv, io);
      if (argv.includes('--help') || argv.includes('-h')) {
        io.out(help);
        return 0;
      }
      return build.run(argv, io);
    },
  };
}
