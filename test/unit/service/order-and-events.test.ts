// test/unit/service/order-and-events.test.ts - MegaService check order (cheapest first), ban scores, the `admission` event (once per submission) and re-exposed mempool events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AcceptedEvent, EvictedEvent } from '../../../src/mempool/mempool.ts';
import type { EntityKind } from '../../../src/protocol/types.ts';
import { BAN_SCORES, type AdmissionResult, type RejectReason } from '../../../src/service/types.ts';

const banScoreFor = (reason: string): number | undefined => BAN_SCORES[reason as RejectReason];
import type { MegaService } from '../../../src/service/service.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, newServiceForTest, reportId } from '../../helpers/factory.ts';

const O = makeKeys(1);
const C = makeKeys(101);
const BAD_SIG = '1'.repeat(128);
const BAD_HASH = 'f'.repeat(64);

const reasonOf = (r: AdmissionResult): string => (r.status === 'rejected' ? r.reason : r.status);

describe('service: check order', () => {
  it('schema comes before everything, even for a stored duplicate', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: O });
    await service.admit('oracle', o);
    assert.equal(reasonOf(await service.admit('oracle', { ...o, unknown: true })), 'schema-violation');
  });

  it('a duplicate is answered before PoW and signature work (oracle, capability, report, dispute)', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: O, seqNo: 4 });
    const c = makeCapability({ oracleKeys: O, capKeys: C, question: 'q', seqNo: 4 });
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, seqNo: 4 });
    const d = makeDispute({ reportId: reportId(r), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, answer: 'x' }) });
    for (const [kind, e] of [['oracle', o], ['capability', c], ['report', r], ['dispute', d]] as const) {
      assert.equal((await service.admit(kind, e)).status, 'accepted', kind);
    }
    // same versions, but PoW and signatures are garbage: only a duplicate check that runs first answers "duplicate"
    assert.equal(reasonOf(await service.admit('oracle', { ...o, pow: { ...o.pow, hash: BAD_HASH }, oracleSignature: BAD_SIG })), 'duplicate');
    assert.equal(reasonOf(await service.admit('oracle', { ...o, seqNo: 3, pow: { ...o.pow, hash: BAD_HASH }, oracleSignature: BAD_SIG })), 'duplicate');
    assert.equal(reasonOf(await service.admit('capability', { ...c, pow: { ...c.pow, hash: BAD_HASH }, oracleSignature: BAD_SIG })), 'duplicate');
    assert.equal(reasonOf(await service.admit('report', { ...r, pow: { ...r.pow, hash: BAD_HASH } })), 'duplicate');
    assert.equal(reasonOf(await service.admit('dispute', { ...d, fact: { ...d.fact, signature: BAD_SIG } })), 'duplicate');
  });

  it('PoW is checked before the signature', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: O });
    assert.equal(reasonOf(await service.admit('oracle', { ...o, pow: { ...o.pow, hash: BAD_HASH }, oracleSignature: BAD_SIG })), 'pow-invalid');
    await service.admit('oracle', o);
    const c = makeCapability({ oracleKeys: O, capKeys: C, question: 'q' });
    assert.equal(reasonOf(await service.admit('capability', { ...c, pow: { ...c.pow, hash: BAD_HASH }, oracleSignature: BAD_SIG })), 'pow-invalid');
  });

  it('PoW is checked before report semantics (facts)', async () => {
    const { service } = newServiceForTest();
    await service.admit('oracle', makeOracle({ keys: O }));
    const r = makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, answers: ['same', 'same'] });
    assert.equal(reasonOf(await service.admit('report', { ...r, pow: { ...r.pow, hash: BAD_HASH } })), 'pow-invalid');
    assert.equal(reasonOf(await service.admit('report', r)), 'conflict-answers-equal');
  });

  it('the threshold is checked after PoW validity and before the signature', async () => {
    const { service } = newServiceForTest({ service: { powThresholdOracles: 8 } });
    const o = makeOracle({ keys: O, difficulty: 2 });
    assert.equal(reasonOf(await service.admit('oracle', { ...o, oracleSignature: BAD_SIG })), 'pow-below-threshold');
    assert.equal(reasonOf(await service.admit('oracle', { ...o, pow: { ...o.pow, hash: BAD_HASH } })), 'pow-invalid');
  });

  it('rank comes after PoW and before the signature', async () => {
    const { service } = newServiceForTest({ mempool: { maxOracles: 1 } });
    await service.admit('oracle', makeOracle({ keys: makeKeys(50), difficulty: 4 }));
    const low = makeOracle({ keys: O, difficulty: 2 });
    assert.equal(reasonOf(await service.admit('oracle', { ...low, oracleSignature: BAD_SIG })), 'rank-too-low');
    assert.equal(reasonOf(await service.admit('oracle', { ...low, pow: { ...low.pow, hash: BAD_HASH } })), 'pow-invalid');
  });

  it('an unknown oracle is reported after PoW (a bad proof costs its sender) and before the signature', async () => {
    const { service } = newServiceForTest();
    const c = makeCapability({ oracleKeys: O, capKeys: C, question: 'q' });
    assert.equal(reasonOf(await service.admit('capability', { ...c, pow: { ...c.pow, hash: BAD_HASH } })), 'pow-invalid');
    assert.equal(reasonOf(await service.admit('capability', { ...c, oracleSignature: BAD_SIG })), 'unknown-oracle');
  });
});

