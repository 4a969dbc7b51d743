// test/unit/mempool/version-index.test.ts - the short-version-id index (docs/PROTOCOL.md 11.6): every stored oracle, capability, report and dispute is found by the short id of its current version, and nothing else is: not after a replacement, a PoW upgrade, an eviction, a cascade removal or a restore; and every version that leaves is announced retired (the intake remembers it from then).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InventoryEntry, Mempool, StoredKind } from '../../../src/mempool/mempool.ts';
import { shortId } from '../../../src/protocol/ids.ts';
import { VersionIndex, type Versioned } from '../../../src/mempool/version-index.ts';
import { disputeId, versionHash } from '../../../src/protocol/ids.ts';
import { fakeCapability, fakeDispute, fakeOracle, fakePubKey, fakeReport, fakeReportId, newMempoolForTest } from '../../helpers/factory.ts';

const pk = fakePubKey;
const rid = fakeReportId;
const O1 = pk(1);
const O2 = pk(2);
const vid = (msg: object): string => shortId(versionHash(msg));

/** The index agrees with the inventory: same size, and every stored version resolves to its item. */
function assertConsistent(m: Mempool): void {
  const inventory = [...m.inventory()];
  assert.equal(m.indexedVersions, inventory.length, 'index size = stored items');
  for (const e of inventory) {
    const hit = m.getByShortId(e.version);
    assert.notEqual(hit, undefined, `${e.kind} ${e.id} not indexed`);
    assert.deepEqual([hit?.kind, hit?.id, hit?.version, hit?.cTTL], [e.kind, e.id, e.version, e.cTTL]);
    assert.equal(hit?.msg, e.msg);
    // The same answer written into one reused object (the relay serving getdata), whatever kind it held before.
    const into = m.getByShortId(e.version, scratch);
    if (into !== scratch && e.kind !== 'announcement' && e.kind !== 'attestation' && e.kind !== 'offer') assert.fail(`${e.kind} ${e.id}: expected the answer written into the caller's object`);
    assert.deepEqual([into?.kind, into?.id, into?.version, into?.cTTL], [e.kind, e.id, e.version, e.cTTL], `${e.kind} ${e.id}: the reused object must hold the same answer`);
    assert.equal(into?.msg, e.msg);
  }
}

/** One object reused by every lookup of {@link assertConsistent} (as the relay's serving loop does). */
const scratch: InventoryEntry = { kind: 'offer', id: '', version: '', msg: null as unknown as InventoryEntry['msg'], cTTL: 7 };

const found = (m: Mempool, msg: object): [StoredKind, string] | undefined => {
  const e: InventoryEntry | undefined = m.getByShortId(vid(msg));
  return e && [e.kind, e.id];
};

describe('version index: one entry per stored version', () => {
  it('finds each kind by the short id of its version, with its inventory id and cTTL; the inventory lists the same short ids', () => {
    const { mempool: m } = newMempoolForTest();
    const o = fakeOracle(O1, 1);
    const c = fakeCapability(O1, pk(100), 2);
    const r = fakeReport(O1, 3);
    const d = fakeDispute(rid(7), O1);
    m.addOracle(o);
    m.addCapability(c);
    m.addReport(r, rid(7));
    m.addDispute(d, disputeId(d));
    assert.deepEqual(found(m, o), ['oracle', O1]);
    assert.deepEqual(found(m, c), ['capability', O1 + pk(100)]);
    assert.deepEqual(found(m, r), ['report', rid(7)]);
    // A dispute's version hash is its id; its inventory id is the report it answers.
    assert.equal(vid(d), shortId(disputeId(d)));
    assert.deepEqual(found(m, d), ['dispute', rid(7)]);
    assert.equal(m.getByShortId(vid(d))?.cTTL, null);
    assert.equal(m.getByShortId(vid(o))?.msg, o);
    assert.deepEqual([...m.inventory()].map((e) => e.version), [vid(o), vid(c), vid(r), vid(d)]);
    for (const e of m.inventory()) assert.match(e.version, /^[A-Za-z0-9_-]{22}$/);
    assertConsistent(m);
  });

  it('the version the caller already hashed (relay passes it) is indexed the same', () => {
    const { mempool: m } = newMempoolForTest();
    const o = fakeOracle(O1, 1);
    m.addOracle(o, versionHash(o));
    assert.deepEqual(found(m, o), ['oracle', O1]);
    assertConsistent(m);
  });

  it('unknown short ids are not found', () => {
    const { mempool: m } = newMempoolForTest();
    m.addOracle(fakeOracle(O1, 1));
    assert.equal(m.getByShortId(shortId('00'.repeat(32))), undefined);
    assert.equal(m.getByShortId(''), undefined);
    assert.equal(m.getByShortId('constructor'), undefined);
  });
});

