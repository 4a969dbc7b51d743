/** contract/errors.ts - ContractError: what is wrong with a contract's terms, signatures or transactions, with a literal code. Imports nothing. */

/** Why a contract step refused its input. */
export type ContractErrorCode =
  | 'bad-adaptor-signature' // an adaptor signature that does not parse (length, point, s_a range)
  | 'adaptor-verify-failed' // a counterparty adaptor signature that does not verify for its CET and point
  | 'bad-signature' // a counterparty ECDSA signature (refund, funding input) that does not verify
  | 'bad-point' // a key or point that is not on the curve
  | 'bad-terms' // contract terms out of range (collateral, payouts, locktimes, fee rate, outcomes)
  | 'insufficient-funds' // a party's inputs do not cover collateral plus fees
  | 'dust-change' // a change output would be below the dust limit (dlcspecs: add funding)
  | 'bad-input' // a funding input that is not P2WPKH, duplicated, or a serial id reused
  | 'wrong-state' // a step called on a contract in another state (e.g. signing funding twice)
  | 'no-cet' // an attestation that no CET of the contract covers
  | 'bad-attestation' // an attestation that does not verify against the contract's announcement
  | 'bad-message'; // a dlcspecs offer_dlc / accept_dlc / sign_dlc that does not decode (the message names the field)

/** A contract step refused its input. Carries no key material. */
export class ContractError extends Error {
  override name = 'ContractError';
  readonly code: ContractErrorCode;
  constructor(code: ContractErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
