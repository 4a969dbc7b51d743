/** oracle/signer.ts - the one interface through which an oracle's keys sign (ECDSA for Mega messages, BIP340 for DLC announcements and attestations with committed nonces), so keys can later live in an external signer; today in-process from a key file of mode 0600. Imports protocol, dlc and oracle. */
import fs from 'node:fs';
import { publicKeyOf, signHash } from '../protocol/keys.ts';
import { secretFromHex, signAnnouncement, signAttestation, xOnlyFromSecret, toHex, type AnnouncementInit, type AttestationInit, type OracleAnnouncement, type OracleAttestation } from '../dlc/index.ts';
import { PRIVATE_MODE } from './durable.ts';

/** Signing operations of one oracle key. Implementations never reveal the private key. */
export interface Signer {
  /** Compressed secp256k1 public key (hex) of the ECDSA side: a Mega identity or capability key. */
  readonly publicKey: string;
  /** x-only BIP340 key (hex) the oracle attests with (a capability's `dlc.oracleKey`). */
  readonly dlcKey: string;
  /** RFC 6979 low-S ECDSA over a 32-byte hash (hex); compact hex. */
  signEcdsa(hashHex: string): string;
  /** Sign an announcement over nonces whose secrets the caller has generated and will store (oracle/dlc-oracle.ts). */
  signAnnouncement(init: Omit<AnnouncementInit, 'secretKey'>): OracleAnnouncement;
  /** Attest with committed nonces. Callers must go through oracle/dlc-oracle.ts, which logs first. */
  signAttestation(init: Omit<AttestationInit, 'secretKey'>): OracleAttestation;
}

/** A key file of `mega dlc keygen` / `mega keygen`: `{"privateKey": hex, ...}`. */
interface KeyFile {
  privateKey: string;
}

/**
 * A {@link Signer} over one secp256k1 secret read from a key file. The file must not be readable by
 * group or others (mode 0600): a looser mode is refused, as ssh does.
 */
export class KeyFileSigner implements Signer {
  readonly publicKey: string;
  readonly dlcKey: string;
  readonly #secretHex: string;

  private constructor(secretHex: string) {
    this.#secretHex = secretHex;
    this.publicKey = publicKeyOf(secretHex);
    this.dlcKey = toHex(xOnlyFromSecret(secretFromHex(secretHex)));
  }

  /** Read a key file (refusing group/other access bits). */
  static fromFile(file: string): KeyFileSigner {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0) throw new Error(`${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KeyFile>;
    if (typeof v.privateKey !== 'string') throw new Error(`${file} holds no privateKey`);
    return new KeyFileSigner(v.privateKey);
  }

  /** A signer over a secret given in hex (tests, or a key from the environment). */
  static fromHex(secretHex: string): KeyFileSigner {
    return new KeyFileSigner(secretHex);
  }

  /** Write a fresh key file (mode 0600, refusing to overwrite) and return its signer. */
  static create(file: string, secretHex: string): KeyFileSigner {
    const s = new KeyFileSigner(secretHex);
    fs.writeFileSync(file, `${JSON.stringify({ privateKey: secretHex, publicKey: s.publicKey, dlcKey: s.dlcKey }, null, 2)}\n`, { mode: PRIVATE_MODE, flag: 'wx' });
    return s;
  }

  signEcdsa(hashHex: string): string {
    return signHash(hashHex, this.#secretHex);
  }

  signAnnouncement(init: Omit<AnnouncementInit, 'secretKey'>): OracleAnnouncement {
    return signAnnouncement({ ...init, secretKey: secretFromHex(this.#secretHex) });
  }

  signAttestation(init: Omit<AttestationInit, 'secretKey'>): OracleAttestation {
    return signAttestation({ ...init, secretKey: secretFromHex(this.#secretHex) });
  }

  /** Never print the secret. */
  toJSON(): object {
    return { publicKey: this.publicKey, dlcKey: this.dlcKey };
  }
}
