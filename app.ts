/** app.ts - daemon entry: parse the command line (config path, --key=value overrides, --check-config, --version, --help), build the node, stop it cleanly on SIGINT/SIGTERM or when its npx/npm launcher stops, reload on SIGHUP. */
import { ConfigError, loadConfigWithOverrides } from './src/config/load.ts';
import type { MegaConfig } from './src/config/schema.ts';
import { daemonHelp, parseDaemonArgs } from './src/daemon/args.ts';
import { launcherAncestors, watchLaunchers } from './src/daemon/launcher.ts';
import { createLogger } from './src/log.ts';
import { MegaNode, VERSION } from './src/node.ts';

const args = parseDaemonArgs(process.argv.slice(2));
switch (args.action) {
  case 'help':
    process.stdout.write(daemonHelp('node --import tsx app.ts'));
    process.exit(0);
    break;
  case 'version':
    process.stdout.write(`mega ${VERSION}\n`);
    process.exit(0);
    break;
  case 'usage-error':
    process.stderr.write(`app.ts: ${args.message}\n`);
    process.exit(64); // EX_USAGE
}
const { configPath, flags } = args;

const load = (): MegaConfig => loadConfigWithOverrides(configPath, { flags, env: process.env });
let config: MegaConfig;
try {
  config = load();
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
  process.exit(78); // EX_CONFIG
}
if (args.action === 'check-config') {
  process.stdout.write(`${JSON.stringify({ config: configPath, valid: true, effective: config }, null, 2)}\n`);
  process.exit(0);
}

const log = createLogger({ level: config.logLevel });
const node = new MegaNode(config, { log });
let stopping = false;

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, 'shutting down');
  const force = setTimeout(() => {
    log.error('shutdown took longer than 5 s; exiting');
    process.exit(1);
  }, 5000);
  force.unref();
  try {
    await node.stop();
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}

/** SIGHUP: re-read file, environment and flags; apply what can change while running; name what needs a restart. */
function reload(): void {
  let next: MegaConfig;
  try {
    next = load();
  } catch (e) {
    log.error({ err: e instanceof ConfigError ? e.problems : String(e) }, 'SIGHUP: the config is invalid; nothing reloaded');
    return;
  }
  const reloaded: string[] = [];
  const needsRestart: string[] = [];
  for (const key of Object.keys(next) as (keyof MegaConfig)[]) {
    if (JSON.stringify(next[key]) === JSON.stringify(config[key])) continue;
    if (key === 'logLevel') {
      log.level = next.logLevel;
      reloaded.push(key);
    } else needsRestart.push(key);
  }
  config = { ...config, logLevel: next.logLevel };
  log.info({ reloaded, needsRestart }, 'SIGHUP: config re-read');
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', reload);
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception (a bug): exiting');
  process.exit(70);
});
process.on('unhandledRejection', (err) => {
  log.fatal({ err }, 'unhandled rejection (a bug): exiting');
  process.exit(70);
});

// Started through npx or npm, a SIGTERM may reach only the launcher (npm's `sh -c` dies without
// passing it on): watch the launchers and stop with them.
const launchers = launcherAncestors();
if (launchers.length > 0) {
  log.debug({ launchers }, 'watching the launcher processes');
  watchLaunchers(launchers, (pid) => void shutdown(`launcher process ${pid} exited`));
}

try {
  await node.start();
} catch (err) {
  log.fatal({ err }, 'failed to start');
  await node.stop().catch(() => undefined);
  process.exit(1);
}
