/** app.ts - daemon entry: parse the command line (config path, --key=value overrides, --check-config, --healthcheck, --version, --help), build the node, stop it cleanly on SIGINT/SIGTERM or when its npx/npm launcher stops, reload on SIGHUP. */
import { ConfigError, loadConfigWithOverrides } from './src/config/load.ts';
import type { MegaConfig } from './src/config/schema.ts';
import { daemonHelp, parseDaemonArgs } from './src/daemon/args.ts';
import { DataDirError, dataDirOf, ensureDataDir } from './src/daemon/data-dir.ts';
import { HEAP_FLAGS, missingHeapFlags } from './src/daemon/heap-flags.ts';
import { launcherAncestors, watchLaunchers } from './src/daemon/launcher.ts';
import { createLogger } from './src/log.ts';
import { MegaNode, VERSION } from './src/node.ts';

const args = parseDaemonArgs(process.argv.slice(2));
switch (args.action) {
  case 'help':
    process.stdout.write(daemonHelp(`node ${HEAP_FLAGS.join(' ')} ${import.meta.url.endsWith('.js') ? 'dist/app.js' : '--import tsx app.ts'}`));
    process.exit(0);
    break;
  case 'version':
    process.stdout.write(`mega ${VERSION}\n`);
    process.exit(0);
    break;
  case 'usage-error':
    process.stderr.write(`mega: ${args.message}\n`);
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
if (args.action === 'healthcheck') {
  // The node listens on listenAddress; from this machine a wildcard is reached on loopback.
  const host = config.listenAddress === '0.0.0.0' ? '127.0.0.1' : config.listenAddress === '::' ? '[::1]' : config.listenAddress.includes(':') ? `[${config.listenAddress}]` : config.listenAddress;
  const url = `http://${host}:${config.httpPort}/health`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    process.stdout.write(`${url}: ${res.status}\n`);
    process.exit(res.status === 200 ? 0 : 1);
  } catch (e) {
    process.stderr.write(`${url}: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
if (args.action === 'check-config') {
  process.stdout.write(`${JSON.stringify({ config: configPath, valid: true, effective: config }, null, 2)}\n`);
  process.exit(0);
}

// A data folder that cannot hold data is a config mistake: say so at once (exit 78), before any logging starts.
const dataDir = dataDirOf(config);
if (dataDir !== null) {
  try {
    ensureDataDir(dataDir);
  } catch (e) {
    process.stderr.write(`invalid config ${configPath}:\n  ${e instanceof DataDirError ? e.message : String(e)}\n`);
    process.exit(78);
  }
}

const log = createLogger({ level: config.logLevel });
// Launched without the heap flags every launch path in this repository carries: it works, at a cost in CPU (docs/operations.md).
const missingFlags = missingHeapFlags(process.execArgv, process.env.NODE_OPTIONS);
if (missingFlags.length > 0) log.warn({ missing: missingFlags }, `started without the V8 heap flags a node is launched with: sync and ingest cost ~20 % more CPU; run node ${HEAP_FLAGS.join(' ')} … (npm start does)`);
const node = new MegaNode(config, { log, loadConfig: load });
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

/** SIGHUP: re-read file, environment and flags; apply what can change while running; name what needs a restart (src/node-admin.ts). */
function reload(): void {
  try {
    node.reload('SIGHUP');
  } catch (err) {
    log.error({ err }, 'SIGHUP: reload failed');
  }
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
