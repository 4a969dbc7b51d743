/** test/unit/p2p/relay.test.ts - p2p/relay.ts without sockets: fake peers (test/helpers/fake-peer.ts) and a real MegaService; inv asks only for unknown versions, alternates are asked on notfound and disconnect, getdata is served in order and paced by the peer's send backlog, cTTL drops one hop when served, and known inventory is never echoed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Relay } from '../../../src/p2p/relay.ts';
import { GETDATA_HIGH_WATER_BYTES } from '../../../src/p2p/constants.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { shortId, versionHash } from '../../../src/protocol/ids.ts';
import type { OracleCapability, OracleId } from '../../../src/protocol/types.ts';
import type { SignatureWork } from '../../../src/protocol/keys.ts';
import type { VerifyPool } from '../../../src/protocol/verify-pool.ts';
import type { MegaService } from '../../../src/service/service.ts';
import { pino } from 'pino';
import { makeCapability, makeKeys, makeOracle, newServiceForTest } from '../../helpers/factory.ts';
import { FakePeer, nextTurn } from '../../helpers/fake-peer.ts';
import { waitFor } from '../../helpers/wait.ts';

const silent = pino({ level: 'silent' });

/** A relay over `service` whose ready peers are `peers` (wired to the service's item:relay like node.ts does). */
function relayOver(service: MegaService, peers: FakePeer[]): Relay {
  const relay = new Relay({ service, readyPeers: () => peers.filter((p) => p.isReady).map((p) => p.asPeer()), log: silent });
  service.on('item:relay', (item) => relay.announce(item));
  return relay;
}

/** The short version id of an entity (what inv/getdata carry). */
const vidOf = (msg: object): string => shortId(versionHash(msg));

/** Count the entities that reach the service's one admission door (`admit` for REST, `offer` for the relay) from now on. */
function countAdmissions(service: MegaService): { n: number } {
  const count = { n: 0 };
  const admit = service.admit.bind(service);
  service.admit = ((...args: Parameters<MegaService['admit']>) => {
    count.n++;
    return admit(...args);
  }) as MegaService['admit'];
  const offer = service.offer.bind(service);
  service.offer = ((...args: Parameters<MegaService['offer']>) => {
    count.n++;
    offer(...args);
  }) as MegaService['offer'];
  return count;
}

/** A short id nobody has (well-formed, from a hash of `label`). */
const unknownVid = (label: string): string => shortId(sha256Hex(`unknown:${label}`));

/** Store oracle ads in `service` through its one door; returns them in order. */
async function store(service: MegaService, seeds: number[], cTTL = 5): Promise<OracleId[]> {
  const out: OracleId[] = [];
  for (const seed of seeds) {
    const o = makeOracle({ keys: makeKeys(seed), cTTL });
    const r = await service.admit('oracle', o);
    assert.equal(r.status, 'accepted', `expected oracle ${seed} to be stored, got ${JSON.stringify(r)}`);
    out.push(o);
  }
  return out;
}

describe('relay: inv asks only for what the service does not know', () => {
  it('one getdata lists exactly the unknown versions, in inv order', async () => {
    const { service } = newServiceForTest();
    const [stored] = await store(service, [1]);
    const a = new FakePeer();
    const relay = relayOver(service, []);
    const u1 = unknownVid('1');
    const u2 = unknownVid('2');
    relay.handleInv(a.asPeer(), [u1, vidOf(stored as OracleId), u2]);
    assert.deepEqual(a.commands(), ['getdata'], 'expected exactly one getdata for one inv');
    assert.deepEqual(a.itemsOf('getdata'), [u1, u2], 'expected the stored version left out and the unknown ones asked in inv order');
    assert.deepEqual([a.known.has(u1), a.known.has(u2)], [true, true], 'expected every announced version to become known to the announcer');
  });

  it('a version in flight from one peer is not asked of a second announcer, nor again of the first', async () => {
    const { service } = newServiceForTest();
    const relay = relayOver(service, []);
    const a = new FakePeer();
    const b = new FakePeer();
    const v = unknownVid('x');
    relay.handleInv(a.asPeer(), [v]);
    relay.handleInv(b.asPeer(), [v]);
    relay.handleInv(a.asPeer(), [v]);
    assert.deepEqual(a.itemsOf('getdata'), [v], 'expected the first announcer asked once');
    assert.deepEqual(b.sent, [], 'expected nothing sent to the second announcer while the first is delivering');
  });

  it('nothing is asked when every announced version is stored', async () => {
    const { service } = newServiceForTest();
    const stored = await store(service, [1, 2]);
    const a = new FakePeer();
    relayOver(service, []).handleInv(a.asPeer(), stored.map(vidOf));
    assert.deepEqual(a.sent, [], 'expected no getdata for versions the service stores');
  });
});

