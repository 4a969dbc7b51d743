/** test/unit/p2p/relay-tree.test.ts - p2p/relay.ts eager and lazy push (docs/PROTOCOL.md 11.7, Plumtree) without sockets: a duplicate push prunes the edge, LAZY_FANOUT random lazy peers hear of the versions of a round in one inv each after LAZY_MIN_AGE_MS, a version fetched after a lazy announcement grafts the edge, and a slow peer is announced to instead of pushed to. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Relay } from '../../../src/p2p/relay.ts';
import { LAZY_FANOUT, LAZY_MIN_AGE_MS, PUSH_HIGH_WATER_BYTES, TREE_MIN_CTTL } from '../../../src/p2p/constants.ts';
import { shortId, versionHash } from '../../../src/protocol/ids.ts';
import type { OracleId } from '../../../src/protocol/types.ts';
import type { MegaService } from '../../../src/service/service.ts';
import { pino } from 'pino';
import { makeKeys, makeOracle, newServiceForTest } from '../../helpers/factory.ts';
import { FakePeer, nextTurn } from '../../helpers/fake-peer.ts';
import { waitFor } from '../../helpers/wait.ts';

const silent = pino({ level: 'silent' });
/** A hop budget the tree relays (TREE_MIN_CTTL and above; every copy pushed is one lower). */
const TREE_CTTL = TREE_MIN_CTTL + 4;
const vidOf = (msg: object): string => shortId(versionHash(msg));

/** A relay over `service` with a clock the test moves (`clock.t`), wired to item:relay like node.ts. */
function treeRelay(service: MegaService, peers: FakePeer[], random?: () => number): { relay: Relay; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const relay = new Relay({ service, readyPeers: () => peers.filter((p) => p.isReady).map((p) => p.asPeer()), log: silent, now: () => clock.t, random });
  service.on('item:relay', (item) => relay.announce(item));
  return { relay, clock };
}

/** Store an oracle ad through the REST door and wait for the relay's next turn (pushes are flushed on setImmediate). */
async function storeOne(service: MegaService, seed: number): Promise<OracleId> {
  const o = makeOracle({ keys: makeKeys(seed), cTTL: TREE_CTTL });
  assert.equal((await service.admit('oracle', o)).status, 'accepted', `expected oracle ${seed} stored`);
  await nextTurn();
  return o;
}

describe('relay tree: prune', () => {
  it('a pushed copy of a version already here prunes the edge: prune is sent once and the peer gets inv, not pushes, from then on', async () => {
    const { service } = newServiceForTest();
    const [a, b] = [new FakePeer(), new FakePeer()];
    const { relay } = treeRelay(service, [a, b]);
    const o = makeOracle({ keys: makeKeys(41), cTTL: TREE_CTTL });
    relay.handleEntity(a.asPeer(), 'oracle', o);
    await waitFor(() => b.entities().length === 1, { message: 'b pushed the first copy' });
    relay.handleEntity(b.asPeer(), 'oracle', { ...o, cTTL: TREE_CTTL - 2 }); // b pushes it back, not knowing we had it
    await nextTurn();
    assert.deepEqual(b.commands().filter((c) => c === 'prune'), ['prune'], 'expected one prune to the peer whose push was a duplicate');
    assert.equal(b.eager, false, 'expected b lazy');
    assert.equal(a.eager, true, 'expected a, whose copy was new, still eager');
    assert.equal(relay.stats.prunesSent, 1);
    relay.handleEntity(b.asPeer(), 'oracle', { ...o, cTTL: TREE_CTTL - 3 });
    await nextTurn();
    assert.equal(b.commands().filter((c) => c === 'prune').length, 1, 'expected no second prune to a lazy peer');
    const next = await storeOne(service, 42);
    assert.deepEqual(a.entities().map((e) => (e as OracleId).pubkey), [next.pubkey], 'expected the eager peer pushed the next version');
    assert.equal(b.entities().length, 1, 'expected nothing more pushed to the pruned peer');
  });

  it('a duplicate this node asked for (a getdata answer) prunes nothing', async () => {
    const { service } = newServiceForTest();
    const [a, b] = [new FakePeer(), new FakePeer()];
    const { relay } = treeRelay(service, [a, b]);
    const o = makeOracle({ keys: makeKeys(43), cTTL: TREE_CTTL });
    relay.handleInv(b.asPeer(), [vidOf(o)]);
    assert.deepEqual(b.itemsOf('getdata'), [vidOf(o)], 'expected the version asked of b');
    relay.handleEntity(a.asPeer(), 'oracle', o); // a pushes it first
    await nextTurn();
    relay.handleEntity(b.asPeer(), 'oracle', o); // then b's answer comes
    await nextTurn();
    assert.equal(b.eager, true, 'expected b still eager: its copy was asked for');
    assert.deepEqual(b.commands().filter((c) => c === 'prune'), [], 'expected no prune for an answer to our own getdata');
  });

  it('prune and graft from a peer switch what it is sent', async () => {
    const { service } = newServiceForTest();
    const [a] = [new FakePeer()];
    const { relay } = treeRelay(service, [a]);
    relay.handlePrune(a.asPeer());
    assert.equal(a.eager, false, 'expected a peer that sent prune to be lazy');
    await storeOne(service, 44);
    assert.equal(a.entities().length, 0, 'expected no push to a peer that pruned');
    relay.handleGraft(a.asPeer());
    assert.equal(a.eager, true, 'expected a peer that sent graft to be eager');
    const o = await storeOne(service, 45);
    assert.deepEqual(a.entities().map((e) => (e as OracleId).pubkey), [o.pubkey], 'expected pushes again after graft');
    assert.deepEqual([relay.stats.prunesReceived, relay.stats.graftsReceived], [1, 1]);
  });
});

