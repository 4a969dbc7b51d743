/** dlc/verify.ts - verification of an announcement under a signing version, and of an attestation against its announcement. Imports only dlc. */
import { fromHex } from './bytes.ts';
import { encodeOracleEvent, encodeOracleEventValue, noncesNeeded } from './codec.ts';
import { DlcError } from './errors.ts';
import { checkOutcomes } from './outcomes.ts';
import { announcementMessage, attestationMessage, isXOnlyPoint, verifySchnorr } from './schnorr.ts';
import type { OracleAnnouncement, OracleAttestation, SigningVersion } from './types.ts';

/**
 * Check a decoded announcement: nonce count and distinct nonces (again, for hand-built
 * objects), oracle key and every nonce on the curve, and the BIP340 signature over the event
 * under `version`. Returns null when valid, else the first failure (cheapest checks first).
 */
export function verifyAnnouncement(a: OracleAnnouncement, version: SigningVersion): DlcError | null {
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
      if (!isXOnlyPoint(fromHex(n))) return new DlcError('bad-point', `nonce ${n} is not on the curve`);
    }
  } catch (e) {
    return e instanceof DlcError ? e : new DlcError('bad-hex', String(e));
  }
  if (!isXOnlyPoint(key)) return new DlcError('bad-point', 'oracle key is not on the curve');
  const msg = announcementMessage(version, encodeOracleEvent(event), encodeOracleEventValue(event));
  if (!verifySchnorr(sig, msg, key)) return new DlcError('bad-signature', `announcement signature does not verify under ${version}`);
  return null;
}

/**
 * Check an attestation against the announcement it answers (which the caller has verified):
 * same oracle key and event id, one signature per committed nonce, each signature's R equal to
 * the nonce at its position, outcomes valid for the descriptor, and every BIP340 signature
 * valid under `version`. Returns null when valid.
 */
export function verifyAttestation(ann: OracleAnnouncement, att: OracleAttestation, version: SigningVersion): DlcError | null {
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
  let key: Uint8Array;
  try {
    key = fromHex(att.oracleKey);
    for (let i = 0; i < nonces.length; i++) {
      const sig = fromHex(att.signatures[i]!);
      if (!verifySchnorr(sig, attestationMessage(version, att.outcomes[i]!), key)) {
        return new DlcError('bad-signature', `signature ${i} does not verify under ${version}`);
      }
    }
  } catch (e) {
    return e instanceof DlcError ? e : new DlcError('bad-hex', String(e));
  }
  return null;
}
