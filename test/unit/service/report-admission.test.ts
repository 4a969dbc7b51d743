// test/unit/service/report-admission.test.ts - MegaService admission of reports end to end: the three content types, every fact/capability reject reason, duplicates, seqNo/PoW updates and downgrades, out-of-shard.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signHash } from '../../../src/protocol/keys.ts';
import { leadingZeroBits } from '../../../src/protocol/pow.ts';
import { factHash } from '../../../src/protocol/sign.ts';
import type { Fact, Report } from '../../../src/protocol/types.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { isInShard } from '../../../src/mempool/shard.ts';
import {
  makeCapability,
  makeFact,
  makeKeys,
  makeOracle,
  makeReport,
  makeReportContent,
  makeRequest,
  mine,
  newServiceForTest,
  offCurvePubKey,
  reportId,
  type MakeReportOptions,
  type TestService,
} from '../../helpers/factory.ts';

const O = makeKeys(1);
const O2 = makeKeys(2);
const C = makeKeys(101);
const C2 = makeKeys(102);
const ARGS = { match: 'A-B' };
const ALL = { page: 0, chunkSize: 100 };

const capability = (oracleKeys = O, capKeys = C) => makeCapability({ oracleKeys, capKeys, question: 'Who won the match?' });

/** Oracles O and O2 known; C is a stored capability of O unless `storeCapability` is false. */
async function setup(opts: Parameters<typeof newServiceForTest>[0] & { storeCapability?: boolean } = {}): Promise<TestService> {
  const t = newServiceForTest(opts);
  assert.equal((await t.service.admit('oracle', makeOracle({ keys: O }))).status, 'accepted');
  assert.equal((await t.service.admit('oracle', makeOracle({ keys: O2 }))).status, 'accepted');
  if (opts.storeCapability !== false) assert.equal((await t.service.admit('capability', capability())).status, 'accepted');
  return t;
}

/** A fact claiming capability C but signed by another key. */
function forgedFact(answer: string): Fact {
  const request = makeRequest(C.publicKey, ARGS);
  return { request, answer, signatureType: 'ecdsa-secp256k1', signature: signHash(factHash(request, answer), C2.privateKey) };
}

describe('service: fact-conflict reports', () => {
  it('accepts a conflict of two facts by a stored capability, with the report id as id', async () => {
    const { service } = await setup();
    const r = makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS });
    const id = reportId(r);
    assert.deepEqual(await service.admit('report', r), { status: 'accepted', kind: 'report', id, replaced: false, evicted: [] });
    assert.deepEqual(service.listReports(O.publicKey, ALL).map((s) => [s.id, s.msg, s.dispute]), [[id, r, null]]);
    assert.deepEqual(await service.admit('report', r), { status: 'duplicate', kind: 'report', id });
  });

  it('accepts three facts with two distinct answers', async () => {
    const { service } = await setup();
    const r = makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, answers: ['yes', 'yes', 'no'] });
    assert.equal((await service.admit('report', r)).status, 'accepted');
  });

  it('accepts a conflict proven by an embedded capability ad the node does not store', async () => {
    const { service, mempool } = await setup({ storeCapability: false });
    const r = makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, capability: capability() });
    assert.equal((await service.admit('report', r)).status, 'accepted');
    assert.equal(mempool.getCapability(O.publicKey, C.publicKey), undefined);
  });

  it('conflict-needs-two-facts (the schema allows one)', async () => {
    const { service } = await setup();
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, answers: ['yes'] })), 'conflict-needs-two-facts', 100);
  });

  it('conflict-answers-equal', async () => {
    const { service } = await setup();
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, answers: ['yes', 'yes'] })), 'conflict-answers-equal', 100);
  });

  it('fact-request-mismatch: a fact for other arguments or another capability', async () => {
    const { service } = await setup();
    const facts = [makeFact({ capKeys: C, args: ARGS, answer: 'yes' }), makeFact({ capKeys: C, args: { match: 'C-D' }, answer: 'no' })];
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, facts })), 'fact-request-mismatch', 100);
    const facts2 = [makeFact({ capKeys: C, args: ARGS, answer: 'yes' }), makeFact({ capKeys: C2, args: ARGS, answer: 'no' })];
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, facts: facts2 })), 'fact-request-mismatch', 100);
  });

  it('fact-signature-invalid: an answer changed after signing, or a signature by another key', async () => {
    const { service } = await setup();
    const yes = makeFact({ capKeys: C, args: ARGS, answer: 'yes' });
    const tampered = { ...yes, answer: 'no' };
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, facts: [yes, tampered] })), 'fact-signature-invalid', 100);
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, facts: [yes, forgedFact('no')] })), 'fact-signature-invalid', 100);
  });

  it('unknown-capability (ban 0): not stored and not embedded', async () => {
    const { service } = await setup({ storeCapability: false });
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS })), 'unknown-capability', 0);
  });

  it('unknown-capability: a capability stored for another oracle does not count', async () => {
    const { service } = await setup();
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O2.publicKey, capKeys: C, args: ARGS })), 'unknown-capability', 0);
  });

  it('capability-mismatch: the embedded ad is for another capability key or another oracle', async () => {
    const { service } = await setup({ storeCapability: false });
    const otherKey = makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, capability: capability(O, C2) });
    assertRejected(await service.admit('report', otherKey), 'capability-mismatch', 100);
    const otherOracle = makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, capability: capability(O2, C) });
    assertRejected(await service.admit('report', otherOracle), 'capability-mismatch', 100);
  });

  it('capability-invalid: the embedded ad does not verify', async () => {
    const { service } = await setup({ storeCapability: false });
    const bad = { ...capability(), question: 'edited after signing' };
    assertRejected(await service.admit('report', makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, capability: bad })), 'capability-invalid', 100);
  });

  it('invalid-pubkey: request.capabilityPubKey off the curve', async () => {
    const { service } = await setup();
    const off = offCurvePubKey(3);
    const fact: Fact = { request: makeRequest(off, ARGS), answer: 'x', signatureType: 'ecdsa-secp256k1', signature: '1'.repeat(128) };
    const content = { type: 'fact-conflict' as const, request: makeRequest(off, ARGS), facts: [fact, { ...fact, answer: 'y' }] };
    assertRejected(await service.admit('report', makeReport({ oraclePubKey: O.publicKey, content })), 'invalid-pubkey', 100);
    assertRejected(await service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capabilityPubKey: off })), 'invalid-pubkey', 100);
  });
});

