// test/unit/p2p/eviction.test.ts - owns the unit tests of p2p/eviction.ts: which inbound peer gives up its slot (handshaking first, then idle longest; recent deliverers protected).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVICTION_PROTECT_RECENT } from '../../../src/p2p/constants.ts';
import { pickEvictionVictim, type EvictionCandidate } from '../../../src/p2p/eviction.ts';

type C = EvictionCandidate & { name: string };
const peer = (name: string, isReady: boolean, connectedSince: number, lastUsefulAt = 0): C => ({ name, isReady, connectedSince, lastUsefulAt });

describe('pickEvictionVictim', () => {
  it('evicts the oldest handshaking connection before any ready one', () => {
    const v = pickEvictionVictim([peer('ready-old', true, 1), peer('slow-new', false, 50), peer('slow-old', false, 10), peer('ready-new', true, 60)]);
    assert.equal(v?.name, 'slow-old', 'expected the connection stuck longest in its handshake');
  });

  it('among ready peers, evicts the one idle longest: never delivered and connected first', () => {
    const v = pickEvictionVictim([peer('idle-since-5', true, 5), peer('idle-since-1', true, 1), peer('newcomer', true, 100)]);
    assert.equal(v?.name, 'idle-since-1', 'expected the oldest idle connection, not the newcomer');
  });

  it(`protects the ${EVICTION_PROTECT_RECENT} most recent deliverers, even when they are the oldest connections`, () => {
    const useful = Array.from({ length: EVICTION_PROTECT_RECENT }, (_, i) => peer(`useful${i}`, true, i, 1000 + i));
    const v = pickEvictionVictim([...useful, peer('idle', true, 500)]);
    assert.equal(v?.name, 'idle', 'expected the idle peer, not a protected deliverer');
    // A fifth deliverer is not protected: the one that delivered least recently is the candidate among the useful.
    const five = [...useful, peer('useful-old', true, 0, 900)];
    assert.equal(pickEvictionVictim(five)?.name, 'useful-old', 'expected the least recent deliverer past the protected four');
  });

  it('returns null when every candidate is protected or there is none', () => {
    assert.equal(pickEvictionVictim([]), null, 'expected no victim without candidates');
    assert.equal(pickEvictionVictim([peer('u', true, 1, 5)]), null, 'expected a recent deliverer to be kept');
  });
});
