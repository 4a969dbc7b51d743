// test/integration/disk-full.test.ts - a real node whose dataDir is a small tmpfs (issue #12 items 1-3): the write that does not fit is answered 503 storage-unavailable, reads keep working, writes are acknowledged again by themselves once space returns (no P2P traffic needed), every 201 survives a restart, and a node starts on a full disk.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { MegaNode } from '../../src/node.ts';
import type { OracleId } from '../../src/protocol/types.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { createTestNode, get, hasItem, post, stopAll, waitFor } from '../helpers/network.ts';
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../helpers/tmpfs.ts';

const skip = tmpfsUnavailable() ?? false;
let fsys: Tmpfs | undefined;
const nodes: MegaNode[] = [];
let keySeed = 7000;

before(() => {
  if (!skip) fsys = mountTmpfs(256 * 1024);
});
after(async () => {
  await stopAll(nodes);
  fsys?.unmount();
});

async function start(dataDir: string): Promise<MegaNode> {
  const n = await createTestNode({ dataDir, journalFsyncIntervalMs: 0 });
  nodes.push(n);
  return n;
}

const errorCode = (body: unknown): unknown => (body as { error?: { code?: unknown } }).error?.code;

describe('a node whose disk fills up', { skip }, () => {
  it('answers 503 for the write that does not fit, keeps serving reads, acknowledges again by itself once space returns, and loses no 201', async () => {
    const t = fsys as Tmpfs;
    const dataDir = path.join(t.dir, 'a');
    const node = await start(dataDir);
    const acked: OracleId[] = [];
    for (let i = 0; i < 3; i++) {
      const o = makeOracle({ keys: makeKeys(keySeed++) });
      assert.equal((await post(node, '/oracle', o)).status, 201, 'expected 201 while the disk has room');
      acked.push(o);
    }
    t.fill();
    let refused: { status: number; body: unknown } | undefined;
    for (let i = 0; i < 300 && !refused; i++) {
      const o = makeOracle({ keys: makeKeys(keySeed++) });
      const r = await post(node, '/oracle', o);
      if (r.status === 201) acked.push(o);
      else refused = r;
    }
    assert.equal(refused?.status, 503, 'expected a 503 once the journal write no longer fits');
    assert.equal(errorCode(refused?.body), 'storage-unavailable', 'expected error code storage-unavailable');
    const again = await post(node, '/oracle', makeOracle({ keys: makeKeys(keySeed++) }));
    assert.equal(again.status, 503, 'expected writes refused while the disk is full');
    assert.equal((await get(node, '/oracles')).status, 200, 'expected reads served during the outage');

    t.empty();
    // Nothing else reaches this node (no peers): only its own probe can end the outage.
    await waitFor(async () => {
      const o = makeOracle({ keys: makeKeys(keySeed++) });
      const r = await post(node, '/oracle', o);
      if (r.status === 201) acked.push(o);
      return r.status === 201;
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'expected a 201 once space returned' });
    await node.stop();
    nodes.splice(nodes.indexOf(node), 1);

    const back = await start(dataDir);
    for (const o of acked) assert.equal(hasItem(back, 'oracle', o.pubkey), true, `expected acknowledged oracle ${o.pubkey} after the restart`);
    await back.stop();
    nodes.splice(nodes.indexOf(back), 1);
  });

  it('starts on a full disk, serves what it restored, answers writes 503 until space returns, then 201', async () => {
    const t = fsys as Tmpfs;
    const dataDir = path.join(t.dir, 'b');
    const first = await start(dataDir);
    const stored = makeOracle({ keys: makeKeys(keySeed++) });
    assert.equal((await post(first, '/oracle', stored)).status, 201, 'expected 201 before the disk filled');
    await first.stop();
    nodes.splice(nodes.indexOf(first), 1);
    t.fill();

    const node = await start(dataDir); // today: exits in the start-up compaction (ENOSPC)
    assert.equal((await get(node, `/oracles/${stored.pubkey}`)).status, 200, 'expected the restored oracle served');
    const r = await post(node, '/oracle', makeOracle({ keys: makeKeys(keySeed++) }));
    assert.equal(r.status, 503, 'expected writes refused on a full disk');
    assert.equal(errorCode(r.body), 'storage-unavailable', 'expected error code storage-unavailable');
    t.empty();
    await waitFor(() => node.store?.durable === true, { timeoutMs: 5000, message: 'expected the store durable once space returned' });
    assert.equal((await post(node, '/oracle', makeOracle({ keys: makeKeys(keySeed++) }))).status, 201, 'expected 201 after recovery');
  });
});
