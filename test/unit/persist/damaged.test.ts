// test/unit/persist/damaged.test.ts - a flipped byte in a snapshot line costs only that record (issue #12 item 6): the damaged file is kept aside, the oracle's intact dependents wait for it across restarts and come back when it does.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { disputeId } from '../../../src/protocol/ids.ts';
import type { Mempool } from '../../../src/mempool/mempool.ts';
import { MempoolStore, type RestoreSummary } from '../../../src/persist/store.ts';
import { fakeCapability, fakeDispute, fakeOracle, fakePubKey as pk, fakeReport, fakeReportId, newMempoolForTest } from '../../helpers/factory.ts';

const log = pino({ level: 'silent' });
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-damaged-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function open(): { mempool: Mempool; store: MempoolStore; summary: RestoreSummary } {
  const { mempool } = newMempoolForTest();
  const store = new MempoolStore({ dir, fsyncIntervalMs: 0, compactBytes: 1 << 30 }, { log });
  const summary = store.open(mempool);
  return { mempool, store, summary };
}

/** Oracle 1 with two capabilities, a report and its dispute; oracle 2 with one capability. */
function fill(m: Mempool): void {
  m.addOracle(fakeOracle(pk(1), 3));
  m.addOracle(fakeOracle(pk(2), 3));
  m.addCapability(fakeCapability(pk(1), pk(11), 2));
  m.addCapability(fakeCapability(pk(1), pk(12), 2));
  m.addCapability(fakeCapability(pk(2), pk(21), 2));
  m.addReport(fakeReport(pk(1), 2), fakeReportId(5));
  const d = fakeDispute(fakeReportId(5), pk(1));
  m.addDispute(d, disputeId(d));
}

const hasOracle1Dependents = (m: Mempool): boolean =>
  m.getCapability(pk(1), pk(11)) !== undefined && m.getCapability(pk(1), pk(12)) !== undefined && m.getReport(fakeReportId(5))?.dispute !== undefined;

describe('MempoolStore: a damaged record costs only itself', () => {
  it('keeps the damaged snapshot aside, holds the oracle’s intact dependents across restarts, and puts them back when the oracle returns', async () => {
    const a = open();
    fill(a.mempool);
    a.store.close();
    open().store.close(); // the start-up compaction moves everything into snapshot.log
    const snap = path.join(dir, 'snapshot.log');
    const lines = fs.readFileSync(snap, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"kind":"oracle"') && l.includes(`"id":"${pk(1)}"`));
    assert.notEqual(at, -1, 'expected oracle 1 in the snapshot');
    lines[at] = lines[at]!.replace('"seqNo":0', '"seqNo":1'); // one flipped byte
    const damaged = lines.join('\n');
    fs.writeFileSync(snap, damaged);

    const b = open();
    assert.equal(b.mempool.getOracle(pk(1)), undefined, 'expected the damaged oracle record skipped');
    assert.notEqual(b.mempool.getCapability(pk(2), pk(21)), undefined, 'expected the other oracle untouched');
    assert.equal(b.summary.corrupt, 1, 'expected exactly one damaged line');
    assert.equal(b.summary.waiting, 4, 'expected two capabilities, the report and its dispute waiting for oracle 1');
    assert.equal(b.summary.refused, 0, 'expected nothing refused');
    assert.equal(b.summary.damagedCopies.length, 1, 'expected one copy of the damaged file');
    assert.match(b.summary.damagedCopies[0]!, /^snapshot\.damaged-.+\.log$/, 'expected the copy named snapshot.damaged-<time>.log');
    assert.equal(fs.readFileSync(path.join(dir, b.summary.damagedCopies[0]!), 'utf8'), damaged, 'expected the copy to hold the file as it was found');
    b.store.close();

    // The snapshot was rewritten at that start: the waiting records must still be in it.
    const c = open();
    assert.equal(c.summary.waiting, 4, 'expected the waiting records to survive the snapshot rewrite');
    assert.deepEqual(c.summary.damagedCopies, [], 'expected the rewritten snapshot to be clean');
    // The oracle comes back (e.g. by sync): its dependents return with it.
    c.mempool.addOracle(fakeOracle(pk(1), 3));
    await Promise.resolve(); // they are placed in a microtask after the oracle's admission call
    assert.equal(hasOracle1Dependents(c.mempool), true, 'expected oracle 1’s capabilities, report and dispute back');
    c.store.close();

    const d = open();
    assert.equal(hasOracle1Dependents(d.mempool), true, 'expected the returned records journaled');
    assert.equal(d.summary.waiting, 0, 'expected nothing waiting any more');
    d.store.close();
  });

  it('a torn tail alone (a crash mid-append) makes no damaged copy', () => {
    const a = open();
    fill(a.mempool);
    a.store.close();
    fs.appendFileSync(path.join(dir, 'journal.log'), '0123456789abcdef {"op":"put","ki');
    const b = open();
    assert.equal(b.summary.corrupt, 1, 'expected the torn tail counted');
    assert.deepEqual(b.summary.damagedCopies, [], 'expected no copy for a torn tail');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('damaged')), [], 'expected no damaged file on disk');
    b.store.close();
  });
});
