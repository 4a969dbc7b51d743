/** test/api/admin.test.ts - the operator edge of a real node (issue #19): admin API behind the cookie token (no token 401, wrong 401, remote 403 from a real non-loopback address of this machine), ban/unban/connect/disconnect/reload/compact, operator endpoints behind auth or on a separate admin listener, trustProxy rate limiting, HTTPS with a self-signed certificate reloaded in place. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import yaml from 'js-yaml';
import WebSocket from 'ws';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import type { MegaConfig } from '../../src/config/schema.ts';
import { MegaNode } from '../../src/node.ts';
import { makeSelfSignedCert } from '../helpers/fake-lnd.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { testNodeConfig, waitFor, stopAll, isPeerOf } from '../helpers/network.ts';

const nodes: MegaNode[] = [];
const dirs: string[] = [];
after(async () => {
  await stopAll(nodes);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-admin-'));
  dirs.push(d);
  return d;
}

/** Start a node whose config can be changed and reloaded (`cfg.value` is what the next reload reads). */
async function startNode(overrides: Record<string, unknown>): Promise<{ node: MegaNode; cfg: { value: Record<string, unknown> } }> {
  const cfg = { value: testNodeConfig(overrides) };
  const load = (): MegaConfig => parseConfig(cfg.value, 'test');
  const node = new MegaNode(load(), { log: pino({ level: 'silent' }), loadConfig: load });
  nodes.push(node);
  await node.start();
  return { node, cfg };
}

function tokenOf(node: MegaNode): string {
  return fs.readFileSync(node.cookiePath as string, 'utf8').replace(/^__cookie__:/, '');
}

/** A request with full control over the source address and headers; resolves with status, headers and parsed body. */
function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown; localAddress?: string; ca?: Buffer } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown; cert?: Buffer }> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: init.method ?? 'GET',
        headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
        ...(init.localAddress ? { localAddress: init.localAddress } : {}),
        ...(init.ca ? { ca: init.ca, agent: false } : {}),
      },
      (res) => {
        const cert = u.protocol === 'https:' ? (res.socket as TLSSocket).getPeerCertificate().raw : undefined;
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON (the page)
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ...(cert ? { cert } : {}) });
        });
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.end(JSON.stringify(init.body));
    else req.end();
  });
}

const code = (b: unknown): string | undefined => (b as { error?: { code?: string } }).error?.code;

