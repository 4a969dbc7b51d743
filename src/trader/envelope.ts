/** trader/envelope.ts - the signed envelope two trader daemons exchange: shape checks with size limits, signing and verification (ECDSA over the canonical envelope without `signature`, the protocol/sign.ts rule). Imports protocol. */
import { signingHash } from '../protocol/canonical.ts';
import { isPublicKey, signHash, verifyHash } from '../protocol/keys.ts';
import { EngineError } from './errors.ts';
import type { Envelope } from './types.ts';

/** Most hex characters of an envelope body: a sign_dlc of the largest contract (20,000 CETs × 162-byte adaptor signatures) fits. */
export const MAX_BODY_HEX = 8 * 1024 * 1024;
const TYPES: readonly Envelope['type'][] = ['take', 'offer_dlc', 'accept_dlc', 'sign_dlc', 'error'];
const HEX64 = /^[0-9a-f]{64}$/;
const KEYS = ['type', 'offerId', 'from', 'exchangeId', 'body', 'signature'];

/** Check that `x` has the shape of an envelope (exact members, types, lengths); throws EngineError `bad-envelope`. Does not check the signature. */
export function parseEnvelope(x: unknown): Envelope {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new EngineError('bad-envelope', 'an envelope is a JSON object');
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new EngineError('bad-envelope', `unknown envelope member ${JSON.stringify(k.slice(0, 40))}`);
  if (typeof o.type !== 'string' || !TYPES.includes(o.type as Envelope['type'])) throw new EngineError('bad-envelope', `type must be one of ${TYPES.join(', ')}`);
  if (typeof o.offerId !== 'string' || !HEX64.test(o.offerId)) throw new EngineError('bad-envelope', 'offerId must be 64 lowercase hex');
  if (typeof o.exchangeId !== 'string' || !HEX64.test(o.exchangeId)) throw new EngineError('bad-envelope', 'exchangeId must be 64 lowercase hex');
  if (typeof o.from !== 'string' || !/^0[23][0-9a-f]{64}$/.test(o.from)) throw new EngineError('bad-envelope', 'from must be a compressed public key, 66 lowercase hex');
  if (typeof o.body !== 'string' || o.body.length > MAX_BODY_HEX || o.body.length % 2 !== 0 || !/^[0-9a-f]*$/.test(o.body))
    throw new EngineError('bad-envelope', `body must be even-length lowercase hex of at most ${MAX_BODY_HEX} characters`);
  if (typeof o.signature !== 'string' || !/^[0-9a-f]{128}$/.test(o.signature)) throw new EngineError('bad-envelope', 'signature must be a 64-byte compact signature, 128 lowercase hex');
  return { type: o.type as Envelope['type'], offerId: o.offerId, from: o.from, exchangeId: o.exchangeId, body: o.body, signature: o.signature };
}

/** Sign an envelope with `secretHex` (its public key must be `from`). */
export function signEnvelope(e: Omit<Envelope, 'signature'>, secretHex: string): Envelope {
  const unsigned = { type: e.type, offerId: e.offerId, from: e.from, exchangeId: e.exchangeId, body: e.body };
  return { ...unsigned, signature: signHash(signingHash(unsigned, 'signature'), secretHex) };
}

/** Parse and verify: throws `bad-envelope` or `bad-envelope-signature`. */
export function verifyEnvelope(x: unknown): Envelope {
  const e = parseEnvelope(x);
  if (!isPublicKey(e.from)) throw new EngineError('bad-envelope', 'from is not a point on the curve');
  if (!verifyHash(e.signature, signingHash(e, 'signature'), e.from)) throw new EngineError('bad-envelope-signature', 'the envelope signature does not verify under its from key');
  return e;
}

/** An error envelope body: hex of the UTF-8 JSON `{code, message}`. */
export function errorBody(code: string, message: string): string {
  return Buffer.from(JSON.stringify({ code, message: message.slice(0, 500) }), 'utf8').toString('hex');
}

/** Read an error envelope's body (null when it is not the JSON `{code, message}`). */
export function readErrorBody(body: string): { code: string; message: string } | null {
  try {
    const v = JSON.parse(Buffer.from(body, 'hex').toString('utf8')) as { code?: unknown; message?: unknown };
    return typeof v.code === 'string' ? { code: v.code.slice(0, 64), message: typeof v.message === 'string' ? v.message.slice(0, 500) : '' } : null;
  } catch {
    return null;
  }
}
