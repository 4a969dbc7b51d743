/** cli/commands/trader-client.ts - the CLI's client of a running mega-trader's admin API: the data dir from --data-dir or --config, the URL from <dataDir>/admin.json (or --trader), the bearer token from <dataDir>/.cookie; the daemon's `{error: {code, message}}` becomes a CliError naming the code. Imports cli, daemon (file names) and trader-daemon (config loader). */
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_FILE, COOKIE_FILE } from '../../daemon/admin-server.ts';
import { loadTraderConfig, TraderConfigError } from '../../trader-daemon/config.ts';
import type { Opts } from '../args.ts';
import { CliError } from '../errors.ts';
import type { HelpRow } from '../help.ts';

/** The flags every trader command takes. */
export const TRADER_OPTIONS = { config: { type: 'string' }, 'data-dir': { type: 'string' }, trader: { type: 'string' } } as const;

/** Their help rows. */
export const TRADER_HELP_ROWS: HelpRow[] = [
  ['--data-dir <dir>', "the trader daemon's data dir (its admin cookie is read from there)"],
  ['--config <file>', "or the daemon's config (its dataDir is used)"],
  ['--trader <url>', 'the admin API URL (default: from <dataDir>/admin.json)'],
];

/** A reachable admin API. */
export interface TraderAdmin {
  url: string;
  token: string;
}

/** Longest wait for one admin call (a take runs the whole exchange with the maker). */
const CALL_TIMEOUT_MS = 180_000;

/** Find the admin API from the flags. */
export function traderAdmin(opts: Opts): TraderAdmin {
  const cfg = opts.str('config');
  const dirFlag = opts.str('data-dir');
  if ((cfg === undefined) === (dirFlag === undefined)) throw opts.usage('give --data-dir or --config (one of them)');
  let dir: string;
  if (dirFlag !== undefined) dir = path.resolve(dirFlag);
  else {
    try {
      dir = loadTraderConfig(cfg as string).dataDir;
    } catch (e) {
      throw new CliError(e instanceof TraderConfigError ? e.message : String(e));
    }
  }
  let token: string;
  try {
    token = fs.readFileSync(path.join(dir, COOKIE_FILE), 'utf8').trim();
  } catch (e) {
    throw new CliError(`cannot read ${path.join(dir, COOKIE_FILE)} (is mega-trader running on this data dir, and may you read it?): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const urlFlag = opts.str('trader');
  if (urlFlag !== undefined) return { url: urlFlag.replace(/\/+$/, ''), token };
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, ADMIN_FILE), 'utf8')) as { url?: unknown };
    if (typeof v.url !== 'string') throw new Error('no url');
    return { url: v.url, token };
  } catch (e) {
    throw new CliError(`cannot read the admin URL from ${path.join(dir, ADMIN_FILE)}: ${(e as Error).message}`);
  }
}

/** One admin call; resolves to the 200 answer. */
export async function traderCall(admin: TraderAdmin, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${admin.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${admin.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (e) {
    throw new CliError(`cannot reach the trader daemon at ${admin.url}: ${(e as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`the trader daemon answered ${res.status} with something that is not JSON`);
  }
  if (res.status !== 200) {
    const err = (json as { error?: { code?: string; message?: string } }).error;
    throw new CliError(`${res.status} ${err?.code ?? ''}: ${err?.message ?? text.slice(0, 200)}`);
  }
  return json;
}
