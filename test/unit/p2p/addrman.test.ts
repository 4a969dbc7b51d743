/** test/unit/p2p/addrman.test.ts - p2p/addrman.ts on a fake clock: MAX_ADDRESSES bound with the stalest gossiped address evicted, seeds never evicted nor forgotten, exponential dial backoff capped at DIAL_BACKOFF_MAX_MS, a non-seed forgotten after MAX_DIAL_FAILURES, success resets, self never dialed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AddrMan } from '../../../src/p2p/addrman.ts';
import { DIAL_BACKOFF_BASE_MS, DIAL_BACKOFF_MAX_MS, MAX_ADDRESSES, MAX_DIAL_FAILURES } from '../../../src/p2p/constants.ts';
import { formatAddress } from '../../../src/p2p/peer.ts';
import { FakeClock } from '../../helpers/factory.ts';

const none = (): boolean => false;
/** Keys of the addresses dialable now. */
const dialable = (am: AddrMan): string[] => am.candidates(none).map((a) => formatAddress(a.host, a.port));
/** A distinct gossiped host for index i. */
const host = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('addrman: bounds', () => {
  it(`holds at most ${MAX_ADDRESSES} addresses and evicts the least recently seen gossiped one`, () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    for (let i = 0; i < MAX_ADDRESSES; i++) {
      assert.equal(am.add(host(i), 9000, 1), true, `expected address ${i} accepted while there is room`);
      clock.advance(1);
    }
    assert.equal(am.size, MAX_ADDRESSES, 'expected the book full');
    assert.equal(am.add('192.168.0.1', 9000, 1), true, 'expected a new address accepted by evicting one');
    assert.equal(am.size, MAX_ADDRESSES, 'expected the size to stay at the bound');
    const keys = new Set(dialable(am));
    assert.equal(keys.has(formatAddress(host(0), 9000)), false, 'expected the oldest gossiped address evicted');
    assert.equal(keys.has(formatAddress(host(1), 9000)), true, 'expected the second oldest kept');
    assert.equal(keys.has('192.168.0.1:9000'), true, 'expected the newcomer kept');
  });

  it('seeds are never evicted; a book full of seeds refuses gossip', () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    am.addSeed('seed.example', 1); // the oldest entry of all
    clock.advance(1);
    for (let i = 0; i < MAX_ADDRESSES; i++) am.add(host(i), 9000, 1);
    assert.equal(am.size, MAX_ADDRESSES, `expected the bound held, got ${am.size}`);
    assert.equal(dialable(am).includes('seed.example:1'), true, 'expected the seed still there after 2000 gossiped addresses');
    const seedsOnly = new AddrMan(clock.now);
    for (let i = 0; i < MAX_ADDRESSES; i++) seedsOnly.addSeed(host(i), 1);
    assert.equal(seedsOnly.add('192.168.0.1', 9000, 1), false, 'expected gossip refused when only seeds fill the book');
    assert.equal(seedsOnly.size, MAX_ADDRESSES, 'expected no seed evicted');
  });

  it('a higher seqNo refreshes an address, an equal or lower one is not worth forwarding', () => {
    const am = new AddrMan(new FakeClock().now);
    assert.equal(am.add('10.0.0.1', 9000, 5), true, 'expected a new address to be worth forwarding');
    assert.equal(am.add('10.0.0.1', 9000, 5), false, 'expected the same seqNo again not forwarded');
    assert.equal(am.add('10.0.0.1', 9000, 4), false, 'expected a lower seqNo not forwarded');
    assert.equal(am.add('10.0.0.1', 9000, 6), true, 'expected a higher seqNo forwarded');
    assert.equal(am.size, 1, 'expected one entry for one address');
  });
});

