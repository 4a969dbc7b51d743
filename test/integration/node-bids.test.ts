// test/integration/node-bids.test.ts - a whole MegaNode configured with lnRestHost/lnMacaroonPath/lnTlsCertPath against the LND double: a POSTed Lightning bid is verified in the background and shown by GET /oracles/{pubkey} and the ranking.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import type { MegaNode } from '../../src/node.ts';
import { sha256Hex } from '../../src/protocol/hash.ts';
import { FakeLnd } from '../helpers/fake-lnd.ts';
import { makeKeys, makeOracle } from '../helpers/factory.ts';
import { waitForValue } from '../helpers/wait.ts';
import { createTestNode } from '../helpers/network.ts';

describe('MegaNode with Lightning bid verification', () => {
  const lnd = new FakeLnd();
  let node: MegaNode;
  let base: string;

  before(async () => {
    await lnd.start();
    const macaroonPath = path.join(lnd.tls.dir, 'readonly.macaroon');
    fs.writeFileSync(macaroonPath, lnd.macaroon);
    node = await createTestNode({ lnRestHost: lnd.restHost, lnMacaroonPath: macaroonPath, lnTlsCertPath: lnd.tls.certPath });
    base = `http://127.0.0.1:${node.httpPort}`;
  });

  after(async () => {
    await node.stop();
    await lnd.stop();
    lnd.cleanup();
  });

  it('verifies a paid bid, shows the amount and ranks the oracle first', async () => {
    const keys = makeKeys(601);
    const hash = sha256Hex('mega-node-bid');
    // Settled a minute ago (the fake reports settle_date = creationDate + 100 s): the bid counts bidLifetimeMs from then.
    const settledAt = Math.floor(Date.now() / 1000) - 60;
    lnd.invoices.set(hash, { memo: `mega ${keys.publicKey}`, valueMsat: 7000n, amtPaidMsat: 7000n, state: 'SETTLED', creationDate: settledAt - 100 });
    const worker = makeOracle({ keys: makeKeys(602), difficulty: 6 });
    const bidder = makeOracle({ keys, difficulty: 1, bid: { amount: 7000, proof: hash, paymentType: 'lightning' } });
    for (const o of [worker, bidder]) {
      const res = await fetch(`${base}/oracle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(o) });
      assert.equal(res.status, 201);
    }
    const details = await waitForValue(async () => {
      const body = (await (await fetch(`${base}/oracles/${keys.publicKey}`)).json()) as { bid: { state: string }; rank: { verifiedBid: number }; oracle: unknown; placement: unknown };
      return body.bid.state === 'pending' ? undefined : body;
    }, { timeoutMs: 5000, message: 'the bid to leave the pending state' });
    const expiresAt = new Date(settledAt * 1000 + node.config.bidLifetimeMs).toISOString();
    assert.deepEqual(details.bid, { state: 'verified', amountMsat: 7000, expiresAt });
    // A hand-made invoice carries no real BOLT11 string: the node id is unknown, the window is the settlement's.
    assert.deepEqual(details.placement, { amountMsat: 7000, lightningNodeId: null, verifiedAt: (details.placement as { verifiedAt: string }).verifiedAt, expiresAt });
    assert.deepEqual(details.rank, { verifiedBid: 7000, difficulty: bidder.pow.difficulty });
    assert.deepEqual(details.oracle, bidder);
    const list = (await (await fetch(`${base}/oracles`)).json()) as { id: string }[];
    assert.deepEqual(list.map((o) => o.id), [keys.publicKey, worker.pubkey]);
  });

  it('refuses a config with lnRestHost but no certificate or macaroon', () => {
    assert.throws(() => parseConfig({ lnRestHost: '127.0.0.1:8080', lnMacaroonPath: '/x' }), /lnRestHost: needs lnMacaroonPath and lnTlsCertPath/);
    assert.throws(() => parseConfig({ lnRestHost: 'no-port' }), /lnRestHost: must be "host:port"/);
  });
});