describe('admin API and cookie', () => {
  let node: MegaNode;
  let cfg: { value: Record<string, unknown> };
  let base: string;
  let token: string;
  before(async () => {
    ({ node, cfg } = await startNode({ dataDir: path.join(tmp(), 'data'), listenAddress: '0.0.0.0' }));
    base = `http://127.0.0.1:${node.httpPort}`;
    token = tokenOf(node);
  });

  it('writes a fresh 0600 cookie `__cookie__:<64 hex>` into the data folder', () => {
    const st = fs.statSync(node.cookiePath as string);
    assert.equal(st.mode & 0o777, 0o600, 'the cookie is readable by its owner only');
    assert.equal(path.basename(node.cookiePath as string), '.cookie');
    assert.match(fs.readFileSync(node.cookiePath as string, 'utf8'), /^__cookie__:[0-9a-f]{64}$/);
  });

  it('refuses a request without a token or with a wrong one (401 + WWW-Authenticate); accepts Bearer and Basic with the cookie', async () => {
    const none = await request(`${base}/admin/status`);
    assert.equal(none.status, 401);
    assert.equal(code(none.body), 'admin-unauthorized');
    assert.match(String(none.headers['www-authenticate']), /^Bearer /);
    const wrong = await request(`${base}/admin/status`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } });
    assert.equal(wrong.status, 401, 'a wrong token is refused');
    const bearer = await request(`${base}/admin/status`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 200);
    const s = bearer.body as { listeners: { http: number; p2p: number }; counts: unknown; dataDir: string };
    assert.equal(s.listeners.http, node.httpPort);
    assert.equal(s.listeners.p2p, node.p2pPort);
    const basic = await request(`${base}/admin/bans`, { headers: { authorization: `Basic ${Buffer.from(`__cookie__:${token}`).toString('base64')}` } });
    assert.deepEqual([basic.status, basic.body], [200, { bans: [] }]);
  });

  it('refuses the right token from a non-loopback address (403), using a real address of this machine', async (t) => {
    const local = Object.values(os.networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4');
    if (!local) return t.skip('this machine has no non-loopback IPv4 address');
    // The node listens on 0.0.0.0; connecting to the machine's own address makes it the source address too.
    const r = await request(`http://${local.address}:${node.httpPort}/admin/status`, { headers: { authorization: `Bearer ${token}` }, localAddress: local.address });
    assert.equal(r.status, 403, `a request from ${local.address} must be refused`);
    assert.equal(code(r.body), 'admin-forbidden');
    // The public API still answers that address.
    assert.equal((await request(`http://${local.address}:${node.httpPort}/health`, { localAddress: local.address })).status, 200);
    // adminAllowFrom is reloadable: allow that address, and the same request passes.
    cfg.value = { ...cfg.value, adminAllowFrom: ['127.0.0.0/8', `${local.address}/32`] };
    assert.deepEqual(node.reload('test').ok, true);
    const ok = await request(`http://${local.address}:${node.httpPort}/admin/status`, { headers: { authorization: `Bearer ${token}` }, localAddress: local.address });
    assert.equal(ok.status, 200, 'allowed after adminAllowFrom was reloaded');
  });

  it('ban, list, unban; bad input is a 4xx with a code', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const ban = await request(`${base}/admin/bans`, { method: 'POST', headers: auth, body: { address: '203.0.113.7', durationMs: 60_000 } });
    assert.equal(ban.status, 201);
    assert.equal((ban.body as { address: string }).address, '203.0.113.7');
    assert.equal(node.pool.bans.isBanned('203.0.113.7'), true);
    const list = (await request(`${base}/admin/bans`, { headers: auth })).body as { bans: { address: string; until: string }[] };
    assert.deepEqual(list.bans.map((b) => b.address), ['203.0.113.7']);
    assert.equal(Math.abs(Date.parse(list.bans[0]?.until as string) - (Date.now() + 60_000)) < 30_000, true, 'until is about now + durationMs');
    assert.equal((await request(`${base}/admin/bans/203.0.113.7`, { method: 'DELETE', headers: auth })).status, 200);
    assert.equal(node.pool.bans.isBanned('203.0.113.7'), false);
    const again = await request(`${base}/admin/bans/203.0.113.7`, { method: 'DELETE', headers: auth });
    assert.deepEqual([again.status, code(again.body)], [404, 'not-banned']);
    const bad = await request(`${base}/admin/bans`, { method: 'POST', headers: auth, body: { address: 'not-an-ip' } });
    assert.deepEqual([bad.status, code(bad.body)], [400, 'invalid-address']);
    const badDur = await request(`${base}/admin/bans`, { method: 'POST', headers: auth, body: { address: '203.0.113.8', durationMs: 5 } });
    assert.deepEqual([badDur.status, code(badDur.body)], [400, 'invalid-duration']);
    const unknown = await request(`${base}/admin/nothing`, { headers: auth });
    assert.equal(unknown.status, 404);
  });

  it('connect dials a peer, disconnect drops it, and banning its address drops and refuses it', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const { node: other } = await startNode({});
    const c = await request(`${base}/admin/connect`, { method: 'POST', headers: auth, body: { host: '127.0.0.1', port: other.p2pPort } });
    assert.equal(c.status, 202);
    await waitFor(() => isPeerOf(node, other), { message: 'the dialed peer connected', timeoutMs: 20_000 });
    const peers = (await request(`${base}/admin/peers`, { headers: auth })).body as { peers: { address: string; httpPort: number }[] };
    const p = peers.peers.find((x) => x.httpPort === other.httpPort);
    assert.ok(p, 'the new peer is listed');
    const d = await request(`${base}/admin/disconnect`, { method: 'POST', headers: auth, body: { address: p.address } });
    assert.deepEqual([d.status, (d.body as { disconnected: number }).disconnected], [200, 1]);
    await waitFor(() => !isPeerOf(node, other), { message: 'the peer was disconnected' });
    const none = await request(`${base}/admin/disconnect`, { method: 'POST', headers: auth, body: { address: '198.51.100.1' } });
    assert.deepEqual([none.status, code(none.body)], [404, 'no-such-peer']);
    // The other node dials in again; banning its address (loopback here: an operator ban overrides the whitelist) drops it and refuses it.
    other.pool.connect('127.0.0.1', node.p2pPort);
    await waitFor(() => isPeerOf(node, other), { message: 'the peer dialed back in', timeoutMs: 20_000 });
    const ban = await request(`${base}/admin/bans`, { method: 'POST', headers: auth, body: { address: '127.0.0.1', durationMs: 60_000 } });
    assert.equal(ban.status, 201);
    assert.equal((ban.body as { disconnected: number }).disconnected >= 1, true, 'its connections were dropped');
    await waitFor(() => !isPeerOf(node, other), { message: 'the banned peer is gone' });
    other.pool.connect('127.0.0.1', node.p2pPort);
    // A negative: the banned address must not get in within a deadline generous for a loopback handshake.
    await assert.rejects(waitFor(() => isPeerOf(node, other), { timeoutMs: 3000 }), /timed out/, 'a banned address must be refused');
    assert.equal((await request(`${base}/admin/bans/127.0.0.1`, { method: 'DELETE', headers: auth })).status, 200);
  });

  it('reload applies a new PoW threshold at once and names what needs a restart; an invalid config applies nothing (422)', async () => {
    const auth = { authorization: `Bearer ${token}` };
    cfg.value = { ...cfg.value, powThresholdOracles: 12, maxOracles: 5 };
    const r = await request(`${base}/admin/reload`, { method: 'POST', headers: auth });
    assert.equal(r.status, 200);
    const out = r.body as { reloaded: string[]; needsRestart: string[] };
    assert.equal(out.reloaded.includes('powThresholdOracles'), true, `reloaded: ${out.reloaded.join(',')}`);
    assert.deepEqual(out.needsRestart, ['maxOracles']);
    const low = await request(`${base}/oracle`, { method: 'POST', body: makeOracle({ keys: makeKeys(901), difficulty: 2 }) });
    assert.deepEqual([low.status, code(low.body)], [422, 'pow-below-threshold'], 'the new threshold applies to the next admission');
    const status = (await request(`${base}/status`)).body as { limits: { powThresholdOracles: number; maxOracles: number } };
    assert.deepEqual([status.limits.powThresholdOracles, status.limits.maxOracles], [12, 10000], 'GET /status shows the thresholds in force, not the restart-only value');
    cfg.value = { ...cfg.value, powThresholdOracles: 'high' };
    const bad = await request(`${base}/admin/reload`, { method: 'POST', headers: auth });
    assert.deepEqual([bad.status, code(bad.body)], [422, 'invalid-config']);
    assert.equal(node.config.powThresholdOracles, 12, 'nothing applied from an invalid config');
  });

  it('compact folds the journal into a snapshot', async () => {
    const auth = { authorization: `Bearer ${token}` };
    cfg.value = { ...cfg.value, powThresholdOracles: 0 };
    node.reload('test');
    assert.equal((await request(`${base}/oracle`, { method: 'POST', body: makeOracle({ keys: makeKeys(902) }) })).status, 201);
    assert.equal((node.store?.pendingBytes ?? 0) > 0, true, 'the admission was journaled');
    const r = await request(`${base}/admin/compact`, { method: 'POST', headers: auth });
    assert.equal(r.status, 200);
    assert.equal((r.body as { journalBytesBefore: number }).journalBytesBefore > 0, true);
    assert.equal(node.store?.pendingBytes, 0, 'the journal is empty after compaction');
  });

  it('removes its cookie at stop', async () => {
    const { node: n } = await startNode({ dataDir: path.join(tmp(), 'd2') });
    const p = n.cookiePath as string;
    assert.equal(fs.existsSync(p), true);
    await n.stop();
    assert.equal(fs.existsSync(p), false, 'no stale token is left behind');
  });
});

