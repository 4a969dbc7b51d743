// test/unit/service/dispute-admission.test.ts - MegaService admission of disputes end to end: checked against the STORED report's request; every dispute reject reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { disputeId } from '../../../src/protocol/ids.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, newServiceForTest, reportId, type TestService } from '../../helpers/factory.ts';

const O = makeKeys(1);
const O2 = makeKeys(2);
const C = makeKeys(101);
const C2 = makeKeys(102);
const ARGS = { city: 'Berlin', day: '2024-06-01' };
const ALL = { page: 0, chunkSize: 100 };

/** O and O2 known, C a stored capability of O, and a stored fact-missing report against O for C with ARGS. */
async function setup(opts: Parameters<typeof newServiceForTest>[0] = {}): Promise<TestService & { missingId: string }> {
  const t = newServiceForTest(opts);
  assert.equal((await t.service.admit('oracle', makeOracle({ keys: O }))).status, 'accepted');
  assert.equal((await t.service.admit('oracle', makeOracle({ keys: O2 }))).status, 'accepted');
  assert.equal((await t.service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it rain?' }))).status, 'accepted');
  const missing = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, payment: { proof: 'paid' } });
  assert.equal((await t.service.admit('report', missing)).status, 'accepted');
  return { ...t, missingId: reportId(missing) };
}