describe('relay: alternates', () => {
  it('notfound from the first announcer asks the next one, once', async () => {
    const { service } = newServiceForTest();
    const relay = relayOver(service, []);
    const [a, b, c] = [new FakePeer(), new FakePeer(), new FakePeer()];
    const v = unknownVid('alt');
    relay.handleInv(a.asPeer(), [v]);
    relay.handleInv(b.asPeer(), [v]);
    relay.handleInv(c.asPeer(), [v]);
    relay.handleNotFound(a.asPeer(), [v]);
    assert.deepEqual(b.itemsOf('getdata'), [v], 'expected the second announcer asked after the first said notfound');
    assert.deepEqual(c.sent, [], 'expected the third announcer kept in reserve while the second is asked');
    relay.handleNotFound(b.asPeer(), [v]);
    assert.deepEqual(c.itemsOf('getdata'), [v], 'expected the third announcer asked after the second said notfound');
  });

  it("a disconnect frees the peer's requests: the next announcer is asked, a closed one skipped", async () => {
    const { service } = newServiceForTest();
    const relay = relayOver(service, []);
    const [a, b, c] = [new FakePeer(), new FakePeer(), new FakePeer()];
    const v = unknownVid('gone');
    relay.handleInv(a.asPeer(), [v]);
    relay.handleInv(b.asPeer(), [v]);
    relay.handleInv(c.asPeer(), [v]);
    b.close();
    relay.dropPeer(a.asPeer());
    assert.deepEqual(b.sent, [], 'expected nothing sent to a closed alternate');
    assert.deepEqual(c.itemsOf('getdata'), [v], 'expected the next open announcer asked once the first left');
  });

  it('no alternate is asked when the version arrived meanwhile', async () => {
    const { service } = newServiceForTest();
    const relay = relayOver(service, []);
    const [a, b] = [new FakePeer(), new FakePeer()];
    const o = makeOracle({ keys: makeKeys(7) });
    const v = vidOf(o);
    relay.handleInv(a.asPeer(), [v]);
    relay.handleInv(b.asPeer(), [v]);
    assert.equal((await service.admit('oracle', o)).status, 'accepted', 'expected the oracle stored from elsewhere');
    relay.handleNotFound(a.asPeer(), [v]);
    assert.deepEqual(b.itemsOf('getdata'), [], 'expected no getdata for a version the service now stores');
  });
});

describe('relay: requests left behind by a stopped timeout timer', () => {
  it('a request is forgotten exactly 4 getdata timeouts after it was made, so a later announcer is asked (no timer running)', () => {
    const { service } = newServiceForTest();
    let t = 1_000_000;
    const relay = new Relay({ service, readyPeers: () => [], log: silent, now: () => t, getDataTimeoutMs: 1000 });
    const [a, b, c] = [new FakePeer(), new FakePeer(), new FakePeer()];
    const v = unknownVid('stale');
    relay.handleInv(a.asPeer(), [v]);
    t += 3999;
    relay.handleInv(b.asPeer(), [v]);
    assert.deepEqual(b.sent, [], 'expected a request 3999 ms old (under 4 timeouts) still outstanding: the announcer is only an alternate');
    t += 1;
    relay.handleInv(c.asPeer(), [v]);
    assert.deepEqual(c.itemsOf('getdata'), [v], 'expected a request 4000 ms old (4 timeouts) forgotten and the version asked of the next announcer');
    t += 3999;
    relay.handleInv(a.asPeer(), [v]);
    assert.deepEqual(a.itemsOf('getdata'), [v], 'expected the first announcer not asked again while the new request is outstanding');
  });
});

