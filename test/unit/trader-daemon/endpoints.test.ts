// test/unit/trader-daemon/endpoints.test.ts - owns mega-trader's two HTTP faces without an engine: the counterparty endpoint (src/trader-daemon/peer-server.ts: body, media type, rate and concurrency limits, EngineError codes -> 4xx, a bug -> 500 logged) reached through the counterparty client (peer-client.ts: the peer's code comes back as PeerError, http refused unless allowed), and the cookie admin server (src/daemon/admin-server.ts: token, 0600 cookie, routes, 404/405, removal at stop).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CookieAdminServer, COOKIE_FILE, ADMIN_FILE, HttpError } from '../../../src/daemon/admin-server.ts';
import { httpErrorOf, statusOfCode } from '../../../src/trader-daemon/errors.ts';
import { HttpPeerClient, PeerError } from '../../../src/trader-daemon/peer-client.ts';
import { PeerServer } from '../../../src/trader-daemon/peer-server.ts';
import type { Envelope } from '../../../src/trader/types.ts';

const engineError = (code: string, message = code): Error => Object.assign(new Error(message), { name: 'EngineError', code });
const ENVELOPE: Envelope = { type: 'take', offerId: 'a'.repeat(64), from: '02' + 'b'.repeat(64), exchangeId: 'c'.repeat(64), body: '', signature: 'd'.repeat(128) };

async function post(url: string, body: string, type = 'application/json'): Promise<{ status: number; json: { error?: { code: string } } & Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, json: (await res.json()) as { error?: { code: string } } };
}

describe('counterparty endpoint and client', () => {
  const internal: unknown[] = [];
  let release: (() => void) | null = null;
  const server = new PeerServer(
    { host: '127.0.0.1', port: 0, maxBodyBytes: 4096, ratePerMinutePerClient: 1000, maxConcurrent: 2, requestTimeoutMs: 5000 },
    {
      receive: async (body) => {
        const b = body as { type?: string; code?: string };
        if (b.code) throw engineError(b.code);
        if (b.type === 'bug') throw new TypeError('x is undefined');
        if (b.type === 'hold') await new Promise<void>((r) => (release = r));
        return { ...ENVELOPE, type: 'offer_dlc' };
      },
      mapError: httpErrorOf,
      onInternalError: (e) => internal.push(e),
      info: () => ({ pubkey: ENVELOPE.from }),
    },
  );
  let base = '';
  after(() => server.stop());

  it('answers an envelope with the engine\'s answer, and GET with who answers', async () => {
    await server.start();
    base = `http://127.0.0.1:${server.port}`;
    const r = await post(`${base}/dlc/v0`, JSON.stringify(ENVELOPE));
    assert.equal(r.status, 200);
    assert.equal(r.json.type, 'offer_dlc');
    const g = await fetch(`${base}/dlc/v0`);
    assert.deepEqual(await g.json(), { pubkey: ENVELOPE.from });
  });

  it('maps engine codes to 4xx with {error: {code, message}}, never a 500 for bad input', async () => {
    const cases: [string, number][] = [
      ['bad-envelope-signature', 401],
      ['wrong-sender', 403],
      ['unknown-offer', 404],
      ['offer-taken', 409],
      ['terms-mismatch', 422],
      ['store-full', 503],
    ];
    for (const [code, status] of cases) {
      const r = await post(`${base}/dlc/v0`, JSON.stringify({ code }));
      assert.equal(r.status, status, `${code} must answer ${status}`);
      assert.equal(r.json.error?.code, code);
    }
    assert.equal((await post(`${base}/dlc/v0`, '{"nope"')).json.error?.code, 'bad-json');
    const wrongType = await post(`${base}/dlc/v0`, JSON.stringify(ENVELOPE), 'text/plain');
    assert.deepEqual([wrongType.status, wrongType.json.error?.code], [415, 'unsupported-media-type']);
    const big = await post(`${base}/dlc/v0`, JSON.stringify({ ...ENVELOPE, body: 'e'.repeat(5000) }));
    assert.deepEqual([big.status, big.json.error?.code], [413, 'too-large']);
    const empty = await post(`${base}/dlc/v0`, '');
    assert.deepEqual([empty.status, empty.json.error?.code], [400, 'bad-request']);
    assert.equal((await fetch(`${base}/other`)).status, 404);
    const put = await fetch(`${base}/dlc/v0`, { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    assert.equal(internal.length, 0, 'no bad input reached the bug path');
  });

  it('answers a bug with 500 internal and reports it', async () => {
    const r = await post(`${base}/dlc/v0`, JSON.stringify({ type: 'bug' }));
    assert.deepEqual([r.status, r.json.error?.code], [500, 'internal']);
    assert.equal(internal.length, 1);
  });

  it('refuses past maxConcurrent envelopes at once with 503 busy', async () => {
    const held = post(`${base}/dlc/v0`, JSON.stringify({ type: 'hold' }));
    const held2 = (async () => {
      // the second hold waits behind the first's resolver: a fresh one each time
      while (release === null) await new Promise((r) => setImmediate(r));
      const first = release;
      release = null;
      const p = post(`${base}/dlc/v0`, JSON.stringify({ type: 'hold' }));
      while (release === null) await new Promise((r) => setImmediate(r));
      return { first, p };
    })();
    const { first, p } = await held2;
    const third = await post(`${base}/dlc/v0`, JSON.stringify(ENVELOPE));
    assert.deepEqual([third.status, third.json.error?.code], [503, 'busy']);
    first();
    (release as unknown as () => void)();
    assert.equal((await held).status, 200);
    assert.equal((await p).status, 200);
  });

  it('the client returns the answer, and the peer\'s refusal as a PeerError with its code', async () => {
    const client = new HttpPeerClient({ timeoutMs: 5000, maxResponseBytes: 1 << 20, allowInsecure: true });
    const answer = await client.send(`${base}/`, ENVELOPE);
    assert.equal(answer.type, 'offer_dlc');
    await assert.rejects(client.send(base, { ...ENVELOPE, code: 'offer-taken' } as unknown as Envelope), (e: unknown) => e instanceof PeerError && e.code === 'offer-taken' && e.status === 409);
    await assert.rejects(client.send('http://127.0.0.1:1', ENVELOPE), (e: unknown) => e instanceof PeerError && e.code === 'peer-unreachable');
  });

  it('the client refuses plain http and loopback contacts unless allowInsecure', async () => {
    const strict = new HttpPeerClient({ timeoutMs: 5000, maxResponseBytes: 1 << 20, allowInsecure: false });
    await assert.rejects(strict.send(base, ENVELOPE), (e: unknown) => e instanceof PeerError && e.code === 'peer-unreachable' && /https/.test(e.message));
    await assert.rejects(strict.send('https://127.0.0.1:1', ENVELOPE), (e: unknown) => e instanceof PeerError && /non-public/.test(e.message));
  });

  it('the client refuses an answer over its byte limit', async () => {
    const tiny = new HttpPeerClient({ timeoutMs: 5000, maxResponseBytes: 64, allowInsecure: true });
    await assert.rejects(tiny.send(base, ENVELOPE), (e: unknown) => e instanceof PeerError && /larger than 64 bytes/.test(e.message));
  });
});

describe('counterparty endpoint rate limit', () => {
  const server = new PeerServer(
    { host: '127.0.0.1', port: 0, maxBodyBytes: 4096, ratePerMinutePerClient: 2, maxConcurrent: 4, requestTimeoutMs: 5000 },
    { receive: async () => ENVELOPE, mapError: httpErrorOf, onInternalError: () => undefined, info: () => ({}) },
  );
  after(() => server.stop());
  it('answers 429 rate-limited with retry-after past ratePerMinutePerClient envelopes from one address', async () => {
    await server.start();
    const url = `http://127.0.0.1:${server.port}/dlc/v0`;
    assert.equal((await post(url, JSON.stringify(ENVELOPE))).status, 200);
    assert.equal((await post(url, JSON.stringify(ENVELOPE))).status, 200);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ENVELOPE) });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '60');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'rate-limited');
  });
});

