// test/unit/service/properties.test.ts - fast-check properties of MegaService + Mempool with real signed entities (PoW difficulty 0..6): limits, lowest-first eviction, counts = reachable entries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OracleCapability, OracleId, Report } from '../../../src/protocol/types.ts';
import type { AdmissionResult } from '../../../src/service/types.ts';
import type { MegaService } from '../../../src/service/service.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, newServiceForTest, reportId, type KeyPair } from '../../helpers/factory.ts';

const ALL = { page: 0, chunkSize: 10_000 };
const ORACLE_KEYS: KeyPair[] = Array.from({ length: 6 }, (_, i) => makeKeys(1000 + i));
const CAP_KEYS: KeyPair[] = Array.from({ length: 4 }, (_, i) => makeKeys(2000 + i));
const QUESTIONS = ['Who won the match?', 'Will it rain tomorrow?', 'BTC price at close'];

// Signing and mining cost microseconds, but runs repeat the same entities: build each one once.
const cache = new Map<string, OracleId | OracleCapability | Report>();
function cached<T extends OracleId | OracleCapability | Report>(key: string, build: () => T): T {
  let v = cache.get(key);
  if (!v) cache.set(key, (v = build()));
  return v as T;
}

type Op =
  | { t: 'oracle'; k: number; d: number; seq: number }
  | { t: 'cap'; k: number; c: number; d: number; seq: number; q: number }
  | { t: 'report'; k: number; n: number; d: number; conflict: boolean };

function entity(op: Op): ['oracle', OracleId] | ['capability', OracleCapability] | ['report', Report] {
  switch (op.t) {
    case 'oracle':
      return ['oracle', cached(`o${op.k}:${op.d}:${op.seq}`, () => makeOracle({ keys: ORACLE_KEYS[op.k] as KeyPair, difficulty: op.d, seqNo: op.seq }))];
    case 'cap':
      return [
        'capability',
        cached(`c${op.k}:${op.c}:${op.d}:${op.seq}:${op.q}`, () =>
          makeCapability({ oracleKeys: ORACLE_KEYS[op.k] as KeyPair, capKeys: CAP_KEYS[op.c] as KeyPair, question: QUESTIONS[op.q] as string, difficulty: op.d, seqNo: op.seq }),
        ),
      ];
    case 'report': {
      const oracleKeys = ORACLE_KEYS[op.k] as KeyPair;
      const capKeys = CAP_KEYS[op.n % CAP_KEYS.length] as KeyPair;
      const args = { n: String(op.n) };
      return [
        'report',
        cached(`r${op.k}:${op.n}:${op.d}:${op.conflict}`, () =>
          op.conflict
            ? makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys, args, difficulty: op.d, capability: makeCapability({ oracleKeys, capKeys, question: 'embedded', difficulty: 0 }) })
            : makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args, difficulty: op.d, capability: makeCapability({ oracleKeys, capKeys, question: 'embedded', difficulty: 0 }) }),
        ),
      ];
    }
  }
}

const diff = fc.integer({ min: 0, max: 6 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('oracle' as const), k: fc.nat(5), d: diff, seq: fc.nat(1) }),
  fc.record({ t: fc.constant('cap' as const), k: fc.nat(5), c: fc.nat(3), d: diff, seq: fc.nat(1), q: fc.nat(2) }),
  fc.record({ t: fc.constant('report' as const), k: fc.nat(5), n: fc.nat(5), d: diff, conflict: fc.boolean() }),
);

/** Rank snapshot (descending) of what an insertion could evict. */
function before(service: MegaService, kind: string, oraclePubKey: string): { id: string; p: number; s: number }[] {
  if (kind === 'oracle') return service.listOracles(ALL, {}).map((o) => ({ id: o.msg.pubkey, p: o.verifiedBid, s: o.msg.pow.difficulty }));
  if (kind === 'capability') return service.listCapabilities(ALL, { pubkey: oraclePubKey }).map((c) => ({ id: c.msg.capabilityPubKey, p: c.msg.pow.difficulty, s: 0 }));
  // Class first (a proof ranks above every claim), then PoW; only claims take report slots, so only they can be evicted for one.
  return service
    .listReports(oraclePubKey, ALL)
    .filter((r) => r.msg.content.type !== 'fact-conflict')
    .map((r) => ({ id: r.id, p: r.dispute ? 0 : 1, s: r.msg.pow.difficulty }));
}

