// test/integration/offer-relay.test.ts - real nodes on loopback: an offer posted on node A is listed on node B (relay) with its oracle's standing; a node that joins later gets it (sync); a cancel (higher seqNo) replaces it on every node; B restarts from its data dir and still holds it; the per-maker limit answers 422 over REST; an offer that arrives before its announcement waits as an orphan; the expiry sweep runs on the node's timer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MegaNode } from '../../src/node.ts';
import { offerId } from '../../src/protocol/offer.ts';
import { connect, createTestNode, get, post, RawPeer, stopAll, waitFor } from '../helpers/network.ts';
import { makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys, reissue } from '../helpers/offer.ts';

interface Listed {
  id: string;
  offer: { status: string; seqNo: number };
  oraclePubKey: string;
  standing: { conflicted: boolean; proofs: number };
  maturityEpoch: number;
}

describe('offers across real nodes', () => {
  let a: MegaNode;
  let b: MegaNode;
  let c: MegaNode | undefined;
  let dataDir: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-offer-relay-'));
    a = await createTestNode({ targetOutbound: 0, offersPerMaker: 2 }, 'offer-a');
    b = await createTestNode({ targetOutbound: 0, dataDir, journalFsyncIntervalMs: 0 }, 'offer-b');
    await connect(a, b);
  });
  after(async () => {
    await stopAll([a, b, c]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('relays, syncs to a joiner, replaces on cancel everywhere, survives a restart, and enforces the per-maker limit', async () => {
    const o = makeDlcOracle(61);
    const nowS = Math.floor(Date.now() / 1000);
    const ev = makeDlcEvent(o, { maturityEpoch: nowS + 10 * 24 * 3600 });
    assert.equal((await post(a, '/oracle', o.oracle)).status, 201, 'expected the oracle ad accepted on a');
    assert.equal((await post(a, '/capability', o.capability)).status, 201, 'expected the dlc capability accepted on a');
    assert.equal((await post(a, '/announcement', ev.entity)).status, 201, 'expected the announcement accepted on a');
    const maker = makerKeys(61);
    const offer = makeOffer(maker, enumTerms(ev, nowS));
    const id = offerId(offer);
    assert.deepEqual(await post(a, '/offer', offer), { status: 201, body: { result: 'accepted', id } }, 'expected the offer accepted on a under its id');

    // Relay: b lists it, with the oracle's standing and the event's maturity.
    await waitFor(() => b.service.getOffer(id) !== undefined, { message: 'the offer relayed to b' });
    const listed = (await get(b, `/offers?announcement=${ev.id}`)).body as Listed[];
    assert.deepEqual(
      listed.map((x) => [x.id, x.offer.status, x.oraclePubKey, x.standing.conflicted, x.standing.proofs, x.maturityEpoch]),
      [[id, 'open', o.oracleKeys.publicKey, false, 0, ev.ann.event.maturityEpoch]],
      'expected b to list the open offer with its oracle, standing and maturity',
    );
    const one = await get(b, `/offers/${id}`);
    assert.equal(one.status, 200, 'expected GET /offers/{id} on b');
    assert.deepEqual((await get(b, `/offers/${'0'.repeat(64)}`)).status, 404, 'expected 404 for an unknown offer id');
    assert.equal(((await get(b, `/offers/${'0'.repeat(64)}`)).body as { error: { code: string } }).error.code, 'not-found', 'expected the machine code not-found');

    // Sync: c joins later and gets the offer (after its announcement) from b's inventory.
    c = await createTestNode({ targetOutbound: 0 }, 'offer-c');
    await connect(c, b);
    await waitFor(() => c?.service.getOffer(id) !== undefined, { message: 'the offer synced to the joining node c' });

    // Cancel on c: a higher seqNo replaces it on every node.
    const cancel = reissue(offer, maker, 'cancelled');
    assert.equal((await post(c, '/offer', cancel)).status, 201, 'expected the cancel accepted on c');
    await waitFor(() => [a, b, c].every((n) => n?.service.getOffer(id)?.msg.status === 'cancelled'), { message: 'the cancel on every node' });
    for (const n of [a, b, c]) {
      assert.deepEqual((await get(n as MegaNode, `/offers?announcement=${ev.id}`)).body, [], `expected no open offer on :${n?.httpPort}`);
      const cancelled = (await get(n as MegaNode, '/offers?status=cancelled')).body as Listed[];
      assert.deepEqual(cancelled.map((x) => [x.id, x.offer.seqNo]), [[id, 1]], `expected the cancelled version on :${n?.httpPort}`);
    }
    assert.equal((await post(a, '/offer', offer)).status, 200, 'expected the old open version a duplicate (stale) on a');

    // Restart: b comes back from its data dir with the cancelled version.
    await b.stop();
    b = await createTestNode({ targetOutbound: 0, dataDir, journalFsyncIntervalMs: 0 }, 'offer-b2');
    assert.deepEqual([b.service.getOffer(id)?.msg.status, b.service.getOffer(id)?.msg.seqNo], ['cancelled', 1], 'expected b to restore the cancelled version from disk');

    // Per-maker limit on a (offersPerMaker 2): the third open offer of one maker is refused with its code.
    const more = [1, 2, 3].map((i) => makeOffer(maker, enumTerms(ev, nowS, { takerCollateral: 40000 + i, makerCollateral: 60000 - i })));
    assert.equal((await post(a, '/offer', more[0])).status, 201);
    assert.equal((await post(a, '/offer', more[1])).status, 201);
    const third = await post(a, '/offer', more[2]);
    assert.deepEqual([third.status, (third.body as { error: { code: string } }).error.code], [422, 'offer-maker-limit'], 'expected the third open offer refused with offer-maker-limit');
  });

  it('an offer from a peer that arrives before its announcement waits as an orphan and is admitted when the announcement arrives', async () => {
    const n = await createTestNode({ targetOutbound: 0 }, 'offer-orphan');
    let raw: RawPeer | undefined;
    try {
      const o = makeDlcOracle(63);
      const nowS = Math.floor(Date.now() / 1000);
      const ev = makeDlcEvent(o, { maturityEpoch: nowS + 5 * 24 * 3600 });
      const offer = makeOffer(makerKeys(63), enumTerms(ev, nowS));
      const id = offerId(offer);
      assert.equal((await post(n, '/oracle', o.oracle)).status, 201);
      assert.equal((await post(n, '/capability', o.capability)).status, 201);
      // (Not posted over REST first: a refusal is remembered per version for a while, and a copy answered from that memory is not kept as an orphan.)
      let orphaned = 0;
      n.service.on('admission', (r, source) => {
        if (r.kind === 'offer' && r.status === 'rejected' && r.reason === 'announcement-not-found' && source !== undefined && !source.startsWith('http')) orphaned++;
      });
      // Connect only now: the test node times out a handshake after 1 s.
      raw = await RawPeer.connect(n.p2pPort, { localAddress: '127.0.0.63' });
      raw.autoPong = true;
      await raw.handshake();
      raw.send('offer', offer);
      await waitFor(() => orphaned === 1, { message: 'the peer offer refused for its missing announcement (kept as an orphan)' });
      assert.equal(n.service.getOffer(id), undefined, 'expected the offer not stored before its announcement');
      assert.equal((await post(n, '/announcement', ev.entity)).status, 201, 'expected the announcement accepted');
      await waitFor(() => n.service.getOffer(id) !== undefined, { message: 'the orphaned offer admitted once its announcement arrived' });
      assert.equal(raw.closed, false, 'expected the peer not banned for an offer whose announcement was missing');
    } finally {
      raw?.destroy();
      await n.stop();
    }
  });

  it('the node sweep timer drops an offer when its expiresAt passes', async () => {
    const n = await createTestNode({ targetOutbound: 0, announcementSweepIntervalMs: 1000 }, 'offer-sweep');
    try {
      const o = makeDlcOracle(65);
      const nowS = Math.floor(Date.now() / 1000);
      const ev = makeDlcEvent(o, { maturityEpoch: nowS + 24 * 3600 });
      for (const [p, body] of [['/oracle', o.oracle], ['/capability', o.capability], ['/announcement', ev.entity]] as const) assert.equal((await post(n, p, body)).status, 201, p);
      const expiresAt = Math.floor(Date.now() / 1000) + 3;
      const offer = makeOffer(makerKeys(65), enumTerms(ev, nowS, { expiresAt }));
      assert.equal((await post(n, '/offer', offer)).status, 201, 'expected the short-lived offer accepted');
      await waitFor(() => n.service.getOffer(offerId(offer)) === undefined, { timeoutMs: 15_000, message: 'the expired offer swept by the node timer' });
      assert.deepEqual((await get(n, '/offers')).body, [], 'expected the listing empty after the sweep');
    } finally {
      await n.stop();
    }
  });
});
