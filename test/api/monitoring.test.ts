// test/api/monitoring.test.ts - GET /metrics, /stats, /peers and /events on the real app: values after known submissions, per-node registries, peer source, and what is routed without monitoring.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp } from './_app.ts';
import { buildMonitoredApp, fakePeer, parseMetrics } from './_monitor-app.ts';
import { makeCapability, makeKeys, makeOracle, testSchemas } from '../helpers/factory.ts';

/** Assert `value` matches the spec's component schema `name` (the spec documents what is served). */
function assertSchema(name: string, value: unknown): void {
  const v = testSchemas().component(name);
  assert.equal(v(value), true, `${name}: ${JSON.stringify(v.errors)}`);
}

const scrape = async (app: Parameters<typeof request>[0]) => {
  const res = await request(app).get('/metrics');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  return parseMetrics(res.text);
};

/** Known traffic: 2 oracles accepted (the second evicts the first), 1 duplicate, 1 bad PoW, 1 capability of an unknown oracle. */
async function knownTraffic(app: Parameters<typeof request>[0]) {
  const a = makeOracle({ keys: makeKeys(1), difficulty: 2 });
  const b = makeOracle({ keys: makeKeys(2), difficulty: 4 });
  const badPow = { ...makeOracle({ keys: makeKeys(3), difficulty: 1 }), pow: { difficulty: 1, algorithm: 'SHA256', hash: 'f'.repeat(64), magicNo: 0 } };
  const orphan = makeCapability({ oracleKeys: makeKeys(4), capKeys: makeKeys(5), question: 'Who wins?' });
  const statuses: number[] = [];
  for (const [path, body] of [['/oracle', a], ['/oracle', a], ['/oracle', badPow], ['/capability', orphan], ['/oracle', b]] as const) {
    statuses.push((await request(app).post(path).send(body)).status);
  }
  assert.deepEqual(statuses, [201, 200, 422, 422, 201]);
}

describe('GET /metrics', () => {
  it('counts entities, admissions by outcome, rejections by reason, evictions and HTTP latency', async () => {
    const { app } = buildMonitoredApp({ mempool: { maxOracles: 1 } });
    await knownTraffic(app);
    const m = await scrape(app);
    const expected: Record<string, number> = {
      'mega_entities{type="oracle"}': 1,
      'mega_entities{type="capability"}': 0,
      'mega_admissions_total{type="oracle",result="accepted"}': 2,
      'mega_admissions_total{type="oracle",result="duplicate"}': 1,
      'mega_admissions_total{type="oracle",result="rejected"}': 1,
      'mega_admissions_total{type="capability",result="rejected"}': 1,
      'mega_rejected_total{type="oracle",reason="pow-invalid"}': 1,
      'mega_rejected_total{type="capability",reason="unknown-oracle"}': 1,
      'mega_evictions_total{type="oracle",cause="rank"}': 1,
      'mega_http_request_duration_seconds_count{method="POST",route="/oracle",status="201"}': 2,
      'mega_http_request_duration_seconds_count{method="POST",route="/oracle",status="200"}': 1,
      'mega_http_request_duration_seconds_count{method="POST",route="/oracle",status="422"}': 1,
      'mega_http_request_duration_seconds_count{method="POST",route="/capability",status="422"}': 1,
      'mega_peers{direction="inbound"}': 0,
      'mega_peers{direction="outbound"}': 0,
      'mega_p2p_bytes_total{direction="in"}': 0,
      'mega_p2p_bytes_total{direction="out"}': 0,
      mega_live_clients: 0,
    };
    for (const [k, v] of Object.entries(expected)) assert.equal(m.get(k), v, k);
    // Event-loop lag comes from prom-client's collector on the same registry.
    const lag = m.get('nodejs_eventloop_lag_p99_seconds');
    assert.equal(typeof lag === 'number' && lag >= 0, true, 'nodejs_eventloop_lag_p99_seconds present');
    // The first scrape itself is timed too, under its route pattern.
    assert.equal((await scrape(app)).get('mega_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}'), 1);
  });

  it('reads peers and P2P byte totals from the peer source, counting up from the last scrape', async () => {
    const { app, peers, monitoring } = buildMonitoredApp();
    peers.peers = [fakePeer({ direction: 'inbound' }), fakePeer({ direction: 'outbound' }), fakePeer({ direction: 'outbound' })];
    peers.bytes = { bytesIn: 1000, bytesOut: 2000 };
    let m = await scrape(app);
    assert.equal(m.get('mega_peers{direction="inbound"}'), 1);
    assert.equal(m.get('mega_peers{direction="outbound"}'), 2);
    assert.equal(m.get('mega_p2p_bytes_total{direction="in"}'), 1000);
    assert.equal(m.get('mega_p2p_bytes_total{direction="out"}'), 2000);
    peers.bytes = { bytesIn: 1500, bytesOut: 2100 };
    monitoring.publishPeer('peer:connect', fakePeer());
    monitoring.publishPeer('peer:disconnect', fakePeer());
    monitoring.publishPeer('peer:connect', fakePeer());
    m = await scrape(app);
    assert.equal(m.get('mega_p2p_bytes_total{direction="in"}'), 1500);
    assert.equal(m.get('mega_p2p_bytes_total{direction="out"}'), 2100);
    assert.equal(m.get('mega_peer_events_total{event="connect"}'), 2);
    assert.equal(m.get('mega_peer_events_total{event="disconnect"}'), 1);
  });

  it('keeps one registry per node: two apps in one process never share or collide', async () => {
    const one = buildMonitoredApp();
    const two = buildMonitoredApp();
    assert.equal((await request(one.app).post('/oracle').send(makeOracle({ keys: makeKeys(9) }))).status, 201);
    assert.equal((await scrape(one.app)).get('mega_entities{type="oracle"}'), 1);
    assert.equal((await scrape(two.app)).get('mega_entities{type="oracle"}'), 0);
    assert.equal((await scrape(two.app)).get('mega_admissions_total{type="oracle",result="accepted"}'), undefined);
  });

  it('refuses unknown query parameters like every spec route', async () => {
    const { app } = buildMonitoredApp();
    const res = await request(app).get('/metrics?x=1');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'unknown-parameter');
  });
});

