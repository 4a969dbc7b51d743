// test/unit/protocol/json-bytes-fast-path.test.ts - issue #21: admission hands the mempool the JSON length of an entity from the canonical member texts its version hash already built (protocol/canonical.ts memoJsonLength, passed as the `knownBytes` argument of the mempool's add and precheck methods) instead of a second JSON.stringify; the number equals JSON.stringify(msg).length, the code it replaced, for any JSON object and for admitted entities.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashMemo, memoJsonLength } from '../../../src/protocol/canonical.ts';
import { versionHash } from '../../../src/protocol/ids.ts';
import { jsonBytes } from '../../../src/mempool/byte-budget.ts';
import type { OracleCapability, OracleId, Report, Verified } from '../../../src/protocol/types.ts';
import { reportId } from '../../../src/protocol/ids.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, newServiceForTest } from '../../helpers/factory.ts';

/** A JSON object as it arrives: text parsed back (what the wire and the REST body parser hand to admission). */
const wireObject = fc
  .dictionary(fc.string({ unit: fc.constantFrom('a', 'b', 'Z', 'é', '"', '\\', '\n', '\u0001', '\u2028', '😀', '\ud800', '\udfff', '0', '9') }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 8 })
  .map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

describe('memoJsonLength: JSON length from the version hash member texts', () => {
  it('equals JSON.stringify(obj).length for any JSON object (escapes, surrogates, index-like keys, nesting, numbers)', () => {
    fc.assert(
      fc.property(wireObject, (obj) => {
        const memo = new HashMemo();
        try {
          versionHash(obj, memo);
        } catch {
          return; // RFC 8785 refuses lone surrogates: such an entity has no version and is never stored
        }
        const n = memoJsonLength(obj, memo);
        assert.notEqual(n, null, 'expected a length once the version hash was computed');
        assert.equal(n, JSON.stringify(obj).length, `expected the JSON length of ${JSON.stringify(obj)}`);
      }),
      { seed: 2101, numRuns: 3000 },
    );
    for (const o of [{}, { cTTL: 3 }, { a: -0, b: 1e21, c: 1e-7, d: 0.1 + 0.2, e: null, f: [null, {}, []], '10': 'x', '2': 'y' }, { s: 'pair 😀, DEL \u007f, LS \u2028, NUL \u0000' }]) {
      const memo = new HashMemo();
      versionHash(o, memo);
      assert.equal(memoJsonLength(o, memo), JSON.stringify(o).length, `expected the JSON length of ${JSON.stringify(o)}`);
    }
  });

  it('is null without a memo or for an object the memo has not canonicalized', () => {
    const memo = new HashMemo();
    const a = { x: 1 };
    versionHash(a, memo);
    assert.equal(memoJsonLength({ x: 1 }, memo), null, 'expected no number for another object with the same content');
    assert.equal(memoJsonLength(a, null), null);
  });
});

describe('knownBytes: the JSON length a caller already has is the one the mempool counts', () => {
  it('jsonBytes answers the known number when given, JSON.stringify(msg).length otherwise', () => {
    const msg = { a: 'xyz' };
    assert.equal(jsonBytes(msg), 11, 'expected JSON.stringify length without a known number');
    assert.equal(jsonBytes(msg, null), 11, 'expected null to leave JSON.stringify in charge');
    assert.equal(jsonBytes(msg, 99), 99, 'expected the known number as given');
    assert.equal(jsonBytes(msg, 0), 0, 'expected a known 0 taken as is (not as "absent")');
  });

  it('addOracle, addCapability, addReport and precheckReport count the knownBytes passed, for that call only', () => {
    const { mempool } = newServiceForTest({ mempool: { maxOracles: 10, maxReports: 10 } });
    const oracleKeys = makeKeys(2111);
    const capKeys = makeKeys(2112);
    const oracle = makeOracle({ keys: oracleKeys }) as Verified<OracleId>;
    const capability = makeCapability({ oracleKeys, capKeys, question: 'Will it rain?' }) as Verified<OracleCapability>;
    const report = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { n: '1' } }) as Verified<Report>;
    const second = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { n: '2' } }) as Verified<Report>;
    const proof = makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys, args: { n: '3' } }) as Verified<Report>;
    assert.equal(mempool.addOracle(oracle, undefined, 0, 1001).status, 'accepted');
    assert.equal(mempool.bytes, 1001, 'expected the oracle counted at the knownBytes passed to addOracle');
    assert.equal(mempool.addCapability(capability, undefined, 2002).status, 'accepted');
    assert.equal(mempool.bytes, 3003, 'expected the capability counted at the knownBytes passed to addCapability');
    assert.equal(mempool.addReport(report, reportId(report), undefined, undefined, 3003).status, 'accepted');
    assert.equal(mempool.bytes, 6006, 'expected the report counted at the knownBytes passed to addReport');
    assert.equal(mempool.addReport(second, reportId(second)).status, 'accepted');
    assert.equal(mempool.bytes, 6006 + JSON.stringify(second).length, 'expected JSON.stringify(msg).length when no knownBytes is passed (nothing left over from the calls before)');
    const maxProofBytes = mempool.proofUsage().maxBytes;
    assert.equal(mempool.precheckReport(proof, reportId(proof), undefined, maxProofBytes + 1)?.status, 'rejected', 'expected precheckReport to plan the proof at the knownBytes passed (larger than the whole proof store)');
    assert.equal(mempool.precheckReport(proof, reportId(proof)), null, 'expected the proof at its JSON size to fit the empty proof store');
    assert.equal(mempool.addReport(proof, reportId(proof), undefined, undefined, 4004).status, 'accepted');
    assert.equal(mempool.proofUsage().bytes, 4004, 'expected the proof store to count the knownBytes passed to addReport');
  });

  it('entities admitted through the service are counted at their exact JSON size', async () => {
    const { service, mempool } = newServiceForTest({ mempool: { maxOracles: 10, maxReports: 10 } });
    const oracleKeys = makeKeys(2101);
    const capKeys = makeKeys(2102);
    const oracle = makeOracle({ keys: oracleKeys, tags: ['wëather', 'quote"d', 'back\\slash'] });
    const capability = makeCapability({ oracleKeys, capKeys, question: 'Will it rain in Zürich on 2027-01-01? 😀 "yes"/"no"', tags: ['t\u2028x'] });
    const report = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { city: 'Zürich' } });
    const conflict = makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys, args: { n: '1' } });
    let expected = 0;
    for (const [kind, body] of [['oracle', oracle], ['capability', capability], ['report', report], ['report', conflict]] as const) {
      const payload = JSON.parse(JSON.stringify(body)) as object;
      const r = await service.admit(kind, payload);
      assert.equal(r.status, 'accepted', `expected the ${kind} accepted: ${JSON.stringify(r)}`);
      if (kind !== 'report' || body !== conflict) expected += JSON.stringify(payload).length; // a proof is counted by the proof store, not maxBytes
    }
    assert.equal(mempool.bytes, expected, 'expected the byte budget to count exactly JSON.stringify(msg).length of every stored entry');
    assert.equal(mempool.proofUsage().bytes, JSON.stringify(conflict).length, 'expected the proof store to count the proof at its JSON size');
  });
});
