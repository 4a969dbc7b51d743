/** cli/commands/offer.ts - `mega offer`: a command group over offers; `list` reads GET /offers of a node and tells the oracle's standing of each. More actions (create, take: the trader daemon's) register in OFFER_ACTIONS. Imports cli. */
import type { Opts } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError, EXIT } from '../errors.ts';
import { note, printJson, type CliIo } from '../io.ts';
import { DEFAULT_NODE, NODE_ENV, networkError, nodeUrl } from './post.ts';

const DEFAULT_TIMEOUT_MS = 30_000;
const HEX64 = /^[0-9a-f]{64}$/;
const PUBKEY = /^0[23][0-9a-f]{64}$/;
const CHAINS = ['bitcoin-regtest', 'bitcoin-testnet', 'bitcoin-signet', 'bitcoin-mainnet'];

/** One action of `mega offer`: its help line and body (positionals after the action name). */
export interface OfferAction {
  /** `<action> [args]   what it does`, one line of the group's help. */
  usage: string;
  run(opts: Opts, args: string[], io: CliIo): Promise<number>;
}

/** One listed offer as GET /offers returns it (the fields this command reads). */
interface Listed {
  id: string;
  offer: { makerPubKey: string; status: string; content: { makerCollateral: number; takerCollateral: number; expiresAt: number; contact: string; chain: string } };
  oraclePubKey: string;
  standing: { conflicted: boolean; proofs: number; openClaims: number; answeredClaims: number };
  maturity: string;
}

/** GET `path` of the node as JSON; a refusal is a CliError with the node's code. */
async function getJson(opts: Opts, io: CliIo, path: string): Promise<unknown> {
  const url = new URL(path, nodeUrl(opts, io));
  const timeoutMs = opts.int('timeout', DEFAULT_TIMEOUT_MS, 1, 3_600_000);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (e) {
    throw networkError(e, url, timeoutMs);
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`${url.href} answered HTTP ${res.status} with a body that is not JSON (is --node a Mega node?)`);
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new CliError(`GET ${url.pathname}${url.search} failed: HTTP ${res.status} ${error ? `${error.code ?? 'error'}: ${error.message ?? ''}` : 'no error details'}`);
  }
  return body;
}

/** The standing of an offer's oracle in words (stderr): a taker should not bet on a conflicted oracle. */
function standingLine(x: Listed): string {
  const s = x.standing;
  const who = `oracle ${x.oraclePubKey.slice(0, 16)}…`;
  const verdict = s.conflicted ? `CONFLICTED (${s.proofs} proof${s.proofs === 1 ? '' : 's'} of misbehaviour): do not bet on it` : `no proof against it; ${s.openClaims} open claim(s), ${s.answeredClaims} answered`;
  const c = x.offer.content;
  return `${x.id.slice(0, 16)}… ${x.offer.status}: taker locks ${c.takerCollateral} sat against ${c.makerCollateral} on ${c.chain}; matures ${x.maturity}; ${who} ${verdict}; contact ${JSON.stringify(c.contact)}`;
}

const list: OfferAction = {
  usage: 'list [--announcement ID] [--oracle PK] [--chain C] [--q WORDS] [--maker PK] [--status S]   offers on a node (GET /offers), with each oracle\'s standing',
  async run(opts, args, io) {
    if (args.length > 0) throw opts.usage(`list takes no arguments, got '${args[0]}'`);
    const q = new URLSearchParams();
    const put = (name: string, param: string, ok: (v: string) => boolean, what: string): void => {
      const v = opts.str(name);
      if (v === undefined) return;
      if (!ok(v)) throw opts.usage(`--${name} must be ${what}`);
      q.set(param, v);
    };
    put('announcement', 'announcement', (v) => HEX64.test(v), 'an announcement id (64 lowercase hex)');
    put('oracle', 'oracle', (v) => PUBKEY.test(v), 'an oracle public key (66 lowercase hex)');
    put('maker', 'maker', (v) => PUBKEY.test(v), 'a maker public key (66 lowercase hex)');
    put('chain', 'chain', (v) => CHAINS.includes(v), `one of ${CHAINS.join(', ')}`);
    put('q', 'q', (v) => v.length >= 1 && v.length <= 256, 'question words (1-256 characters)');
    put('status', 'status', (v) => ['open', 'cancelled', 'taken'].includes(v), 'open, cancelled or taken');
    put('page', 'page', (v) => /^\d{1,6}$/.test(v), 'a page number');
    const body = await getJson(opts, io, `offers${q.size > 0 ? `?${q.toString()}` : ''}`);
    if (!Array.isArray(body)) throw new CliError('GET /offers did not answer a list');
    printJson(io, body);
    for (const x of body as Listed[]) note(io, standingLine(x));
    if (body.length === 0) note(io, 'no offers match');
    return EXIT.OK;
  },
};

/** The actions of `mega offer`, by name. Another module may add its own (create, take) before the command runs. */
export const OFFER_ACTIONS: Record<string, OfferAction> = { list };

function help(): string {
  const rows = Object.entries(OFFER_ACTIONS).map(([name, a]) => `  ${a.usage.startsWith(name) ? a.usage : `${name} ${a.usage}`}`);
  return `usage: mega offer <action> [options]

Offers are makers' signed intents to enter a DLC on a stored announcement (docs/traders.md). Actions:
${rows.join('\n')}

list prints the node's JSON answer on stdout and, on stderr, one line per offer with the standing of
its oracle (conflicted oracles have proven misbehaviour: do not bet on them). --q matches words of the
announcement's capability question; collateral filters of GET /offers bound the taker's collateral.

options:
${formatOptions([
  ['--node <url>', `the node's REST URL (default $${NODE_ENV}, else ${DEFAULT_NODE})`],
  ['--announcement <id>', 'only offers on this announcement'],
  ['--oracle <pubkey>', "only offers on this oracle's announcements"],
  ['--maker <pubkey>', "only this maker's offers"],
  ['--chain <chain>', CHAINS.join(', ')],
  ['--q <words>', "words of the question of the announcement's capability"],
  ['--status <s>', 'open (default), cancelled or taken'],
  ['--page <n>', 'page of the listing (0 first)'],
  ['--timeout <ms>', `give up after this long (default ${DEFAULT_TIMEOUT_MS})`],
  HELP_ROW,
])}
examples:
  mega offer list --q "rain berlin"
  mega offer list --announcement 333a95afec57377c1dd8b8981a794f47d0d1513caafe34ba20e5286ac8b60c85 --node http://127.0.0.1:8080
`;
}

/** `mega offer`. */
export const offerCommand = defineCommand({
  name: 'offer',
  help: help(),
  maxPositionals: 8,
  options: {
    node: { type: 'string' },
    timeout: { type: 'string' },
    announcement: { type: 'string' },
    oracle: { type: 'string' },
    maker: { type: 'string' },
    chain: { type: 'string' },
    q: { type: 'string' },
    status: { type: 'string' },
    page: { type: 'string' },
  },
  async run({ opts, positionals }, io) {
    const [action, ...args] = positionals;
    const names = Object.keys(OFFER_ACTIONS).join(', ');
    if (action === undefined) throw opts.usage(`an action is needed: ${names}`);
    const a = OFFER_ACTIONS[action];
    if (!a || !Object.hasOwn(OFFER_ACTIONS, action)) throw opts.usage(`unknown action '${action}' (${names})`);
    return a.run(opts, args, io);
  },
});
