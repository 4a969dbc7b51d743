// test/api/live-events.test.ts - the /events WebSocket feed with real ws clients: event shapes, a slow reader dropped with 1013 while a fast one keeps everything, the client cap, dead clients, stop().
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import yaml from 'js-yaml';
import type { MonitoringOptions } from '../../src/api/monitoring.ts';
import { buildMonitoredApp, fakePeer, parseMetrics } from './_monitor-app.ts';
import { makeCapability, makeKeys, makeOracle, testSchemas } from '../helpers/factory.ts';
import { waitFor } from '../helpers/wait.ts';

const servers: { close: () => Promise<void> }[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** A monitored app on a real HTTP server on loopback, with the live feed attached. */
async function serve(opts: { monitoring?: MonitoringOptions; maxOracles?: number } = {}) {
  const t = buildMonitoredApp({ monitoring: opts.monitoring, mempool: { maxOracles: opts.maxOracles ?? 100, maxCapabilities: 10 } });
  const server = http.createServer(t.app);
  t.monitoring.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    await t.monitoring.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  servers.push({ close });
  return { ...t, port, base: `http://127.0.0.1:${port}`, url: `ws://127.0.0.1:${port}/events`, close };
}

/** A client that records every message and its close code. */
function client(url: string, opts: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, opts);
  const got: Record<string, unknown>[] = [];
  const state = { open: false, closeCode: 0, status: 0 };
  ws.on('open', () => (state.open = true));
  ws.on('message', (d) => got.push(JSON.parse(String(d)) as Record<string, unknown>));
  ws.on('close', (code) => (state.closeCode = code));
  ws.on('unexpected-response', (_req, res) => {
    state.status = res.statusCode ?? 0;
    ws.terminate();
  });
  ws.on('error', () => undefined);
  return { ws, got, state };
}

const post = (base: string, path: string, body: unknown) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('GET /events filters and resume', () => {
  it('delivers only what a client filtered for: one oracle, a question word, event names', async () => {
    const s = await serve();
    const k1 = makeKeys(41);
    const k2 = makeKeys(42);
    const byOracle = client(`${s.url}?oracle=${k1.publicKey}`);
    const byWord = client(`${s.url}?question=RAIN`);
    const byName = client(`${s.url}?events=mempool:accepted`);
    await waitFor(() => byOracle.got.length === 1 && byWord.got.length === 1 && byName.got.length === 1, { message: 'three hellos' });
    for (const o of [makeOracle({ keys: k1, difficulty: 1 }), makeOracle({ keys: k2, difficulty: 1 })]) assert.equal((await post(s.base, '/oracle', o)).status, 201);
    assert.equal((await post(s.base, '/capability', makeCapability({ oracleKeys: k2, capKeys: makeKeys(43), question: 'Will it rain tomorrow?' }))).status, 201);
    s.monitoring.publishPeer('peer:connect', fakePeer({}));
    await waitFor(() => byName.got.length === 4, { message: 'three accepted events for the events= client' });
    assert.deepEqual(byOracle.got.slice(1).map((e) => [e.event, e.id]), [['mempool:accepted', k1.publicKey]], 'oracle= passes only that oracle\'s events (no peer events)');
    assert.deepEqual(byWord.got.slice(1).map((e) => [e.event, e.type]), [['mempool:accepted', 'capability']], 'question= passes capabilities whose question has the word, any case');
    assert.ok(byName.got.slice(1).every((e) => e.event === 'mempool:accepted'), 'events= passes only the names asked for');
    for (const c of [byOracle, byWord, byName]) c.ws.close();
  });

  it('refuses a malformed filter with 400 at the upgrade', async () => {
    const s = await serve();
    for (const q of ['oracle=xyz', 'events=mempool:accepted,nope', 'since=5', 'colour=red', 'question=two%20words']) {
      const c = client(`${s.url}?${q}`);
      await waitFor(() => c.state.status !== 0 || c.state.open, { message: `answer to ${q}` });
      assert.equal(c.state.status, 400, `${q} must be refused with 400`);
    }
  });

  it('a client that reconnects with since and epoch gets what it missed, and is told when it cannot', async () => {
    const s = await serve();
    const k = makeKeys(51);
    const first = client(`${s.url}?oracle=${k.publicKey}`);
    await waitFor(() => first.got.length === 1, { message: 'hello' });
    assert.equal((await post(s.base, '/oracle', makeOracle({ keys: k, difficulty: 1 }))).status, 201);
    await waitFor(() => first.got.length === 2, { message: 'first event' });
    const { epoch } = first.got[0] as { epoch: string };
    const lastSeen = (first.got[1] as { seq: number }).seq;
    first.ws.close();
    await waitFor(() => s.monitoring.live.clientCount === 0, { message: 'gone' });
    // Missed while away: another oracle (filtered out) and a new version of ours.
    assert.equal((await post(s.base, '/oracle', makeOracle({ keys: makeKeys(52), difficulty: 1 }))).status, 201);
    assert.equal((await post(s.base, '/oracle', makeOracle({ keys: k, difficulty: 1, seqNo: 1 }))).status, 201);
    const back = client(`${s.url}?oracle=${k.publicKey}&since=${lastSeen}&epoch=${epoch}`);
    await waitFor(() => back.got.length === 2, { message: 'hello and the one missed event' });
    assert.deepEqual((back.got[0] as { resume: unknown }).resume, { replayed: 1, complete: true });
    assert.equal(back.got[1]?.replaced, true, 'the replayed event is the new version of our oracle');
    assert.equal(back.got[1]?.seq, lastSeen + 2, 'sequence numbers count every event, filtered or not');
    const stranger = client(`${s.url}?since=0&epoch=0000000000000000`);
    await waitFor(() => stranger.got.length === 1, { message: 'hello' });
    assert.deepEqual((stranger.got[0] as { resume: unknown }).resume, { replayed: 0, complete: false }, 'another epoch: nothing replayed, told to list again');
    back.ws.close();
    stranger.ws.close();
  });
});