describe('relay: getdata', () => {
  it('answers in request order, stored versions as entities and the rest in notfound', async () => {
    const { service } = newServiceForTest();
    const [o1, o2, o3] = (await store(service, [1, 2, 3])) as [OracleId, OracleId, OracleId];
    const a = new FakePeer();
    const relay = relayOver(service, []);
    const miss = unknownVid('miss');
    relay.handleGetData(a.asPeer(), [vidOf(o3), miss, vidOf(o1), vidOf(o2)]);
    assert.deepEqual(a.commands(), ['oracle', 'oracle', 'oracle', 'notfound'], 'expected three entities, then one notfound');
    assert.deepEqual(
      a.sent.slice(0, 3).map((m) => (m.payload as OracleId).pubkey),
      [o3.pubkey, o1.pubkey, o2.pubkey],
      'expected entities in the order they were asked for',
    );
    assert.deepEqual(a.itemsOf('notfound'), [miss], 'expected only the unknown version in notfound');
    assert.equal(relay.stats.itemsSent, 3, 'expected itemsSent to count the three entities');
  });

  it('serves while the send backlog is below the high-water mark and resumes on drain', async () => {
    const { service } = newServiceForTest();
    const stored = await store(service, [1, 2, 3, 4]);
    const a = new FakePeer();
    a.bytesPerSend = GETDATA_HIGH_WATER_BYTES / 2; // two entities fill the socket
    const relay = relayOver(service, []);
    relay.handleGetData(a.asPeer(), stored.map(vidOf));
    assert.equal(a.sent.length, 2, `expected two entities sent before the backlog reached the high-water mark, got ${a.sent.length}`);
    assert.equal(a.batches, 1, 'expected the first run of frames sent as one batch (one writev)');
    assert.equal(relay.getDataBacklog, 2, 'expected the other two ids waiting');
    assert.equal(a.waiting, 1, 'expected the relay to wait on exactly one drain');
    a.drain();
    await waitFor(() => a.sent.length === 4, { message: () => `all four served after the drain (sent ${a.sent.length})` });
    assert.equal(a.batches, 2, 'expected the run after the drain as a second batch');
    assert.deepEqual(
      a.sent.map((m) => (m.payload as OracleId).pubkey),
      stored.map((o) => o.pubkey),
      'expected paced entities still in request order',
    );
    assert.equal(relay.getDataBacklog, 0, 'expected nothing left to serve');
  });

  it('a peer that closes while paced is served nothing more and its queue is dropped', async () => {
    const { service } = newServiceForTest();
    const stored = await store(service, [1, 2, 3]);
    const a = new FakePeer();
    a.bytesPerSend = GETDATA_HIGH_WATER_BYTES;
    const relay = relayOver(service, []);
    relay.handleGetData(a.asPeer(), stored.map(vidOf));
    assert.equal(a.sent.length, 1, 'expected one entity before the backlog filled');
    a.close(); // wakes the drain wait; the pool's dropPeer may come later
    await nextTurn();
    assert.equal(a.sent.length + a.sentAfterClose, 1, 'expected nothing offered after close');
    assert.equal(relay.getDataBacklog, 0, "expected the closed peer's queue dropped");
  });

  it('lowers cTTL by one hop when served, and never below 0', async () => {
    const { service } = newServiceForTest();
    const [five] = await store(service, [1], 5);
    const [zero] = await store(service, [2], 0);
    const a = new FakePeer();
    relayOver(service, []).handleGetData(a.asPeer(), [vidOf(five as OracleId), vidOf(zero as OracleId)]);
    const served = a.sent.map((m) => (m.payload as OracleId).cTTL);
    assert.deepEqual(served, [4, 0], 'expected cTTL 5 served as 4 and cTTL 0 served as 0');
    assert.equal(five?.cTTL, 5, 'expected the stored copy left untouched');
  });
});

