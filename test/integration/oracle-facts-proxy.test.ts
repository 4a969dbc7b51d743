// test/integration/oracle-facts-proxy.test.ts - a node's fact proxy (POST /fact-requests, PROTOCOL 10.7) against the oracle's real fact server (PROTOCOL 10.8): a free fact, a refusal passed on, the 402 passed through unchanged, and the paid fact after the fake LND settles the invoice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { LndClient } from '../../src/lightning/lnd.ts';
import { KeyFileSigner } from '../../src/oracle/signer.ts';
import { startFactServer, type FactServer } from '../../src/oracle-facts/fact-server.ts';
import { makeCapability, makeKeys, makeOracle } from '../helpers/factory.ts';
import { FakeLnd } from '../helpers/fake-lnd.ts';
import { createTestNode, post } from '../helpers/network.ts';
import { assertFactVerifies, silentLog } from '../unit/oracle-facts/_helpers.ts';

describe('node fact proxy against the oracle fact server', () => {
  let node: MegaNode;
  let server: FactServer;
  const lnd = new FakeLnd();
  let client: LndClient;
  const oracleKeys = makeKeys(1);
  const freeKeys = makeKeys(2);
  const paidKeys = makeKeys(3);
  before(async () => {
    await lnd.start();
    client = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: 2000 });
    node = await createTestNode();
    const entry = (k: typeof freeKeys, priceMsat?: bigint) => ({ signer: KeyFileSigner.fromHex(k.privateKey), params: [{ name: 'd', values: [] }], priceMsat, resolve: async () => 'yes' });
    server = await startFactServer({ host: '127.0.0.1', port: 0, capabilities: new Map([[freeKeys.publicKey, entry(freeKeys)], [paidKeys.publicKey, entry(paidKeys, 1000n)]]), limits: { maxBodyBytes: 16384, ratePerMinutePerClient: 0, maxConcurrent: 4, resolveTimeoutMs: 1000 }, payment: { lnd: client, invoiceExpirySeconds: 600 }, log: silentLog });
    assert.equal((await post(node, '/oracle', makeOracle({ keys: oracleKeys }))).status, 201);
    for (const k of [freeKeys, paidKeys]) assert.equal((await post(node, '/capability', makeCapability({ oracleKeys, capKeys: k, question: 'q {d}', params: [{ name: 'd', values: [] }], endpoint: server.url, lightningNodeId: lnd.nodeId }))).status, 201);
  });
  after(async () => {
    await server.close();
    await node.stop();
    client.close();
    await lnd.stop();
    lnd.cleanup();
  });
  it('free through the node', async () => {
    const request = { capabilityPubKey: freeKeys.publicKey, arguments: { d: '1' } };
    const r = await post(node, '/fact-requests', { oraclePubKey: oracleKeys.publicKey, request });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assertFactVerifies((r.body as { fact: unknown }).fact, request, 'yes');
    const bad = await post(node, '/fact-requests', { oraclePubKey: oracleKeys.publicKey, request: { capabilityPubKey: freeKeys.publicKey, arguments: { x: '1' } } });
    console.log('refused through node:', bad.status, JSON.stringify(bad.body));
  });
  it('paid through the node', async () => {
    const request = { capabilityPubKey: paidKeys.publicKey, arguments: { d: '2' } };
    const r = await post(node, '/fact-requests', { oraclePubKey: oracleKeys.publicKey, request });
    console.log('402 through node:', r.status, JSON.stringify(r.body));
    assert.equal(r.status, 402);
    const hash = (r.body as { paymentHash: string }).paymentHash;
    const pending = await post(node, '/fact-requests', { oraclePubKey: oracleKeys.publicKey, request, paymentHash: hash });
    console.log('pending through node:', pending.status, JSON.stringify(pending.body).slice(0, 200));
    lnd.settle(hash);
    const paid = await post(node, '/fact-requests', { oraclePubKey: oracleKeys.publicKey, request, paymentHash: hash });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assertFactVerifies((paid.body as { fact: unknown }).fact, request, 'yes');
  });
});
