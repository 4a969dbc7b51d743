// test/e2e/oracle-daemon-facts.test.ts - mega-oracle's fact services end to end: the daemon's fact endpoint (PROTOCOL 10.8) is advertised in its capability with an Oblivious HTTP key; a fact request through a spawned node answers with a fact that verifies (plainly and with `mega request --oblivious`); a fact-missing report filed against the oracle is disputed within a minute.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Fact, OracleCapability, Report } from '../../src/protocol/types.ts';
import { isFactSignatureValid } from '../../src/protocol/verify.ts';
import { makeReport } from '../helpers/factory.ts';
import { freePort } from '../helpers/network.ts';
import { stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { waitFor, waitForValue } from '../helpers/wait.ts';
import { removeDir, runCli, tempDir } from '../unit/cli/run-cli.ts';
import { getJson, makeKeys, startNode, startOracle, stopOracle, type OracleProc } from './oracle-daemon-harness.ts';

let dir: string;
let node: Daemon | undefined;
let oracle: OracleProc | undefined;
let weather: http.Server;
let oraclePub = '';
let capPub = '';

before(async () => {
  dir = tempDir('mega-oracled-facts-');
  // The data source: the temperature of the city in the path, the same every time (one answer per request).
  weather = http.createServer((req, res) => {
    const city = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ temp: `${city.length * 3} C` }));
  });
  await new Promise<void>((r) => weather.listen(0, '127.0.0.1', r));
  node = await startNode(dir, 'n', { isTest: true });
  const keys = makeKeys(path.join(dir, 'keys'), ['weather']);
  oraclePub = keys.pubkey;
  const port = await freePort();
  const cfgPath = path.join(dir, 'oracle-cfg.json');
  fs.writeFileSync(
    cfgPath,
    JSON.stringify({
      dataDir: 'odata',
      nodes: [node.base],
      identity: { keyFile: keys.identity, difficulty: 4 },
      capabilities: [
        {
          name: 'weather',
          keyFile: keys.capability('weather'),
          question: 'Temperature in {city}?',
          params: [{ name: 'city', values: [] }],
          difficulty: 4,
          factLifetime: 60,
          source: { type: 'http-json', url: `http://127.0.0.1:${(weather.address() as AddressInfo).port}/t/{city}`, pointer: '/temp', timeoutMs: 2000 },
        },
      ],
      admin: { port: 0 },
      factServer: { port, publicUrl: `http://127.0.0.1:${port}`, oblivious: true },
      reports: { intervalMs: 500 },
      logLevel: 'info',
    }),
  );
  oracle = await startOracle(cfgPath);
});

after(async () => {
  await stopOracle(oracle).catch(() => undefined);
  await stopDaemon(node, 10_000).catch(() => undefined);
  await new Promise<void>((r) => weather.close(() => r()));
  removeDir(dir);
});

describe('mega-oracle facts and reports', () => {
  it('advertises its fact endpoint with an Oblivious HTTP key; requests through the node, plain and oblivious, get facts that verify', { timeout: 120_000 }, async () => {
    const cap = await waitForValue(
      async () => {
        const r = await getJson<{ capability: OracleCapability }[]>(node?.base as string, `/capabilities?pubkey=${oraclePub}`);
        return r.body.find((c) => c.capability.endpoint !== undefined)?.capability;
      },
      { timeoutMs: 60_000, message: 'the capability on the node' },
    );
    capPub = cap.capabilityPubKey;
    assert.match(cap.ohttpKeyConfig ?? '', /^01002/, 'the capability publishes the gateway key configuration (key id 1, X25519)');
    assert.equal(cap.factLifetime, 60);
    const res = await fetch(`${node?.base}/fact-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ oraclePubKey: oraclePub, request: { capabilityPubKey: capPub, arguments: { city: 'Oslo' } } }) });
    const body = (await res.json()) as { fact: Fact };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.ok(isFactSignatureValid(body.fact), 'the fact verifies');
    assert.equal(body.fact.answer, '12 C', 'the answer comes from the data source with the request argument');
    const ob = await runCli(['request', '--oblivious', '--node', node?.base as string, '--oracle', oraclePub, '--capability-pubkey', capPub, '--arg', 'city=Lisbon']);
    assert.equal(ob.code, 0, ob.stderr);
    assert.equal((JSON.parse(ob.stdout) as { fact: Fact }).fact.answer, '18 C');
  });

  it('disputes a fact-missing report filed against it within a minute', { timeout: 120_000 }, async () => {
    assert.ok(capPub, 'the first test found the capability');
    const report: Report = makeReport({ type: 'fact-missing', oraclePubKey: oraclePub, capabilityPubKey: capPub, args: { city: 'Rome' }, difficulty: 1 });
    const posted = await fetch(`${node?.base}/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    assert.equal(posted.status, 201, await posted.text());
    const started = Date.now();
    await waitFor(
      async () => {
        const r = await getJson<{ id: string; dispute: { fact: Fact } | null }[]>(node?.base as string, `/reports?pubkey=${oraclePub}`);
        return r.body.some((e) => e.dispute !== null && e.dispute.fact.answer === '12 C');
      },
      { timeoutMs: 60_000, message: 'the report disputed with the fact from the source' },
    );
    assert.ok(Date.now() - started < 60_000);
  });
});