describe('version index: a replaced version is gone, its successor is found', () => {
  it('oracle: a seqNo update (same rank) and a PoW upgrade', () => {
    const { mempool: m } = newMempoolForTest();
    const v1 = fakeOracle(O1, 1, { seqNo: 1 });
    const v2 = fakeOracle(O1, 1, { seqNo: 2, tags: ['x'] });
    const v3 = fakeOracle(O1, 5, { seqNo: 2, tags: ['x'] });
    m.addOracle(v1);
    m.addCapability(fakeCapability(O1, pk(100), 1));
    assert.equal(m.addOracle(v2).status, 'accepted');
    assert.equal(m.getByShortId(vid(v1)), undefined);
    assert.deepEqual(found(m, v2), ['oracle', O1]);
    assert.equal(m.addOracle(v3).status, 'accepted');
    assert.equal(m.getByShortId(vid(v2)), undefined);
    assert.equal(m.getByShortId(vid(v3))?.msg, v3);
    assertConsistent(m);
  });

  it('capability: a seqNo update and a PoW upgrade', () => {
    const { mempool: m } = newMempoolForTest();
    m.addOracle(fakeOracle(O1, 1));
    const v1 = fakeCapability(O1, pk(100), 2, { seqNo: 1 });
    const v2 = fakeCapability(O1, pk(100), 2, { seqNo: 2, question: 'another question' });
    const v3 = fakeCapability(O1, pk(100), 6, { seqNo: 2, question: 'another question' });
    for (const v of [v1, v2, v3]) assert.equal(m.addCapability(v).status, 'accepted');
    assert.equal(m.getByShortId(vid(v1)), undefined);
    assert.equal(m.getByShortId(vid(v2)), undefined);
    assert.deepEqual(found(m, v3), ['capability', O1 + pk(100)]);
    assertConsistent(m);
  });

  it('report: a PoW upgrade keeps the id and its dispute, under a new version', () => {
    const { mempool: m } = newMempoolForTest();
    m.addOracle(fakeOracle(O1, 1));
    const v1 = fakeReport(O1, 2);
    const v2 = fakeReport(O1, 4);
    const d = fakeDispute(rid(3), O1);
    m.addReport(v1, rid(3));
    m.addDispute(d, disputeId(d));
    assert.deepEqual(m.addReport(v2, rid(3)), { status: 'accepted', replaced: true, evicted: [] });
    assert.equal(m.getByShortId(vid(v1)), undefined);
    assert.deepEqual(found(m, v2), ['report', rid(3)]);
    assert.deepEqual(found(m, d), ['dispute', rid(3)]);
    assertConsistent(m);
  });

  it('a duplicate or a refused version changes nothing', () => {
    const { mempool: m } = newMempoolForTest({ maxOracles: 1 });
    const o = fakeOracle(O1, 5, { seqNo: 2 });
    m.addOracle(o);
    assert.equal(m.addOracle(fakeOracle(O1, 5, { seqNo: 1 })).status, 'duplicate');
    assert.equal(m.addOracle(fakeOracle(O2, 1)).status, 'rejected');
    assert.equal(m.getByShortId(vid(fakeOracle(O2, 1))), undefined);
    assert.deepEqual(found(m, o), ['oracle', O1]);
    assertConsistent(m);
  });
});

