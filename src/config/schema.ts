/** config/schema.ts - every config key: type, default, unit, meaning; the only source of config facts (docs/configuration.md mirrors it, a test keeps them in step). Imports nothing. */

/** A `{server, port}` P2P seed address. */
export interface SeedAddress {
  server: string;
  port: number;
}

/** The facilitator's own identity (GET /id). */
export interface FacilitatorIdConfig {
  manifestUri?: string;
  /** The facilitator's own key (33-byte compressed, hex): the website manifest at manifestUri must name it and be signed by it. */
  pubkey?: string;
  rewardAddress?: string;
  pow?: { difficulty: number; algorithm: 'SHA256'; hash: string; magicNo: number; magicString?: string };
}

/** The validated, frozen node configuration. */
export interface MegaConfig {
  network: 'mainnet' | 'testnet' | 'regtest';
  httpPort: number;
  p2pPort: number;
  listenAddress: string;
  hostname: string | null;
  isTest: boolean;
  maxOracles: number;
  maxCapabilities: number;
  maxReports: number;
  maxMempoolBytes: number;
  powThresholdOracles: number;
  powThresholdCapabilities: number;
  powThresholdReports: number;
  powThresholdAnnouncements: number;
  maxAnnouncementsPerCapability: number;
  maxAnnouncements: number;
  maxAnnouncementBytes: number;
  maxAnnouncementHorizonMs: number;
  announcementGraceMs: number;
  attestedRetentionMs: number;
  announcementSweepIntervalMs: number;
  powThresholdOffers: number;
  maxOffers: number;
  maxOfferBytes: number;
  offersPerMaker: number;
  offerMaxLifetimeSeconds: number;
  shard: { count: number; index: number };
  maxBodyBytes: number;
  maxBatchItems: number;
  httpRequestTimeoutMs: number;
  httpMaxConnections: number;
  maxConnections: number;
  targetOutbound: number;
  maxMsgLength: number;
  handshakeTimeoutMs: number;
  banTimeMs: number;
  whitelist: string[];
  antiEntropyIntervalMs: number;
  getDataTimeoutMs: number;
  p2pMaxMessagesPerSecond: number;
  verifyThreads: number;
  p2pseed: SeedAddress[];
  p2pKeepAlive: number;
  hostSeqNo: number;
  facilitatorId: FacilitatorIdConfig | null;
  manifestRecheckIntervalMs: number;
  factRequestTimeoutMs: number;
  factEndpointsAllowPrivate: boolean;
  maxFactResponseBytes: number;
  maxFactRequestsInFlight: number;
  factCacheMaxEntries: number;
  factCacheMaxBytes: number;
  factLifetimeMs: number;
  factLedgerMaxEntries: number;
  factLedgerMaxBytes: number;
  lnRestHost: string | null;
  lnMacaroonPath: string | null;
  lnTlsCertPath: string | null;
  bidLifetimeMs: number;
  placementMinMsat: number;
  placementInvoiceExpirySeconds: number;
  dataDir: string | null;
  journalFsyncIntervalMs: number;
  journalCompactBytes: number;
  httpRateLimitPerSecond: number;
  httpRateBurst: number;
  maxInboundPerAddress: number;
  limitLoopback: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  // ---- edge and admin (issue #19) ----
  httpsPort: number | null;
  tlsCertPath: string | null;
  tlsKeyPath: string | null;
  trustProxy: string[];
  operatorEndpoints: 'public' | 'admin';
  adminPort: number | null;
  adminAddress: string;
  adminAllowFrom: string[];
  adminCookiePath: string | null;
}

/** Description of one key, used by the loader and by the docs test. */
export interface KeySpec {
  type: string;
  default: unknown;
  unit?: string;
  doc: string;
  /** Returns a rule violation ("must be …") or null. */
  check: (v: unknown) => string | null;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: unknown): string | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
    ? null
    : max === Number.MAX_SAFE_INTEGER
      ? `must be an integer ≥ ${min}`
      : `must be an integer in [${min}, ${max}]`;
