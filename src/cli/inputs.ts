/** cli/inputs.ts - message inputs: load and check files given to a command (facts, capabilities, reports), --type and the <file|-> argument. Imports cli. */
import type { Opts, OptionSpec } from './args.ts';
import { checkMessage, isMessageType, MESSAGE_TYPES, type MessageType } from './check.ts';
import { CliError } from './errors.ts';
import { readJson, type CliIo } from './io.ts';

/**
 * Read a message of `type` from `path` ('-' = stdin) and verify it fully (schema, PoW, signatures).
 * `flag` names the option it came from, for the error message.
 */
export async function loadVerified<T>(io: CliIo, path: string, type: MessageType, flag: string): Promise<T> {
  const value = await readJson(io, path, `${type} file`);
  const r = checkMessage(value, type);
  if (!r.valid) {
    const where = path === '-' ? 'stdin' : path;
    throw new CliError(`--${flag} ${where} is not a valid ${type} (${r.reason}): ${r.message}`);
  }
  return value as T;
}

/** {@link loadVerified} for every path of a repeatable flag. */
export async function loadAllVerified<T>(io: CliIo, paths: string[], type: MessageType, flag: string): Promise<T[]> {
  const out: T[] = [];
  for (const p of paths) out.push(await loadVerified<T>(io, p, type, flag));
  return out;
}

/** `--type`, for commands that take any message. */
export const TYPE_OPTIONS = { type: { type: 'string' } } satisfies OptionSpec;

/** The type named by `--type`, or undefined to detect it from the message. */
export function typeFlag(opts: Opts): MessageType | undefined {
  const t = opts.str('type');
  if (t === undefined) return undefined;
  if (!isMessageType(t)) throw opts.usage(`--type must be one of ${MESSAGE_TYPES.join(', ')}, got '${t}'`);
  return t;
}

/** The single positional `<file|->` of id/verify/post. */
export function inputPath(opts: Opts, positionals: string[]): string {
  const p = positionals[0];
  if (p === undefined) throw opts.usage("give the message file, or '-' to read stdin");
  return p;
}
