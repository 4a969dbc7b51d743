// test/unit/dlc/_helpers.ts - shared fixtures for the DLC oracle tests: deterministic keys, event builders, fixture loading, a SHA-256 with a chosen midstate.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { signAnnouncement, signAttestation } from '../../../src/dlc/index.ts';
import type { EventDescriptor, OracleAnnouncement, OracleAttestation, SigningVersion } from '../../../src/dlc/index.ts';

/** A JSON fixture from test/fixtures/dlc. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(new URL(`../../fixtures/dlc/${name}`, import.meta.url), 'utf8')) as T;
}

/** Deterministic 32-byte secret from a label (valid scalar with overwhelming probability). */
export function secret(label: string): Uint8Array {
  return new Uint8Array(crypto.createHash('sha256').update(`mega-dlc-test:${label}`).digest());
}

/** A secret whose full public point has odd Y (`odd`) or even Y, so even-Y normalisation is exercised. */
export function secretWithParity(label: string, odd: boolean): Uint8Array {
  for (let i = 0; ; i++) {
    const s = secret(`${label}:${i}`);
    const prefix = secp256k1.getPublicKey(s, true)[0];
    if ((prefix === 3) === odd) return s;
  }
}

export const ENUM: EventDescriptor = { kind: 'enum', outcomes: ['rain', 'sun', 'snow'] };
export const UNSIGNED: EventDescriptor = { kind: 'digits', base: 10, isSigned: false, unit: 'USD', precision: -2, nbDigits: 5 };
export const SIGNED: EventDescriptor = { kind: 'digits', base: 2, isSigned: true, unit: 'C', precision: 0, nbDigits: 8 };

/** A signed announcement plus the secrets behind it. */
export interface Fixture {
  sk: Uint8Array;
  nonceSecrets: Uint8Array[];
  ann: OracleAnnouncement;
  version: SigningVersion;
}

/** Sign an announcement with deterministic secrets (odd-Y key and first nonce on purpose). */
export function makeEvent(descriptor: EventDescriptor, version: SigningVersion, label = 'oracle', eventId = 'ev-1'): Fixture {
  const sk = secretWithParity(`${label}:key`, true);
  const count = descriptor.kind === 'enum' ? 1 : descriptor.nbDigits + (descriptor.isSigned ? 1 : 0);
  const nonceSecrets = Array.from({ length: count }, (_, i) => secretWithParity(`${label}:${eventId}:nonce:${i}`, i % 2 === 0));
  const ann = signAnnouncement({ secretKey: sk, nonceSecrets, maturityEpoch: 1_900_000_000, descriptor, eventId, version });
  return { sk, nonceSecrets, ann, version };
}

/** Attest `outcomes` for a fixture. */
export function attest(f: Fixture, outcomes: string[]): OracleAttestation {
  return signAttestation({ secretKey: f.sk, announcement: f.ann, nonceSecrets: f.nonceSecrets, outcomes, version: f.version });
}

/**
 * SHA-256 continuing from a given 32-byte midstate after 64 bytes, written out here so the
 * sibyls 2022 quirk (a byte-reversed tagged-hash midstate) can be reproduced without any
 * hash library's internals. FIPS 180-4 compression, big-endian words.
 */
export function sha256FromMidstate(midstateHex: string, msg: Uint8Array): Uint8Array {
  const K = Uint32Array.from(
    '428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5 d807aa98 12835b01 243185be 550c7dc3 72be5d74 80deb1fe 9bdc06a7 c19bf174 e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da 983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967 27b70a85 2e1b2138 4d2c6dfc 53380d13 650a7354 766a0abb 81c2c92e 92722c85 a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070 19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3 748f82ee 78a5636f 84c87814 8cc70208 90befffa a4506ceb bef9a3f7 c67178f2'
      .split(' ')
      .map((h) => parseInt(h, 16)),
  );
  const mid = Buffer.from(midstateHex, 'hex');
  const H = Uint32Array.from({ length: 8 }, (_, i) => mid.readUInt32BE(i * 4));
  const totalBits = (64 + msg.length) * 8;
  const padLen = (msg.length + 9 + 63) & ~63;
  const data = Buffer.alloc(padLen);
  data.set(msg);
  data[msg.length] = 0x80;
  data.writeUInt32BE(Math.floor(totalBits / 0x100000000), padLen - 8);
  data.writeUInt32BE(totalBits >>> 0, padLen - 4);
  const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
  const W = new Uint32Array(64);
  for (let off = 0; off < padLen; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = data.readUInt32BE(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = W[i - 15]!;
      const b = W[i - 2]!;
      W[i] = (W[i - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + W[i - 7]! + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10))) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = H as unknown as number[];
    for (let i = 0; i < 64; i++) {
      const t1 = (h! + (rotr(e!, 6) ^ rotr(e!, 11) ^ rotr(e!, 25)) + ((e! & f!) ^ (~e! & g!)) + K[i]! + W[i]!) >>> 0;
      const t2 = ((rotr(a!, 2) ^ rotr(a!, 13) ^ rotr(a!, 22)) + ((a! & b!) ^ (a! & c!) ^ (b! & c!))) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d! + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const out = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) H[i] = (H[i]! + out[i]!) >>> 0;
  }
  const res = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) res.writeUInt32BE(H[i]!, i * 4);
  return new Uint8Array(res);
}
