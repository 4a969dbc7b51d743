/** trader-daemon/identity.ts - the trader's identity key file: 32-byte secret as hex, mode 0600, generated (durably) on first start, refused when readable by others or malformed; the secret is never logged. Imports daemon (private files) and protocol (keys). */
import fs from 'node:fs';
import { writePrivateFile } from '../daemon/private-file.ts';
import { generateKeyPair, isPrivateKey, publicKeyOf } from '../protocol/keys.ts';

/** The identity: the secret (for the engine) and its compressed public key (the offers' makerPubKey, the envelopes' `from`). */
export interface TraderIdentity {
  secret: Uint8Array;
  pubkey: string;
  /** True when this start created the file. */
  created: boolean;
}

/** Read `file`, or create it with a fresh key when it does not exist. Throws with a message naming the file (never its content). */
export function loadOrCreateIdentity(file: string): TraderIdentity {
  let text: string;
  let created = false;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new Error(`identity key ${file} is not a file`);
    if ((st.mode & 0o077) !== 0) throw new Error(`identity key ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const kp = generateKeyPair();
    writePrivateFile(file, `${kp.privateKey}\n`);
    text = kp.privateKey;
    created = true;
  }
  if (!isPrivateKey(text)) throw new Error(`identity key ${file} does not hold a secp256k1 secret (64 lowercase hex)`);
  return { secret: Uint8Array.from(Buffer.from(text, 'hex')), pubkey: publicKeyOf(text), created };
}
