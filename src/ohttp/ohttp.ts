/** ohttp/ohttp.ts - Oblivious HTTP (RFC 9458) message encapsulation for one suite, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM: key configurations (3), encapsulated requests (4.3) and responses (4.4) over HPKE from @hpke/core; binary HTTP (RFC 9292) messages from bhttp-js. Hand-written here: only the RFC 9458 framing and the response key schedule (no maintained npm package implements OHTTP; pinned by the RFC's Appendix A example, which came from an independent Rust implementation). Imports its libraries only. */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, type RecipientContext, type SenderContext } from '@hpke/core';
import crypto from 'node:crypto';

/** The one suite: KEM 0x0020, KDF 0x0001, AEAD 0x0001. */
export const KEM_ID = 0x0020;
export const KDF_ID = 0x0001;
export const AEAD_ID = 0x0001;
const NPK = 32;
const NK = 16;
const NN = 12;
const HEADER_LEN = 7;
const REQUEST_LABEL = 'message/bhttp request';
const RESPONSE_LABEL = 'message/bhttp response';
/** Media types of RFC 9458 section 9. */
export const OHTTP_REQUEST_TYPE = 'message/ohttp-req';
export const OHTTP_RESPONSE_TYPE = 'message/ohttp-res';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

/** An OHTTP error with a machine-readable code (never carries plaintext). */
export class OhttpError extends Error {
  override name = 'OhttpError';
  constructor(
    readonly code: 'malformed-key-config' | 'unsupported-suite' | 'unknown-key' | 'malformed-request' | 'decrypt-failed' | 'malformed-response',
    message: string,
  ) {
    super(message);
  }
}

/** A parsed key configuration (RFC 9458 3.1) of this suite. */
export interface KeyConfig {
  keyId: number;
  publicKey: Uint8Array;
}

/** Encode a key configuration: key_id, kem_id, public key, then the one (kdf, aead) pair. */
export function encodeKeyConfig(c: KeyConfig): Uint8Array {
  const out = Buffer.alloc(1 + 2 + NPK + 2 + 4);
  out.writeUInt8(c.keyId, 0);
  out.writeUInt16BE(KEM_ID, 1);
  Buffer.from(c.publicKey).copy(out, 3);
  out.writeUInt16BE(4, 3 + NPK);
  out.writeUInt16BE(KDF_ID, 5 + NPK);
  out.writeUInt16BE(AEAD_ID, 7 + NPK);
  return out;
}

/** Decode one key configuration; refuses other KEMs and configurations without this suite's KDF and AEAD. */
export function decodeKeyConfig(bytes: Uint8Array): KeyConfig {
  const b = Buffer.from(bytes);
  if (b.length < 3 + NPK + 2) throw new OhttpError('malformed-key-config', 'key configuration too short');
  if (b.readUInt16BE(1) !== KEM_ID) throw new OhttpError('unsupported-suite', 'only DHKEM(X25519, HKDF-SHA256) is supported');
  const len = b.readUInt16BE(3 + NPK);
  if (len === 0 || len % 4 !== 0 || b.length !== 5 + NPK + len) throw new OhttpError('malformed-key-config', 'key configuration has a bad symmetric algorithms length');
  let found = false;
  for (let o = 5 + NPK; o < b.length; o += 4) if (b.readUInt16BE(o) === KDF_ID && b.readUInt16BE(o + 2) === AEAD_ID) found = true;
  if (!found) throw new OhttpError('unsupported-suite', 'the key configuration offers no HKDF-SHA256 / AES-128-GCM pair');
  return { keyId: b.readUInt8(0), publicKey: new Uint8Array(b.subarray(3, 3 + NPK)) };
}

/** A fresh gateway key pair: the X25519 private key (32 bytes) and its key configuration. */
export async function generateGatewayKey(keyId = 1): Promise<{ privateKey: Uint8Array; keyConfig: Uint8Array }> {
  const privateKey = new Uint8Array(crypto.randomBytes(32));
  return { privateKey, keyConfig: await keyConfigFor(privateKey, keyId) };
}

/** The key configuration of a raw X25519 private key (the public key computed by node:crypto). */
export async function keyConfigFor(privateKey: Uint8Array, keyId = 1): Promise<Uint8Array> {
  return encodeKeyConfig({ keyId, publicKey: x25519PublicKey(privateKey) });
}

/** X25519 public key of a raw private scalar. */
function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  const pkcs8 = Buffer.concat([X25519_PKCS8_PREFIX, Buffer.from(privateKey)]);
  const spki = crypto.createPublicKey(crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - NPK));
}

/** DER prefix of an X25519 PKCS#8 private key (RFC 8410), followed by the 32-byte scalar. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

function header(keyId: number): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  h.writeUInt8(keyId, 0);
  h.writeUInt16BE(KEM_ID, 1);
  h.writeUInt16BE(KDF_ID, 3);
  h.writeUInt16BE(AEAD_ID, 5);
  return h;
}

function info(h: Buffer): ArrayBuffer {
  return toArrayBuffer(Buffer.concat([Buffer.from(REQUEST_LABEL), Buffer.from([0]), h]));
}

/** A client's side of one exchange: the encapsulated request to send, and how to open the answer. */
export interface ClientExchange {
  encapsulatedRequest: Uint8Array;
  openResponse(encapsulatedResponse: Uint8Array): Promise<Uint8Array>;
}

