// test/api/monitoring.test.ts - GET /metrics, /stats, /stats/history, /stats/rejections, /monitor/oracles, /peers and /events on the real app: values after known submissions, the history's minutes and its file across restarts (damaged files set aside), the rejection ring's bounds, totals and pages of the oracle list, per-node registries, peer source, and what is routed without monitoring.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildApp } from './_app.ts';
import { buildMonitoredApp, fakePeer, parseMetrics } from './_monitor-app.ts';
import { FakeClock, makeCapability, makeKeys, makeOracle, makeReport, testSchemas } from '../helpers/factory.ts';
import { HISTORY_FILE } from '../../src/api/constants.ts';
import { RecentRejections } from '../../src/api/rejections.ts';
import { prefixFetch } from '../../src/api/oracle-page.ts';
import { configLimits } from '../../src/api/stats.ts';
import { createTestNode, get } from '../helpers/network.ts';
import { mountTmpfs, tmpfsUnavailable } from '../helpers/tmpfs.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { AdmissionResult } from '../../src/service/types.ts';

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
    monitoring.publishPeer('peer:relay', fakePeer({ relay: 'lazy' }));
    m = await scrape(app);
    assert.equal(m.get('mega_p2p_bytes_total{direction="in"}'), 1500);
    assert.equal(m.get('mega_p2p_bytes_total{direction="out"}'), 2100);
    assert.equal(m.get('mega_peer_events_total{event="connect"}'), 2);
    assert.equal(m.get('mega_peer_events_total{event="disconnect"}'), 1);
    assert.equal(m.get('mega_peer_events_total{event="relay"}'), 1, 'expected a push-tree edge change counted under its own label, not as a disconnect');
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
    assert.deepEqual(s.evictions, { oracle: 2, capability: 0, report: 0, dispute: 0, announcement: 0, attestation: 0, offer: 0 });
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
        relay: 'eager',
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

const MINUTE = 60_000;
const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'mega-history-'));

describe('GET /stats: limits and resources', () => {
  it('lists the configured limits with the config schema units, memory now, and no disk figures without a data folder', async () => {
    const limits = configLimits(parseConfig({ maxCapabilities: 7 }, 'test'));
    const { app } = buildMonitoredApp({ monitoring: { limits } });
    const s = (await request(app).get('/stats')).body;
    assertSchema('Stats', s);
    assert.deepEqual(s.limits.find((l: { key: string }) => l.key === 'maxCapabilities'), { key: 'maxCapabilities', value: 7, unit: 'entries per oracle' });
    assert.deepEqual(s.limits.find((l: { key: string }) => l.key === 'maxMempoolBytes'), { key: 'maxMempoolBytes', value: 268435456, unit: 'bytes' });
    assert.equal(s.resources.rssBytes > 0 && s.resources.heapUsedBytes > 0, true, 'memory figures are read');
    assert.equal(s.resources.diskUsedBytes, null);
    assert.equal(s.resources.historyPersisted, false);
  });
});