describe('operator endpoints, admin listener', () => {
  it('operatorEndpoints "admin": /metrics, /stats, /peers need the token on the public listener; the rest of the API does not', async () => {
    const { node } = await startNode({ dataDir: path.join(tmp(), 'data'), operatorEndpoints: 'admin' });
    const base = `http://127.0.0.1:${node.httpPort}`;
    for (const p of ['/metrics', '/stats', '/peers']) assert.equal((await request(base + p)).status, 401, `${p} without a token`);
    const auth = { authorization: `Bearer ${tokenOf(node)}` };
    for (const p of ['/metrics', '/stats', '/peers']) assert.equal((await request(base + p, { headers: auth })).status, 200, `${p} with the token`);
    assert.equal((await request(`${base}/status`)).status, 200, 'the public API stays public');
  });

  it('adminPort: /admin and the operator endpoints move to the admin listener; the public listener answers 404 for them', async () => {
    const { node } = await startNode({ dataDir: path.join(tmp(), 'data'), operatorEndpoints: 'admin', adminPort: 0 });
    assert.equal(node.adminPort > 0 && node.adminPort !== node.httpPort, true, 'a second listener');
    const pub = `http://127.0.0.1:${node.httpPort}`;
    const adm = `http://127.0.0.1:${node.adminPort}`;
    const auth = { authorization: `Bearer ${tokenOf(node)}` };
    assert.equal((await request(`${pub}/admin/status`, { headers: auth })).status, 404);
    assert.equal((await request(`${pub}/metrics`, { headers: auth })).status, 404);
    assert.equal((await request(`${adm}/admin/status`, { headers: auth })).status, 200);
    assert.equal((await request(`${adm}/metrics`, { headers: auth })).status, 200);
    assert.equal((await request(`${adm}/metrics`)).status, 401, 'the admin listener needs the token too');
    assert.equal((await request(`${adm}/oracles`)).status, 404, 'the public API is not on the admin listener');
  });

  it('without dataDir or adminCookiePath the admin API is off (503), never open', async () => {
    const { node } = await startNode({ dataDir: null });
    assert.equal(node.cookiePath, null);
    const r = await request(`http://127.0.0.1:${node.httpPort}/admin/status`, { headers: { authorization: 'Bearer x' } });
    assert.deepEqual([r.status, code(r.body)], [503, 'admin-disabled']);
  });
});

