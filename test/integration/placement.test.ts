// test/integration/placement.test.ts - placement bought in-band from a whole MegaNode whose LND is the double speaking LND's REST API: GET /id advertises it, POST /placement/invoice issues a real signed BOLT11 invoice binding the oracle key, GET /placement/invoice/{hash} follows it to SETTLED, the paid ad then evicts a higher-PoW unpaid one at a full mempool; unpaid and underpaid newcomers are refused with one LND call per invoice; another node ranks the same ad by PoW; expiry re-ranks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import bolt11 from 'bolt11';
import type { MegaNode } from '../../src/node.ts';
import type { OracleId } from '../../src/protocol/types.ts';
import { FakeLnd } from '../helpers/fake-lnd.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { connect, createTestNode, get, post, stopAll, waitFor } from '../helpers/network.ts';

interface Invoice {
  pubkey: string;
  amountMsat: number;
  paymentHash: string;
  paymentRequest: string;
  memo: string;
  expiresAt: string;
  bid: OracleId['bid'];
}
interface Details {
  rank: { verifiedBid: number; difficulty: number };
  bid: { state: string; amountMsat?: number };
  placement: { amountMsat: number; lightningNodeId: string | null; expiresAt: string } | null;
}

const errorCode = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;

/** Assert that a response body matches its OpenAPI schema (wolfram-mega-spec.yaml). */
function conforms(node: MegaNode, schema: string, body: unknown): void {
  const valid = node.schemas.component(schema);
  assert.equal(valid(body), true, `${schema}: ${JSON.stringify(valid.errors)} in ${JSON.stringify(body)}`);
}

