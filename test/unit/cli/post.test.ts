/** test/unit/cli/post.test.ts - `mega post` against a stub HTTP server: endpoint per type, body sent as is, the node's answer printed, exit codes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from './run-cli.ts';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

const seen: Seen[] = [];
let server: http.Server;
let base: string;
/** Canned answers by path: [status, body]. */
const answers: Record<string, [number, string]> = {
  '/oracle': [201, JSON.stringify({ result: 'accepted', id: 'o' })],
  '/capability': [200, JSON.stringify({ result: 'duplicate', id: 'c' })],
  '/report': [422, JSON.stringify({ error: { code: 'pow-invalid', message: 'pow.hash has fewer than 8 leading zero bits' } })],
  '/prefix/dispute': [201, JSON.stringify({ result: 'accepted', id: 'd' })],
  '/dispute': [500, '<html>oops</html>'],
};

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body });
      const [status, text] = answers[req.url ?? ''] ?? [404, '{"error":{"code":"not-found","message":"no route"}}'];
      res.writeHead(status, { 'content-type': text.startsWith('{') ? 'application/json' : 'text/html' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const seenAt = (url: string): Seen | undefined => seen.find((s) => s.url === url);

describe('mega post', { concurrency: true }, () => {
  test('an oracle ad goes to POST /oracle as is; a 201 answer is printed and exits 0', async () => {
    const text = '{"pubkey": "02aa", "seqNo": 0}\n';
    const r = await runCli(['post', '-', '--node', base], { input: text });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { result: 'accepted', id: 'o' });
    assert.equal(r.stderr, '');
    assert.deepEqual(seenAt('/oracle'), { method: 'POST', url: '/oracle', contentType: 'application/json', body: text });
  });

  test('a capability (detected by its keys) via $MEGA_NODE; a 200 duplicate exits 0', async () => {
    const r = await runCli(['post', '-'], { input: '{"oraclePubKey": "a", "capabilityPubKey": "b"}', env: { MEGA_NODE: base } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { result: 'duplicate', id: 'c' });
    assert.equal(seenAt('/capability')?.method, 'POST');
  });

  test('a 422 answer is printed, explained on stderr and exits 1', async () => {
    const r = await runCli(['post', '-', '--node', base], { input: '{"oraclePubKey": "a", "content": {}}' });
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(answers['/report']?.[1] ?? ''));
    assert.equal(r.stderr, 'mega: the node refused the report: HTTP 422 pow-invalid: pow.hash has fewer than 8 leading zero bits\n');
  });

  test('--type overrides detection and a path prefix of --node is kept', async () => {
    const r = await runCli(['post', '-', '--node', `${base}/prefix`, '--type', 'dispute'], { input: '{"anything": true}' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { result: 'accepted', id: 'd' });
  });

  test('a non-JSON answer exits 1 and says so', async () => {
    const r = await runCli(['post', '-', '--node', base], { input: '{"reportId": "x"}' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /answered HTTP 500 with a body that is not JSON/);
  });

  test('an unreachable node exits 1 with the reason', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await runCli(['post', '-', '--node', `http://127.0.0.1:${port}`], { input: '{"pubkey": "x"}' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `mega: cannot reach the node at http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  test('an unrecognisable message is refused before anything is sent', async () => {
    const r = await runCli(['post', '-', '--node', base], { input: '{"hello": 1}' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'mega: cannot tell what kind of message this is; give --type\n');
  });
});
