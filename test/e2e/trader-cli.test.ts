// test/e2e/trader-cli.test.ts - a trader's CLI against a spawned node: `mega request` gets a verified fact through the node from an oracle's HTTP fact endpoint (and exit 3 with the invoice when the oracle asks for payment); `mega watch` follows an oracle's events and stops after --count.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Fact, FactRequest } from '../../src/protocol/types.ts';
import { isFactSignatureValid } from '../../src/protocol/verify.ts';
import { makeCapability, makeFact, makeKeys, makeOracle } from '../helpers/factory.ts';
import { startDaemon, stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';
import { collect, removeDir, runCli, spawnCli, tempDir, writeJson } from '../unit/cli/run-cli.ts';

const oracleKeys = makeKeys(9401);
const capKeys = makeKeys(9402);
const PAY_HASH = 'cd'.repeat(32);
let dir: string;
let daemon: Daemon | undefined;
let oracleServer: http.Server;

const postJson = async (p: string, body: unknown): Promise<number> => (await fetch(`${daemon?.base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

before(async () => {
  dir = tempDir('mega-trader-');
  oracleServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: FactRequest; paymentHash?: string };
      res.setHeader('content-type', 'application/json');
      if (body.request.arguments.paid === 'yes' && body.paymentHash !== PAY_HASH) {
        res.writeHead(402).end(JSON.stringify({ code: 'payment-required', invoice: 'lnbcrt10n1example', paymentHash: PAY_HASH }));
        return;
      }
      res.end(JSON.stringify({ fact: makeFact({ capKeys, args: body.request.arguments, answer: 'sunny' }) }));
    });
  });
  await new Promise<void>((r) => oracleServer.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(oracleServer.address() as AddressInfo).port}`;
  daemon = await startDaemon(writeJson(dir, 'config.json', { httpPort: 0, p2pPort: 0, isTest: true, listenAddress: '127.0.0.1', logLevel: 'info', dataDir: path.join(dir, 'data') }));
  assert.equal(await postJson('/oracle', makeOracle({ keys: oracleKeys })), 201);
  assert.equal(await postJson('/capability', makeCapability({ oracleKeys, capKeys, question: 'Weather in {city}?', endpoint })), 201);
});

after(async () => {
  await stopDaemon(daemon, 5000);
  oracleServer.closeAllConnections();
  await new Promise<void>((r) => oracleServer.close(() => r()));
  removeDir(dir);
});

describe('mega request and mega watch against a node', () => {
  test('mega request prints a fact that verifies, asked through the node', async () => {
    const r = await runCli(['request', '--node', daemon?.base as string, '--oracle', oracleKeys.publicKey, '--capability-pubkey', capKeys.publicKey, '--arg', 'city=Oslo']);
    assert.equal(r.code, 0, r.stderr);
    const { fact, cached } = JSON.parse(r.stdout) as { fact: Fact; cached: boolean };
    assert.equal(cached, false);
    assert.ok(isFactSignatureValid(fact), 'the printed fact must verify');
    assert.deepEqual(fact.request.arguments, { city: 'Oslo' });
  });

  test('a payment demand is exit 3 with the invoice; with --payment-hash the fact comes', async () => {
    const args = ['request', '--node', daemon?.base as string, '--oracle', oracleKeys.publicKey, '--capability-pubkey', capKeys.publicKey, '--arg', 'paid=yes'];
    const demand = await runCli(args);
    assert.equal(demand.code, 3, demand.stderr);
    assert.deepEqual(JSON.parse(demand.stdout), { code: 'payment-required', invoice: 'lnbcrt10n1example', paymentHash: PAY_HASH });
    assert.match(demand.stderr, /--payment-hash/);
    const paid = await runCli([...args, '--payment-hash', PAY_HASH]);
    assert.equal(paid.code, 0, paid.stderr);
    assert.equal((JSON.parse(paid.stdout) as { fact: Fact }).fact.answer, 'sunny');
  });

  test('an unknown capability is exit 1 with the node\'s reason', async () => {
    const r = await runCli(['request', '--node', daemon?.base as string, '--oracle', oracleKeys.publicKey, '--capability-pubkey', makeKeys(9499).publicKey]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown-capability/);
  });

  test('mega watch --oracle prints that oracle\'s events only and stops after --count', async () => {
    const other = makeKeys(9403);
    const child = spawnCli(['watch', '--node', daemon?.base as string, '--oracle', oracleKeys.publicKey, '--count', '1']);
    const done = collect(child, 30_000);
    await waitFor(async () => ((await (await fetch(`${daemon?.base}/stats`)).json()) as { liveClients: number }).liveClients === 1, { message: 'watch to connect', timeoutMs: 20_000 });
    assert.equal(await postJson('/oracle', makeOracle({ keys: other })), 201);
    assert.equal(await postJson('/oracle', makeOracle({ keys: oracleKeys, seqNo: 1 })), 201);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; id: string; replaced: boolean });
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0]?.event, lines[0]?.id, lines[0]?.replaced], ['mempool:accepted', oracleKeys.publicKey, true], 'the other oracle is filtered out');
  });

  test('mega watch with a malformed filter is a usage error (exit 2) naming the problem', async () => {
    const r = await runCli(['watch', '--node', daemon?.base as string, '--question', 'two words']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /question must be one word/);
  });
});