describe('GET /events (WebSocket)', () => {
  it("the spec's /events examples are LiveEvents (peer:relay among them)", () => {
    const doc = yaml.load(fs.readFileSync('wolfram-mega-spec.yaml', 'utf8')) as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { examples?: Record<string, { value: unknown }> }> }> } }> };
    const examples = doc.paths['/events']?.get.responses['101']?.content['application/json']?.examples ?? {};
    const values = Object.values(examples).map((e) => e.value as { event: string });
    assert.deepEqual(values.map((v) => v.event), ['peer:relay'], 'expected the peer:relay example');
    const liveEvent = testSchemas().component('LiveEvent');
    for (const v of values) assert.equal(liveEvent(v), true, `${v.event} example matches LiveEvent: ${JSON.stringify(liveEvent.errors)}`);
  });

  it('sends hello, accepted and evicted items with type and id, and peer events', async () => {
    const s = await serve({ maxOracles: 1 });
    const c = client(s.url);
    await waitFor(() => c.got.length === 1, { message: 'hello' });
    const time = new Date(s.clock.now()).toISOString(); // the fake clock: every event carries it
    const epoch = (c.got[0] as { epoch: string }).epoch;
    assert.match(epoch, /^[0-9a-f]{16}$/);
    assert.deepEqual(c.got[0], { event: 'hello', time, maxQueuedMessages: 1000, maxBufferedBytes: 1048576, epoch, seq: 0 });

    const k1 = makeKeys(1);
    const k2 = makeKeys(2);
    assert.equal((await post(s.base, '/oracle', makeOracle({ keys: k1, difficulty: 1, tags: ['<i>x</i>'] }))).status, 201);
    assert.equal((await post(s.base, '/oracle', makeOracle({ keys: k2, difficulty: 3 }))).status, 201);
    s.monitoring.publishPeer('peer:connect', fakePeer({ userAgent: '/other:1.0/' }));
    s.monitoring.publishPeer('peer:disconnect', fakePeer({ userAgent: '/other:1.0/' }));
    s.monitoring.publishPeer('peer:relay', fakePeer({ userAgent: '/other:1.0/', relay: 'lazy' }));
    await waitFor(() => c.got.length === 7, { message: 'six events' });
    const peer = { address: '127.0.0.1:18444', direction: 'outbound', userAgent: '/other:1.0/', shard: { count: 1, index: 0 }, connectedSince: '2024-01-01T00:00:00.000Z', bytesIn: 10, bytesOut: 20, lastSeen: '2024-01-01T00:01:00.000Z', relay: 'eager' };
    assert.deepEqual(c.got.slice(1), [
      { event: 'mempool:accepted', time, type: 'oracle', id: k1.publicKey, oraclePubKey: k1.publicKey, replaced: false, tags: ['<i>x</i>'], seq: 1 },
      { event: 'mempool:evicted', time, type: 'oracle', id: k1.publicKey, oraclePubKey: k1.publicKey, cause: 'rank', seq: 2 },
      { event: 'mempool:accepted', time, type: 'oracle', id: k2.publicKey, oraclePubKey: k2.publicKey, replaced: false, seq: 3 },
      { event: 'peer:connect', time, peer, seq: 4 },
      { event: 'peer:disconnect', time, peer, seq: 5 },
      { event: 'peer:relay', time, peer: { ...peer, relay: 'lazy' }, seq: 6 },
    ]);
    const liveEvent = testSchemas().component('LiveEvent');
    for (const e of c.got) assert.equal(liveEvent(e), true, `${String(e.event)} matches the spec's LiveEvent: ${JSON.stringify(liveEvent.errors)}`);
    c.ws.close();
    await waitFor(() => s.monitoring.live.clientCount === 0, { message: 'server forgets the client' });
  });

  it('drops a client that stops reading (close 1013) while a reading client gets every event', async () => {
    const s = await serve({ monitoring: { live: { maxBufferedBytes: 64 * 1024, maxQueuedMessages: 200, closeGraceMs: 10_000 } } });
    const slow = client(s.url);
    const fast = client(s.url);
    await waitFor(() => slow.state.open && fast.state.open && s.monitoring.live.clientCount === 2, { message: 'two clients' });
    slow.ws.pause(); // stop reading: the kernel buffers fill, then the node's send queue

    const oracleKeys = makeKeys(1);
    const capKeys = makeKeys(2);
    assert.equal((await s.service.admit('oracle', makeOracle({ keys: oracleKeys }))).status, 'accepted');
    // Real admissions, each a ~1.2 KB event: seqNo updates of one capability with a long question.
    const question = 'Will it rain? '.repeat(70);
    let accepted = 1;
    const deadline = Date.now() + 60_000;
    while (s.monitoring.live.clientCount === 2) {
      if (Date.now() > deadline) throw new Error('the slow client was never dropped');
      for (let i = 0; i < 100; i++) {
        const r = await s.service.admit('capability', makeCapability({ oracleKeys, capKeys, question, seqNo: accepted }));
        assert.equal(r.status, 'accepted');
        accepted++;
      }
      await new Promise((r) => setImmediate(r)); // let the fast client read
    }
    assert.equal(s.monitoring.live.clientCount, 1);
    const metrics = parseMetrics(await (await fetch(s.base + '/metrics')).text());
    assert.equal(metrics.get('mega_live_dropped_total{reason="slow-client"}'), 1);

    // The fast client got everything, in order; the slow one, once it reads again, finds the close.
    await waitFor(() => fast.got.length === 1 + accepted, { message: `fast client has all ${accepted} events`, timeoutMs: 20_000 });
    assert.equal(fast.got.filter((e) => e.type === 'capability').length, accepted - 1);
    assert.equal(fast.state.closeCode, 0);
    slow.ws.resume();
    await waitFor(() => slow.state.closeCode !== 0, { message: 'slow client sees the close', timeoutMs: 15_000 });
    assert.equal(slow.state.closeCode, 1013);
    assert.ok(slow.got.length < fast.got.length, `expected slow.got.length < fast.got.length, got slow.got.length = ${slow.got.length}, fast.got.length = ${fast.got.length}`);
    fast.ws.close();
  });

  it('caps the number of clients: the one over the cap gets HTTP 503 at the upgrade', async () => {
    const s = await serve({ monitoring: { live: { maxClients: 2 } } });
    const a = client(s.url);
    const b = client(s.url);
    await waitFor(() => a.state.open && b.state.open, { message: 'two clients' });
    const c = client(s.url);
    await waitFor(() => c.state.status !== 0, { message: 'third refused' });
    assert.equal(c.state.status, 503);
    assert.equal(c.state.open, false, 'expected c.state.open to be false');
    const metrics = parseMetrics(await (await fetch(s.base + '/metrics')).text());
    assert.equal(metrics.get('mega_live_clients'), 2);
    assert.equal(metrics.get('mega_live_dropped_total{reason="max-clients"}'), 1);
    a.ws.close();
    await waitFor(() => s.monitoring.live.clientCount === 1, { message: 'a slot frees' });
    const d = client(s.url);
    await waitFor(() => d.state.open, { message: 'a new client fits again' });
    b.ws.close();
    d.ws.close();
  });

  it('answers 404 to an upgrade on any other path', async () => {
    const s = await serve();
    const c = client(`ws://127.0.0.1:${s.port}/other`);
    await waitFor(() => c.state.status !== 0, { message: 'refusal' });
    assert.equal(c.state.status, 404);
  });

  it('cuts a client that stops answering pings', async () => {
    const s = await serve({ monitoring: { live: { pingIntervalMs: 200 } } });
    const dead = client(s.url, { autoPong: false });
    const alive = client(s.url);
    await waitFor(() => dead.state.open && alive.state.open, { message: 'clients' });
    await waitFor(() => dead.state.closeCode !== 0, { message: 'dead client cut' });
    assert.equal(dead.state.closeCode, 1006);
    assert.equal(alive.state.closeCode, 0);
    assert.equal(s.monitoring.live.clientCount, 1);
    alive.ws.close();
  });

  it('stop() closes every client with 1001', async () => {
    const s = await serve();
    const c = client(s.url);
    await waitFor(() => c.state.open, { message: 'open' });
    await s.close();
    await waitFor(() => c.state.closeCode !== 0, { message: 'closed' });
    assert.equal(c.state.closeCode, 1001);
  });
});
