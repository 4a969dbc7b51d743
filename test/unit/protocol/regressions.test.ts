// test/unit/protocol/regressions.test.ts - owns regression tests for src/protocol defects found while writing the protocol vectors (lone surrogates, "__proto__" in signed parts, embedded capabilities).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signedPart, signingText } from '../../../src/protocol/canonical.ts';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import type { Report } from '../../../src/protocol/types.ts';
import { verifyReportFacts } from '../../../src/protocol/verify.ts';
import { CAPABILITY, lookupOf, makeCapability, makeFact, makeOracle, makeReport, makeRequest, ORACLE, OTHER_ORACLE } from './_helpers.ts';

const registry = SchemaRegistry.load();
const LONE = JSON.parse('"\\ud800"') as string;
const LOW_ALONE = JSON.parse('"\\udc00"') as string;

describe('lone UTF-16 surrogates are refused by validation, before anything is canonicalized', () => {
  // RFC 8785 cannot canonicalize them (package `canonicalize` throws), so before the fix a
  // schema-valid payload made MegaService.submit throw instead of returning a rejection.
  it('in a capability question', () => {
    const c = { ...makeCapability(), question: `rain? ${LONE}` };
    assert.deepEqual(registry.validateEntity('capability', c), {
      ok: false,
      message: 'capability.question: string contains a lone UTF-16 surrogate (not valid Unicode)',
    });
  });
  it('in an oracle tag (a lone low surrogate)', () => {
    const o = { ...makeOracle(ORACLE), tags: [`a${LOW_ALONE}`] };
    assert.deepEqual(registry.validateEntity('oracle', o), {
      ok: false,
      message: 'oracle.tags[0]: string contains a lone UTF-16 surrogate (not valid Unicode)',
    });
  });
  it('in a report comment and in an argument name', () => {
    // Built by hand: a report's PoW preimage is canonical JSON, which these strings do not have.
    const pow = { difficulty: 0, algorithm: 'SHA256' as const, hash: '0'.repeat(64), magicNo: 0 };
    const base = { oraclePubKey: ORACLE.publicKey, seqNo: 0, cTTL: 5, pow };
    const r: Report = { ...base, content: { type: 'fact-disagrees-with-public', request: makeRequest(), fact: makeFact('A'), comment: LONE } };
    assert.deepEqual(registry.validateEntity('report', r), {
      ok: false,
      message: 'report.content.comment: string contains a lone UTF-16 surrogate (not valid Unicode)',
    });
    const args: Record<string, string> = {};
    args[`k${LONE}`] = 'v';
    const m: Report = { ...base, content: { type: 'fact-missing', request: { capabilityPubKey: CAPABILITY.publicKey, arguments: args } } };
    assert.equal(registry.validateEntity('report', m).ok, false, "expected registry.validateEntity('report', m).ok to be false");
  });
  it('well-formed surrogate pairs (emoji) are accepted', () => {
    const c = makeCapability(ORACLE, CAPABILITY, { question: 'rain? ☔ 😀' });
    assert.deepEqual(registry.validateEntity('capability', c), { ok: true });
  });
});

describe('an own "__proto__" member is kept in the signed part', () => {
  // signedPart copied with `out[k] = v` into a plain object: "__proto__" set the copy's prototype
  // and silently dropped out of the signed text. (The schema refuses such a member anyway.)
  it('stays a plain key and is signed', () => {
    const obj = JSON.parse('{"a":1,"__proto__":{"x":2},"sig":"z"}') as object;
    assert.deepEqual(Object.keys(signedPart(obj, 'sig')), ['a', '__proto__']);
    assert.equal(signingText(obj, 'sig'), '{"__proto__":{"x":2},"a":1}');
  });
});

describe('an embedded capability is checked even when the node stores the capability', () => {
  // Before the fix a node that stored the capability ignored a broken embedded ad and accepted the
  // report, while a peer without the capability refused it with ban score 100.
  const cap = makeCapability(ORACLE, CAPABILITY);
  const report = (capability: typeof cap): Report =>
    makeReport({ type: 'fact-conflict', request: makeRequest(), facts: [makeFact('A'), makeFact('B')], capability });
  it('badly signed -> capability-invalid', () => {
    assert.equal(verifyReportFacts(report({ ...cap, question: 'forged' }), lookupOf(cap))?.reason, 'capability-invalid');
  });
  it('of another oracle -> capability-mismatch', () => {
    assert.equal(verifyReportFacts(report(makeCapability(OTHER_ORACLE, CAPABILITY)), lookupOf(cap))?.reason, 'capability-mismatch');
  });
  it('valid -> accepted, with or without the stored ad', () => {
    assert.equal(verifyReportFacts(report(cap), lookupOf(cap)), null);
    assert.equal(verifyReportFacts(report(cap), () => undefined), null);
  });
});
