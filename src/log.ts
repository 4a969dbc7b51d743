/** log.ts - the one pino logger: JSON lines, pretty when stdout is a TTY; modules take children (`log.child({mod})`). */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  /** Pretty, coloured lines (default: when stdout is a TTY). */
  pretty?: boolean;
  /** Extra fields on every line (tests use a per-node prefix). */
  base?: Record<string, unknown>;
}

/** Build the root logger. Pretty printing runs in-process (no worker transport) so lines are never lost at exit. */
export function createLogger(opts: LoggerOptions): Logger {
  const usePretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  const base = { pid: process.pid, ...opts.base };
  if (usePretty) {
    return pino({ level: opts.level, base }, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino({ level: opts.level, base });
}
