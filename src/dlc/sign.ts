/**
 * dlc/sign.ts - oracle-side signing, pure functions over secret bytes: build and sign an
 * announcement from nonce secrets the caller has already stored, and attest outcomes with
 * those committed nonces. Storing nonce secrets (once, durably, never reused) is the oracle
 * daemon's job, not this module's. Imports only dlc.
 */
import { fromHex, toHex } from './bytes.ts';
import { encodeOracleEvent, encodeOracleEventValue, noncesNeeded } from './codec.ts';
import { DlcError } from './errors.ts';
import { checkOutcomes } from './outcomes.ts';
import { announcementMessage, attestationMessage, signFresh, signWithNonce, xOnlyFromSecret } from './schnorr.ts';
import type { EventDescriptor, OracleAnnouncement, OracleAttestation, OracleEvent, SigningVersion } from './types.ts';
import { verifyAnnouncement } from './verify.ts';

/** What {@link signAnnouncement} needs. */
export interface AnnouncementInit {
  secretKey: Uint8Array;
  /** One secret per nonce the descriptor needs, from {@link freshNonceSecrets}, already stored. */
  nonceSecrets: Uint8Array[];
  maturityEpoch: number;
  descriptor: EventDescriptor;
  eventId: string;
  version: SigningVersion;
  /**
   * BIP340 auxiliary randomness (32 bytes). Omit it: fresh random bytes are used. Fixed bytes only
   * for reproducible published examples and test vectors (BIP340 stays secure without aux; it only
   * hardens against fault and side-channel attacks).
   */
  auxRand?: Uint8Array;
}

/** Build and sign an announcement. Throws DlcError (`nonce-count`, `bad-secret`, …) on bad input. */
export function signAnnouncement(init: AnnouncementInit): OracleAnnouncement {
  const need = noncesNeeded(init.descriptor);
  if (init.nonceSecrets.length !== need) throw new DlcError('nonce-count', `${init.nonceSecrets.length} nonce secrets, the descriptor needs ${need}`);
  if (!Number.isInteger(init.maturityEpoch) || init.maturityEpoch < 0 || init.maturityEpoch > 0xffffffff) throw new RangeError('maturityEpoch is a u32');
  const event: OracleEvent = {
    nonces: init.nonceSecrets.map((k) => toHex(xOnlyFromSecret(k))),
    maturityEpoch: init.maturityEpoch,
    descriptor: init.descriptor,
    eventId: init.eventId.normalize('NFC'),
  };
  const msg = announcementMessage(init.version, encodeOracleEvent(event), encodeOracleEventValue(event));
  const ann: OracleAnnouncement = {
    signature: toHex(signFresh(init.secretKey, msg, init.auxRand)),
    oracleKey: toHex(xOnlyFromSecret(init.secretKey)),
    event,
  };
  const err = verifyAnnouncement(ann, init.version);
  if (err) throw err;
  return ann;
}

/** What {@link signAttestation} needs. */
export interface AttestationInit {
  secretKey: Uint8Array;
  announcement: OracleAnnouncement;
  /** The secrets behind the announcement's nonces, in the same order. */
  nonceSecrets: Uint8Array[];
  /** One outcome per nonce (see outcomesForValue for numeric events). */
  outcomes: string[];
  version: SigningVersion;
}

/**
 * Attest: sign outcome i with committed nonce i (s = k + e·x after even-Y normalisation).
 * Refuses outcomes the descriptor does not allow, a key that is not the announcement's, and
 * nonce secrets that do not give the committed nonces.
 */
export function signAttestation(init: AttestationInit): OracleAttestation {
  const { announcement: ann } = init;
  const bad = checkOutcomes(ann.event.descriptor, init.outcomes);
  if (bad) throw bad;
  if (toHex(xOnlyFromSecret(init.secretKey)) !== ann.oracleKey) throw new DlcError('key-mismatch', 'secret key is not the announcement oracle key');
  if (init.nonceSecrets.length !== ann.event.nonces.length) throw new DlcError('nonce-count', 'one nonce secret per committed nonce');
  const signatures = init.outcomes.map((o, i) => {
    const k = init.nonceSecrets[i]!;
    if (toHex(xOnlyFromSecret(k)) !== ann.event.nonces[i]) throw new DlcError('bad-secret', `nonce secret ${i} does not give the committed nonce`);
    return toHex(signWithNonce(init.secretKey, k, attestationMessage(init.version, o)));
  });
  return { eventId: ann.event.eventId, oracleKey: ann.oracleKey, signatures, outcomes: [...init.outcomes] };
}

/** Hex helper re-exported for callers holding secrets as hex. */
export function secretFromHex(hex: string): Uint8Array {
  const b = fromHex(hex);
  if (b.length !== 32) throw new DlcError('bad-secret', 'a secret is 32 bytes');
  return b;
}
