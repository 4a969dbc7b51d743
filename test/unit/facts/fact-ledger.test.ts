// test/unit/facts/fact-ledger.test.ts - the answer ledger: first answer kept, a different one is a conflict once per request, bounds by count and bytes; checkFact refuses every wrong answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FactLedger, requestKey } from '../../../src/facts/fact-ledger.ts';
import { checkFact, factEndpointUrl } from '../../../src/facts/fact-proxy.ts';
import { makeCapability, makeFact, makeKeys, makeRequest } from '../../helpers/factory.ts';

const oracleKeys = makeKeys(9301);
const capKeys = makeKeys(9302);
const cap = makeCapability({ oracleKeys, capKeys, question: 'q?' });

describe('FactLedger', () => {
  it('keeps the first answer, reports a different one once with both facts in order', () => {
    const l = new FactLedger({ maxEntries: 10, maxBytes: 1 << 20 });
    const a = makeFact({ capKeys, args: { x: '1' }, answer: 'a' });
    const b = makeFact({ capKeys, args: { x: '1' }, answer: 'b' });
    assert.equal(l.record(oracleKeys.publicKey, cap, a).outcome, 'new');
    assert.equal(l.record(oracleKeys.publicKey, cap, a).outcome, 'same');
    const c = l.record(oracleKeys.publicKey, cap, b);
    assert.equal(c.outcome, 'conflict');
    assert.deepEqual(c.conflict?.facts, [a, b], 'the held fact first, the new one second');
    assert.equal(l.record(oracleKeys.publicKey, cap, makeFact({ capKeys, args: { x: '1' }, answer: 'c' })).outcome, 'conflict-known', 'one report per request');
  });

  it('argument order does not make a different request', () => {
    assert.equal(requestKey(makeRequest(capKeys.publicKey, { a: '1', b: '2' })), requestKey({ capabilityPubKey: capKeys.publicKey, arguments: { b: '2', a: '1' } }));
  });

  it('is bounded by count and by bytes, oldest first', () => {
    const l = new FactLedger({ maxEntries: 3, maxBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) l.record(oracleKeys.publicKey, cap, makeFact({ capKeys, args: { i: String(i) }, answer: 'a' }));
    assert.equal(l.size().entries, 3);
    assert.equal(l.record(oracleKeys.publicKey, cap, makeFact({ capKeys, args: { i: '0' }, answer: 'b' })).outcome, 'new', 'the oldest was forgotten');
    const one = JSON.stringify(makeFact({ capKeys, args: { i: '0' }, answer: 'a' })).length + 64;
    const small = new FactLedger({ maxEntries: 1000, maxBytes: one * 2 + 10 });
    for (let i = 0; i < 5; i++) small.record(oracleKeys.publicKey, cap, makeFact({ capKeys, args: { i: String(i) }, answer: 'a' }));
    assert.ok(small.size().bytes <= one * 2 + 10 && small.size().entries === 2, `byte bound must hold: ${JSON.stringify(small.size())}`);
  });
});

describe('checkFact and the endpoint URL', () => {
  const request = makeRequest(capKeys.publicKey, { x: '1' });
  const good = makeFact({ capKeys, args: { x: '1' }, answer: 'yes' });
  it('accepts the right fact and refuses every wrong one with a reason', () => {
    assert.equal(checkFact(good, request), null);
    assert.match(String(checkFact(undefined, request)), /without a fact/);
    assert.match(String(checkFact({ ...good, answer: 'no' }, request)), /does not verify/);
    assert.match(String(checkFact(good, makeRequest(capKeys.publicKey, { x: '2' }))), /different request/);
    assert.match(String(checkFact({ ...good, signatureType: 'schnorr' }, request)), /no ecdsa/);
    assert.match(String(checkFact(makeFact({ capKeys: makeKeys(9303), args: { x: '1' }, answer: 'yes' }), request)), /different request|does not verify/);
  });
  it('appends /facts to the endpoint, dropping one trailing slash', () => {
    assert.equal(factEndpointUrl('https://o.example/api'), 'https://o.example/api/facts');
    assert.equal(factEndpointUrl('https://o.example/'), 'https://o.example/facts');
  });
});
