/** dlc/types.ts - the decoded shapes of dlcspecs oracle messages and the signing versions. Imports nothing. */

/**
 * How an oracle hashes what it signs (docs/dlc.md "Signing versions"):
 * - `dlcspecs-v0`: BIP340 over tagged hashes, `DLC/oracle/announcement/v0` of the whole
 *   `oracle_event` TLV and `DLC/oracle/attestation/v0` of each outcome (bitcoin-s, dlcspecs);
 * - `basic-sha256`: BIP340 over plain SHA-256, of the `oracle_event` TLV *value* (no type and
 *   length) and of each outcome (sibyls `SigningVersion::Basic`, its deployed default).
 */
export type SigningVersion = 'dlcspecs-v0' | 'basic-sha256';

/** Every signing version, for validation of configuration and API input. */
export const SIGNING_VERSIONS: readonly SigningVersion[] = ['dlcspecs-v0', 'basic-sha256'];

/** `enum_event_descriptor` (type 55302): the oracle will sign exactly one of `outcomes`. */
export interface EnumDescriptor {
  kind: 'enum';
  outcomes: string[];
}

/**
 * `digit_decomposition_event_descriptor` (type 55306): the oracle signs `nbDigits` digits in
 * `base`, most significant first, preceded by "+" or "-" when `isSigned`. The real value is the
 * integer times base^precision, in `unit`.
 */
export interface DigitsDescriptor {
  kind: 'digits';
  base: number;
  isSigned: boolean;
  unit: string;
  precision: number;
  nbDigits: number;
}

/** An event descriptor. */
export type EventDescriptor = EnumDescriptor | DigitsDescriptor;

/** `oracle_event` (type 55330). Hex is lowercase. */
export interface OracleEvent {
  /** x-only R values, one per signed outcome, in signing order. */
  nonces: string[];
  /** Earliest time of the attestation, seconds since the epoch (u32). */
  maturityEpoch: number;
  descriptor: EventDescriptor;
  /** May be empty (sibyls publishes empty ids). */
  eventId: string;
}

/** `oracle_announcement` (type 55332). */
export interface OracleAnnouncement {
  /** BIP340 signature over the event, 64 bytes hex. */
  signature: string;
  /** x-only oracle key, 32 bytes hex. */
  oracleKey: string;
  event: OracleEvent;
}

/** `oracle_attestation` (type 55400). */
export interface OracleAttestation {
  eventId: string;
  oracleKey: string;
  /** BIP340 signatures in the order of the event's nonces, 64 bytes hex each. */
  signatures: string[];
  /** The signed outcome strings, one per signature. */
  outcomes: string[];
}