describe('relay: each served item is its own (lookups share one object)', () => {
  it('a getdata mixing kinds and unknown ids serves each stored item with its own kind and message, in order', async () => {
    const { service } = newServiceForTest();
    const [o1, o2] = await store(service, [21, 22], 3);
    const cap = makeCapability({ oracleKeys: makeKeys(21), capKeys: makeKeys(121), question: 'q?', cTTL: 2 });
    assert.equal((await service.admit('capability', cap)).status, 'accepted');
    const a = new FakePeer();
    relayOver(service, []).handleGetData(a.asPeer(), [vidOf(o1 as OracleId), vidOf(cap), unknownVid('x'), vidOf(o2 as OracleId)]);
    assert.deepEqual(
      a.sent.map((m) => [m.command, m.command === 'notfound' ? null : (m.payload as { cTTL: number }).cTTL]),
      [['oracle', 2], ['capability', 1], ['oracle', 2], ['notfound', null]],
      'expected oracle, capability, oracle in request order (cTTL one hop lower), then the unknown id in notfound',
    );
    assert.equal((a.sent[0]?.payload as OracleId).pubkey, (o1 as OracleId).pubkey, 'the first answer is the first oracle');
    assert.equal((a.sent[1]?.payload as OracleCapability).capabilityPubKey, cap.capabilityPubKey, 'the second answer is the capability');
    assert.equal((a.sent[2]?.payload as OracleId).pubkey, (o2 as OracleId).pubkey, 'the third answer is the second oracle');
  });
});

describe('relay: serving getdata leaves the known sets alone', () => {
  it('an answered getdata adds nothing to the requester\'s known set (it named the versions; an overflowed set is not churned)', async () => {
    const { service } = newServiceForTest();
    const [o1, o2] = await store(service, [23, 24], 3);
    const a = new FakePeer();
    relayOver(service, []).handleGetData(a.asPeer(), [vidOf(o1 as OracleId), vidOf(o2 as OracleId)]);
    assert.deepEqual(
      a.sent.map((m) => m.command),
      ['oracle', 'oracle'],
      'expected both versions served',
    );
    // Before, each answer looked its version up in the set and re-added it when missing: during a sync that streams
    // more ids than the set holds, every re-add evicted another id (a lookup, a delete, an insert and an eviction per item).
    assert.equal(a.known.size, 0, 'expected no known-set entry added by serving (the push path marks known when it queues)');
  });
});

/** A verifier stand-in whose batches are answered when the test says so. */
class ManualVerifier {
  readonly batches: (() => void)[] = [];
  run(_works: readonly SignatureWork[]): Promise<void> {
    return new Promise((resolve) => this.batches.push(resolve));
  }
  asPool(): VerifyPool {
    return this as unknown as VerifyPool;
  }
}

describe('relay: the highest cTTL seen wins (11.7) for copies that go through admission', () => {
  it('a pushed copy of a stored version with a higher cTTL raises the stored one without storing it again', async () => {
    const { service } = newServiceForTest();
    const [o] = await store(service, [31], 2);
    const a = new FakePeer();
    const relay = relayOver(service, [a]);
    relay.handleEntity(a.asPeer(), 'oracle', { ...(o as OracleId), cTTL: 5 });
    await waitFor(() => relay.stats.cttlRaised === 1, { message: 'the cTTL is raised' });
    assert.equal(service.getOracle(makeKeys(31).publicKey)?.msg.cTTL, 5, 'expected the stored cTTL raised from 2 to 5');
  });

  it('a copy with a higher cTTL that arrives while the first waits in the intake is applied when the first is stored', async () => {
    const v = new ManualVerifier();
    const { service } = newServiceForTest({ verifier: v.asPool(), inlineAlone: false });
    const [a, b] = [new FakePeer(), new FakePeer()];
    const relay = relayOver(service, [a, b]);
    const o = makeOracle({ keys: makeKeys(32), cTTL: 1 });
    relay.handleEntity(a.asPeer(), 'oracle', o);
    relay.handleEntity(b.asPeer(), 'oracle', { ...o, cTTL: 4 });
    await waitFor(() => v.batches.length > 0, { message: 'the first copy waits for its signature checks' });
    for (const answer of v.batches) answer();
    await waitFor(() => service.getOracle(makeKeys(32).publicKey) !== undefined, { message: 'the first copy is stored' });
    assert.equal(service.getOracle(makeKeys(32).publicKey)?.msg.cTTL, 4, 'expected the cTTL of the copy that arrived meanwhile (4), not the first (1)');
    assert.equal(relay.stats.cttlRaised, 1);
  });
});

