/**
 * contract/index.ts - Bitcoin DLCs settled by Mega oracles (issue #18), dlcspecs v0: ECDSA adaptor
 * signatures, the funding / CET / refund transactions, numeric payout curves and the signing
 * exchange as pure functions. Imports only dlc and its libraries (bitcoinjs-lib, tiny-secp256k1,
 * @noble/curves); never api, p2p, mempool, service or node.ts. Specified in docs/contracts.md.
 */
export type { ContractErrorCode } from './errors.ts';
export { ContractError } from './errors.ts';
export type { DlcTxParams, FundingInput, PartyParams, Payout } from './types.ts';
export { ADAPTOR_SIG_BYTES, adaptorDecrypt, adaptorEncrypt, adaptorRecover, adaptorVerify, isCompressedPoint } from './adaptor.ts';
export type { FeeInputs, PartyFees } from './fees.ts';
export { changeValue, partyFees, weightToFee } from './fees.ts';
export type { DlcTransactions } from './tx.ts';
export { buildDlcTransactions, closingSighash, contractId, fundingWitnessScript, isP2wpkh, multisigWitness, signP2wpkhInput } from './tx.ts';
export type { CurvePoint, NumericCet, NumericPayoutCurve, PayoutRange, RoundingInterval } from './numeric.ts';
export { decompose, groupByIgnoringDigits, numericCets, payoutRanges } from './numeric.ts';
export type { CetPlan, ContractDescriptor, OracleTerms, Unlock } from './plan.ts';
export { planCets, unlockFor } from './plan.ts';
export type { AcceptMessage, ContractBuild, ContractState, OfferTerms, PartySecrets, SignMessage } from './session.ts';
export { acceptOffer, buildContract, completeCet, executeCet, finalizeFunding, signAccepted, signedRefund, verifyRemoteSignatures } from './session.ts';
export * as contractLimits from './constants.ts';
export {
  CHAIN_HASHES,
  DLC_PROTOCOL_VERSION,
  MAX_DLC_MESSAGE_BYTES,
  MSG_ACCEPT_DLC,
  MSG_OFFER_DLC,
  MSG_SIGN_DLC,
  decodeAcceptDlc,
  decodeOfferDlc,
  decodeSignDlc,
  encodeAcceptDlc,
  encodeOfferDlc,
  encodeSignDlc,
} from './messages.ts';
