// test/unit/protocol/verify.test.ts - owns tests of verifyOracleId key rotation, verifyReportFacts for each report type, and verifyDispute.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signRotation } from '../../../src/protocol/sign.ts';
import type { Dispute, FactConflictContent, FactDisagreesWithPublicContent, OracleId, Report } from '../../../src/protocol/types.ts';
import { MAX_ROTATION_DEPTH, verifyDispute, verifyOracleId, verifyReportFacts } from '../../../src/protocol/verify.ts';
import {
  CAPABILITY,
  fixedKeys,
  lookupOf,
  makeCapability,
  makeFact,
  makeOracle,
  makeReport,
  makeRequest,
  makeRotated,
  NO_CAPABILITIES,
  ORACLE,
  OTHER_CAPABILITY,
  OTHER_ORACLE,
} from './_helpers.ts';

const OFF_CURVE = '02' + '0'.repeat(63) + '5';

describe('verifyOracleId: key rotation', () => {
  const previous = makeOracle(OTHER_ORACLE, { seqNo: 3 });
  const rotated = makeRotated(ORACLE, previous, OTHER_ORACLE);

  it('a valid link verifies', () => {
    assert.equal(verifyOracleId(rotated), null);
  });
  it('a link signed by the wrong key -> invalid-rotation', () => {
    const bad = makeOracle(ORACLE, { previousId: previous, previousIdSignatureToNewPubkey: signRotation(ORACLE.publicKey, ORACLE.privateKey) });
    assert.equal(verifyOracleId(bad)?.reason, 'invalid-rotation');
  });
  it('a link over another new pubkey -> invalid-rotation', () => {
    const bad = makeOracle(ORACLE, { previousId: previous, previousIdSignatureToNewPubkey: signRotation(CAPABILITY.publicKey, OTHER_ORACLE.privateKey) });
    assert.equal(verifyOracleId(bad)?.reason, 'invalid-rotation');
  });
  it('a garbage link signature -> invalid-rotation', () => {
    const bad = makeOracle(ORACLE, { previousId: previous, previousIdSignatureToNewPubkey: 'ab'.repeat(64) });
    assert.equal(verifyOracleId(bad)?.reason, 'invalid-rotation');
  });
  it('tampering with the link after signing -> signature-invalid (the link is signed by the new key)', () => {
    const other = signRotation(ORACLE.publicKey, fixedKeys(0x55).privateKey);
    assert.equal(verifyOracleId({ ...rotated, previousIdSignatureToNewPubkey: other })?.reason, 'signature-invalid');
  });
  it('a previousId with the same pubkey -> invalid-rotation', () => {
    const self = makeOracle(ORACLE, { seqNo: 0 });
    const bad = makeOracle(ORACLE, { seqNo: 1, previousId: self, previousIdSignatureToNewPubkey: signRotation(ORACLE.publicKey, ORACLE.privateKey) });
    assert.equal(verifyOracleId(bad)?.reason, 'invalid-rotation');
  });
  it('only previousId -> invalid-rotation', () => {
    assert.equal(verifyOracleId(makeOracle(ORACLE, { previousId: previous }))?.reason, 'invalid-rotation');
  });
  it('only previousIdSignatureToNewPubkey -> invalid-rotation', () => {
    const link = signRotation(ORACLE.publicKey, OTHER_ORACLE.privateKey);
    assert.equal(verifyOracleId(makeOracle(ORACLE, { previousIdSignatureToNewPubkey: link }))?.reason, 'invalid-rotation');
  });
  it('a badly signed previousId -> invalid-rotation', () => {
    const tamperedPrev: OracleId = { ...previous, seqNo: previous.seqNo + 1 };
    const bad = makeOracle(ORACLE, { previousId: tamperedPrev, previousIdSignatureToNewPubkey: signRotation(ORACLE.publicKey, OTHER_ORACLE.privateKey) });
    const r = verifyOracleId(bad);
    assert.equal(r?.reason, 'invalid-rotation');
    assert.match(r?.message ?? '', /previousId is not a valid oracle ad/);
  });
  it('the new ad signs previousId whole: changing its pow or cTTL breaks the outer signature', () => {
    assert.equal(verifyOracleId({ ...rotated, previousId: { ...previous, cTTL: previous.cTTL + 1 } })?.reason, 'signature-invalid');
    assert.equal(verifyOracleId({ ...rotated, previousId: { ...previous, pow: { ...previous.pow, magicNo: 1 } } })?.reason, 'signature-invalid');
  });

  /** A chain of `links` rotations: key 0x60 -> 0x61 -> ... ; returns the newest ad. */
  function chain(links: number): OracleId {
    let keys = fixedKeys(0x60);
    let ad = makeOracle(keys);
    for (let i = 1; i <= links; i++) {
      const next = fixedKeys(0x60 + i);
      ad = makeRotated(next, ad, keys);
      keys = next;
    }
    return ad;
  }
  it(`a chain of ${MAX_ROTATION_DEPTH} links verifies`, () => {
    assert.equal(MAX_ROTATION_DEPTH, 8);
    assert.equal(verifyOracleId(chain(MAX_ROTATION_DEPTH)), null);
  });
  it(`a chain of ${MAX_ROTATION_DEPTH + 1} links -> invalid-rotation (too deep)`, () => {
    const r = verifyOracleId(chain(MAX_ROTATION_DEPTH + 1));
    assert.equal(r?.reason, 'invalid-rotation');
    assert.match(r?.message ?? '', /longer than 8/);
  });
  it('a cycle A -> B -> A stays bounded by the depth limit', () => {
    const a = fixedKeys(0x70);
    const b = fixedKeys(0x71);
    let ad = makeOracle(a);
    for (let i = 0; i < 12; i++) ad = i % 2 === 0 ? makeRotated(b, ad, a) : makeRotated(a, ad, b);
    assert.equal(verifyOracleId(ad)?.reason, 'invalid-rotation');
  });
});