describe('relay tree: lazy announcements', () => {
  it('each round tells LAZY_FANOUT lazy peers, in one inv each, of every version that came of age since the last round, less what each is known to have', async () => {
    const { service } = newServiceForTest();
    const [lazy, knows] = [new FakePeer(), new FakePeer()];
    const { relay, clock } = treeRelay(service, [lazy, knows]);
    assert.equal(LAZY_FANOUT >= 2, true, 'this test has two lazy peers and expects both told');
    relay.handlePrune(lazy.asPeer());
    relay.handlePrune(knows.asPeer());
    const o1 = await storeOne(service, 46);
    clock.t += 100;
    const o2 = await storeOne(service, 47);
    relay.handleInv(knows.asPeer(), [vidOf(o1)]); // `knows` announced o1: it has it
    clock.t += LAZY_MIN_AGE_MS;
    const o3 = await storeOne(service, 48); // too young for this round
    relay.lazyRound();
    assert.deepEqual(lazy.itemsOf('inv'), [vidOf(o1), vidOf(o2)], 'expected both versions of age in one inv, in storing order');
    assert.equal(lazy.commands().filter((c) => c === 'inv').length, 1, 'expected one inv message');
    assert.deepEqual(knows.itemsOf('inv'), [vidOf(o2)], 'expected only the version the peer is not known to have');
    relay.lazyRound();
    assert.equal(lazy.itemsOf('inv').length, 2, 'expected nothing new before o3 comes of age');
    clock.t += LAZY_MIN_AGE_MS;
    relay.lazyRound();
    assert.deepEqual(lazy.itemsOf('inv'), [vidOf(o1), vidOf(o2), vidOf(o3)], 'expected o3 in the round after it came of age');
    clock.t += 10 * LAZY_MIN_AGE_MS;
    relay.lazyRound();
    assert.equal(lazy.itemsOf('inv').length, 3, 'expected each version announced once');
    assert.deepEqual(knows.itemsOf('inv'), [vidOf(o2), vidOf(o3)], 'expected the other lazy peer told of o2 and o3 only');
    assert.equal(relay.stats.lazyInvSent, 4, 'expected four lazy inv messages in all (two per peer)');
  });

  it('with more lazy peers than LAZY_FANOUT, a round tells exactly LAZY_FANOUT of them, chosen by the random source', async () => {
    const { service } = newServiceForTest();
    const peers = Array.from({ length: LAZY_FANOUT + 3 }, () => new FakePeer());
    const draws = [0.99, 0.5, 0, 0.25];
    let d = 0;
    const { relay, clock } = treeRelay(service, peers, () => draws[d++ % draws.length] as number);
    for (const p of peers) relay.handlePrune(p.asPeer());
    const o = await storeOne(service, 49);
    clock.t += LAZY_MIN_AGE_MS;
    relay.lazyRound();
    const told = peers.filter((p) => p.itemsOf('inv').includes(vidOf(o)));
    assert.equal(told.length, LAZY_FANOUT, `expected ${LAZY_FANOUT} lazy peers told of the version, got ${told.length}`);
    assert.equal(told.includes(peers[peers.length - 1] as FakePeer), true, 'expected the first draw (0.99) to pick the last lazy peer');
  });

  it('a version younger than LAZY_MIN_AGE_MS waits for a later round', async () => {
    const { service } = newServiceForTest();
    const [lazy] = [new FakePeer()];
    const { relay, clock } = treeRelay(service, [lazy]);
    relay.handlePrune(lazy.asPeer());
    const o = await storeOne(service, 49);
    clock.t += LAZY_MIN_AGE_MS - 1;
    relay.lazyRound();
    assert.deepEqual(lazy.itemsOf('inv'), [], 'expected a version stored less than LAZY_MIN_AGE_MS ago held back (the tree may still deliver it)');
    clock.t += 1;
    relay.lazyRound();
    assert.deepEqual(lazy.itemsOf('inv'), [vidOf(o)]);
  });

  it('nothing is logged for lazy rounds while every peer is eager', async () => {
    const { service } = newServiceForTest();
    const [a] = [new FakePeer()];
    const { relay, clock } = treeRelay(service, [a]);
    await storeOne(service, 50);
    relay.handlePrune(a.asPeer()); // lazy only after the version was pushed to it
    clock.t += 10 * LAZY_MIN_AGE_MS;
    relay.lazyRound();
    assert.deepEqual(a.itemsOf('inv'), [], 'expected no lazy inv of a version the peer was pushed');
  });

  it('a version fetched after a lazy peer announced it grafts the edge; one fetched from an eager peer does not', async () => {
    const { service } = newServiceForTest();
    const [lazy, eager] = [new FakePeer(), new FakePeer()];
    const { relay } = treeRelay(service, [lazy, eager]);
    relay.handlePrune(lazy.asPeer());
    const o1 = makeOracle({ keys: makeKeys(51), cTTL: TREE_CTTL });
    const o2 = makeOracle({ keys: makeKeys(52), cTTL: TREE_CTTL });
    relay.handleInv(eager.asPeer(), [vidOf(o1)]);
    relay.handleEntity(eager.asPeer(), 'oracle', o1);
    relay.handleInv(lazy.asPeer(), [vidOf(o2)]);
    assert.deepEqual(lazy.itemsOf('getdata'), [vidOf(o2)], 'expected the unknown version fetched from the lazy announcer');
    relay.handleEntity(lazy.asPeer(), 'oracle', o2);
    await waitFor(() => service.getItemByShortId(vidOf(o2)) !== undefined, { message: 'o2 stored' });
    assert.deepEqual(lazy.commands().filter((c) => c === 'graft'), ['graft'], 'expected graft to the lazy peer whose announcement brought a new version');
    assert.equal(lazy.eager, true, 'expected the grafted peer eager');
    assert.deepEqual(eager.commands().filter((c) => c === 'graft'), [], 'expected no graft to a peer that was eager');
    assert.equal(relay.stats.graftsSent, 1);
  });
});