describe('service: fact-disagrees-with-public and fact-missing reports', () => {
  it('accepts a disagreement with a stored or an embedded capability', async () => {
    const { service } = await setup();
    const r = makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, answer: 'B', comment: 'A won, see the news' });
    assert.equal((await service.admit('report', r)).status, 'accepted');
    const t2 = await setup({ storeCapability: false });
    const r2 = makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, capability: capability() });
    assert.equal((await t2.service.admit('report', r2)).status, 'accepted');
  });

  it('rejects a disagreement whose fact is for another request, badly signed, or of an unknown capability', async () => {
    const { service } = await setup();
    const other = makeFact({ capKeys: C, args: { match: 'C-D' }, answer: 'B' });
    assertRejected(await service.admit('report', makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, fact: other })), 'fact-request-mismatch', 100);
    assertRejected(await service.admit('report', makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, fact: forgedFact('B') })), 'fact-signature-invalid', 100);
    assertRejected(await service.admit('report', makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C2, args: ARGS })), 'unknown-capability', 0);
    const bad = { ...capability(O, C2), question: 'edited' };
    assertRejected(await service.admit('report', makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C2, args: ARGS, capability: bad })), 'capability-invalid', 100);
    assertRejected(await service.admit('report', makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C2, args: ARGS, capability: capability(O2, C2) })), 'capability-mismatch', 100);
  });

  it('a fact-missing must name a capability the node knows or embed its ad (no undisputable claims)', async () => {
    const { service } = await setup({ storeCapability: false });
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, payment: { proof: 'lnbc1...', amount: 1000 } });
    assertRejected(await service.admit('report', r), 'unknown-capability', 0);
    const embedded = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, capability: capability() });
    assert.equal((await service.admit('report', embedded)).status, 'accepted', 'expected the embedded capability ad to admit it');
  });
});