describe('GET /stats', () => {
  it('tallies outcomes per type and reason, evictions, and accepted items per second', async () => {
    const { app, clock } = buildMonitoredApp({ mempool: { maxOracles: 1 } });
    await knownTraffic(app);
    clock.advance(1000);
    assert.equal((await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(6), difficulty: 6 }))).status, 201);
    const res = await request(app).get('/stats');
    assert.equal(res.status, 200);
    const s = res.body;
    assertSchema('Stats', s);
    assert.deepEqual(s.admissions.oracle, { accepted: 3, duplicate: 1, outOfShard: 0, rejected: 1, rejectedByReason: { 'pow-invalid': 1 } });
    assert.deepEqual(s.admissions.capability, { accepted: 0, duplicate: 0, outOfShard: 0, rejected: 1, rejectedByReason: { 'unknown-oracle': 1 } });
    assert.deepEqual(s.evictions, { oracle: 2, capability: 0, report: 0, dispute: 0, announcement: 0, attestation: 0 });
    assert.equal(s.windowSeconds, 60);
    assert.equal(s.acceptedPerSecond.length, 60);
    assert.deepEqual(s.acceptedPerSecond.slice(-3), [0, 2, 1]);
    assert.equal(s.peers, 0);
    assert.equal(s.liveClients, 0);
    // A minute later the window has moved past all of it.
    clock.advance(61_000);
    const later = (await request(app).get('/stats')).body;
    assert.deepEqual(later.acceptedPerSecond, new Array(60).fill(0));
    assert.equal(later.admissions.oracle.accepted, 3);
  });
});

describe('GET /peers', () => {
  it('lists the peer source as JSON with ISO times; texts pass through unchanged', async () => {
    const { app, peers } = buildMonitoredApp();
    assert.deepEqual((await request(app).get('/peers')).body, []);
    peers.peers = [fakePeer({ userAgent: '<b>evil</b>', shard: null })];
    const res = await request(app).get('/peers');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [
      {
        address: '127.0.0.1:18444',
        direction: 'outbound',
        userAgent: '<b>evil</b>',
        shard: null,
        connectedSince: '2024-01-01T00:00:00.000Z',
        bytesIn: 10,
        bytesOut: 20,
        lastSeen: '2024-01-01T00:01:00.000Z',
      },
    ]);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    for (const p of res.body) assertSchema('PeerSummary', p);
  });
});

describe('GET /events without a WebSocket upgrade', () => {
  it('answers 426 naming the protocol', async () => {
    const { app } = buildMonitoredApp();
    const res = await request(app).get('/events');
    assert.equal(res.status, 426);
    assert.equal(res.headers.upgrade, 'websocket');
    assert.equal(res.body.error.code, 'upgrade-required');
  });
});

describe('an app built without monitoring', () => {
  it('does not route the x-monitoring operations', async () => {
    const { app } = buildApp();
    for (const p of ['/metrics', '/stats', '/peers', '/events']) assert.equal((await request(app).get(p)).status, 404, p);
    assert.equal((await request(app).get('/status')).status, 200);
  });
});
