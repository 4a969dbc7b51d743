/** trader/errors.ts - EngineError: why the contract engine refused a request or an envelope, with a literal machine-readable code. Imports nothing. */

/** Why the engine refused. The daemon maps each to an HTTP 4xx with the code as `code` (docs/contracts.md "The exchange between trader daemons"). */
export type EngineErrorCode =
  | 'bad-envelope' // not an envelope: shape, field types, sizes
  | 'bad-envelope-signature' // the envelope's signature does not verify under its `from`
  | 'wrong-sender' // `from` is not the key this exchange is bound to (the maker's offer key, the taker's take key)
  | 'bad-message' // the dlcspecs body does not decode, or its ids do not match the exchange
  | 'unknown-offer' // no such offer (board or this maker)
  | 'own-offer' // a trader taking its own offer
  | 'offer-not-open' // the offer is cancelled or its status is not open
  | 'offer-expired' // past its expiresAt
  | 'offer-taken' // another exchange holds the offer (negotiating or signed)
  | 'bad-offer' // the offer's signature or id does not check, or its content is unusable
  | 'unknown-exchange' // no exchange with that id on this offer (expired, aborted, never started)
  | 'wrong-phase' // a message the contract's phase does not expect
  | 'conflicting-message' // a re-sent message that differs from the one already answered
  | 'terms-mismatch' // the counterparty's terms differ from the board offer
  | 'unknown-announcement' // the offer's announcement is not stored on the node
  | 'bad-announcement' // it does not verify under the capability's DLC key or does not match the offer
  | 'already-attested' // the event is already attested: nobody should take the bet
  | 'oracle-conflicted' // the node holds a proof against the oracle
  | 'chain-mismatch' // the offer's chain is not the chain backend's
  | 'fee-too-high' // the offer's fee rate is above the taker's maxFeeRate
  | 'adaptor-verify-failed' // a counterparty CET adaptor signature does not verify
  | 'bad-signature' // a counterparty refund or funding signature does not verify
  | 'bad-attestation' // an attestation that does not verify against the contract's announcement
  | 'refund-not-final' // refund asked before its nLockTime
  | 'unknown-contract' // no contract with that id
  | 'insufficient-funds' // the wallet cannot cover collateral plus fees
  | 'store-full' // the contract store's count or byte limit
  | 'peer-unreachable' // the counterparty did not answer (retried by tick)
  | 'peer-refused' // the counterparty answered with an error (its code is in the message)
  | 'node' // the Mega node refused or failed (its code is in the message)
  | 'chain' // the chain backend failed or refused a transaction
  | 'closed'; // the engine was closed

/** The highest offer fee rate (sat/vB) a taker accepts unless configured (EngineDeps.maxFeeRate). */
export const DEFAULT_MAX_FEE_RATE = 200;

/** A refusal of the engine. Never carries key material. */
export class EngineError extends Error {
  override name = 'EngineError';
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The code of an error thrown by a port (MegaPort, CounterpartyPort, ChainBackend, Wallet), if it carries one. */
export function codeOf(e: unknown): string | null {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : null;
}

/** A short text of any thrown value, for records and messages. */
export function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 500 ? `${m.slice(0, 500)}…` : m;
}
