/** daemon/args.ts - the node daemon's command line: `[config.json] [--key=value …] [--check-config] [--healthcheck] [--version] [--help]`. Imports config only. */
import { CONFIG_SCHEMA } from '../config/schema.ts';
import { envNameOf } from '../config/load.ts';

/** What the command line asks for. */
export type DaemonArgs =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'run' | 'check-config' | 'healthcheck'; configPath: string; flags: Record<string, string> }
  | { action: 'usage-error'; message: string };

/** Parse argv (after the script name). */
export function parseDaemonArgs(argv: readonly string[], defaultConfig = 'mempool-cfg.json'): DaemonArgs {
  let configPath: string | null = null;
  let check = false;
  let health = false;
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') return { action: 'help' };
    if (a === '--version' || a === '-v') return { action: 'version' };
    if (a === '--check-config') {
      check = true;
      continue;
    }
    if (a === '--healthcheck') {
      health = true;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      let key: string;
      let value: string | undefined;
      if (eq > 2) {
        key = a.slice(2, eq);
        value = a.slice(eq + 1);
      } else {
        key = a.slice(2);
        value = argv[++i];
        if (value === undefined) return { action: 'usage-error', message: `--${key} needs a value (--${key}=<value>)` };
      }
      if (!Object.hasOwn(CONFIG_SCHEMA, key)) return { action: 'usage-error', message: `unknown option --${key} (config keys: docs/configuration.md; --help lists them)` };
      flags[key] = value;
      continue;
    }
    if (configPath !== null) return { action: 'usage-error', message: `one config file only (got ${configPath} and ${a})` };
    configPath = a;
  }
  return { action: health ? 'healthcheck' : check ? 'check-config' : 'run', configPath: configPath ?? defaultConfig, flags };
}

/** The full --help text: usage, actions, and every config key as a flag with its environment variable. */
export function daemonHelp(program: string): string {
  const rows = Object.entries(CONFIG_SCHEMA).map(([k, spec]) => {
    const s = spec as { type: string; default: unknown; unit?: string };
    const def = JSON.stringify(s.default);
    return `  --${k}=<${s.type}>`.padEnd(38) + ` ${envNameOf(k)}`.padEnd(40) + ` default ${def && def.length > 40 ? def.slice(0, 37) + '...' : def}${s.unit ? ` (${s.unit})` : ''}`;
  });
  return `usage: ${program} [config.json] [--<key>=<value> ...] [--check-config | --healthcheck]
       ${program} --version | --help

Run a Mega node with the JSON config (default mempool-cfg.json; every key: docs/configuration.md).
Any config key can be overridden by a flag or an environment variable; precedence:
flag > environment > file > default. Values are JSON when they parse as JSON, else text
(--network=regtest, --httpPort=8081, --shard='{"count":2,"index":0}').

actions:
  --check-config   validate the config (file, environment and flags), print it, exit 0 (78 if invalid)
  --healthcheck    ask the node this config describes for GET /health on its httpPort (from this
                   machine): exit 0 when it answers 200 within 5 s, else 1 (Docker HEALTHCHECK)
  --version        print the version
  --help           this text

signals: SIGTERM/SIGINT stop the node cleanly (exit 0); SIGHUP re-reads the config and applies
what can change while running (logLevel, PoW thresholds, connection and rate limits, ban time,
whitelist, seeds to dial, trustProxy, adminAllowFrom, the TLS certificate files), naming the keys
that need a restart. A node started through npx/npm also stops when that launcher is stopped.

config keys (flag, environment variable, default):
${rows.join('\n')}
`;
}
