// test/unit/protocol/json-bytes-fast-path.test.ts - issue #21: admission hands the mempool the JSON length of an entity from the canonical member texts its version hash already built (protocol/canonical.ts memoJsonLength, mempool/byte-budget.ts withJsonBytes) instead of a second JSON.stringify; the number equals JSON.stringify(msg).length, the code it replaced, for any JSON object and for admitted entities.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashMemo, memoJsonLength } from '../../../src/protocol/canonical.ts';
import { versionHash } from '../../../src/protocol/ids.ts';
import { jsonBytes, withJsonBytes } from '../../../src/mempool/byte-budget.ts';
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

describe('withJsonBytes: the known length is used for that object, during the call only', () => {
  it('answers the known number for the object, JSON.stringify for anything else, before, after and after a throw; nests', () => {
    const msg = { a: 'xyz' };
    const other = { b: 1 };
    assert.equal(jsonBytes(msg), 11);
    assert.equal(withJsonBytes(msg, 99, () => [jsonBytes(msg), jsonBytes(other), jsonBytes({ a: 'xyz' })]).join(), '99,7,11', 'expected the known length only for the very object');
    assert.equal(jsonBytes(msg), 11, 'expected the known length forgotten after the call');
    assert.throws(() => withJsonBytes(msg, 5, () => {
      throw new Error('boom');
    }));
    assert.equal(jsonBytes(msg), 11, 'expected the known length forgotten after a throw');
    assert.equal(withJsonBytes(msg, 7, () => withJsonBytes(other, 3, () => jsonBytes(other)) + jsonBytes(msg)), 10, 'expected the inner call to restore the outer known length');
    assert.equal(withJsonBytes(msg, null, () => jsonBytes(msg)), 11, 'expected null to leave JSON.stringify in charge');
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
