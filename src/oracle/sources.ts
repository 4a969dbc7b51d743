/** oracle/sources.ts - where an oracle's answers come from: http-json (URL + JSON pointer), command (stdout of a local program, no shell), file (JSON file + pointer) and manual; one entry point, resolveValue, shared by the oracle daemon's attestations and the fact server. Bounded in time and bytes. Imports only node built-ins. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** A JSON document served over HTTP(S), read at a JSON pointer. */
export interface HttpJsonSource {
  type: 'http-json';
  /** `{name}` placeholders are replaced by the (URL-encoded) request arguments. */
  url: string;
  /** RFC 6901 JSON pointer ("" = the whole document). */
  pointer: string;
  timeoutMs: number;
  /** Extra request headers (e.g. an API key). */
  headers?: Record<string, string>;
  /** How to round a numeric value to the event's precision (see oracle/values.ts). */
  round?: RoundMode;
}

/** A local program run without a shell; its stdout (trimmed) is the value, or JSON read at `pointer`. */
export interface CommandSource {
  type: 'command';
  /** argv: program first. `{name}` placeholders in the arguments are replaced by request arguments. */
  command: string[];
  timeoutMs: number;
  pointer?: string;
  round?: RoundMode;
}

/** A JSON file on disk read at a pointer (re-read on every use). */
export interface FileSource {
  type: 'file';
  path: string;
  pointer: string;
  round?: RoundMode;
}

/** The outcome is posted by an operator to the daemon's admin API (`mega oracle outcome`). */
export interface ManualSource {
  type: 'manual';
  round?: RoundMode;
}

/** One configured data source. */
export type SourceConfig = HttpJsonSource | CommandSource | FileSource | ManualSource;

/** The source types, for config validation. */
export const SOURCE_TYPES = ['http-json', 'command', 'file', 'manual'] as const;

/** How a numeric value is brought to the event's precision: `none` refuses a value that is not exact. */
export type RoundMode = 'none' | 'nearest' | 'floor' | 'ceil';
export const ROUND_MODES: readonly RoundMode[] = ['none', 'nearest', 'floor', 'ceil'];

/** A value a source produced: a JSON scalar. */
export type SourceValue = string | number | boolean;

/** Most bytes read from any source (HTTP body, command stdout, file). */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** Why a source produced no value; `code` is machine-readable and shows in the daemon's status. */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly code: 'timeout' | 'http-status' | 'fetch-failed' | 'too-large' | 'bad-json' | 'pointer-missing' | 'not-a-scalar' | 'command-failed' | 'file-unreadable' | 'manual' | 'bad-argument',
    message: string,
  ) {
    super(message);
  }
}

/** Arguments of a fact request (`{city: "Paris"}`), substituted into `{name}` placeholders. */
export type SourceArgs = Readonly<Record<string, string>>;

function fill(template: string, args: SourceArgs, encode: (s: string) => string): string {
  return template.replace(/\{([A-Za-z0-9_-]{1,64})\}/g, (whole, name: string) => {
    if (!Object.hasOwn(args, name)) return whole;
    const v = args[name] as string;
    if (typeof v !== 'string' || v.length > 1024) throw new SourceError('bad-argument', `argument ${name} must be a string of at most 1024 characters`);
    return encode(v);
  });
}

/** RFC 6901: the value at `pointer` in `doc`, or a SourceError `pointer-missing`. */
export function readPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) throw new SourceError('pointer-missing', `a JSON pointer starts with "/": ${pointer}`);
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^(0|[1-9]\d*)$/.test(token) && Number(token) < cur.length) cur = cur[Number(token)];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, token)) cur = (cur as Record<string, unknown>)[token];
    else throw new SourceError('pointer-missing', `nothing at ${pointer}`);
  }
  return cur;
}

function scalar(v: unknown, where: string): SourceValue {
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new SourceError('not-a-scalar', `${where} is ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}, not a string, number or boolean`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new SourceError('bad-json', `${where} is not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}

async function readHttp(src: HttpJsonSource, args: SourceArgs, signal?: AbortSignal): Promise<SourceValue> {
  const url = fill(src.url, args, encodeURIComponent);
  const timeout = AbortSignal.timeout(src.timeoutMs);
  const both = signal ? AbortSignal.any([timeout, signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...src.headers }, signal: both, redirect: 'error' });
  } catch (e) {
    if (timeout.aborted) throw new SourceError('timeout', `${url} did not answer within ${src.timeoutMs} ms`);
    throw new SourceError('fetch-failed', `${url}: ${(e as Error).message}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new SourceError('http-status', `${url} answered ${res.status}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > MAX_SOURCE_BYTES) {
        await res.body?.cancel().catch(() => undefined);
        throw new SourceError('too-large', `${url} sent more than ${MAX_SOURCE_BYTES} bytes`);
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (e) {
    if (e instanceof SourceError) throw e;
    if (timeout.aborted) throw new SourceError('timeout', `${url} did not finish within ${src.timeoutMs} ms`);
    throw new SourceError('fetch-failed', `${url}: ${(e as Error).message}`);
  }
  return scalar(readPointer(parseJson(Buffer.concat(chunks).toString('utf8'), url), src.pointer), `${url} at "${src.pointer}"`);
}

function readCommand(src: CommandSource, args: SourceArgs, signal?: AbortSignal): Promise<SourceValue> {
  const argv = src.command.map((a) => fill(a, args, (s) => s));
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let size = 0;
    let err = '';
    let failed: SourceError | null = null;
    const timer = setTimeout(() => {
      failed = new SourceError('timeout', `${argv[0]} did not finish within ${src.timeoutMs} ms`);
      child.kill('SIGKILL');
    }, src.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_SOURCE_BYTES && !failed) {
        failed = new SourceError('too-large', `${argv[0]} wrote more than ${MAX_SOURCE_BYTES} bytes`);
        child.kill('SIGKILL');
      } else out.push(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-500)));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(failed ?? new SourceError('command-failed', `${argv[0]}: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      if (failed) return reject(failed);
      if (code !== 0) return reject(new SourceError('command-failed', `${argv[0]} exited ${code ?? sig}${err ? `: ${err.trim()}` : ''}`));
      const text = Buffer.concat(out).toString('utf8').trim();
      try {
        resolve(src.pointer === undefined ? text : scalar(readPointer(parseJson(text, `${argv[0]} output`), src.pointer), `${argv[0]} output at "${src.pointer}"`));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

function readFile(src: FileSource): SourceValue {
  let text: string;
  try {
    const st = fs.statSync(src.path);
    if (st.size > MAX_SOURCE_BYTES) throw new SourceError('too-large', `${src.path} is larger than ${MAX_SOURCE_BYTES} bytes`);
    text = fs.readFileSync(src.path, 'utf8');
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError('file-unreadable', `${src.path}: ${(e as Error).message}`);
  }
  return scalar(readPointer(parseJson(text, src.path), src.pointer), `${src.path} at "${src.pointer}"`);
}

/**
 * Read the current value of a source. `args` fill `{name}` placeholders (fact requests); `signal`
 * cancels. Rejects with a {@link SourceError}; a `manual` source has no value to read (its outcome
 * is posted to the admin API) and rejects with code `manual`.
 */
export async function resolveValue(src: SourceConfig, args: SourceArgs = {}, signal?: AbortSignal): Promise<SourceValue> {
  switch (src.type) {
    case 'http-json':
      return readHttp(src, args, signal);
    case 'command':
      return readCommand(src, args, signal);
    case 'file':
      return readFile(src);
    case 'manual':
      throw new SourceError('manual', 'a manual source is answered by an operator (mega oracle outcome)');
  }
}
