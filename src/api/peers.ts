/** api/peers.ts - the small interface through which monitoring (GET /peers, metrics, live events) sees P2P peers; the P2P pool implements it, api never imports p2p. */

import type { PeerSummary } from '../service/types.ts';

export type { PeerSummary };

/** What monitoring reads from the P2P layer. Both calls must be cheap (they run on every scrape and page refresh) and never throw. */
export interface PeerInfoSource {
  /** The peers connected now. */
  list(): PeerSummary[];
  /** Bytes received and sent over P2P since the pool started (monotonic). */
  totals(): { bytesIn: number; bytesOut: number };
  /** Which shards the outbound peers cover (GET /stats `shards`); absent when the source has no shard view. */
  coverage?(): ShardCoverageInfo;
}

/** Shard coverage as the P2P pool reports it (PROTOCOL 11.9 "Shard coverage"); `retryAt` in ms since the epoch. */
export interface ShardCoverageInfo {
  own: { count: number; index: number };
  shards: {
    shard: { count: number; index: number };
    wanted: boolean;
    outbound: string[];
    inbound: number;
    knownAddresses: number;
    verified: boolean;
    retryAt: number | null;
  }[];
}

/** {@link ShardCoverageInfo} as JSON: `retryAt` as an ISO 8601 string or null. */
export function coverageToJson(c: ShardCoverageInfo): unknown {
  return { own: c.own, shards: c.shards.map((e) => ({ ...e, retryAt: e.retryAt === null ? null : iso(e.retryAt) })) };
}

/** Peer events published to the live feed and counted in metrics: lifecycle, and `peer:relay` when the peer's push-tree edge (`relay`) changes. */
export type PeerEventName = 'peer:connect' | 'peer:disconnect' | 'peer:relay';

/** A peer as JSON (GET /peers, the live feed): times as ISO 8601 strings. */
export interface PeerJson {
  address: string;
  direction: 'inbound' | 'outbound';
  userAgent: string;
  shard: { count: number; index: number } | null;
  connectedSince: string;
  bytesIn: number;
  bytesOut: number;
  lastSeen: string;
  relay: 'eager' | 'lazy';
}

/** The source used until the P2P layer is connected: no peers, no traffic. */
export const NO_PEERS: PeerInfoSource = {
  list: () => [],
  totals: () => ({ bytesIn: 0, bytesOut: 0 }),
};

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString());

/** Convert a summary to its JSON form. */
export function peerToJson(p: PeerSummary): PeerJson {
  return {
    address: p.address,
    direction: p.direction,
    userAgent: p.userAgent,
    shard: p.shard ? { count: p.shard.count, index: p.shard.index } : null,
    connectedSince: iso(p.connectedSince),
    bytesIn: p.bytesIn,
    bytesOut: p.bytesOut,
    lastSeen: iso(p.lastSeen),
    relay: p.relay,
  };
}
