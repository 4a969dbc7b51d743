/** test/unit/p2p/sync.test.ts - p2p/sync.ts without sockets: a `mempool` request is answered with the whole inventory in MAX_INV_ITEMS batches paced by the peer's send backlog, one answer at a time per peer, at most once per MEMPOOL_REQUEST_MIN_INTERVAL_MS, items at their hop limit left out. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Sync } from '../../../src/p2p/sync.ts';
import { MEMPOOL_REQUEST_MIN_INTERVAL_MS, SYNC_HIGH_WATER_BYTES } from '../../../src/p2p/constants.ts';
import { shortId, versionHash } from '../../../src/protocol/ids.ts';
import { MAX_INV_ITEMS } from '../../../src/wire/constants.ts';
import type { InventoryEntry } from '../../../src/service/service.ts';
import { FakeClock, makeKeys, makeOracle, newServiceForTest } from '../../helpers/factory.ts';
import { FakePeer, nextTurn } from '../../helpers/fake-peer.ts';
import { waitFor } from '../../helpers/wait.ts';

const silent = pino({ level: 'silent' });

/** A service stand-in with `n` inventory entries (sync only iterates it); entry i has cTTL `cttl(i)`. */
function inventoryOf(n: number, cttl: (i: number) => number | null = () => 5): { inventory: () => IterableIterator<InventoryEntry>; vids: string[] } {
  const entries: InventoryEntry[] = [];
  for (let i = 0; i < n; i++) {
    const vid = shortId(versionHash({ i }));
    entries.push({ kind: 'oracle', id: `id${i}`, version: vid, msg: {} as InventoryEntry['msg'], cTTL: cttl(i) });
  }
  return { inventory: () => entries.values(), vids: entries.map((e) => e.version) };
}

/** The first argument of `Sync`'s deps, with a fake clock. */
function syncOver(service: { inventory: () => IterableIterator<InventoryEntry> }, clock = new FakeClock()): { sync: Sync; clock: FakeClock } {
  return { sync: new Sync({ service, readyPeers: () => [], log: silent, now: clock.now }), clock };
}

describe('sync: answering mempool', () => {
  it('sends the whole inventory of a real service as inv, marked known to the peer', async () => {
    const { service } = newServiceForTest();
    const stored = [makeOracle({ keys: makeKeys(1) }), makeOracle({ keys: makeKeys(2) })];
    for (const o of stored) assert.equal((await service.admit('oracle', o)).status, 'accepted', 'expected the oracle stored');
    const a = new FakePeer();
    syncOver(service).sync.handleMempool(a.asPeer());
    await waitFor(() => a.sent.length === 1, { message: 'one inv sent' });
    const expected = stored.map((o) => shortId(versionHash(o))).sort();
    assert.deepEqual([...a.itemsOf('inv')].sort(), expected, 'expected every stored version in the inv');
    assert.deepEqual(
      expected.map((v) => a.known.has(v)),
      [true, true],
      'expected announced versions known to the peer (so relay never repeats them)',
    );
  });

  it('splits into MAX_INV_ITEMS batches and leaves out items at cTTL 0 (disputes, cTTL null, are kept)', async () => {
    const n = MAX_INV_ITEMS * 2 + 3;
    const inv = inventoryOf(n, (i) => (i === 0 ? 0 : i === 1 ? null : 5));
    const a = new FakePeer();
    syncOver(inv).sync.handleMempool(a.asPeer());
    await waitFor(() => a.sent.length === 3, { message: () => `three inv batches (got ${a.sent.length})` });
    const sizes = a.sent.map((m) => (m.payload as { items: string[] }).items.length);
    assert.deepEqual(sizes, [MAX_INV_ITEMS, MAX_INV_ITEMS, 2], 'expected full batches then the rest');
    assert.deepEqual(a.itemsOf('inv'), inv.vids.slice(1), 'expected inventory order, without the cTTL-0 item');
  });

  it('waits for the send backlog to fall below the high-water mark between batches', async () => {
    const inv = inventoryOf(MAX_INV_ITEMS * 3);
    const a = new FakePeer();
    a.bytesPerSend = SYNC_HIGH_WATER_BYTES; // every batch fills the socket
    syncOver(inv).sync.handleMempool(a.asPeer());
    await waitFor(() => a.sent.length === 1, { message: 'the first batch sent' });
    await nextTurn();
    assert.equal(a.sent.length, 1, 'expected the second batch held back while the backlog is at the high-water mark');
    assert.equal(a.waiting, 1, 'expected sync to wait on one drain');
    a.drain();
    await waitFor(() => a.sent.length === 2, { message: 'the second batch after one drain' });
    a.drain();
    await waitFor(() => a.sent.length === 3, { message: 'the third batch after another drain' });
    assert.equal(a.itemsOf('inv').length, MAX_INV_ITEMS * 3, 'expected the whole inventory in the end');
  });

  it('one answer at a time per peer: a repeat while streaming is ignored, another peer is served', async () => {
    const inv = inventoryOf(MAX_INV_ITEMS * 2);
    const [a, b] = [new FakePeer(), new FakePeer()];
    a.bytesPerSend = SYNC_HIGH_WATER_BYTES;
    const { sync, clock } = syncOver(inv);
    sync.handleMempool(a.asPeer());
    await waitFor(() => a.sent.length === 1, { message: 'the first batch to a' });
    clock.advance(MEMPOOL_REQUEST_MIN_INTERVAL_MS * 2); // the interval alone would allow it
    sync.handleMempool(a.asPeer());
    sync.handleMempool(b.asPeer());
    await waitFor(() => b.sent.length === 2, { message: 'b served in full' });
    a.drain();
    await waitFor(() => a.sent.length === 2, { message: 'a finishes its one stream' });
    await nextTurn();
    a.drain();
    await nextTurn();
    assert.equal(a.itemsOf('inv').length, MAX_INV_ITEMS * 2, 'expected one inventory to a, not two');
  });

  it(`answers a peer at most once per ${MEMPOOL_REQUEST_MIN_INTERVAL_MS} ms`, async () => {
    const inv = inventoryOf(3);
    const a = new FakePeer();
    const { sync, clock } = syncOver(inv);
    clock.t = MEMPOOL_REQUEST_MIN_INTERVAL_MS * 10; // far from lastMempoolServed = 0
    sync.handleMempool(a.asPeer());
    await waitFor(() => a.sent.length === 1, { message: 'the first answer' });
    await nextTurn(); // the stream finished
    clock.advance(MEMPOOL_REQUEST_MIN_INTERVAL_MS - 1);
    sync.handleMempool(a.asPeer());
    await nextTurn();
    assert.equal(a.sent.length, 1, 'expected a request inside the minimum interval ignored');
    clock.advance(1);
    sync.handleMempool(a.asPeer());
    await waitFor(() => a.sent.length === 2, { message: 'a request at the interval answered' });
  });

  it('stops streaming when the peer closes', async () => {
    const inv = inventoryOf(MAX_INV_ITEMS * 3);
    const a = new FakePeer();
    a.bytesPerSend = SYNC_HIGH_WATER_BYTES;
    syncOver(inv).sync.handleMempool(a.asPeer());
    await waitFor(() => a.sent.length === 1, { message: 'the first batch' });
    a.close();
    await nextTurn();
    assert.equal(a.sent.length + a.sentAfterClose, 1, 'expected no batch offered after close');
  });

  it('requestInventory sends one mempool message', () => {
    const a = new FakePeer();
    syncOver(inventoryOf(0)).sync.requestInventory(a.asPeer());
    assert.deepEqual(a.commands(), ['mempool'], 'expected a mempool request');
  });
});
