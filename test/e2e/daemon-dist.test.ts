// test/e2e/daemon-dist.test.ts - the production entry point and its packaging (issue #19): `npm run build` emits plain JavaScript that `node dist/app.js cfg.json` runs (REST, /id, the page, the signature worker thread, the mining worker of the built CLI); the Dockerfile's CMD and HEALTHCHECK and the systemd unit's ExecStart/ExecReload/KillSignal, parsed from the files, run against that build on this machine (no Docker or systemd here: install paths are mapped to the checkout, see docs/operations.md); a dataDir under /proc is refused at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HEAP_FLAGS } from '../../src/daemon/heap-flags.ts';
import { REPO_ROOT } from '../unit/cli/run-cli.ts';
import { freePort, waitFor } from '../helpers/network.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';

let dir: string;
const children: ChildProcess[] = [];

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-dist-'));
  // The build under test: exactly what `npm run build` runs.
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
});
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A clean environment: no MEGA_* or NODE_OPTIONS from outside (no TypeScript loader sneaks in). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MEGA_') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: () => boolean;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Proc {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let done = false;
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.on('exit', () => (done = true));
  return { child, out: () => out, exited: () => done };
}

const listening = (p: Proc): Promise<void> =>
  waitFor(() => /"msg":"P2P listening"/.test(p.out()) || p.exited(), { timeoutMs: 90_000, message: () => `the node to listen; output: ${p.out().slice(-800)}` }).then(() =>
    assert.equal(p.exited(), false, `the node exited early: ${p.out().slice(-800)}`),
  );
const httpPortOf = (p: Proc): number => (JSON.parse(p.out().split('\n').find((l) => l.includes('"msg":"HTTP API listening"')) as string) as { port: number }).port;

/** Send `signal`; expect exit 0 through the shutdown path within `ms`. */
async function stopsCleanly(p: Proc, signal: NodeJS.Signals, ms: number): Promise<void> {
  const t0 = Date.now();
  p.child.kill(signal);
  await waitFor(() => p.exited(), { timeoutMs: 30_000, message: () => `exit after ${signal}; output: ${p.out().slice(-500)}` });
  const took = Date.now() - t0;
  assert.equal(p.child.exitCode, 0, `exit code after ${signal}`);
  assert.equal(took <= ms, true, `stopped within ${ms} ms of ${signal} (took ${took} ms)`);
  assert.match(p.out(), /"msg":"Mega node stopped"/, 'through the shutdown path (journal closed)');
}

describe('the built node (dist/)', () => {
  it('holds plain JavaScript, the worker files, the page and the spec; no .ts is imported', () => {
    for (const f of ['dist/app.js', 'dist/src/node.js', 'dist/src/protocol/verify-worker.mjs', 'dist/src/protocol/pow-worker.mjs', 'dist/web/index.html', 'dist/wolfram-mega-spec.yaml', 'dist/package.json', 'dist/src/cli/bin.js']) {
      assert.equal(fs.existsSync(path.join(REPO_ROOT, f)), true, `${f} is built`);
    }
    const js = fs.readFileSync(path.join(REPO_ROOT, 'dist/src/node.js'), 'utf8');
    assert.doesNotMatch(js, /from ['"][^'"]+\.ts['"]/, 'imports are rewritten to .js');
    assert.equal((JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist/package.json'), 'utf8')) as { type: string }).type, 'module');
  });

  it('`node dist/app.js cfg.json` runs a node: /id, the page, an ad verified on the worker thread; SIGTERM stops it', { timeout: 180_000 }, async () => {
    const cfg = path.join(dir, 'dist.json');
    fs.writeFileSync(cfg, JSON.stringify({ network: 'regtest', httpPort: 0, p2pPort: 0, listenAddress: '127.0.0.1', dataDir: path.join(dir, 'dist-data'), verifyThreads: 1 }));
    const p = run(process.execPath, ['dist/app.js', cfg], cleanEnv());
    await listening(p);
    const base = `http://127.0.0.1:${httpPortOf(p)}`;
    const id = await fetch(`${base}/id`);
    assert.equal(id.status, 200, 'GET /id');
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200, 'the monitoring page is served from dist/web');
    assert.match(await page.text(), /<html/i);
    const ad = makeOracle({ keys: makeKeys(4242) });
    const res = await fetch(`${base}/oracle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ad) });
    assert.equal(res.status, 201, 'an ad is admitted (its signature checked by dist/src/protocol/verify-worker.mjs)');
    const bad = { ...ad, seqNo: 1 }; // signature no longer matches
    assert.equal((await fetch(`${base}/oracle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) })).status, 422);
    await stopsCleanly(p, 'SIGTERM', 2_000);
  });

  it('--version, --help name the built entry; the built CLI mines on its worker thread', () => {
    const v = spawnSync(process.execPath, ['dist/app.js', '--version'], { cwd: REPO_ROOT, env: cleanEnv(), encoding: 'utf8' });
    assert.match(v.stdout, /^mega \d+\.\d+\.\d+\n$/);
    const h = spawnSync(process.execPath, ['dist/app.js', '--help'], { cwd: REPO_ROOT, env: cleanEnv(), encoding: 'utf8' });
    assert.match(h.stdout, /^usage: node --max-semi-space-size=32 --initial-old-space-size=256 dist\/app\.js \[config\.json\]/, 'the usage line shows the launch command, heap flags included');
    assert.match(h.stdout, /--trustProxy=<array of strings>\s+MEGA_TRUST_PROXY/);
    const key = makeKeys(77).privateKey;
    const m = spawnSync(process.execPath, ['dist/src/cli/bin.js', 'oracle', '--key', key, '-d', '8', '--workers', '1'], { cwd: REPO_ROOT, env: cleanEnv(), encoding: 'utf8' });
    assert.equal(m.status, 0, m.stderr);
    assert.equal((JSON.parse(m.stdout) as { pow: { difficulty: number } }).pow.difficulty, 8);
  });

  it('a dataDir on /proc is refused at once with exit 78 and a clear message (it used to spin at 100 % CPU)', () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['dist/app.js', path.join(REPO_ROOT, 'mempool-cfg.json'), '--dataDir=/proc/mega-data', '--httpPort=0', '--p2pPort=0'], { cwd: REPO_ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 78, `exit 78 (EX_CONFIG); stderr: ${r.stderr}`);
    assert.match(r.stderr, /dataDir \/proc\/mega-data: \/proc is on procfs, a kernel pseudo file system that cannot hold data/);
    assert.equal(Date.now() - t0 < 30_000, true, 'refused without hanging');
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    const r2 = spawnSync(process.execPath, ['dist/app.js', path.join(REPO_ROOT, 'mempool-cfg.json'), `--dataDir=${file}/sub`], { cwd: REPO_ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r2.status, 78);
    assert.match(r2.stderr, /a part of the path is a file, not a directory/);
  });
});

