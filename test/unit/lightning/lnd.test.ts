// test/unit/lightning/lnd.test.ts - the LND REST client's AddInvoice and lookup against the fake LND (which speaks LND's REST API): real signed BOLT11 invoices committing to a description hash or memo, settlement seen by lookup, errors as values.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import bolt11 from 'bolt11';
import { LndClient } from '../../../src/lightning/lnd.ts';
import { FakeLnd } from '../../helpers/fake-lnd.ts';

describe('LndClient against a fake LND speaking the REST API', () => {
  const lnd = new FakeLnd();
  let client: LndClient;
  before(async () => {
    await lnd.start();
    client = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: 2000 });
  });
  after(async () => {
    client.close();
    await lnd.stop();
    lnd.cleanup();
  });

  it('AddInvoice with a description hash returns a BOLT11 invoice signed by the node that commits to that hash and amount', async () => {
    const dh = 'ab'.repeat(32);
    const r = await client.addInvoice({ valueMsat: 5000n, expirySeconds: 600, descriptionHashHex: dh });
    assert.equal(r.status, 'created', `expected an invoice, got ${JSON.stringify(r)}`);
    if (r.status !== 'created') return;
    const d = bolt11.decode(r.paymentRequest, { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0] });
    assert.equal(d.payeeNodeKey, lnd.nodeId, 'the invoice must be signed by the fake node key');
    assert.equal(d.millisatoshis, '5000', 'the invoice must carry the asked amount');
    assert.equal(d.tags.find((t) => t.tagName === 'purpose_commit_hash')?.data, dh, 'tag h must be the description hash');
    assert.equal(d.tags.find((t) => t.tagName === 'payment_hash')?.data, r.paymentHash, 'r_hash must be the payment hash of the invoice');
    assert.equal(d.tags.find((t) => t.tagName === 'expire_time')?.data, 600, 'the expiry asked for');
  });

  it('a memo invoice carries the memo; lookup sees OPEN, then SETTLED with the paid amount after settlement', async () => {
    const r = await client.addInvoice({ valueMsat: 21000n, expirySeconds: 60, memo: 'mega placement 02ab' });
    assert.equal(r.status, 'created');
    if (r.status !== 'created') return;
    const d = bolt11.decode(r.paymentRequest, { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0] });
    assert.equal(d.tags.find((t) => t.tagName === 'description')?.data, 'mega placement 02ab');
    const open = await client.lookupInvoice(r.paymentHash);
    assert.equal(open.status === 'found' && open.invoice.state, 'OPEN', `expected OPEN, got ${JSON.stringify(open)}`);
    lnd.settle(r.paymentHash);
    const paid = await client.lookupInvoice(r.paymentHash);
    assert.ok(paid.status === 'found' && paid.invoice.state === 'SETTLED' && paid.invoice.amt_paid_msat === '21000', `expected SETTLED with 21000 msat paid, got ${JSON.stringify(paid)}`);
    assert.equal(paid.status === 'found' && paid.invoice.memo, 'mega placement 02ab');
  });

  it('refuses a non-positive amount and a malformed description hash without calling LND', async () => {
    const before = lnd.addInvoiceCalls;
    assert.equal((await client.addInvoice({ valueMsat: 0n, expirySeconds: 60 })).status, 'error');
    assert.equal((await client.addInvoice({ valueMsat: 1n, expirySeconds: 60, descriptionHashHex: 'zz' })).status, 'error');
    assert.equal(lnd.addInvoiceCalls, before, 'no AddInvoice request may reach LND for refused input');
  });

  it('a wrong macaroon is an error value carrying LND\'s message', async () => {
    const bad = new LndClient({ restHost: lnd.restHost, macaroon: Buffer.from('00', 'hex'), tlsCert: lnd.tls.cert, timeoutMs: 2000 });
    const r = await bad.addInvoice({ valueMsat: 1000n, expirySeconds: 60 });
    bad.close();
    assert.ok(r.status === 'error' && /500.*verification failed/.test(r.message), `expected LND's macaroon error, got ${JSON.stringify(r)}`);
  });

  it('a hung LND is an error after the deadline, not a hang', async () => {
    lnd.hang = true;
    const quick = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: 200 });
    try {
      const r = await quick.addInvoice({ valueMsat: 1000n, expirySeconds: 60 });
      assert.ok(r.status === 'error' && /within 200 ms/.test(r.message), `expected a timeout error, got ${JSON.stringify(r)}`);
    } finally {
      quick.close();
      lnd.hang = false;
    }
  });
});
