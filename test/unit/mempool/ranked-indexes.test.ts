// test/unit/mempool/ranked-indexes.test.ts - the rank-ordered lookup indexes at sizes past the small-array threshold: order after bid and PoW changes, replacement, eviction and key rotation, against a brute-force listing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import type { OracleId, Verified } from '../../../src/protocol/types.ts';
import type { Mempool, StoredCapability, StoredOracle } from '../../../src/mempool/mempool.ts';
import { SMALL_SET_MAX } from '../../../src/mempool/ranked-set.ts';
import { fakeCapability, fakeOracle, fakePubKey, fakeReport, newMempoolForTest } from '../../helpers/factory.ts';

const ALL = { page: 0, chunkSize: 100_000 };
const N = SMALL_SET_MAX * 3; // every shared word and tag set is a B+ tree at some point
const pk = fakePubKey;
const capKey = (k: number): string => pk(10_000 + k);

/** Brute force from the unfiltered listings: the oracles (in rank order) with a capability matching `capOk` or, for tags, tagged themselves. */
function bruteOracles(m: Mempool, capOk: (c: StoredCapability) => boolean, selfOk: (o: StoredOracle) => boolean = () => false): string[] {
  return m
    .listOracles(ALL)
    .filter((o) => selfOk(o) || m.listCapabilities(ALL, { pubkey: o.msg.pubkey }).some(capOk))
    .map((o) => o.msg.pubkey);
}

function bruteCaps(m: Mempool, capOk: (c: StoredCapability) => boolean): string[] {
  return m
    .listOracles(ALL)
    .flatMap((o) => m.listCapabilities(ALL, { pubkey: o.msg.pubkey }))
    .filter(capOk)
    .sort((a, b) => b.msg.pow.difficulty - a.msg.pow.difficulty || (a.msg.capabilityPubKey < b.msg.capabilityPubKey ? -1 : 1))
    .map((c) => c.msg.capabilityPubKey);
}

const words = (c: StoredCapability): string[] => c.msg.question.split(' ');
const keysOf = (xs: { msg: { pubkey: string } }[]): string[] => xs.map((o) => o.msg.pubkey);
const capsOf = (xs: StoredCapability[]): string[] => xs.map((c) => c.msg.capabilityPubKey);

function checkIndexes(m: Mempool): void {
  for (const w of ['common', 'even', 'odd', 'rare']) {
    assert.deepEqual(keysOf(m.listOracles(ALL, { question: w })), bruteOracles(m, (c) => words(c).includes(w)), `oracles question=${w}`);
    assert.deepEqual(capsOf(m.listCapabilities(ALL, { question: w })), bruteCaps(m, (c) => words(c).includes(w)), `caps question=${w}`);
    const page = keysOf(m.listOracles({ page: 2, chunkSize: 5 }, { question: w }));
    assert.deepEqual(page, bruteOracles(m, (c) => words(c).includes(w)).slice(10, 15), `page 2 question=${w}`);
  }
  assert.deepEqual(keysOf(m.listOracles(ALL, { question: 'common even' })), bruteOracles(m, (c) => words(c).includes('common') && words(c).includes('even')));
  for (const t of ['a', 'b']) {
    const tagged = (x: { msg: { tags?: string[] } }): boolean => (x.msg.tags ?? []).includes(t);
    assert.deepEqual(keysOf(m.listOracles(ALL, { tag: t })), bruteOracles(m, tagged, tagged), `oracles tag=${t}`);
    assert.deepEqual(capsOf(m.listCapabilities(ALL, { tag: t })), bruteCaps(m, tagged), `caps tag=${t}`);
    assert.deepEqual(
      keysOf(m.listOracles(ALL, { question: 'common', tag: t })),
      bruteOracles(m, (c) => words(c).includes('common')).filter((k) => bruteOracles(m, tagged, tagged).includes(k)),
    );
  }
}

