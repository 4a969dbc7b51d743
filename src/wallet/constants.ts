/** wallet/constants.ts - the wallet's bounds and BIP numbers, with their reasons. Imports nothing. */

/** BIP44 gap limit: addresses scanned past the last used one on each chain (external, internal). */
export const GAP_LIMIT = 20;
/** Recent block hashes kept to detect a reorg of the tip (a reorg deeper than this rescans from the birthday). */
export const REORG_WINDOW_BLOCKS = 144;
/** Spent coins are dropped once their spend is this deep (past any reorg the window handles). */
export const PRUNE_SPENT_DEPTH = REORG_WINDOW_BLOCKS;
/** Regtest/mainnet coinbase maturity (consensus). */
export const COINBASE_MATURITY = 100;
/** Most unspent + recently spent coins tracked. */
export const MAX_COINS = 10_000;
/** Most open reservations. */
export const MAX_RESERVATIONS = 1_000;
/** Most coins in one reservation. */
export const MAX_RESERVATION_COINS = 100;
/** Most contract key slots. */
export const MAX_SLOTS = 100_000;
/** Longest reservation or slot id, UTF-8 bytes. */
export const MAX_ID_BYTES = 256;
/** Largest state file read or written. */
export const MAX_STATE_BYTES = 32 * 1024 * 1024;
/** Largest seed file read (24 English words are under 250 bytes). */
export const MAX_SEED_BYTES = 4096;
/** Highest non-hardened BIP32 index. */
export const MAX_INDEX = 0x7fffffff;
/** Persist a long scan at least every this many blocks (a crash mid-scan resumes from there). */
export const SCAN_CHECKPOINT_BLOCKS = 500;
/** BIP141 P2WPKH witness: 1 (items) + 1+72 (signature) + 1+33 (key) bytes; dlcspecs max_witness_len. */
export const P2WPKH_MAX_WITNESS_LEN = 108;
