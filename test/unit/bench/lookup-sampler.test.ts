// test/unit/bench/lookup-sampler.test.ts - bench/lookup.ts's latency sampler (bench/lib/lookup-sampler*.ts) runs in its own process, sends the given paths in order on one keep-alive connection, one request at a time, and returns per-sample latencies and start times, counted bytes, non-200 answers and its own GC pauses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSampler, type Sampler } from '../../../bench/lib/lookup-sampler-client.ts';

describe('bench lookup sampler: a separate light client process', () => {
  const seen: string[] = [];
  const sockets = new Set<unknown>();
  let inFlight = 0;
  let maxInFlight = 0;
  let port = 0;
  let sampler: Sampler;
  const server = http.createServer((req, res) => {
    sockets.add(req.socket);
    seen.push(req.url ?? '');
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
    // Answer on a later turn, so two requests in flight at once would be seen as such.
    setImmediate(() => {
      inFlight--;
      if (req.url?.startsWith('/missing')) res.writeHead(404).end('{"code":"not_found"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('x'.repeat(n));
    });
  });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    sampler = await startSampler();
  });
  after(async () => {
    await sampler.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('warms up untimed, then times every path in order on one connection, one request at a time, counting the body bytes', async () => {
    const paths = Array.from({ length: 50 }, (_, i) => `/x?n=${i * 100}&i=${i}`);
    const s = await sampler.sample(port, 5, paths);
    assert.deepEqual(seen, [...paths.slice(0, 5), ...paths], 'expected the 5 warm-up paths, then every path in order');
    assert.equal(sockets.size, 1, 'expected every request on one keep-alive connection');
    assert.equal(maxInFlight, 1, 'expected sequential requests (one in flight)');
    assert.equal(s.lat.length, 50, 'expected one latency per timed path');
    assert.ok(s.lat.every((ms) => ms > 0 && ms < 5_000), `expected positive latencies, got ${s.lat.slice(0, 5).join(', ')}…`);
    assert.equal(s.bytes, paths.reduce((sum, _, i) => sum + i * 100, 0), 'expected the timed answers\' bytes counted (warm-up not included)');
    assert.equal(s.non200, 0, 'expected no non-200 answer');
    for (let i = 0; i < 50; i++) {
      const at = s.startedAt[i] as number;
      assert.ok(at >= s.from - 1 && at + (s.lat[i] as number) <= s.to + 1, `expected sample ${i} inside [from, to] on the wall clock`);
      if (i > 0) assert.ok(at >= (s.startedAt[i - 1] as number) + (s.lat[i - 1] as number) - 0.01, `expected sample ${i} to start after sample ${i - 1} answered`);
    }
    assert.ok(Math.abs(s.from - Date.now()) < 60_000, 'expected wall-clock times (ms since the epoch), comparable with the node\'s GC events');
    assert.ok(Array.isArray(s.gc) && s.gc.every((e) => typeof e.at === 'number' && typeof e.ms === 'number'), 'expected the sampler\'s GC events');
    assert.ok(s.heapUsedMiB > 0 && s.heapUsedMiB < 64, `expected a small client heap, got ${s.heapUsedMiB} MiB`);
  });

  it('reports answers that are not HTTP 200 with the first such path, and stays usable', async () => {
    const s = await sampler.sample(port, 0, ['/x?n=1', '/missing?a', '/missing?b']);
    assert.equal(s.non200, 2, 'expected both 404 answers counted');
    assert.equal(s.firstNon200, '/missing?a: HTTP 404', 'expected the first non-200 path and status');
    const again = await sampler.sample(port, 0, ['/x?n=3']);
    assert.equal(again.bytes, 3, 'expected the sampler to serve a next call');
  });
});
