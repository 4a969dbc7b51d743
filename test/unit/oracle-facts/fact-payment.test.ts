// test/unit/oracle-facts/fact-payment.test.ts - paid facts against the fake LND (LND's real REST API, real signed regtest BOLT11 invoices): 402 with an invoice committed to the request → settle → 200; pending, underpaid, another request with a paid hash, unknown and canceled payments; LND down or hung → 503, never 500.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import bolt11 from 'bolt11';
import { LndClient } from '../../../src/lightning/lnd.ts';
import { KeyFileSigner } from '../../../src/oracle/signer.ts';
import { startFactServer, type FactServer } from '../../../src/oracle-facts/fact-server.ts';
import type { CapabilityEntry } from '../../../src/oracle-facts/fact-desk.ts';
import { requestCommitment } from '../../../src/protocol/payment.ts';
import type { FactRequest } from '../../../src/protocol/types.ts';
import { makeKeys } from '../../helpers/factory.ts';
import { FakeLnd } from '../../helpers/fake-lnd.ts';
import { assertFactVerifies, codeOf, post, silentLog } from './_helpers.ts';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0] };
const PRICE = 2500n;
const paidKeys = makeKeys(51);
const freeKeys = makeKeys(52);
const LIMITS = { maxBodyBytes: 8192, ratePerMinutePerClient: 0, maxConcurrent: 8, resolveTimeoutMs: 2000 };

const req = (day: string, capabilityPubKey = paidKeys.publicKey): FactRequest => ({ capabilityPubKey, arguments: { day } });