// ---- packaging: the command lines of the Dockerfile and the systemd unit ------------------------

/** JSON-array (exec form) instruction arguments of a Dockerfile line. */
function execForm(line: string): string[] {
  const m = /(\[.*\])\s*$/.exec(line);
  assert.ok(m, `exec form expected: ${line}`);
  return JSON.parse(m[1] as string) as string[];
}

describe('Dockerfile and compose.yaml', () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const final = lines.slice(lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true));
  const instr = (name: string) => final.filter((l) => l.startsWith(`${name} `));

  it('runs as a non-root user with a data volume, SIGTERM as stop signal, a health check', () => {
    assert.deepEqual(instr('USER'), ['USER node'], 'the final stage runs as the unprivileged node user');
    assert.deepEqual(instr('VOLUME'), ['VOLUME ["/var/lib/mega"]']);
    assert.deepEqual(instr('STOPSIGNAL'), ['STOPSIGNAL SIGTERM']);
    assert.equal(instr('HEALTHCHECK').length, 1);
    const compose = fs.readFileSync(path.join(REPO_ROOT, 'compose.yaml'), 'utf8');
    assert.match(compose, /stop_signal: SIGTERM/);
    assert.match(compose, /- mega-data:\/var\/lib\/mega/);
    assert.match(compose, /test: \["CMD", "node", "dist\/app\.js", "\/etc\/mega\/mega\.json", "--healthcheck"\]/, 'compose checks health with the image command');
  });

  it('the image\'s CMD starts the built node with the image config and ENV; HEALTHCHECK fails before it listens and passes after; STOPSIGNAL stops it within 2 s', { timeout: 180_000 }, async () => {
    const workdir = (instr('WORKDIR')[0] as string).slice('WORKDIR '.length); // /app: holds dist/ and node_modules, like the checkout
    const env: Record<string, string> = {};
    for (const l of instr('ENV')) {
      const [k, v] = l.slice(4).split('=') as [string, string];
      env[k] = v;
    }
    assert.equal(env.MEGA_DATA_DIR, '/var/lib/mega', 'the data folder is the volume');
    // COPY contrib/mega.json /etc/mega/mega.json: map the image paths onto this machine.
    const copy = instr('COPY').find((l) => l.includes('/etc/mega/mega.json')) as string;
    const [, src, dst] = copy.split(/\s+/) as [string, string, string];
    const cfg = path.join(dir, 'image-mega.json');
    fs.copyFileSync(path.join(REPO_ROOT, src), cfg);
    const map = (a: string) => (a === dst ? cfg : a);
    const cmd = execForm(instr('CMD')[0] as string).map(map);
    const health = execForm(instr('HEALTHCHECK')[0] as string).map(map);
    assert.deepEqual(cmd.slice(0, 2 + HEAP_FLAGS.length), ['node', ...HEAP_FLAGS, 'dist/app.js'], 'the image runs the built entry with the heap flags');
    assert.deepEqual(health.slice(0, 2), ['node', 'dist/app.js'], 'and checks health with it');
    assert.equal(workdir, '/app');
    // What differs on this machine: a free port instead of 8080 (shared machine), a temp data folder, loopback only.
    const port = await freePort();
    const runEnv = cleanEnv({ ...env, MEGA_DATA_DIR: path.join(dir, 'image-data'), MEGA_HTTP_PORT: String(port), MEGA_P2P_PORT: '0', MEGA_LISTEN_ADDRESS: '127.0.0.1' });
    const check = () => spawnSync(process.execPath, health.slice(1), { cwd: REPO_ROOT, env: runEnv, encoding: 'utf8', timeout: 60_000 });
    const before = check();
    assert.equal(before.status, 1, `unhealthy while nothing listens: ${before.stdout}${before.stderr}`);
    const p = run(process.execPath, cmd.slice(1), runEnv);
    await listening(p);
    assert.equal(httpPortOf(p), port);
    const after = check();
    assert.equal(after.status, 0, `healthy once it listens: ${after.stdout}${after.stderr}`);
    assert.match(after.stdout, new RegExp(`http://127\\.0\\.0\\.1:${port}/health: 200`));
    assert.match(p.out(), /"network":"mainnet"/, 'the image config (mainnet) is in force');
    assert.doesNotMatch(p.out(), /started without the V8 heap flags/, 'the image command carries the heap flags');
    await stopsCleanly(p, 'SIGTERM', 2_000);
  });
});

