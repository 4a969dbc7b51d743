// test/unit/mempool/reports.test.ts - Mempool reports and disputes: per-oracle maxReports eviction, seqNo/PoW updates and downgrades, disputes, sharding by report id.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { disputeId, versionHash } from '../../../src/protocol/ids.ts';
import type { AcceptedEvent, EvictedEvent, Mempool } from '../../../src/mempool/mempool.ts';
import { isInShard } from '../../../src/mempool/shard.ts';
import { fakeCapability, fakeDispute, fakeOracle, fakePubKey, fakeReport, fakeReportId, newMempoolForTest } from '../../helpers/factory.ts';

const ALL = { page: 0, chunkSize: 1000 };
const pk = fakePubKey;
const O1 = pk(1);
const O2 = pk(2);
const rid = fakeReportId;

function withOracles(opts: Parameters<typeof newMempoolForTest>[0] = {}): Mempool {
  const { mempool } = newMempoolForTest(opts);
  mempool.addOracle(fakeOracle(O1, 1));
  mempool.addOracle(fakeOracle(O2, 1));
  return mempool;
}

const reportsOf = (m: Mempool, o: string): string[] => m.listReports(o, ALL).map((r) => r.id);

describe('Mempool reports: admission and ranking', () => {
  it('rejects a report against an unknown oracle', () => {
    const { mempool } = newMempoolForTest();
    const r = mempool.addReport(fakeReport(O1, 1), rid(1));
    assert.equal(r.status === 'rejected' && r.reason, 'unknown-oracle');
    assert.equal(mempool.counts().reports, 0);
  });

  it('stores, announces and lists reports highest PoW first, ties by id ascending', () => {
    const m = withOracles();
    const events: AcceptedEvent[] = [];
    m.on('mempool:accepted', (e) => events.push(e));
    const rep = fakeReport(O1, 2);
    assert.deepEqual(m.addReport(rep, rid(3)), { status: 'accepted', replaced: false, evicted: [] });
    m.addReport(fakeReport(O1, 5), rid(9));
    m.addReport(fakeReport(O1, 2), rid(1));
    assert.deepEqual(reportsOf(m, O1), [rid(9), rid(1), rid(3)]);
    assert.deepEqual(events[0], { kind: 'report', id: rid(3), oraclePubKey: O1, replaced: false, version: versionHash(rep), entity: rep });
    assert.equal(m.getReport(rid(3))?.msg, rep);
    assert.equal(m.getReport(rid(3))?.dispute, null);
    assert.deepEqual(reportsOf(m, O2), []);
    assert.deepEqual(m.listReports(pk(99), ALL), []);
  });

  it('pages listReports', () => {
    const m = withOracles();
    for (let i = 0; i < 5; i++) m.addReport(fakeReport(O1, i), rid(i + 1));
    assert.deepEqual(m.listReports(O1, { page: 0, chunkSize: 2 }).map((r) => r.id), [rid(5), rid(4)]);
    assert.deepEqual(m.listReports(O1, { page: 2, chunkSize: 2 }).map((r) => r.id), [rid(1)]);
    assert.deepEqual(m.listReports(O1, { page: 3, chunkSize: 2 }), []);
  });
});

