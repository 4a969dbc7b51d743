/** test/e2e/persistence.test.ts - the spawned daemon with a temp dataDir: kill -9 while REST submissions are in flight, restart, every item answered 201 is back; SIGTERM exits 0 within the deadline and releases the dataDir. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { OracleCapability, OracleId } from '../../src/protocol/types.ts';
import { makeCapability, makeKeys, makeOracle } from '../helpers/factory.ts';
import { startDaemon, postJson } from '../helpers/daemon.ts';
import { removeDir, tempDir, writeJson } from '../unit/cli/run-cli.ts';
import { waitFor } from '../helpers/wait.ts';

/** How long the daemon may take to exit after SIGTERM (the issue: "within a few seconds"). */
const STOP_DEADLINE_MS = 5000;
const ORACLES = 40;
const CAPS = 40;

let dir: string;
let cfg: string;
let oracles: OracleId[];
let caps: OracleCapability[];

before(() => {
  dir = tempDir('mega-persist-');
  cfg = writeJson(dir, 'config.json', { httpPort: 0, p2pPort: 0, listenAddress: '127.0.0.1', network: 'regtest', logLevel: 'info', dataDir: path.join(dir, 'data'), journalFsyncIntervalMs: 1000 });
  oracles = Array.from({ length: ORACLES }, (_, i) => makeOracle({ keys: makeKeys(100 + i) }));
  const owner = makeKeys(100);
  caps = Array.from({ length: CAPS }, (_, i) => makeCapability({ oracleKeys: owner, capKeys: makeKeys(500 + i), question: `will event ${i} happen` }));
});

after(() => removeDir(dir));

describe('persistence across kill -9 and SIGTERM', () => {
  test('every item acknowledged with 201 before kill -9 is there after a restart', async () => {
    const d = await startDaemon(cfg);
    // The owner of every capability first, then a stream of oracles and capabilities in flight at once.
    assert.equal(await postJson(d.base, 'oracle', oracles[0]), 201);
    const acked: { kind: 'oracle' | 'capability'; msg: OracleId | OracleCapability }[] = [{ kind: 'oracle', msg: oracles[0] as OracleId }];
    let killed = false;
    const send = async (kind: 'oracle' | 'capability', msg: OracleId | OracleCapability): Promise<void> => {
      try {
        const status = await postJson(d.base, kind, msg);
        if (status === 201) {
          acked.push({ kind, msg });
          // kill -9 right after the 20th acknowledgement, with the rest of the stream still in flight.
          if (acked.length === 20 && !killed) {
            killed = true;
            d.proc.kill('SIGKILL');
          }
        }
      } catch {
        // the connection died with the process: not acknowledged, may or may not be stored
      }
    };
    await Promise.all([...oracles.slice(1).map((o) => send('oracle', o)), ...caps.map((c) => send('capability', c))]);
    await waitFor(() => d.exit() !== undefined, { message: 'the killed daemon to exit', timeoutMs: 5000 });
    assert.deepEqual(d.exit(), { code: null, signal: 'SIGKILL' });
    assert.ok(acked.length >= 20, `expected acked.length >= 20, got acked.length = ${acked.length}`);

    const r = await startDaemon(cfg);
    try {
      assert.match(r.log(), /"msg":"mempool restored from disk"/);
      const storedOracles = ((await (await fetch(`${r.base}/oracles?chunkSize=1000`)).json()) as { oracle: OracleId }[]).map((e) => e.oracle);
      const storedCaps = ((await (await fetch(`${r.base}/capabilities?pubkey=${(oracles[0] as OracleId).pubkey}&chunkSize=1000`)).json()) as { capability: OracleCapability }[]).map((e) => e.capability);
      const oracleKeys = new Set(storedOracles.map((o) => JSON.stringify(o)));
      const capKeys = new Set(storedCaps.map((c) => JSON.stringify(c)));
      for (const a of acked) {
        const present = (a.kind === 'oracle' ? oracleKeys : capKeys).has(JSON.stringify(a.msg));
        assert.equal(present, true, `${a.kind} acknowledged with 201 is missing after kill -9`);
      }
      // Now finish the job on the restarted node: everything not yet stored is accepted (201), the rest is a duplicate (200).
      for (const o of oracles) assert.equal([200, 201].includes(await postJson(r.base, 'oracle', o)), true, "expected [200, 201].includes(await postJson(r.base, 'oracle', o)) to be true");
      for (const c of caps) assert.equal([200, 201].includes(await postJson(r.base, 'capability', c)), true, "expected [200, 201].includes(await postJson(r.base, 'capability', c)) to be true");
    } finally {
      // SIGTERM: stop accepting, flush, close, exit 0 quickly, and release the dataDir lock.
      const t0 = Date.now();
      r.proc.kill('SIGTERM');
      await waitFor(() => r.exit() !== undefined, { message: 'the daemon to exit after SIGTERM', timeoutMs: STOP_DEADLINE_MS });
      assert.deepEqual(r.exit(), { code: 0, signal: null });
      assert.ok(Date.now() - t0 < STOP_DEADLINE_MS, `expected to finish within ${STOP_DEADLINE_MS} ms, took ${Date.now() - t0} ms`);
      assert.equal(fs.existsSync(path.join(dir, 'data', 'LOCK')), false, "expected path.join(dir, 'data', 'LOCK') not to exist");
    }
  });

  test('after a graceful stop a third start restores the complete set', async () => {
    const d = await startDaemon(cfg);
    try {
      const status = (await (await fetch(`${d.base}/status`)).json()) as Record<string, unknown>;
      const storedOracles = ((await (await fetch(`${d.base}/oracles?chunkSize=1000`)).json()) as { oracle: OracleId }[]).map((e) => e.oracle);
      const storedCaps = ((await (await fetch(`${d.base}/capabilities?pubkey=${(oracles[0] as OracleId).pubkey}&chunkSize=1000`)).json()) as { capability: OracleCapability }[]).map((e) => e.capability);
      assert.equal(storedOracles.length, ORACLES, JSON.stringify(status));
      assert.equal(storedCaps.length, CAPS);
    } finally {
      d.proc.kill('SIGTERM');
      await waitFor(() => d.exit() !== undefined, { message: 'the daemon to exit after SIGTERM', timeoutMs: STOP_DEADLINE_MS });
      assert.deepEqual(d.exit(), { code: 0, signal: null });
    }
  });
});
