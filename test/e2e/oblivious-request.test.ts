// test/e2e/oblivious-request.test.ts - Oblivious HTTP end to end (PROTOCOL 10.9): a spawned node relays `mega request --oblivious` to an oracle's gateway; the trader gets a fact that verifies, while the relay's log and a heap snapshot of the relay process never contain the request (a plain request through the same node, as a control, is found in its heap).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Fact } from '../../src/protocol/types.ts';
import { isFactSignatureValid } from '../../src/protocol/verify.ts';
import { generateGatewayKey } from '../../src/ohttp/ohttp.ts';
import { KeyFileSigner } from '../../src/oracle/signer.ts';
import { startFactServer, type FactServer } from '../../src/oracle-facts/fact-server.ts';
import { makeCapability, makeKeys, makeOracle } from '../helpers/factory.ts';
import { waitFor } from '../helpers/wait.ts';
import { REPO_ROOT, removeDir, runCli, tempDir, writeJson } from '../unit/cli/run-cli.ts';
import { silentLog } from '../unit/oracle-facts/_helpers.ts';

const oracleKeys = makeKeys(9601);
const capKeys = makeKeys(9602);
const SECRET = `obliv-${crypto.randomBytes(6).toString('hex')}`;
const CONTROL = `plain-${crypto.randomBytes(6).toString('hex')}`;
let dir: string;
let proc: ChildProcess;
let log = '';
let base = '';
let server: FactServer;

before(async () => {
  dir = tempDir('mega-ohttp-');
  const gw = await generateGatewayKey(3);
  server = await startFactServer({
    host: '127.0.0.1',
    port: 0,
    capabilities: new Map([[capKeys.publicKey, { signer: KeyFileSigner.fromHex(capKeys.privateKey), params: [{ name: 'city', values: [] }], resolve: async (r: { arguments: Record<string, string> }) => `clear skies over ${r.arguments.city}` }]]),
    limits: { maxBodyBytes: 16384, ratePerMinutePerClient: 0, maxConcurrent: 4, resolveTimeoutMs: 2000 },
    ohttp: { privateKey: gw.privateKey, keyId: 3 },
    log: silentLog,
  });
  const cfg = writeJson(dir, 'config.json', { httpPort: 0, p2pPort: 0, isTest: true, listenAddress: '127.0.0.1', logLevel: 'debug', dataDir: path.join(dir, 'data') });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MEGA_') && k !== 'NODE_OPTIONS') env[k] = v;
  proc = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, '--import', 'tsx', 'app.ts', cfg], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  await waitFor(() => /"msg":"HTTP API listening"/.test(log), { message: 'the node to listen', timeoutMs: 30_000 });
  base = `http://127.0.0.1:${(JSON.parse(log.split('\n').find((l) => l.includes('"msg":"HTTP API listening"')) as string) as { port: number }).port}`;
  const postJson = async (p: string, body: unknown) => (await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
  assert.equal(await postJson('/oracle', makeOracle({ keys: oracleKeys })), 201);
  const cap = makeCapability({ oracleKeys, capKeys, question: 'Sky over {city}?', params: [{ name: 'city', values: [] }], endpoint: server.url, ohttpKeyConfig: Buffer.from(gw.keyConfig).toString('hex') });
  assert.equal(await postJson('/capability', cap), 201);
});

after(async () => {
  proc.kill('SIGTERM');
  await waitFor(() => proc.exitCode !== null || proc.signalCode !== null, { message: 'the node to stop', timeoutMs: 10_000 });
  await server.close();
  removeDir(dir);
});

describe('oblivious fact requests through a relaying node', () => {
  test('the trader gets a verified fact; the relay never sees the request', async () => {
    const args = ['request', '--node', base, '--oracle', oracleKeys.publicKey, '--capability-pubkey', capKeys.publicKey];
    const r = await runCli([...args, '--oblivious', '--arg', `city=${SECRET}`]);
    assert.equal(r.code, 0, r.stderr);
    const fact = (JSON.parse(r.stdout) as { fact: Fact }).fact;
    assert.ok(isFactSignatureValid(fact), 'the fact verifies');
    assert.equal(fact.answer, `clear skies over ${SECRET}`);
    // Control: the same node proxying a plain request does hold it (cache and answer ledger).
    const plain = await runCli([...args, '--arg', `city=${CONTROL}`]);
    assert.equal(plain.code, 0, plain.stderr);
    proc.kill('SIGUSR2');
    let snapshot = '';
    await waitFor(
      async () => {
        const f = fs.readdirSync(dir).find((n) => n.endsWith('.heapsnapshot'));
        if (!f) return false;
        // The snapshot is written synchronously on the main thread: once the node answers again it is complete.
        if (!(await fetch(`${base}/health`)).ok) return false;
        snapshot = fs.readFileSync(path.join(dir, f), 'utf8');
        return snapshot.length > 0;
      },
      { message: 'a heap snapshot of the relay', timeoutMs: 60_000 },
    );
    assert.ok(snapshot.includes(CONTROL), 'control: a plainly proxied request is visible in the relay heap, so the search works');
    assert.ok(!snapshot.includes(SECRET), 'the oblivious request must not be in the relay heap');
    assert.ok(!log.includes(SECRET), 'the oblivious request must not be in the relay log');
    assert.match(log, /oblivious request relayed/, 'the relay did serve the request (its debug line: sizes only)');
  });

  test('the relay refuses what is not an encapsulated request, and capabilities without a gateway', async () => {
    const url = `${base}/ohttp-relay/${oracleKeys.publicKey}/${capKeys.publicKey}`;
    const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 415);
    const garbage = await fetch(url, { method: 'POST', headers: { 'content-type': 'message/ohttp-req' }, body: Buffer.alloc(80, 1) });
    assert.equal(garbage.status, 502, 'the gateway refuses it; the node says the oracle did not answer 200');
    const unknown = await fetch(`${base}/ohttp-relay/${oracleKeys.publicKey}/${makeKeys(9699).publicKey}`, { method: 'POST', headers: { 'content-type': 'message/ohttp-req' }, body: Buffer.alloc(80, 1) });
    assert.equal(unknown.status, 404);
    const big = await fetch(url, { method: 'POST', headers: { 'content-type': 'message/ohttp-req' }, body: Buffer.alloc(200_000, 1) });
    assert.equal(big.status, 413);
  });
});
