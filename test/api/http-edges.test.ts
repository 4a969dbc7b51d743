// test/api/http-edges.test.ts - hostile HTTP edges of issue #12 (items 13, 14): malformed percent-escapes in a path are 400 invalid-path, compressed bodies are accepted, undecodable ones are 400, and the body limit applies after decoding (a gzip bomb is 413).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { buildApp } from './_app.ts';

const LIMIT = 64 * 1024;
const { app } = buildApp({ maxBodyBytes: LIMIT });
let server: http.Server;
let port = 0;

before(async () => {
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** POST raw bytes (supertest would re-serialize a Buffer sent as JSON). */
function postRaw(path: string, body: Buffer, encoding: string): Promise<{ status: number; body: { error?: { code?: string; message?: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } } }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const compress: Record<string, (b: Buffer) => Buffer> = { gzip: zlib.gzipSync, deflate: zlib.deflateSync, br: zlib.brotliCompressSync };

describe('REST: malformed percent-escapes in a path', () => {
  for (const path of ['/oracles/%ff', '/oracles/%ff/reputation', '/oracles/%c0%af', '/oracles/abc%zz', '/oracles/%']) {
    it(`GET ${path} is 400 invalid-path`, async () => {
      const res = await request(app).get(path);
      assert.equal(res.status, 400, `expected 400 for ${path}, got ${res.status}`);
      assert.equal(res.body.error?.code, 'invalid-path', 'expected error code invalid-path');
    });
  }
});

describe('REST: compressed request bodies', () => {
  for (const enc of ['gzip', 'deflate', 'br']) {
    it(`a valid ${enc} body is decoded and admitted (201)`, async () => {
      const oracle = makeOracle({ keys: makeKeys(enc.length + 40) });
      const res = await postRaw('/oracle', compress[enc]!(Buffer.from(JSON.stringify(oracle))), enc);
      assert.equal(res.status, 201, `expected the ${enc}-encoded oracle admitted, got ${res.status} ${JSON.stringify(res.body)}`);
    });

    it(`a body that is not ${enc} is 400 invalid-body-encoding`, async () => {
      const res = await postRaw('/oracle', Buffer.from('{"this is":"not compressed"}'), enc);
      assert.equal(res.status, 400, `expected 400 for an undecodable ${enc} body, got ${res.status}`);
      assert.equal(res.body.error?.code, 'invalid-body-encoding', 'expected error code invalid-body-encoding');
    });

    it(`a truncated ${enc} body is 400 invalid-body-encoding`, async () => {
      const whole = compress[enc]!(Buffer.from(JSON.stringify(makeOracle({ keys: makeKeys(60) }))));
      const res = await postRaw('/oracle', whole.subarray(0, Math.floor(whole.length / 2)), enc);
      assert.equal(res.status, 400, `expected 400 for a truncated ${enc} body, got ${res.status}`);
      assert.equal(res.body.error?.code, 'invalid-body-encoding', 'expected error code invalid-body-encoding');
    });

    it(`a ${enc} bomb (small on the wire, 32 MiB decoded) is 413: the limit applies after decoding`, async () => {
      const bomb = compress[enc]!(Buffer.alloc(32 * 1024 * 1024, 0x20));
      assert.equal(bomb.length < LIMIT, true, `expected the compressed bomb (${bomb.length} B) under the ${LIMIT} B limit on the wire`);
      const res = await postRaw('/oracle', bomb, enc);
      assert.equal(res.status, 413, `expected 413 for the ${enc} bomb, got ${res.status}`);
      assert.equal(res.body.error?.code, 'body-too-large', 'expected error code body-too-large');
    });
  }
});
