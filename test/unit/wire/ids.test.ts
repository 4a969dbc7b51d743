// test/unit/wire/ids.test.ts - owns the basics of the item identifiers: inventoryId per kind (a node-internal key since wire protocol 2; inventory on the wire is short version ids, short-id.test.ts) and versionHash (cTTL excluded, everything else included).
import fs from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize } from '../../../src/protocol/canonical.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { disputeId, inventoryId, reportId, versionHash } from '../../../src/protocol/ids.ts';
import type { Dispute, OracleCapability, OracleId, Report } from '../../../src/protocol/types.ts';

const pv = JSON.parse(fs.readFileSync(new URL('../../fixtures/protocol-vectors.json', import.meta.url), 'utf8')) as {
  signatures: { name: string; input: unknown }[];
  ids: { reports: { name: string; input: Report; id: string }[]; dispute: { input: Dispute; id: string } };
};
const signed = <T>(name: string): T => structuredClone(pv.signatures.find((s) => s.name === name)?.input) as T;
const oracle = signed<OracleId>('oracle-id');
const rotated = signed<OracleId>('oracle-id-rotated');
const capability = signed<OracleCapability>('oracle-capability');
const report = structuredClone(pv.ids.reports.find((r) => r.name === 'report-fact-missing')) as { input: Report; id: string };
const dispute = structuredClone(pv.ids.dispute);

describe('inventoryId', () => {
  it('oracle: its pubkey', () => {
    assert.equal(inventoryId('oracle', oracle), oracle.pubkey);
  });
  it('capability: oraclePubKey followed by capabilityPubKey (132 hex characters)', () => {
    const id = inventoryId('capability', capability);
    assert.equal(id, capability.oraclePubKey + capability.capabilityPubKey);
    assert.equal(id.length, 132);
  });
  it('report: the report id of the vectors, for each report type', () => {
    for (const r of pv.ids.reports) {
      assert.equal(inventoryId('report', r.input), r.id, r.name);
      assert.equal(inventoryId('report', r.input), reportId(r.input), r.name);
    }
  });
  it('dispute: the id of the report it answers (one dispute per report), not the dispute id', () => {
    assert.equal(inventoryId('dispute', dispute.input), dispute.input.reportId);
    assert.notEqual(inventoryId('dispute', dispute.input), dispute.id);
  });
  it('does not change with seqNo, cTTL or pow (an update keeps the id)', () => {
    assert.equal(inventoryId('oracle', { ...oracle, seqNo: 99, cTTL: 0 }), oracle.pubkey);
    assert.equal(inventoryId('report', { ...report.input, seqNo: 5, cTTL: 0, pow: { ...report.input.pow, magicNo: 1 } }), report.id);
  });
});

describe('versionHash', () => {
  it('is SHA-256 of the canonical message without cTTL', () => {
    const { cTTL: _cTTL, ...rest } = oracle;
    assert.equal(versionHash(oracle), sha256Hex(canonicalize(rest)));
    assert.match(versionHash(oracle), /^[0-9a-f]{64}$/);
  });
  it('cTTL does not change it (any hop gives the same version)', () => {
    for (const cTTL of [0, 1, 7, 255]) {
      assert.equal(versionHash({ ...oracle, cTTL }), versionHash(oracle));
      assert.equal(versionHash({ ...capability, cTTL }), versionHash(capability));
      assert.equal(versionHash({ ...report.input, cTTL }), versionHash(report.input));
    }
  });
  it('seqNo changes it', () => {
    assert.notEqual(versionHash({ ...oracle, seqNo: oracle.seqNo + 1 }), versionHash(oracle));
    assert.notEqual(versionHash({ ...capability, seqNo: capability.seqNo + 1 }), versionHash(capability));
    assert.notEqual(versionHash({ ...report.input, seqNo: report.input.seqNo + 1 }), versionHash(report.input));
  });
  it('pow changes it (a PoW upgrade is a new version)', () => {
    assert.notEqual(versionHash({ ...oracle, pow: { ...oracle.pow, difficulty: oracle.pow.difficulty + 1 } }), versionHash(oracle));
    assert.notEqual(versionHash({ ...report.input, pow: { ...report.input.pow, magicNo: report.input.pow.magicNo + 1 } }), versionHash(report.input));
  });
  it('member order does not change it', () => {
    const reversed = Object.fromEntries(Object.entries(oracle).reverse());
    assert.equal(versionHash(reversed), versionHash(oracle));
  });
  it('only the top-level cTTL is left out: a nested previousId keeps its own (signed) cTTL', () => {
    assert.notEqual(rotated.previousId, undefined);
    const changed = { ...rotated, previousId: { ...(rotated.previousId as OracleId), cTTL: (rotated.previousId as OracleId).cTTL + 1 } };
    assert.notEqual(versionHash(changed), versionHash(rotated));
    assert.equal(versionHash({ ...rotated, cTTL: 0 }), versionHash(rotated));
  });
  it('a dispute (no cTTL) has its dispute id as version hash', () => {
    assert.equal(versionHash(dispute.input), dispute.id);
    assert.equal(versionHash(dispute.input), disputeId(dispute.input));
  });
  it('does not mutate its input', () => {
    const copy = structuredClone(oracle);
    versionHash(oracle);
    assert.deepEqual(oracle, copy);
    assert.equal(oracle.cTTL, copy.cTTL);
  });
  it('an own __proto__ member is hashed as a member, not dropped', () => {
    const withProto = JSON.parse('{"__proto__":{"x":1},"seqNo":1,"cTTL":3}') as object;
    assert.notEqual(versionHash(withProto), versionHash({ seqNo: 1 }));
    assert.equal(versionHash(withProto), versionHash(JSON.parse('{"__proto__":{"x":1},"seqNo":1,"cTTL":9}') as object));
  });
});
