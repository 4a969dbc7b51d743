// test/e2e/daemon-launch.test.ts - owns how the node daemon is launched and stopped (issue #19): SIGTERM or SIGINT to `npx tsx app.ts` or to `npm start` stops the node through its shutdown path within 2 s (the launcher watch), SIGHUP re-reads the config and names what it applied and what needs a restart, and config overrides follow flag > environment > file > default (--check-config, --version, usage errors).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../unit/cli/run-cli.ts';
import { waitFor } from '../helpers/network.ts';

let dir: string;
let cfg: string;
const children: ChildProcess[] = [];

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-launch-'));
  cfg = path.join(dir, 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify({ httpPort: 0, p2pPort: 0, dataDir: path.join(dir, 'data'), p2pseed: [], network: 'regtest', logLevel: 'info' }));
});
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Spawn a launcher and collect its (merged) output; resolves the node's pid from its first log line. */
function launch(cmd: string, args: string[], env: Record<string, string> = {}, detached = false): { child: ChildProcess; out: () => string } {
  const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached });
  children.push(child);
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { child, out: () => out };
}

const nodePid = (out: string): number => Number(/"pid":(\d+)/.exec(out)?.[1] ?? 0);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `toGroup`: send the signal to the launcher's whole process group, as a terminal's Ctrl-C does
 * (the launcher then runs in its own group, like a shell job); otherwise to the launcher's pid only.
 */
async function stopsWithLauncher(cmd: string, args: string[], signal: NodeJS.Signals = 'SIGTERM', toGroup = false): Promise<void> {
  const { child, out } = launch(cmd, args, {}, toGroup);
  await waitFor(() => /HTTP API listening/.test(out()) && /P2P listening/.test(out()), { timeoutMs: 60_000, message: () => `the node to listen; output: ${out().slice(-500)}` });
  const pid = nodePid(out());
  assert.ok(pid > 0 && pid !== child.pid, 'the node runs in its own process below the launcher');
  // `npm start` carries the V8 heap flags (src/daemon/heap-flags.ts); a bare `npx tsx app.ts` does not, and is told so.
  const warned = /"msg":"started without the V8 heap flags/.test(out());
  assert.equal(warned, cmd !== 'npm', `${cmd} ${args.join(' ')}: the missing-heap-flags warning is expected ${cmd === 'npm' ? 'absent' : 'present'}; output: ${out().slice(0, 600)}`);
  // Started and idle: it answers /health. tsx's CLI relays a signal and SIGKILLs its child if the child has not
  // reported it over IPC within 2 x 30 ms (relaySignalToChild in tsx/dist/cli.mjs): a node still busy starting up
  // can lose that race, which is tsx's behaviour, not this node's shutdown path.
  const port = Number(/"port":(\d+),"msg":"HTTP API listening"/.exec(out())?.[1] ?? 0);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true, { timeoutMs: 30_000, message: () => `GET /health on port ${port} to answer` });
  const t0 = Date.now();
  if (toGroup) process.kill(-(child.pid as number), signal);
  else child.kill(signal);
  await waitFor(() => !alive(pid), { timeoutMs: 5_000, message: () => `node ${pid} to exit after ${signal} to the launcher; output: ${out().slice(-500)}` });
  const ms = Date.now() - t0;
  assert.ok(ms <= 2_000, `the node must stop within 2 s of the launcher's ${signal}, took ${ms} ms`);
  // Its last lines may still be in the pipe (through the launcher) when the process is gone: read them before judging.
  await waitFor(() => /"msg":"Mega node stopped"/.test(out()), { timeoutMs: 5_000, message: () => `the node's last log lines after ${signal}; output: ${out().slice(-500)}` }).catch(() => undefined);
  assert.match(out(), /"msg":"shutting down"/, 'the shutdown path ran');
  assert.match(out(), /"msg":"Mega node stopped"/, 'and completed (journal closed)');
}