describe('GET /stats/history', () => {
  it('counts admissions per minute by outcome and reason, null where nothing ran, and samples gauges', async () => {
    const { app, clock, peers } = buildMonitoredApp({ mempool: { maxOracles: 1 } });
    await knownTraffic(app); // minute 0: 2 accepted, 1 duplicate, 2 rejected
    clock.advance(2 * MINUTE);
    peers.peers = [fakePeer(), fakePeer()];
    assert.equal((await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(6), difficulty: 6 }))).status, 201);
    const res = await request(app).get('/stats/history?minutes=5');
    assert.equal(res.status, 200);
    const h = res.body;
    assertSchema('StatsHistory', h);
    assert.equal(h.minutes, 5);
    assert.equal(h.intervalSeconds, 60);
    assert.equal(new Date(h.to).getTime(), Math.floor(clock.now() / MINUTE) * MINUTE);
    assert.deepEqual(h.series.accepted, [null, null, 2, null, 1]);
    assert.deepEqual(h.series.duplicate, [null, null, 1, null, 0]);
    assert.deepEqual(h.series.rejected, [null, null, 2, null, 0]);
    assert.deepEqual(h.rejectedByReason, { 'pow-invalid': [null, null, 1, null, 0], 'unknown-oracle': [null, null, 1, null, 0] });
    // The request sampled the current minute: peers and memory are there, the earlier minutes were never sampled.
    assert.deepEqual(h.series.peers, [null, null, null, null, 2]);
    assert.equal(h.series.rssBytes[4] > 0, true, 'resident memory sampled');
    assert.equal(h.series.diskUsedBytes[4], null, 'no data folder, no disk figure');
    assert.equal(h.persisted, false);
    // Default: the whole day, one value per minute.
    const day = (await request(app).get('/stats/history')).body;
    assert.equal(day.series.accepted.length, 1440);
    // A day later everything has left the window.
    clock.advance(1440 * MINUTE);
    const later = (await request(app).get('/stats/history?minutes=1440')).body;
    assert.equal(later.series.accepted.filter((v: number | null) => v !== null).length, 1, 'only the current (sampled) minute');
  });

  it('counts P2P bytes per minute as the difference of the totals between samples', async () => {
    const { app, clock, peers } = buildMonitoredApp();
    peers.bytes = { bytesIn: 1000, bytesOut: 50 };
    await request(app).get('/stats/history?minutes=1'); // first sample: the baseline
    peers.bytes = { bytesIn: 1600, bytesOut: 80 };
    clock.advance(MINUTE);
    const h = (await request(app).get('/stats/history?minutes=2')).body;
    assert.deepEqual(h.series.bytesIn, [0, 600]);
    assert.deepEqual(h.series.bytesOut, [0, 30]);
  });

  it('refuses a minutes value outside 1..1440', async () => {
    const { app } = buildMonitoredApp();
    for (const m of ['0', '1441', 'x']) assert.equal((await request(app).get(`/stats/history?minutes=${m}`)).status, 400, `minutes=${m}`);
  });

  it('is written to the data folder at stop and read back at start: a restart keeps the day', async () => {
    const dir = tmpDir();
    try {
      const clock = new FakeClock();
      const one = buildMonitoredApp({ clock, monitoring: { dataDir: dir } });
      one.monitoring.start();
      await knownTraffic(one.app);
      clock.advance(MINUTE);
      assert.equal((await request(one.app).post('/oracle').send(makeOracle({ keys: makeKeys(7) }))).status, 201);
      await one.monitoring.stop();
      const text = fs.readFileSync(path.join(dir, HISTORY_FILE), 'utf8');
      assert.equal(text.trim().split('\n').length, 2, 'one line per minute with data');
      assert.equal(fs.existsSync(path.join(dir, `${HISTORY_FILE}.tmp`)), false, 'no temp file left');

      clock.advance(3 * MINUTE); // the node was down for three minutes
      const two = buildMonitoredApp({ clock, monitoring: { dataDir: dir } });
      two.monitoring.start();
      const h = (await request(two.app).get('/stats/history?minutes=6')).body;
      assert.equal(h.persisted, true);
      assert.deepEqual(h.series.accepted, [null, 2, 1, null, null, 0]);
      assert.deepEqual(h.rejectedByReason['pow-invalid'], [null, 1, 0, null, null, 0]);
      assert.equal(typeof h.series.diskUsedBytes[5], 'number', 'the data folder size is sampled');
      assert.equal(h.series.diskUsedBytes[5] > 0, true, 'the history file itself counts');
      await two.monitoring.stop();

      // Past 24 h nothing of it is read back.
      clock.advance(1441 * MINUTE);
      const three = buildMonitoredApp({ clock, monitoring: { dataDir: dir } });
      three.monitoring.start();
      const old = (await request(three.app).get('/stats/history')).body;
      assert.equal(old.series.accepted.filter((v: number | null) => v !== null && v > 0).length, 0);
      await three.monitoring.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sets a damaged file aside and keeps its intact minutes; an unreadable one is set aside whole; start never throws', async () => {
    const dir = tmpDir();
    try {
      const clock = new FakeClock();
      const one = buildMonitoredApp({ clock, monitoring: { dataDir: dir } });
      one.monitoring.start();
      await knownTraffic(one.app);
      clock.advance(MINUTE);
      await request(one.app).post('/oracle').send(makeOracle({ keys: makeKeys(8) }));
      await one.monitoring.stop();
      const file = path.join(dir, HISTORY_FILE);
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      // Flip a digit in the second line (its checksum no longer matches) and add a torn tail.
      fs.writeFileSync(file, `${lines[0]}\n${(lines[1] as string).replace('"acc":1', '"acc":9')}\n0123456789abcdef {"m":`);

      const two = buildMonitoredApp({ clock, monitoring: { dataDir: dir } });
      two.monitoring.start();
      const h = (await request(two.app).get('/stats/history?minutes=2')).body;
      assert.deepEqual(h.series.accepted, [2, 0], 'the intact minute is kept, the damaged one dropped');
      const aside = fs.readdirSync(dir).filter((f) => f.startsWith('monitor-history.damaged-'));
      assert.equal(aside.length, 1, `expected the damaged file set aside, found ${fs.readdirSync(dir).join(', ')}`);
      assert.equal(fs.readFileSync(path.join(dir, aside[0] as string), 'utf8').includes('"acc":9'), true, 'the set-aside copy is the damaged file as found');
      await two.monitoring.stop();

      // Not a history at all (binary, oversized): set aside, the node starts with an empty history.
      fs.writeFileSync(file, Buffer.alloc(9 * 1024 * 1024, 0xff));
      clock.advance(1000);
      const three = buildMonitoredApp({ clock, monitoring: { dataDir: dir } });
      three.monitoring.start();
      assert.deepEqual((await request(three.app).get('/stats/history?minutes=2')).body.series.accepted, [null, 0]);
      assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('monitor-history.damaged-')).length, 2);
      await three.monitoring.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps serving when the file cannot be written (folder gone): save fails without throwing', async () => {
    const dir = tmpDir();
    const one = buildMonitoredApp({ monitoring: { dataDir: dir } });
    one.monitoring.start();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(one.monitoring.history.save(), false);
    assert.equal((await request(one.app).get('/stats/history?minutes=1')).status, 200);
    await one.monitoring.stop();
  });
});

