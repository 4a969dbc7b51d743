/** cli/io.ts - the CLI's view of the process (streams, env, TTY) and JSON input/output; commands never touch `process` directly. Imports nothing outside cli. */
import fs from 'node:fs/promises';
import { CliError, UsageError } from './errors.ts';

/** Largest input file or stdin accepted (a node refuses bodies over 1 MiB by default anyway). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Where a command reads and writes. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream;
  /** Write to stdout (results only: JSON). */
  out: (text: string) => void;
  /** Write to stderr (errors, notes, progress). */
  err: (text: string) => void;
  /** Is stderr a terminal (progress is shown by default only then)? */
  stderrIsTTY: boolean;
  /** Set once stdin was consumed: `-` may be given only once per command. */
  stdinUsed: boolean;
  /** Run `handler` on SIGINT (Ctrl-C) instead of dying; returns the function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
  /** Leave at once with `code` (a second Ctrl-C, when waiting for a clean stop is not wanted). */
  exit: (code: number) => void;
}

/** The real process streams. */
export function processIo(): CliIo {
  // `mega oracle | head -c 100` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return {
    env: process.env,
    stdin: process.stdin,
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinUsed: false,
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
    exit: (code) => process.exit(code),
  };
}

/** Print a JSON value on stdout, two-space indented, newline-terminated. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}

/** Print a one-line note on stderr, prefixed `mega: `. */
export function note(io: CliIo, message: string): void {
  io.err(`mega: ${message}\n`);
}

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdinUsed) throw new UsageError('stdin ("-") can be read only once per command');
  io.stdinUsed = true;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_INPUT_BYTES) throw new CliError(`stdin is larger than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Text of a file, or of stdin when `path` is `-`. `label` names it in errors ("fact file"). */
export async function readText(io: CliIo, path: string, label: string): Promise<string> {
  if (path === '-') return readStdin(io);
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw new CliError(`${label} ${path} is a directory`);
    if (stat.size > MAX_INPUT_BYTES) throw new CliError(`${label} ${path} is larger than ${MAX_INPUT_BYTES} bytes`);
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new CliError(`cannot read ${label} ${path}: ${why}`);
  }
}

/** Parse JSON text, naming the source in the error. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
}

/** JSON of a file, or of stdin when `path` is `-`. */
export async function readJson(io: CliIo, path: string, label: string): Promise<unknown> {
  const text = await readText(io, path, label);
  return parseJson(text, path === '-' ? `${label} on stdin` : `${label} ${path}`);
}
