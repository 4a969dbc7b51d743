// test/api/respond.test.ts - sendJson answers byte for byte as Express's res.json: status, Content-Type, Content-Length, ETag, 304 on If-None-Match, HEAD without a body.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import express from 'express';
import { JSON_CONTENT_TYPE, sendJson } from '../../src/api/respond.ts';
import { rawServer, type RawServer } from './_raw-http.ts';

const BODIES: Record<string, unknown> = {
  list: [{ pubkey: '02' + 'ab'.repeat(32), tags: ['t1'], n: 1.5 }, { nested: { a: [null, true, false] } }],
  unicode: { question: 'Wird es in Zürich regnen? 東京 🌧', escapes: '"\\\n\t</script>' },
  empty: [],
  null: null,
  number: 42,
  string: 'plain',
  error: { error: { code: 'not-found', message: 'no route GET /x' } },
};
const STATUSES = [200, 201, 202, 404, 422];

let server: RawServer;
after(async () => {
  await server?.close();
});

/** /express/<body>/<status> answers with res.json, /ours/<body>/<status> with sendJson; same app, same settings. */
async function start(): Promise<RawServer> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/express/:body/:status', (req, res) => {
    res.status(Number(req.params.status)).json(BODIES[req.params.body as string]);
  });
  app.get('/ours/:body/:status', (req, res) => {
    sendJson(res, BODIES[req.params.body as string], Number(req.params.status));
  });
  server ??= await rawServer(http.createServer(app));
  return server;
}

describe('sendJson', () => {
  it('sends what res.json sends, for every body and status', async () => {
    const s = await start();
    for (const name of Object.keys(BODIES)) {
      for (const status of STATUSES) {
        const theirs = await s.ask('GET', `/express/${name}/${status}`);
        const ours = await s.ask('GET', `/ours/${name}/${status}`);
        assert.deepEqual(ours, theirs, `${name} ${status}`);
        assert.equal(ours.status, status);
        assert.ok(ours.headers.includes(`Content-Type: ${JSON_CONTENT_TYPE}`), 'expected ours.headers.includes(`Content-Type: ${JSON_CONTENT_TYPE}`)');
        assert.ok(ours.headers.includes(`Content-Length: ${Buffer.byteLength(ours.body)}`), `${name}: Content-Length is the UTF-8 byte length`);
        assert.deepEqual(JSON.parse(ours.body), BODIES[name]);
      }
    }
  });

  it('answers 304 without a body to a matching If-None-Match, and HEAD with the headers only, as res.json does', async () => {
    const s = await start();
    const full = await s.ask('GET', '/ours/unicode/200');
    const etag = full.headers.find((h) => h.startsWith('ETag: W/'))?.slice('ETag: '.length);
    assert.ok(etag, 'a weak ETag is sent');
    const conditional = { headers: { 'if-none-match': etag } };
    const ours = await s.ask('GET', '/ours/unicode/200', conditional);
    assert.equal(ours.status, 304);
    assert.equal(ours.body, '');
    assert.deepEqual(ours, await s.ask('GET', '/express/unicode/200', conditional));
    const head = await s.ask('HEAD', '/ours/list/200');
    assert.equal(head.body, '');
    assert.deepEqual(head, await s.ask('HEAD', '/express/list/200'));
    assert.deepEqual(head.headers, (await s.ask('GET', '/ours/list/200')).headers);
  });
});
