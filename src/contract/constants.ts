/** contract/constants.ts - dlcspecs v0 transaction constants and the limits of a contract. Imports nothing. */

/** Transactions.md: an output below 1,000 sat is not produced (CETs) or not allowed (change). */
export const DUST_LIMIT_SAT = 1000n;
/** Transactions.md: every DLC transaction is version 2. */
export const TX_VERSION = 2;
/** Transactions.md: CET and refund input sequence (enables nLockTime, no RBF signalling). */
export const CLOSING_SEQUENCE = 0xfffffffe;
/** Funding inputs with funding locktime 0: final (rust-dlc uses the same). */
export const FUNDING_SEQUENCE = 0xffffffff;
/** Transactions.md "max_witness_len" of a P2WPKH input with a 72-byte signature. */
export const P2WPKH_MAX_WITNESS_LEN = 108;
/** Bytes of a P2WPKH output script (OP_0 <20 bytes>). */
export const P2WPKH_SPK_BYTES = 22;
/** nLockTime values below this are block heights, from it on Unix times (Bitcoin consensus). */
export const LOCKTIME_THRESHOLD = 500_000_000;
/** Bitcoin's total supply in satoshis: no amount may exceed it. */
export const MAX_MONEY_SAT = 21_000_000n * 100_000_000n;
/** Most CETs one contract may have (a 1,000-outcome enum fits; bounds memory and signing time). */
export const MAX_CETS = 20_000;
/** Most funding inputs per party. */
export const MAX_FUNDING_INPUTS = 64;
/** Highest fee rate accepted, sat/vB (guards against a unit mistake burning the collateral). */
export const MAX_FEE_RATE_SAT_VB = 10_000n;
/** Most values a numeric event's domain may span when its payout curve is evaluated (base^nbDigits). */
export const MAX_NUMERIC_DOMAIN = 2n ** 64n;
/** Most pieces in a payout curve and most rounding intervals. */
export const MAX_CURVE_POINTS = 256;
/** Most outcomes a polynomial (non-linear) payout curve piece may span: each is evaluated on its own. */
export const MAX_POLYNOMIAL_PIECE_OUTCOMES = 65_536n;
