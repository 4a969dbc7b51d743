/** test/unit/cli/run-cli.ts - run the `mega` CLI as a child process (bin/mega.mjs under this Node) or in-process via main(), and wait for conditions with deadlines. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../../src/cli/io.ts';

/** The launcher under test. */
export const MEGA_BIN = fileURLToPath(new URL('../../../bin/mega.mjs', import.meta.url));
/** The checkout root (cwd of spawned processes unless a test says otherwise). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Outcome of one CLI run. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli} and {@link spawnCli}. */
export interface CliRunOptions {
  /** Written to stdin, which is then closed (stdin is closed at once when absent). */
  input?: string;
  /** Extra environment; MEGA_* variables of the outer environment are never inherited. */
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the child and fail after this long (default 30 s). */
  timeoutMs?: number;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MEGA_') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

/** Start `mega args...` and return the child (stdout/stderr piped). */
export function spawnCli(args: string[], opts: CliRunOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [MEGA_BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.end(opts.input ?? '');
  return child;
}

/** Collect a child's output until it exits. */
export function collect(child: ChildProcess, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mega did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Run `mega args...` to completion. */
export function runCli(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  return collect(spawnCli(args, opts), opts.timeoutMs);
}

/** Run `mega args...`, require exit 0 and return its stdout parsed as JSON. */
export async function runJson<T = unknown>(args: string[], opts: CliRunOptions = {}): Promise<T> {
  const r = await runCli(args, opts);
  if (r.code !== 0) throw new Error(`mega ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A fresh temporary directory; remove it with {@link removeDir}. */
export function tempDir(prefix = 'mega-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Remove a temporary directory tree. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Write `value` as JSON to `dir/name` and return the path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, JSON.stringify(value, null, 2));
  return p;
}

/**
 * Run the CLI's `main()` in this process with captured streams: the same code path as bin/mega.mjs
 * minus process start-up (~0.5 s of CPU per spawn), for the large tables of usage and verify cases.
 */
export async function runMain(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const { main } = await import('../../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env: { ...opts.env },
    stdin: Readable.from([Buffer.from(opts.input ?? '')]),
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    stderrIsTTY: false,
    stdinUsed: false,
    onInterrupt: () => () => undefined,
    exit: (c) => {
      throw new Error(`mega asked to exit ${c} in-process`);
    },
  };
  const code = await main(args, io);
  return { code, signal: null, stdout, stderr };
}
