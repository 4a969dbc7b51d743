// test/api/_app.ts - builds the real Express app over a real service and mempool for API tests.
import { pino } from 'pino';
import { createApiApp } from '../../src/api/app.ts';
import type { ApiDeps } from '../../src/api/handlers.ts';
import type { MegaService } from '../../src/service/service.ts';
import { OracleStanding } from '../../src/identity/standing.ts';
import { newServiceForTest, type TestServiceOptions } from '../helpers/factory.ts';

/** The real REST app with a fake clock; `isTest` and body limit adjustable. */
export function buildApp(opts: TestServiceOptions & { isTest?: boolean; maxBodyBytes?: number; facilitatorId?: unknown; withManifests?: (service: MegaService) => ApiDeps['manifests'] } = {}) {
  const t = newServiceForTest(opts);
  const standing = new OracleStanding(t.service);
  const app = createApiApp(
    { isTest: opts.isTest ?? false, maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024 },
    {
      service: t.service,
      schemas: t.schemas,
      spec: t.schemas.doc,
      log: pino({ level: 'silent' }),
      now: t.clock.now,
      standing,
      manifests: opts.withManifests?.(t.service),
      info: {
        version: '0.0.0-test',
        network: 'regtest',
        startedAt: t.clock.now(),
        limits: { maxOracles: t.mempool.options.maxOracles, maxCapabilities: t.mempool.options.maxCapabilities, maxReports: t.mempool.options.maxReports, powThresholdOracles: 0, powThresholdCapabilities: 0, powThresholdReports: 0 },
        shard: t.mempool.options.shard,
        facilitatorId: opts.facilitatorId ?? null,
      },
    },
  );
  return { app, standing, ...t };
}
