/** cli/main.ts - `mega` entry: dispatch to a subcommand, global help and version, map errors to one stderr line and an exit code. Imports cli only. */
import fs from 'node:fs';
import type { Command } from './command.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { processIo, type CliIo } from './io.ts';
import { KEY_ENV } from './keys.ts';

/** A subcommand as the dispatcher knows it: loaded only when run, so `mega --help` stays fast. */
export interface CommandEntry {
  name: string;
  /** One line for the global help. */
  summary: string;
  load: () => Promise<Command>;
}

/** Every subcommand, in the order the help lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'keygen', summary: 'generate a key pair (oracle identity or capability key)', load: async () => (await import('./commands/keygen.ts')).keygenCommand },
  { name: 'oracle', summary: 'build, sign and mine an oracle identity ad', load: async () => (await import('./commands/oracle.ts')).oracleCommand },
  { name: 'capability', summary: 'build, sign and mine a capability ad (a question the oracle answers)', load: async () => (await import('./commands/capability.ts')).capabilityCommand },
  { name: 'fact', summary: 'sign an answer (a fact) with a capability key', load: async () => (await import('./commands/fact.ts')).factCommand },
  { name: 'report', summary: 'build and mine a report: fact-conflict, fact-missing, fact-disagrees-with-public', load: async () => (await import('./commands/report.ts')).reportCommand },
  { name: 'dispute', summary: 'answer a fact-missing report with the signed fact', load: async () => (await import('./commands/dispute.ts')).disputeCommand },
  { name: 'id', summary: 'print the id of a message (e.g. a report id for a dispute)', load: async () => (await import('./commands/id.ts')).idCommand },
  { name: 'verify', summary: 'verify a message or fact offline (schema, PoW, signatures); exit 0 valid, 1 invalid', load: async () => (await import('./commands/verify.ts')).verifyCommand },
  { name: 'dlc', summary: 'a DLC oracle by hand: keygen, announce (nonces stored first), attest (logged, never twice), verify', load: async () => (await import('./commands/dlc.ts')).dlcCommand },
  { name: 'offer', summary: 'offers: list (on a node, with each oracle\'s standing); create, take, cancel (through your mega-trader)', load: async () => (await import('./commands/offer.ts')).offerCommand },
  { name: 'request', summary: 'ask an oracle for a fact through a node (the oracle sees the node, not you); verified here', load: async () => (await import('./commands/request.ts')).requestCommand },
  { name: 'watch', summary: 'follow a node\'s live events for an oracle, an announcement or a question word; resumes after drops', load: async () => (await import('./commands/watch.ts')).watchCommand },
  { name: 'post', summary: 'submit messages to a node (POST /oracle, /capability, /report, /dispute…; several files: one POST /entities)', load: async () => (await import('./commands/post.ts')).postCommand },
  { name: 'wallet', summary: 'a running trader daemon\'s wallet (mega-trader admin API): address, balance', load: async () => (await import('./commands/wallet.ts')).walletCommand },
  { name: 'contract', summary: 'a running trader daemon\'s contracts: list, show, refund', load: async () => (await import('./commands/contract.ts')).contractCommand },
  { name: 'node', summary: 'operate a running node (admin API): status, peers, bans, ban, unban, connect, disconnect, reload, compact', load: async () => (await import('./commands/node.ts')).nodeCommand },
];

const DEBUG_ENV = 'MEGA_DEBUG';

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `usage: mega <command> [options]     (mega <command> --help for its options)

Build, sign, mine, check and post Mega messages: oracle ads, capabilities, facts, reports and
disputes. Results are JSON on stdout, so they pipe into 'mega post -', curl or Swagger UI;
messages, notes and mining progress go to stderr.

commands:
${list}

keys: a signing command takes its private key from --key-file <file> or --key <hex> (also
      spelled by role: --oracle-key-file/--oracle-key, --capability-key-file/--capability-key),
      else from $${KEY_ENV}.
files: wherever a file is expected, '-' reads stdin.
exit codes: 0 ok, 1 failed (invalid message, node refused it, unreadable input), 2 usage error,
            130 cancelled with Ctrl-C.

example:
  mega keygen --out oracle.key
  mega oracle --key-file oracle.key --tag weather | mega post - --node http://localhost:8080
`;
}

/** Run `mega` with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (name === undefined) {
      io.err(globalHelp());
      return EXIT.USAGE;
    }
    if (name === '--help' || name === '-h') {
      io.out(globalHelp());
      return EXIT.OK;
    }
    if (name === 'help') {
      const topic = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && topic === undefined) throw new UsageError(`unknown command '${rest[0]}'`);
      io.out(topic ? (await topic.load()).help : globalHelp());
      return EXIT.OK;
    }
    if (name === '--version' || name === '-V') {
      io.out(`${version()}\n`);
      return EXIT.OK;
    }
    if (command === undefined) {
      throw new UsageError(name.startsWith('-') ? `expected a command before '${name}'` : `unknown command '${name}'`);
    }
    return await (await command.load()).run(rest, io);
  } catch (e) {
    return reportError(e, io);
  }
}

/** One line on stderr for the error; a stack only for bugs and only with $MEGA_DEBUG set. */
function reportError(e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    const where = e.command === undefined ? 'mega' : `mega ${e.command}`;
    io.err(`${where}: ${e.message} (see '${where} --help')\n`);
    return EXIT.USAGE;
  }
  if (e instanceof CliError) {
    io.err(`mega: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.err(`mega: unexpected error: ${err.message}${io.env[DEBUG_ENV] ? `\n${err.stack ?? ''}` : ` (set ${DEBUG_ENV}=1 for details)`}\n`);
  return EXIT.FAILURE;
}
