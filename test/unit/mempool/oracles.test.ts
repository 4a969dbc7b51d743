// test/unit/mempool/oracles.test.ts - Mempool oracle ads: rank (verified bid, PoW), eviction at maxOracles, seqNo updates and PoW upgrades, cascade removal, events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AcceptedEvent, EvictedEvent, Mempool } from '../../../src/mempool/mempool.ts';
import { signingHash } from '../../../src/protocol/canonical.ts';
import type { OracleId } from '../../../src/protocol/types.ts';
import { fakeCapability, fakeDispute, fakeOracle, fakePubKey, fakeReport, fakeReportId, newMempoolForTest } from '../../helpers/factory.ts';

const ALL = { page: 0, chunkSize: 1000 };
const pk = fakePubKey;

/** Records every mempool event in order. */
function record(m: Mempool): { accepted: AcceptedEvent[]; evicted: EvictedEvent[]; order: string[] } {
  const out = { accepted: [] as AcceptedEvent[], evicted: [] as EvictedEvent[], order: [] as string[] };
  m.on('mempool:accepted', (e) => {
    out.accepted.push(e);
    out.order.push(`accepted:${e.kind}:${e.id}`);
  });
  m.on('mempool:evicted', (e) => {
    out.evicted.push(e);
    out.order.push(`evicted:${e.kind}:${e.id}`);
  });
  return out;
}

const listed = (m: Mempool): string[] => m.listOracles(ALL).map((o) => o.msg.pubkey);

describe('Mempool oracles: ranking', () => {
  it('lists oracles by PoW difficulty, highest first', () => {
    const { mempool } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(1), 3));
    mempool.addOracle(fakeOracle(pk(2), 7));
    mempool.addOracle(fakeOracle(pk(3), 5));
    assert.deepEqual(listed(mempool), [pk(2), pk(3), pk(1)]);
  });

  it('orders equal ranks by id, smaller id first (the larger id ranks lower)', () => {
    const { mempool } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(9), 4));
    mempool.addOracle(fakeOracle(pk(2), 4));
    mempool.addOracle(fakeOracle(pk(5), 4));
    assert.deepEqual(listed(mempool), [pk(2), pk(5), pk(9)]);
  });

  it('a verified bid outranks any PoW; setVerifiedBid re-ranks', () => {
    const { mempool } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(1), 20));
    mempool.addOracle(fakeOracle(pk(2), 1));
    mempool.addOracle(fakeOracle(pk(3), 5));
    assert.deepEqual(listed(mempool), [pk(1), pk(3), pk(2)]);
    assert.equal(mempool.setVerifiedBid(pk(2), 1), true, 'expected mempool.setVerifiedBid(pk(2), 1) to be true');
    assert.equal(mempool.getOracle(pk(2))?.verifiedBid, 1);
    assert.deepEqual(listed(mempool), [pk(2), pk(1), pk(3)]);
    assert.equal(mempool.setVerifiedBid(pk(3), 1000), true, 'expected mempool.setVerifiedBid(pk(3), 1000) to be true');
    assert.deepEqual(listed(mempool), [pk(3), pk(2), pk(1)]);
    // equal bids fall back to PoW
    assert.equal(mempool.setVerifiedBid(pk(3), 1), true, 'expected mempool.setVerifiedBid(pk(3), 1) to be true');
    assert.deepEqual(listed(mempool), [pk(3), pk(2), pk(1)]);
    // un-verifying puts it back among the bidless
    assert.equal(mempool.setVerifiedBid(pk(3), 0), true, 'expected mempool.setVerifiedBid(pk(3), 0) to be true');
    assert.deepEqual(listed(mempool), [pk(2), pk(1), pk(3)]);
  });

  it('setVerifiedBid on an unknown oracle returns false and changes nothing', () => {
    const { mempool } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(1), 1));
    assert.equal(mempool.setVerifiedBid(pk(2), 5), false, 'expected mempool.setVerifiedBid(pk(2), 5) to be false');
    assert.deepEqual(mempool.counts().oracles, 1);
  });

  it('new oracles start with verifiedBid 0 whatever bid they claim', () => {
    const { mempool } = newMempoolForTest();
    const o = fakeOracle(pk(1), 1);
    o.bid = { amount: 1_000_000, proof: 'unverified' };
    mempool.addOracle(o);
    assert.equal(mempool.getOracle(pk(1))?.verifiedBid, 0);
  });
});

