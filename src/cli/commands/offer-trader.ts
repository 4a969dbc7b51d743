/** cli/commands/offer-trader.ts - the trader daemon's actions of `mega offer`: create, take, cancel through a running mega-trader's admin API (the daemon signs, mines and posts; taking runs the dlcspecs exchange with the maker's daemon); registered into the `mega offer` group beside `list`. Imports cli. */
import type { HelpRow } from '../help.ts';
import { printJson, readJson, type CliIo } from '../io.ts';
import type { Opts } from '../args.ts';
import { TRADER_HELP_ROWS, TRADER_OPTIONS, traderAdmin, traderCall } from './trader-client.ts';

/** What `mega offer --help` says about the trader actions. */
export const TRADER_OFFER_NOTES = `create, take and cancel act through your running trader daemon (mega-trader), through its admin
API on loopback (--data-dir or --config names it). create: a bet on a stored DLC announcement; the
daemon signs the offer with its identity key, mines it at offers.difficulty and posts it to its
nodes (the offer's contact is the daemon's counterparty endpoint); each --payout splits the total
collateral for one enum outcome (maker + taker = both collaterals); a numeric event takes --payouts
with {"kind":"numeric","points":[{"outcome":..,"maker":..},..]}. take: the daemon checks the offer,
the announcement and the oracle's standing, runs the dlcspecs exchange with the maker's daemon and
broadcasts the funding transaction; prints the contract. cancel: re-posts your open offer as
cancelled. A <time> is unix seconds, an ISO 8601 time, or +<seconds> from now.`;

/** The trader actions' option rows of `mega offer --help`. */
export const TRADER_OFFER_HELP_ROWS: HelpRow[] = [
  ['--maker-collateral <sat>', 'create: what you lock'],
  ['--taker-collateral <sat>', 'create: what the taker locks'],
  ['--payout <o>=<m>:<t>', "create: one enum outcome's split, satoshis to maker and taker (repeat per outcome)"],
  ['--payouts <file.json>', 'create: the payouts object instead (enum or numeric)'],
  ['--fee-rate <sat/vB>', 'create: funding and CET fee rate'],
  ['--refund-locktime <time>', "create: when either side may take its collateral back (after the event's maturity)"],
  ['--expires <time>', 'create: nobody should take the offer after this (no later than the maturity)'],
  ['--cet-locktime <n>', 'create: nLockTime of the CETs (default 0)'],
  ...TRADER_HELP_ROWS,
];

/** Examples of the trader actions. */
export const TRADER_OFFER_EXAMPLES = `  mega offer create --data-dir ./maker --announcement 5f1c... --maker-collateral 50000 \\
    --taker-collateral 50000 --payout rain=100000:0 --payout sun=0:100000 --fee-rate 2 \\
    --refund-locktime +604800 --expires +3600
  mega offer take 9a0b... --data-dir ./taker`;

/** Parse a <time> flag: unix seconds, ISO 8601, or +seconds from now. */
export function timeFlag(opts: Opts, name: string, now = Date.now()): number {
  const v = opts.required(name, 'unix seconds, an ISO 8601 time or +<seconds>');
  if (/^\d{1,12}$/.test(v)) return Number(v);
  if (/^\+\d{1,10}$/.test(v)) return Math.floor(now / 1000) + Number(v.slice(1));
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw opts.usage(`--${name} must be unix seconds, an ISO 8601 time or +<seconds>, got '${v}'`);
  return Math.floor(t / 1000);
}

function satFlag(opts: Opts, name: string): number {
  if (!opts.has(name)) throw opts.usage(`--${name} is required (satoshis)`);
  return opts.int(name, 0, 0, 21e14);
}

/** The enum payouts of repeated --payout outcome=maker:taker flags. */
export function payoutFlags(opts: Opts): { kind: 'enum'; outcomes: { outcome: string; maker: number; taker: number }[] } {
  const outcomes = opts.list('payout').map((p) => {
    const m = /^(.+)=(\d{1,16}):(\d{1,16})$/s.exec(p);
    if (!m) throw opts.usage(`--payout takes <outcome>=<maker sat>:<taker sat>, got '${p}'`);
    return { outcome: m[1] as string, maker: Number(m[2]), taker: Number(m[3]) };
  });
  if (new Set(outcomes.map((o) => o.outcome)).size !== outcomes.length) throw opts.usage('--payout names an outcome twice');
  return { kind: 'enum', outcomes };
}

/** One action of `mega offer` (the group's OfferAction shape): its help line and body. */
export interface TraderOfferAction {
  usage: string;
  run(opts: Opts, args: string[], io: CliIo): Promise<number>;
}

/** The flags the trader actions add to `mega offer` (`--announcement` is the group's). */
export const TRADER_OFFER_OPTIONS = {
  ...TRADER_OPTIONS,
  'maker-collateral': { type: 'string' },
  'taker-collateral': { type: 'string' },
  payout: { type: 'string', multiple: true },
  payouts: { type: 'string' },
  'fee-rate': { type: 'string' },
  'refund-locktime': { type: 'string' },
  expires: { type: 'string' },
  'cet-locktime': { type: 'string' },
} as const;

async function create(opts: Opts, args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) throw opts.usage('create takes no positional argument');
  const announcementId = opts.hash('announcement');
  if (announcementId === undefined) throw opts.usage('--announcement is required (the announcement id)');
  const file = opts.str('payouts');
  if ((file === undefined) === (opts.list('payout').length === 0)) throw opts.usage('give --payout (per outcome) or --payouts <file.json>, one of them');
  const payouts = file !== undefined ? await readJson(io, file, 'payouts') : payoutFlags(opts);
  const body = {
    announcementId,
    makerCollateral: satFlag(opts, 'maker-collateral'),
    takerCollateral: satFlag(opts, 'taker-collateral'),
    payouts,
    feeRate: opts.int('fee-rate', 1, 1, 1_000_000),
    cetLocktime: opts.int('cet-locktime', 0, 0, 0xffffffff),
    refundLocktime: timeFlag(opts, 'refund-locktime'),
    expiresAt: timeFlag(opts, 'expires'),
  };
  printJson(io, await traderCall(traderAdmin(opts), 'POST', '/offers', body));
  return 0;
}

function byId(action: 'take' | 'cancel'): TraderOfferAction['run'] {
  return async (opts, args, io) => {
    const [id, extra] = args;
    if (extra !== undefined) throw opts.usage(`${action} takes one offer id`);
    if (id === undefined || !/^[0-9a-fA-F]{64}$/.test(id)) throw opts.usage(`${action} needs an offer id (64 hex)`);
    printJson(io, await traderCall(traderAdmin(opts), 'POST', `/offers/${id.toLowerCase()}/${action}`));
    return 0;
  };
}

/** The trader daemon's actions of `mega offer`. */
export const TRADER_OFFER_ACTIONS: Record<string, TraderOfferAction> = {
  create: { usage: 'create --announcement ID --maker-collateral SAT --taker-collateral SAT --payout O=M:T... --fee-rate R --refund-locktime T --expires T   make an offer with your mega-trader', run: create },
  take: { usage: 'take <offer id>   take an offer with your mega-trader (runs the DLC exchange, broadcasts the funding)', run: byId('take') },
  cancel: { usage: 'cancel <offer id>   withdraw your open offer', run: byId('cancel') },
};
