/** oracle/dlc-oracle.ts - announcing and attesting without ever equivocating: fresh nonce secrets stored durably before an announcement leaves the process; one attestation per announcement, logged (fsync) before it leaves; secrets removed only after. Used by `mega dlc` and the oracle daemon. Imports dlc and oracle. */
import crypto from 'node:crypto';
import path from 'node:path';
import { decodeAnnouncement, decodeAttestation, encodeAnnouncement, encodeAttestation, freshNonceSecrets, noncesNeeded, secretFromHex, toHex, type EventDescriptor, type OracleAnnouncement, type OracleAttestation, type SigningVersion } from '../dlc/index.ts';
import { AttestationLog } from './attestation-log.ts';
import { ensurePrivateDir, withDirLock } from './durable.ts';
import { NonceStore } from './nonce-store.ts';
import type { Signer } from './signer.ts';

/** An announcement as published: the TLV (hex), its id (hex SHA-256 of the TLV) and the decoded form. */
export interface PublishedAnnouncement {
  id: string;
  tlv: string;
  announcement: OracleAnnouncement;
}

/** An attestation as published, and whether it came from the log (attested before, same outcomes). */
export interface PublishedAttestation {
  announcementId: string;
  tlv: string;
  attestation: OracleAttestation;
  fromLog: boolean;
}

/** Refusals of {@link DlcOracleState.attest}: the safety rules, as codes a caller can act on. */
export class AttestRefused extends Error {
  override name = 'AttestRefused';
  constructor(
    readonly code: 'already-attested-differently' | 'unknown-nonces' | 'wrong-key',
    message: string,
  ) {
    super(message);
  }
}

/** What an event needs to be announced. */
export interface EventInit {
  maturityEpoch: number;
  descriptor: EventDescriptor;
  eventId: string;
  version: SigningVersion;
}

const sha256Hex = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

/**
 * One oracle's signing state in a folder: `nonces/` (secrets of announced, unattested events) and
 * `attestations.log`. Every operation holds the folder's LOCK, so two processes never race past
 * the checks. Backups: the log must be restored together with the nonces; restoring nonces
 * without the log lets the oracle attest an event twice (docs/oracle.md).
 */
export class DlcOracleState {
  private readonly dir: string;
  private readonly signer: Signer;

  constructor(dir: string, signer: Signer) {
    this.dir = dir;
    this.signer = signer;
    ensurePrivateDir(dir);
  }

  /** Announce an event: fresh nonce secrets, signed, stored with fsync, and only then returned. */
  announce(init: EventInit): PublishedAnnouncement {
    return withDirLock(this.dir, () => {
      const secrets = freshNonceSecrets(noncesNeeded(init.descriptor));
      const announcement = this.signer.signAnnouncement({ nonceSecrets: secrets, maturityEpoch: init.maturityEpoch, descriptor: init.descriptor, eventId: init.eventId, version: init.version });
      const bytes = encodeAnnouncement(announcement);
      const id = sha256Hex(bytes);
      // Durable before the announcement exists anywhere else: attesting later needs exactly these secrets.
      this.nonces().commit({ announcementId: id, oracleKey: announcement.oracleKey, nonces: announcement.event.nonces, secrets: secrets.map(toHex), signingVersion: init.version, createdAt: new Date().toISOString() });
      return { id, tlv: toHex(bytes), announcement };
    });
  }

  /**
   * Attest `outcomes` for an announcement made here. The same outcomes again return the logged
   * attestation (idempotent); different outcomes are refused forever; the attestation is logged
   * (fsync) before it is returned, and the nonce secrets are removed only after that. `version`
   * defaults to the one the announcement was signed with.
   */
  attest(announcementTlv: string, outcomes: string[], version?: SigningVersion): PublishedAttestation {
    return withDirLock(this.dir, () => {
      const bytes = Buffer.from(announcementTlv, 'hex');
      const announcement = decodeAnnouncement(bytes);
      const id = sha256Hex(bytes);
      if (announcement.oracleKey !== this.signer.dlcKey) throw new AttestRefused('wrong-key', 'this announcement is not signed by this oracle key');
      const log = new AttestationLog(path.join(this.dir, 'attestations.log'));
      const logged = log.get(id);
      if (logged) {
        if (logged.outcomes.length === outcomes.length && logged.outcomes.every((o, i) => o === outcomes[i])) {
          return { announcementId: id, tlv: logged.attestation, attestation: decodeAttestation(Buffer.from(logged.attestation, 'hex')), fromLog: true };
        }
        throw new AttestRefused('already-attested-differently', `announcement ${id} was attested with [${logged.outcomes.join(', ')}]; signing other outcomes with the same nonces would reveal the oracle key`);
      }
      const stored = this.nonces().load(id);
      if (!stored) throw new AttestRefused('unknown-nonces', `no nonce secrets for announcement ${id} in ${this.dir}: it was not announced from this state folder`);
      // The announcement's own signing version (stored with its nonces) unless the caller names one.
      const attestation = this.signer.signAttestation({ announcement, nonceSecrets: stored.secrets.map(secretFromHex), outcomes, version: version ?? stored.signingVersion });
      const tlv = toHex(encodeAttestation(attestation));
      log.append({ announcementId: id, attestation: tlv, outcomes: [...outcomes], at: new Date().toISOString() });
      this.nonces().remove(id);
      return { announcementId: id, tlv, attestation, fromLog: false };
    });
  }

  /** The attestation log as it is on disk now (read under the lock): what was attested, and with which outcomes. */
  attestations(): AttestationLog {
    return withDirLock(this.dir, () => new AttestationLog(path.join(this.dir, 'attestations.log')));
  }

  /**
   * Delete the nonce secrets of announcements that never left the process: the caller names those
   * it has published (or may have); every other stored secret belongs to an announcement a crash
   * cut off before it was recorded, which nobody can hold, so it can never be attested safely
   * or usefully. Returns the ids removed.
   */
  discardUnpublished(published: ReadonlySet<string>): string[] {
    return withDirLock(this.dir, () => {
      const store = this.nonces();
      const gone = store.list().filter((id) => !published.has(id));
      for (const id of gone) store.remove(id);
      return gone;
    });
  }

  private nonces(): NonceStore {
    return new NonceStore(path.join(this.dir, 'nonces'));
  }
}