describe('Mempool oracles: eviction at maxOracles', () => {
  it('a higher-ranked newcomer evicts the lowest-ranked oracle', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 3 });
    const ev = record(mempool);
    for (const [n, d] of [[1, 5], [2, 2], [3, 8]] as const) mempool.addOracle(fakeOracle(pk(n), d));
    const r = mempool.addOracle(fakeOracle(pk(4), 3));
    assert.deepEqual(r, { status: 'accepted', replaced: false, evicted: [{ kind: 'oracle', id: pk(2), oraclePubKey: pk(2), cause: 'rank' }] });
    assert.deepEqual(ev.evicted, [{ kind: 'oracle', id: pk(2), oraclePubKey: pk(2), cause: 'rank' }]);
    assert.equal(mempool.getOracle(pk(2)), undefined);
    assert.deepEqual(listed(mempool), [pk(3), pk(1), pk(4)]);
    assert.equal(mempool.counts().oracles, 3);
  });

  it('a newcomer of equal rank to the lowest is rejected rank-too-low', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 2 });
    mempool.addOracle(fakeOracle(pk(5), 4));
    mempool.addOracle(fakeOracle(pk(6), 2));
    const ev = record(mempool);
    // pk(1) < pk(6): the id tie-break would rank it higher, but a newcomer must strictly outrank
    const r = mempool.addOracle(fakeOracle(pk(1), 2));
    assert.equal(r.status, 'rejected');
    assert.equal(r.status === 'rejected' && r.reason, 'rank-too-low');
    assert.deepEqual(ev.order, []);
    assert.deepEqual(listed(mempool), [pk(5), pk(6)]);
  });

  it('a newcomer ranked lower than the lowest is rejected rank-too-low', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 2 });
    mempool.addOracle(fakeOracle(pk(1), 4));
    mempool.addOracle(fakeOracle(pk(2), 3));
    const r = mempool.addOracle(fakeOracle(pk(3), 1));
    assert.equal(r.status === 'rejected' && r.reason, 'rank-too-low');
    assert.deepEqual(mempool.precheckOracle(fakeOracle(pk(3), 1))?.status, 'rejected');
    assert.equal(mempool.precheckOracle(fakeOracle(pk(3), 4)), null);
  });

  it('among equally ranked lowest oracles the one with the larger id is evicted', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 3 });
    mempool.addOracle(fakeOracle(pk(7), 2));
    mempool.addOracle(fakeOracle(pk(3), 2));
    mempool.addOracle(fakeOracle(pk(5), 9));
    const r = mempool.addOracle(fakeOracle(pk(1), 3));
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => e.id), [pk(7)]);
    const r2 = mempool.addOracle(fakeOracle(pk(8), 3));
    assert.deepEqual(r2.status === 'accepted' && r2.evicted.map((e) => e.id), [pk(3)]);
    assert.deepEqual(listed(mempool), [pk(5), pk(1), pk(8)]);
  });

  it('a verified bid protects an oracle with little PoW from eviction', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 2 });
    mempool.addOracle(fakeOracle(pk(1), 0));
    mempool.addOracle(fakeOracle(pk(2), 30));
    mempool.setVerifiedBid(pk(1), 1);
    const r = mempool.addOracle(fakeOracle(pk(3), 31));
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => e.id), [pk(2)]);
    mempool.setVerifiedBid(pk(3), 1);
    // every stored oracle now has a verified bid; no bidless newcomer can outrank them
    const r2 = mempool.addOracle(fakeOracle(pk(4), 256));
    assert.equal(r2.status === 'rejected' && r2.reason, 'rank-too-low');
  });

  it('an evicted oracle can come back only by outranking the new lowest', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 2 });
    mempool.addOracle(fakeOracle(pk(1), 1));
    mempool.addOracle(fakeOracle(pk(2), 5));
    mempool.addOracle(fakeOracle(pk(3), 4)); // evicts pk(1)
    assert.equal(mempool.addOracle(fakeOracle(pk(1), 1)).status, 'rejected');
    assert.equal(mempool.addOracle(fakeOracle(pk(1), 6)).status, 'accepted');
    assert.deepEqual(listed(mempool), [pk(1), pk(2)]);
  });

  it('never evicts when the mempool has room', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 3 });
    const ev = record(mempool);
    for (let i = 1; i <= 3; i++) assert.deepEqual(mempool.addOracle(fakeOracle(pk(i), 0)), { status: 'accepted', replaced: false, evicted: [] });
    assert.deepEqual(ev.evicted, []);
  });

  it('the constructor refuses limits below 1 and a shard index out of range', () => {
    assert.throws(() => newMempoolForTest({ maxOracles: 0 }), /maxOracles must be an integer >= 1/);
    assert.throws(() => newMempoolForTest({ maxCapabilities: 0 }), /maxCapabilities must be an integer >= 1/);
    assert.throws(() => newMempoolForTest({ maxReports: 1.5 }), /maxReports must be an integer >= 1/);
    assert.throws(() => newMempoolForTest({ shard: { count: 2, index: 2 } }), /shard/);
  });
});

