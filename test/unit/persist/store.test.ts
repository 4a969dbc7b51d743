// test/unit/persist/store.test.ts - MempoolStore: restore reproduces the mempool (puts, seqNo updates, evictions, disputes), replay is silent, torn/corrupt journals never stop a start, compaction, the dataDir lock.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { disputeId } from '../../../src/protocol/ids.ts';
import type { Mempool } from '../../../src/mempool/mempool.ts';
import { MempoolStore, type StoreOptions } from '../../../src/persist/store.ts';
import { fakeCapability, fakeDispute, fakeOracle, fakePubKey as pk, fakeReport, fakeReportId, newMempoolForTest } from '../../helpers/factory.ts';

const log = pino({ level: 'silent' });
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function open(mempoolOpts: Parameters<typeof newMempoolForTest>[0] = {}, storeOpts: Partial<StoreOptions> = {}): { mempool: Mempool; store: MempoolStore } {
  const { mempool } = newMempoolForTest(mempoolOpts);
  const store = new MempoolStore({ dir, fsyncIntervalMs: 0, compactBytes: 1 << 30, ...storeOpts }, { log });
  store.open(mempool);
  return { mempool, store };
}

/** Everything a mempool holds, as comparable (kind, id, version) triples. */
const contents = (m: Mempool): string[] => [...m.inventory()].map((e) => `${e.kind} ${e.id} ${e.version}`).sort();

function fill(m: Mempool): void {
  m.addOracle(fakeOracle(pk(1), 3, { tags: ['t'] }));
  m.addOracle(fakeOracle(pk(2), 4));
  m.addCapability(fakeCapability(pk(1), pk(11), 2, { question: 'will it rain' }));
  m.addCapability(fakeCapability(pk(1), pk(11), 2, { seqNo: 1, question: 'will it snow' })); // seqNo update
  m.addCapability(fakeCapability(pk(2), pk(12), 2));
  const r = fakeReport(pk(1), 2);
  m.addReport(r, fakeReportId(5));
  const d = fakeDispute(fakeReportId(5), pk(1));
  m.addDispute(d, disputeId(d));
  m.addReport(fakeReport(pk(2), 2, { tag: 'x' }), fakeReportId(6));
}

