// test/unit/identity/manifest.test.ts - website manifests: every way a manifest can be wrong, fetch limits (scheme, redirects, size, timeout, private addresses), background checks, re-check un-verifying a vanished manifest, and the REST view and filter.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import request from 'supertest';
import { isNonPublicAddress } from '../../../src/identity/guarded-http.ts';
import { checkManifest, fetchManifest, ManifestChecker, type FetchResult, type Manifest, type ManifestFetch } from '../../../src/identity/manifest.ts';
import { signObject } from '../../../src/protocol/sign.ts';
import { buildApp } from '../../api/_app.ts';
import { recordingLog } from './_log.ts';
import { makeKeys, makeOracle, newServiceForTest, type KeyPair } from '../../helpers/factory.ts';
import { waitFor } from '../../helpers/network.ts';

const SILENT = pino({ level: 'silent' });
const K = makeKeys(701);
const OTHER = makeKeys(702);

function signed(m: Omit<Manifest, 'signature'>, keys: KeyPair): Manifest {
  return { ...m, signature: signObject(m, 'signature', keys.privateKey) };
}
const good = (keys = K, domain = 'localhost'): Manifest => signed({ domain, pubkey: keys.publicKey, signatureType: 'ecdsa-secp256k1' }, keys);

/** A tiny web server: path -> [status, body, headers]; `/slow` never answers. */
const routes = new Map<string, { status: number; body: string; headers?: Record<string, string> }>();
let server: http.Server;
let port = 0;
const pending = new Set<http.ServerResponse>();
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/slow') return void pending.add(res);
    const r = routes.get(req.url ?? '');
    if (!r) return void res.writeHead(404).end('not found');
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  for (const r of pending) r.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
const url = (path: string, host = 'localhost') => `http://${host}:${port}${path}`;
// A generous timeout: a loaded CI machine must not turn a local answer into a timeout; only /slow (which never answers) times out, and that test sets its own.
const TEST_FETCH = { isTest: true, timeoutMs: 10_000, maxBytes: 4096 };

describe('checkManifest', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', [1], 'manifest is not a JSON object'],
    ['an unknown member', { ...good(), extra: 1 }, 'manifest has unknown member "extra"'],
    ['another pubkey', good(OTHER), 'manifest pubkey is not this oracle'],
    ['signed by another key', { ...signed({ domain: 'localhost', pubkey: K.publicKey, signatureType: 'ecdsa-secp256k1' }, OTHER) }, 'manifest signature does not verify against the oracle pubkey'],
    ['a tampered domain', { ...good(), domain: 'LOCALHOST.' }, 'manifest domain "LOCALHOST." is not the host it was fetched from'],
    ['another domain', good(K, 'example.com'), 'manifest domain "example.com" is not the host it was fetched from'],
    ['another signature type', { ...good(), signatureType: 'schnorr' }, 'manifest signatureType must be "ecdsa-secp256k1"'],
    ['a malformed signature', { ...good(), signature: 'zz' }, 'manifest signature must be 128 lowercase hex characters'],
  ];
  for (const [name, doc, reason] of cases) {
    it(`refuses ${name}`, () => assert.equal(checkManifest(doc, K.publicKey, 'localhost'), reason));
  }
  it('accepts a manifest naming the key, signed by it, for the host (case-insensitive)', () => {
    assert.equal(checkManifest(good(), K.publicKey, 'localhost'), null);
    assert.equal(checkManifest(good(K, 'LocalHost'), K.publicKey, 'localhost'), null);
  });
});

