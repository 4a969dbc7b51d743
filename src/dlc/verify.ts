/** dlc/verify.ts - verification of an announcement under a signing version, and of an attestation against its announcement, with the curve checks answered by a {@link SchnorrChecks} (inline by default; a node may gather them for a verifier thread). Imports only dlc. */
import { fromHex } from './bytes.ts';
import { encodeOracleEvent, encodeOracleEventValue, noncesNeeded } from './codec.ts';
import { DlcError } from './errors.ts';
import { checkOutcomes } from './outcomes.ts';
import { announcementMessage, attestationMessage, isXOnlyPoint, verifySchnorr } from './schnorr.ts';
import type { OracleAnnouncement, OracleAttestation, SigningVersion } from './types.ts';

/**
 * The two curve checks of DLC verification. The verify functions below call them in a fixed order
 * for a given input (every nonce, then the key, then the signature for an announcement; one
 * signature per outcome, in order, for an attestation), so a caller may gather the checks in a
 * first pass (answering true) and answer them from work done elsewhere in a second
 * (protocol/schnorr-scope.ts). Neither may throw.
 */
export interface SchnorrChecks {
  /** Is `xOnly` (32 bytes) the x coordinate of a curve point? */
  point(xOnly: Uint8Array): boolean;
  /** BIP340 verify of a 64-byte signature over a 32-byte message by a 32-byte x-only key. */
  verify(sig: Uint8Array, msg32: Uint8Array, xOnlyKey: Uint8Array): boolean;
}

/** Both checks on the curve, now (tiny-secp256k1). */
export const INLINE_SCHNORR: SchnorrChecks = Object.freeze({ point: isXOnlyPoint, verify: verifySchnorr });

/**
 * Check a decoded announcement: nonce count and distinct nonces (again, for hand-built
 * objects), oracle key and every nonce on the curve, and the BIP340 signature over the event
 * under `version`. Returns null when valid, else the first failure (cheapest checks first).
 */
export function verifyAnnouncement(a: OracleAnnouncement, version: SigningVersion, checks: SchnorrChecks = INLINE_SCHNORR): DlcError | null {
  const { event } = a;
  const need = noncesNeeded(event.descriptor);
  if (event.nonces.length !== need) return new DlcError('nonce-count', `${event.nonces.length} nonces, the descriptor needs ${need}`);
  if (new Set(event.nonces).size !== event.nonces.length) return new DlcError('duplicate-nonce', 'a nonce is listed twice');
  let key: Uint8Array;
  let sig: Uint8Array;
  try {
    key = fromHex(a.oracleKey);
    sig = fromHex(a.signature);
    for (const n of event.nonces) {
      if (!checks.point(fromHex(n))) return new DlcError('bad-point', `nonce ${n} is not on the curve`);
    }
  } catch (e) {
    return e instanceof DlcError ? e : new DlcError('bad-hex', String(e));
  }
  if (!checks.point(key)) return new DlcError('bad-point', 'oracle key is not on the curve');
  const msg = announcementMessage(version, encodeOracleEvent(event), encodeOracleEventValue(event));
  if (!checks.verify(sig, msg, key)) return new DlcError('bad-signature', `announcement signature does not verify under ${version}`);
  return null;
}

/**
 * Check an attestation against the announcement it answers (which the caller has verified):
 * same oracle key and event id, one signature per committed nonce, each signature's R equal to
 * the nonce at its position, outcomes valid for the descriptor, and every BIP340 signature
 * valid under `version`. Returns null when valid.
 */
export function verifyAttestation(ann: OracleAnnouncement, att: OracleAttestation, version: SigningVersion, checks: SchnorrChecks = INLINE_SCHNORR): DlcError | null {
  if (att.oracleKey !== ann.oracleKey) return new DlcError('key-mismatch', 'attestation is signed by another oracle key');
  if (att.eventId !== ann.event.eventId) return new DlcError('event-id-mismatch', 'attestation names another event id');
  const nonces = ann.event.nonces;
  if (att.signatures.length !== nonces.length || att.outcomes.length !== nonces.length) {
    return new DlcError('outcome-count', `attestation has ${att.signatures.length} signatures and ${att.outcomes.length} outcomes, the event committed ${nonces.length} nonces`);
  }
  for (let i = 0; i < nonces.length; i++) {
    if (att.signatures[i]!.slice(0, 64) !== nonces[i]) return new DlcError('nonce-mismatch', `signature ${i} does not use the nonce committed at position ${i}`);
  }
  const bad = checkOutcomes(ann.event.descriptor, att.outcomes);
  if (bad) return bad;
  return verifyAttestationSignatures(att, version, checks);
}

/**
 * The signature part of {@link verifyAttestation} alone: signature i over outcome i under
 * `version` by the attestation's key, in order. It needs no announcement, so a node can gather
 * these checks before the announcement is stored; {@link verifyAttestation} is the full check.
 */
export function verifyAttestationSignatures(att: OracleAttestation, version: SigningVersion, checks: SchnorrChecks = INLINE_SCHNORR): DlcError | null {
  try {
    const key = fromHex(att.oracleKey);
    for (let i = 0; i < att.signatures.length; i++) {
      const sig = fromHex(att.signatures[i]!);
      if (!checks.verify(sig, attestationMessage(version, att.outcomes[i] ?? ''), key)) {
        return new DlcError('bad-signature', `signature ${i} does not verify under ${version}`);
      }
    }
  } catch (e) {
    return e instanceof DlcError ? e : new DlcError('bad-hex', String(e));
  }
  return null;
}