describe('Mempool reports: eviction at maxReports (per oracle)', () => {
  it('a higher-ranked newcomer evicts the lowest-ranked report of that oracle', () => {
    const m = withOracles({ maxReports: 2 });
    m.addReport(fakeReport(O1, 4), rid(1));
    m.addReport(fakeReport(O1, 1), rid(2));
    m.addReport(fakeReport(O2, 0), rid(3));
    const evicted: EvictedEvent[] = [];
    m.on('mempool:evicted', (e) => evicted.push(e));
    const r = m.addReport(fakeReport(O1, 2), rid(4));
    const want: EvictedEvent = { kind: 'report', id: rid(2), oraclePubKey: O1, cause: 'rank' };
    assert.deepEqual(r, { status: 'accepted', replaced: false, evicted: [want] });
    assert.deepEqual(evicted, [want]);
    assert.equal(m.getReport(rid(2)), undefined);
    assert.deepEqual(reportsOf(m, O1), [rid(1), rid(4)]);
    assert.deepEqual(reportsOf(m, O2), [rid(3)]);
    assert.equal(m.counts().reports, 3);
  });

  it('equal or lower rank than the lowest is rejected rank-too-low', () => {
    const m = withOracles({ maxReports: 2 });
    m.addReport(fakeReport(O1, 4), rid(7));
    m.addReport(fakeReport(O1, 2), rid(8));
    for (const d of [2, 0]) {
      const r = m.addReport(fakeReport(O1, d), rid(1));
      assert.equal(r.status === 'rejected' && r.reason, 'rank-too-low');
      assert.equal(m.precheckReport(fakeReport(O1, d), rid(1))?.status, 'rejected');
    }
    assert.equal(m.precheckReport(fakeReport(O1, 3), rid(1)), null);
  });

  it('ties at the lowest rank: the larger report id is evicted first', () => {
    const m = withOracles({ maxReports: 2 });
    m.addReport(fakeReport(O1, 1), rid(5));
    m.addReport(fakeReport(O1, 1), rid(6));
    const r = m.addReport(fakeReport(O1, 2), rid(9));
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => e.id), [rid(6)]);
  });

  it('evicting a disputed report drops its dispute from the counts', () => {
    const m = withOracles({ maxReports: 1 });
    m.addReport(fakeReport(O1, 1), rid(1));
    m.addDispute(fakeDispute(rid(1), O1), 'd'.repeat(64));
    assert.equal(m.counts().disputes, 1);
    m.addReport(fakeReport(O1, 2), rid(2));
    assert.deepEqual(m.counts(), { oracles: 2, capabilities: 0, reports: 1, disputes: 0 });
  });

  it('evicting a disputed report by rank announces the dispute eviction too', () => {
    const m = withOracles({ maxReports: 1 });
    m.addReport(fakeReport(O1, 1), rid(1));
    m.addDispute(fakeDispute(rid(1), O1), 'd'.repeat(64));
    const evicted: EvictedEvent[] = [];
    m.on('mempool:evicted', (e) => evicted.push(e));
    m.addReport(fakeReport(O1, 2), rid(2));
    assert.deepEqual(evicted.map((e) => `${e.kind}:${e.id}`).sort(), [`dispute:${'d'.repeat(64)}`, `report:${rid(1)}`]);
  });
});