describe('service: ban scores', () => {
  const HONEST = ['rank-too-low', 'unknown-oracle', 'unknown-capability', 'report-not-found', 'pow-below-threshold'];
  const FAULTY = [
    'schema-violation',
    'pow-invalid',
    'signature-invalid',
    'invalid-pubkey',
    'invalid-rotation',
    'capability-mismatch',
    'capability-invalid',
    'fact-request-mismatch',
    'fact-signature-invalid',
    'conflict-needs-two-facts',
    'conflict-answers-equal',
    'not-disputable',
    'dispute-oracle-mismatch',
  ];

  it('is 0 for reasons an honest peer with a different view can cause', () => {
    for (const reason of HONEST) assert.equal(banScoreFor(reason), 0, reason);
  });

  it('is 100 for every other reason', () => {
    for (const reason of FAULTY) assert.equal(banScoreFor(reason), 100, reason);
    // A reason without a score does not compile (BAN_SCORES is a Record over the RejectReason union):
    // @ts-expect-error 'some-future-reason' is not a RejectReason
    assert.equal(BAN_SCORES['some-future-reason'], undefined);
  });

  it('every rejection carries the ban score of its reason', async () => {
    const { service } = newServiceForTest({ mempool: { maxOracles: 1 } });
    const results: AdmissionResult[] = [];
    service.on('admission', (r) => results.push(r));
    await service.admit('oracle', makeOracle({ keys: O, difficulty: 3 }));
    await service.admit('oracle', makeOracle({ keys: makeKeys(2), difficulty: 1 })); // rank-too-low
    await service.admit('oracle', { nope: 1 }); // schema-violation
    await service.admit('capability', makeCapability({ oracleKeys: makeKeys(3), capKeys: C, question: 'q' })); // unknown-oracle
    const rejected = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(rejected.map(reasonOf), ['rank-too-low', 'schema-violation', 'unknown-oracle']);
    for (const r of rejected) assert.equal(r.status === 'rejected' && r.banScore, banScoreFor(reasonOf(r)));
  });
});

describe('service: events', () => {
  /** Submit one of everything, including every outcome status. */
  async function exercise(service: MegaService): Promise<AdmissionResult[]> {
    const out: AdmissionResult[] = [];
    const sub = async (kind: EntityKind, e: unknown, source?: string): Promise<void> => void out.push(await service.admit(kind, e, source === undefined ? undefined : { id: source }));
    const o = makeOracle({ keys: O });
    await sub('oracle', o, 'peer-1'); // accepted
    await sub('oracle', o, 'peer-2'); // duplicate
    await sub('oracle', { bad: true }); // schema-violation (default source)
    await sub('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }), 'peer-1');
    for (let i = 0; i < 6; i++) await sub('report', makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { n: String(i) } }), 'peer-3');
    await sub('dispute', makeDispute({ reportId: 'ab'.repeat(32), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, answer: 'x' }) }), 'peer-4');
    return out;
  }

  it('`admission` fires exactly once per submission with the returned result and the source', async () => {
    const { service } = newServiceForTest({ mempool: { shard: { count: 2, index: 1 } } });
    const seen: [AdmissionResult, string][] = [];
    service.on('admission', (r, source) => seen.push([r, source]));
    const results = await exercise(service);
    assert.equal(seen.length, results.length);
    for (let i = 0; i < results.length; i++) assert.equal(seen[i]?.[0], results[i]);
    assert.deepEqual(seen.slice(0, 4).map(([, s]) => s), ['peer-1', 'peer-2', 'local', 'peer-1']);
    assert.deepEqual(seen.at(-1)?.[1], 'peer-4');
    const statuses = new Set(results.map((r) => r.status));
    assert.deepEqual([...statuses].sort(), ['accepted', 'duplicate', 'out-of-shard', 'rejected']);
  });

  it('the direct submitX doors fire `admission` once too', async () => {
    const { service } = newServiceForTest();
    let n = 0;
    service.on('admission', () => n++);
    await service.admit('oracle', makeOracle({ keys: O }));
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }));
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C });
    await service.admit('report', r);
    await service.admit('dispute', makeDispute({ reportId: reportId(r), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, answer: 'x' }) }));
    assert.equal(n, 4);
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 1, reports: 1, disputes: 1 });
  });

  it('re-exposes the mempool `accepted` and `evicted` events, in order, for stored items only', async () => {
    const { service } = newServiceForTest({ mempool: { maxOracles: 1, shard: { count: 2, index: 1 } } });
    const log: string[] = [];
    service.on('mempool:accepted', (e: AcceptedEvent) => log.push(`accepted:${e.kind}:${e.replaced}`));
    service.on('mempool:evicted', (e: EvictedEvent) => log.push(`evicted:${e.kind}:${e.cause}`));
    await exercise(service);
    const stored = service.counts().reports;
    assert.ok(stored > 0, `expected stored > 0, got stored = ${stored}`);
    assert.deepEqual(log, ['accepted:oracle:false', 'accepted:capability:false', ...Array(stored).fill('accepted:report:false')]);
    log.length = 0;
    await service.admit('oracle', makeOracle({ keys: makeKeys(9), difficulty: 8 }));
    // dependants first (their order is not part of the contract), then the oracle, then the newcomer
    assert.deepEqual(log.slice(-2), ['evicted:oracle:rank', 'accepted:oracle:false']);
    assert.deepEqual(log.slice(0, -2).sort(), ['evicted:capability:oracle-evicted', ...Array(stored).fill('evicted:report:oracle-evicted')].sort());
  });
});