describe('verifyReportFacts', () => {
  const cap = makeCapability(ORACLE, CAPABILITY);
  const known = lookupOf(cap);
  const request = makeRequest();
  const yes = makeFact('A', request);
  const no = makeFact('B', request);
  const other = makeRequest(CAPABILITY, { match: 'C-D' });

  describe('fact-missing', () => {
    it('valid when the capability is known or embedded; unknown-capability otherwise (nobody could ever dispute it)', () => {
      assert.equal(verifyReportFacts(makeReport({ type: 'fact-missing', request }), known), null, 'expected a known capability to pass');
      assert.equal(verifyReportFacts(makeReport({ type: 'fact-missing', request, payment: { proof: 'x', amount: 1 } }), known), null, 'expected a free-text payment to pass');
      assert.equal(verifyReportFacts(makeReport({ type: 'fact-missing', request }), NO_CAPABILITIES)?.reason, 'unknown-capability', 'expected an unknown capability refused');
      assert.equal(verifyReportFacts(makeReport({ type: 'fact-missing', request, capability: cap }), NO_CAPABILITIES), null, 'expected the embedded ad to bind it');
    });
    it('pubkeys must be on the curve', () => {
      assert.equal(verifyReportFacts(makeReport({ type: 'fact-missing', request }, OFF_CURVE), known)?.reason, 'invalid-pubkey');
      assert.equal(verifyReportFacts(makeReport({ type: 'fact-missing', request: { ...request, capabilityPubKey: OFF_CURVE } }), known)?.reason, 'invalid-pubkey');
    });
  });

  describe('fact-conflict', () => {
    const conflict = (c: Partial<FactConflictContent> = {}): Report => makeReport({ type: 'fact-conflict', request, facts: [yes, no], ...c });
    it('valid with a known capability', () => {
      assert.equal(verifyReportFacts(conflict(), known), null);
    });
    it('valid with three facts of which two agree', () => {
      assert.equal(verifyReportFacts(conflict({ facts: [yes, yes, no] }), known), null);
    });
    it('a fact for another request -> fact-request-mismatch', () => {
      assert.equal(verifyReportFacts(conflict({ facts: [yes, makeFact('B', other)] }), known)?.reason, 'fact-request-mismatch');
    });
    it('a fact for the same request by another capability key -> fact-request-mismatch', () => {
      const foreign = makeFact('B', makeRequest(OTHER_CAPABILITY), OTHER_CAPABILITY);
      assert.equal(verifyReportFacts(conflict({ facts: [yes, foreign] }), known)?.reason, 'fact-request-mismatch');
    });
    it('the request matches canonically: argument order does not matter', () => {
      const reordered = makeRequest(CAPABILITY, { b: '2', a: '1' });
      const f1 = makeFact('A', { capabilityPubKey: CAPABILITY.publicKey, arguments: { a: '1', b: '2' } });
      const f2 = makeFact('B', reordered);
      assert.equal(verifyReportFacts(makeReport({ type: 'fact-conflict', request: reordered, facts: [f1, f2] }), known), null);
    });
    it('a bad fact signature -> fact-signature-invalid', () => {
      assert.equal(verifyReportFacts(conflict({ facts: [yes, { ...no, signature: yes.signature }] }), known)?.reason, 'fact-signature-invalid');
      assert.equal(verifyReportFacts(conflict({ facts: [yes, { ...no, answer: 'C' }] }), known)?.reason, 'fact-signature-invalid');
    });
    it('equal answers -> conflict-answers-equal', () => {
      assert.equal(verifyReportFacts(conflict({ facts: [yes, yes] }), known)?.reason, 'conflict-answers-equal');
    });
    it('a single fact -> conflict-needs-two-facts', () => {
      assert.equal(verifyReportFacts(conflict({ facts: [yes] }), known)?.reason, 'conflict-needs-two-facts');
    });
    it('unknown capability, nothing embedded -> unknown-capability', () => {
      assert.equal(verifyReportFacts(conflict(), NO_CAPABILITIES)?.reason, 'unknown-capability');
      assert.equal(verifyReportFacts(conflict(), lookupOf(makeCapability(OTHER_ORACLE, CAPABILITY)))?.reason, 'unknown-capability');
    });
    it('embedded capability, valid -> accepted without lookup', () => {
      assert.equal(verifyReportFacts(conflict({ capability: cap }), NO_CAPABILITIES), null);
    });
    it('embedded capability of another oracle -> capability-mismatch', () => {
      assert.equal(verifyReportFacts(conflict({ capability: makeCapability(OTHER_ORACLE, CAPABILITY) }), NO_CAPABILITIES)?.reason, 'capability-mismatch');
    });
    it('embedded capability for another capability key -> capability-mismatch', () => {
      assert.equal(verifyReportFacts(conflict({ capability: makeCapability(ORACLE, OTHER_CAPABILITY) }), NO_CAPABILITIES)?.reason, 'capability-mismatch');
    });
    it('embedded capability badly signed -> capability-invalid', () => {
      assert.equal(verifyReportFacts(conflict({ capability: { ...cap, question: 'changed' } }), NO_CAPABILITIES)?.reason, 'capability-invalid');
    });
    it('facts are checked before capability ownership', () => {
      assert.equal(verifyReportFacts(conflict({ facts: [yes, yes] }), NO_CAPABILITIES)?.reason, 'conflict-answers-equal');
    });
  });

  describe('fact-disagrees-with-public', () => {
    const disagrees = (c: Partial<FactDisagreesWithPublicContent> = {}): Report =>
      makeReport({ type: 'fact-disagrees-with-public', request, fact: yes, comment: 'it was B', ...c });
    it('valid with a known capability', () => {
      assert.equal(verifyReportFacts(disagrees(), known), null);
    });
    it('a fact for another request -> fact-request-mismatch', () => {
      assert.equal(verifyReportFacts(disagrees({ fact: makeFact('A', other) }), known)?.reason, 'fact-request-mismatch');
    });
    it('a bad fact signature -> fact-signature-invalid', () => {
      assert.equal(verifyReportFacts(disagrees({ fact: { ...yes, answer: 'B' } }), known)?.reason, 'fact-signature-invalid');
    });
    it('unknown capability -> unknown-capability', () => {
      assert.equal(verifyReportFacts(disagrees(), NO_CAPABILITIES)?.reason, 'unknown-capability');
    });
    it('embedded capability valid / of another oracle / badly signed', () => {
      assert.equal(verifyReportFacts(disagrees({ capability: cap }), NO_CAPABILITIES), null);
      assert.equal(verifyReportFacts(disagrees({ capability: makeCapability(OTHER_ORACLE, CAPABILITY) }), NO_CAPABILITIES)?.reason, 'capability-mismatch');
      assert.equal(verifyReportFacts(disagrees({ capability: { ...cap, seqNo: 99 } }), NO_CAPABILITIES)?.reason, 'capability-invalid');
    });
    it('a report against the wrong oracle (the capability belongs to another) -> unknown-capability', () => {
      const r = makeReport({ type: 'fact-disagrees-with-public', request, fact: yes }, OTHER_ORACLE.publicKey);
      assert.equal(verifyReportFacts(r, known)?.reason, 'unknown-capability');
    });
  });
});

