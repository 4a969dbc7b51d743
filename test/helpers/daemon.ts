// test/helpers/daemon.ts - spawn `app.ts` with a config file as a real daemon (logs captured, port read from its "HTTP API listening" line), stop it with SIGTERM, and POST JSON to it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { HEAP_FLAGS } from '../../src/daemon/heap-flags.ts';
import { REPO_ROOT } from '../unit/cli/run-cli.ts';
import { waitFor } from './wait.ts';

/** A running daemon. */
export interface Daemon {
  proc: ChildProcess;
  /** `http://127.0.0.1:<httpPort>` */
  base: string;
  /** Everything it wrote to stdout and stderr so far. */
  log: () => string;
  /** How it exited, or undefined while it runs. */
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/**
 * Start `app.ts cfgPath` and wait until its HTTP API listens. `env` entries are added to a copy of
 * this process's environment without MEGA_*, NODE_OPTIONS and NODE_EXTRA_CA_CERTS.
 */
export async function startDaemon(cfgPath: string, env: Record<string, string> = {}): Promise<Daemon> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MEGA_') && k !== 'NODE_OPTIONS' && k !== 'NODE_EXTRA_CA_CERTS') childEnv[k] = v;
  Object.assign(childEnv, env);
  const proc = spawn(process.execPath, [...HEAP_FLAGS, '--import', 'tsx', 'app.ts', cfgPath], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  proc.on('exit', (code, signal) => (exit = { code, signal }));
  await waitFor(() => exit !== undefined || /"msg":"HTTP API listening"/.test(log), { message: 'the daemon to listen', timeoutMs: 30_000 });
  assert.equal(exit, undefined, `daemon exited early: ${log}`);
  const line = log.split('\n').find((l) => l.includes('"msg":"HTTP API listening"')) as string;
  return { proc, base: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, log: () => log, exit: () => exit };
}

/** SIGTERM, then expect a clean exit (code 0) within `deadlineMs`. A daemon that already exited is left alone. */
export async function stopDaemon(d: Daemon | undefined, deadlineMs: number): Promise<void> {
  if (!d || d.exit() !== undefined) return;
  d.proc.kill('SIGTERM');
  await waitFor(() => d.exit() !== undefined, { message: 'the daemon to exit after SIGTERM', timeoutMs: deadlineMs });
  assert.deepEqual(d.exit(), { code: 0, signal: null });
}

/** POST a JSON body to `<base>/<kind>`; the status code (the body is drained). */
export async function postJson(base: string, kind: string, body: unknown): Promise<number> {
  const res = await fetch(`${base}/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}