describe('trustProxy', () => {
  it('rate-limits by the X-Forwarded-For client only when the proxy is trusted', async () => {
    const limits = { httpRateLimitPerSecond: 1, httpRateBurst: 2 };
    const { node: trusting, cfg } = await startNode({ ...limits, trustProxy: ['127.0.0.1'] });
    const { node: plain } = await startNode(limits);
    const hit = (n: MegaNode, client: string) => request(`http://127.0.0.1:${n.httpPort}/health`, { headers: { 'x-forwarded-for': client } }).then((r) => r.status);
    // Behind a trusted proxy each client has its own bucket (and is not loopback, so it is limited).
    const a = [await hit(trusting, '203.0.113.9'), await hit(trusting, '203.0.113.9'), await hit(trusting, '203.0.113.9')];
    assert.deepEqual(a, [200, 200, 429], 'the third request of one forwarded client within a second is limited');
    assert.equal(await hit(trusting, '203.0.113.10'), 200, 'another forwarded client has its own bucket');
    // Untrusted: the header is ignored; the TCP peer (loopback, exempt) is the client.
    const b = [await hit(plain, '203.0.113.9'), await hit(plain, '203.0.113.9'), await hit(plain, '203.0.113.9'), await hit(plain, '203.0.113.9')];
    assert.deepEqual(b, [200, 200, 200, 200], 'a forged X-Forwarded-For from an untrusted peer changes nothing');
    // trustProxy and the limits are reloadable: stop trusting the proxy, and the header is ignored at once.
    cfg.value = { ...cfg.value, trustProxy: [] };
    const out = trusting.reload('test');
    assert.deepEqual(out.ok && out.outcome.reloaded, ['trustProxy']);
    assert.deepEqual([await hit(trusting, '203.0.113.9'), await hit(trusting, '203.0.113.9'), await hit(trusting, '203.0.113.9')], [200, 200, 200], 'loopback again, exempt');
  });
});