describe('fetchManifest', () => {
  it('fetches JSON and reports the host', async () => {
    routes.set('/ok', { status: 200, body: JSON.stringify(good()) });
    assert.deepEqual(await fetchManifest(url('/ok'), TEST_FETCH), { ok: true, body: good(), host: 'localhost' });
  });
  it('refuses plain http outside test mode, and non-URLs', async () => {
    assert.deepEqual(await fetchManifest(url('/ok'), { ...TEST_FETCH, isTest: false }), { ok: false, reason: 'manifestUri must be https' });
    assert.deepEqual(await fetchManifest('not a url', TEST_FETCH), { ok: false, reason: 'manifestUri is not a URL' });
  });
  it('refuses loopback and private addresses outside test mode (literal and resolved)', async () => {
    assert.deepEqual(await fetchManifest('https://127.0.0.1/m.json', { ...TEST_FETCH, isTest: false }), { ok: false, reason: 'manifest host is a non-public address' });
    const r = await fetchManifest('https://localhost:1/m.json', { ...TEST_FETCH, isTest: false });
    assert.equal(r.ok, false, 'expected r.ok to be false');
    assert.equal(!r.ok && /non-public address/.test(r.reason), true, JSON.stringify(r));
    for (const ip of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.1.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) assert.equal(isNonPublicAddress(ip), true, ip);
    for (const ip of ['8.8.8.8', '2001:4860:4860::8888', '172.32.0.1']) assert.equal(isNonPublicAddress(ip), false, ip);
  });
  it('does not follow redirects', async () => {
    routes.set('/moved', { status: 302, body: '', headers: { location: url('/ok') } });
    assert.deepEqual(await fetchManifest(url('/moved'), TEST_FETCH), { ok: false, reason: 'manifest answered 302: redirects are not followed' });
  });
  it('refuses oversize bodies, non-JSON, errors, and slow servers', async () => {
    routes.set('/big', { status: 200, body: JSON.stringify({ pad: 'x'.repeat(5000) }) });
    routes.set('/text', { status: 200, body: 'hello' });
    assert.deepEqual(await fetchManifest(url('/big'), TEST_FETCH), { ok: false, reason: 'manifest larger than 4096 bytes' });
    assert.deepEqual(await fetchManifest(url('/text'), TEST_FETCH), { ok: false, reason: 'manifest is not JSON' });
    assert.deepEqual(await fetchManifest(url('/gone'), TEST_FETCH), { ok: false, reason: 'manifest answered 404' });
    assert.deepEqual(await fetchManifest(url('/slow'), { ...TEST_FETCH, timeoutMs: 300 }), { ok: false, reason: 'manifest did not arrive within 300 ms' });
  });
  it('ends with "aborted" when its signal aborts, before the timeout', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const res = fetchManifest(url('/slow'), { ...TEST_FETCH, timeoutMs: 60_000 }, ac.signal);
    ac.abort();
    assert.deepEqual(await res, { ok: false, reason: 'manifest fetch aborted' });
    assert.equal(Date.now() - started < 30_000, true, 'expected the abort, not the 60 s timeout, to end the fetch');
    assert.deepEqual(await fetchManifest(url('/ok'), TEST_FETCH, ac.signal), { ok: false, reason: 'manifest fetch aborted' }, 'expected an aborted signal to fetch nothing');
  });
});