describe('version index: removed items are gone (nothing stale is served, nothing leaks)', () => {
  it('capability evicted by rank', () => {
    const { mempool: m } = newMempoolForTest({ maxCapabilities: 1 });
    m.addOracle(fakeOracle(O1, 1));
    const low = fakeCapability(O1, pk(100), 1);
    const high = fakeCapability(O1, pk(101), 5);
    m.addCapability(low);
    assert.equal(m.addCapability(high).status, 'accepted');
    assert.equal(m.getByShortId(vid(low)), undefined);
    assert.deepEqual(found(m, high), ['capability', O1 + pk(101)]);
    assertConsistent(m);
  });

  it('report evicted by rank takes its dispute with it', () => {
    const { mempool: m } = newMempoolForTest({ maxReports: 1 });
    m.addOracle(fakeOracle(O1, 1));
    const low = fakeReport(O1, 1);
    const d = fakeDispute(rid(1), O1);
    m.addReport(low, rid(1));
    m.addDispute(d, disputeId(d));
    const high = fakeReport(O1, 9);
    assert.equal(m.addReport(high, rid(2)).status, 'accepted');
    assert.equal(m.getByShortId(vid(low)), undefined);
    assert.equal(m.getByShortId(vid(d)), undefined);
    assert.deepEqual(found(m, high), ['report', rid(2)]);
    assertConsistent(m);
  });

  it('oracle evicted by rank takes its capabilities, reports and disputes with it', () => {
    const { mempool: m } = newMempoolForTest({ maxOracles: 1 });
    const low = fakeOracle(O1, 1);
    const c = fakeCapability(O1, pk(100), 1);
    const r = fakeReport(O1, 1);
    const d = fakeDispute(rid(1), O1);
    m.addOracle(low);
    m.addCapability(c);
    m.addReport(r, rid(1));
    m.addDispute(d, disputeId(d));
    assert.equal(m.indexedVersions, 4);
    const high = fakeOracle(O2, 9);
    assert.equal(m.addOracle(high).status, 'accepted');
    for (const gone of [low, c, r, d]) assert.equal(m.getByShortId(vid(gone)), undefined);
    assert.equal(m.indexedVersions, 1);
    assert.deepEqual(found(m, high), ['oracle', O2]);
    assertConsistent(m);
  });

  it('churn: many replacements and evictions leave exactly one entry per stored item', () => {
    const { mempool: m } = newMempoolForTest({ maxOracles: 5, maxCapabilities: 2, maxReports: 2 });
    for (let i = 0; i < 300; i++) {
      const o = pk(1 + (i % 9));
      m.addOracle(fakeOracle(o, i % 7, { seqNo: i }));
      m.addCapability(fakeCapability(o, pk(100 + (i % 4)), i % 5, { seqNo: i }));
      const id = rid(1000 + 16 * (i % 9) + (i % 3)); // a report id belongs to one oracle (it hashes oraclePubKey)
      m.addReport(fakeReport(o, i % 8, { seqNo: i, tag: id }), id);
      const d = fakeDispute(id, o, `answer ${i}`);
      m.addDispute(d, disputeId(d));
      assertConsistent(m);
    }
    const c = m.counts();
    assert.equal(m.indexedVersions, c.oracles + c.capabilities + c.reports + c.disputes);
  });

  it('a restore (persist replays its journal this way) indexes too, and its events say restored', () => {
    const { mempool: m } = newMempoolForTest();
    const o = fakeOracle(O1, 1);
    const restored: (true | undefined)[] = [];
    m.on('mempool:accepted', (e) => restored.push(e.restored));
    m.restoring(() => m.addOracle(o));
    assert.deepEqual(found(m, o), ['oracle', O1]);
    assertConsistent(m);
    m.addOracle(fakeOracle(O1, 2));
    assert.deepEqual(restored, [true, undefined], 'the restored add is marked restored, the later one is not');
  });
});

