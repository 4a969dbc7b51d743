/** dlc/constants.ts - dlcspecs TLV type numbers, hash tags and the size limits of the DLC oracle codec. Imports nothing. */

/** `enum_event_descriptor` (dlcspecs Messaging.md). */
export const TLV_ENUM_EVENT_DESCRIPTOR = 55302;
/** `digit_decomposition_event_descriptor` (dlcspecs Messaging.md). */
export const TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR = 55306;
/** `oracle_event` (dlcspecs Messaging.md). */
export const TLV_ORACLE_EVENT = 55330;
/** `oracle_announcement` (dlcspecs Messaging.md). */
export const TLV_ORACLE_ANNOUNCEMENT = 55332;
/** `oracle_attestation` (dlcspecs Messaging.md, the layout with event id and outcomes, Feb 2021 on). */
export const TLV_ORACLE_ATTESTATION = 55400;

/** dlcspecs Oracle.md "Signing Algorithm": tag_hash("DLC/oracle/" || tag) with tag `announcement/v0`. */
export const TAG_ANNOUNCEMENT_V0 = 'DLC/oracle/announcement/v0';
/** dlcspecs Oracle.md: outcome values are signed with the tag `attestation/v0`. */
export const TAG_ATTESTATION_V0 = 'DLC/oracle/attestation/v0';
/** BIP340's challenge tag. */
export const TAG_BIP340_CHALLENGE = 'BIP0340/challenge';

/**
 * Largest announcement or attestation accepted, in bytes. A 255-digit signed attestation is
 * 3 + 2 + 33 + 256*64 + 256*2 ≈ 17 KiB; an enum of 1,024 outcomes of 32 bytes ≈ 34 KiB.
 */
export const MAX_MESSAGE_BYTES = 65_536;
/** Most digits a digit-decomposition event may have (base 2 × 255 digits covers any u255). */
export const MAX_DIGITS = 255;
/** Most nonces an event may commit to: MAX_DIGITS plus the sign nonce. */
export const MAX_NONCES = MAX_DIGITS + 1;
/** Most outcomes an enum event may list. */
export const MAX_ENUM_OUTCOMES = 1_024;
/** Longest string (outcome, unit, event id), in UTF-8 bytes. */
export const MAX_STRING_BYTES = 4_096;
/** Smallest base of a digit decomposition (base 1 cannot represent anything). */
export const MIN_BASE = 2;
/** Largest base: the field is a u16 on the wire (see docs/dlc.md on bigsize vs u16). */
export const MAX_BASE = 65_535;

/** Bytes in an x-only public key or nonce (BIP340). */
export const XONLY_BYTES = 32;
/** Bytes in a BIP340 signature. */
export const SIGNATURE_BYTES = 64;
