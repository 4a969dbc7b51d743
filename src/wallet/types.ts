/** wallet/types.ts - what the trader engine needs from its wallet (BIP84 HD keys, P2WPKH coins). Imports contract types. */
import type { FundingInput } from '../contract/types.ts';

export interface WalletBalance {
  /** Confirmed, unreserved, spendable satoshis. */
  available: bigint;
  /** Satoshis in coins reserved for contracts not yet funded. */
  reserved: bigint;
  /** Satoshis in unconfirmed incoming coins. */
  pending: bigint;
}

/**
 * One trader's wallet. Keys come from a BIP84 seed in a 0600 file and never leave the process;
 * state (address indexes, scan height, coins, reservations) is written durably before any method
 * that changed it resolves. Methods throw WalletError (wallet/errors.ts) with a machine-readable
 * `code`: `insufficient-funds`, `unknown-reservation`, `unknown-key`, `corrupt-state`, `chain`,
 * `limit` (a count/byte bound, e.g. an id over 256 bytes), `seed` (unsafe or mismatched seed file), `in-use` (another process holds the folder).
 * Implementation: wallet/wallet.ts `HdWallet`.
 */
export interface Wallet {
  /** Scan blocks the wallet has not seen (from its birthday height), updating coins; handles reorgs of the recent tip. */
  sync(): Promise<void>;
  /** A fresh receive script (P2WPKH) on the external chain m/84'/c'/0'/0/i. */
  newReceiveScript(): Promise<Uint8Array>;
  /** A fresh change script (P2WPKH) on the internal chain m/84'/c'/0'/1/i. */
  newChangeScript(): Promise<Uint8Array>;
  balance(): WalletBalance;
  /**
   * Select confirmed coins worth at least `amount` sat and reserve them under `id` (idempotent: the
   * same id returns the same coins). Inputs carry `serialId` random 64-bit values and
   * `maxWitnessLen` 108. Throws `insufficient-funds`.
   */
  reserve(id: string, amount: bigint): Promise<FundingInput[]>;
  /** Give the coins of reservation `id` back (an aborted contract). Unknown id: no-op. */
  release(id: string): Promise<void>;
  /** The private key of one of the wallet's coins (a reserved funding input). Throws `unknown-key`. */
  inputSecret(input: FundingInput): Uint8Array;
  /**
   * The contract key for contract slot `id` (m/84'/c'/1'/0/i: a branch no address uses), the same
   * key for the same id across restarts. Returns the 33-byte compressed public key.
   */
  contractKey(id: string): Promise<Uint8Array>;
  /** The private key behind `contractKey(id)`. Throws `unknown-key`. */
  contractSecret(id: string): Uint8Array;
  /** Mark coins spent by a transaction the trader broadcast (funding), before the chain confirms it. */
  markSpent(txHex: string): Promise<void>;
}