describe('fact endpoint with Lightning payment (fake LND)', () => {
  const lnd = new FakeLnd();
  let client: LndClient;
  const servers: FactServer[] = [];
  let sourceCalls = 0;
  const entry = (keys: typeof paidKeys, priceMsat?: bigint): CapabilityEntry => ({
    signer: KeyFileSigner.fromHex(keys.privateKey),
    params: [{ name: 'day', values: [] }],
    priceMsat,
    resolve: async (r) => {
      sourceCalls += 1;
      return `sunny on ${r.arguments.day}`;
    },
  });
  const start = async (lndClient: LndClient = client): Promise<string> => {
    const s = await startFactServer({
      host: '127.0.0.1',
      port: 0,
      capabilities: new Map([
        [paidKeys.publicKey, entry(paidKeys, PRICE)],
        [freeKeys.publicKey, entry(freeKeys)],
      ]),
      limits: LIMITS,
      payment: { lnd: lndClient, invoiceExpirySeconds: 600 },
      log: silentLog,
    });
    servers.push(s);
    return `${s.url}/facts`;
  };

  before(async () => {
    await lnd.start();
    client = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: 2000 });
  });
  afterEach(async () => {
    lnd.hang = false;
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  after(async () => {
    client.close();
    await lnd.stop();
    lnd.cleanup();
  });

  it('402 with an invoice signed by the LND node committing to the request → pending → settled → 200 with a fact that verifies', async () => {
    const url = await start();
    const r = req('2026-12-24');
    const calls0 = sourceCalls;
    const first = await post(url, { request: r });
    assert.equal(first.status, 402, `expected 402, got ${first.status} ${first.text}`);
    assert.equal(first.body.code, 'payment-required');
    const invoice = first.body.invoice as string;
    const paymentHash = first.body.paymentHash as string;
    const d = bolt11.decode(invoice, REGTEST);
    assert.equal(d.payeeNodeKey, lnd.nodeId, "the invoice must be signed by the oracle's LND node (the capability's lightningNodeId)");
    assert.equal(d.tagsObject.purpose_commit_hash, requestCommitment(r), 'the description hash must be SHA-256 of the canonical request (PROTOCOL 8.3)');
    assert.equal(d.tagsObject.payment_hash, paymentHash, 'paymentHash must be the invoice payment hash');
    assert.equal(d.millisatoshis, PRICE.toString(), 'the invoice asks the capability price');
    assert.equal(first.body.amountMsat, PRICE.toString());
    const expiresAt = first.body.expiresAt as number;
    assert.ok(Number.isSafeInteger(expiresAt) && expiresAt > Date.now() / 1000 && expiresAt <= Date.now() / 1000 + 601, `expiresAt must be unix seconds within the invoice expiry, got ${expiresAt}`);
    assert.equal(sourceCalls, calls0, 'an unpaid request must not reach the data source');

    const pending = await post(url, { request: r, paymentHash });
    assert.deepEqual([pending.status, pending.body.code, pending.body.paymentHash], [402, 'payment-pending', paymentHash], `expected 402 payment-pending, got ${pending.text}`);

    lnd.settle(paymentHash);
    const paid = await post(url, { request: r, paymentHash });
    assert.equal(paid.status, 200, `expected 200 once settled, got ${paid.status} ${paid.text}`);
    assertFactVerifies(paid.body.fact, r, 'sunny on 2026-12-24');

    // Fetched again with the same payment: served from memory, no LND lookup and no new invoice.
    const lookups = lnd.requests.length;
    const again = await post(url, { request: r, invoice });
    assert.equal(again.status, 200, `a paid request may be fetched again (by invoice), got ${again.text}`);
    assert.deepEqual(again.body.fact, paid.body.fact, 'the same fact again');
    assert.equal(lnd.requests.length, lookups, 'a remembered payment needs no LND call');
  });

  it('a paid hash never buys another request: 400 payment-request-mismatch, also after a restart (checked with LND)', async () => {
    const url = await start();
    const r = req('2027-01-01');
    const first = await post(url, { request: r });
    const paymentHash = first.body.paymentHash as string;
    lnd.settle(paymentHash);
    assert.equal((await post(url, { request: r, paymentHash })).status, 200);
    const other = await post(url, { request: req('2027-01-02'), paymentHash });
    assert.deepEqual([other.status, codeOf(other)], [400, 'payment-request-mismatch'], `expected the paid hash refused for another request, got ${other.text}`);
    // A fresh server remembers nothing: LND's description hash decides.
    const fresh = await start();
    const other2 = await post(fresh, { request: req('2027-01-02'), paymentHash });
    assert.deepEqual([other2.status, codeOf(other2)], [400, 'payment-request-mismatch'], 'the description hash recorded by LND must refuse it too');
    const same = await post(fresh, { request: r, paymentHash });
    assert.equal(same.status, 200, 'the request it paid for is still served by a fresh server');
  });

  it('underpaid: 402 payment-insufficient with a new invoice; invoice and hash that disagree, unknown and canceled payments are 400', async () => {
    const url = await start();
    const r = req('2027-02-01');
    const first = await post(url, { request: r });
    const paymentHash = first.body.paymentHash as string;
    lnd.settle(paymentHash, PRICE - 1n);
    const under = await post(url, { request: r, paymentHash });
    assert.equal(under.status, 402, `expected 402 for an underpaid invoice, got ${under.text}`);
    assert.equal(under.body.code, 'payment-insufficient');
    assert.notEqual(under.body.paymentHash, paymentHash, 'a new invoice is offered');

    const mixed = await post(url, { request: r, paymentHash: 'ab'.repeat(32), invoice: first.body.invoice });
    assert.deepEqual([mixed.status, codeOf(mixed)], [400, 'invalid-invoice']);
    const unknown = await post(url, { request: r, paymentHash: 'cd'.repeat(32) });
    assert.deepEqual([unknown.status, codeOf(unknown)], [400, 'payment-unknown']);

    const third = await post(url, { request: req('2027-02-02') });
    (lnd.invoices.get(third.body.paymentHash as string) as { state: string }).state = 'CANCELED';
    const canceled = await post(url, { request: req('2027-02-02'), paymentHash: third.body.paymentHash });
    assert.deepEqual([canceled.status, codeOf(canceled)], [400, 'payment-canceled']);
  });

  it('a free capability is served without LND even when payment is configured', async () => {
    const url = await start();
    const calls = lnd.addInvoiceCalls;
    const a = await post(url, { request: req('2027-03-01', freeKeys.publicKey) });
    assert.equal(a.status, 200, a.text);
    assertFactVerifies(a.body.fact, req('2027-03-01', freeKeys.publicKey), 'sunny on 2027-03-01');
    assert.equal(lnd.addInvoiceCalls, calls, 'no invoice for a free capability');
  });

  it('LND hung or down: 503 payment-unavailable with Retry-After, never 500', async () => {
    const hungClient = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: 200 });
    const url = await start(hungClient);
    lnd.hang = true;
    const hung = await post(url, { request: req('2027-04-01') });
    assert.deepEqual([hung.status, codeOf(hung), hung.headers.get('retry-after')], [503, 'payment-unavailable', '5'], `expected 503 while LND hangs, got ${hung.text}`);
    const hungCheck = await post(url, { request: req('2027-04-01'), paymentHash: 'ef'.repeat(32) });
    assert.deepEqual([hungCheck.status, codeOf(hungCheck)], [503, 'payment-unavailable']);
    lnd.hang = false;
    hungClient.close();

    const gone = new FakeLnd();
    await gone.start();
    const goneClient = new LndClient({ restHost: gone.restHost, macaroon: gone.macaroon, tlsCert: gone.tls.cert, timeoutMs: 2000 });
    await gone.stop();
    gone.cleanup();
    const url2 = await start(goneClient);
    const down = await post(url2, { request: req('2027-04-02') });
    assert.deepEqual([down.status, codeOf(down)], [503, 'payment-unavailable'], `expected 503 with LND down, got ${down.text}`);
    goneClient.close();
  });
});
