/** test/unit/p2p/edge-change.test.ts - the relay's onEdgeChange hook (the pool's `peer:relay`): called once for each real change of a peer's push-tree edge, by a prune or graft sent (a duplicate push, a fetched lazy announcement) or received, never for a repeat that changes nothing. Fake peers, a real MegaService. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Relay } from '../../../src/p2p/relay.ts';
import type { Peer } from '../../../src/p2p/peer.ts';
import { TREE_MIN_CTTL } from '../../../src/p2p/constants.ts';
import { shortId, versionHash } from '../../../src/protocol/ids.ts';
import { makeKeys, makeOracle, newServiceForTest } from '../../helpers/factory.ts';
import { FakePeer, nextTurn } from '../../helpers/fake-peer.ts';
import { waitFor } from '../../helpers/wait.ts';

const silent = pino({ level: 'silent' });
const TREE_CTTL = TREE_MIN_CTTL + 4;

/** A relay over a real service whose edge changes are recorded as [peer id, eager]. */
function recordingRelay(peers: FakePeer[]): { relay: Relay; changes: [number, boolean][]; service: ReturnType<typeof newServiceForTest>['service'] } {
  const { service } = newServiceForTest();
  const changes: [number, boolean][] = [];
  const relay = new Relay({
    service,
    readyPeers: () => peers.filter((p) => p.isReady).map((p) => p.asPeer()),
    log: silent,
    onEdgeChange: (peer: Peer) => changes.push([peer.id, peer.eager]),
  });
  service.on('item:relay', (item) => relay.announce(item));
  return { relay, changes, service };
}

describe('relay: edge changes reported (peer:relay)', () => {
  it('prune and graft received: one report per change, none for a repeat', () => {
    const a = new FakePeer();
    const { relay, changes } = recordingRelay([a]);
    relay.handlePrune(a.asPeer());
    relay.handlePrune(a.asPeer());
    relay.handleGraft(a.asPeer());
    relay.handleGraft(a.asPeer());
    assert.deepEqual(changes, [
      [a.id, false],
      [a.id, true],
    ], 'expected lazy then eager, each reported once');
  });

  it('a duplicate push prunes the edge (reported lazy); the version fetched after its lazy announcement grafts it (reported eager)', async () => {
    const [a, b] = [new FakePeer(), new FakePeer()];
    const { relay, changes, service } = recordingRelay([a, b]);
    const o = makeOracle({ keys: makeKeys(141), cTTL: TREE_CTTL });
    relay.handleEntity(a.asPeer(), 'oracle', o);
    await waitFor(() => b.entities().length === 1, { message: 'b pushed the first copy' });
    relay.handleEntity(b.asPeer(), 'oracle', { ...o, cTTL: TREE_CTTL - 2 }); // b pushes it back, not knowing we had it
    await waitFor(() => b.commands().includes('prune'), { message: 'prune sent to b' });
    assert.deepEqual(changes, [[b.id, false]], 'expected only the pruned edge reported, as lazy');

    // b announces a new version; this node fetches it from the lazy b and grafts the edge.
    const next = makeOracle({ keys: makeKeys(142), cTTL: TREE_CTTL });
    relay.handleInv(b.asPeer(), [shortId(versionHash(next))]);
    assert.deepEqual(b.commands().slice(-1), ['getdata'], 'expected the announced version requested');
    relay.handleEntity(b.asPeer(), 'oracle', { ...next, cTTL: TREE_CTTL - 1 });
    await waitFor(() => b.commands().includes('graft'), { message: 'graft sent to b' });
    await nextTurn();
    assert.deepEqual(changes, [
      [b.id, false],
      [b.id, true],
    ], 'expected the grafted edge reported as eager');
    assert.equal(service.counts().oracles, 2);
  });
});