describe('ManifestChecker', () => {
  function rig(log = SILENT) {
    const t = newServiceForTest();
    const checker = new ManifestChecker({ ...TEST_FETCH, maxConcurrent: 2, maxQueued: 100, recheckIntervalMs: 60_000 }, { service: t.service, log, now: t.clock.now });
    return { ...t, checker };
  }

  it('logs info when a manifest verifies, a warning when it cannot be fetched, info when a wrong one arrives', async () => {
    const { log, lines } = recordingLog();
    const r = rig(log);
    routes.set('/log.json', { status: 200, body: JSON.stringify(good()) });
    assert.equal((await r.service.admit('oracle', makeOracle({ keys: K, manifestUri: url('/log.json') }))).status, 'accepted');
    await r.checker.idle();
    routes.delete('/log.json');
    r.checker.recheckAll();
    await r.checker.idle();
    routes.set('/log.json', { status: 200, body: JSON.stringify(good(OTHER)) });
    r.checker.recheckAll();
    await r.checker.idle();
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.obj.key, l.obj.reason ?? l.obj.domain]),
      [
        ['info', 'oracle manifest verified', K.publicKey, 'localhost'],
        ['warn', 'oracle manifest fetch failed', K.publicKey, 'manifest answered 404'],
        ['info', 'oracle manifest not verified', K.publicKey, 'manifest pubkey is not this oracle'],
      ],
      'expected one line per change: verified (info), no manifest (warn), a wrong manifest (info)',
    );
    r.checker.stop();
  });

  it('stop() aborts a fetch in flight: it ends as aborted, not by its timeout, and changes nothing', async () => {
    const t = newServiceForTest();
    const results: FetchResult[] = [];
    const fetch: ManifestFetch = async (uri, opts, signal) => {
      const res = await fetchManifest(uri, opts, signal);
      results.push(res);
      return res;
    };
    const checker = new ManifestChecker({ ...TEST_FETCH, timeoutMs: 60_000, maxConcurrent: 2, maxQueued: 100, recheckIntervalMs: 60_000 }, { service: t.service, log: SILENT, fetch });
    const held = pending.size;
    assert.equal((await t.service.admit('oracle', makeOracle({ keys: K, manifestUri: url('/slow') }))).status, 'accepted');
    await waitFor(() => pending.size === held + 1, { message: 'the /slow request reached the server' });
    checker.stop();
    await waitFor(() => results.length === 1, { message: 'the fetch ended' });
    assert.deepEqual(results, [{ ok: false, reason: 'manifest fetch aborted' }], 'expected the fetch ended by the abort (its timeout is 60 s)');
    assert.deepEqual(checker.manifestStatus(K.publicKey), { manifestVerified: false, manifestDomain: null, manifestReason: 'not checked yet' }, 'expected the aborted fetch to write nothing');
  });

  it('verifies in the background, and a manifest that disappears un-verifies on re-check', async () => {
    const r = rig();
    routes.set('/k1.json', { status: 200, body: JSON.stringify(good()) });
    const ad = makeOracle({ keys: K, manifestUri: url('/k1.json') });
    assert.equal((await r.service.admit('oracle', ad)).status, 'accepted');
    assert.equal(r.checker.isVerified(K.publicKey), false, 'expected r.checker.isVerified(K.publicKey) to be false');
    await r.checker.idle();
    assert.deepEqual(r.checker.manifestStatus(K.publicKey), { manifestVerified: true, manifestDomain: 'localhost' });
    assert.equal(r.checker.verifiedCount(), 1);
    routes.delete('/k1.json');
    r.checker.recheckAll();
    await r.checker.idle();
    assert.deepEqual(r.checker.manifestStatus(K.publicKey), { manifestVerified: false, manifestDomain: null, manifestReason: 'manifest answered 404' });
    assert.equal(r.checker.verifiedCount(), 0);
    r.checker.stop();
  });

  it('a manifest of another oracle, or fetched from another host than it names, stays unverified', async () => {
    const r = rig();
    routes.set('/other.json', { status: 200, body: JSON.stringify(good(OTHER)) });
    routes.set('/k2.json', { status: 200, body: JSON.stringify(good()) });
    assert.equal((await r.service.admit('oracle', makeOracle({ keys: K, manifestUri: url('/other.json') }))).status, 'accepted');
    assert.equal((await r.service.admit('oracle', makeOracle({ keys: makeKeys(703), manifestUri: url('/k2.json', '127.0.0.1') }))).status, 'accepted');
    await r.checker.idle();
    assert.deepEqual(r.checker.manifestStatus(K.publicKey), { manifestVerified: false, manifestDomain: null, manifestReason: 'manifest pubkey is not this oracle' });
    assert.equal(r.checker.manifestStatus(makeKeys(703).publicKey).manifestReason, 'manifest pubkey is not this oracle');
    r.checker.stop();
  });

  it('GET /oracles/{pubkey} shows manifestVerified and the domain; GET /oracles?manifestVerified= filters', async () => {
    let checker!: ManifestChecker;
    const t = buildApp({ withManifests: (service) => (checker = new ManifestChecker({ ...TEST_FETCH, maxConcurrent: 2, maxQueued: 100, recheckIntervalMs: 60_000 }, { service, log: SILENT })) });
    const app = t.app;
    routes.set('/k3.json', { status: 200, body: JSON.stringify(good()) });
    const verified = makeOracle({ keys: K, manifestUri: url('/k3.json'), difficulty: 1 });
    const plain = makeOracle({ keys: OTHER, difficulty: 3 });
    for (const o of [verified, plain]) assert.equal((await t.service.admit('oracle', o)).status, 'accepted');
    await checker.idle();
    const one = await request(app).get(`/oracles/${K.publicKey}`);
    assert.equal(one.body.manifestVerified, true, 'expected one.body.manifestVerified to be true');
    assert.equal(one.body.manifestDomain, 'localhost');
    assert.deepEqual((await request(app).get('/oracles?manifestVerified=true')).body.map((e: { oracle: unknown }) => e.oracle), [verified]);
    assert.deepEqual((await request(app).get('/oracles?manifestVerified=false')).body.map((e: { oracle: unknown }) => e.oracle), [plain]);
    assert.deepEqual((await request(app).get('/oracles')).body.map((e: { oracle: unknown }) => e.oracle), [plain, verified]);
    checker.stop();
  });

  it('GET /oracles?manifestVerified=true walks the listing only as far as its last verified oracle', async () => {
    let checker!: ManifestChecker;
    const t = buildApp({ mempool: { maxOracles: 1000 }, withManifests: (service) => (checker = new ManifestChecker({ ...TEST_FETCH, maxConcurrent: 2, maxQueued: 100, recheckIntervalMs: 60_000 }, { service, log: SILENT })) });
    // The handler walks one doubling prefix from the top (api/oracle-page.ts prefixFetch): each call is
    // page 0 of a growing size, so the sizes show how deep a request walked.
    const calls: number[] = [];
    const listOracles = t.service.listOracles.bind(t.service);
    t.service.listOracles = (page, filter) => {
      assert.equal(page.page, 0, 'the prefix is always read from the top');
      calls.push(page.chunkSize);
      return listOracles(page, filter);
    };
    // 250 plain oracles below one verified oracle at the top.
    for (let i = 0; i < 250; i++) assert.equal((await t.service.admit('oracle', makeOracle({ keys: makeKeys(10_000 + i), difficulty: 0 }))).status, 'accepted');
    assert.deepEqual((await request(t.app).get('/oracles?manifestVerified=true')).body.map((e: { oracle: unknown }) => e.oracle), []);
    assert.deepEqual(calls, [], 'no verified manifest: nothing to walk');
    routes.set('/k4.json', { status: 200, body: JSON.stringify(good()) });
    const top = makeOracle({ keys: K, manifestUri: url('/k4.json'), difficulty: 4 });
    assert.equal((await t.service.admit('oracle', top)).status, 'accepted');
    await checker.idle();
    assert.deepEqual((await request(t.app).get('/oracles?manifestVerified=true')).body.map((e: { oracle: unknown }) => e.oracle), [top]);
    assert.deepEqual(calls, [10], 'stops in the first batch (the page\'s depth, 10), where the only verified oracle is');
    calls.length = 0;
    assert.equal((await request(t.app).get('/oracles?manifestVerified=false&page=2&chunkSize=100')).body.length, 50);
    assert.deepEqual(calls, [300], 'the unselective filter walks all 251 in one read of the page\'s depth (300), not one per batch from the top');
    checker.stop();
  });
});
