/** app.ts - daemon entry: read the config path from argv (default mempool-cfg.json), build the node, stop it cleanly on SIGINT/SIGTERM. */
import { ConfigError, loadConfig } from './src/config/load.ts';
import { createLogger } from './src/log.ts';
import { MegaNode } from './src/node.ts';

const path = process.argv[2] ?? 'mempool-cfg.json';
if (path === '--help' || path === '-h') {
  process.stdout.write('usage: npx tsx app.ts [config.json]   (default mempool-cfg.json; keys: docs/configuration.md)\n');
  process.exit(0);
}

let config;
try {
  config = loadConfig(path);
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
  process.exit(78); // EX_CONFIG
}

const log = createLogger({ level: config.logLevel });
const node = new MegaNode(config, { log });
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
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

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception (a bug): exiting');
  process.exit(70);
});
process.on('unhandledRejection', (err) => {
  log.fatal({ err }, 'unhandled rejection (a bug): exiting');
  process.exit(70);
});

try {
  await node.start();
} catch (err) {
  log.fatal({ err }, 'failed to start');
  await node.stop().catch(() => undefined);
  process.exit(1);
}
