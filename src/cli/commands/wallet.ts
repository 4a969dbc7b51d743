/** cli/commands/wallet.ts - `mega wallet address|balance`: a running mega-trader's wallet through its admin API. Imports cli. */
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { printJson } from '../io.ts';
import { TRADER_HELP_ROWS, TRADER_OPTIONS, traderAdmin, traderCall } from './trader-client.ts';

const HELP = `usage: mega wallet address (--data-dir <dir> | --config <trader-cfg.json>) [--trader <url>]
       mega wallet balance (--data-dir <dir> | --config <trader-cfg.json>) [--trader <url>]

The wallet of a running trader daemon (mega-trader), through its admin API on loopback.

address  a fresh receive address (P2WPKH, BIP84 m/84'/c'/0'/0/i) and its scriptPubKey: pay coins to
         it to fund contracts
balance  satoshis: available (confirmed, not reserved), reserved (for contracts being set up),
         pending (unconfirmed incoming); the wallet is synced with the chain first

options:
${formatOptions([...TRADER_HELP_ROWS, HELP_ROW])}

example:
  mega wallet address --data-dir ./trader-data
`;

/** `mega wallet`. */
export const walletCommand = defineCommand({
  name: 'wallet',
  help: HELP,
  maxPositionals: 1,
  options: { ...TRADER_OPTIONS },
  async run({ opts, positionals }, io) {
    const sub = positionals[0];
    if (sub !== 'address' && sub !== 'balance') throw opts.usage('say address or balance');
    printJson(io, await traderCall(traderAdmin(opts), 'GET', `/wallet/${sub}`));
  },
});
