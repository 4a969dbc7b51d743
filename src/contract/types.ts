/** contract/types.ts - the shapes of a dlcspecs v0 contract: party parameters, funding inputs, payouts. Imports nothing. */

/** A P2WPKH output a party spends into the funding transaction. */
export interface FundingInput {
  /** Previous transaction id, 32 bytes hex in display order (as bitcoind prints it). */
  txid: string;
  vout: number;
  /** Value of the previous output, satoshis. */
  value: bigint;
  /** Script of the previous output: P2WPKH (OP_0 <20-byte key hash>). */
  scriptPubKey: Uint8Array;
  /** dlcspecs `input_serial_id`: inputs are ordered by it, ascending. */
  serialId: bigint;
  /** dlcspecs `max_witness_len` (108 for P2WPKH). */
  maxWitnessLen: number;
  /**
   * The whole previous transaction (dlcspecs `funding_input.prev_tx`), as the wire carries it:
   * required to encode offer_dlc / accept_dlc, filled in by their decoders (which check that
   * txid, value and scriptPubKey above are the ones it holds). Not needed to build transactions.
   */
  prevTx?: Uint8Array;
}

/** What one party brings to a contract (dlcspecs offer_dlc / accept_dlc fields). */
export interface PartyParams {
  /** Compressed 33-byte key of the 2-of-2 funding output. */
  fundPubkey: Uint8Array;
  /** Script the party's CET and refund output pays to. */
  payoutSpk: Uint8Array;
  payoutSerialId: bigint;
  /** Script of the party's change output in the funding transaction. */
  changeSpk: Uint8Array;
  changeSerialId: bigint;
  inputs: FundingInput[];
  /** The party's collateral, satoshis. */
  collateral: bigint;
}

/** Each party's payout of one CET, satoshis; the two add up to the total collateral. */
export interface Payout {
  offer: bigint;
  accept: bigint;
}

/** Everything the funding, CET and refund transactions depend on. */
export interface DlcTxParams {
  offer: PartyParams;
  accept: PartyParams;
  /** One payout per CET, in CET order. */
  payouts: readonly Payout[];
  /** Fee rate, sat/vB. */
  feeRate: bigint;
  /** nLockTime of every CET (dlcspecs `cet_locktime`, the event maturity or earlier). */
  cetLocktime: number;
  /** nLockTime of the refund (dlcspecs `refund_locktime`). */
  refundLocktime: number;
  /** dlcspecs `fund_output_serial_id`: orders the funding output among the change outputs. */
  fundOutputSerialId: bigint;
}
