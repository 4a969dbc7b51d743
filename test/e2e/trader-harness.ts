// test/e2e/trader-harness.ts - shared by the mega-trader e2e tests: write a trader config pointing at the in-process regtest chain's JSON-RPC, spawn bin/mega-trader.mjs (logs captured) and wait for "mega-trader started", stop it (SIGTERM, exit 0) or SIGKILL it, and call its admin API through the real CLI (`mega wallet|offer|contract`) in process.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Regtest } from '../helpers/regtest.ts';
import { waitFor } from '../helpers/wait.ts';
import { REPO_ROOT, runMain } from '../unit/cli/run-cli.ts';

/** A running mega-trader. */
export interface TraderProc {
  name: string;
  cfgPath: string;
  dataDir: string;
  proc: ChildProcess;
  log: () => string;
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** Write `<dir>/<name>-cfg.json` for a trader on `nodes` and the regtest chain; its data dir is `<dir>/<name>`. */
export function writeTraderConfig(dir: string, name: string, nodes: string[], chain: Regtest, extra: Record<string, unknown> = {}): string {
  const cfgPath = path.join(dir, `${name}-cfg.json`);
  fs.writeFileSync(
    cfgPath,
    JSON.stringify({
      '//': `e2e trader ${name}`,
      dataDir: name,
      nodes,
      chain: { network: 'bitcoin-regtest', rpcUrl: chain.rpcUrl, rpcUser: 'x', rpcPassword: chain.rpcPassword, birthdayHeight: chain.height },
      listen: { host: '127.0.0.1', port: 0 },
      admin: { port: 0 },
      peers: { allowInsecure: true, timeoutMs: 30_000 },
      offers: { difficulty: 4 },
      tickSeconds: 1,
      attestationPollSeconds: 2,
      logLevel: 'info',
      ...extra,
    }),
  );
  return cfgPath;
}

/** Spawn `node bin/mega-trader.mjs cfg` and wait for "mega-trader started". */
export async function startTrader(name: string, cfgPath: string): Promise<TraderProc> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MEGA_') && k !== 'NODE_OPTIONS') env[k] = v;
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/mega-trader.mjs'), cfgPath], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  proc.on('exit', (code, signal) => (exit = { code, signal }));
  const t: TraderProc = { name, cfgPath, dataDir: path.join(path.dirname(cfgPath), name), proc, log: () => log, exit: () => exit };
  try {
    await waitFor(() => exit !== undefined || log.includes('"msg":"mega-trader started"'), { timeoutMs: 90_000, message: () => `mega-trader ${name} to start: ${log.slice(-3000)}` });
    assert.equal(exit, undefined, `mega-trader ${name} exited early: ${log.slice(-3000)}`);
  } catch (e) {
    proc.kill('SIGKILL'); // never leave a daemon behind that the test cannot stop
    throw e;
  }
  return t;
}

/** SIGTERM and expect exit 0 within 10 s. */
export async function stopTrader(t: TraderProc | undefined): Promise<void> {
  if (!t || t.exit() !== undefined) return;
  t.proc.kill('SIGTERM');
  await waitFor(() => t.exit() !== undefined, { timeoutMs: 10_000, message: `mega-trader ${t.name} to exit after SIGTERM` });
  assert.deepEqual(t.exit(), { code: 0, signal: null }, `mega-trader ${t.name} must stop cleanly: ${t.log().slice(-2000)}`);
}

/** Run `mega <args> --data-dir <trader's>` in process; the parsed JSON stdout, or a failure naming the stderr. */
export async function traderCli<T = Record<string, unknown>>(t: TraderProc, args: string[]): Promise<T> {
  const r = await runMain([...args, '--data-dir', t.dataDir]);
  assert.equal(r.code, 0, `mega ${args.join(' ')} (${t.name}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Run `mega <args> --data-dir <trader's>` in process and return the exit code and stderr (for refusals). */
export async function traderCliRaw(t: TraderProc, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runMain([...args, '--data-dir', t.dataDir]);
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A contract as `mega contract show` prints it. */
export interface ShownContract {
  id: string;
  role: 'maker' | 'taker';
  phase: string;
  fundingTxid: string | null;
  closingTxid: string | null;
  outcome: string | null;
  error: string | null;
}

/** Wait until the trader's contract `id` is in one of `phases`; returns it. */
export async function waitPhase(t: TraderProc, id: string, phases: string[], timeoutMs = 30_000): Promise<ShownContract> {
  let last: ShownContract | null = null;
  await waitFor(
    async () => {
      const r = await runMain(['contract', 'show', id, '--data-dir', t.dataDir]);
      if (r.code !== 0) return false;
      last = JSON.parse(r.stdout) as ShownContract;
      return phases.includes(last.phase);
    },
    { timeoutMs, intervalMs: 250, message: () => `${t.name}'s contract ${id.slice(0, 12)}… to reach ${phases.join('|')} (now ${JSON.stringify(last)}; log tail ${t.log().slice(-1500)})` },
  );
  return last as unknown as ShownContract;
}
