// test/e2e/oracle-daemon-harness.ts - shared by the oracle daemon e2e tests: fresh oracle keys (0600 key files), a local HTTP data source the test steers, spawning bin/mega-oracle.mjs with a config file (logs captured), and spawning nodes whose P2P port is read from their log.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { KeyFileSigner } from '../../src/oracle/signer.ts';
import { generateKeyPair } from '../../src/protocol/keys.ts';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';
import { REPO_ROOT } from '../unit/cli/run-cli.ts';

/** Key files of one oracle in `dir`. */
export interface OracleKeyFiles {
  identity: string;
  dlc: string;
  capability: (name: string) => string;
  /** The identity public key. */
  pubkey: string;
}

/** Write fresh key files (identity, DLC, and one per capability name) in `dir`. */
export function makeKeys(dir: string, capabilities: string[]): OracleKeyFiles {
  fs.mkdirSync(dir, { recursive: true });
  const identity = path.join(dir, 'oracle.key');
  const s = KeyFileSigner.create(identity, generateKeyPair().privateKey);
  const dlc = path.join(dir, 'dlc.key');
  KeyFileSigner.create(dlc, generateKeyPair().privateKey);
  for (const c of capabilities) KeyFileSigner.create(path.join(dir, `${c}.key`), generateKeyPair().privateKey);
  return { identity, dlc, capability: (name) => path.join(dir, `${name}.key`), pubkey: s.publicKey };
}

/** A JSON document served on loopback; `answer` decides each response body. */
export interface DataSource {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

/** Serve `answer(requestNumber)` as JSON at every path. */
export async function startDataSource(answer: (n: number) => unknown): Promise<DataSource> {
  let n = 0;
  const server = http.createServer((_req, res) => {
    const body = JSON.stringify(answer(n++));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A running mega-oracle. */
export interface OracleProc {
  proc: ChildProcess;
  log: () => string;
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** Spawn `node bin/mega-oracle.mjs cfg` (no waiting). */
export function spawnOracle(cfgPath: string): OracleProc {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MEGA_') && k !== 'NODE_OPTIONS') env[k] = v;
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/mega-oracle.mjs'), cfgPath], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  proc.on('exit', (code, signal) => (exit = { code, signal }));
  return { proc, log: () => log, exit: () => exit };
}

/** Spawn the daemon and wait for "oracle daemon started". */
export async function startOracle(cfgPath: string): Promise<OracleProc> {
  const o = spawnOracle(cfgPath);
  await waitFor(() => o.exit() !== undefined || o.log().includes('"msg":"oracle daemon started"'), { timeoutMs: 30_000, message: () => `mega-oracle to start: ${o.log()}` });
  assert.equal(o.exit(), undefined, `mega-oracle exited early: ${o.log()}`);
  return o;
}

/** SIGTERM and expect exit 0. */
export async function stopOracle(o: OracleProc | undefined): Promise<void> {
  if (!o || o.exit() !== undefined) return;
  o.proc.kill('SIGTERM');
  await waitFor(() => o.exit() !== undefined, { timeoutMs: 10_000, message: 'mega-oracle to exit after SIGTERM' });
  assert.deepEqual(o.exit(), { code: 0, signal: null }, `mega-oracle must stop cleanly: ${o.log().slice(-2000)}`);
}

/** Start a node (app.ts) from a config object written to `dir/name.json`; returns it with its P2P port. */
export async function startNode(dir: string, name: string, cfg: Record<string, unknown>): Promise<Daemon & { p2pPort: number }> {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ network: 'regtest', httpPort: 0, p2pPort: 0, listenAddress: '127.0.0.1', dataDir: null, p2pseed: [], logLevel: 'info', ...cfg }));
  const d = await startDaemon(file);
  const line = d.log().split('\n').find((l) => l.includes('"msg":"P2P listening"')) as string;
  return { ...d, p2pPort: (JSON.parse(line) as { port: number }).port };
}

/** GET a node path as JSON: {status, body}. */
export async function getJson<T = unknown>(base: string, p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${p}`);
  return { status: res.status, body: (await res.json()) as T };
}

/** A pass-through HTTP proxy in front of a node that records every POST body (what left the daemons), forwarding all requests unchanged. */
export interface RecordingProxy {
  url: string;
  posted: { path: string; body: string }[];
  close: () => Promise<void>;
}

/** Start a recording proxy to `target` (a node's REST base URL). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const posted: { path: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST') posted.push({ path: req.url ?? '', body: body.toString('utf8') });
      const headers: Record<string, string> = {};
      if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
      fetch(`${target}${req.url ?? ''}`, { method: req.method, headers, body: req.method === 'POST' ? body : undefined })
        .then(async (r) => {
          const out = Buffer.from(await r.arrayBuffer());
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(out);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posted,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
