/** p2p/relay-stats.ts - the relay's counters (metrics, tests, benches): one object shared by relay.ts and the parts it owns (push-tree.ts, requests.ts, getdata-server.ts). Imports nothing. */

/** Counters for metrics and tests. */
export interface RelayStats {
  itemsReceived: number;
  /** Entity frames sent: answers to getdata and pushes. */
  itemsSent: number;
  /** Entities pushed to eager peers unasked (part of itemsSent). */
  pushed: number;
  invSent: number;
  /** Short ids carried by those `inv` messages. */
  invItemsSent: number;
  /** `getdata` messages sent, and the short ids they carried. */
  getDataSent: number;
  getDataItemsSent: number;
  /** `inv` messages of the lazy announcement rounds (part of invSent). */
  lazyInvSent: number;
  /** `prune` sent (a pushed copy was a duplicate) and received. */
  prunesSent: number;
  prunesReceived: number;
  /** `graft` sent (a lazy announcement brought a version new here) and received. */
  graftsSent: number;
  graftsReceived: number;
  /** getdata requests that timed out (the peer was silent) and were asked elsewhere or dropped. */
  getDataTimeouts: number;
  /** Entity payloads dropped before any admission work: the very bytes were decided before. */
  repeatsDropped: number;
  /** Stored versions whose cTTL rose because a copy with a higher one arrived. */
  cttlRaised: number;
}

/** All counters at 0. */
export function newRelayStats(): RelayStats {
  return { itemsReceived: 0, itemsSent: 0, pushed: 0, invSent: 0, invItemsSent: 0, getDataSent: 0, getDataItemsSent: 0, lazyInvSent: 0, prunesSent: 0, prunesReceived: 0, graftsSent: 0, graftsReceived: 0, getDataTimeouts: 0, cttlRaised: 0, repeatsDropped: 0 };
}
