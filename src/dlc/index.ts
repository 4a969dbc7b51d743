/**
 * dlc/index.ts - the DLC oracle cryptography core (issue #15): dlcspecs oracle_announcement /
 * oracle_attestation codec, verification under two signing versions, equivocation and
 * nonce-reuse proofs, and oracle-side signing. Pure: imports only its libraries (tiny-secp256k1,
 * @noble/curves) and node:crypto; never mempool, service, api, p2p, wire, config or node.ts.
 * The formats and checks are specified in docs/dlc.md.
 */
export type { DlcErrorCode } from './errors.ts';
export { DlcError } from './errors.ts';
export type { DigitsDescriptor, EnumDescriptor, EventDescriptor, OracleAnnouncement, OracleAttestation, OracleEvent, SigningVersion } from './types.ts';
export { SIGNING_VERSIONS } from './types.ts';
export {
  decodeAnnouncement,
  decodeAttestation,
  decodeOracleEvent,
  encodeAnnouncement,
  encodeAttestation,
  encodeDescriptor,
  encodeOracleEvent,
  noncesNeeded,
} from './codec.ts';
export type { SchnorrChecks } from './verify.ts';
export { INLINE_SCHNORR, verifyAnnouncement, verifyAttestation, verifyAttestationSignatures } from './verify.ts';
export type { EquivocationProof, NonceReuseProof } from './proofs.ts';
export { checkEquivocation, checkNonceReuse, equivocationOf, nonceReuseOf } from './proofs.ts';
export type { AnnouncementInit, AttestationInit } from './sign.ts';
export { secretFromHex, signAnnouncement, signAttestation } from './sign.ts';
export { freshNonceSecrets, isXOnlyPoint, xOnlyFromSecret } from './schnorr.ts';
export { checkOutcomes, decodeDigitOutcomes, maxDigitValue, outcomeLayout, outcomesForValue } from './outcomes.ts';
export type { AnnouncementSummary } from './describe.ts';
export { describeAnnouncement } from './describe.ts';
export { fromHex, toHex } from './bytes.ts';
export * as dlcLimits from './constants.ts';