const bool = (v: unknown): string | null => (typeof v === 'boolean' ? null : 'must be true or false');
const oneOf = (...xs: string[]) => (v: unknown): string | null =>
  typeof v === 'string' && xs.includes(v) ? null : `must be one of ${xs.map((x) => JSON.stringify(x)).join(', ')}`;
const str = (max = 255, allowNull = false) => (v: unknown): string | null => {
  if (v === null && allowNull) return null;
  return typeof v === 'string' && v.length > 0 && v.length <= max
    ? null
    : `must be a non-empty string of at most ${max} characters${allowNull ? ' or null' : ''}`;
};
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_RE = /^[0-9A-Fa-f:]{2,39}$/;

/** IP version of an address literal (4 or 6), or 0. (config may not import node:net: its fence keeps it free of networking.) */
function ipFamily(a: string): 0 | 4 | 6 {
  if (IPV4_RE.test(a)) return 4;
  if (!IPV6_RE.test(a) || (a.match(/::/g) ?? []).length > 1 || a.includes(':::')) return 0;
  const groups = a.split(':');
  const compressed = a.includes('::');
  if (groups.some((g) => g.length > 4) || (!compressed && groups.length !== 8) || groups.length > 8) return 0;
  return 6;
}

/** An IPv4/IPv6 address, optionally with a `/prefix` of at most 32 (IPv4) or 128 (IPv6) bits. */
export function isAddressRange(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > 64) return false;
  const [addr, prefix, more] = v.split('/');
  const family = ipFamily(addr ?? '');
  if (family === 0 || more !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A list of addresses or CIDR ranges (whitelist, trustProxy, adminAllowFrom). */
function addressList(v: unknown): string | null {
  if (!Array.isArray(v)) return 'must be an array of IP addresses or CIDR ranges ("10.0.0.0/8", "::1/128")';
  if (v.length > 1000) return 'must have at most 1000 entries';
  for (let i = 0; i < v.length; i++) if (!isAddressRange(v[i])) return `[${i}] must be an IP address or a CIDR range such as "10.0.0.0/8" or "fd00::/8"`;
  return null;
}

const HOST_RE = /^[A-Za-z0-9.\-:[\]]+$/;
const PUBKEY_RE = /^0[23][0-9a-f]{64}$/;

/** Every config key. Unknown keys are rejected at load. */
export const CONFIG_SCHEMA: { [K in keyof MegaConfig]: KeySpec } = {
  network: { type: 'string', default: 'mainnet', doc: 'Which Mega network this node belongs to: "mainnet", "testnet" or "regtest".', check: oneOf('mainnet', 'testnet', 'regtest') },
  httpPort: { type: 'integer', default: 8080, unit: 'TCP port', doc: 'Port of the REST API (0 = any free port, logged at start).', check: int(0, 65535) },
  p2pPort: { type: 'integer', default: 8333, unit: 'TCP port', doc: 'Port of the P2P listener (0 = any free port, logged at start).', check: int(0, 65535) },
  listenAddress: { type: 'string', default: '0.0.0.0', doc: 'Local address the listeners bind to ("127.0.0.1" keeps the node private to this machine).', check: (v) => str(255)(v) ?? (HOST_RE.test(v as string) ? null : 'must be an IP address or host name') },
  hostname: { type: 'string | null', default: null, doc: 'Public host name other nodes should dial, announced in `addr` gossip with p2pPort and hostSeqNo; null = not announced (peers still learn the address of inbound connections).', check: (v) => str(255, true)(v) ?? (v === null || HOST_RE.test(v as string) ? null : 'must be a host name or IP address') },
  isTest: { type: 'boolean', default: false, doc: 'Test mode: enables GET /testOnlyGenKeyPair and GET /testOnlySign. Never on a public node.', check: bool },
  maxOracles: { type: 'integer', default: 10000, unit: 'entries', doc: 'Oracle ads kept, in all. When full, a newcomer that outranks the lowest-ranked ad evicts it (with its capabilities and reports).', check: int(1) },
  maxCapabilities: { type: 'integer', default: 100, unit: 'entries per oracle', doc: 'Capability ads kept per oracle; the lowest PoW is evicted by a higher one.', check: int(1) },
  maxReports: { type: 'integer', default: 1000, unit: 'entries per oracle', doc: 'Reports kept per reported oracle; the lowest PoW is evicted by a higher one.', check: int(1) },
  maxMempoolBytes: { type: 'integer', default: 268435456, unit: 'bytes', doc: 'JSON bytes of everything stored (ads, capabilities, reports, disputes), on top of the count limits. Past it a newcomer evicts the lowest-ranked entries (an oracle ad with everything that hangs on it; ranked by verified Lightning bid, then PoW) if it strictly outranks them, else it is refused as rank-too-low. The heap the mempool takes is about 2.5 x this (docs/security.md, Limits).', check: int(1024) },
  powThresholdOracles: { type: 'integer', default: 0, unit: 'leading zero bits', doc: 'Minimum PoW difficulty of an oracle ad.', check: int(0, 256) },
  powThresholdCapabilities: { type: 'integer', default: 0, unit: 'leading zero bits', doc: 'Minimum PoW difficulty of a capability ad.', check: int(0, 256) },
  powThresholdReports: { type: 'integer', default: 0, unit: 'leading zero bits', doc: 'Minimum PoW difficulty of a report.', check: int(0, 256) },
  powThresholdAnnouncements: { type: 'integer', default: 0, unit: 'leading zero bits', doc: 'Minimum PoW difficulty of a DLC announcement (preimage oraclePubKey + capabilityPubKey + announcement id).', check: int(0, 256) },
  maxAnnouncementsPerCapability: { type: 'integer', default: 1000, unit: 'entries per capability', doc: 'DLC announcements kept per capability; the lowest PoW is evicted by a higher one.', check: int(1) },
  maxAnnouncements: { type: 'integer', default: 100000, unit: 'entries', doc: 'DLC announcements kept in all (kept on every shard); past it the lowest PoW is evicted by a higher one.', check: int(1) },
  maxAnnouncementBytes: { type: 'integer', default: 67108864, unit: 'bytes', doc: 'JSON bytes of stored DLC announcements and attestations (their own budget, apart from maxMempoolBytes); past it the lowest PoW goes first.', check: int(1024) },
  maxAnnouncementHorizonMs: { type: 'integer', default: 34560000000, unit: 'ms', doc: 'Latest accepted event maturity of a DLC announcement, from now (default 400 days); later ones are refused as maturity-too-far.', check: int(0) },
  announcementGraceMs: { type: 'integer', default: 604800000, unit: 'ms', doc: 'The oracle has until its maturity plus this to attest a DLC announcement (default 7 days); after that a fact-missing may name it, and an unattested announcement is kept until maturity plus twice this.', check: int(0) },
  attestedRetentionMs: { type: 'integer', default: 31536000000, unit: 'ms', doc: 'An attested DLC announcement (with its attestation) is kept until its maturity plus this (default 365 days).', check: int(0) },
  announcementSweepIntervalMs: { type: 'integer', default: 60000, unit: 'ms', doc: 'How often expired DLC announcements and expired offers are evicted (each admission of one also sweeps).', check: int(1000) },
  powThresholdOffers: { type: 'integer', default: 0, unit: 'leading zero bits', doc: 'Minimum PoW difficulty of an offer (preimage: the canonical {makerPubKey, content}).', check: int(0, 256) },
  maxOffers: { type: 'integer', default: 100000, unit: 'entries', doc: 'Offers kept in all, every status (sharded by offer id like reports); past it the lowest PoW is evicted by a higher one, after the expired ones.', check: int(1) },
  maxOfferBytes: { type: 'integer', default: 67108864, unit: 'bytes', doc: 'JSON bytes of stored offers (their own budget, apart from maxMempoolBytes); past it the lowest PoW goes first.', check: int(1024) },
  offersPerMaker: { type: 'integer', default: 20, unit: 'open offers per maker key', doc: 'Open offers one maker key may have stored here; another is refused as offer-maker-limit until one is cancelled, taken or expires.', check: int(1) },
  offerMaxLifetimeSeconds: { type: 'integer', default: 2592000, unit: 's', doc: "Latest accepted expiresAt of an offer, from now (default 30 days); it must also be no later than the event's maturity. Later ones are refused as offer-expiry-too-late.", check: int(60) },
  shard: {
    type: 'object {count, index}',
    default: { count: 1, index: 0 },
    doc: 'Store only reports and offers whose id (a 256-bit integer) mod count equals index; others are validated but not stored. Oracle and capability ads and DLC announcements are always kept.',
    check: (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be an object {"count": n, "index": i}';
      const o = v as Record<string, unknown>;
      const extra = Object.keys(o).filter((k) => k !== 'count' && k !== 'index');
      if (extra.length) return `has unknown key "${extra[0]}"`;
      const c = int(1, 1 << 20)(o.count);
      if (c) return `count ${c}`;
      return int(0, (o.count as number) - 1)(o.index) ? `index must be an integer in [0, count - 1]` : null;
    },
  },
  maxBodyBytes: { type: 'integer', default: 1048576, unit: 'bytes', doc: 'Largest accepted REST request body; larger ones get 413.', check: int(1024, 64 * 1048576) },
  maxBatchItems: { type: 'integer', default: 1000, unit: 'entities', doc: 'Most entities in one POST /entities batch; more is answered 400 too-many-items and nothing is admitted. The batch body is also bounded by maxBodyBytes, and each entity takes one token of the REST rate limit (httpRateLimitPerSecond).', check: int(1, 100000) },
  httpMaxConnections: {
    type: 'integer',
    default: 256,
    unit: 'connections',
    doc: 'Most open connections per HTTP(S) listener (public HTTP, HTTPS and admin each), keep-alive and WebSocket (`/events`) connections included; past it a new connection is closed at once, before any request is read (a warning with the count is logged at most once a minute). With `maxBodyBytes` and `httpRequestTimeoutMs` it bounds the memory HTTP clients can hold (each connection has at most one request body in flight: 256 × 1 MiB by default).',
    check: int(1, 100000),
  },
  httpRequestTimeoutMs: { type: 'integer', default: 30000, unit: 'milliseconds', doc: 'A request whose body has not fully arrived by then is answered 408 and closed, so no client can hold a connection open forever.', check: int(1000, 600000) },
  maxConnections: { type: 'integer', default: 64, unit: 'connections', doc: 'Most P2P connections, inbound plus outbound; further inbound connections are refused.', check: int(0, 100000) },
  targetOutbound: { type: 'integer', default: 8, unit: 'connections', doc: 'Outbound connections the node keeps dialing for (addresses of shards no outbound peer stores first, then seeds, then gossiped addresses), within maxConnections; also the most shards it keeps an outbound peer of (docs/PROTOCOL.md 11.9 "Shard coverage").', check: int(0, 1000) },
  maxMsgLength: { type: 'integer', default: 1048576, unit: 'bytes', doc: 'Largest P2P payload; a frame header declaring more gets the peer disconnected and banned before any payload is buffered.', check: int(1024, 64 * 1048576) },
  handshakeTimeoutMs: { type: 'integer', default: 10000, unit: 'milliseconds', doc: 'A P2P connection that has not finished version/verack by then is closed.', check: int(100, 600000) },
  banTimeMs: { type: 'integer', default: 86400000, unit: 'milliseconds', doc: 'How long the address of a misbehaving peer (bad frames, invalid messages, floods of invalid data) stays banned.', check: int(1000) },
  whitelist: {
    type: 'array of strings',
    default: ['127.0.0.0/8', '::1/128'],
    unit: 'IP addresses or CIDR ranges',
    doc: 'Peers whose address is in one of these ranges are never banned: on misbehaviour they are disconnected only, and they are never evicted to make room for a new inbound peer (like Bitcoin Core\'s -whitelist=noban). Loopback by default, so one bad frame from a local tool never locks out a local node. [] = ban everyone who misbehaves.',
    check: (v) => {
      if (!Array.isArray(v)) return 'must be an array of IP addresses or CIDR ranges ("10.0.0.0/8", "::1/128")';
      if (v.length > 1000) return 'must have at most 1000 entries';
      for (let i = 0; i < v.length; i++) if (!isAddressRange(v[i])) return `[${i}] must be an IP address or a CIDR range such as "10.0.0.0/8" or "fd00::/8"`;
      return null;
    },
  },
  antiEntropyIntervalMs: { type: 'integer', default: 60000, unit: 'milliseconds', doc: 'Every interval the node asks one random peer for its whole inventory and fetches what it lacks (repairs missed relays, e.g. after a partition).', check: int(100, 86400000) },
  getDataTimeoutMs: { type: 'integer', default: 5000, unit: 'milliseconds', doc: 'A version requested with getdata from a peer that has delivered nothing since (no item, no notfound) for this long is asked of the next peer that announced it, and the silent peer earns ban score 20 (docs/PROTOCOL.md 11.7): a peer that announces and never serves delays an item by seconds, not by an anti-entropy round.', check: int(100, 600000) },
  p2pMaxMessagesPerSecond: { type: 'integer', default: 20000, unit: 'messages/s per peer', doc: 'Sustained message rate per peer; above it the node pauses reading from that peer (valid floods are throttled, never banned). Entities answering this node\'s own getdata are not counted (PROTOCOL 11.11).', check: int(1, 1000000) },
  verifyThreads: { type: 'integer', default: 1, unit: 'threads', doc: 'Worker threads that check the signatures of entities (from peers and REST alike: ECDSA, and the BIP340 signatures and curve points of DLC announcements and attestations) ahead of admission, so a second core helps ingest; started with the node (not under its first entity); 0 checks them on the main thread. Admission order is kept either way.', check: int(0, 16) },
  p2pseed: {
    type: 'array of {server, port}',
    default: [],
    doc: 'Peers to dial at start; they are redialed with exponential backoff (1 s doubling to 5 min) whenever not connected.',
    check: (v) => {
      if (!Array.isArray(v)) return 'must be an array of {"server": host, "port": n}';
      if (v.length > 1000) return 'must have at most 1000 entries';
      for (let i = 0; i < v.length; i++) {
        const e = v[i] as Record<string, unknown>;
        if (typeof e !== 'object' || e === null || Array.isArray(e)) return `[${i}] must be an object {"server", "port"}`;
        const extra = Object.keys(e).filter((k) => k !== 'server' && k !== 'port');
        if (extra.length) return `[${i}] has unknown key "${extra[0]}"`;
        if (str(255)(e.server) || !HOST_RE.test(e.server as string)) return `[${i}].server must be a host name or IP address`;
        if (int(1, 65535)(e.port)) return `[${i}].port must be an integer in [1, 65535]`;
      }
      return null;
    },
  },
  p2pKeepAlive: { type: 'integer', default: 30000, unit: 'milliseconds', doc: 'Interval of P2P keepalive pings; a peer silent for three intervals is dropped.', check: int(100, 3600000) },
  hostSeqNo: { type: 'integer', default: 0, doc: 'Version of this node\'s own address announcement; raise it when hostname or p2pPort change so peers replace the old address.', check: int(0) },
  facilitatorId: {
    type: 'object | null',
    default: null,
    doc: 'This facilitator\'s identity served at GET /id: {"manifestUri"?, "pubkey"?, "rewardAddress"?, "pow"?}. Checked at start: rewardAddress must be a Bitcoin address of the configured network (mainnet: bitcoin, testnet: testnet, regtest: regtest); a pow must be a valid hashcash over rewardAddress; a manifestUri must be https (http only with isTest) and needs pubkey (33-byte compressed key, hex). The manifest is then fetched and verified in the background like an oracle\'s (it must name pubkey, be signed by it, for the host it is served from) and re-checked every manifestRecheckIntervalMs; GET /id shows the outcome. An unreachable website never stops the node: it is logged as a warning and shown as manifestVerified false.',
    check: (v) => {
      if (v === null) return null;
      if (typeof v !== 'object' || Array.isArray(v)) return 'must be an object or null';
      const o = v as Record<string, unknown>;
      const extra = Object.keys(o).filter((k) => !['manifestUri', 'pubkey', 'rewardAddress', 'pow'].includes(k));
      if (extra.length) return `has unknown key "${extra[0]}"`;
      if (o.manifestUri !== undefined && str(2048)(o.manifestUri)) return 'manifestUri must be a non-empty string';
      if (o.pubkey !== undefined && (typeof o.pubkey !== 'string' || !PUBKEY_RE.test(o.pubkey))) return 'pubkey must be a 33-byte compressed public key: 66 lowercase hex characters starting with 02 or 03';
      if (o.rewardAddress !== undefined && str(256)(o.rewardAddress)) return 'rewardAddress must be a non-empty string';
      if (o.pow !== undefined && o.rewardAddress === undefined) return 'pow needs rewardAddress (it is work over the reward address)';
      if (o.manifestUri !== undefined && o.pubkey === undefined) return 'manifestUri needs pubkey (the key the manifest must name and be signed by)';
      return null;
    },
  },
  factRequestTimeoutMs: { type: 'integer', default: 10000, unit: 'milliseconds', doc: 'POST /fact-requests: how long the node waits for the oracle\'s fact endpoint (then 502 oracle-unreachable). Endpoints are reached like manifests: https only (http with isTest), no redirects, no private addresses outside isTest.', check: int(100, 120000) },
  factEndpointsAllowPrivate: { type: 'boolean', default: false, doc: 'Let POST /fact-requests and /ohttp-relay reach oracle endpoints on loopback, private or link-local addresses (an oracle on the operator\'s own network); https is still required unless isTest. Off: such endpoints are refused (502 oracle-unreachable), so a capability cannot point the node at its own network.', check: bool },
  maxFactResponseBytes: { type: 'integer', default: 65536, unit: 'bytes', doc: 'Largest answer read from an oracle\'s fact endpoint.', check: int(1024, 1048576) },
  maxFactRequestsInFlight: { type: 'integer', default: 64, unit: 'requests', doc: 'Distinct fact requests forwarded to oracles at once (identical ones share one upstream call); past it 503 proxy-busy.', check: int(1, 10000) },
  factCacheMaxEntries: { type: 'integer', default: 10000, unit: 'facts', doc: 'Facts the node serves again from cache (until their capability\'s factLifetime, or factLifetimeMs); the least recently stored go first.', check: int(1, 10000000) },
  factCacheMaxBytes: { type: 'integer', default: 16777216, unit: 'bytes', doc: 'JSON bytes of cached facts (with factCacheMaxEntries).', check: int(1024) },
  factLifetimeMs: { type: 'integer', default: 60000, unit: 'milliseconds', doc: 'How long a fact is served from cache when its capability states no factLifetime; 0 = never cache.', check: int(0, 365 * 86400000) },
  factLedgerMaxEntries: { type: 'integer', default: 100000, unit: 'facts', doc: 'Verified answers remembered per request (proxied or uploaded with POST /facts) to notice a second, different answer and report the fact-conflict.', check: int(1, 10000000) },
  factLedgerMaxBytes: { type: 'integer', default: 33554432, unit: 'bytes', doc: 'JSON bytes of remembered answers (with factLedgerMaxEntries).', check: int(1024) },
  manifestRecheckIntervalMs: { type: 'integer', default: 900000, unit: 'milliseconds', doc: 'Every website manifest (of each stored oracle ad with a manifestUri, and the facilitator\'s own) is fetched again this often; one that vanished or changed un-verifies.', check: int(100, 7 * 86400000) },
  lnRestHost: { type: 'string | null', default: null, unit: 'host:port', doc: 'The operator\'s LND REST API ("host:port", "[v6]:port"), used to verify Lightning bids (GET /v1/invoice/{payment hash}; in the background, and for a newcomer at a full mempool) and to sell placement (POST /v1/invoices, for POST /placement/invoice); null = bids are not verified and count 0 for ranking, and no placement is sold. Needs lnMacaroonPath and lnTlsCertPath.', check: (v) => str(255, true)(v) ?? (v === null || /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):\d{1,5}$/.test(v as string) ? null : 'must be "host:port"') },
  lnMacaroonPath: { type: 'string | null', default: null, unit: 'file path', doc: 'LND macaroon file for lnRestHost: it must allow reading and creating invoices (LND\'s invoice.macaroon; a read-only one verifies bids, but POST /placement/invoice then answers 502 lnd-unavailable); read at start.', check: str(4096, true) },
  lnTlsCertPath: { type: 'string | null', default: null, unit: 'file path', doc: 'LND\'s TLS certificate (tls.cert, PEM): the only certificate trusted for lnRestHost (pinned; TLS verification is never disabled); read at start.', check: str(4096, true) },
  bidLifetimeMs: { type: 'integer', default: 604800000, unit: 'milliseconds', doc: 'How long a verified Lightning bid counts for ranking, from the settlement of its invoice (as LND reports it; never later than when this node verified it). Then the ad ranks by PoW again until the oracle publishes a new version with a newly paid bid.', check: int(1000, 365 * 86400000) },
  placementMinMsat: { type: 'integer', default: 1000, unit: 'millisatoshi', doc: 'Smallest placement this node sells through POST /placement/invoice (with lnRestHost); GET /id advertises it.', check: int(1, 2 ** 53 - 1) },
  placementInvoiceExpirySeconds: { type: 'integer', default: 3600, unit: 'seconds', doc: 'Expiry of the placement invoices this node issues through its LND (BOLT11 expiry); an oracle must pay before it.', check: int(60, 7 * 86400) },
  dataDir: { type: 'string | null', default: 'data/{p2pPort}', unit: 'folder path', doc: 'Where the mempool journal and snapshot live (relative paths from the working directory); `{p2pPort}` is replaced by the configured p2pPort, so nodes on one machine never share a folder. null = in memory only (nothing survives a restart).', check: str(4096, true) },
  journalFsyncIntervalMs: { type: 'integer', default: 200, unit: 'milliseconds', doc: 'Every accepted or evicted change is written to the journal before the REST answer is sent (so kill -9 loses nothing); fsync to the disk runs at most this often, which bounds what a power loss or kernel crash can take. 0 = fsync every record (slower, see docs/persistence.md).', check: int(0, 60000) },
  journalCompactBytes: { type: 'integer', default: 67108864, unit: 'bytes', doc: 'When the journal grows past this size it is compacted: the mempool is written to a new snapshot (temp file + rename) and the journal emptied.', check: int(4096) },
  httpRateLimitPerSecond: { type: 'integer', default: 50, unit: 'requests/s per client address', doc: 'Sustained REST request rate per client IP (token bucket, see httpRateBurst); above it requests get 429 with Retry-After. 0 = no limit. Loopback clients are exempt unless limitLoopback.', check: int(0, 1000000) },
  httpRateBurst: { type: 'integer', default: 200, unit: 'requests', doc: 'Bucket size of the REST rate limit: requests a client may send at once before httpRateLimitPerSecond applies.', check: int(1, 1000000) },
  maxInboundPerAddress: { type: 'integer', default: 4, unit: 'connections', doc: 'Most inbound P2P connections from one IP address (limits one host filling every slot, a cheap eclipse). Loopback is exempt unless limitLoopback (local test networks connect from 127.0.0.1). 0 = no limit.', check: int(0, 100000) },
  limitLoopback: { type: 'boolean', default: false, doc: 'Apply the per-address limits (httpRateLimitPerSecond, maxInboundPerAddress) to loopback clients too. Off so an operator\'s own tools, benchmarks and local test networks are never throttled.', check: bool },
  logLevel: { type: 'string', default: 'info', doc: 'pino log level: fatal, error, warn, info, debug, trace or silent.', check: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent') },
  // ---- edge and admin (issue #19; docs/operations.md) ----
  httpsPort: { type: 'integer | null', default: null, unit: 'TCP port', doc: 'Port of an HTTPS listener on listenAddress serving the same API as httpPort (0 = any free port); null = no HTTPS. Needs tlsCertPath and tlsKeyPath.', check: (v) => (v === null ? null : int(0, 65535)(v) && 'must be an integer in [0, 65535] or null') },
  tlsCertPath: { type: 'string | null', default: null, unit: 'file path', doc: 'PEM certificate chain of the HTTPS listener; read at start and again on SIGHUP (a renewed certificate is served to new connections without a restart).', check: str(4096, true) },
  tlsKeyPath: { type: 'string | null', default: null, unit: 'file path', doc: 'PEM private key of tlsCertPath; read at start and on SIGHUP. Keep it mode 0600.', check: str(4096, true) },
  trustProxy: { type: 'array of strings', default: [], unit: 'IP addresses or CIDR ranges', doc: 'Reverse proxies whose X-Forwarded-For header is believed: for a request from one of these, the client address (rate limit, admin address check, logs) is the nearest X-Forwarded-For entry not itself a trusted proxy. [] = the header is ignored and the TCP peer is the client.', check: addressList },
  operatorEndpoints: { type: 'string', default: 'public', doc: 'Who may read GET /metrics, /stats and /peers: "public" (anyone) or "admin" (the admin token from an adminAllowFrom address, like /admin/…; on the admin listener only when adminPort is set). The monitoring page needs /stats and /peers: with "admin" it works only through the admin listener or with the token.', check: oneOf('public', 'admin') },
  adminPort: { type: 'integer | null', default: null, unit: 'TCP port', doc: 'Port of a separate admin listener on adminAddress (0 = any free port): /admin/… (and the operator endpoints when operatorEndpoints is "admin") are served there and no longer on the public listeners. null = /admin/… is served on httpPort and httpsPort.', check: (v) => (v === null ? null : int(0, 65535)(v) && 'must be an integer in [0, 65535] or null') },
  adminAddress: { type: 'string', default: '127.0.0.1', doc: 'Local address the admin listener (adminPort) binds to.', check: (v) => str(255)(v) ?? (HOST_RE.test(v as string) ? null : 'must be an IP address or host name') },
  adminAllowFrom: { type: 'array of strings', default: ['127.0.0.0/8', '::1/128'], unit: 'IP addresses or CIDR ranges', doc: 'Client addresses admin requests are accepted from (after trustProxy); others get 403 admin-forbidden even with the right token. Loopback by default.', check: addressList },
  adminCookiePath: { type: 'string | null', default: null, unit: 'file path', doc: 'Where the node writes the admin bearer token at each start (mode 0600, a fresh random token each time, removed at stop; like bitcoind\'s .cookie). null = `.cookie` in dataDir; with dataDir null too, the admin API is off.', check: str(4096, true) },
};