describe('error mapping', () => {
  it('maps only coded error classes; others are bugs', () => {
    assert.equal(statusOfCode('refund-not-final'), 409);
    assert.equal(statusOfCode('chain'), 502);
    assert.equal(statusOfCode('something-new'), 422);
    assert.equal(httpErrorOf(engineError('unknown-contract'))?.status, 404);
    assert.equal(httpErrorOf(Object.assign(new Error('x'), { name: 'WalletError', code: 'insufficient-funds' }))?.status, 409);
    assert.equal(httpErrorOf(Object.assign(new Error('x'), { code: 'ENOENT' })), null, 'a system error is not a caller error');
    assert.equal(httpErrorOf(new TypeError('boom')), null);
  });
});

describe('cookie admin server', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-admin-'));
  const admin = new CookieAdminServer({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1024,
    mapError: httpErrorOf,
    routes: [
      { method: 'GET', path: '/status', handle: () => ({ ok: true }) },
      { method: 'POST', path: '/things/:id/poke', handle: (p, body) => ({ id: p.id, body }) },
      { method: 'GET', path: '/things/:id', handle: (p) => { throw p.id === 'gone' ? engineError('unknown-contract', 'no such') : new HttpError(400, 'bad-request', 'id: nope'); } },
    ],
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a 0600 cookie and admin.json, checks the token, routes with parameters, and cleans up at stop', async () => {
    const url = await admin.start();
    const cookie = path.join(dir, COOKIE_FILE);
    assert.equal(fs.statSync(cookie).mode & 0o777, 0o600, 'the cookie is private');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, ADMIN_FILE), 'utf8')).url, url);
    const auth = { authorization: `Bearer ${fs.readFileSync(cookie, 'utf8').trim()}` };
    assert.equal((await fetch(`${url}/status`)).status, 401, 'no token, no answer');
    assert.equal((await fetch(`${url}/status`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })).status, 401);
    assert.deepEqual(await (await fetch(`${url}/status`, { headers: auth })).json(), { ok: true });
    const poke = await fetch(`${url}/things/abc/poke`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"x":1}' });
    assert.deepEqual(await poke.json(), { id: 'abc', body: { x: 1 } });
    const gone = await fetch(`${url}/things/gone`, { headers: auth });
    assert.deepEqual([gone.status, ((await gone.json()) as { error: { code: string } }).error.code], [404, 'unknown-contract']);
    assert.equal((await fetch(`${url}/things/x`, { headers: auth })).status, 400);
    const m = await fetch(`${url}/status`, { method: 'POST', headers: auth });
    assert.deepEqual([m.status, m.headers.get('allow')], [405, 'GET']);
    assert.equal((await fetch(`${url}/nope`, { headers: auth })).status, 404);
    const big = await fetch(`${url}/things/a/poke`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(2000) }) });
    assert.equal(big.status, 413);
    await admin.stop();
    assert.equal(fs.existsSync(cookie), false, 'the cookie is removed at stop');
    assert.equal(fs.existsSync(path.join(dir, ADMIN_FILE)), false);
  });
});
