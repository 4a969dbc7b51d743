// test/unit/mempool/capabilities.test.ts - Mempool capability ads: unknown oracle, per-oracle maxCapabilities eviction, seqNo updates, PoW upgrades and their index changes.
import { describe, it } from 'node:test';
import { signingHash } from '../../../src/protocol/canonical.ts';
import type { OracleCapability } from '../../../src/protocol/types.ts';
import assert from 'node:assert/strict';
import { versionHash } from '../../../src/protocol/ids.ts';
import type { AcceptedEvent, EvictedEvent, Mempool } from '../../../src/mempool/mempool.ts';
import { fakeCapability, fakeOracle, fakePubKey, newMempoolForTest } from '../../helpers/factory.ts';

const ALL = { page: 0, chunkSize: 1000 };
const pk = fakePubKey;
const O1 = pk(1);
const O2 = pk(2);

const capsOf = (m: Mempool, o: string): string[] => m.listCapabilities(ALL, { pubkey: o }).map((c) => c.msg.capabilityPubKey);

function withOracles(opts: Parameters<typeof newMempoolForTest>[0] = {}): Mempool {
  const { mempool } = newMempoolForTest(opts);
  mempool.addOracle(fakeOracle(O1, 1));
  mempool.addOracle(fakeOracle(O2, 1));
  return mempool;
}

describe('Mempool capabilities: admission', () => {
  it('rejects a capability of an unknown oracle', () => {
    const { mempool } = newMempoolForTest();
    const r = mempool.addCapability(fakeCapability(O1, pk(100), 3));
    assert.equal(r.status, 'rejected');
    assert.equal(r.status === 'rejected' && r.reason, 'unknown-oracle');
    assert.equal(mempool.precheckCapability(fakeCapability(O1, pk(100), 3))?.status, 'rejected');
    assert.equal(mempool.counts().capabilities, 0);
  });

  it('stores a capability of a known oracle and announces it', () => {
    const m = withOracles();
    const events: unknown[] = [];
    m.on('mempool:accepted', (e) => events.push(e));
    const c = fakeCapability(O1, pk(100), 3);
    assert.deepEqual(m.addCapability(c), { status: 'accepted', replaced: false, evicted: [] });
    assert.deepEqual(events, [{ kind: 'capability', id: pk(100), oraclePubKey: O1, replaced: false, version: versionHash(c), entity: c }]);
    assert.equal(m.getCapability(O1, pk(100))?.msg, c);
    assert.equal(m.getCapability(O2, pk(100)), undefined);
    assert.equal(m.counts().capabilities, 1);
  });

  it('one capability key may serve two oracles independently', () => {
    const m = withOracles();
    m.addCapability(fakeCapability(O1, pk(100), 3));
    assert.equal(m.addCapability(fakeCapability(O2, pk(100), 3)).status, 'accepted');
    assert.equal(m.counts().capabilities, 2);
  });

  it('lists an oracle\'s capabilities by PoW, ties by capabilityPubKey ascending', () => {
    const m = withOracles();
    m.addCapability(fakeCapability(O1, pk(105), 2));
    m.addCapability(fakeCapability(O1, pk(101), 6));
    m.addCapability(fakeCapability(O1, pk(103), 2));
    assert.deepEqual(capsOf(m, O1), [pk(101), pk(103), pk(105)]);
  });
});

