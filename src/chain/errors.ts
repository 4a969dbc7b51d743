/** chain/errors.ts - ChainError: the one error a chain backend throws, with a machine-readable code. Imports nothing. */

/**
 * `unreachable`: connection refused/reset, timeout, authentication refused (401/403).
 * `rejected`: the node refused a transaction; `message` carries the node's reason (e.g. "non-final").
 * `bad-response`: the node answered something that is not a well-formed JSON-RPC reply of the
 * expected shape (garbage, an oversized body, an RPC error where a result was due).
 */
export type ChainErrorCode = 'unreachable' | 'rejected' | 'bad-response';

export class ChainError extends Error {
  override readonly name = 'ChainError';
  constructor(
    readonly code: ChainErrorCode,
    message: string,
    /** bitcoind's JSON-RPC error code when the node sent one (e.g. -26 RPC_VERIFY_REJECTED). */
    readonly rpcCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
