// test/unit/mempool/byte-budget.test.ts - the mempool's byte budget (maxMempoolBytes, issue #12 item 4): the byte count equals the JSON size of what is stored through adds, replacements, disputes and evictions; past the budget the lowest PoW is evicted first, a newcomer that does not outrank enough is refused with nothing changed, and the budget holds under random streams.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Mempool } from '../../../src/mempool/mempool.ts';
import { fakeCapability, fakeDispute, fakeOracle, fakePubKey, fakeReport, fakeReportId, newMempoolForTest } from '../../helpers/factory.ts';

const pk = fakePubKey;
const rid = fakeReportId;
const O1 = pk(1);
const O2 = pk(2);

/** JSON bytes of everything in the inventory (what the budget must count). */
function storedBytes(m: Mempool): number {
  let n = 0;
  for (const e of m.inventory()) n += JSON.stringify(e.msg).length;
  return n;
}

/** A report of `difficulty` padded to about `size` JSON bytes. */
function bigReport(oracle: string, difficulty: number, size: number): ReturnType<typeof fakeReport> {
  const r = fakeReport(oracle, difficulty);
  const base = JSON.stringify(r).length;
  return fakeReport(oracle, difficulty, { tag: 'x'.repeat(Math.max(0, size - base)) });
}

describe('Mempool byte budget (maxMempoolBytes)', () => {
  it('counts the JSON bytes of every stored entry through adds, replacements, disputes and evictions', () => {
    const { mempool: m } = newMempoolForTest({ maxReports: 2 });
    m.addOracle(fakeOracle(O1, 3));
    m.addCapability(fakeCapability(O1, pk(10), 2));
    m.addReport(bigReport(O1, 2, 500), rid(1));
    m.addReport(bigReport(O1, 3, 700), rid(2));
    m.addDispute(fakeDispute(rid(1), O1), 'd'.repeat(64));
    assert.equal(m.bytes, storedBytes(m), 'expected the byte count to equal the JSON size of the inventory after adds and a dispute');
    m.addOracle(fakeOracle(O1, 5)); // a PoW upgrade replaces the ad
    m.addCapability(fakeCapability(O1, pk(10), 2, { seqNo: 1, question: 'a longer question than before' }));
    m.addReport(bigReport(O1, 4, 300), rid(2)); // more work replaces the report
    m.addReport(bigReport(O1, 9, 400), rid(3)); // count eviction of the lowest (rid 1, with its dispute)
    assert.equal(m.getReport(rid(1)), undefined, 'expected rid 1 evicted by the count limit');
    assert.equal(m.bytes, storedBytes(m), 'expected the byte count to follow replacements and evictions');
  });

  it('evicts the lowest PoW first to make room, across reports and capabilities, and never the newcomer\'s own oracle', () => {
    const { mempool: m } = newMempoolForTest({ maxBytes: 4000 });
    m.addOracle(fakeOracle(O1, 1)); // lowest of all, but it keeps the newcomers: protected
    m.addReport(bigReport(O1, 2, 1000), rid(1));
    m.addCapability(fakeCapability(O1, pk(10), 3));
    m.addReport(bigReport(O1, 4, 1000), rid(2));
    const before = m.bytes;
    assert.equal(before < 4000, true, `expected the setup (${before} bytes) under the 4000-byte budget`);
    const r = m.addReport(bigReport(O1, 5, 1500), rid(3));
    assert.equal(r.status, 'accepted', 'expected a higher-PoW report admitted by evicting lower ones');
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => `${e.kind}:${e.id}`), [`report:${rid(1)}`], 'expected only the lowest-PoW report evicted (it frees enough)');
    assert.equal(m.getOracle(O1) !== undefined, true, 'expected the newcomer\'s oracle kept although it ranks lowest');
    assert.equal(m.bytes <= 4000, true, `expected ${m.bytes} bytes within the 4000-byte budget`);
    assert.equal(m.bytes, storedBytes(m), 'expected the byte count exact after the eviction');
  });

  it('refuses a newcomer that does not outrank enough stored entries, changing nothing', () => {
    const { mempool: m } = newMempoolForTest({ maxBytes: 3000 });
    m.addOracle(fakeOracle(O1, 9));
    m.addReport(bigReport(O1, 5, 1200), rid(1));
    m.addReport(bigReport(O1, 3, 1200), rid(2));
    const inventory = [...m.inventory()].map((e) => e.version);
    const bytes = m.bytes;
    // Difficulty 4 outranks only rid 2 (1200 bytes), not enough for 2000 more bytes.
    const r = m.addReport(bigReport(O1, 4, 2000), rid(3));
    assert.equal(r.status === 'rejected' && r.reason, 'rank-too-low', 'expected rank-too-low when the lower-ranked entries cannot free enough');
    assert.deepEqual([...m.inventory()].map((e) => e.version), inventory, 'expected nothing evicted by a refused newcomer');
    assert.equal(m.bytes, bytes, 'expected the byte count unchanged');
    // Equal PoW never evicts: a newcomer must be strictly better.
    const tie = m.addReport(bigReport(O1, 3, 2000), rid(4));
    assert.equal(tie.status === 'rejected' && tie.reason, 'rank-too-low', 'expected an equal-PoW newcomer refused');
  });

  it('an evicted oracle takes what hangs on it, and counts with it when making room', () => {
    const { mempool: m } = newMempoolForTest({ maxBytes: 3000 });
    m.addOracle(fakeOracle(O1, 1));
    m.addReport(bigReport(O1, 7, 1500), rid(1)); // outranks the newcomer, but hangs on the lowest oracle
    m.addOracle(fakeOracle(O2, 6));
    const r = m.addReport(bigReport(O2, 6, 1500), rid(2));
    assert.equal(r.status, 'accepted', 'expected the difficulty-6 report admitted by evicting the difficulty-1 oracle with its report');
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => `${e.kind}:${e.cause}`), ['report:oracle-evicted', 'oracle:rank'], 'expected the oracle evicted for rank, its report with it');
    assert.equal(m.getOracle(O1), undefined, 'expected the lowest oracle gone');
    assert.equal(m.getReport(rid(1)), undefined, 'expected its report gone with it');
    assert.equal(m.bytes, storedBytes(m), 'expected the byte count exact');
  });

  it('a verified bid ranks an oracle ad in the byte order too: paid placement goes last, and follows a bid that changes or expires', () => {
    const { mempool: m } = newMempoolForTest({ maxBytes: 3000 });
    m.addOracle(fakeOracle(O1, 1));
    assert.equal(m.setVerifiedBid(O1, 5000), true);
    m.addOracle(fakeOracle(O2, 6));
    m.addReport(bigReport(O2, 6, 1200), rid(1));
    const bytes = m.bytes;
    // A PoW-8 report needing room: the paid PoW-1 ad outranks it, so only O2's report can go, which is not enough for 2500 bytes.
    const r = m.addReport(bigReport(O2, 8, 2500), rid(2));
    assert.equal(r.status === 'rejected' && r.reason, 'rank-too-low', 'expected the paid ad kept: a newcomer without a bid cannot push it out for bytes');
    assert.equal(m.bytes, bytes, 'expected nothing changed');
    // The bid expires (weight 0): now the PoW-1 ad is the lowest and makes room.
    m.setVerifiedBid(O1, 0);
    assert.equal(m.bytes, storedBytes(m), 'expected the byte count exact after re-ranking');
    const r2 = m.addReport(bigReport(O2, 8, 2500), rid(2));
    assert.equal(r2.status, 'accepted', JSON.stringify(r2));
    assert.deepEqual(r2.status === 'accepted' && r2.evicted.map((e) => `${e.kind}:${e.id}`), [`oracle:${O1}`, `report:${rid(1)}`], 'expected the now-unpaid PoW-1 ad evicted first');
    // A newcomer ad with a verified bid passes unpaid entries of any PoW.
    const O3 = pk(3);
    const r3 = m.addOracle(fakeOracle(O3, 0, { tags: ['y'.repeat(1500)] }), undefined, 1000);
    assert.equal(r3.status, 'accepted', JSON.stringify(r3));
    assert.equal(m.bytes <= 3000, true);
    assert.equal(m.bytes, storedBytes(m));
  });

  it('never exceeds the budget and always counts exactly under random streams', () => {
    type Op = { kind: 'oracle' | 'capability' | 'report' | 'dispute'; o: number; k: number; d: number; size: number };
    const opArb: fc.Arbitrary<Op> = fc.record({
      kind: fc.constantFrom('oracle', 'capability', 'report', 'report', 'dispute'),
      o: fc.integer({ min: 1, max: 4 }),
      k: fc.integer({ min: 1, max: 8 }),
      d: fc.integer({ min: 0, max: 8 }),
      size: fc.integer({ min: 200, max: 1500 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1500, max: 8000 }), fc.array(opArb, { maxLength: 120 }), (maxBytes, ops) => {
        const { mempool: m } = newMempoolForTest({ maxBytes, maxReports: 4, maxCapabilities: 3, maxOracles: 3 });
        for (const op of ops) {
          if (op.kind === 'oracle') m.addOracle(fakeOracle(pk(op.o), op.d));
          else if (op.kind === 'capability') m.addCapability(fakeCapability(pk(op.o), pk(100 + op.k), op.d));
          else if (op.kind === 'report') m.addReport(bigReport(pk(op.o), op.d, op.size), rid(op.k));
          else m.addDispute(fakeDispute(rid(op.k), pk(op.o)), op.k.toString(16).padStart(64, 'd'));
          assert.equal(m.bytes <= maxBytes, true, `expected ${m.bytes} bytes within the ${maxBytes}-byte budget after ${op.kind}`);
          assert.equal(m.bytes, storedBytes(m), `expected the byte count exact after ${op.kind}`);
          assert.equal(m.indexedVersions, [...m.inventory()].length, 'expected the version index in step with the inventory');
        }
      }),
      { seed: 1212, numRuns: 200 },
    );
  });
});