describe('MempoolStore', () => {
  it('restores exactly what was stored, from the journal alone, with every accepted event marked restored', () => {
    const a = open();
    fill(a.mempool);
    const before = contents(a.mempool);
    a.store.close();
    assert.ok(fs.statSync(path.join(dir, 'journal.log')).size > 0, "expected fs.statSync(path.join(dir, 'journal.log')).size > 0");

    const { mempool } = newMempoolForTest();
    let events = 0;
    let restoredEvents = 0;
    mempool.on('mempool:accepted', (e) => (e.restored ? restoredEvents++ : events++));
    mempool.on('mempool:evicted', () => events++);
    const store = new MempoolStore({ dir, fsyncIntervalMs: 0, compactBytes: 1 << 30 }, { log });
    const s = store.open(mempool);
    assert.deepEqual(contents(mempool), before);
    assert.equal(events, 0, 'every replayed event must be marked restored (so it is neither journaled nor relayed)');
    assert.equal(restoredEvents, 7, 'indexes learn each of the 7 restored items through its accepted event');
    assert.deepEqual({ ...s, ms: 0 }, { oracles: 2, capabilities: 2, reports: 2, disputes: 1, announcements: 0, attestations: 0, offers: 0, refused: 0, waiting: 0, corrupt: 0, damagedCopies: [], ms: 0 }, 'expected every record restored, none waiting or damaged');
    assert.equal(mempool.getCapability(pk(1), pk(11))?.msg.question, 'will it snow');
    // open() compacted: the journal is empty and the snapshot alone holds the state.
    assert.equal(fs.statSync(path.join(dir, 'journal.log')).size, 0);
    store.close();
    const again = open();
    assert.deepEqual(contents(again.mempool), before);
    again.store.close();
  });

  it('replays evictions: rank evictions and an evicted oracle with its capabilities and reports', () => {
    const a = open({ maxOracles: 2 });
    fill(a.mempool);
    a.mempool.addOracle(fakeOracle(pk(3), 9)); // evicts pk(1) (difficulty 3) with its capability, report and dispute
    const before = contents(a.mempool);
    assert.equal(a.mempool.getOracle(pk(1)), undefined);
    a.store.close();
    // Restore into a roomy mempool: only the journal's deletions can keep pk(1) out.
    const b = open({ maxOracles: 100 });
    assert.deepEqual(contents(b.mempool), before);
    b.store.close();
  });

  it('skips a torn tail and a corrupt record, keeps the rest, and starts', () => {
    const a = open();
    fill(a.mempool);
    a.store.close();
    const j = path.join(dir, 'journal.log');
    // The snapshot is empty (no compaction since open); corrupt the journal in the middle and tear its tail.
    const lines = fs.readFileSync(j, 'utf8').split('\n');
    assert.equal(lines[3]!.includes('will it snow'), true, "expected lines[3]!.includes('will it snow') to be true");
    lines[3] = lines[3]!.replace('"', "'"); // the seqNo-1 capability record becomes corrupt
    fs.writeFileSync(j, lines.join('\n') + '0123456789abcdef {"op":"put","ki');
    const b = open();
    assert.equal(b.mempool.counts().oracles, 2);
    assert.equal(b.mempool.getCapability(pk(1), pk(11))?.msg.question, 'will it rain', 'the record before the corrupt one survives');
    assert.equal(b.mempool.counts().reports, 2);
    b.store.close();
  });

  it('a file of garbage is skipped, not fatal', () => {
    fs.writeFileSync(path.join(dir, 'snapshot.log'), Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x41]));
    fs.writeFileSync(path.join(dir, 'journal.log'), '{"op":"put"}\n\n');
    const b = open();
    assert.deepEqual(b.mempool.counts(), { oracles: 0, capabilities: 0, reports: 0, disputes: 0 });
    b.store.close();
  });

  it('compacts in the background when the journal passes compactBytes and loses nothing', async () => {
    const a = open({}, { compactBytes: 2000 });
    for (let i = 1; i <= 40; i++) a.mempool.addOracle(fakeOracle(pk(i), 2));
    await a.store.whenIdle();
    // The journal now holds only what arrived after the compaction started, not all 40 ads.
    const journalBytes = fs.statSync(path.join(dir, 'journal.log')).size;
    const snapshotBytes = fs.statSync(path.join(dir, 'snapshot.log')).size;
    assert.ok(snapshotBytes > 0, `expected snapshotBytes > 0, got snapshotBytes = ${snapshotBytes}`);
    assert.equal(a.store.pendingBytes, journalBytes);
    assert.equal(fs.existsSync(path.join(dir, 'journal.old.log')), false, "expected path.join(dir, 'journal.old.log') not to exist");
    const before = contents(a.mempool);
    a.store.close();
    const b = open();
    assert.deepEqual(contents(b.mempool), before);
    b.store.close();
  });

  it('background compaction yields to the event loop and keeps accepting changes meanwhile', async () => {
    const a = open({ maxOracles: 10_000 }, { compactBytes: 1 << 30 });
    for (let i = 1; i <= 5_000; i++) a.mempool.addOracle(fakeOracle(pk(i), 2));
    // Force a background compaction by lowering the threshold through the next append.
    (a.store as unknown as { opts: StoreOptions }).opts.compactBytes = 1;
    a.mempool.addOracle(fakeOracle(pk(5_001), 2));
    let turns = 0;
    let compacting = true;
    void a.store.whenIdle().then(() => (compacting = false));
    // Other work runs between slices; changes made meanwhile go to the new journal generation.
    for (let i = 5_002; compacting; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      turns++;
      a.mempool.addOracle(fakeOracle(pk(i), 2));
    }
    assert.equal(turns > 1, true, `the event loop ran ${turns} times during compaction`);
    const before = contents(a.mempool);
    a.store.close();
    const b = open({ maxOracles: 20_000 });
    assert.deepEqual(contents(b.mempool), before);
    b.store.close();
  });

  it('a crash during a background compaction loses nothing (old snapshot + old and new journal generations)', async () => {
    const a = open({}, { compactBytes: 1 << 30 });
    fill(a.mempool);
    const at = contents(a.mempool);
    // Simulate the state a crash leaves mid-compaction: the journal renamed to journal.old.log and a
    // new journal holding later changes, the snapshot not yet replaced.
    a.store.close();
    fs.renameSync(path.join(dir, 'journal.log'), path.join(dir, 'journal.old.log'));
    const b = open();
    assert.deepEqual(contents(b.mempool), at);
    assert.equal(fs.existsSync(path.join(dir, 'journal.old.log')), false, 'the start-up compaction folds the old generation in');
    b.mempool.addOracle(fakeOracle(pk(99), 2));
    const later = contents(b.mempool);
    b.store.close();
    const c = open();
    assert.deepEqual(contents(c.mempool), later);
    c.store.close();
  });

  it('refuses a dataDir locked by a live process and takes over a stale lock', () => {
    const a = open();
    const other = new MempoolStore({ dir, fsyncIntervalMs: 0, compactBytes: 1 << 30 }, { log });
    // Our own pid counts as stale (a restarted container reuses pids), so use a live foreign one.
    a.store.close();
    fs.writeFileSync(path.join(dir, 'LOCK'), String(process.ppid));
    assert.throws(() => other.open(newMempoolForTest().mempool), /in use by process/);
    fs.writeFileSync(path.join(dir, 'LOCK'), '999999999'); // no such process: left by kill -9
    const b = open();
    b.store.close();
    assert.equal(fs.existsSync(path.join(dir, 'LOCK')), false, "expected path.join(dir, 'LOCK') not to exist");
  });
});
