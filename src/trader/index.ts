/**
 * trader/index.ts - the contract engine of a trader daemon (issue #18): makes and takes offers,
 * runs the dlcspecs exchange with the counterparty's daemon over signed envelopes, keeps each
 * contract's state durably and settles it on chain by CET or refund. Composes contract, dlc,
 * protocol, wallet and chain through ports; opens no sockets. Specified in docs/contracts.md.
 */
export { Engine, summarize } from './engine.ts';
export { EngineError } from './errors.ts';
export type { EngineErrorCode } from './errors.ts';
export { MAX_BODY_HEX, parseEnvelope, signEnvelope, verifyEnvelope } from './envelope.ts';
export { DEFAULT_STORE_LIMITS } from './store.ts';
export type { ContractRecord, StoreLimits } from './store.ts';
export type { ContractEngine, ContractPhase, ContractSummary, CounterpartyPort, EngineDeps, Envelope, MegaPort } from './types.ts';
