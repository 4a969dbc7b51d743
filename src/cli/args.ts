/** cli/args.ts - command-line parsing on node:util parseArgs: typed option access, integer, key=value and public-key values, usage errors. Imports protocol/keys. */
import { parseArgs } from 'node:util';
import { isPublicKey } from '../protocol/keys.ts';
import { UsageError } from './errors.ts';

/** Option declarations in parseArgs form. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** `-h/--help`, accepted by every command. */
export const HELP_OPTIONS = { help: { type: 'boolean', short: 'h' } } satisfies OptionSpec;

/** What a command line parsed into. */
export interface Parsed {
  opts: Opts;
  positionals: string[];
  help: boolean;
}

// parseArgs messages carry long hints; keep the first sentence, which names the option.
function shorten(e: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ?? ''}`.trim();
    default:
      if (/argument missing/.test(e.message) && quoted !== undefined) return `${quoted.replace(/ <value>$/, '')} needs a value`;
      if (/ambiguous/.test(e.message) && quoted !== undefined) {
        return `${quoted} needs a value (write ${quoted}=-x for a value that starts with '-')`;
      }
      return (e.message.split('\n')[0] ?? e.message).replace(/\.$/, '');
  }
}

/**
 * Parse `argv` for `command`. With `-h`/`--help` anywhere, `help` is true and nothing else is
 * checked, so `mega oracle --bogus --help` still shows the help.
 */
export function parseCommand(command: string, argv: string[], options: OptionSpec, maxPositionals = 0): Parsed {
  const all = { ...HELP_OPTIONS, ...options };
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: all, strict: true, allowPositionals: maxPositionals > 0 }));
  } catch (e) {
    if (wantsHelp) return { opts: new Opts(command, {}), positionals: [], help: true };
    throw new UsageError(shorten(e as Error & { code?: string }), command);
  }
  if (values.help === true) return { opts: new Opts(command, values), positionals, help: true };
  if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument '${positionals[maxPositionals]}'`, command);
  return { opts: new Opts(command, values), positionals, help: false };
}

/** Typed, validated access to parsed option values; every mistake is a UsageError naming the flag. */
export class Opts {
  constructor(
    readonly command: string,
    private readonly values: Record<string, unknown>,
  ) {}

  /** Usage error for this command. */
  usage(message: string): UsageError {
    return new UsageError(message, this.command);
  }

  /** Was the flag given? */
  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  /** A boolean flag. */
  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** A string option, or undefined. */
  str(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  /** A string option that must be given. */
  required(name: string, what = 'a value'): string {
    const v = this.str(name);
    if (v === undefined) throw this.usage(`--${name} is required (${what})`);
    return v;
  }

  /** All values of a repeatable option, in order. */
  list(name: string): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  /** An integer option in [min, max], or `def` when absent. */
  int(name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.str(name);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw this.usage(`--${name} must be an integer in [${min}, ${max}], got '${v}'`);
    }
    return Number(v);
  }

  /** An optional integer option. */
  optInt(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.has(name) ? this.int(name, 0, min, max) : undefined;
  }

  /** A compressed secp256k1 public key (hex, case-insensitive, stored lowercase). */
  pubkey(name: string): string | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const hex = v.toLowerCase();
    if (!isPublicKey(hex)) throw this.usage(`--${name} must be a compressed secp256k1 public key (66 hex chars starting 02 or 03), got '${v}'`);
    return hex;
  }

  /** A 64-hex-char hash such as a report id (stored lowercase). */
  hash(name: string): string | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (!/^[0-9a-fA-F]{64}$/.test(v)) throw this.usage(`--${name} must be 64 hex chars, got '${v}'`);
    return v.toLowerCase();
  }

  /** Repeated `name=value` options as an object (value may contain '='; names must be unique). */
  keyValues(name: string): Record<string, string> {
    const entries = new Map<string, string>();
    for (const item of this.list(name)) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw this.usage(`--${name} takes name=value, got '${item}'`);
      const key = item.slice(0, eq);
      if (entries.has(key)) throw this.usage(`--${name} ${key} is given twice`);
      entries.set(key, item.slice(eq + 1));
    }
    // fromEntries defines own properties, so a name like "__proto__" reaches the schema check instead of vanishing.
    return Object.fromEntries(entries);
  }
}