describe('Mempool capabilities: eviction at maxCapabilities (per oracle)', () => {
  it('a higher-ranked newcomer evicts the oracle\'s lowest-ranked capability', () => {
    const m = withOracles({ maxCapabilities: 2 });
    m.addCapability(fakeCapability(O1, pk(101), 4, { question: 'alpha question' }));
    m.addCapability(fakeCapability(O1, pk(102), 2, { question: 'beta question', tags: ['b'] }));
    const evicted: EvictedEvent[] = [];
    m.on('mempool:evicted', (e) => evicted.push(e));
    const r = m.addCapability(fakeCapability(O1, pk(103), 3));
    const want: EvictedEvent = { kind: 'capability', id: pk(102), oraclePubKey: O1, cause: 'rank' };
    assert.deepEqual(r, { status: 'accepted', replaced: false, evicted: [want] });
    assert.deepEqual(evicted, [want]);
    assert.deepEqual(capsOf(m, O1), [pk(101), pk(103)]);
    assert.equal(m.counts().capabilities, 2);
    // the evicted ad left the indexes too
    assert.deepEqual(m.listCapabilities(ALL, { question: 'beta' }), []);
    assert.deepEqual(m.listCapabilities(ALL, { tag: 'b' }), []);
  });

  it('equal or lower rank than the lowest is rejected rank-too-low', () => {
    const m = withOracles({ maxCapabilities: 2 });
    m.addCapability(fakeCapability(O1, pk(105), 4));
    m.addCapability(fakeCapability(O1, pk(106), 2));
    for (const d of [2, 1, 0]) {
      const r = m.addCapability(fakeCapability(O1, pk(101), d));
      assert.equal(r.status === 'rejected' && r.reason, 'rank-too-low', `difficulty ${d}`);
    }
    assert.deepEqual(capsOf(m, O1), [pk(105), pk(106)]);
  });

  it('ties at the lowest rank: the larger capabilityPubKey is evicted first', () => {
    const m = withOracles({ maxCapabilities: 2 });
    m.addCapability(fakeCapability(O1, pk(101), 1));
    m.addCapability(fakeCapability(O1, pk(109), 1));
    const r = m.addCapability(fakeCapability(O1, pk(105), 2));
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => e.id), [pk(109)]);
  });

  it('the limit is per oracle: a full oracle does not affect another', () => {
    const m = withOracles({ maxCapabilities: 1 });
    m.addCapability(fakeCapability(O1, pk(101), 9));
    assert.deepEqual(m.addCapability(fakeCapability(O2, pk(201), 0)), { status: 'accepted', replaced: false, evicted: [] });
    assert.equal(m.addCapability(fakeCapability(O1, pk(102), 0)).status, 'rejected');
    assert.equal(m.counts().capabilities, 2);
  });
});

