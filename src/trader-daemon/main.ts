/** trader-daemon/main.ts - the `mega-trader` process: command line (config path, --check-config, --version, --help), config load (exit 78 when invalid), start, and the shared clean stop (daemon/lifecycle.ts). Imports trader-daemon, daemon and log. */
import fs from 'node:fs';
import { runDaemon } from '../daemon/lifecycle.ts';
import { createLogger } from '../log.ts';
import { loadTraderConfig, printableConfig, TraderConfigError, type TraderDaemonConfig } from './config.ts';
import { TraderDaemon } from './daemon.ts';
import { TRADER_PARTS } from './parts.ts';

const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `usage: mega-trader <trader-cfg.json> [--check-config]
       mega-trader --version | --help

Run one trader: a wallet (BIP84 keys, P2WPKH coins) on a bitcoind JSON-RPC backend, offers made on
the configured Mega nodes, offers of others taken through the dlcspecs exchange with their daemons
(POST <contact>/dlc/v0), contracts funded, settled by the oracle's attestation or refunded after
their locktime; contract state written before every message leaves. The admin API listens on
loopback (token in <dataDir>/.cookie; 'mega wallet|offer|contract').

Every config key: docs/configuration.md, section "mega-trader"; a commented example:
trader-cfg.example.json. How to trade: docs/traders.md.

  --check-config   validate the config, print it (the RPC password masked), exit 0 (78 if invalid)
signals: SIGTERM/SIGINT stop cleanly (exit 0).
`;

/** Run the daemon with these arguments; resolves once it is started. */
export async function main(argv: readonly string[]): Promise<void> {
  let configPath: string | null = null;
  let check = false;
  for (const a of argv) {
    if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--version' || a === '-v') {
      process.stdout.write(`mega-trader ${VERSION}\n`);
      process.exit(0);
    } else if (a === '--check-config') check = true;
    else if (a.startsWith('-') || configPath !== null) {
      process.stderr.write(`mega-trader: unexpected argument ${a}\n${HELP}`);
      process.exit(64); // EX_USAGE
    } else configPath = a;
  }
  if (configPath === null) {
    process.stderr.write(`mega-trader: give the config file\n${HELP}`);
    process.exit(64);
  }
  let cfg: TraderDaemonConfig;
  try {
    cfg = loadTraderConfig(configPath);
  } catch (e) {
    process.stderr.write(`${e instanceof TraderConfigError ? e.message : String(e)}\n`);
    process.exit(78); // EX_CONFIG
  }
  if (check) {
    process.stdout.write(`${JSON.stringify({ config: configPath, valid: true, effective: printableConfig(cfg) }, null, 2)}\n`);
    process.exit(0);
  }
  const log = createLogger({ level: cfg.logLevel, base: { app: 'mega-trader' } });
  await runDaemon(new TraderDaemon(cfg, log, TRADER_PARTS), log);
}
