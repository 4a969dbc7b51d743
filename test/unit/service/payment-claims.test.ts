// test/unit/service/payment-claims.test.ts - issue #14 rule 4: a fact-missing carrying a BOLT11 invoice and preimage is checked against the capability's lightningNodeId (signature, SHA-256(preimage) = payment hash, description hash = SHA-256 of the canonical request) and ranks as a paid claim above other claims.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPaymentProof, requestCommitment } from '../../../src/protocol/payment.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { makeCapability, makeInvoice, makeKeys, makeOracle, makePaymentProof, makeReport, makeRequest, newServiceForTest, reportId } from '../../helpers/factory.ts';

const O = makeKeys(1471);
const CAP = makeKeys(1472);
const LN = makeKeys(1473);
const OTHER_LN = makeKeys(1474);
const ARGS = { city: 'Oslo' };
const request = makeRequest(CAP.publicKey, ARGS);
const paidCap = makeCapability({ oracleKeys: O, capKeys: CAP, question: 'Will it rain in {city}?', lightningNodeId: LN.publicKey });

describe('checkPaymentProof', () => {
  it('accepts an invoice signed by the node id, paid by the preimage, committed to the request', () => {
    assert.equal(checkPaymentProof(makePaymentProof(LN, request), request, paidCap), null, 'expected a correct proof to verify');
    assert.equal(checkPaymentProof({ proof: 'free text' }, request, paidCap), null, 'expected a text-only proof not to be checked');
  });

  it('refuses each broken part with payment-invalid, and an unnamed node with payment-unverifiable', () => {
    const good = makePaymentProof(LN, request);
    const reason = (p: Parameters<typeof checkPaymentProof>[0], cap = paidCap) => checkPaymentProof(p, request, cap)?.reason;
    assert.equal(reason(makePaymentProof(OTHER_LN, request)), 'payment-invalid', 'expected an invoice of another node refused');
    assert.equal(reason({ ...good, preimage: sha256Hex('not it') }), 'payment-invalid', 'expected a wrong preimage refused');
    assert.equal(reason(makePaymentProof(LN, makeRequest(CAP.publicKey, { city: 'Rome' }))), 'payment-invalid', 'expected an invoice for another request refused');
    assert.equal(reason({ ...good, invoice: good.invoice!.slice(0, -1) + (good.invoice!.endsWith('q') ? 'p' : 'q') }), 'payment-invalid', 'expected a bad checksum refused');
    assert.equal(reason({ ...good, invoice: 'lnbcrt1nothing' }), 'payment-invalid', 'expected garbage refused');
    const noNode = makeCapability({ oracleKeys: O, capKeys: CAP, question: 'q?' });
    assert.equal(reason(good, noNode), 'payment-unverifiable', 'expected a capability without lightningNodeId to make it unverifiable');
  });

  it('commits to SHA-256 of the JCS request (member order does not matter)', () => {
    const a = requestCommitment({ capabilityPubKey: CAP.publicKey, arguments: { b: '2', a: '1' } });
    const b = requestCommitment({ arguments: { a: '1', b: '2' }, capabilityPubKey: CAP.publicKey });
    assert.equal(a, b, 'expected the commitment to be canonical');
    assert.equal(a, sha256Hex(`{"arguments":{"a":"1","b":"2"},"capabilityPubKey":"${CAP.publicKey}"}`), 'expected SHA-256 of the JCS text');
    // The invoice's own payment hash is what the preimage must hash to.
    const inv = makeInvoice({ nodeKeys: LN, paymentHash: 'ab'.repeat(32), descriptionHash: a });
    assert.equal(checkPaymentProof({ proof: 'x', invoice: inv, preimage: 'ab'.repeat(32) }, { capabilityPubKey: CAP.publicKey, arguments: { a: '1', b: '2' } }, paidCap)?.reason, 'payment-invalid', 'expected the preimage itself (not its hash) to be refused');
  });
});

describe('service: paid claims', () => {
  async function rig() {
    const t = newServiceForTest({ mempool: { maxReports: 1 } });
    assert.equal((await t.service.admit('oracle', makeOracle({ keys: O }))).status, 'accepted');
    assert.equal((await t.service.admit('capability', paidCap)).status, 'accepted');
    return t;
  }

  it('a verified payment ranks above an unpaid claim with more PoW, and an unpaid claim cannot evict it', async () => {
    const t = await rig();
    const unpaid = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: CAP, args: { city: 'Rome' }, difficulty: 12 });
    assert.equal((await t.service.admit('report', unpaid)).status, 'accepted');
    const paid = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: CAP, args: ARGS, payment: makePaymentProof(LN, request), difficulty: 0 });
    const r = await t.service.admit('report', paid);
    assert.deepEqual(r.status === 'accepted' && r.evicted.map((e) => e.id), [reportId(unpaid)], 'expected the paid claim to evict the unpaid one at a full set');
    const again = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: CAP, args: { city: 'Lima' }, difficulty: 14 });
    assertRejected(await t.service.admit('report', again), 'rank-too-low', 0);
    assert.equal(t.mempool.getOracle(O.publicKey)?.openClaims, 1, 'expected the paid claim counted as open');
  });

  it('a broken payment proof is refused with ban 100; one the node cannot check with ban 0', async () => {
    const t = await rig();
    const forged = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: CAP, args: ARGS, payment: makePaymentProof(OTHER_LN, request) });
    assertRejected(await t.service.admit('report', forged), 'payment-invalid', 100);
    const otherCap = makeKeys(1475);
    const plainCap = makeCapability({ oracleKeys: O, capKeys: otherCap, question: 'q?' });
    const req2 = makeRequest(otherCap.publicKey, ARGS);
    const unverifiable = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: otherCap, args: ARGS, payment: makePaymentProof(LN, req2), capability: plainCap });
    assertRejected(await t.service.admit('report', unverifiable), 'payment-unverifiable', 0);
  });
});
