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

/** Default time a verified bid counts (config bidLifetimeMs): seven days from the invoice's settlement. */
export const BID_LIFETIME_MS = 7 * 24 * 3_600_000;
/** Paid invoices remembered (payment hash -> oracle, amount, window); only paid invoices enter, so flushing it costs payments. */
export const BID_PAID_MAX_ENTRIES = 100_000;
/** Deadline of one LND lookup made for an admission at a full mempool (shorter than LND_TIMEOUT_MS: the newcomer waits for it). */
export const BID_ADMISSION_TIMEOUT_MS = 2_000;
/** Admission-time bid lookups in flight at once, over all sources; beyond it a newcomer is refused for rank at once. */
export const BID_ADMISSION_MAX_PENDING = 32;
/** Admission-time bid lookups one source (an HTTP client address, a peer) may start at once… */
export const BID_ADMISSION_BURST = 4;
/** …and then one more per this many milliseconds. */
export const BID_ADMISSION_REFILL_MS = 15_000;
/** Sources whose admission-time lookup budget is tracked (least recently used dropped first). */
export const BID_ADMISSION_MAX_SOURCES = 10_000;

/** Placement invoices this node sold and still answers status polls for. */
export const PLACEMENT_MAX_INVOICES = 10_000;
/** A placement status poll reuses an answer about an open invoice for at most this long. */
export const PLACEMENT_POLL_MAX_AGE_MS = 1_000;
