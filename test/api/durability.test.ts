// test/api/durability.test.ts - the REST layer never acknowledges a change the journal could not write (503 storage-unavailable).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { createApiApp } from '../../src/api/app.ts';
import { MempoolStore } from '../../src/persist/store.ts';
import { makeKeys, makeOracle, newServiceForTest } from '../helpers/factory.ts';

function setup() {
  const t = newServiceForTest();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-durable-'));
  const log = pino({ level: 'silent' });
  const store = new MempoolStore({ dir, fsyncIntervalMs: 0, compactBytes: 1 << 30 }, { log });
  store.open(t.mempool);
  const app = createApiApp(
    { isTest: false, maxBodyBytes: 1 << 20 },
    {
      service: t.service,
      schemas: t.schemas,
      spec: t.schemas.doc,
      log,
      now: t.clock.now,
      isDurable: () => store.durable,
      info: { version: 't', network: 'regtest', startedAt: 0, limits: {}, shard: { count: 1, index: 0 }, facilitatorId: null },
    },
  );
  return { ...t, app, store, dir };
}

describe('durability of acknowledgements', () => {
  it('201 while the journal writes; 503 storage-unavailable for the change whose write failed and while it keeps failing', async () => {
    const { app, store, mempool } = setup();
    assert.equal((await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(1) }))).status, 201);
    assert.equal(store.durable, true, 'expected store.durable to be true');
    // Simulate the disk going away under the node: the journal's descriptor stops accepting writes.
    fs.closeSync((store as unknown as { fd: number }).fd);
    const res = await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(2) }));
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'storage-unavailable');
    assert.equal(store.durable, false, 'expected store.durable to be false');
    // While the journal is failing nothing more is admitted.
    const before = mempool.counts().oracles;
    const refused = await request(app).post('/oracle').send(makeOracle({ keys: makeKeys(3) }));
    assert.equal(refused.status, 503);
    assert.equal(mempool.counts().oracles, before);
    (store as unknown as { fd: number | null }).fd = null; // already closed above; keep close() from closing it twice
    store.close();
  });
});
