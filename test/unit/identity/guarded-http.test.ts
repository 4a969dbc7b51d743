// test/unit/identity/guarded-http.test.ts - the outbound client's address guard: outside isTest a loopback target is refused before any connection, unless allowPrivate (then https is still required); raw bodies go out and come back as bytes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedRequest } from '../../../src/identity/guarded-http.ts';

describe('guardedRequest', () => {
  let server: http.Server;
  let port = 0;
  const seen: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(`${req.headers['content-type']} ${Buffer.concat(chunks).toString('hex')}`);
        res.writeHead(200, { 'content-type': 'message/ohttp-res' }).end(Buffer.from([1, 2, 3]));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const base = { timeoutMs: 2000, maxBytes: 1024, label: 'fact endpoint', urlName: 'endpoint' };

  it('refuses a loopback target outside isTest, without connecting', async () => {
    const before = seen.length;
    const r = await guardedRequest(`https://127.0.0.1:${port}/facts`, { ...base, isTest: false });
    assert.deepEqual(r, { ok: false, reason: 'fact endpoint host is a non-public address' });
    assert.equal(seen.length, before, 'no connection may be made');
  });

  it('allowPrivate lets a loopback target through but still requires https', async () => {
    const plain = await guardedRequest(`http://127.0.0.1:${port}/facts`, { ...base, isTest: false, allowPrivate: true });
    assert.deepEqual(plain, { ok: false, reason: 'endpoint must be https' });
    const tls = await guardedRequest(`https://127.0.0.1:${port}/facts`, { ...base, isTest: false, allowPrivate: true });
    assert.ok(!tls.ok && !/non-public/.test(tls.reason), `the address guard must pass (a TLS failure follows against a plain server): ${JSON.stringify(tls)}`);
  });

  it('sends raw bytes with their content type and returns the answer as bytes', async () => {
    const r = await guardedRequest(`http://127.0.0.1:${port}/ohttp`, { ...base, isTest: true, method: 'POST', raw: { contentType: 'message/ohttp-req', body: new Uint8Array([9, 8, 7]), accept: 'message/ohttp-res' } });
    assert.ok(r.ok && Buffer.isBuffer(r.body) && (r.body as Buffer).equals(Buffer.from([1, 2, 3])), JSON.stringify(r));
    assert.equal(seen.at(-1), 'message/ohttp-req 090807');
  });
});