describe('service properties with real signed entities (fast-check)', () => {
  it('never exceeds a limit, evicts only the lowest-ranked, and counts equal what lookups reach', async () => {
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({ maxOracles: fc.integer({ min: 1, max: 4 }), maxCapabilities: fc.integer({ min: 1, max: 2 }), maxReports: fc.integer({ min: 1, max: 2 }), count: fc.integer({ min: 1, max: 2 }) }),
        fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }),
        async (lim, ops) => {
          const { service } = newServiceForTest({ mempool: { ...lim, shard: { count: lim.count, index: 0 } } });
          for (const op of ops) {
            const [kind, e] = entity(op);
            const oraclePubKey = kind === 'oracle' ? (e as OracleId).pubkey : (e as OracleCapability | Report).oraclePubKey;
            const snapshot = before(service, kind, oraclePubKey);
            const r: AdmissionResult = await service.admit(kind, e);
            outcomes.add(`${kind}:${r.status === 'rejected' ? r.reason : r.status}`);
            assert.notEqual(r.status === 'rejected' && r.banScore, 100, JSON.stringify(r));
            if (r.status === 'accepted') {
              const byRank = r.evicted.filter((x) => x.cause === 'rank');
              assert.ok(byRank.length <= 1, `expected byRank.length <= 1, got byRank.length = ${byRank.length}`);
              const gone = byRank[0];
              if (gone) {
                // the evicted entry was the lowest of the full set before the insertion, and the newcomer beat it
                const lowest = snapshot.at(-1);
                assert.equal(gone.id, lowest?.id);
                const d = (e as OracleId).pow.difficulty;
                const newcomer = kind === 'oracle' ? { p: 0, s: d } : kind === 'report' ? { p: 1, s: d } : { p: d, s: 0 };
                if (kind === 'report') assert.notEqual((e as Report).content.type, 'fact-conflict', 'expected a proof never to evict a report: proofs take no slot');
                assert.equal(newcomer.p > (lowest?.p ?? 0) || (newcomer.p === lowest?.p && newcomer.s > lowest.s), true, 'expected an evicting newcomer to outrank the lowest entry');
              }
              if (kind === 'report') assert.equal(r.id, reportId(e as Report));
            }
            // limits and reachability
            const counts = service.counts();
            const oracles = service.listOracles(ALL, {});
            assert.equal(oracles.length, counts.oracles);
            assert.ok(counts.oracles <= lim.maxOracles, `expected counts.oracles <= lim.maxOracles, got counts.oracles = ${counts.oracles}, lim.maxOracles = ${lim.maxOracles}`);
            let caps = 0;
            let reports = 0;
            for (const o of oracles) {
              const cs = service.listCapabilities(ALL, { pubkey: o.msg.pubkey });
              const rs = service.listReports(o.msg.pubkey, ALL);
              assert.ok(cs.length <= lim.maxCapabilities, `expected cs.length <= lim.maxCapabilities, got cs.length = ${cs.length}, lim.maxCapabilities = ${lim.maxCapabilities}`);
              assert.equal(rs.filter((x) => x.msg.content.type !== 'fact-conflict').length <= lim.maxReports, true, 'expected at most maxReports claims per oracle');
              caps += cs.length;
              reports += rs.length;
            }
            // Proofs against oracles that are not stored (never admitted, or evicted) stay listed under their key.
            const listed = new Set(oracles.map((o) => o.msg.pubkey));
            for (const k of ORACLE_KEYS) if (!listed.has(k.publicKey)) reports += service.listReports(k.publicKey, ALL).length;
            assert.deepEqual({ caps, reports }, { caps: counts.capabilities, reports: counts.reports });
            const byQuestion = new Set<string>();
            for (const q of QUESTIONS) for (const c of service.listCapabilities(ALL, { question: q })) byQuestion.add(`${c.msg.oraclePubKey}/${c.msg.capabilityPubKey}`);
            assert.equal(byQuestion.size, counts.capabilities);
          }
        },
      ),
      { seed: 7, numRuns: 150 },
    );
    for (const k of ['oracle:accepted', 'oracle:duplicate', 'oracle:rank-too-low', 'capability:accepted', 'capability:rank-too-low', 'report:accepted', 'report:rank-too-low', 'report:out-of-shard']) {
      assert.equal(outcomes.has(k), true, `never saw ${k}: ${[...outcomes].join(', ')}`);
    }
  });
});