describe('service: disputes', () => {
  it('accepts the oracle\'s signed fact for the stored request and attaches it to the report', async () => {
    const { service, missingId } = await setup();
    const d = makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'no rain' }) });
    const id = disputeId(d);
    assert.deepEqual(await service.admit('dispute', d), { status: 'accepted', kind: 'dispute', id, replaced: false, evicted: [] });
    const [stored] = service.listReports(O.publicKey, ALL);
    assert.equal(stored?.dispute?.id, id);
    assert.deepEqual(stored?.dispute?.msg, d);
    assert.equal(service.counts().disputes, 1);
  });

  it('a second dispute of the same report is a duplicate naming the stored dispute, even when invalid', async () => {
    const { service, missingId } = await setup();
    const first = makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'no rain' }) });
    await service.admit('dispute', first);
    const second = makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'rain' }) });
    assert.deepEqual(await service.admit('dispute', second), { status: 'duplicate', kind: 'dispute', id: disputeId(first) });
    const garbage = { ...second, fact: { ...second.fact, signature: '1'.repeat(128) } };
    assert.deepEqual(await service.admit('dispute', garbage), { status: 'duplicate', kind: 'dispute', id: disputeId(first) });
    assert.equal(service.counts().disputes, 1);
  });

  it('the request comes from the STORED report: a validly signed fact for other arguments is fact-request-mismatch', async () => {
    const { service, missingId } = await setup();
    const otherDay = makeFact({ capKeys: C, args: { ...ARGS, day: '2024-06-02' }, answer: 'no rain' });
    assertRejected(await service.admit('dispute', makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: otherDay })), 'fact-request-mismatch', 100);
    // the answer to a different stored report does not dispute this one
    const other = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { city: 'Paris', day: '2024-06-01' } });
    assert.equal((await service.admit('report', other)).status, 'accepted');
    const parisFact = makeFact({ capKeys: C, args: { city: 'Paris', day: '2024-06-01' }, answer: 'sun' });
    assertRejected(await service.admit('dispute', makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: parisFact })), 'fact-request-mismatch', 100);
    assert.equal((await service.admit('dispute', makeDispute({ reportId: reportId(other), oraclePubKey: O.publicKey, fact: parisFact }))).status, 'accepted');
  });

  it('report-not-found (ban 0)', async () => {
    const { service } = await setup();
    const d = makeDispute({ reportId: 'ab'.repeat(32), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'x' }) });
    const r = await service.admit('dispute', d);
    assertRejected(r, 'report-not-found', 0);
    assert.equal(r.status === 'rejected' && r.id, disputeId(d));
  });

  it('a dispute of a report kept by another shard: fact checked, answered out-of-shard and relayed; a forged fact is still refused', async () => {
    const { service } = newServiceForTest({ mempool: { shard: { count: 2, index: 0 } } });
    await service.admit('oracle', makeOracle({ keys: O }));
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }));
    const relayed: string[] = [];
    service.on('item:relay', (item) => relayed.push(`${item.kind}:${item.id}`));
    for (let i = 0; ; i++) {
      const args = { n: String(i) };
      const rep = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args });
      if ((await service.admit('report', rep)).status !== 'out-of-shard') continue;
      const id = reportId(rep);
      const fact = makeFact({ capKeys: C, args, answer: 'x' });
      const d = makeDispute({ reportId: id, oraclePubKey: O.publicKey, fact });
      assertRejected(await service.admit('dispute', { ...d, fact: { ...fact, answer: 'y' } }), 'fact-signature-invalid', 100);
      assert.deepEqual(await service.admit('dispute', d), { status: 'out-of-shard', kind: 'dispute', id: disputeId(d) });
      assert.deepEqual(relayed.slice(-1), [`dispute:${id}`]);
      assert.equal(service.counts().disputes, 0);
      break;
    }
  });

  it('report-not-found for an unknown report of this node\'s own shard', async () => {
    const { service } = newServiceForTest({ mempool: { shard: { count: 2, index: 0 } } });
    await service.admit('oracle', makeOracle({ keys: O }));
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }));
    const fact = makeFact({ capKeys: C, args: ARGS, answer: 'x' });
    const evenId = '00'.repeat(32); // 0 mod 2: this node's shard
    assertRejected(await service.admit('dispute', makeDispute({ reportId: evenId, oraclePubKey: O.publicKey, fact })), 'report-not-found', 0);
  });

  it('not-disputable: only fact-missing reports can be disputed', async () => {
    const { service } = await setup();
    const conflict = makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: ARGS });
    assert.equal((await service.admit('report', conflict)).status, 'accepted');
    const d = makeDispute({ reportId: reportId(conflict), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'yes' }) });
    assertRejected(await service.admit('dispute', d), 'not-disputable', 100);
    const disagree = makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C, args: ARGS });
    assert.equal((await service.admit('report', disagree)).status, 'accepted');
    assertRejected(await service.admit('dispute', { ...d, reportId: reportId(disagree) }), 'not-disputable', 100);
  });

  it('dispute-oracle-mismatch: the dispute names another oracle', async () => {
    const { service, missingId } = await setup();
    const d = makeDispute({ reportId: missingId, oraclePubKey: O2.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'x' }) });
    assertRejected(await service.admit('dispute', d), 'dispute-oracle-mismatch', 100);
  });

  it('fact-signature-invalid: the answer changed after signing, or signed by another key', async () => {
    const { service, missingId } = await setup();
    const fact = makeFact({ capKeys: C, args: ARGS, answer: 'no rain' });
    assertRejected(await service.admit('dispute', makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: { ...fact, answer: 'rain' } })), 'fact-signature-invalid', 100);
    const byC2 = makeFact({ capKeys: C2, args: ARGS, answer: 'no rain' });
    assertRejected(
      await service.admit('dispute', makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: { ...fact, signature: byC2.signature } })),
      'fact-signature-invalid',
      100,
    );
  });

  it('unknown-capability (ban 0): a fact-missing naming a capability the node does not know is refused; embedding the signed ad admits it and lets the oracle answer', async () => {
    const { service } = await setup();
    const rep = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C2, args: ARGS });
    assertRejected(await service.admit('report', rep), 'unknown-capability', 0);
    const ad = makeCapability({ oracleKeys: O, capKeys: C2, question: 'Will it snow?' });
    const embedded = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C2, args: ARGS, capability: ad });
    assert.equal((await service.admit('report', embedded)).status, 'accepted', 'expected a fact-missing embedding its capability ad to be admitted');
    // The embedded ad binds the capability for the dispute too: the oracle can answer what it never advertised here.
    const d = makeDispute({ reportId: reportId(embedded), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C2, args: ARGS, answer: 'x' }) });
    assert.equal((await service.admit('dispute', d)).status, 'accepted', 'expected the dispute to count through the embedded ad');
    // An ad of another oracle does not bind it.
    const foreign = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C2, args: ARGS, capability: makeCapability({ oracleKeys: O2, capKeys: C2, question: 'x' }) });
    assertRejected(await service.admit('report', foreign), 'capability-mismatch', 100);
  });

  it('schema-violation', async () => {
    const { service, missingId } = await setup();
    const d = makeDispute({ reportId: missingId, oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'x' }) });
    assertRejected(await service.admit('dispute', { ...d, reportId: missingId.toUpperCase() }), 'schema-violation', 100);
    assertRejected(await service.admit('dispute', { ...d, fact: { ...d.fact, signatureType: 'schnorr' } }), 'schema-violation', 100);
    assertRejected(await service.admit('dispute', { ...d, fact: { ...d.fact, request: { ...d.fact.request, arguments: { constructor: 'x' } } } }), 'schema-violation', 100);
  });

  it('after a key rotation, the oracle disputes a report against its old key with a capability it re-advertised under the new key', async () => {
    const t = newServiceForTest();
    const N = makeKeys(3);
    const C3 = makeKeys(103);
    const oldAd = makeOracle({ keys: O });
    assert.equal((await t.service.admit('oracle', oldAd)).status, 'accepted');
    assert.equal((await t.service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it rain?' }))).status, 'accepted');
    const missing = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C3, args: ARGS });
    // C3 is not a capability of O (yet): a fact-missing naming it is refused before the rotation ...
    assertRejected(await t.service.admit('report', missing), 'unknown-capability', 0);
    // ... O rotates to N and advertises C3 under N: the report against the old key and its dispute now count.
    assert.equal((await t.service.admit('oracle', makeOracle({ keys: N, previous: { oracle: oldAd, keys: O } }))).status, 'accepted');
    assert.equal((await t.service.admit('capability', makeCapability({ oracleKeys: N, capKeys: C3, question: 'Will it rain?' }))).status, 'accepted');
    assert.equal((await t.service.admit('report', missing)).status, 'accepted');
    const d = makeDispute({ reportId: reportId(missing), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C3, args: ARGS, answer: 'dry' }) });
    assert.equal((await t.service.admit('dispute', d)).status, 'accepted');
    // A capability of an unrelated oracle still does not.
    const other = makeReport({ type: 'fact-missing', oraclePubKey: O2.publicKey, capKeys: C3, args: ARGS });
    assert.equal((await t.service.admit('oracle', makeOracle({ keys: O2 }))).status, 'accepted');
    assertRejected(await t.service.admit('report', other), 'unknown-capability', 0);
  });
});
