// test/api/_monitor-app.ts - the real Express app with the real monitoring module over a real service and mempool (fake clock) and a controllable peer source.
import { pino } from 'pino';
import { createApiApp } from '../../src/api/app.ts';
import { Monitoring, type MonitoringOptions } from '../../src/api/monitoring.ts';
import type { PeerInfoSource, PeerSummary } from '../../src/api/peers.ts';
import { OracleStanding } from '../../src/identity/standing.ts';
import { newServiceForTest, type TestServiceOptions } from '../helpers/factory.ts';

/** A peer source whose peers and byte totals a test sets. */
export class FakePeers implements PeerInfoSource {
  peers: PeerSummary[] = [];
  bytes = { bytesIn: 0, bytesOut: 0 };
  list(): PeerSummary[] {
    return this.peers;
  }
  totals(): { bytesIn: number; bytesOut: number } {
    return this.bytes;
  }
}

/** A peer summary with readable defaults. */
export function fakePeer(overrides: Partial<PeerSummary> = {}): PeerSummary {
  return {
    address: '127.0.0.1:18444',
    direction: 'outbound',
    userAgent: '/mega:0.1.0/',
    shard: { count: 1, index: 0 },
    connectedSince: Date.UTC(2024, 0, 1),
    bytesIn: 10,
    bytesOut: 20,
    lastSeen: Date.UTC(2024, 0, 1, 0, 1),
    relay: 'eager',
    ...overrides,
  };
}

/** Build the app with monitoring; the caller stops `monitoring` when it attached a server. */
export function buildMonitoredApp(opts: TestServiceOptions & { monitoring?: MonitoringOptions; withStanding?: boolean } = {}) {
  const t = newServiceForTest(opts);
  const peers = new FakePeers();
  const log = pino({ level: 'silent' });
  const standing = opts.withStanding ? new OracleStanding(t.service) : undefined;
  const monitoring = new Monitoring(opts.monitoring ?? {}, { service: t.service, peers, log, now: t.clock.now, standing });
  const app = createApiApp(
    { isTest: false, maxBodyBytes: 1024 * 1024 },
    {
      service: t.service,
      schemas: t.schemas,
      spec: t.schemas.doc,
      log,
      now: t.clock.now,
      monitoring: monitoring.hooks,
      standing,
      info: {
        version: '0.0.0-test',
        network: 'regtest',
        startedAt: t.clock.now(),
        limits: { maxOracles: t.mempool.options.maxOracles, maxCapabilities: t.mempool.options.maxCapabilities, maxReports: t.mempool.options.maxReports, powThresholdOracles: 0, powThresholdCapabilities: 0, powThresholdReports: 0 },
        shard: t.mempool.options.shard,
        facilitatorId: null,
      },
    },
  );
  return { app, monitoring, peers, standing, ...t };
}

/** Parse Prometheus text into `name{labels}` -> value (labels as printed, sorted by prom-client). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