describe('addrman: dialing and backoff', () => {
  it('backs off exponentially from DIAL_BACKOFF_BASE_MS, capped at DIAL_BACKOFF_MAX_MS', () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    am.addSeed('10.0.0.1', 9000);
    const key = '10.0.0.1:9000';
    const delays: number[] = [];
    for (let f = 1; f <= 12; f++) {
      am.markFailure(key);
      // Find the delay: not dialable 1 ms before it, dialable at it.
      const expected = Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** (f - 1));
      clock.advance(expected - 1);
      assert.deepEqual(dialable(am), [], `expected no dial 1 ms before the backoff after failure ${f}`);
      clock.advance(1);
      assert.deepEqual(dialable(am), [key], `expected a dial after ${expected} ms (failure ${f})`);
      delays.push(expected);
    }
    assert.equal(delays[0], DIAL_BACKOFF_BASE_MS, 'expected the first delay to be the base');
    assert.equal(delays.at(-1), DIAL_BACKOFF_MAX_MS, 'expected the delay capped');
  });

  it(`a gossiped address is forgotten after ${MAX_DIAL_FAILURES} failures in a row; a seed never is`, () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    am.add('10.0.0.2', 9000, 1);
    am.addSeed('10.0.0.1', 9000);
    for (let f = 1; f < MAX_DIAL_FAILURES; f++) {
      am.markFailure('10.0.0.2:9000');
      am.markFailure('10.0.0.1:9000');
    }
    assert.equal(am.size, 2, `expected both kept after ${MAX_DIAL_FAILURES - 1} failures`);
    am.markFailure('10.0.0.2:9000');
    for (let f = 0; f < 50; f++) am.markFailure('10.0.0.1:9000');
    assert.equal(am.size, 1, 'expected the gossiped address forgotten');
    clock.advance(DIAL_BACKOFF_MAX_MS);
    assert.deepEqual(dialable(am), ['10.0.0.1:9000'], 'expected the seed kept and dialable after the longest backoff');
  });

  it('a success resets the failures, so the next failure backs off from the base again', () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    am.add('10.0.0.3', 9000, 1);
    const key = '10.0.0.3:9000';
    for (let f = 1; f < MAX_DIAL_FAILURES; f++) am.markFailure(key);
    am.markSuccess(key);
    assert.deepEqual(dialable(am), [key], 'expected dialable at once after a success');
    am.markFailure(key);
    clock.advance(DIAL_BACKOFF_BASE_MS);
    assert.deepEqual(dialable(am), [key], 'expected the base delay after a reset');
    for (let f = 2; f < MAX_DIAL_FAILURES; f++) am.markFailure(key);
    assert.equal(am.size, 1, `expected a reset address to survive ${MAX_DIAL_FAILURES - 1} new failures (counted from zero)`);
    am.markFailure(key);
    assert.equal(am.size, 0, `expected it forgotten at failure ${MAX_DIAL_FAILURES} after the reset`);
  });

  it('a disconnected address waits the base delay before a redial', () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    am.add('10.0.0.4', 9000, 1);
    am.markDisconnected('10.0.0.4:9000');
    clock.advance(DIAL_BACKOFF_BASE_MS - 1);
    assert.deepEqual(dialable(am), [], 'expected no redial before the base delay');
    clock.advance(1);
    assert.deepEqual(dialable(am), ['10.0.0.4:9000'], 'expected a redial at the base delay');
  });

  it('candidates: seeds first, then most recently seen; excluded and self addresses left out', () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    am.add('10.0.0.1', 1, 1);
    clock.advance(10);
    am.add('10.0.0.2', 1, 1);
    clock.advance(10);
    am.addSeed('10.0.0.9', 1);
    am.add('10.0.0.3', 1, 1);
    am.markSelf('10.0.0.3:1');
    assert.deepEqual(dialable(am), ['10.0.0.9:1', '10.0.0.2:1', '10.0.0.1:1'], 'expected the seed, then newest first, without self');
    const excluded = am.candidates((k) => k === '10.0.0.2:1').map((a) => formatAddress(a.host, a.port));
    assert.deepEqual(excluded, ['10.0.0.9:1', '10.0.0.1:1'], 'expected the excluded (connected) address left out');
    assert.equal(am.add('10.0.0.3', 1, 99), false, 'expected our own address never re-added');
    assert.equal(am.isSelf('10.0.0.3:1'), true, 'expected self remembered');
  });

  it('a seed found to be ourselves is kept but never dialed, even after a disconnect', () => {
    const clock = new FakeClock();
    const am = new AddrMan(clock.now);
    am.addSeed('127.0.0.1', 9000);
    am.markSelf('127.0.0.1:9000');
    am.markDisconnected('127.0.0.1:9000');
    clock.advance(DIAL_BACKOFF_MAX_MS * 10);
    assert.deepEqual(dialable(am), [], 'expected a self seed never dialed');
    assert.equal(am.sample(10).length, 0, 'expected our own address never shared');
  });

  it('sample returns at most n distinct addresses', () => {
    const am = new AddrMan(new FakeClock().now);
    for (let i = 0; i < 30; i++) am.add(host(i), 9000, 1);
    const s = am.sample(10).map((a) => formatAddress(a.host, a.port));
    assert.equal(s.length, 10, `expected 10 addresses, got ${s.length}`);
    assert.equal(new Set(s).size, 10, 'expected no address twice');
    assert.equal(am.sample(100).length, 30, 'expected every address when n exceeds the book');
  });
});