describe('relay: announcements', () => {
  it('an item received from a peer is announced to the others, never echoed to the sender, and announced once', async () => {
    const { service } = newServiceForTest();
    const [a, b, c] = [new FakePeer(), new FakePeer(), new FakePeer()];
    const relay = relayOver(service, [a, b, c]);
    const o = makeOracle({ keys: makeKeys(9) });
    relay.handleEntity(a.asPeer(), 'oracle', o);
    await waitFor(() => b.sent.length > 0 && c.sent.length > 0, { message: 'b and c got an inv' });
    await nextTurn();
    assert.deepEqual(b.itemsOf('inv'), [vidOf(o)], 'expected b told of the new version');
    assert.deepEqual(c.itemsOf('inv'), [vidOf(o)], 'expected c told of the new version');
    assert.deepEqual(a.sent, [], 'expected nothing echoed to the sender');
    relay.announce({ kind: 'oracle', id: o.pubkey, version: versionHash(o), msg: o, cTTL: o.cTTL });
    await nextTurn();
    assert.equal(b.itemsOf('inv').length, 1, 'expected a second announcement of a known version to send nothing');
  });

  it('a peer that announced a version is not told of it', async () => {
    const { service } = newServiceForTest();
    const [a, b] = [new FakePeer(), new FakePeer()];
    const relay = relayOver(service, [a, b]);
    const o = makeOracle({ keys: makeKeys(10) });
    relay.handleInv(b.asPeer(), [vidOf(o)]);
    assert.equal((await service.admit('oracle', o)).status, 'accepted', 'expected the oracle stored');
    await waitFor(() => a.itemsOf('inv').length === 1, { message: 'a got an inv' });
    assert.deepEqual(b.itemsOf('inv'), [], 'expected no inv to the peer that announced the version');
  });

  it('an item at cTTL 0 is stored but announced to nobody', async () => {
    const { service } = newServiceForTest();
    const a = new FakePeer();
    relayOver(service, [a]);
    await store(service, [11], 0);
    await nextTurn();
    assert.deepEqual(a.sent, [], 'expected no inv for an item at its hop limit');
  });

  it('a version held at cTTL 0 that a peer announces is asked of it once; its copy only raises the cTTL (no admission) and is then announced', async () => {
    const { service } = newServiceForTest();
    const admissions = countAdmissions(service);
    const [a, b] = [new FakePeer(), new FakePeer()];
    const relay = relayOver(service, [a, b]);
    const [held] = await store(service, [15], 0);
    admissions.n = 0;
    const vid = vidOf(held as OracleId);
    relay.handleInv(b.asPeer(), [vid]);
    assert.deepEqual(b.itemsOf('getdata'), [vid], 'expected the cTTL-0 version asked of its announcer (a probe)');
    relay.handleInv(b.asPeer(), [vid]);
    assert.deepEqual(b.itemsOf('getdata'), [vid], 'expected the same announcer asked only once');
    relay.handleEntity(b.asPeer(), 'oracle', { ...(held as OracleId), cTTL: 4 });
    assert.equal(admissions.n, 0, 'expected the probe answer taken without admission');
    assert.equal(service.getItemByShortId(vid)?.cTTL, 4, 'expected the stored cTTL raised to the copy\'s');
    await waitFor(() => a.itemsOf('inv').length === 1, { message: 'a is told of the version now that it travels' });
    assert.deepEqual(a.itemsOf('inv'), [vid]);
    assert.deepEqual(b.itemsOf('inv'), [], 'expected nothing announced back to the peer that had it');
  });

  it('entities from peers enter through the Promise-free door (service.offer), never service.admit', async () => {
    const { service } = newServiceForTest();
    let viaAdmit = 0;
    const admit = service.admit.bind(service);
    service.admit = ((...args: Parameters<MegaService['admit']>) => {
      viaAdmit++;
      return admit(...args);
    }) as MegaService['admit'];
    const a = new FakePeer();
    const relay = relayOver(service, [a]);
    relay.handleEntity(a.asPeer(), 'oracle', makeOracle({ keys: makeKeys(15) }), 0, 'digest-15');
    await waitFor(() => service.getOracle(makeKeys(15).publicKey) !== undefined, { message: 'the ad is stored' });
    assert.equal(viaAdmit, 0, 'the relay must not make a Promise per entity (service.admit)');
  });

  it('a peer that sends an invalid entity is charged its ban score', async () => {
    const { service } = newServiceForTest();
    const a = new FakePeer();
    const relay = relayOver(service, [a]);
    const o = makeOracle({ keys: makeKeys(12) });
    relay.handleEntity(a.asPeer(), 'oracle', { ...o, oracleSignature: '00'.repeat(64) });
    await waitFor(() => a.misbehaved.length > 0, { message: 'the sender is charged' });
    assert.deepEqual(a.misbehaved, [{ score: 100, reason: 'signature-invalid' }], 'expected 100 points for a bad signature');
  });

  it('the very same payload bytes again skip admission (no schema check, no hashing): a refused one is charged again, an accepted one is dropped', async () => {
    const { service } = newServiceForTest();
    const admissions = countAdmissions(service);
    const a = new FakePeer();
    const relay = relayOver(service, [a]);
    const bad = { ...makeOracle({ keys: makeKeys(13) }), oracleSignature: '00'.repeat(64) };
    relay.handleEntity(a.asPeer(), 'oracle', bad, 0, 'digest-of-bad');
    await waitFor(() => a.misbehaved.length === 1, { message: 'the first copy is refused' });
    relay.handleEntity(a.asPeer(), 'oracle', bad, 0, 'digest-of-bad');
    assert.equal(admissions.n, 1, 'the repeat must not reach the admission door');
    assert.deepEqual(a.misbehaved.map((m) => m.score), [100, 100], 'the repeat of a refused payload costs its score again');
    const good = makeOracle({ keys: makeKeys(14) });
    relay.handleEntity(a.asPeer(), 'oracle', good, 0, 'digest-of-good');
    await waitFor(() => service.getOracle(makeKeys(14).publicKey) !== undefined, { message: 'the good ad is stored' });
    await nextTurn();
    relay.handleEntity(a.asPeer(), 'oracle', good, 0, 'digest-of-good');
    assert.equal(admissions.n, 2, 'an accepted payload sent again is dropped before admission');
    assert.equal(relay.stats.repeatsDropped, 2, 'both repeats are counted');
    assert.equal(a.misbehaved.length, 2, 'a repeat of an accepted payload costs nothing');
  });

  it('answers from a peer this node awaits getdata answers from are neither looked up nor remembered by their bytes: a repeat is answered by the intake after hashing', async () => {
    const { service } = newServiceForTest();
    const admissions = countAdmissions(service);
    const a = new FakePeer();
    const relay = relayOver(service, [a]);
    const good = makeOracle({ keys: makeKeys(15) });
    // Something else is outstanding at `a` (a sync on join): what it sends now is taken as an answer.
    relay.handleInv(a.asPeer(), [unknownVid('awaited')]);
    relay.handleEntity(a.asPeer(), 'oracle', good, 0, 'digest-of-answer');
    await waitFor(() => service.getOracle(makeKeys(15).publicKey) !== undefined, { message: 'the ad is stored' });
    await nextTurn();
    relay.handleEntity(a.asPeer(), 'oracle', good, 0, 'digest-of-answer');
    await nextTurn();
    assert.equal(relay.stats.repeatsDropped, 0, 'nothing was remembered by its bytes while a getdata was outstanding at the peer');
    assert.equal(admissions.n, 2, 'the repeat reaches the intake, which answers it as a stored version');
    assert.equal(a.misbehaved.length, 0, 'a repeat of an accepted payload costs nothing');
  });
});
