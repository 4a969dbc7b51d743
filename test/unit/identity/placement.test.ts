// test/unit/identity/placement.test.ts - the placement seller against the LND double: the memo it asks for binds exactly the oracle key under PROTOCOL 7.2's rule (so the paid invoice verifies as that oracle's bid and no other's), refusals before LND is asked, status only for invoices it sold, and the spec's example invoice is what the seller would issue.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import bolt11 from 'bolt11';
import yaml from 'js-yaml';
import { checkInvoice } from '../../../src/identity/bids.ts';
import { InvoiceLookups } from '../../../src/identity/invoice-lookups.ts';
import { PlacementSeller, placementMemo } from '../../../src/identity/placement.ts';
import { LndClient } from '../../../src/lightning/lnd.ts';
import { FakeLnd } from '../../helpers/fake-lnd.ts';
import { makeKeys } from '../../helpers/factory.ts';

const lnd = new FakeLnd();
let client: LndClient;
before(async () => {
  await lnd.start();
  client = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: 5000 });
});
after(async () => {
  client.close();
  await lnd.stop();
  lnd.cleanup();
});

function seller(now = () => 1_700_000_000_000) {
  const lookups = new InvoiceLookups({ okTtlMs: 60_000, errorTtlMs: 30_000, maxEntries: 100, maxBytes: 100_000 }, { lookupInvoice: (h, s) => client.lookupInvoice(h, s), now });
  return new PlacementSeller({ minMsat: 1000, invoiceExpirySeconds: 900, bidLifetimeMs: 86_400_000 }, { addInvoice: (i, s) => client.addInvoice(i, s), lookups, now });
}

describe('PlacementSeller', () => {
  it('issues an invoice whose memo binds the oracle key: once paid, it verifies as that oracle\'s bid and never as another\'s', async () => {
    const oracle = makeKeys(901).publicKey;
    const other = makeKeys(902).publicKey;
    const r = await seller().sell(oracle, 4000);
    assert.equal(r.status, 'created', JSON.stringify(r));
    if (r.status !== 'created') return;
    assert.equal(r.invoice.memo, placementMemo(oracle));
    lnd.settle(r.invoice.paymentHash);
    const looked = await client.lookupInvoice(r.invoice.paymentHash);
    assert.equal(looked.status, 'found');
    if (looked.status !== 'found') return;
    assert.equal(checkInvoice(looked.invoice, r.invoice.bid, oracle), null, 'the paid invoice counts for the oracle it was sold to');
    assert.equal(checkInvoice(looked.invoice, r.invoice.bid, other), 'invoice memo does not name this oracle pubkey');
    assert.equal(checkInvoice(looked.invoice, { ...r.invoice.bid, amount: 4001 }, oracle), "invoice paid 4000 msat, less than the bid's 4001");
    assert.equal(lnd.invoices.get(r.invoice.paymentHash)?.expirySeconds, 900);
  });

  it('refuses before asking LND: a key off the curve, too small an amount; status only for invoices it sold', async () => {
    const s = seller();
    const before = lnd.addInvoiceCalls;
    assert.deepEqual(await s.sell(`02${'ff'.repeat(32)}`, 5000), { status: 'refused', code: 'invalid-pubkey', message: 'pubkey is not a compressed secp256k1 public key' });
    const low = await s.sell(makeKeys(903).publicKey, 999);
    assert.equal(low.status === 'refused' && low.code, 'amount-too-low');
    assert.equal(lnd.addInvoiceCalls, before, 'LND not asked');
    const lookups = lnd.requests.length;
    assert.equal(await s.status('ab'.repeat(32)), null);
    assert.equal(lnd.requests.length, lookups, 'no lookup for an invoice this node did not sell');
  });

  it('the spec\'s example invoice is a real one of the shape the seller issues', () => {
    const spec = yaml.load(fs.readFileSync(new URL('../../../wolfram-mega-spec.yaml', import.meta.url), 'utf8')) as { paths: Record<string, { post: { responses: Record<string, { content: Record<string, { example: Record<string, unknown> }> }> } }> };
    const ex = spec.paths['/placement/invoice']!.post.responses['201']!.content['application/json']!.example as { pubkey: string; paymentHash: string; paymentRequest: string; memo: string; amountMsat: number };
    const d = bolt11.decode(ex.paymentRequest);
    assert.equal(d.tagsObject.payment_hash, ex.paymentHash);
    assert.equal(d.tagsObject.description, placementMemo(ex.pubkey));
    assert.equal(ex.memo, placementMemo(ex.pubkey));
    assert.equal(d.millisatoshis, String(ex.amountMsat));
  });
});
