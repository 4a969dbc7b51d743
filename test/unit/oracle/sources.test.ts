// test/unit/oracle/sources.test.ts - owns src/oracle/sources.ts: RFC 6901 pointers (the RFC's own examples), http-json against a local server (arguments URL-encoded, status, timeout, size limit, non-scalar), command without a shell (stdout, JSON pointer, exit code, timeout), file, and manual.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MAX_SOURCE_BYTES, readPointer, resolveValue, SourceError, type SourceConfig } from '../../../src/oracle/sources.ts';

let server: http.Server;
let base: string;
let dir: string;
const seen: string[] = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-sources-'));
  server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('{}'), 2000);
    if (req.url?.startsWith('/fail')) {
      res.writeHead(503);
      return void res.end();
    }
    if (req.url?.startsWith('/huge')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(`"${'x'.repeat(MAX_SOURCE_BYTES + 10)}"`);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { price: 97250.5, list: [1, 2], obj: {} }, 'a/b': 'slash', url: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function failsWith(src: SourceConfig, expected: string, args?: Record<string, string>): Promise<void> {
  await assert.rejects(resolveValue(src, args), (e: unknown) => e instanceof SourceError && e.code === expected, `expected SourceError ${expected}`);
}

describe('readPointer (RFC 6901 section 5 examples)', () => {
  const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };
  it('finds every example', () => {
    assert.deepEqual(readPointer(doc, ''), doc);
    assert.deepEqual(readPointer(doc, '/foo'), ['bar', 'baz']);
    const table: [string, unknown][] = [['/foo/0', 'bar'], ['/', 0], ['/a~1b', 1], ['/c%d', 2], ['/e^f', 3], ['/g|h', 4], ['/i\\j', 5], ['/k"l', 6], ['/ ', 7], ['/m~0n', 8]];
    for (const [p, v] of table) assert.equal(readPointer(doc, p), v, p);
  });
  it('refuses what is not there', () => {
    for (const p of ['/nope', '/foo/2', '/foo/01', '/foo/-', 'foo']) assert.throws(() => readPointer(doc, p), (e: unknown) => e instanceof SourceError && e.code === 'pointer-missing', p);
  });
});

describe('resolveValue', () => {
  it('http-json: reads the value at the pointer; arguments are URL-encoded into the template', async () => {
    assert.equal(await resolveValue({ type: 'http-json', url: `${base}/p`, pointer: '/data/price', timeoutMs: 2000 }), 97250.5);
    assert.equal(await resolveValue({ type: 'http-json', url: `${base}/q?city={city}`, pointer: '/url', timeoutMs: 2000 }, { city: 'a b&c=d' }), '/q?city=a%20b%26c%3Dd');
  });
  it('http-json: status, timeout, size, shape and pointer failures are SourceErrors with codes', async () => {
    await failsWith({ type: 'http-json', url: `${base}/fail`, pointer: '', timeoutMs: 2000 }, 'http-status');
    await failsWith({ type: 'http-json', url: `${base}/slow`, pointer: '', timeoutMs: 200 }, 'timeout');
    await failsWith({ type: 'http-json', url: `${base}/huge`, pointer: '', timeoutMs: 5000 }, 'too-large');
    await failsWith({ type: 'http-json', url: `${base}/p`, pointer: '/data/obj', timeoutMs: 2000 }, 'not-a-scalar');
    await failsWith({ type: 'http-json', url: `${base}/p`, pointer: '/data/none', timeoutMs: 2000 }, 'pointer-missing');
    await failsWith({ type: 'http-json', url: 'http://127.0.0.1:1/', pointer: '', timeoutMs: 2000 }, 'fetch-failed');
  });
  it('command: stdout (trimmed) or JSON at a pointer; no shell, so arguments are never interpreted', async () => {
    assert.equal(await resolveValue({ type: 'command', command: [process.execPath, '-e', 'console.log(" 42 ")'], timeoutMs: 10000 }), '42');
    assert.equal(await resolveValue({ type: 'command', command: [process.execPath, '-e', 'console.log(JSON.stringify({v: process.argv[1]}))', '{x}'], timeoutMs: 10000, pointer: '/v' }, { x: '$(rm -rf /); `id`' }), '$(rm -rf /); `id`');
    await failsWith({ type: 'command', command: [process.execPath, '-e', 'process.exit(3)'], timeoutMs: 10000 }, 'command-failed');
    await failsWith({ type: 'command', command: [process.execPath, '-e', 'setTimeout(() => {}, 5000)'], timeoutMs: 300 }, 'timeout');
    await failsWith({ type: 'command', command: [path.join(dir, 'no-such-program')], timeoutMs: 1000 }, 'command-failed');
  });
  it('file: re-read at each use', async () => {
    const f = path.join(dir, 'v.json');
    fs.writeFileSync(f, JSON.stringify({ v: 1 }));
    assert.equal(await resolveValue({ type: 'file', path: f, pointer: '/v' }), 1);
    fs.writeFileSync(f, JSON.stringify({ v: 2 }));
    assert.equal(await resolveValue({ type: 'file', path: f, pointer: '/v' }), 2);
    fs.writeFileSync(f, '{not json');
    await failsWith({ type: 'file', path: f, pointer: '/v' }, 'bad-json');
    await failsWith({ type: 'file', path: path.join(dir, 'missing.json'), pointer: '' }, 'file-unreadable');
  });
  it('manual: no value to read (an operator posts it)', async () => {
    await failsWith({ type: 'manual' }, 'manual');
  });
});