describe('Mempool reports: seqNo and PoW updates', () => {
  it('a higher seqNo at equal PoW is a duplicate (free churn); so are equal seqNo and PoW, or a lower seqNo', () => {
    const { mempool: m } = newMempoolForTest();
    m.addOracle(fakeOracle(O1, 1));
    const v1 = fakeReport(O1, 3, { seqNo: 1 });
    m.addReport(v1, rid(1));
    m.addDispute(fakeDispute(rid(1), O1), 'd'.repeat(64));
    const events: AcceptedEvent[] = [];
    m.on('mempool:accepted', (e) => events.push(e));
    assert.deepEqual(m.addReport(fakeReport(O1, 3, { seqNo: 1 }), rid(1)), { status: 'duplicate' });
    assert.deepEqual(m.addReport(fakeReport(O1, 3, { seqNo: 0 }), rid(1)), { status: 'duplicate' });
    assert.deepEqual(m.addReport(fakeReport(O1, 9, { seqNo: 0 }), rid(1)), { status: 'duplicate' });
    assert.deepEqual(m.addReport(fakeReport(O1, 3, { seqNo: 2 }), rid(1)), { status: 'duplicate' });
    assert.deepEqual(m.addReport(fakeReport(O1, 3, { seqNo: Number.MAX_SAFE_INTEGER }), rid(1)), { status: 'duplicate' });
    assert.equal(m.getReport(rid(1))?.msg, v1);
    assert.deepEqual(events, []);
    assert.deepEqual(m.counts(), { oracles: 1, capabilities: 0, reports: 1, disputes: 1 });
  });

  it('more PoW at an equal or higher seqNo replaces and keeps the dispute', () => {
    const { mempool: m, clock } = newMempoolForTest();
    m.addOracle(fakeOracle(O1, 1));
    m.addReport(fakeReport(O1, 2, { seqNo: 4 }), rid(1));
    m.addDispute(fakeDispute(rid(1), O1), 'd'.repeat(64));
    clock.advance(10);
    const sameSeq = fakeReport(O1, 5, { seqNo: 4 });
    assert.equal(m.precheckReport(sameSeq, rid(1)), null);
    assert.deepEqual(m.addReport(sameSeq, rid(1)), { status: 'accepted', replaced: true, evicted: [] });
    assert.equal(m.getReport(rid(1))?.msg, sameSeq);
    assert.equal(m.getReport(rid(1))?.receivedAt, clock.t);
    const both = fakeReport(O1, 6, { seqNo: 5 });
    assert.deepEqual(m.addReport(both, rid(1)), { status: 'accepted', replaced: true, evicted: [] });
    assert.equal(m.getReport(rid(1))?.msg, both);
    assert.equal(m.getReport(rid(1))?.dispute?.id, 'd'.repeat(64));
    assert.deepEqual(m.counts(), { oracles: 1, capabilities: 0, reports: 1, disputes: 1 });
  });

  it('a downgrade (seqNo + 1 with less PoW) is a duplicate and changes nothing', () => {
    const { mempool: m, clock } = newMempoolForTest({ maxReports: 2 });
    m.addOracle(fakeOracle(O1, 1));
    const victim = fakeReport(O1, 6, { seqNo: 1 });
    m.addReport(victim, rid(1));
    m.addReport(fakeReport(O1, 4), rid(2));
    m.addDispute(fakeDispute(rid(1), O1), 'd'.repeat(64));
    const t0 = clock.t;
    const events: string[] = [];
    m.on('mempool:accepted', (e) => events.push(`accepted:${e.kind}:${e.id}`));
    m.on('mempool:evicted', (e) => events.push(`evicted:${e.kind}:${e.id}`));
    clock.advance(10);
    for (const down of [fakeReport(O1, 0, { seqNo: 2 }), fakeReport(O1, 5, { seqNo: 2 }), fakeReport(O1, 5, { seqNo: 1000 })]) {
      assert.deepEqual(m.precheckReport(down, rid(1)), { status: 'duplicate' }, JSON.stringify(down));
      assert.deepEqual(m.addReport(down, rid(1)), { status: 'duplicate' }, JSON.stringify(down));
    }
    const stored = m.getReport(rid(1));
    assert.equal(stored?.msg, victim);
    assert.equal(stored?.receivedAt, t0);
    assert.equal(stored?.dispute?.id, 'd'.repeat(64));
    // Answered, rid(1) ranks below the open claim rid(2) whatever its PoW (class first).
    assert.deepEqual(reportsOf(m, O1), [rid(2), rid(1)], 'expected the answered report listed after the open claim');
    assert.deepEqual(events, []);
    // The answered report is the lowest slot, so a newcomer claim evicts it, and the refused downgrades changed nothing else.
    const r = m.addReport(fakeReport(O1, 5), rid(3));
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => `${e.kind}:${e.id}`), [`dispute:${'d'.repeat(64)}`, `report:${rid(1)}`], 'expected the answered report (with its dispute) to go first');
    assert.equal(m.getReport(rid(2))?.msg.pow.difficulty, 4, 'expected the open claim kept');
  });

  it('an update re-ranks and never evicts', () => {
    const m = withOracles({ maxReports: 2 });
    m.addReport(fakeReport(O1, 5), rid(1));
    m.addReport(fakeReport(O1, 3), rid(2));
    assert.deepEqual(m.addReport(fakeReport(O1, 7), rid(2)), { status: 'accepted', replaced: true, evicted: [] });
    assert.deepEqual(reportsOf(m, O1), [rid(2), rid(1)]);
    assert.deepEqual(m.addReport(fakeReport(O1, 8, { seqNo: 1 }), rid(1)), { status: 'accepted', replaced: true, evicted: [] });
    assert.deepEqual(reportsOf(m, O1), [rid(1), rid(2)]);
    assert.equal(m.counts().reports, 2);
  });
});

describe('Mempool disputes', () => {
  it('attaches a dispute to its stored report', () => {
    const m = withOracles();
    m.addReport(fakeReport(O1, 1), rid(1));
    const events: AcceptedEvent[] = [];
    m.on('mempool:accepted', (e) => events.push(e));
    const d = fakeDispute(rid(1), O1);
    const id = disputeId(d);
    assert.deepEqual(m.addDispute(d, id), { status: 'accepted', replaced: false, evicted: [] });
    // A dispute carries no cTTL, so its version hash is its id.
    assert.equal(versionHash(d), id);
    assert.deepEqual(events, [{ kind: 'dispute', id, oraclePubKey: O1, replaced: false, version: id, entity: d }]);
    assert.equal(m.getReport(rid(1))?.dispute?.msg, d);
    assert.equal(m.listReports(O1, ALL)[0]?.dispute?.id, id);
    assert.equal(m.counts().disputes, 1);
  });

  it('rejects a dispute of an unknown report', () => {
    const m = withOracles();
    const r = m.addDispute(fakeDispute(rid(1), O1), 'e'.repeat(64));
    assert.equal(r.status === 'rejected' && r.reason, 'report-not-found');
    assert.equal(m.counts().disputes, 0);
  });

  it('keeps the first dispute; later ones are duplicates', () => {
    const m = withOracles();
    m.addReport(fakeReport(O1, 1), rid(1));
    m.addDispute(fakeDispute(rid(1), O1, 'yes'), 'e'.repeat(64));
    assert.deepEqual(m.addDispute(fakeDispute(rid(1), O1, 'no'), 'f'.repeat(64)), { status: 'duplicate' });
    assert.equal(m.getReport(rid(1))?.dispute?.id, 'e'.repeat(64));
    assert.equal(m.counts().disputes, 1);
  });
});