describe('rank-ordered indexes past the small-set threshold', () => {
  it('stay in rank order under bid changes, PoW upgrades, seqNo updates, capability replacement and eviction (fast-check)', () => {
    type Op =
      | { t: 'oracle'; k: number; d: number; seq: number; tag: number }
      | { t: 'bid'; k: number; amount: number }
      | { t: 'cap'; k: number; c: number; d: number; seq: number; q: number; tag: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ t: fc.constant('oracle' as const), k: fc.nat(N - 1), d: fc.nat(4), seq: fc.nat(2), tag: fc.nat(3) }),
      fc.record({ t: fc.constant('bid' as const), k: fc.nat(N - 1), amount: fc.nat(3) }),
      fc.record({ t: fc.constant('cap' as const), k: fc.nat(N - 1), c: fc.nat(2), d: fc.nat(4), seq: fc.nat(2), q: fc.nat(3), tag: fc.nat(3) }),
    );
    const QUESTIONS = ['common even', 'common odd', 'rare odd', 'common'];
    const TAGS = [[], ['a'], ['b'], ['a', 'b']];
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 400 }), (ops) => {
        // room for most, so eviction happens but the sets still grow past SMALL_SET_MAX
        const { mempool: m } = newMempoolForTest({ maxOracles: N - 10, maxCapabilities: 2 });
        for (const o of ops) {
          if (o.t === 'oracle') m.addOracle(fakeOracle(pk(o.k + 1), o.d, { seqNo: o.seq, tags: TAGS[o.tag] }));
          else if (o.t === 'bid') m.setVerifiedBid(pk(o.k + 1), o.amount);
          else m.addCapability(fakeCapability(pk(o.k + 1), capKey(o.k * 3 + o.c), o.d, { seqNo: o.seq, question: QUESTIONS[o.q], tags: TAGS[o.tag] }));
        }
        checkIndexes(m);
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it('a bid verified or withdrawn moves the oracle in every word and tag listing', () => {
    const { mempool: m } = newMempoolForTest();
    for (let i = 1; i <= N; i++) {
      m.addOracle(fakeOracle(pk(i), i % 5, { tags: ['a'] }));
      m.addCapability(fakeCapability(pk(i), capKey(i), 1, { question: 'common rare', tags: ['b'] }));
    }
    const last = keysOf(m.listOracles(ALL)).at(-1) as string;
    m.setVerifiedBid(last, 1000);
    for (const f of [{ question: 'common' }, { question: 'common rare' }, { tag: 'a' }, { tag: 'b' }, { question: 'rare', tag: 'b' }]) {
      assert.equal(keysOf(m.listOracles({ page: 0, chunkSize: 1 }, f))[0], last, JSON.stringify(f));
    }
    m.setVerifiedBid(last, 0);
    assert.equal(keysOf(m.listOracles(ALL, { question: 'common' })).at(-1), last);
    checkIndexes(m);
  });

  it('evicting an oracle removes it and its capabilities from every listing', () => {
    const { mempool: m } = newMempoolForTest({ maxOracles: N });
    for (let i = 1; i <= N; i++) {
      m.addOracle(fakeOracle(pk(i), 1, { tags: ['a'] }));
      m.addCapability(fakeCapability(pk(i), capKey(i), 1, { question: 'common', tags: ['b'] }));
    }
    const lowest = keysOf(m.listOracles(ALL)).at(-1) as string;
    const r = m.addOracle(fakeOracle(pk(N + 1), 2));
    assert.equal(r.status === 'accepted' && r.evicted.at(-1)?.id, lowest);
    for (const f of [{ question: 'common' }, { tag: 'a' }, { tag: 'b' }]) assert.equal(keysOf(m.listOracles(ALL, f)).includes(lowest), false, 'expected keysOf(m.listOracles(ALL, f)).includes(lowest) to be false');
    assert.equal(m.listCapabilities(ALL, { question: 'common' }).length, N - 1);
    checkIndexes(m);
  });
});

describe('per-oracle report order past the small-set threshold', () => {
  const rid = (k: number, i: number): string => sha256Hex(`r:${k}:${i}`);

  it('a PoW upgrade re-ranks a report and the lowest is evicted when full', () => {
    const { mempool: m } = newMempoolForTest({ maxReports: N });
    m.addOracle(fakeOracle(pk(1), 1));
    for (let i = 0; i < N; i++) m.addReport(fakeReport(pk(1), i % 3), rid(1, i));
    const order = (): string[] => m.listReports(pk(1), ALL).map((r) => r.id);
    const want = (): string[] =>
      m
        .listReports(pk(1), ALL)
        .slice()
        .sort((a, b) => b.msg.pow.difficulty - a.msg.pow.difficulty || (a.id < b.id ? -1 : 1))
        .map((r) => r.id);
    assert.deepEqual(order(), want());
    const low = order().at(-1) as string;
    assert.equal(m.addReport(fakeReport(pk(1), 9), low).status, 'accepted');
    assert.equal(order()[0], low);
    assert.deepEqual(order(), want());
    const nowLowest = order().at(-1) as string;
    const r = m.addReport(fakeReport(pk(1), 5), rid(1, N));
    assert.equal(r.status === 'accepted' && r.evicted.at(-1)?.id, nowLowest);
    assert.equal(m.getReport(nowLowest), undefined);
    assert.deepEqual(order(), want());
    assert.equal(order().length, N);
  });

  it('reports against a rotated-away key stay with the newer key, and an upgrade re-ranks them there', () => {
    const { mempool: m } = newMempoolForTest({ maxReports: N });
    const oldKey = pk(1);
    const rotated: Verified<OracleId> = { ...fakeOracle(pk(2), 1), previousId: fakeOracle(oldKey, 1) as OracleId } as Verified<OracleId>;
    m.addOracle(rotated);
    assert.equal(m.reportHolder(oldKey), pk(2));
    for (let i = 0; i < N; i++) assert.equal(m.addReport(fakeReport(oldKey, 1), rid(1, i), m.reportHolder(oldKey)).status, 'accepted');
    // the old key's own ad arrives later; its reports stay where they are kept
    m.addOracle(fakeOracle(oldKey, 1));
    assert.equal(m.listReports(pk(2), ALL).length, N);
    const target = m.listReports(pk(2), ALL).at(-1)?.id as string;
    assert.equal(m.addReport(fakeReport(oldKey, 4), target, m.reportHolder(oldKey)).status, 'accepted');
    assert.equal(m.listReports(pk(2), { page: 0, chunkSize: 1 })[0]?.id, target);
    assert.deepEqual(m.listReports(oldKey, ALL), []);
    assert.equal(m.listReports(pk(2), ALL).length, N);
  });
});
