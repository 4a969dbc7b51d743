// test/unit/service/capability-admission.test.ts - MegaService admission of capability ads with real signatures and PoW: reject reasons, duplicates, seqNo updates and PoW upgrades, limits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signingHash } from '../../../src/protocol/canonical.ts';
import { leadingZeroBits } from '../../../src/protocol/pow.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { makeCapability, makeKeys, makeOracle, mine, newServiceForTest, offCurvePubKey, resignCapability, type TestService } from '../../helpers/factory.ts';

const O = makeKeys(1);
const C1 = makeKeys(101);
const C2 = makeKeys(102);
const C3 = makeKeys(103);

async function withOracle(opts: Parameters<typeof newServiceForTest>[0] = {}): Promise<TestService> {
  const t = newServiceForTest(opts);
  assert.equal((await t.service.admit('oracle', makeOracle({ keys: O }))).status, 'accepted');
  return t;
}

describe('service: capability ads', () => {
  it('accepts a capability of a known oracle and finds it by question and tag', async () => {
    const { service } = await withOracle();
    const c = makeCapability({
      oracleKeys: O,
      capKeys: C1,
      question: 'Who won the match?',
      tags: ['sports'],
      params: [{ name: 'match', values: ['A-B', 'C-D'] }],
      answers: ['A', 'B', 'draw'],
    });
    assert.deepEqual(await service.admit('capability', c), { status: 'accepted', kind: 'capability', id: C1.publicKey, replaced: false, evicted: [] });
    const page = { page: 0, chunkSize: 10 };
    assert.deepEqual(service.listCapabilities(page, { question: 'WHO won' }).map((s) => s.msg), [c]);
    assert.deepEqual(service.listCapabilities(page, { tag: 'sports' }).map((s) => s.msg), [c]);
    assert.deepEqual(service.listOracles(page, { question: 'match' }).map((s) => s.msg.pubkey), [O.publicKey]);
    assert.deepEqual(service.counts().capabilities, 1);
  });

  it('equal or lower seqNo is a duplicate; higher replaces and re-indexes', async () => {
    const { service } = await withOracle();
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C1, question: 'old question', seqNo: 2 }));
    assert.deepEqual(await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C1, question: 'other', seqNo: 2 })), {
      status: 'duplicate',
      kind: 'capability',
      id: C1.publicKey,
    });
    const r = await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C1, question: 'new question', seqNo: 3 }));
    assert.deepEqual(r, { status: 'accepted', kind: 'capability', id: C1.publicKey, replaced: true, evicted: [] });
    const page = { page: 0, chunkSize: 10 };
    assert.deepEqual(service.listCapabilities(page, { question: 'old' }), []);
    assert.equal(service.listCapabilities(page, { question: 'new' }).length, 1);
  });

  it('PoW upgrade: the same signed capability re-mined at a higher difficulty replaces at the same seqNo; other content is a fork decided by signing hash', async () => {
    const { service } = await withOracle();
    const c = makeCapability({ oracleKeys: O, capKeys: C1, question: 'Who won the match?', seqNo: 2, difficulty: 1 });
    await service.admit('capability', c);
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C2, question: 'Will it rain?', difficulty: 3 }));
    const up = mine(c, 'capability', 5);
    assert.deepEqual(await service.admit('capability', up), { status: 'accepted', kind: 'capability', id: C1.publicKey, replaced: true, evicted: [] });
    const page = { page: 0, chunkSize: 10 };
    // re-ranked above C2 (difficulty 3), stored with the new proof, indexed once
    assert.deepEqual(service.listCapabilities(page, { pubkey: O.publicKey }).map((s) => s.msg.capabilityPubKey), [C1.publicKey, C2.publicKey]);
    assert.deepEqual(service.listCapabilities(page, { question: 'match' }).map((s) => s.msg), [up]);
    assert.equal(service.listCapabilities(page, { question: 'match' })[0]?.msg.pow.difficulty, 5);
    assert.deepEqual(await service.admit('capability', c), { status: 'duplicate', kind: 'capability', id: C1.publicKey });
    // Other signed content at the same seqNo is a fork: the greater signing hash wins, whatever the PoW.
    const other = makeCapability({ oracleKeys: O, capKeys: C1, question: 'Who lost the match?', seqNo: 2, difficulty: 8 });
    const wins = signingHash(other, 'oracleSignature') > signingHash(up, 'oracleSignature');
    assert.equal((await service.admit('capability', other)).status, wins ? 'accepted' : 'duplicate', 'expected the fork accepted iff its signing hash is greater');
    assert.equal(service.listCapabilities(page, { question: 'lost' }).length, wins ? 1 : 0, 'expected the kept fork indexed');
  });
});