describe('the history file on a small volume', { skip: tmpfsUnavailable() ?? false }, () => {
  it('is not written while it would leave less than 1 MiB free for the journal, and leaves nothing behind', async () => {
    const t = mountTmpfs(512 * 1024);
    try {
      const { app, monitoring } = buildMonitoredApp({ monitoring: { dataDir: t.dir } });
      monitoring.start();
      await knownTraffic(app);
      assert.equal(monitoring.history.save(), false, 'expected the save refused on a 512 KiB volume');
      assert.deepEqual(fs.readdirSync(t.dir), [], 'expected no history file and no temp file');
      assert.equal((await request(app).get('/stats/history?minutes=1')).body.series.accepted[0], 2, 'the history is still served from memory');
      await monitoring.stop();
    } finally {
      t.unmount();
    }
  });
});

describe('GET /stats/rejections', () => {
  it('lists recent rejections newest first with reason, door and address', async () => {
    const { app } = buildMonitoredApp();
    await knownTraffic(app);
    const res = await request(app).get('/stats/rejections');
    assert.equal(res.status, 200);
    assertSchema('RecentRejections', res.body);
    assert.equal(res.body.total, 2);
    assert.deepEqual(
      res.body.recent.map((r: { kind: string; reason: string; source: string }) => [r.kind, r.reason, r.source]),
      [
        ['capability', 'unknown-oracle', 'rest'],
        ['oracle', 'pow-invalid', 'rest'],
      ],
    );
    assert.match(res.body.recent[0].from, /127\.0\.0\.1$/);
  });

  it('is bounded by count and by bytes, and counts what left', () => {
    const clock = new FakeClock();
    const rej = (message: string): AdmissionResult => ({ status: 'rejected', kind: 'oracle', id: 'ab'.repeat(33), reason: 'pow-invalid', message, banScore: 100 });
    const ring = new RecentRejections(clock.now, 3, 100_000);
    for (let i = 0; i < 10; i++) ring.record(rej(`m${i}`), `p2p:10.0.0.${i}:8333`);
    assert.deepEqual(ring.view().recent.map((r) => r.message), ['m9', 'm8', 'm7']);
    assert.equal(ring.view().recent[0]?.source, 'peer');
    assert.equal(ring.view().recent[0]?.from, '10.0.0.9:8333');
    assert.equal(ring.view().total, 10);
    ring.record({ status: 'accepted', kind: 'oracle', id: 'x', replaced: false, evicted: [] }, 'local');
    assert.equal(ring.view().total, 10, 'only rejections are kept');

    const small = new RecentRejections(clock.now, 1000, 2000);
    for (let i = 0; i < 100; i++) small.record(rej('x'.repeat(10_000)), 'http:1.2.3.4');
    assert.equal(small.size.bytes <= 2000, true, `expected at most 2000 bytes held, got ${small.size.bytes}`);
    assert.equal(small.size.entries, 4, 'each message clipped to 240 characters, so four fit in 2000 bytes');
    assert.equal(small.view().recent[0]?.message.length, 240);
  });
});

