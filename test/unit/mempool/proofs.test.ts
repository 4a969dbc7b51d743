// test/unit/mempool/proofs.test.ts - the proof store (mempool/proofs.ts): count and byte limits, ranking by the accused oracle's PoW, proofs outside maxReports and maxBytes, and a restore replay that keeps proofs of evicted oracles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Report, Verified } from '../../../src/protocol/types.ts';
import type { Mempool } from '../../../src/mempool/mempool.ts';
import { asVerified, fakeOracle, fakePow, fakePubKey, fakeReport, fakeReportId, newMempoolForTest } from '../../helpers/factory.ts';

const pk = fakePubKey;
const rid = fakeReportId;
const ALL = { page: 0, chunkSize: 100 };

/** An unsigned fact-conflict branded verified (the mempool never re-verifies). */
function fakeProof(oraclePubKey: string, difficulty: number, pad = ''): Verified<Report> {
  const fact = (answer: string) => ({ request: { capabilityPubKey: pk(0), arguments: { pad } }, answer, signatureType: 'ecdsa-secp256k1' as const, signature: '0'.repeat(128) });
  return asVerified({ oraclePubKey, seqNo: 0, cTTL: 5, pow: fakePow(difficulty), content: { type: 'fact-conflict', request: { capabilityPubKey: pk(0), arguments: { pad } }, facts: [fact('a'), fact('b')] } });
}

const ids = (m: Mempool, k: string): string[] => m.listReports(k, ALL).map((r) => r.id);

describe('proof store: limits and rank', () => {
  it('a full store evicts the proof against the oracle with the least identity work, and refuses one that outranks nothing', () => {
    const { mempool: m } = newMempoolForTest({ maxProofs: 2 });
    m.addOracle(fakeOracle(pk(1), 1));
    m.addOracle(fakeOracle(pk(5), 5));
    m.addOracle(fakeOracle(pk(3), 3));
    m.addOracle(fakeOracle(pk(0), 0));
    assert.equal(m.addReport(fakeProof(pk(1), 9), rid(1)).status, 'accepted');
    assert.equal(m.addReport(fakeProof(pk(5), 0), rid(2)).status, 'accepted');
    const r = m.addReport(fakeProof(pk(3), 0), rid(3));
    assert.deepEqual(r.status === 'accepted' && r.evicted, [{ kind: 'report', id: rid(1), oraclePubKey: pk(1), cause: 'rank' }], 'expected the proof against the PoW-1 oracle to go, whatever its own PoW');
    const low = m.addReport(fakeProof(pk(0), 50), rid(4));
    assert.equal(low.status === 'rejected' && low.reason, 'rank-too-low', 'expected a proof against a PoW-0 oracle refused at a full store');
    assert.equal(m.proofUsage().proofs, 2, 'expected the count limit kept');
    assert.deepEqual(ids(m, pk(1)), [], 'expected the evicted proof gone from its oracle');
  });

  it('the byte limit evicts as the count limit does', () => {
    const one = JSON.stringify(fakeProof(pk(1), 0, 'x')).length;
    const { mempool: m } = newMempoolForTest({ maxProofBytes: one * 2 + 10 });
    for (const k of [1, 2, 3]) m.addOracle(fakeOracle(pk(k), k));
    m.addReport(fakeProof(pk(1), 0, 'x'), rid(1));
    m.addReport(fakeProof(pk(2), 0, 'x'), rid(2));
    const r = m.addReport(fakeProof(pk(3), 0, 'x'), rid(3));
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => e.id), [rid(1)], 'expected the lowest proof evicted for bytes');
    assert.equal(m.proofUsage().bytes <= one * 2 + 10, true, `expected proof bytes ${m.proofUsage().bytes} within the limit`);
  });

  it('proofs take no report slot and no maxBytes: a full claim set and a full byte budget still take a proof', () => {
    const { mempool: m } = newMempoolForTest({ maxReports: 1 });
    m.addOracle(fakeOracle(pk(1), 1));
    assert.equal(m.addReport(fakeReport(pk(1), 30), rid(1)).status, 'accepted');
    const r = m.addReport(fakeProof(pk(1), 0), rid(2));
    assert.deepEqual(r.status === 'accepted' && r.evicted, [], 'expected the proof stored without evicting the claim');
    const claim = m.addReport(fakeReport(pk(1), 31), rid(3));
    assert.deepEqual(claim.status === 'accepted' && claim.evicted.map((e) => e.id), [rid(1)], 'expected a better claim to evict the claim, not the proof');
    assert.deepEqual(ids(m, pk(1)), [rid(2), rid(3)], 'expected the proof listed first');
    const before = m.bytes;
    m.addReport(fakeProof(pk(1), 0, 'other'), rid(4));
    assert.equal(m.bytes, before, 'expected proofs outside the maxBytes account');
  });
});

describe('proof store: the record outlives the oracle', () => {
  it('a restore replay of the inventory keeps a proof whose oracle was evicted, and the oracle holds it again when it returns', () => {
    const { mempool: a } = newMempoolForTest({ maxOracles: 1 });
    a.addOracle(fakeOracle(pk(1), 1));
    a.addReport(fakeProof(pk(1), 0), rid(7));
    a.addReport(fakeReport(pk(1), 9), rid(8));
    a.addOracle(fakeOracle(pk(2), 4)); // evicts pk(1) and its claim, not its proof
    assert.equal(a.getReport(rid(8)), undefined, 'expected the claim gone with its oracle');
    const inv = [...a.inventory()];
    assert.deepEqual(inv.map((e) => `${e.kind}:${e.id}`), [`oracle:${pk(2)}`, `report:${rid(7)}`], 'expected the detached proof in the inventory');
    const { mempool: b } = newMempoolForTest({ maxOracles: 1 });
    b.restoring(() => {
      for (const e of inv) {
        const r = e.kind === 'oracle' ? b.addOracle(e.msg as never) : b.addReport(e.msg as Verified<Report>, e.id);
        assert.equal(r.status, 'accepted', `expected ${e.kind} ${e.id} restored`);
      }
    });
    assert.deepEqual(ids(b, pk(1)), [rid(7)], 'expected the restored proof served under the evicted key');
    b.addOracle(fakeOracle(pk(1), 9));
    assert.deepEqual(ids(b, pk(1)), [rid(7)], 'expected the returning oracle to hold it');
    assert.equal(b.getOracle(pk(1))?.proofCount, 1, 'expected its proof counted on the entry');
  });
});