describe('service: capability reject reasons', () => {
  it('schema-violation', async () => {
    const { service } = await withOracle();
    const c = makeCapability({ oracleKeys: O, capKeys: C1, question: 'q' });
    assertRejected(await service.admit('capability', { ...c, question: '' }), 'schema-violation', 100);
    assertRejected(await service.admit('capability', { ...c, params: [{ name: 'x' }] }), 'schema-violation', 100);
    assertRejected(await service.admit('capability', { ...c, off: 'yes' }), 'schema-violation', 100);
  });

  it('unknown-oracle (ban 0)', async () => {
    const { service } = newServiceForTest();
    assertRejected(await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C1, question: 'q' })), 'unknown-oracle', 0);
  });

  it('pow-invalid: wrong hash, proof of another capability key, insufficient bits', async () => {
    const { service } = await withOracle();
    const c = makeCapability({ oracleKeys: O, capKeys: C1, question: 'q', difficulty: 3 });
    const flipped = c.pow.hash.slice(0, 63) + (c.pow.hash[63] === '0' ? '1' : '0');
    assertRejected(await service.admit('capability', { ...c, pow: { ...c.pow, hash: flipped } }), 'pow-invalid', 100);
    const other = makeCapability({ oracleKeys: O, capKeys: C2, question: 'q', difficulty: 3 });
    assertRejected(await service.admit('capability', { ...c, pow: other.pow }), 'pow-invalid', 100);
    assertRejected(await service.admit('capability', { ...c, pow: { ...c.pow, difficulty: leadingZeroBits(c.pow.hash) + 1 } }), 'pow-invalid', 100);
  });

  it('pow-below-threshold (ban 0)', async () => {
    const { service } = await withOracle({ service: { powThresholdCapabilities: 3 } });
    assertRejected(await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C1, question: 'q', difficulty: 2 })), 'pow-below-threshold', 0);
    assert.equal((await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C1, question: 'q', difficulty: 3 }))).status, 'accepted');
  });

  it('signature-invalid: question changed after signing, or signed by a key other than the oracle', async () => {
    const { service } = await withOracle();
    const c = makeCapability({ oracleKeys: O, capKeys: C1, question: 'Who won?' });
    assertRejected(await service.admit('capability', { ...c, question: 'Who lost?' }), 'signature-invalid', 100);
    assertRejected(await service.admit('capability', { ...c, answers: ['yes'] }), 'signature-invalid', 100);
    // signed by the capability key itself instead of the oracle key
    const bySelf = resignCapability({ ...c, oraclePubKey: C1.publicKey }, C1);
    assertRejected(await service.admit('capability', { ...c, oracleSignature: bySelf.oracleSignature }), 'signature-invalid', 100);
  });

  it('invalid-pubkey: a capabilityPubKey off the curve', async () => {
    const { service } = await withOracle();
    const c = makeCapability({ oracleKeys: O, capKeys: C1, question: 'q' });
    const bad = mine(resignCapability({ ...c, capabilityPubKey: offCurvePubKey(2) }, O), 'capability', 2);
    assertRejected(await service.admit('capability', bad), 'invalid-pubkey', 100);
  });

  it('rank-too-low (ban 0) per oracle at maxCapabilities; a higher newcomer evicts the lowest', async () => {
    const { service } = await withOracle({ mempool: { maxCapabilities: 2 } });
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C1, question: 'q', difficulty: 4 }));
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C2, question: 'q', difficulty: 2 }));
    assertRejected(await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C3, question: 'q', difficulty: 2 })), 'rank-too-low', 0);
    const r = await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C3, question: 'q', difficulty: 3 }));
    assert.equal(r.status, 'accepted');
    assert.deepEqual(r.status === 'accepted' && r.evicted, [{ kind: 'capability', id: C2.publicKey, oraclePubKey: O.publicKey, cause: 'rank' }]);
  });
});