describe('HTTPS', () => {
  it('serves the API over TLS with the configured self-signed certificate and serves a replaced one after reload', async () => {
    const first = makeSelfSignedCert();
    dirs.push(first.dir);
    const d = tmp();
    const certPath = path.join(d, 'cert.pem');
    const keyPath = path.join(d, 'key.pem');
    fs.copyFileSync(first.certPath, certPath);
    fs.copyFileSync(first.keyPath, keyPath);
    const { node } = await startNode({ httpsPort: 0, tlsCertPath: certPath, tlsKeyPath: keyPath });
    assert.equal(node.httpsPort > 0, true);
    const url = `https://127.0.0.1:${node.httpsPort}/status`;
    const r1 = await request(url, { ca: first.cert });
    assert.equal(r1.status, 200);
    // The live feed is served over TLS too (wss://…/events), its hello first.
    const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${node.httpsPort}/events`, { ca: first.cert });
      ws.once('message', (m) => {
        resolve(JSON.parse(String(m)) as Record<string, unknown>);
        ws.close();
      });
      ws.once('error', reject);
    });
    assert.equal(hello.event, 'hello', 'the HTTPS listener serves /events');
    const fp = (der: Buffer | undefined) => crypto.createHash('sha256').update(der ?? Buffer.alloc(0)).digest('hex');
    assert.equal(fp(r1.cert), fp(new crypto.X509Certificate(first.cert).raw), 'the configured certificate is served');
    await assert.rejects(request(url), /self-signed|certificate/i, 'a client that does not trust it refuses it (real TLS)');
    // Renewal: new files at the same paths, then reload.
    const second = makeSelfSignedCert();
    dirs.push(second.dir);
    fs.copyFileSync(second.certPath, certPath);
    fs.copyFileSync(second.keyPath, keyPath);
    const out = node.reload('test');
    assert.equal(out.ok && out.outcome.reloaded.includes('tlsCertificate'), true, 'the reload names the certificate');
    const r2 = await request(url, { ca: second.cert });
    assert.equal(r2.status, 200);
    assert.equal(fp(r2.cert), fp(new crypto.X509Certificate(second.cert).raw), 'new connections get the new certificate');
    // A broken file keeps the old certificate in use.
    fs.writeFileSync(keyPath, 'not a key');
    const bad = node.reload('test');
    assert.equal(bad.ok && bad.outcome.reloaded.includes('tlsCertificate'), false);
    assert.equal((await request(url, { ca: second.cert })).status, 200, 'still serving the last good certificate');
  });

  it('refuses to start with unreadable TLS files, naming the file', async () => {
    const cfg = parseConfig(testNodeConfig({ httpsPort: 0, tlsCertPath: '/nonexistent/cert.pem', tlsKeyPath: '/nonexistent/key.pem' }), 'test');
    const node = new MegaNode(cfg, { log: pino({ level: 'silent' }) });
    await assert.rejects(node.start(), /cannot read the TLS certificate \/nonexistent\/cert\.pem: ENOENT/);
    await node.stop();
  });
});

describe('the admin routes in wolfram-mega-spec.yaml', () => {
  it('are exactly the routes of the admin router, marked x-admin, with the bearer scheme', () => {
    const doc = yaml.load(fs.readFileSync(new URL('../../wolfram-mega-spec.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, { 'x-admin'?: boolean; security?: unknown[] }>> };
    const inSpec: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      if (!p.startsWith('/admin/')) continue;
      for (const [m, op] of Object.entries(ops)) {
        assert.equal(op['x-admin'], true, `${m.toUpperCase()} ${p} must be x-admin (served by the admin router, not the spec routes)`);
        assert.deepEqual(op.security, [{ adminCookie: [] }], `${m.toUpperCase()} ${p} needs the adminCookie scheme`);
        inSpec.push(`${m.toUpperCase()} ${p.replace(/\{([a-z]+)\}/gi, ':$1')}`);
      }
    }
    const src = fs.readFileSync(new URL('../../src/api/admin.ts', import.meta.url), 'utf8');
    const routed = [...src.matchAll(/r\.(get|post|delete)\('([^']+)'/g)].map((m) => `${(m[1] as string).toUpperCase()} /admin${m[2] as string}`);
    assert.deepEqual(inSpec.sort(), routed.sort(), 'the spec documents every admin route and no other');
  });
});