/** Encapsulate a binary HTTP request to a gateway's key configuration (RFC 9458 4.3). `ephemeralPrivateKey` only for test vectors. */
export async function encapsulateRequest(keyConfig: Uint8Array, bhttpRequest: Uint8Array, ephemeralPrivateKey?: Uint8Array): Promise<ClientExchange> {
  const cfg = decodeKeyConfig(keyConfig);
  const h = header(cfg.keyId);
  const recipientPublicKey = await suite.kem.deserializePublicKey(toArrayBuffer(cfg.publicKey));
  const params: Parameters<CipherSuite['createSenderContext']>[0] = { recipientPublicKey, info: info(h) };
  if (ephemeralPrivateKey) {
    // A raw scalar as a key pair: an ArrayBuffer `ekm` would be hashed first (DeriveKeyPair), not used as the key.
    const publicKey = await suite.kem.deserializePublicKey(toArrayBuffer(x25519PublicKey(ephemeralPrivateKey)));
    params.ekm = { privateKey: await suite.kem.importKey('raw', toArrayBuffer(ephemeralPrivateKey), false), publicKey };
  }
  const sender: SenderContext = await suite.createSenderContext(params);
  const enc = new Uint8Array(sender.enc);
  const ct = new Uint8Array(await sender.seal(toArrayBuffer(bhttpRequest)));
  return {
    encapsulatedRequest: new Uint8Array(Buffer.concat([h, enc, ct])),
    openResponse: async (encRes) => {
      const secret = new Uint8Array(await sender.export(toArrayBuffer(Buffer.from(RESPONSE_LABEL)), NK));
      return openResponse(secret, enc, encRes);
    },
  };
}

/** The gateway's side: the decapsulated request and how to seal the answer. */
export interface GatewayExchange {
  request: Uint8Array;
  sealResponse(bhttpResponse: Uint8Array, responseNonce?: Uint8Array): Promise<Uint8Array>;
}

/** Decapsulate a request with the gateway's private key (RFC 9458 4.3); wrong key id, suite or tag → OhttpError. */
export async function decapsulateRequest(privateKey: Uint8Array, keyId: number, encapsulated: Uint8Array): Promise<GatewayExchange> {
  const b = Buffer.from(encapsulated);
  if (b.length < HEADER_LEN + NPK + 16) throw new OhttpError('malformed-request', 'encapsulated request too short');
  if (b.readUInt8(0) !== keyId) throw new OhttpError('unknown-key', 'the request names another key id');
  if (b.readUInt16BE(1) !== KEM_ID || b.readUInt16BE(3) !== KDF_ID || b.readUInt16BE(5) !== AEAD_ID) throw new OhttpError('unsupported-suite', 'the request uses another suite');
  const h = b.subarray(0, HEADER_LEN);
  const enc = new Uint8Array(b.subarray(HEADER_LEN, HEADER_LEN + NPK));
  const recipientKey = await suite.kem.importKey('raw', toArrayBuffer(privateKey), false);
  let recipient: RecipientContext;
  let request: Uint8Array;
  try {
    recipient = await suite.createRecipientContext({ recipientKey, enc: toArrayBuffer(enc), info: info(Buffer.from(h)) });
    request = new Uint8Array(await recipient.open(toArrayBuffer(new Uint8Array(b.subarray(HEADER_LEN + NPK)))));
  } catch {
    throw new OhttpError('decrypt-failed', 'the request does not decrypt under this key');
  }
  return {
    request,
    sealResponse: async (res, nonce) => {
      const secret = new Uint8Array(await recipient.export(toArrayBuffer(Buffer.from(RESPONSE_LABEL)), NK));
      return sealResponse(secret, enc, res, nonce ?? new Uint8Array(crypto.randomBytes(Math.max(NN, NK))));
    },
  };
}

/** RFC 9458 4.4: salt = enc || response_nonce; prk = Extract(salt, secret); key/nonce = Expand(prk, "key"/"nonce"). */
function responseKeys(secret: Uint8Array, enc: Uint8Array, responseNonce: Uint8Array): { key: Buffer; nonce: Buffer } {
  const prk = crypto.createHmac('sha256', Buffer.concat([enc, responseNonce])).update(secret).digest();
  const expand = (label: string, len: number): Buffer => crypto.createHmac('sha256', prk).update(Buffer.concat([Buffer.from(label), Buffer.from([1])])).digest().subarray(0, len);
  return { key: expand('key', NK), nonce: expand('nonce', NN) };
}

function sealResponse(secret: Uint8Array, enc: Uint8Array, response: Uint8Array, responseNonce: Uint8Array): Uint8Array {
  const { key, nonce } = responseKeys(secret, enc, responseNonce);
  const c = crypto.createCipheriv('aes-128-gcm', key, nonce);
  const ct = Buffer.concat([c.update(response), c.final(), c.getAuthTag()]);
  return new Uint8Array(Buffer.concat([responseNonce, ct]));
}

function openResponse(secret: Uint8Array, enc: Uint8Array, encRes: Uint8Array): Uint8Array {
  const n = Math.max(NN, NK);
  if (encRes.length < n + 16) throw new OhttpError('malformed-response', 'encapsulated response too short');
  const { key, nonce } = responseKeys(secret, enc, encRes.subarray(0, n));
  try {
    const d = crypto.createDecipheriv('aes-128-gcm', key, nonce);
    d.setAuthTag(Buffer.from(encRes.subarray(encRes.length - 16)));
    return new Uint8Array(Buffer.concat([d.update(encRes.subarray(n, encRes.length - 16)), d.final()]));
  } catch {
    throw new OhttpError('decrypt-failed', 'the response does not decrypt');
  }
}
