// test/unit/identity/_log.ts - a logger that records its lines, for the identity tests that assert what is logged.
import type { Logger } from '../../../src/log.ts';

/** One recorded line. */
export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

/** A logger that records info/warn/error/debug lines (only the `(obj, msg)` form the identity code uses). */
export function recordingLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { log: { warn: at('warn'), info: at('info'), error: at('error'), debug: at('debug') } as unknown as Logger, lines };
}
