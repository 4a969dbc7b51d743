// test/api/server-classes.test.ts - apiServerClasses: requests reach Express already carrying the app's prototypes (no per-request prototype swap), the app's request/response prototypes keep their chain and members, and the answers are byte for byte those of a plain node:http server.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import express from 'express';
import { apiServerClasses } from '../../src/api/server-classes.ts';
import { buildApp } from './_app.ts';
import { rawServer, type RawServer } from './_raw-http.ts';
import { makeCapability, makeKeys, makeOracle } from '../helpers/factory.ts';

async function populated() {
  const t = buildApp();
  const keys = [makeKeys(301), makeKeys(302)];
  const oracles = [makeOracle({ keys: keys[0]!, difficulty: 1, tags: ['sports'] }), makeOracle({ keys: keys[1]!, difficulty: 3, tags: ['weather'] })];
  for (const o of oracles) assert.equal((await t.service.admit('oracle', o)).status, 'accepted');
  assert.equal((await t.service.admit('capability', makeCapability({ oracleKeys: keys[0]!, capKeys: makeKeys(311), question: 'Will it rain in Zürich?' }))).status, 'accepted');
  return { ...t, oracles };
}

const servers: RawServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('apiServerClasses', () => {
  it('builds req and res with the app prototypes before Express sees them, and they are still node:http objects', async () => {
    const { app } = await populated();
    const server = http.createServer({ ...apiServerClasses(app) });
    const seen: boolean[][] = [];
    // Registered before the app: sees the objects as node:http built them, before app.handle runs.
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      seen.push([
        Object.getPrototypeOf(req) === app.request,
        Object.getPrototypeOf(res) === app.response,
        req instanceof http.IncomingMessage,
        res instanceof http.ServerResponse,
      ]);
    });
    server.on('request', app);
    const s = await rawServer(server);
    servers.push(s);
    assert.equal((await s.ask('GET', '/oracles')).status, 200);
    assert.equal((await s.ask('GET', '/nowhere')).status, 404);
    assert.deepEqual(seen, [
      [true, true, true, true],
      [true, true, true, true],
    ]);
  });

  it("keeps the app's request/response prototypes: same chain to Express's and node:http's, same members", async () => {
    const { app } = await populated();
    const before = { request: app.request, response: app.response };
    const classes = apiServerClasses(app);
    assert.equal(Object.getPrototypeOf(app.request), express.request);
    assert.equal(Object.getPrototypeOf(app.response), express.response);
    assert.equal(app.request, classes.IncomingMessage.prototype);
    assert.equal(app.response, classes.ServerResponse.prototype);
    assert.equal((app.request as { app?: unknown }).app, app);
    assert.equal((app.response as { app?: unknown }).app, app);
    assert.notEqual(app.request, before.request);
    assert.deepEqual(Object.keys(app.request), Object.keys(before.request));
    assert.deepEqual(Object.keys(app.response), Object.keys(before.response));
  });

  it('a plain server hands Express objects whose prototype it must swap (what the classes avoid)', async () => {
    const { app } = await populated();
    const server = http.createServer();
    let swapped: boolean | undefined;
    server.on('request', (req: http.IncomingMessage) => {
      swapped = Object.getPrototypeOf(req) !== app.request;
    });
    server.on('request', app);
    const s = await rawServer(server);
    servers.push(s);
    assert.equal((await s.ask('GET', '/health')).status, 200);
    assert.equal(swapped, true, 'expected swapped to be true');
  });

  it('requests reuse the same hidden classes (V8 maps); with a plain server every request gets new ones', () => {
    // Two requests held in flight together are compared at the same point (in the handler), in a
    // child process that may use V8's %HaveSameMap. Per-request maps are what made every request
    // allocate ~10 KB of maps and inline-cache handlers in the old generation (see server-classes.ts).
    const child = `
      import http from 'node:http';
      import express from 'express';
      import { apiServerClasses } from ${JSON.stringify(new URL('../../src/api/server-classes.ts', import.meta.url).href)};
      const sameMaps = async (withClasses) => {
        const app = express();
        const held = [];
        const results = [];
        app.get('/x', (req, res) => {
          held.push([req, res]);
          if (held.length < 2) return;
          const [[q1, r1], [q2, r2]] = held.splice(0);
          results.push(%HaveSameMap(q1, q2) && %HaveSameMap(r1, r2));
          r1.end('a');
          r2.end('b');
        });
        const server = http.createServer(withClasses ? apiServerClasses(app) : {}, app);
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        const get = () => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port: server.address().port, path: '/x' }, (s) => { s.resume(); s.on('end', resolve); }).on('error', reject));
        for (let i = 0; i < 20; i++) await Promise.all([get(), get()]);
        server.close();
        return results.slice(5).every(Boolean);
      };
      console.log(JSON.stringify({ withClasses: await sameMaps(true), plain: await sameMaps(false) }));
    `;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8', cwd: new URL('../..', import.meta.url) });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop() as string), { withClasses: true, plain: false });
  });

  it('answers exactly as a plain node:http server does: lookups, errors, 405, HEAD, 304, submissions', async () => {
    const a = await populated();
    const b = await populated();
    const plain = await rawServer(http.createServer(a.app));
    const withClasses = await rawServer(http.createServer({ ...apiServerClasses(b.app) }, b.app));
    servers.push(plain, withClasses);
    const pk = a.oracles[0]!.pubkey;
    const extra = JSON.stringify(makeOracle({ keys: makeKeys(399), difficulty: 2 }));
    const json = { 'content-type': 'application/json' };
    const asks: [string, string, { body?: string; headers?: Record<string, string> }?][] = [
      ['GET', '/oracles'],
      ['GET', '/oracles?question=z%C3%BCrich'],
      ['GET', '/oracles?tag=weather&chunkSize=1'],
      ['GET', `/oracles/${pk}`],
      ['GET', `/reports?pubkey=${pk}`],
      ['GET', '/oracles/not-a-key'],
      ['GET', '/oracles?page=-1'],
      ['DELETE', '/oracles'],
      ['HEAD', '/oracles'],
      ['GET', '/status'],
      ['POST', '/oracle', { body: extra, headers: json }],
      ['POST', '/oracle', { body: extra, headers: json }],
      ['POST', '/oracle', { body: '{"a":', headers: json }],
    ];
    for (const [method, path, opts] of asks) {
      assert.deepEqual(await withClasses.ask(method, path, opts), await plain.ask(method, path, opts), `${method} ${path}`);
    }
    const first = await plain.ask('GET', '/oracles');
    const etag = first.headers.find((h) => h.startsWith('ETag: '))?.slice('ETag: '.length);
    assert.ok(etag, 'expected etag');
    const conditional = { headers: { 'if-none-match': etag } };
    const notModified = await withClasses.ask('GET', '/oracles', conditional);
    assert.equal(notModified.status, 304);
    assert.deepEqual(notModified, await plain.ask('GET', '/oracles', conditional));
  });
});
