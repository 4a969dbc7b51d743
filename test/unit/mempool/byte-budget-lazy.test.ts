// test/unit/mempool/byte-budget-lazy.test.ts - the byte budget orders its entries only past half of maxBytes (issue #21: no rank comparisons per stored entry while the budget is far from full): every plan, total and refusal equals that of the order kept from the first entry (the code it replaced), under random add/remove/plan streams.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteBudget, compareForBytes, heldBytes, type Budgeted } from '../../../src/mempool/byte-budget.ts';
import { RankedSet } from '../../../src/mempool/ranked-set.ts';
import { isProof } from '../../../src/mempool/report-class.ts';
import { OracleEntry } from '../../../src/mempool/stored.ts';
import type { StoredCapability, StoredReport } from '../../../src/mempool/types.ts';
import { fakeCapability, fakeOracle, fakePubKey, fakeReport, fakeReportId } from '../../helpers/factory.ts';

/** The byte budget as it was before: every entry in the rank order from the start. */
class EagerBudget {
  total = 0;
  private readonly order = new RankedSet<Budgeted>(compareForBytes);
  constructor(readonly maxBytes: number) {}
  add(e: Budgeted): void {
    if (this.order.add(e)) this.total += heldBytes(e);
  }
  remove(e: Budgeted): void {
    if (this.order.delete(e)) this.total -= heldBytes(e);
  }
  plan(incoming: number, difficulty: number, kept: (e: Budgeted) => boolean, bid = 0): Budgeted[] | null {
    let need = this.total + incoming - this.maxBytes;
    if (need <= 0) return [];
    const out: Budgeted[] = [];
    const covered = new Set<Budgeted>();
    const cover = (e: Budgeted): void => {
      if (covered.has(e)) return;
      covered.add(e);
      need -= heldBytes(e);
    };
    for (const e of this.order.values()) {
      const eb = e instanceof OracleEntry ? e.verifiedBid : 0;
      if (eb > bid || (eb === bid && e.msg.pow.difficulty >= difficulty)) break;
      if (kept(e) || covered.has(e)) continue;
      out.push(e);
      cover(e);
      if (e instanceof OracleEntry) {
        for (const c of e.capabilities.values()) cover(c);
        for (const r of e.reports.values()) if (!isProof(r.msg)) cover(r);
      }
      if (need <= 0) return out;
    }
    return null;
  }
}

type Op =
  | { op: 'add'; kind: 'oracle' | 'capability' | 'report'; key: number; d: number; bytes: number; bid: number }
  | { op: 'remove'; pick: number }
  | { op: 'plan'; incoming: number; d: number; bid: number; keptMod: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('add' as const), kind: fc.constantFrom('oracle' as const, 'capability' as const, 'report' as const), key: fc.integer({ min: 1, max: 400 }), d: fc.integer({ min: 0, max: 6 }), bytes: fc.integer({ min: 1, max: 600 }), bid: fc.constantFrom(0, 0, 0, 1000) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('plan' as const), incoming: fc.integer({ min: 1, max: 3000 }), d: fc.integer({ min: 0, max: 7 }), bid: fc.constantFrom(0, 0, 1000, 5000), keptMod: fc.integer({ min: 0, max: 5 }) }) },
);

function entry(kind: 'oracle' | 'capability' | 'report', key: number, d: number, bytes: number, bid: number): Budgeted {
  if (kind === 'oracle') {
    const o = new OracleEntry(fakeOracle(fakePubKey(key), d), 'v', 0, bytes);
    o.verifiedBid = bid;
    return o;
  }
  if (kind === 'capability') return { msg: fakeCapability(fakePubKey(1), fakePubKey(1000 + key), d), version: 'v', receivedAt: 0, bytes } as unknown as StoredCapability;
  return { id: fakeReportId(key), msg: fakeReport(fakePubKey(1), d), version: 'v', receivedAt: 0, bytes, dispute: null } as unknown as StoredReport;
}

describe('ByteBudget: ordered only past half the budget', () => {
  it('plans, counts and refuses exactly as the order kept from the start, under random streams', () => {
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 20_000 }), fc.array(opArb, { maxLength: 300 }), (maxBytes, ops) => {
        const lazy = new ByteBudget(maxBytes);
        const eager = new EagerBudget(maxBytes);
        const held: Budgeted[] = [];
        const seen = new Set<string>();
        for (const op of ops) {
          if (op.op === 'add') {
            const id = `${op.kind}:${op.key}`;
            if (seen.has(id)) continue; // one entry per id, as in a mempool
            seen.add(id);
            const e = entry(op.kind, op.key, op.d, op.bytes, op.bid);
            lazy.add(e);
            eager.add(e);
            held.push(e);
          } else if (op.op === 'remove') {
            if (held.length === 0) continue;
            const [e] = held.splice(op.pick % held.length, 1) as [Budgeted];
            lazy.remove(e);
            eager.remove(e);
            lazy.remove(e); // a second remove changes nothing, as before
            eager.remove(e);
          } else {
            const kept = (e: Budgeted): boolean => op.keptMod > 0 && held.indexOf(e) % (op.keptMod + 1) === 0;
            assert.deepEqual(lazy.plan(op.incoming, op.d, kept, op.bid), eager.plan(op.incoming, op.d, kept, op.bid), `expected the same plan for ${JSON.stringify(op)}`);
          }
          assert.equal(lazy.bytes, eager.total, 'expected the same byte count');
        }
      }),
      { seed: 2121, numRuns: 300 },
    );
  });

  it('below half the budget nothing is ordered; past it the waiting entries are moved before the budget fills', () => {
    const b = new ByteBudget(10_000);
    const entries = Array.from({ length: 100 }, (_, i) => entry('report', i + 1, i % 5, 100, 0));
    for (const e of entries.slice(0, 50)) b.add(e);
    assert.equal(b.bytes, 5000);
    assert.equal(b.unordered, 50, 'expected all 50 entries (exactly half the budget) only counted, not ordered');
    for (const e of entries.slice(50, 75)) b.add(e);
    assert.equal(b.unordered, 0, `expected every waiting entry ordered once three quarters of the budget is used (two bytes moved per byte added), ${b.unordered} left`);
    assert.deepEqual(b.plan(2600, 9, () => false)?.length, 1, 'expected one lowest entry to make room for 2600 more bytes');
  });

  it('a plan past the budget orders everything at once when a large entry outran the move', () => {
    const b = new ByteBudget(1000);
    const small = Array.from({ length: 5 }, (_, i) => entry('report', i + 1, 1, 100, 0));
    for (const e of small) b.add(e);
    const big = entry('report', 99, 3, 400, 0);
    b.add(big); // 900 bytes: the move carried 800 bytes, all 5 waiting entries
    assert.equal(b.unordered, 0);
    const b2 = new ByteBudget(1000);
    for (const e of small) b2.add(e);
    const huge = entry('report', 98, 3, 450, 0);
    b2.add(huge);
    assert.equal(b2.bytes, 950);
    const plan = b2.plan(200, 2, () => false);
    assert.equal(b2.unordered, 0, 'expected the plan to order what still waited');
    assert.deepEqual(plan?.map((e) => (e as StoredReport).id), [small[4], small[3]].map((e) => (e as StoredReport).id), 'expected the two lowest (larger id = lower) of difficulty 1 evicted for 150 bytes');
  });
});