describe('Mempool sharding', () => {
  it('isInShard takes the id as one 256-bit integer', () => {
    assert.equal(isInShard(rid(5), { count: 1, index: 0 }), true, 'expected rid(5) in shard { count: 1, index: 0 }');
    assert.equal(isInShard(rid(5), { count: 4, index: 1 }), true, 'expected rid(5) in shard { count: 4, index: 1 }');
    assert.equal(isInShard(rid(6), { count: 4, index: 1 }), false, 'expected rid(6) outside shard { count: 4, index: 1 }');
    assert.equal(isInShard(rid(6), { count: 4, index: 2 }), true, 'expected rid(6) in shard { count: 4, index: 2 }');
    // 2^252 mod 3 = 1, although the low 63 hex digits are all zero
    const high = '1' + '0'.repeat(63);
    assert.equal(isInShard(high, { count: 3, index: 1 }), true, 'expected high in shard { count: 3, index: 1 }');
    assert.equal(isInShard(high, { count: 3, index: 0 }), false, 'expected high outside shard { count: 3, index: 0 }');
    // 2^256 - 1 = 0 mod 3 and mod 5 (2^256 = 1 mod 3 and mod 5)
    assert.equal(isInShard('f'.repeat(64), { count: 3, index: 0 }), true, "expected 'f'.repeat(64) in shard { count: 3, index: 0 }");
    assert.equal(isInShard('f'.repeat(64), { count: 5, index: 0 }), true, "expected 'f'.repeat(64) in shard { count: 5, index: 0 }");
    assert.equal(isInShard('f'.repeat(64), { count: 7, index: 0 }), false, "expected 'f'.repeat(64) outside shard { count: 7, index: 0 }");
  });

  it('stores only reports of its shard; out-of-shard reports are answered but not stored or announced', () => {
    const m = withOracles({ shard: { count: 4, index: 1 } });
    const events: string[] = [];
    m.on('mempool:accepted', (e) => events.push(`${e.kind}:${e.id}`));
    for (let n = 0; n < 8; n++) {
      const want = n % 4 === 1 ? 'accepted' : 'out-of-shard';
      assert.equal(m.addReport(fakeReport(O1, 1), rid(n)).status, want, `id ${n}`);
    }
    assert.deepEqual(reportsOf(m, O1).sort(), [rid(1), rid(5)]);
    assert.deepEqual(events.sort(), [`report:${rid(1)}`, `report:${rid(5)}`]);
    assert.equal(m.counts().reports, 2);
    assert.equal(m.getReport(rid(2)), undefined);
    // out of shard twice is still out of shard, not duplicate
    assert.deepEqual(m.addReport(fakeReport(O1, 1), rid(2)), { status: 'out-of-shard' });
  });

  it('a full per-oracle set does not turn an out-of-shard report into rank-too-low (precheck lets it through to full validation)', () => {
    const m = withOracles({ shard: { count: 2, index: 0 }, maxReports: 1 });
    m.addReport(fakeReport(O1, 9), rid(0));
    assert.equal(m.precheckReport(fakeReport(O1, 0), rid(1)), null);
    assert.deepEqual(m.addReport(fakeReport(O1, 0), rid(1)), { status: 'out-of-shard' });
    assert.equal(m.addReport(fakeReport(O1, 0), rid(2)).status, 'rejected');
  });

  it('oracle and capability ads are kept whatever the shard', () => {
    const { mempool: m } = newMempoolForTest({ shard: { count: 16, index: 15 } });
    for (let i = 1; i <= 8; i++) {
      assert.equal(m.addOracle(fakeOracle(pk(i), 1)).status, 'accepted');
      assert.equal(m.addCapability(fakeCapability(pk(i), pk(100 + i), 1)).status, 'accepted');
    }
    assert.deepEqual(m.counts(), { oracles: 8, capabilities: 8, reports: 0, disputes: 0 });
  });

  it('a dispute needs its report stored here, so an out-of-shard report cannot be disputed', () => {
    const m = withOracles({ shard: { count: 2, index: 0 } });
    m.addReport(fakeReport(O1, 1), rid(1));
    const r = m.addDispute(fakeDispute(rid(1), O1), 'e'.repeat(64));
    assert.equal(r.status === 'rejected' && r.reason, 'report-not-found');
  });
});
