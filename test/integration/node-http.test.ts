// test/integration/node-http.test.ts - a whole MegaNode in-process on loopback port 0: real HTTP, lifecycle, slow clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { MegaNode } from '../../src/node.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { createTestNode, waitFor } from '../helpers/network.ts';

/** Resolve with what a raw socket receives until the server closes it (or reject after `ms`). */
function rawExchange(port: number, send: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${ms} ms; received: ${got.slice(0, 200)}`));
    }, ms);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('error', () => undefined);
    s.write(send);
  });
}

describe('MegaNode over HTTP', () => {
  let node: MegaNode;
  let base: string;

  before(async () => {
    node = await createTestNode({ httpRequestTimeoutMs: 1000 });
    base = `http://127.0.0.1:${node.httpPort}`;
  });

  after(async () => {
    await node.stop();
  });

  it('has its signature thread running once started, before any entity arrives (the first admission must not wait for its start-up)', () => {
    const pool = (node as unknown as { verifier: { threads: number } | null }).verifier;
    assert.equal(pool?.threads, 1, 'verifyThreads 1: one thread started by node.start()');
  });

  it('serves submissions and lookups end to end', async () => {
    const oracleKeys = makeKeys(1);
    const capKeys = makeKeys(2);
    const post = (p: string, body: unknown) =>
      fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const oracle = makeOracle({ keys: oracleKeys, tags: ['x'] });
    assert.equal((await post('/oracle', oracle)).status, 201);
    const cap = makeCapability({ oracleKeys, capKeys, question: 'Price of BTC at noon?' });
    assert.equal((await post('/capability', cap)).status, 201);
    const report = makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys, args: { day: '1' } });
    const res = await post('/report', report);
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { result: 'accepted', id: reportId(report) });
    assert.deepEqual(((await (await fetch(base + '/oracles?question=btc')).json()) as { oracle: unknown }[]).map((e) => e.oracle), [oracle]);
    const status = (await (await fetch(base + '/status')).json()) as { network: string; counts: unknown };
    assert.equal(status.network, 'regtest');
    assert.deepEqual(status.counts, { oracles: 1, capabilities: 1, reports: 1, disputes: 0 });
  });

  it('answers 408 and closes a request whose body never completes (no hang)', async () => {
    const started = Date.now();
    const got = await rawExchange(
      node.httpPort,
      'POST /oracle HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pubkey":',
      10_000,
    );
    assert.match(got, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - started < 8000, `expected to finish within 8000 ms, took ${Date.now() - started} ms`);
  });

  it('serves the monitoring page at / and /index.htm from the node itself', async () => {
    for (const p of ['/', '/index.htm']) {
      const res = await fetch(base + p);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const html = await res.text();
      assert.match(html, /<title>Mega node<\/title>/);
      assert.equal(/https?:\/\//.test(html), false, 'no external asset links');
    }
    assert.equal((await fetch(base + '/app.js')).status, 200);
  });

  it('answers 400 to a garbage request line and keeps serving', async () => {
    const got = await rawExchange(node.httpPort, 'NOT HTTP AT ALL\r\n\r\n', 5000);
    assert.match(got, /^HTTP\/1\.1 400/);
    assert.equal((await fetch(base + '/health')).status, 200);
  });
});

describe('MegaNode lifecycle', () => {
  it('fails to start on a busy port, and stop() after that is safe', async () => {
    const first = await createTestNode();
    // createTestNode calls stop() on a failed start and rethrows the start error: a throwing stop() would replace EADDRINUSE.
    await assert.rejects(createTestNode({ httpPort: first.httpPort }), /EADDRINUSE/, 'expected the busy port to fail start() with EADDRINUSE');
    const port = first.httpPort;
    await first.stop();
    // the port is released: a new node can bind it
    const third = await createTestNode({ httpPort: port });
    assert.equal(third.httpPort, port);
    await third.stop();
  });
});

describe('MegaNode HTTP connection limit (httpMaxConnections)', () => {
  it('closes a connection past the limit at once, before reading a request, while the open ones are served; a freed slot is taken again', async () => {
    const node = await createTestNode({ httpMaxConnections: 2 });
    const open: net.Socket[] = [];
    try {
      const connect = (): Promise<net.Socket> =>
        new Promise((resolve, reject) => {
          const s = net.connect(node.httpPort, '127.0.0.1', () => resolve(s));
          s.on('error', reject);
        });
      open.push(await connect(), await connect());
      const listener = (node as unknown as { http: { dropped: number; server: net.Server } }).http;
      const connections = (): Promise<number> => new Promise((resolve) => listener.server.getConnections((_e, n) => resolve(n)));
      await waitFor(async () => (await connections()) === 2, { message: 'the server counts both connections' });
      // The third connection is accepted by the kernel and closed by the server without an answer.
      const answer = await rawExchange(node.httpPort, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 5000);
      assert.equal(answer, '', 'expected the connection past the limit closed without any answer');
      assert.equal(listener.dropped, 1, 'expected the dropped connection counted');
      // The open connections still get answers.
      const first = open[0] as net.Socket;
      const reply = await new Promise<string>((resolve) => {
        first.once('data', (d) => resolve(d.toString('latin1')));
        first.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      assert.match(reply, /^HTTP\/1\.1 200 /, 'expected a connection within the limit served');
      // Close one: a new connection is served again.
      (open.pop() as net.Socket).destroy();
      await waitFor(async () => (await connections()) === 1, { message: 'the server sees the slot freed' });
      const again = await fetch(`http://127.0.0.1:${node.httpPort}/health`, { headers: { connection: 'close' } });
      assert.equal(again.status, 200, 'expected a new connection served once a slot is free');
    } finally {
      for (const s of open) s.destroy();
      await node.stop();
    }
  });
});