describe('version index: retired versions are announced (the intake remembers them instead of every stored one)', () => {
  it('churn: every version that leaves the index (replaced, evicted, cascaded) is announced once when it leaves, none that stays; tracksVersion is exactly the index (and agrees with getByShortId)', () => {
    const { mempool: m } = newMempoolForTest({ maxOracles: 5, maxCapabilities: 2, maxReports: 2 });
    let retired: string[] = [];
    m.on('mempool:version-retired', (v) => retired.push(v));
    const stored = (): Set<string> => new Set([...m.inventory()].map((e) => e.version));
    for (let i = 0; i < 300; i++) {
      const o = pk(1 + (i % 9));
      const id = rid(1000 + 16 * (i % 9) + (i % 3));
      const d = fakeDispute(id, o, `answer ${i}`);
      const steps = [
        () => m.addOracle(fakeOracle(o, i % 7, { seqNo: i })),
        () => m.addCapability(fakeCapability(o, pk(100 + (i % 4)), i % 5, { seqNo: i })),
        () => m.addReport(fakeReport(o, i % 8, { seqNo: i, tag: id }), id),
        () => m.addDispute(d, disputeId(d)),
      ];
      for (const step of steps) {
        const before = stored();
        retired = [];
        step();
        const after = stored();
        const left = [...before].filter((v) => !after.has(v)).sort();
        assert.deepEqual([...retired].sort(), left, `step ${i}: expected exactly the versions that left to be announced retired`);
        for (const v of after) assert.equal(m.tracksVersion(v), true, `step ${i}: a stored version must be tracked`);
        for (const v of left) assert.equal(m.tracksVersion(v), false, `step ${i}: a retired version must not be tracked`);
        // service.knowsVersion relies on tracksVersion answering as getByShortId does (without building an entry).
        for (const v of [...after, ...left]) assert.equal(m.getByShortId(v) !== undefined, m.tracksVersion(v), `step ${i}: tracksVersion and getByShortId must agree on ${v}`);
      }
    }
  });

  it("a removal that another entry's key survives announces nothing", () => {
    const gone: string[] = [];
    const idx = new VersionIndex((v) => gone.push(v));
    const a = { msg: fakeCapability(O1, pk(100), 1), version: 'AAAAAAAAAAAAAAAAAAAAAA', receivedAt: 0 } as Versioned;
    const b = { msg: fakeCapability(O1, pk(101), 1), version: 'AAAAAAAAAAAAAAAAAAAAAA', receivedAt: 0 } as Versioned;
    idx.add(a);
    idx.add(b);
    idx.remove(a);
    assert.deepEqual(gone, [], 'b still holds the key: nothing left the index');
    assert.equal(idx.has('AAAAAAAAAAAAAAAAAAAAAA'), true);
    idx.remove(b);
    assert.deepEqual(gone, ['AAAAAAAAAAAAAAAAAAAAAA']);
    assert.equal(idx.has('AAAAAAAAAAAAAAAAAAAAAA'), false);
  });
});

describe('VersionIndex: a collision never drops another entry', () => {
  it('removing an entry whose key another entry now holds leaves that entry', () => {
    const idx = new VersionIndex();
    const a = { msg: fakeCapability(O1, pk(100), 1), version: 'AAAAAAAAAAAAAAAAAAAAAA', receivedAt: 0 } as Versioned;
    const b = { msg: fakeCapability(O1, pk(101), 1), version: 'AAAAAAAAAAAAAAAAAAAAAA', receivedAt: 0 } as Versioned;
    idx.add(a);
    idx.add(b); // a second item under the same short id (2^64 work, the attacker's own items): the later wins
    idx.remove(a);
    assert.equal(idx.size, 1);
    assert.equal(idx.get('AAAAAAAAAAAAAAAAAAAAAA')?.id, O1 + pk(101));
    idx.remove(b);
    assert.equal(idx.size, 0);
  });
});