describe('placement sold in-band', () => {
  const lnd = new FakeLnd();
  let seller: MegaNode;
  let plain: MegaNode;
  let lndConfig: Record<string, unknown>;

  before(async () => {
    await lnd.start();
    const macaroonPath = path.join(lnd.tls.dir, 'invoice.macaroon');
    fs.writeFileSync(macaroonPath, lnd.macaroon);
    lndConfig = { lnRestHost: lnd.restHost, lnMacaroonPath: macaroonPath, lnTlsCertPath: lnd.tls.certPath };
    seller = await createTestNode({ ...lndConfig, maxOracles: 2, placementMinMsat: 2000, placementInvoiceExpirySeconds: 600 });
    plain = await createTestNode({ maxOracles: 10 });
    await connect(seller, plain);
  });

  after(async () => {
    await stopAll([seller, plain]);
    await lnd.stop();
    lnd.cleanup();
  });

  /** Ask the seller for an invoice; asserts 201. */
  async function buy(pubkey: string, amountMsat: number): Promise<Invoice> {
    const r = await post(seller, '/placement/invoice', { pubkey, amountMsat });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    conforms(seller, 'PlacementInvoice', r.body);
    return r.body as Invoice;
  }

  it('GET /id advertises placement on the node with LND, and nothing on a node without', async () => {
    assert.deepEqual((await get(seller, '/id')).body, {
      placement: { forSale: true, minAmountMsat: 2000, maxAmountMsat: Number.MAX_SAFE_INTEGER, invoicePath: '/placement/invoice', invoiceExpirySeconds: 600, bidLifetimeMs: 604800000 },
    });
    conforms(seller, 'FacilitatorId', (await get(seller, '/id')).body);
    assert.equal((await get(plain, '/id')).body, null);
    const r = await post(plain, '/placement/invoice', { pubkey: makeKeys(801).publicKey, amountMsat: 5000 });
    assert.deepEqual([r.status, errorCode(r.body)], [404, 'placement-not-for-sale']);
  });

  it('the invoice round trip: a BOLT11 invoice signed by the node\'s LND, memo binding the oracle key, expiry; polled to SETTLED', async () => {
    const keys = makeKeys(802);
    const inv = await buy(keys.publicKey, 5000);
    const d = bolt11.decode(inv.paymentRequest);
    assert.equal(d.payeeNodeKey, lnd.nodeId, 'signed by this node\'s LND');
    assert.equal(d.millisatoshis, '5000');
    assert.equal(d.tagsObject.payment_hash, inv.paymentHash);
    assert.equal(d.tagsObject.description, `Mega ad placement for oracle ${keys.publicKey}`);
    assert.equal(d.tagsObject.expire_time, 600);
    assert.equal(inv.memo, d.tagsObject.description);
    assert.deepEqual(inv.bid, { amount: 5000, proof: inv.paymentHash, paymentType: 'lightning' });
    assert.equal(Math.abs(Date.parse(inv.expiresAt) - (Date.now() + 600_000)) < 10_000, true, `expiresAt ${inv.expiresAt} is about 600 s away`);
    const open = await get(seller, `/placement/invoice/${inv.paymentHash}`);
    assert.deepEqual([open.status, (open.body as { state: string }).state, (open.body as { pubkey: string }).pubkey], [200, 'OPEN', keys.publicKey]);
    lnd.settle(inv.paymentHash);
    await waitFor(async () => ((await get(seller, `/placement/invoice/${inv.paymentHash}`)).body as { state: string }).state === 'SETTLED', { timeoutMs: 5000, message: 'the poll to see the invoice SETTLED' });
    const done = (await get(seller, `/placement/invoice/${inv.paymentHash}`)).body as { amountPaidMsat: string };
    conforms(seller, 'PlacementInvoiceStatus', done);
    conforms(seller, 'PlacementInvoiceStatus', open.body);
    assert.equal(done.amountPaidMsat, '5000');
  });

  it('refuses bad requests with codes, and never shows invoices it did not sell', async () => {
    const pk = makeKeys(803).publicKey;
    const low = await post(seller, '/placement/invoice', { pubkey: pk, amountMsat: 1999 });
    assert.deepEqual([low.status, errorCode(low.body)], [422, 'amount-too-low']);
    const notPoint = await post(seller, '/placement/invoice', { pubkey: `02${'ff'.repeat(32)}`, amountMsat: 5000 });
    assert.deepEqual([notPoint.status, errorCode(notPoint.body)], [422, 'invalid-pubkey']);
    const missing = await post(seller, '/placement/invoice', { pubkey: pk });
    assert.equal(missing.status, 400);
    const extra = await post(seller, '/placement/invoice', { pubkey: pk, amountMsat: 5000, memo: 'x' });
    assert.equal(extra.status, 400);
    // An invoice of the operator's own (not sold for placement) is not shown.
    const before = lnd.requests.length;
    const r = await get(seller, `/placement/invoice/${'0'.repeat(64)}`);
    assert.deepEqual([r.status, errorCode(r.body)], [404, 'invoice-not-found']);
    lnd.invoices.set('ab'.repeat(32), { memo: 'coffee', valueMsat: 1000n, amtPaidMsat: 0n, state: 'OPEN' });
    const r2 = await get(seller, `/placement/invoice/${'ab'.repeat(32)}`);
    assert.deepEqual([r2.status, errorCode(r2.body)], [404, 'invoice-not-found']);
    assert.equal(lnd.requests.length, before, 'LND is not asked about invoices the node did not sell');
  });

  it('at a full mempool a paid newcomer (arriving by gossip) evicts a higher-PoW unpaid ad; unpaid and underpaid are refused with one LND call per invoice; another node ranks the ad by PoW', async () => {
    const strong = makeOracle({ keys: makeKeys(811), difficulty: 8 });
    const weak = makeOracle({ keys: makeKeys(812), difficulty: 6 });
    for (const o of [strong, weak]) assert.equal((await post(seller, '/oracle', o)).status, 201);
    // Unpaid and underpaid newcomers.
    const unpaidKeys = makeKeys(813);
    const unpaidInv = await buy(unpaidKeys.publicKey, 5000);
    const unpaid = makeOracle({ keys: unpaidKeys, difficulty: 2, bid: unpaidInv.bid });
    const underKeys = makeKeys(814);
    const underInv = await buy(underKeys.publicKey, 5000);
    lnd.settle(underInv.paymentHash, 4000n);
    const under = makeOracle({ keys: underKeys, difficulty: 2, bid: underInv.bid });
    const lookups = (hash: string) => lnd.requests.filter((u) => u === `/v1/invoice/${hash}`).length;
    for (const [ad, inv, why] of [
      [unpaid, unpaidInv, /invoice state is OPEN/],
      [under, underInv, /invoice paid 4000 msat, less than the bid's 5000/],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        const r = await post(seller, '/oracle', ad);
        assert.deepEqual([r.status, errorCode(r.body)], [422, 'rank-too-low']);
        assert.match((r.body as { error: { message: string } }).error.message, why);
      }
      assert.equal(lookups(inv.paymentHash), 1, 'one LND call per invoice');
    }
    // The paid newcomer, published on the other node: it reaches the seller by gossip (the P2P door) and is checked there.
    const keys = makeKeys(815);
    const inv = await buy(keys.publicKey, 5000);
    lnd.settle(inv.paymentHash);
    const paid = makeOracle({ keys, difficulty: 2, bid: inv.bid });
    assert.equal((await post(plain, '/oracle', paid)).status, 201);
    await waitFor(async () => (await get(seller, `/oracles/${keys.publicKey}`)).status === 200, { timeoutMs: 10_000, message: 'the paid ad to be admitted by the seller from its peer' });
    assert.equal((await get(seller, `/oracles/${weak.pubkey}`)).status, 404, 'the unpaid PoW-6 ad was evicted');
    const list = (await get(seller, '/oracles')).body as { id: string }[];
    assert.deepEqual(list.map((o) => o.id), [keys.publicKey, strong.pubkey]);
    const details = (await get(seller, `/oracles/${keys.publicKey}`)).body as Details;
    conforms(seller, 'OracleDetails', details);
    assert.deepEqual(details.rank, { verifiedBid: 5000, difficulty: 2 });
    assert.equal(details.bid.state, 'verified');
    assert.equal(details.placement?.amountMsat, 5000);
    assert.equal(details.placement?.lightningNodeId, lnd.nodeId, 'the placement names the LND node it was bought from');
    // Scope: the ad travels, the bid does not: the other node has no LND (or another operator's) and ranks it by PoW.
    const there = (await get(plain, `/oracles/${keys.publicKey}`)).body as Details;
    conforms(plain, 'OracleDetails', there);
    assert.deepEqual([there.rank, there.bid, there.placement], [{ verifiedBid: 0, difficulty: 2 }, { state: 'none' }, null]);
    const order = ((await get(plain, '/oracles')).body as { id: string }[]).map((o) => o.id);
    assert.equal(order.indexOf(keys.publicKey) > order.indexOf(strong.pubkey), true, 'ranked below the PoW-8 ad there');
  });

  it('LND refusing AddInvoice is a 502 lnd-unavailable; invoice creation is limited per client address', async () => {
    const wrongMacaroon = path.join(lnd.tls.dir, 'wrong.macaroon');
    fs.writeFileSync(wrongMacaroon, Buffer.from('00', 'hex'));
    const node = await createTestNode({ ...lndConfig, lnMacaroonPath: wrongMacaroon, limitLoopback: true });
    try {
      const pk = makeKeys(831).publicKey;
      const codes: [number, string | undefined][] = [];
      for (let i = 0; i < 6; i++) {
        const r = await post(node, '/placement/invoice', { pubkey: pk, amountMsat: 5000 });
        codes.push([r.status, errorCode(r.body)]);
      }
      assert.deepEqual(codes, [...Array(5).fill([502, 'lnd-unavailable']), [429, 'rate-limited']], 'five asks pass the limit (LND refuses them), the sixth is throttled');
    } finally {
      await node.stop();
    }
  });

  it('a bid expires after bidLifetimeMs and the ad ranks by PoW again', async () => {
    const node = await createTestNode({ ...lndConfig, bidLifetimeMs: 1000 });
    try {
      const worker = makeOracle({ keys: makeKeys(821), difficulty: 6 });
      const keys = makeKeys(822);
      const r = await post(node, '/placement/invoice', { pubkey: keys.publicKey, amountMsat: 3000 });
      assert.equal(r.status, 201);
      const inv = r.body as Invoice;
      lnd.settle(inv.paymentHash);
      const paid = makeOracle({ keys, difficulty: 1, bid: inv.bid });
      for (const o of [worker, paid]) assert.equal((await post(node, '/oracle', o)).status, 201);
      const order = async () => ((await get(node, '/oracles')).body as { id: string }[]).map((o) => o.id);
      await waitFor(async () => ((await get(node, `/oracles/${keys.publicKey}`)).body as Details).bid.state === 'expired', { timeoutMs: 10_000, message: 'the bid to expire' });
      const details = (await get(node, `/oracles/${keys.publicKey}`)).body as Details;
      conforms(node, 'OracleDetails', details);
      assert.deepEqual([details.rank.verifiedBid, details.placement], [0, null]);
      assert.deepEqual(await order(), [worker.pubkey, keys.publicKey]);
    } finally {
      await node.stop();
    }
  });
});