describe('daemon launch and stop', () => {
  it('SIGTERM to `npx tsx app.ts cfg` stops the node within 2 s through its shutdown path', { timeout: 90_000 }, async () => {
    await stopsWithLauncher('npx', ['tsx', 'app.ts', cfg]);
  });

  it('SIGTERM to `npm start -- cfg` stops the node within 2 s through its shutdown path', { timeout: 90_000 }, async () => {
    await stopsWithLauncher('npm', ['start', '--', cfg]);
  });

  it('SIGINT to `npx tsx app.ts cfg` as Ctrl-C sends it (to the process group) stops the node within 2 s through its shutdown path', { timeout: 90_000 }, async () => {
    await stopsWithLauncher('npx', ['tsx', 'app.ts', cfg], 'SIGINT', true);
  });

  it('SIGINT to the `npx tsx app.ts cfg` process alone stops the node within 2 s (.npmrc script-shell: no shell holds the signal)', { timeout: 90_000 }, async () => {
    await stopsWithLauncher('npx', ['tsx', 'app.ts', cfg], 'SIGINT');
  });

  it('SIGINT to the `npm start -- cfg` process stops the node within 2 s through its shutdown path', { timeout: 90_000 }, async () => {
    await stopsWithLauncher('npm', ['start', '--', cfg], 'SIGINT');
  });

  it('SIGHUP re-reads the config: logLevel is applied, other changed keys are named as needing a restart', { timeout: 90_000 }, async () => {
    const hupCfg = path.join(dir, 'hup.json');
    fs.writeFileSync(hupCfg, JSON.stringify({ httpPort: 0, p2pPort: 0, dataDir: null, p2pseed: [], network: 'regtest', logLevel: 'info' }));
    const { child, out } = launch(process.execPath, ['--import', 'tsx', 'app.ts', hupCfg]);
    await waitFor(() => /HTTP API listening/.test(out()), { timeoutMs: 60_000, message: () => `listen; ${out().slice(-300)}` });
    fs.writeFileSync(hupCfg, JSON.stringify({ httpPort: 0, p2pPort: 0, dataDir: null, p2pseed: [], network: 'regtest', logLevel: 'debug', maxOracles: 5 }));
    child.kill('SIGHUP');
    await waitFor(() => /SIGHUP: config re-read/.test(out()), { timeoutMs: 10_000, message: () => `the reload line; ${out().slice(-300)}` });
    const line = JSON.parse(out().split('\n').find((l) => l.includes('SIGHUP: config re-read')) as string) as { reloaded: string[]; needsRestart: string[] };
    assert.deepEqual(line.reloaded, ['logLevel'], 'logLevel is applied at once');
    assert.deepEqual(line.needsRestart, ['maxOracles'], 'a changed limit is named as needing a restart');
    assert.equal(child.exitCode, null, 'the node is still running after SIGHUP');
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, { timeoutMs: 10_000, message: 'exit after SIGTERM' });
    assert.equal(child.exitCode, 0);
  });

  it('overrides: flag > MEGA_* environment > file > default; --check-config exits 78 on a bad value; --version; unknown flags exit 64', () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'app.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8' });
    const eff = (r: ReturnType<typeof run>) => (JSON.parse(r.stdout) as { effective: Record<string, unknown> }).effective;
    const fileOnly = run([cfg, '--check-config']);
    assert.equal(fileOnly.status, 0, fileOnly.stderr);
    assert.equal(eff(fileOnly).logLevel, 'info', 'from the file');
    assert.equal(eff(fileOnly).maxOracles, 10000, 'the default where the file is silent');
    const env = run([cfg, '--check-config'], { MEGA_LOG_LEVEL: 'warn', MEGA_MAX_ORACLES: '7' });
    assert.deepEqual([eff(env).logLevel, eff(env).maxOracles], ['warn', 7], 'the environment overrides the file and the default');
    const flag = run([cfg, '--check-config', '--logLevel=error', '--shard={"count":2,"index":1}'], { MEGA_LOG_LEVEL: 'warn' });
    assert.deepEqual([eff(flag).logLevel, eff(flag).shard], ['error', { count: 2, index: 1 }], 'a flag overrides the environment; JSON values parse');
    const bad = run([cfg, '--check-config', '--httpPort=abc']);
    assert.equal(bad.status, 78, 'an invalid override is a config error');
    assert.match(bad.stderr, /httpPort: must be an integer/);
    assert.equal(run(['--bogus=1']).status, 64);
    assert.match(run(['--version']).stdout, /^mega \d+\.\d+\.\d+/);
    const help = run(['--help']);
    assert.match(help.stdout, /--maxOracles=<integer>\s+MEGA_MAX_ORACLES/, '--help lists every key with its variable');
  });
});
