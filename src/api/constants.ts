/** api/constants.ts - limits and paths of the monitoring surface (live events, metrics, Swagger UI), with their units. Imports nothing. */

/** Path of the WebSocket live feed. */
export const EVENTS_PATH = '/events';
/** Where Swagger UI is served. */
export const DOCS_PATH = '/docs';
/** The spec Swagger UI loads: the node's own copy, whose `servers` names this node, so "Try it out" targets it. */
export const SPEC_URL_PATH = '/wolfram-mega-spec.yaml';

/** Most live-feed clients at once; more get HTTP 503 at the upgrade (each costs a socket and a send queue). */
export const LIVE_MAX_CLIENTS = 64;
/**
 * Messages handed to a client's socket but not yet flushed to the kernel. The kernel absorbs a
 * few MB per loopback socket first, so this only fills when a client stops reading; at the limit
 * the client is dropped (close 1013) rather than buffered without bound.
 */
export const LIVE_MAX_QUEUED_MESSAGES = 1000;
/** Bytes waiting in user space for one client (ws `bufferedAmount`); over it the client is dropped, as above. */
export const LIVE_MAX_BUFFERED_BYTES = 1024 * 1024;
/** A dropped or closing client gets this long to take its close frame, then its socket is destroyed. */
export const LIVE_CLOSE_GRACE_MS = 2000;
/** Ping interval; a client that has not answered the previous ping by the next one is cut (dead TCP). */
export const LIVE_PING_INTERVAL_MS = 30_000;
/** Events kept for clients that reconnect and resume (`since`); older ones are gone and the client is told to list again. */
export const LIVE_REPLAY_MAX_EVENTS = 10_000;
/** Bytes of those events (JSON) at most. */
export const LIVE_REPLAY_MAX_BYTES = 8 * 1024 * 1024;
/** Largest message a client may send (the feed is one-way; anything bigger closes with 1009). */
export const LIVE_MAX_INBOUND_BYTES = 1024;

/** Seconds of history in the accepted-per-second series of GET /stats. */
export const STATS_WINDOW_SECONDS = 60;
/** Distinct rejection reasons tallied per type in GET /stats before the rest count as "other" (reasons are code-defined; this is a backstop). */
export const STATS_MAX_REASONS = 64;

/** Upper bounds (seconds) of the HTTP latency histogram buckets. */
export const HTTP_LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Minutes of per-minute history kept (24 h): GET /stats/history and the page's charts. */
export const HISTORY_MINUTES = 1440;
/** The history's file in the data folder (one checksummed JSON line per minute, persist/codec.ts). */
export const HISTORY_FILE = 'monitor-history.log';
/** How often the history samples peers, bytes, memory and disk (several times a minute, so every minute the node runs has its gauges). */
export const HISTORY_SAMPLE_INTERVAL_MS = 20_000;
/** How often the history is written to its file (and at stop). */
export const HISTORY_SAVE_INTERVAL_MS = 60_000;
/** Rejection reason codes kept per minute before the rest count as "other" (bounds a minute's line). */
export const HISTORY_MAX_REASONS = 16;
/** The history is not written when the data folder's volume would keep less than this free (the mempool journal has priority). */
export const HISTORY_RESERVE_BYTES = 1024 * 1024;
/** A history file larger than this is not read (it cannot be ours: 1,440 bounded lines stay far below): set aside. */
export const HISTORY_MAX_FILE_BYTES = 8 * 1024 * 1024;

/** Recent rejections kept for GET /stats/rejections (newest first), by count */
export const REJECTIONS_MAX = 100;
/** and by bytes (texts are clipped, so this bounds the rare long ones). */
export const REJECTIONS_MAX_BYTES = 64 * 1024;
/** Longest time GET /monitor/oracles reuses the rank-order prefix it walked (changes empty it at once; this bounds what an eventless re-rank, a verified bid, leaves stale). */
export const ORACLE_PREFIX_TTL_MS = 5_000;