describe('service: report reject reasons common to all types', () => {
  it('schema-violation: unknown content type, missing facts, extra field', async () => {
    const { service } = await setup();
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C });
    assertRejected(await service.admit('report', { ...r, content: { ...r.content, type: 'fact-wrong' } }), 'schema-violation', 100);
    assertRejected(await service.admit('report', { ...r, content: { ...r.content, type: 'fact-conflict' } }), 'schema-violation', 100);
    assertRejected(await service.admit('report', { ...r, signature: 'x' }), 'schema-violation', 100);
  });

  it('unknown-oracle (ban 0)', async () => {
    const { service } = await setup();
    const stranger = makeKeys(77);
    assertRejected(await service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: stranger.publicKey, capKeys: C })), 'unknown-oracle', 0);
  });

  it('pow-invalid: content changed after mining; insufficient bits', async () => {
    const { service } = await setup();
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, difficulty: 3 });
    const edited: Report = { ...r, content: { type: 'fact-missing', request: makeRequest(C.publicKey, { match: 'X-Y' }) } };
    assertRejected(await service.admit('report', edited), 'pow-invalid', 100);
    assertRejected(await service.admit('report', { ...r, pow: { ...r.pow, difficulty: leadingZeroBits(r.pow.hash) + 1 } }), 'pow-invalid', 100);
    // seqNo and cTTL are outside the preimage: the same proof is still valid
    assert.equal((await service.admit('report', { ...r, seqNo: 5, cTTL: 1 })).status, 'accepted');
  });

  it('pow-below-threshold (ban 0)', async () => {
    const { service } = await setup({ service: { powThresholdReports: 4 } });
    assertRejected(await service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, difficulty: 3 })), 'pow-below-threshold', 0);
    assert.equal((await service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, difficulty: 4 }))).status, 'accepted');
  });

  it('rank-too-low (ban 0) at maxReports; a higher newcomer evicts the lowest', async () => {
    const { service } = await setup({ mempool: { maxReports: 1 } });
    const first = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { n: '1' }, difficulty: 3 });
    await service.admit('report', first);
    assertRejected(await service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { n: '2' }, difficulty: 3 })), 'rank-too-low', 0);
    const r = await service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { n: '3' }, difficulty: 4 }));
    assert.deepEqual(r.status === 'accepted' && r.evicted, [{ kind: 'report', id: reportId(first), oraclePubKey: O.publicKey, cause: 'rank' }]);
  });

  it('a stored report is replaced only by more PoW; a higher seqNo with the same proof is a duplicate', async () => {
    const { service } = await setup();
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, seqNo: 1 });
    const id = reportId(r);
    await service.admit('report', r);
    assert.deepEqual(await service.admit('report', { ...r, cTTL: 2 }), { status: 'duplicate', kind: 'report', id });
    assert.deepEqual(await service.admit('report', { ...r, seqNo: 2 }), { status: 'duplicate', kind: 'report', id });
    assert.deepEqual(await service.admit('report', mine({ ...r, seqNo: 2 }, 'report', r.pow.difficulty + 2)), { status: 'accepted', kind: 'report', id, replaced: true, evicted: [] });
  });

  it('more PoW replaces a stored report; a downgrade (seqNo + 1, less PoW) is a duplicate and keeps the stored one', async () => {
    const { service } = await setup({ mempool: { maxReports: 2 } });
    const r = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { n: '1' }, seqNo: 1, difficulty: 4 });
    const id = reportId(r);
    await service.admit('report', r);
    const down = mine({ ...r, seqNo: 2 }, 'report', 1);
    assert.deepEqual(await service.admit('report', down), { status: 'duplicate', kind: 'report', id });
    assert.deepEqual(service.listReports(O.publicKey, ALL).map((s) => s.msg), [r]);
    const up = mine(r, 'report', 6);
    assert.deepEqual(await service.admit('report', up), { status: 'accepted', kind: 'report', id, replaced: true, evicted: [] });
    assert.deepEqual(service.listReports(O.publicKey, ALL).map((s) => s.msg), [up]);
    // neither the old proof nor a later seqNo with it can take the place back
    assert.deepEqual(await service.admit('report', { ...r, seqNo: 9 }), { status: 'duplicate', kind: 'report', id });
  });
});

describe('service: sharding of reports', () => {
  /** First fact-missing report options (varying args) whose id falls in or out of `shard`. */
  function findReport(shard: { count: number; index: number }, inShard: boolean, build: (args: Record<string, string>) => MakeReportOptions): MakeReportOptions {
    for (let i = 0; ; i++) {
      const opts = build({ n: String(i) });
      if (isInShard(reportId({ oraclePubKey: opts.oraclePubKey, content: makeReportContent(opts) }), shard) === inShard) return opts;
    }
  }
  const shard = { count: 2, index: 0 };

  it('validates an out-of-shard report fully, answers out-of-shard and stores nothing', async () => {
    const { service } = await setup({ mempool: { shard } });
    const accepted: string[] = [];
    service.on('mempool:accepted', (e) => accepted.push(e.id));
    const outside = makeReport(findReport(shard, false, (args) => ({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args })));
    const id = reportId(outside);
    assert.deepEqual(await service.admit('report', outside), { status: 'out-of-shard', kind: 'report', id });
    assert.deepEqual(await service.admit('report', outside), { status: 'out-of-shard', kind: 'report', id });
    assert.deepEqual(accepted, []);
    assert.equal(service.counts().reports, 0);
    const inside = makeReport(findReport(shard, true, (args) => ({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args })));
    assert.equal((await service.admit('report', inside)).status, 'accepted');
    assert.equal(service.counts().reports, 1);
  });

  it('an invalid out-of-shard report is still rejected (it must not be relayed)', async () => {
    const { service } = await setup({ mempool: { shard } });
    const opts = findReport(shard, false, (args) => ({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args, answers: ['same', 'same'] }));
    assertRejected(await service.admit('report', makeReport(opts)), 'conflict-answers-equal', 100);
    const bad = makeReport(findReport(shard, false, (args) => ({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args })));
    assertRejected(await service.admit('report', { ...bad, pow: { ...bad.pow, difficulty: 200 } }), 'pow-invalid', 100);
  });

  it('oracle and capability ads are stored whatever the shard', async () => {
    const { service } = await setup({ mempool: { shard: { count: 7, index: 6 } } });
    assert.deepEqual(service.counts(), { oracles: 2, capabilities: 1, reports: 0, disputes: 0 });
  });
});