describe('verifyDispute', () => {
  const cap = makeCapability(ORACLE, CAPABILITY);
  const known = lookupOf(cap);
  const request = makeRequest();
  const stored = makeReport({ type: 'fact-missing', request });
  const dispute = (d: Partial<Dispute> = {}): Dispute => ({ reportId: 'ab'.repeat(32), oraclePubKey: ORACLE.publicKey, fact: makeFact('A', request), ...d });

  it('valid', () => {
    assert.equal(verifyDispute(dispute(), stored, known), null);
  });
  it('a report that is not fact-missing -> not-disputable', () => {
    const conflict = makeReport({ type: 'fact-conflict', request, facts: [makeFact('A'), makeFact('B')] });
    assert.equal(verifyDispute(dispute(), conflict, known)?.reason, 'not-disputable');
  });
  it('another oracle -> dispute-oracle-mismatch', () => {
    assert.equal(verifyDispute(dispute({ oraclePubKey: OTHER_ORACLE.publicKey }), stored, known)?.reason, 'dispute-oracle-mismatch');
  });
  it('a fact for another request -> fact-request-mismatch', () => {
    assert.equal(verifyDispute(dispute({ fact: makeFact('A', makeRequest(CAPABILITY, { match: 'C-D' })) }), stored, known)?.reason, 'fact-request-mismatch');
  });
  it('a bad fact signature -> fact-signature-invalid', () => {
    const f = makeFact('A', request);
    assert.equal(verifyDispute(dispute({ fact: { ...f, answer: 'B' } }), stored, known)?.reason, 'fact-signature-invalid');
  });
  it('a capability the node does not know -> unknown-capability', () => {
    assert.equal(verifyDispute(dispute(), stored, NO_CAPABILITIES)?.reason, 'unknown-capability');
  });
});