describe('relay tree: the hop budget', () => {
  it(`a version held below TREE_MIN_CTTL is announced by inv to every peer, eager or lazy, not pushed`, async () => {
    const { service } = newServiceForTest();
    const [eager, lazy] = [new FakePeer(), new FakePeer()];
    const { relay } = treeRelay(service, [eager, lazy]);
    relay.handlePrune(lazy.asPeer());
    const o = makeOracle({ keys: makeKeys(54), cTTL: TREE_MIN_CTTL - 1 });
    assert.equal((await service.admit('oracle', o)).status, 'accepted');
    await nextTurn();
    assert.deepEqual(eager.entities(), [], 'expected no push of a version whose hop budget is below the tree minimum');
    assert.deepEqual(eager.itemsOf('inv'), [vidOf(o)], 'expected the eager peer announced it at once');
    assert.deepEqual(lazy.itemsOf('inv'), [vidOf(o)], 'expected the lazy peer announced it at once too (flooding reaches every node within cTTL hops)');
    const held = makeOracle({ keys: makeKeys(55), cTTL: TREE_MIN_CTTL });
    assert.equal((await service.admit('oracle', held)).status, 'accepted');
    await nextTurn();
    assert.deepEqual(eager.entities(), [{ ...held, cTTL: TREE_MIN_CTTL - 1 }], 'expected a version held at TREE_MIN_CTTL pushed, one hop lower');
  });

  it('a version below the tree minimum fetched from a lazy peer grafts nothing (it was announced to every peer)', async () => {
    const { service } = newServiceForTest();
    const [lazy] = [new FakePeer()];
    const { relay } = treeRelay(service, [lazy]);
    relay.handlePrune(lazy.asPeer());
    const o = makeOracle({ keys: makeKeys(56), cTTL: TREE_MIN_CTTL - 1 }); // the sender held it at TREE_MIN_CTTL - 1: flooded
    relay.handleInv(lazy.asPeer(), [vidOf(o)]);
    relay.handleEntity(lazy.asPeer(), 'oracle', { ...o, cTTL: TREE_MIN_CTTL - 2 });
    await waitFor(() => service.getItemByShortId(vidOf(o)) !== undefined, { message: 'stored' });
    assert.deepEqual(lazy.commands().filter((c) => c === 'graft'), [], 'expected no graft for a flooded version');
    assert.equal(lazy.eager, false);
  });
});

describe('relay tree: back-pressure', () => {
  it('a peer with PUSH_HIGH_WATER_BYTES unsent is announced the version instead of pushed it', async () => {
    const { service } = newServiceForTest();
    const [slow, fast] = [new FakePeer(), new FakePeer()];
    treeRelay(service, [slow, fast]);
    slow.sendBacklog = PUSH_HIGH_WATER_BYTES;
    const o = await storeOne(service, 53);
    await nextTurn();
    assert.deepEqual(slow.entities(), [], 'expected no push to a peer that is slow to read');
    assert.deepEqual(slow.itemsOf('inv'), [vidOf(o)], 'expected an inv instead, so it fetches at its own pace');
    assert.equal(fast.entities().length, 1, 'expected the other peer pushed');
  });
});