describe('GET /monitor/oracles', () => {
  /** 25 oracles, each with one capability; the first one conflicted (a verified fact-conflict). */
  async function seeded() {
    const t = buildMonitoredApp({ withStanding: true });
    for (let i = 0; i < 25; i++) {
      const keys = makeKeys(100 + i);
      assert.equal((await request(t.app).post('/oracle').send(makeOracle({ keys, difficulty: 2 + (i % 3), tags: [i % 2 ? 'odd' : 'even'] }))).status, 201);
      const cap = makeCapability({ oracleKeys: keys, capKeys: makeKeys(200 + i), question: `Will team ${i} win the cup?`, tags: ['sport'] });
      assert.equal((await request(t.app).post('/capability').send(cap)).status, 201);
    }
    const conflict = makeReport({ type: 'fact-conflict', oraclePubKey: makeKeys(100).publicKey, capKeys: makeKeys(200), args: { q: '1' } });
    assert.equal((await request(t.app).post('/report').send(conflict)).status, 201);
    return t;
  }

  it('gives the total, the page count and rows with question, tags and standing, in the order of GET /oracles', async () => {
    const { app } = await seeded();
    const first = (await request(app).get('/monitor/oracles?chunkSize=10')).body;
    assertSchema('MonitorOraclePage', first);
    assert.equal(first.total, 25);
    assert.equal(first.pages, 3);
    assert.equal(first.oracles.length, 10);
    const row = first.oracles[0];
    assert.match(row.questions[0], /^Will team \d+ win the cup\?$/);
    assert.deepEqual(row.tags.slice(-1), ['sport']);
    assert.equal(row.capabilities, 1);
    // Every page, concatenated, is GET /oracles' default order (conflicted last).
    const all: string[] = [];
    for (let p = 0; p < 3; p++) all.push(...(await request(app).get(`/monitor/oracles?chunkSize=10&page=${p}`)).body.oracles.map((o: { pubkey: string }) => o.pubkey));
    const listing = (await request(app).get('/oracles?chunkSize=100')).body.map((o: { id: string }) => o.id);
    assert.deepEqual(all, listing);
    const last = (await request(app).get('/monitor/oracles?chunkSize=10&page=2')).body;
    assert.equal(last.oracles.length, 5);
    assert.deepEqual(last.oracles[4].standing, { conflicted: true, proofs: 1, openClaims: 0, answeredClaims: 0 });
    assert.equal(last.oracles[4].pubkey, makeKeys(100).publicKey);
    assert.equal(last.oracles.slice(0, 4).every((o: { standing: { conflicted: boolean } }) => !o.standing.conflicted), true);
    // Past the end: the total, no rows.
    const past = (await request(app).get('/monitor/oracles?chunkSize=10&page=9')).body;
    assert.deepEqual([past.total, past.pages, past.oracles.length], [25, 3, 0]);
  });

  it('never serves a stale order: a change empties the kept prefix at once, an eventless re-rank (verified bid) within 5 s', async () => {
    const { app, service, clock } = await seeded();
    const pages = async (): Promise<string[]> => {
      const out: string[] = [];
      for (let p = 0; p < 3; p++) out.push(...(await request(app).get(`/monitor/oracles?chunkSize=10&page=${p}`)).body.oracles.map((o: { pubkey: string }) => o.pubkey));
      return out;
    };
    const listing = async (): Promise<string[]> => (await request(app).get('/oracles?chunkSize=100')).body.map((o: { id: string }) => o.id);
    assert.deepEqual(await pages(), await listing());
    // A new best oracle: every page shifts by one.
    assert.equal((await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(150), difficulty: 9 }))).status, 201);
    const after = await pages();
    assert.equal(after[0], makeKeys(150).publicKey);
    assert.deepEqual(after, (await listing()).slice(0, 30));
    // A verified bid re-ranks an oracle without an event: served from the kept prefix until it expires.
    const low = after[20] as string;
    assert.equal(service.setVerifiedBid(low, 5000), true);
    clock.advance(5001);
    assert.equal((await pages())[0], low, 'expected the oracle with a verified bid first once the kept prefix expired');
    assert.deepEqual(await pages(), (await listing()).slice(0, 30));
  });

  it('totals a question or tag search through the indexes', async () => {
    const { app } = await seeded();
    const odd = (await request(app).get('/monitor/oracles?tag=odd&chunkSize=5')).body;
    assert.deepEqual([odd.total, odd.pages, odd.oracles.length], [12, 3, 5]);
    const one = (await request(app).get('/monitor/oracles?question=team%2017')).body;
    assert.deepEqual([one.total, one.oracles[0]?.pubkey], [1, makeKeys(117).publicKey]);
    const none = (await request(app).get('/monitor/oracles?question=nothing')).body;
    assert.deepEqual([none.total, none.pages, none.oracles], [0, 1, []]);
    assert.equal((await request(app).get('/monitor/oracles?chunkSize=0')).status, 400);
  });

  it('walks a ranked listing to depth d fetching O(d) entries (a doubling prefix: under 4d), not d²/batch', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    let fetched = 0;
    const fetch = prefixFetch((p) => {
      const out = items.slice(p.page * p.chunkSize, (p.page + 1) * p.chunkSize);
      fetched += p.page * p.chunkSize + out.length; // an offset walk costs the skipped entries too
      return out;
    });
    const seen: number[] = [];
    for (let page = 0; page < 100; page++) seen.push(...fetch({ page, chunkSize: 100 }));
    assert.deepEqual(seen, items);
    // 100 + 200 + … + 6,400 + the final 10,000: 22,700. Batch by batch it would be 100 × 99 / 2 × 100 + 10,000 ≈ 505,000.
    assert.equal(fetched <= 4 * items.length, true, `expected under 4 × 10,000 entries fetched, got ${fetched}`);
  });
});

describe('a node restart', () => {
  it('keeps the history: written at stop into the data folder, read back at start (node.ts wiring)', async () => {
    const dataDir = tmpDir();
    try {
      const one = await createTestNode({ dataDir });
      assert.equal((await one.service.admit('oracle', makeOracle({ keys: makeKeys(31) }))).status, 'accepted');
      await one.stop();
      assert.equal(fs.existsSync(path.join(dataDir, HISTORY_FILE)), true, 'history written at stop');
      const two = await createTestNode({ dataDir });
      try {
        const h = (await get(two, '/stats/history?minutes=3')).body as { persisted: boolean; series: { accepted: (number | null)[] } };
        assert.equal(h.persisted, true);
        const total = h.series.accepted.reduce<number>((a, v) => a + (v ?? 0), 0);
        assert.equal(total, 1, `expected the accepted oracle of the first run in the last minutes, got ${JSON.stringify(h.series.accepted)}`);
      } finally {
        await two.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
