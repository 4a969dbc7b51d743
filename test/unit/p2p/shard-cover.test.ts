/** test/unit/p2p/shard-cover.test.ts - p2p/shard-cover.ts and the shard half of p2p/addrman.ts on a fake clock: every seen shard but the node's own is wanted (at most `limit`, handshake-confirmed first), uncovered ones are found, the redundant outbound peer is never the only one of its shard, failed shards back off 1 s doubling to 5 min and reset on success; the book keeps gossiped, inbound-claimed and dial-confirmed shards without growing past MAX_ADDRESSES. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AddrMan, shardKey, type ShardId } from '../../../src/p2p/addrman.ts';
import { DIAL_BACKOFF_BASE_MS, DIAL_BACKOFF_MAX_MS, MAX_ADDRESSES } from '../../../src/p2p/constants.ts';
import { ShardCover, type CoverPeer } from '../../../src/p2p/shard-cover.ts';
import { formatAddress } from '../../../src/p2p/peer.ts';
import { FakeClock } from '../../helpers/factory.ts';

const s = (count: number, index: number): ShardId => ({ count, index });
const keys = (list: readonly ShardId[]): string[] => list.map(shardKey);
const peer = (shard: ShardId | null, connectedSince: number, name = ''): CoverPeer & { name: string } => ({ shard, connectedSince, name });
const host = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('shard-cover: which shards are wanted', () => {
  it('wants every seen shard except its own, each once, confirmed ones first, then by count and index', () => {
    const cover = new ShardCover(s(2, 0), new FakeClock().now);
    const wanted = cover.wanted(
      [
        { shard: s(2, 0), verified: true },
        { shard: s(3, 2), verified: false },
        { shard: s(2, 1), verified: false },
        { shard: s(2, 1), verified: true },
        { shard: s(1, 0), verified: false },
      ],
      8,
    );
    assert.deepEqual(keys(wanted), ['2/1', '1/0', '3/2'], 'expected own shard 2/0 left out, 2/1 (confirmed) first, then gossip-only by count');
  });

  it('wants at most `limit` shards, and gossip-only shards cannot push out a confirmed one', () => {
    const cover = new ShardCover(s(1, 0), new FakeClock().now);
    const seen = [...Array.from({ length: 50 }, (_, i) => ({ shard: s(100, i), verified: false })), { shard: s(200, 7), verified: true }];
    const wanted = cover.wanted(seen, 3);
    assert.equal(wanted.length, 3, `expected the limit of 3 respected, got ${wanted.length}`);
    assert.equal(shardKey(wanted[0] as ShardId), '200/7', 'expected the handshake-confirmed shard kept ahead of 50 gossiped ones');
    assert.deepEqual(keys(cover.wanted(seen, 0)), [], 'expected nothing wanted with no outbound slots');
  });

  it('uncovered: wanted shards with no outbound peer and no dial in flight', () => {
    const cover = new ShardCover(s(1, 0), new FakeClock().now);
    const wanted = [s(2, 0), s(2, 1), s(3, 0)];
    const outbound = [peer(s(2, 0), 1), peer(null, 2), peer(s(1, 0), 3)];
    assert.deepEqual(cover.uncovered(wanted, outbound, new Set()), ['2/1', '3/0'], 'expected 2/1 and 3/0 uncovered');
    assert.deepEqual(cover.uncovered(wanted, outbound, new Set(['2/1'])), ['3/0'], 'expected a shard with a dial in flight not dialed twice');
  });
});

describe('shard-cover: the redundant outbound peer', () => {
  it('is never the only outbound peer of its shard, wanted or not', () => {
    const cover = new ShardCover(s(1, 0), new FakeClock().now);
    assert.equal(cover.redundant([peer(s(2, 0), 1), peer(s(2, 1), 2)]), null, 'expected no victim when each peer alone covers its shard');
    assert.equal(cover.redundant([peer(s(9, 9), 1), peer(s(9, 8), 2)]), null, 'expected the only peer of a shard kept even if beyond the wanted limit (no churn when the wanted set changes)');
  });

  it('is the younger of two peers of one shard, or a peer of no shard or the own shard, youngest first', () => {
    const cover = new ShardCover(s(4, 3), new FakeClock().now);
    const old20 = peer(s(2, 0), 10, 'old 2/0');
    const young20 = peer(s(2, 0), 20, 'young 2/0');
    const only21 = peer(s(2, 1), 30, 'only 2/1');
    assert.equal(cover.redundant([old20, young20, only21])?.name, 'young 2/0', 'expected the younger duplicate, never the only 2/1');
    const own = peer(s(4, 3), 5, 'own shard');
    assert.equal(cover.redundant([old20, only21, own])?.name, 'own shard', 'expected a peer of the node\'s own shard to be spare');
    const none = peer(null, 40, 'no shard');
    const young21 = peer(s(2, 1), 35, 'young 2/1');
    assert.equal(cover.redundant([old20, only21, young21, none])?.name, 'no shard', 'expected the youngest spare peer (no shard, 40) over the older duplicate (35)');
  });
});

describe('shard-cover: backoff of a shard nobody reaches', () => {
  it('waits 1 s doubling up to 5 minutes after each failure; a success resets it', () => {
    const clock = new FakeClock();
    const cover = new ShardCover(s(1, 0), clock.now);
    const wanted = [s(2, 1)];
    cover.wanted([{ shard: s(2, 1), verified: true }], 4);
    for (let f = 1; f <= 12; f++) {
      cover.failed('2/1');
      const delay = Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** (f - 1));
      assert.equal(cover.retryAt('2/1'), clock.t + delay, `expected retry after ${delay} ms (failure ${f})`);
      clock.advance(delay - 1);
      assert.deepEqual(cover.uncovered(wanted, [], new Set()), [], `expected no attempt 1 ms before the backoff ends (failure ${f})`);
      clock.advance(1);
      assert.deepEqual(cover.uncovered(wanted, [], new Set()), ['2/1'], `expected an attempt once the backoff ends (failure ${f})`);
    }
    cover.failed('2/1');
    cover.reached('2/1');
    assert.equal(cover.retryAt('2/1'), null, 'expected success to clear the backoff');
    assert.deepEqual(cover.uncovered(wanted, [], new Set()), ['2/1'], 'expected the shard tried at once after a reset');
  });

  it('a shard that keeps failing ranks behind one that does not, and backoff of unwanted shards is forgotten', () => {
    const cover = new ShardCover(s(1, 0), new FakeClock().now);
    const seen = [{ shard: s(2, 0), verified: true }, { shard: s(2, 1), verified: true }];
    cover.wanted(seen, 2);
    cover.failed('2/0');
    assert.deepEqual(keys(cover.wanted(seen, 1)), ['2/1'], 'expected the failing 2/0 behind 2/1 when only one slot remains');
    assert.equal(cover.retryAt('2/0'), null, 'expected the backoff of a shard no longer wanted dropped (bounded state)');
  });
});

describe('addrman: shards of addresses', () => {
  it('keeps a gossiped shard as a hint; a handshake shard wins over gossip of the same seqNo; a higher seqNo replaces it', () => {
    const am = new AddrMan(new FakeClock().now);
    assert.equal(am.add('10.0.0.1', 9000, 1), true, 'expected a new address');
    assert.equal(am.get('10.0.0.1:9000')?.shard, null, 'expected no shard without one in addr');
    assert.equal(am.add('10.0.0.1', 9000, 1, s(2, 1)), false, 'expected the same seqNo not forwarded again');
    assert.deepEqual(am.get('10.0.0.1:9000')?.shard, s(2, 1), 'expected a gossiped shard to fill an unknown one');
    am.learn('10.0.0.1', 9000, s(2, 0), true);
    assert.deepEqual(am.get('10.0.0.1:9000')?.shard, s(2, 0), 'expected the handshake shard to replace the gossiped one');
    assert.equal(am.get('10.0.0.1:9000')?.shardVerified, true, 'expected the shard of an address this node dialed marked verified');
    am.learn('10.0.0.1', 9000, s(2, 1), false);
    assert.deepEqual(am.get('10.0.0.1:9000')?.shard, s(2, 0), 'expected an inbound peer\'s claim not to override a shard confirmed by a dial');
    am.learn('10.0.0.5', 9000, s(2, 1), false);
    assert.equal(am.get('10.0.0.5:9000')?.shardVerified, false, 'expected an inbound peer\'s claimed address and shard kept unverified');
    am.add('10.0.0.1', 9000, 1, s(2, 1));
    assert.deepEqual(am.get('10.0.0.1:9000')?.shard, s(2, 0), 'expected gossip of the same seqNo not to override a handshake shard');
    assert.equal(am.add('10.0.0.1', 9000, 2, s(3, 1)), true, 'expected a higher seqNo forwarded');
    assert.deepEqual(am.get('10.0.0.1:9000')?.shard, s(3, 1), 'expected a higher seqNo to bring its shard');
    assert.equal(am.get('10.0.0.1:9000')?.shardVerified, false, 'expected the new shard only gossiped');
  });

  it('ignores an unusable shard (index >= count) and lists shards with address counts', () => {
    const am = new AddrMan(new FakeClock().now);
    am.add('10.0.0.1', 9000, 1, s(2, 2));
    assert.equal(am.get('10.0.0.1:9000')?.shard, null, 'expected index 2 of count 2 ignored');
    am.add('10.0.0.2', 9000, 1, s(2, 1));
    am.add('10.0.0.3', 9000, 1, s(2, 1));
    am.learn('10.0.0.4', 9000, s(2, 0), true);
    const shards = am.shards();
    assert.deepEqual([...shards.keys()].sort(), ['2/0', '2/1'], 'expected the two shards of the book');
    assert.equal(shards.get('2/1')?.addresses, 2, 'expected two addresses of 2/1');
    assert.equal(shards.get('2/1')?.verified, false, 'expected 2/1 only gossiped');
    assert.equal(shards.get('2/0')?.verified, true, 'expected 2/0 confirmed by a handshake');
    const for21 = am.candidates(() => false, '2/1').map((a) => formatAddress(a.host, a.port)).sort();
    assert.deepEqual(for21, ['10.0.0.2:9000', '10.0.0.3:9000'], 'expected candidates filtered by shard');
  });

  it(`learning handshake addresses stays within ${MAX_ADDRESSES} entries and never learns its own address`, () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    for (let i = 0; i < MAX_ADDRESSES + 50; i++) {
      am.learn(host(i), 9000, s(2, i % 2), true);
      clock.advance(1);
    }
    assert.equal(am.size, MAX_ADDRESSES, `expected the bound held, got ${am.size}`);
    am.markSelf('10.9.9.9:1');
    assert.equal(am.learn('10.9.9.9', 1, s(2, 0), true), false, 'expected its own address never learned');
    const seedsOnly = new AddrMan(clock.now);
    for (let i = 0; i < MAX_ADDRESSES; i++) seedsOnly.addSeed(host(i), 1);
    assert.equal(seedsOnly.learn('192.168.0.1', 9000, s(2, 0), true), false, 'expected no room in a book full of seeds');
    assert.equal(seedsOnly.learn(host(0), 1, s(2, 0), true), true, 'expected a seed\'s shard learned in place');
    assert.equal(seedsOnly.size, MAX_ADDRESSES, 'expected the size unchanged');
  });
});