describe('Mempool oracles: seqNo updates', () => {
  it('a higher seqNo replaces the stored ad and keeps its standing', () => {
    const { mempool, clock } = newMempoolForTest();
    const ev = record(mempool);
    mempool.addOracle(fakeOracle(pk(1), 3, { seqNo: 1 }));
    mempool.setVerifiedBid(pk(1), 7);
    clock.advance(1000);
    const v2 = fakeOracle(pk(1), 3, { seqNo: 2 });
    assert.deepEqual(mempool.addOracle(v2), { status: 'accepted', replaced: true, evicted: [] });
    const stored = mempool.getOracle(pk(1));
    assert.equal(stored?.msg, v2);
    assert.equal(stored?.verifiedBid, 7);
    assert.equal(stored?.receivedAt, clock.t);
    assert.equal(mempool.counts().oracles, 1);
    assert.deepEqual(
      ev.accepted.map((e) => [e.kind, e.id, e.replaced]),
      [['oracle', pk(1), false], ['oracle', pk(1), true]],
    );
    assert.equal(ev.accepted[1]?.entity, v2);
  });

  it('a lower seqNo, or an equal seqNo without more PoW, is a duplicate and changes nothing', () => {
    const { mempool } = newMempoolForTest();
    const v5 = fakeOracle(pk(1), 3, { seqNo: 5 });
    mempool.addOracle(v5);
    const ev = record(mempool);
    // equal seqNo, same signed content, equal or lower PoW
    assert.deepEqual(mempool.addOracle(fakeOracle(pk(1), 3, { seqNo: 5 })), { status: 'duplicate' });
    assert.deepEqual(mempool.addOracle(fakeOracle(pk(1), 2, { seqNo: 5 })), { status: 'duplicate' });
    // lower seqNo, whatever its PoW
    assert.deepEqual(mempool.addOracle(fakeOracle(pk(1), 9, { seqNo: 4 })), { status: 'duplicate' });
    assert.deepEqual(mempool.precheckOracle(fakeOracle(pk(1), 9, { seqNo: 0 })), { status: 'duplicate' });
    assert.deepEqual(mempool.precheckOracle(fakeOracle(pk(1), 3, { seqNo: 5 })), { status: 'duplicate' });
    assert.equal(mempool.getOracle(pk(1))?.msg, v5);
    assert.deepEqual(ev.order, []);
  });

  it('an update re-ranks by the new PoW', () => {
    const { mempool } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(1), 3));
    mempool.addOracle(fakeOracle(pk(2), 5));
    mempool.addOracle(fakeOracle(pk(1), 9, { seqNo: 1 }));
    assert.deepEqual(listed(mempool), [pk(1), pk(2)]);
    mempool.addOracle(fakeOracle(pk(1), 0, { seqNo: 2 }));
    assert.deepEqual(listed(mempool), [pk(2), pk(1)]);
  });

  it('a PoW upgrade (equal seqNo, same signed content, more PoW) replaces, re-ranks and keeps the standing', () => {
    const { mempool, clock } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(1), 3, { seqNo: 4, tags: ['sports'] }));
    mempool.addOracle(fakeOracle(pk(2), 5));
    mempool.addCapability(fakeCapability(pk(1), pk(101), 1, { question: 'who won' }));
    mempool.addReport(fakeReport(pk(1), 1), fakeReportId(1));
    assert.deepEqual(listed(mempool), [pk(2), pk(1)]);
    const ev = record(mempool);
    clock.advance(500);
    // unsigned fields differ too: another cTTL and another proof
    const up = fakeOracle(pk(1), 9, { seqNo: 4, tags: ['sports'] });
    up.cTTL = 2;
    up.pow = { ...up.pow, magicNo: 77, hash: 'f'.repeat(64) };
    assert.equal(mempool.precheckOracle(up), null);
    assert.deepEqual(mempool.addOracle(up), { status: 'accepted', replaced: true, evicted: [] });
    assert.deepEqual(listed(mempool), [pk(1), pk(2)]);
    const stored = mempool.getOracle(pk(1));
    assert.equal(stored?.msg, up);
    assert.equal(stored?.receivedAt, clock.t);
    assert.equal(mempool.getCapability(pk(1), pk(101))?.msg.capabilityPubKey, pk(101));
    assert.deepEqual(mempool.counts(), { oracles: 2, capabilities: 1, reports: 1, disputes: 0 });
    assert.deepEqual(mempool.listOracles(ALL, { tag: 'sports' }).map((o) => o.msg.pubkey), [pk(1)]);
    assert.deepEqual(ev.order, [`accepted:oracle:${pk(1)}`]);
    assert.equal(ev.accepted[0]?.replaced, true, 'expected ev.accepted[0]?.replaced to be true');
    assert.equal(ev.accepted[0]?.entity, up);
    // the upgraded version is now the one to beat: the old proof is a duplicate
    assert.deepEqual(mempool.addOracle(fakeOracle(pk(1), 3, { seqNo: 4, tags: ['sports'] })), { status: 'duplicate' });
    assert.deepEqual(mempool.addOracle({ ...fakeOracle(pk(1), 9, { seqNo: 4, tags: ['sports'] }), pow: up.pow }), { status: 'duplicate' });
    assert.equal(mempool.getOracle(pk(1))?.msg, up);
  });

  it('a PoW upgrade keeps a verified bid', () => {
    const { mempool } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(1), 1));
    mempool.setVerifiedBid(pk(1), 7);
    assert.deepEqual(mempool.addOracle(fakeOracle(pk(1), 4)), { status: 'accepted', replaced: true, evicted: [] });
    assert.equal(mempool.getOracle(pk(1))?.verifiedBid, 7);
    assert.equal(mempool.getOracle(pk(1))?.msg.pow.difficulty, 4);
  });

  it('a same-seqNo fork (different signed content) is decided by signing hash, whatever the PoW, in either arrival order', () => {
    const v = fakeOracle(pk(1), 3, { seqNo: 2, tags: ['sports'] });
    const otherTags = fakeOracle(pk(1), 9, { seqNo: 2, tags: ['weather'] });
    const noTags = fakeOracle(pk(1), 1, { seqNo: 2 });
    const otherBid = fakeOracle(pk(1), 9, { seqNo: 2, tags: ['sports'] });
    otherBid.bid = { amount: 1, proof: 'p' };
    const sig = (o: OracleId): string => signingHash(o, 'oracleSignature');
    for (const o of [otherTags, noTags, otherBid]) {
      const winner = sig(o) > sig(v) ? o : v;
      for (const order of [[v, o], [o, v]]) {
        const { mempool } = newMempoolForTest();
        for (const x of order) mempool.addOracle(x);
        assert.equal(mempool.getOracle(pk(1))?.msg, winner, `expected the fork with the greater signing hash kept whatever the arrival order (${JSON.stringify(o.tags)})`);
        assert.equal(mempool.listOracles(ALL, { tag: 'weather' }).length, winner.tags?.includes('weather') ? 1 : 0, 'expected the tag index to follow the kept fork');
      }
    }
  });

  it('an update of a stored oracle in a full mempool evicts nothing, whatever its rank', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 2 });
    mempool.addOracle(fakeOracle(pk(1), 3));
    mempool.addOracle(fakeOracle(pk(2), 5));
    assert.deepEqual(mempool.addOracle(fakeOracle(pk(1), 0, { seqNo: 1 })), { status: 'accepted', replaced: true, evicted: [] });
    assert.equal(mempool.counts().oracles, 2);
    // a PoW upgrade of the lowest-ranked oracle does not evict either
    assert.deepEqual(mempool.addOracle(fakeOracle(pk(1), 2, { seqNo: 1 })), { status: 'accepted', replaced: true, evicted: [] });
    assert.deepEqual(listed(mempool), [pk(2), pk(1)]);
    assert.equal(mempool.counts().oracles, 2);
  });

  it('an update moves the oracle between tag index entries', () => {
    const { mempool } = newMempoolForTest();
    mempool.addOracle(fakeOracle(pk(1), 3, { tags: ['sports', 'football'] }));
    assert.deepEqual(mempool.listOracles(ALL, { tag: 'sports' }).map((o) => o.msg.pubkey), [pk(1)]);
    mempool.addOracle(fakeOracle(pk(1), 3, { seqNo: 1, tags: ['weather', 'football'] }));
    assert.deepEqual(mempool.listOracles(ALL, { tag: 'sports' }), []);
    assert.deepEqual(mempool.listOracles(ALL, { tag: 'weather' }).map((o) => o.msg.pubkey), [pk(1)]);
    assert.deepEqual(mempool.listOracles(ALL, { tag: 'football' }).map((o) => o.msg.pubkey), [pk(1)]);
    mempool.addOracle(fakeOracle(pk(1), 3, { seqNo: 2 }));
    assert.deepEqual(mempool.listOracles(ALL, { tag: 'football' }), []);
  });
});

