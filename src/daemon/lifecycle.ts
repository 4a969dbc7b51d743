/** daemon/lifecycle.ts - the shutdown sequence the daemons share (mega-oracle, mega-trader): SIGINT/SIGTERM or a vanished npx/npm launcher stop the daemon once (forced exit after 5 s), an uncaught exception or unhandled rejection is a bug (exit 70), a failed start exits 1 after undoing it. Imports daemon (launcher watch). */
import type { Logger } from 'pino';
import { launcherAncestors, watchLaunchers } from './launcher.ts';

/** What the sequence needs of a daemon. */
export interface Stoppable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Longest clean stop before the process exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 5000;

/** Install the signal, error and launcher handlers, then start `daemon`; resolves once it is started. */
export async function runDaemon(daemon: Stoppable, log: Logger): Promise<void> {
  let stopping = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    try {
      await daemon.stop();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
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
  const launchers = launcherAncestors();
  if (launchers.length > 0) watchLaunchers(launchers, (pid) => void shutdown(`launcher process ${pid} exited`));
  try {
    await daemon.start();
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'failed to start');
    await daemon.stop().catch(() => undefined);
    process.exit(1);
  }
}