/** `Key=value` lines of a unit file; repeated keys keep every value. */
function unitKeys(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(l.trim());
    if (m) out.set(m[1] as string, [...(out.get(m[1] as string) ?? []), m[2] as string]);
  }
  return out;
}

describe('systemd unit (contrib/mega.service)', () => {
  const unit = unitKeys(fs.readFileSync(path.join(REPO_ROOT, 'contrib/mega.service'), 'utf8'));
  const one = (k: string) => (unit.get(k) ?? [])[0] as string;

  it('runs unprivileged and hardened, without MemoryDenyWriteExecute (V8 needs W+X memory)', () => {
    assert.equal(one('User'), 'mega');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(one('StateDirectory'), 'mega');
    assert.equal(unit.has('MemoryDenyWriteExecute'), false, 'MemoryDenyWriteExecute breaks Node');
    assert.equal(one('KillSignal'), 'SIGTERM');
    assert.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID');
  });

  it('ExecStart starts the built node; ExecReload (kill -HUP $MAINPID) reloads; KillSignal stops it within 2 s', { timeout: 180_000 }, async () => {
    const cfg = path.join(dir, 'unit-mega.json');
    const cfgValue = (extra: Record<string, unknown>) => JSON.stringify({ ...(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'contrib/mega.json'), 'utf8')) as object), ...extra });
    fs.writeFileSync(cfg, cfgValue({}));
    // Install paths mapped onto this checkout: /usr/bin/node -> this node, /opt/mega -> the checkout, /etc/mega/mega.json -> a temp copy.
    const map = (a: string) => (a === '/usr/bin/node' ? process.execPath : a === '/etc/mega/mega.json' ? cfg : a.replace(/^\/opt\/mega\//, REPO_ROOT));
    const argv = one('ExecStart').split(/\s+/).map(map);
    assert.deepEqual(argv.slice(1, 2 + HEAP_FLAGS.length), [...HEAP_FLAGS, path.join(REPO_ROOT, 'dist/app.js')], 'the unit runs the built entry with the heap flags');
    const env: Record<string, string> = {};
    for (const e of unit.get('Environment') ?? []) {
      const [k, v] = e.split('=') as [string, string];
      env[k] = v;
    }
    assert.equal(env.MEGA_DATA_DIR, '/var/lib/mega');
    const runEnv = cleanEnv({ ...env, MEGA_DATA_DIR: path.join(dir, 'unit-data'), MEGA_HTTP_PORT: '0', MEGA_P2P_PORT: '0', MEGA_LISTEN_ADDRESS: '127.0.0.1' });
    const p = run(argv[0] as string, argv.slice(1), runEnv, one('WorkingDirectory').replace(/^\/opt\/mega$/, REPO_ROOT));
    await listening(p);
    fs.writeFileSync(cfg, cfgValue({ powThresholdOracles: 10, whitelist: ['127.0.0.0/8'], p2pseed: [{ server: '127.0.0.1', port: 9 }], httpPort: 9999 }));
    const reload = one('ExecReload').replace('$MAINPID', String(p.child.pid)).split(/\s+/);
    const k = spawnSync(reload[0] as string, reload.slice(1), { encoding: 'utf8' });
    assert.equal(k.status, 0, k.stderr);
    await waitFor(() => /SIGHUP: config re-read/.test(p.out()), { timeoutMs: 30_000, message: () => `the reload line; ${p.out().slice(-500)}` });
    const line = JSON.parse(p.out().split('\n').find((l) => l.includes('SIGHUP: config re-read')) as string) as { reloaded: string[]; needsRestart: string[] };
    assert.deepEqual([...line.reloaded].sort(), ['p2pseed', 'powThresholdOracles', 'whitelist'], 'thresholds, whitelist and seeds to dial are applied at once');
    assert.deepEqual(line.needsRestart, [], 'httpPort comes from the environment, which did not change');
    assert.doesNotMatch(p.out(), /started without the V8 heap flags/, 'the unit command carries the heap flags');
    await stopsCleanly(p, one('KillSignal') as NodeJS.Signals, 2_000);
  });
});