describe('Mempool oracles: cascade when an oracle is evicted', () => {
  it('removes its capabilities, reports and disputes with oracle-evicted events, then the oracle with cause rank', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 2 });
    mempool.addOracle(fakeOracle(pk(1), 1, { tags: ['victim'] }));
    mempool.addOracle(fakeOracle(pk(2), 9));
    mempool.addCapability(fakeCapability(pk(1), pk(101), 1, { question: 'who won the final', tags: ['sports'] }));
    mempool.addCapability(fakeCapability(pk(1), pk(102), 2, { question: 'bitcoin price today' }));
    mempool.addCapability(fakeCapability(pk(2), pk(201), 2, { question: 'bitcoin price tomorrow' }));
    const r1 = fakeReportId(1);
    const r2 = fakeReportId(2);
    mempool.addReport(fakeReport(pk(1), 1), r1);
    mempool.addReport(fakeReport(pk(1), 2, { tag: 'x' }), r2);
    mempool.addReport(fakeReport(pk(2), 2), fakeReportId(3));
    const dId = 'd'.repeat(64);
    assert.equal(mempool.addDispute(fakeDispute(r2, pk(1)), dId).status, 'accepted');
    assert.deepEqual(mempool.counts(), { oracles: 2, capabilities: 3, reports: 3, disputes: 1 });

    const ev = record(mempool);
    const r = mempool.addOracle(fakeOracle(pk(3), 5));
    assert.equal(r.status, 'accepted');
    const expected: EvictedEvent[] = [
      { kind: 'capability', id: pk(101), oraclePubKey: pk(1), cause: 'oracle-evicted' },
      { kind: 'capability', id: pk(102), oraclePubKey: pk(1), cause: 'oracle-evicted' },
      { kind: 'report', id: r1, oraclePubKey: pk(1), cause: 'oracle-evicted' },
      { kind: 'dispute', id: dId, oraclePubKey: pk(1), cause: 'oracle-evicted' },
      { kind: 'report', id: r2, oraclePubKey: pk(1), cause: 'oracle-evicted' },
      { kind: 'oracle', id: pk(1), oraclePubKey: pk(1), cause: 'rank' },
    ];
    const key = (e: EvictedEvent): string => `${e.kind}:${e.id}`;
    // the oracle goes last; the order among its dependants is not part of the contract
    assert.deepEqual(ev.evicted.at(-1), expected.at(-1));
    assert.deepEqual(ev.evicted.map(key).sort(), expected.map(key).sort());
    assert.deepEqual(
      [...ev.evicted].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
      [...expected].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
    );
    assert.deepEqual(r.status === 'accepted' && r.evicted, ev.evicted);
    // evictions are announced before the newcomer's acceptance
    assert.equal(ev.order.at(-1), `accepted:oracle:${pk(3)}`);
    assert.equal(ev.order.length, expected.length + 1);

    assert.deepEqual(mempool.counts(), { oracles: 2, capabilities: 1, reports: 1, disputes: 0 });
    assert.equal(mempool.getReport(r1), undefined);
    assert.equal(mempool.getReport(r2), undefined);
    assert.equal(mempool.getCapability(pk(1), pk(101)), undefined);
    assert.deepEqual(mempool.listReports(pk(1), ALL), []);
    assert.deepEqual(mempool.listCapabilities(ALL, { question: 'who won' }), []);
    assert.deepEqual(mempool.listCapabilities(ALL, { tag: 'sports' }), []);
    assert.deepEqual(mempool.listOracles(ALL, { tag: 'victim' }), []);
    assert.deepEqual(mempool.listCapabilities(ALL, { question: 'bitcoin price' }).map((c) => c.msg.capabilityPubKey), [pk(201)]);
    assert.deepEqual(mempool.listOracles(ALL, { question: 'bitcoin' }).map((o) => o.msg.pubkey), [pk(2)]);
  });

  it('after a cascade the evicted oracle starts from scratch when it returns', () => {
    const { mempool } = newMempoolForTest({ maxOracles: 1 });
    mempool.addOracle(fakeOracle(pk(1), 1));
    mempool.addCapability(fakeCapability(pk(1), pk(101), 1));
    mempool.addOracle(fakeOracle(pk(2), 2));
    mempool.addOracle(fakeOracle(pk(1), 3));
    assert.equal(mempool.getOracle(pk(1))?.capabilities.size, 0);
    assert.deepEqual(mempool.counts(), { oracles: 1, capabilities: 0, reports: 0, disputes: 0 });
  });
});
