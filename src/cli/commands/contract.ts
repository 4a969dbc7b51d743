/** cli/commands/contract.ts - `mega contract list|show <id>|refund <id>`: a running mega-trader's contracts through its admin API. Imports cli. */
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { printJson } from '../io.ts';
import { TRADER_HELP_ROWS, TRADER_OPTIONS, traderAdmin, traderCall } from './trader-client.ts';

const HELP = `usage: mega contract list (--data-dir <dir> | --config <trader-cfg.json>)
       mega contract show <id> (--data-dir <dir> | --config <trader-cfg.json>)
       mega contract refund <id> (--data-dir <dir> | --config <trader-cfg.json>)

The contracts of a running trader daemon (mega-trader), through its admin API on loopback.

list     every contract: id, offer, role (maker/taker), phase (offered, taking, accepted, signed,
         funding, funded, closing, closed, aborted), collaterals, funding and closing txids, outcome
show     one contract
refund   broadcast the refund transaction now; refused (exit 1, 409 refund-not-final) before its
         locktime has passed by the chain's median time. The daemon also refunds on its own once
         the locktime passed without an attestation.

options:
${formatOptions([...TRADER_HELP_ROWS, HELP_ROW])}

example:
  mega contract show 5f1c... --data-dir ./trader-data
`;

/** `mega contract`. */
export const contractCommand = defineCommand({
  name: 'contract',
  help: HELP,
  maxPositionals: 2,
  options: { ...TRADER_OPTIONS },
  async run({ opts, positionals }, io) {
    const [sub, id] = positionals;
    if (sub === 'list') {
      if (id !== undefined) throw opts.usage('list takes no id');
      return printJson(io, await traderCall(traderAdmin(opts), 'GET', '/contracts'));
    }
    if (sub !== 'show' && sub !== 'refund') throw opts.usage('say list, show <id> or refund <id>');
    if (id === undefined || !/^[0-9A-Za-z_-]{1,128}$/.test(id)) throw opts.usage(`${sub} needs a contract id (mega contract list shows them)`);
    const admin = traderAdmin(opts);
    printJson(io, sub === 'show' ? await traderCall(admin, 'GET', `/contracts/${id}`) : await traderCall(admin, 'POST', `/contracts/${id}/refund`));
  },
});