describe('Mempool capabilities: seqNo updates', () => {
  it('a higher seqNo replaces; a lower seqNo, or an equal one without more PoW, is a duplicate', () => {
    const m = withOracles();
    const v1 = fakeCapability(O1, pk(101), 3, { seqNo: 1 });
    m.addCapability(v1);
    const events: string[] = [];
    m.on('mempool:accepted', (e) => events.push(`accepted:${e.id}`));
    m.on('mempool:evicted', (e) => events.push(`evicted:${e.id}`));
    assert.deepEqual(m.addCapability(fakeCapability(O1, pk(101), 3, { seqNo: 1 })), { status: 'duplicate' });
    assert.deepEqual(m.addCapability(fakeCapability(O1, pk(101), 2, { seqNo: 1 })), { status: 'duplicate' });
    assert.deepEqual(m.addCapability(fakeCapability(O1, pk(101), 9, { seqNo: 0 })), { status: 'duplicate' });
    assert.deepEqual(m.precheckCapability(fakeCapability(O1, pk(101), 9, { seqNo: 0 })), { status: 'duplicate' });
    assert.equal(m.getCapability(O1, pk(101))?.msg, v1);
    assert.deepEqual(events, []);
    const v2 = fakeCapability(O1, pk(101), 1, { seqNo: 2 });
    assert.deepEqual(m.addCapability(v2), { status: 'accepted', replaced: true, evicted: [] });
    assert.equal(m.getCapability(O1, pk(101))?.msg, v2);
    assert.equal(m.counts().capabilities, 1);
    assert.deepEqual(events, [`accepted:${pk(101)}`]);
  });

  it('a PoW upgrade (equal seqNo, same signed content, more PoW) replaces and re-ranks within the oracle', () => {
    const { mempool: m, clock } = newMempoolForTest();
    m.addOracle(fakeOracle(O1, 1));
    m.addCapability(fakeCapability(O1, pk(101), 5, { seqNo: 3 }));
    m.addCapability(fakeCapability(O1, pk(102), 2, { seqNo: 3, question: 'Who won the match?', tags: ['sports'] }));
    assert.deepEqual(capsOf(m, O1), [pk(101), pk(102)]);
    const accepted: AcceptedEvent[] = [];
    m.on('mempool:accepted', (e) => accepted.push(e));
    clock.advance(250);
    const up = fakeCapability(O1, pk(102), 8, { seqNo: 3, question: 'Who won the match?', tags: ['sports'] });
    up.cTTL = 1;
    assert.equal(m.precheckCapability(up), null);
    assert.deepEqual(m.addCapability(up), { status: 'accepted', replaced: true, evicted: [] });
    assert.deepEqual(capsOf(m, O1), [pk(102), pk(101)]);
    assert.equal(m.getCapability(O1, pk(102))?.msg, up);
    assert.equal(m.getCapability(O1, pk(102))?.receivedAt, clock.t);
    assert.deepEqual(accepted, [{ kind: 'capability', id: pk(102), oraclePubKey: O1, replaced: true, version: versionHash(up), entity: up }]);
    assert.equal(m.counts().capabilities, 2);
    // still indexed exactly once under its words and tag
    assert.deepEqual(m.listCapabilities(ALL, { question: 'match' }).map((c) => c.msg), [up]);
    assert.deepEqual(m.listCapabilities(ALL, { tag: 'sports' }).map((c) => c.msg), [up]);
  });

  it('a same-seqNo fork (different signed content) is decided by signing hash, whatever the PoW, in either arrival order', () => {
    const v = fakeCapability(O1, pk(101), 3, { seqNo: 1, question: 'Who won the match?', tags: ['sports'] });
    const otherQuestion = fakeCapability(O1, pk(101), 9, { seqNo: 1, question: 'Will it rain tomorrow?', tags: ['sports'] });
    const otherTags = fakeCapability(O1, pk(101), 1, { seqNo: 1, question: 'Who won the match?', tags: ['weather'] });
    const offNow = fakeCapability(O1, pk(101), 9, { seqNo: 1, question: 'Who won the match?', tags: ['sports'] });
    offNow.off = true;
    const sig = (c: OracleCapability): string => signingHash(c, 'oracleSignature');
    for (const c of [otherQuestion, otherTags, offNow]) {
      const winner = sig(c) > sig(v) ? c : v;
      for (const order of [[v, c], [c, v]]) {
        const m = withOracles();
        for (const x of order) m.addCapability(x);
        assert.equal(m.getCapability(O1, pk(101))?.msg, winner, `expected the fork with the greater signing hash kept whatever the arrival order (${c.question})`);
        assert.equal(m.counts().capabilities, 1, 'expected one capability stored');
      }
    }
  });
  it('an update in a full set evicts nothing and re-ranks', () => {
    const m = withOracles({ maxCapabilities: 2 });
    m.addCapability(fakeCapability(O1, pk(101), 5));
    m.addCapability(fakeCapability(O1, pk(102), 3));
    assert.deepEqual(m.addCapability(fakeCapability(O1, pk(101), 1, { seqNo: 1 })), { status: 'accepted', replaced: true, evicted: [] });
    assert.deepEqual(capsOf(m, O1), [pk(102), pk(101)]);
    // a PoW upgrade in a full set evicts nothing either
    assert.deepEqual(m.addCapability(fakeCapability(O1, pk(102), 4)), { status: 'accepted', replaced: true, evicted: [] });
    assert.deepEqual(capsOf(m, O1), [pk(102), pk(101)]);
    assert.equal(m.counts().capabilities, 2);
    // pk(101) is now the lowest: a newcomer of difficulty 2 evicts it
    const r = m.addCapability(fakeCapability(O1, pk(103), 2));
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => e.id), [pk(101)]);
  });

  it('an update re-indexes a changed question and tags', () => {
    const m = withOracles();
    m.addCapability(fakeCapability(O1, pk(101), 3, { question: 'Who won the match?', tags: ['sports'] }));
    m.addCapability(fakeCapability(O1, pk(101), 3, { seqNo: 1, question: 'Will it rain tomorrow?', tags: ['weather'] }));
    assert.deepEqual(m.listCapabilities(ALL, { question: 'match' }), []);
    assert.deepEqual(m.listCapabilities(ALL, { tag: 'sports' }), []);
    assert.deepEqual(m.listOracles(ALL, { question: 'match' }), []);
    assert.deepEqual(m.listOracles(ALL, { tag: 'sports' }), []);
    assert.deepEqual(m.listCapabilities(ALL, { question: 'rain' }).map((c) => c.msg.capabilityPubKey), [pk(101)]);
    assert.deepEqual(m.listCapabilities(ALL, { tag: 'weather' }).map((c) => c.msg.capabilityPubKey), [pk(101)]);
    assert.deepEqual(m.listCapabilities(ALL, { question: 'will it rain tomorrow' }).map((c) => c.msg.capabilityPubKey), [pk(101)]);
    assert.deepEqual(m.listOracles(ALL, { question: 'will it rain tomorrow' }).map((o) => o.msg.pubkey), [O1]);
  });

  it('updates receivedAt from the injected clock', () => {
    const { mempool, clock } = newMempoolForTest();
    mempool.addOracle(fakeOracle(O1, 1));
    mempool.addCapability(fakeCapability(O1, pk(101), 1));
    const t0 = clock.t;
    assert.equal(mempool.getCapability(O1, pk(101))?.receivedAt, t0);
    clock.advance(5000);
    mempool.addCapability(fakeCapability(O1, pk(101), 1, { seqNo: 1 }));
    assert.equal(mempool.getCapability(O1, pk(101))?.receivedAt, t0 + 5000);
  });
});
