/** wallet/errors.ts - WalletError: the one error the wallet throws, with a machine-readable code. Imports nothing. */

/**
 * `insufficient-funds`, `unknown-reservation`, `unknown-key`: see the Wallet interface.
 * `corrupt-state`: the seed or state file cannot be read as what it must be (the message names the path).
 * `chain`: the chain backend failed (its ChainError is the `cause`) or serves another chain than the wallet's.
 * `limit`: a count or byte bound of the wallet would be exceeded (coins, reservations, slots, ids).
 * `seed`: the seed file is unsafe (group/other may read it) or does not match the mnemonic given.
 * `in-use`: another live process holds the wallet folder.
 */
export type WalletErrorCode = 'insufficient-funds' | 'unknown-reservation' | 'unknown-key' | 'corrupt-state' | 'chain' | 'limit' | 'seed' | 'in-use';

export class WalletError extends Error {
  override readonly name = 'WalletError';
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
