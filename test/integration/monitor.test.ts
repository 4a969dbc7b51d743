// test/integration/monitor.test.ts - a whole MegaNode on loopback: the monitoring page and Swagger UI load nothing from outside the node, the live feed follows REST submissions, metrics scrape, stop() closes live clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { MegaNode } from '../../src/node.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTestNode } from '../helpers/network.ts';

// URLs that name something rather than load it (the SVG namespace in markup and scripts).
const NAMESPACES = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']);
// Absolute (http, https, ws, wss) and protocol-relative URLs in a text.
const absoluteUrls = (text: string): string[] =>
  [...text.matchAll(/(?:https?:|wss?:)\/\/[^\s"'<>)`]+|(?<=["'(=\s])\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g)].map((m) => m[0]).filter((u) => !NAMESPACES.has(u));
const attrUrls = (html: string): string[] => [...html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1] as string);

describe('monitoring on a running node', () => {
  let node: MegaNode;
  let base: string;

  before(async () => {
    node = await createTestNode();
    base = `http://127.0.0.1:${node.httpPort}`;
  });
  after(async () => {
    await node.stop();
  });

  it('serves the page and every module it imports from the node, under a same-origin CSP', async () => {
    const res = await fetch(base + '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'.*connect-src 'self'/);
    const html = await res.text();
    assert.deepEqual(absoluteUrls(html), []);
    const local = attrUrls(html);
    assert.deepEqual(local.filter((u) => !u.startsWith('/')), []);
    // Follow the module graph from app.js.
    const seen = new Set<string>();
    const queue = ['/app.js', '/style.css'];
    while (queue.length) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const r = await fetch(base + path);
      assert.equal(r.status, 200, path);
      const text = await r.text();
      assert.deepEqual(absoluteUrls(text), [], `${path} names no outside URL`);
      for (const m of text.matchAll(/from '(\.\/[^']+)'/g)) queue.push(new URL(m[1] as string, base + path).pathname);
    }
    assert.deepEqual([...seen].sort(), ['/app.js', '/js/announcements.js', '/js/api.js', '/js/charts.js', '/js/dom.js', '/js/feed.js', '/js/history.js', '/js/oracles.js', '/js/overview.js', '/js/submit.js', '/style.css']);
    assert.notEqual((await fetch(base + '/index.htm')).headers.get('content-security-policy'), null, "expected (await fetch(base + '/index.htm')).headers.get('content-security-policy') !== null");
  });

  it('serves Swagger UI at /docs/ from local assets, over this node\'s own spec', async () => {
    const redirect = await fetch(base + '/docs', { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/docs/');
    const res = await fetch(base + '/docs/');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.deepEqual(absoluteUrls(html), []);
    const assets = attrUrls(html);
    assert.deepEqual(assets.filter((u) => !u.startsWith('./')), []);
    for (const a of assets) assert.equal((await fetch(new URL(a, base + '/docs/'))).status, 200, a);
    const init = await (await fetch(base + '/docs/swagger-ui-init.js')).text();
    assert.match(init, /"swaggerUrl": "\/wolfram-mega-spec.yaml"/);
    assert.match(init, /"validatorUrl": null/);
    // swagger-ui-dist's own demo page (which loads the Petstore from the internet) is never served.
    assert.equal((await fetch(base + '/docs/index.html')).status, 404);
    assert.equal((await fetch(base + '/docs/swagger-initializer.js')).status, 404);
    const spec = await (await fetch(base + '/wolfram-mega-spec.yaml')).text();
    assert.match(spec, new RegExp(`servers:\\n  - url: ${base.replace(/\./g, '\\.')}\\n`));
  });

  it('streams a REST-posted oracle to a live client and counts it in /metrics and /stats', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${node.httpPort}/events`);
    const got: { event: string; type?: string; id?: string }[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d)) as { event: string }));
    await waitFor(() => got.length === 1, { message: 'hello' });
    const keys = makeKeys(77);
    const res = await fetch(base + '/oracle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeOracle({ keys })) });
    assert.equal(res.status, 201);
    await waitFor(() => got.length === 2, { message: 'accepted event' });
    assert.deepEqual({ event: got[1]?.event, type: got[1]?.type, id: got[1]?.id }, { event: 'mempool:accepted', type: 'oracle', id: keys.publicKey });
    const metrics = await (await fetch(base + '/metrics')).text();
    assert.match(metrics, /^mega_entities\{type="oracle"\} 1$/m);
    assert.match(metrics, /^mega_live_clients 1$/m);
    const stats = (await (await fetch(base + '/stats')).json()) as { admissions: { oracle: { accepted: number } }; liveClients: number };
    assert.equal(stats.admissions.oracle.accepted, 1);
    assert.equal(stats.liveClients, 1);
    assert.deepEqual(await (await fetch(base + '/peers')).json(), []);
    ws.close();
  });
});

describe('node.stop() with live clients', () => {
  it('closes them with 1001 and releases the port promptly', async () => {
    const node = await createTestNode();
    const ws = new WebSocket(`ws://127.0.0.1:${node.httpPort}/events`);
    let code = 0;
    ws.on('close', (c) => (code = c));
    await new Promise((r) => ws.once('open', r));
    const started = Date.now();
    await node.stop();
    await waitFor(() => code !== 0, { message: 'close' });
    assert.equal(code, 1001);
    assert.ok(Date.now() - started < 3000, `expected to finish within 3000 ms, took ${Date.now() - started} ms`);
  });
});
