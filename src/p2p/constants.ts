/** p2p/constants.ts - peer and pool limits, with the reason for each. Imports nothing. */

/** Ban score at which a peer is disconnected and its address banned (bcoin's 100). */
export const BAN_THRESHOLD = 100;
/** Version hashes remembered per peer as "known to it", so nothing is sent to it twice (bcoin invFilter). */
export const MAX_KNOWN_INVENTORY = 50_000;
/** A peer whose unsent data exceeds this is too slow to keep up and is dropped (never buffered without limit). */
export const MAX_SEND_BUFFER_BYTES = 16 * 1024 * 1024;
/** Sync pauses writing inventory above this many unsent bytes and resumes on 'drain'. */
export const SYNC_HIGH_WATER_BYTES = 1024 * 1024;
/**
 * getdata is served while a peer's unsent data is below this, the rest on 'drain': a requester that
 * asks for a whole inventory at once (sync on join) is paced by its own reading speed instead of
 * overflowing MAX_SEND_BUFFER_BYTES and being dropped.
 */
export const GETDATA_HIGH_WATER_BYTES = 1024 * 1024;
/** Most short ids of one peer's getdata waiting to be served; more are answered notfound at once (bounds memory per peer). */
export const MAX_GETDATA_QUEUE = 100_000;
/**
 * Default of `getDataTimeoutMs`: a version requested from a peer that has delivered nothing since
 * (no entity, no notfound) for this long is asked of the next announcer (issue #12 item 8: an
 * announce-and-never-serve peer used to delay items by a whole anti-entropy round, 57-90 s).
 * Progress-based, so a peer streaming a large sync on join is never timed out while it delivers.
 */
export const GETDATA_TIMEOUT_MS = 5_000;
/** How often outstanding getdata requests are checked for the timeout. */
export const GETDATA_CHECK_INTERVAL_MS = 250;
/** Ban score per getdata timeout: a peer that announces and does not serve five times is banned (honest peers answer or say notfound). */
export const STALL_BAN_SCORE = 20;
/** Outstanding "higher cTTL?" re-requests per peer (11.7 cTTL rule); more are not made. */
export const MAX_CTTL_PROBES_PER_PEER = 1_000;
/** (peer, version) pairs already re-requested for a higher cTTL, each asked once (count bound; entries are ~30-byte strings, ~3 MB at most). */
export const MAX_CTTL_PROBES_REMEMBERED = 100_000;
/** Highest cTTL seen for versions not stored yet (still in the intake), applied when they are stored. */
export const MAX_PENDING_CTTL = 10_000;
/** Inbound peers protected from eviction because they most recently delivered a new item (Bitcoin Core protects 4 recent transaction relayers). */
export const EVICTION_PROTECT_RECENT = 4;
/** Most requests in flight in total (bounds the map). */
export const MAX_IN_FLIGHT = 100_000;
/** Valid items of another shard kept to answer getdata while they travel on. */
export const RELAY_CACHE_SIZE = 10_000;
/**
 * ...and at most this many bytes of them (JSON size). Out-of-shard reports may be 1 MiB each: by
 * count alone, 10,000 of them took ~9 GB and killed a sharded node (issue #12 item 4).
 */
export const RELAY_CACHE_BYTES = 16 * 1024 * 1024;
/** Address book size; seeds are never evicted. */
export const MAX_ADDRESSES = 2_000;
/** addr messages accepted per peer per minute; more are ignored (gossip rate limit). */
export const ADDR_MESSAGES_PER_MINUTE = 10;
/** New addresses forwarded to this many random peers. */
export const ADDR_RELAY_FANOUT = 2;
/** Addresses sent to a new peer. */
export const ADDR_SAMPLE_ON_CONNECT = 100;
/** First redial delay of a failed address; doubles per failure. */
export const DIAL_BACKOFF_BASE_MS = 1_000;
/** Longest redial delay. */
export const DIAL_BACKOFF_MAX_MS = 5 * 60_000;
/** A non-seed address is forgotten after this many failures in a row. */
export const MAX_DIAL_FAILURES = 8;
/** Outbound connection attempt timeout. */
export const DIAL_TIMEOUT_MS = 5_000;
/** A peer silent for this many keepalive intervals is dropped. */
export const IDLE_INTERVALS = 3;
/** `mempool` requests from one peer answered at most this often (a full inventory is costly). */
export const MEMPOOL_REQUEST_MIN_INTERVAL_MS = 5_000;
/** Timeout of the REST queries to peers for GET /reports?scope=network. */
export const NETWORK_QUERY_TIMEOUT_MS = 3_000;
/** Most peers asked for GET /reports?scope=network. */
export const NETWORK_QUERY_MAX_PEERS = 8;
/** Largest REST answer accepted from a peer for a network query. */
export const NETWORK_QUERY_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Eager push (docs/PROTOCOL.md 11.7): a new version goes as the entity itself to eager peers, but
 * only while the peer's unsent data is below this; above it the version is announced by `inv`
 * instead, and the peer fetches it with `getdata`, which is paced by its reading.
 */
export const PUSH_HIGH_WATER_BYTES = 1024 * 1024;
/**
 * Lazy announcements (11.7): a version is announced to lazy peers (those that pruned the edge or
 * were pruned) no sooner than this after it was stored here, by when the push tree has normally
 * delivered it everywhere; an announcement that finds it missing repairs the tree (graft).
 */
export const LAZY_MIN_AGE_MS = 2_000;
/** The lazy announcement round: this often, the versions that came of age since the last round go to LAZY_FANOUT lazy peers in one `inv` each, so single items share frames (bytes per item, issue #21). */
export const LAZY_ROUND_MS = 2_000;
/**
 * Lazy peers told per round, chosen at random. On a random graph of degree 8 a node has ~6 lazy
 * neighbours once the tree formed, each of which tells it of a round's versions with probability
 * 2/6: a node the tree missed hears of a version from at least one of them with probability
 * 1 - (4/6)^6 = 91 % in that round, and its `graft` then restores pushes. 2 rather than every lazy
 * peer keeps the announcements at ~0.1 x a 462-byte item per node (docs/benchmarks.md, propagation).
 */
export const LAZY_FANOUT = 2;
/** Versions remembered for the next lazy rounds, newest kept (a burst beyond this is left to anti-entropy: the tree pushed it already). */
export const MAX_LAZY_LOG = 100_000;
/**
 * A version is relayed along the push tree (11.7) only while its stored cTTL is at least this (or it has
 * none): the tree's paths are longer than the graph's shortest ones (on the 100-node benchmark graph its
 * diameter is 6-10 hops against 4, bench/tree-reach.ts), so a version with a smaller hop budget is
 * announced to every peer instead, which reaches every node within cTTL hops as flooding does.
 */
export const TREE_MIN_CTTL = 8;
