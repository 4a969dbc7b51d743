/** oracle-daemon/main.ts - the `mega-oracle` process: command line (config path, --check-config, --version, --help), config load (exit 78 when invalid), start, and a clean stop on SIGTERM/SIGINT or when its npx/npm launcher goes away. Imports oracle-daemon, daemon (the shared shutdown sequence) and log. */
import fs from 'node:fs';
import { runDaemon } from '../daemon/lifecycle.ts';
import { createLogger } from '../log.ts';
import { loadOracleConfig, OracleConfigError, type OracleDaemonConfig } from './config.ts';
import { OracleDaemon } from './daemon.ts';

const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `usage: mega-oracle <oracle-cfg.json> [--check-config]
       mega-oracle --version | --help

Run one oracle: keep its identity ad and capabilities published on the configured Mega nodes,
announce its DLC events before maturity (nonces stored with fsync first), attest them at maturity
from each capability's data source (logged with fsync before publishing), and serve the admin API
on loopback (token in <dataDir>/.cookie; 'mega oracle status|outcome|pause|resume').

Every config key: docs/configuration.md, section "mega-oracle"; a commented example:
oracle-cfg.example.json. How to run an oracle: docs/oracle.md.

  --check-config   validate the config, print it, exit 0 (78 if invalid)
signals: SIGTERM/SIGINT stop cleanly (exit 0).
`;

/** Run the daemon with these arguments; resolves once it is started (the process then lives on its timers and sockets). */
export async function main(argv: readonly string[]): Promise<void> {
  let configPath: string | null = null;
  let check = false;
  for (const a of argv) {
    if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--version' || a === '-v') {
      process.stdout.write(`mega-oracle ${VERSION}\n`);
      process.exit(0);
    } else if (a === '--check-config') check = true;
    else if (a.startsWith('-') || configPath !== null) {
      process.stderr.write(`mega-oracle: unexpected argument ${a}\n${HELP}`);
      process.exit(64); // EX_USAGE
    } else configPath = a;
  }
  if (configPath === null) {
    process.stderr.write(`mega-oracle: give the config file\n${HELP}`);
    process.exit(64);
  }
  let cfg: OracleDaemonConfig;
  try {
    cfg = loadOracleConfig(configPath);
  } catch (e) {
    process.stderr.write(`${e instanceof OracleConfigError ? e.message : String(e)}\n`);
    process.exit(78); // EX_CONFIG
  }
  if (check) {
    process.stdout.write(`${JSON.stringify({ config: configPath, valid: true, effective: cfg }, null, 2)}\n`);
    process.exit(0);
  }
  const log = createLogger({ level: cfg.logLevel, base: { app: 'mega-oracle' } });
  await runDaemon(new OracleDaemon(cfg, log), log);
}
