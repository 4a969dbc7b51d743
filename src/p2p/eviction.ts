/** p2p/eviction.ts - which inbound peer gives up its slot when a new one arrives at the inbound limit (Bitcoin Core AttemptToEvictConnection, simplified). Imports p2p only. */
import { EVICTION_PROTECT_RECENT } from './constants.ts';
import type { Peer } from './peer.ts';

/** What eviction reads of a peer (a structural subset of {@link Peer}, so it is testable alone). */
export type EvictionCandidate = Pick<Peer, 'isReady' | 'connectedSince' | 'lastUsefulAt'>;

/**
 * The inbound peer to disconnect so a newcomer can have its slot, or null when every candidate is
 * protected. `candidates` are the inbound peers that may be evicted at all (whitelisted ones are
 * left out by the caller; outbound peers are never candidates: the node chose them).
 *
 * 1. The {@link EVICTION_PROTECT_RECENT} peers that most recently delivered a new item are kept
 *    (Bitcoin Core keeps its 4 most recent transaction and block relayers).
 * 2. Of the rest, a peer still in its handshake goes first, the one connected longest (a slow
 *    handshake holding a slot; an honest handshake on loopback or a LAN takes milliseconds).
 * 3. Otherwise the peer idle longest: the oldest of (its last new item, or its connection time
 *    when it never delivered one). An idle connection held by an attacker is rotated out, and a
 *    newcomer that delivers something is kept by rule 1.
 */
export function pickEvictionVictim<P extends EvictionCandidate>(candidates: readonly P[]): P | null {
  const useful = candidates.filter((p) => p.lastUsefulAt > 0).sort((a, b) => b.lastUsefulAt - a.lastUsefulAt);
  const isProtected = new Set<P>(useful.slice(0, EVICTION_PROTECT_RECENT));
  let victim: P | null = null;
  let victimKey: [number, number] = [Infinity, Infinity];
  for (const p of candidates) {
    if (isProtected.has(p)) continue;
    // Smaller key = evicted first: handshaking before ready, then least recently useful.
    const key: [number, number] = [p.isReady ? 1 : 0, p.isReady ? Math.max(p.lastUsefulAt, p.connectedSince) : p.connectedSince];
    if (key[0] < victimKey[0] || (key[0] === victimKey[0] && key[1] < victimKey[1])) {
      victim = p;
      victimKey = key;
    }
  }
  return victim;
}
