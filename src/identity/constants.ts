/** identity/constants.ts - limits and timings of bid verification and manifest checks (units in the names). Imports nothing. */

/** Deadline of one LND invoice lookup. */
export const LND_TIMEOUT_MS = 5_000;
/** LND lookups in flight at once. */
export const LND_MAX_CONCURRENT = 4;
/** Oracles waiting for a bid lookup. */
export const BID_MAX_QUEUED = 10_000;
/** A settled, cancelled or unknown invoice is not asked again for this long. */
export const BID_CACHE_TTL_MS = 60 * 60_000;
/** An error or an open invoice is asked again after this long. */
export const BID_RETRY_TTL_MS = 30_000;
/** Unverified Lightning bids are re-checked this often. */
export const BID_RECHECK_INTERVAL_MS = 60_000;
/** LND answers cached at most (one per payment hash and amount). */
export const BID_CACHE_MAX_ENTRIES = 10_000;
/** Bytes of cached LND answers at most, measured as JSON (an answer may be up to 256 KiB, so the count alone is not a bound). */
export const BID_CACHE_MAX_BYTES = 8 * 1024 * 1024;

/** Deadline of one manifest fetch. */
export const MANIFEST_TIMEOUT_MS = 5_000;
/** Largest manifest read (a manifest is four short members). */
export const MANIFEST_MAX_BYTES = 16 * 1024;
/** Manifest fetches in flight at once. */
export const MANIFEST_MAX_CONCURRENT = 4;
/** Oracles waiting for a manifest fetch. */
export const MANIFEST_MAX_QUEUED = 10_000;
// The manifest re-check period is the config key manifestRecheckIntervalMs (default 15 min).
