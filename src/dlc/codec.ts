/** dlc/codec.ts - strict TLV encode/decode of oracle_announcement, oracle_event, event descriptors and oracle_attestation. Imports only dlc. */
import { FieldReader, FieldWriter, fromHex, toHex } from './bytes.ts';
import {
  MAX_BASE,
  MAX_DIGITS,
  MAX_ENUM_OUTCOMES,
  MAX_MESSAGE_BYTES,
  MAX_NONCES,
  MIN_BASE,
  SIGNATURE_BYTES,
  TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR,
  TLV_ENUM_EVENT_DESCRIPTOR,
  TLV_ORACLE_ANNOUNCEMENT,
  TLV_ORACLE_ATTESTATION,
  TLV_ORACLE_EVENT,
  XONLY_BYTES,
} from './constants.ts';
import { DlcError } from './errors.ts';
import type { EventDescriptor, OracleAnnouncement, OracleAttestation, OracleEvent } from './types.ts';

/** How many nonces (signed outcomes) a descriptor needs: 1 for enum, digits (+1 sign) otherwise. */
export function noncesNeeded(d: EventDescriptor): number {
  return d.kind === 'enum' ? 1 : d.nbDigits + (d.isSigned ? 1 : 0);
}

function asBytes(input: Uint8Array | string): Uint8Array {
  const bytes = typeof input === 'string' ? fromHex(input) : input;
  if (bytes.length > MAX_MESSAGE_BYTES) throw new DlcError('too-large', `${bytes.length} bytes, limit ${MAX_MESSAGE_BYTES}`);
  return bytes;
}

function readDescriptor(r: FieldReader): EventDescriptor {
  const type = r.peekType('event_descriptor');
  if (type === TLV_ENUM_EVENT_DESCRIPTOR) {
    const v = r.tlv(TLV_ENUM_EVENT_DESCRIPTOR, 'enum_event_descriptor');
    const n = v.u16('num_outcomes');
    if (n === 0) throw new DlcError('bad-descriptor', 'enum_event_descriptor lists no outcomes');
    if (n > MAX_ENUM_OUTCOMES) throw new DlcError('too-large', `enum_event_descriptor: ${n} outcomes, limit ${MAX_ENUM_OUTCOMES}`);
    const outcomes: string[] = [];
    for (let i = 0; i < n; i++) outcomes.push(v.string(`outcome ${i}`));
    v.done('enum_event_descriptor');
    // Duplicates would make "which outcome was signed" ambiguous for CET construction.
    if (new Set(outcomes).size !== outcomes.length) throw new DlcError('bad-descriptor', 'enum_event_descriptor lists an outcome twice');
    return { kind: 'enum', outcomes };
  }
  if (type === TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR) {
    const v = r.tlv(TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR, 'digit_decomposition_event_descriptor');
    // u16, not the spec text's bigsize: every implementation and every published vector writes
    // a u16 here (docs/dlc.md "base is a u16").
    const base = v.u16('base');
    const isSigned = v.bool('is_signed');
    const unit = v.string('unit');
    const precision = v.i32('precision');
    const nbDigits = v.u16('nb_digits');
    v.done('digit_decomposition_event_descriptor');
    if (base < MIN_BASE) throw new DlcError('bad-descriptor', `base ${base} is below ${MIN_BASE}`);
    if (nbDigits === 0) throw new DlcError('bad-descriptor', 'nb_digits is 0');
    if (nbDigits > MAX_DIGITS) throw new DlcError('too-large', `nb_digits ${nbDigits}, limit ${MAX_DIGITS}`);
    return { kind: 'digits', base, isSigned, unit, precision, nbDigits };
  }
  throw new DlcError('wrong-type', `event_descriptor: expected TLV type ${TLV_ENUM_EVENT_DESCRIPTOR} or ${TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR}, got ${type}`);
}

function readEvent(r: FieldReader): OracleEvent {
  const v = r.tlv(TLV_ORACLE_EVENT, 'oracle_event');
  const n = v.u16('nb_nonces');
  if (n > MAX_NONCES) throw new DlcError('too-large', `oracle_event: ${n} nonces, limit ${MAX_NONCES}`);
  const nonces: string[] = [];
  for (let i = 0; i < n; i++) nonces.push(toHex(v.bytes(XONLY_BYTES, `nonce ${i}`)));
  const maturityEpoch = v.u32('event_maturity_epoch');
  const descriptor = readDescriptor(v);
  const eventId = v.string('event_id');
  v.done('oracle_event');
  const need = noncesNeeded(descriptor);
  if (n !== need) throw new DlcError('nonce-count', `oracle_event has ${n} nonces, its descriptor needs ${need}`);
  // A nonce used twice signs two outcomes with one k: anyone could solve for the key.
  if (new Set(nonces).size !== n) throw new DlcError('duplicate-nonce', 'oracle_event lists a nonce twice');
  return { nonces, maturityEpoch, descriptor, eventId };
}

/**
 * Decode an `oracle_announcement` TLV (hex or bytes). Structural checks only: the nonce count
 * fits the descriptor and the nonces are distinct. Throws {@link DlcError}; see
 * {@link verifyAnnouncement} for the signature.
 */
export function decodeAnnouncement(input: Uint8Array | string): OracleAnnouncement {
  const r = new FieldReader(asBytes(input));
  const v = r.tlv(TLV_ORACLE_ANNOUNCEMENT, 'oracle_announcement');
  const signature = toHex(v.bytes(SIGNATURE_BYTES, 'announcement_signature'));
  const oracleKey = toHex(v.bytes(XONLY_BYTES, 'oracle_public_key'));
  const event = readEvent(v);
  v.done('oracle_announcement');
  r.done('oracle_announcement');
  return { signature, oracleKey, event };
}

/** Decode a standalone `oracle_event` TLV. Throws {@link DlcError}. */
export function decodeOracleEvent(input: Uint8Array | string): OracleEvent {
  const r = new FieldReader(asBytes(input));
  const e = readEvent(r);
  r.done('oracle_event');
  return e;
}

/**
 * Decode an `oracle_attestation` TLV in the dlcspecs/bitcoin-s layout: event_id, key, u16
 * count, that many signatures, then that many outcome strings (no second count). Throws
 * {@link DlcError}.
 */
export function decodeAttestation(input: Uint8Array | string): OracleAttestation {
  const r = new FieldReader(asBytes(input));
  const v = r.tlv(TLV_ORACLE_ATTESTATION, 'oracle_attestation');
  const eventId = v.string('event_id');
  const oracleKey = toHex(v.bytes(XONLY_BYTES, 'oracle_public_key'));
  const n = v.u16('nb_signatures');
  if (n === 0) throw new DlcError('signature-count', 'oracle_attestation carries no signatures');
  if (n > MAX_NONCES) throw new DlcError('too-large', `oracle_attestation: ${n} signatures, limit ${MAX_NONCES}`);
  const signatures: string[] = [];
  for (let i = 0; i < n; i++) signatures.push(toHex(v.bytes(SIGNATURE_BYTES, `signature ${i}`)));
  const outcomes: string[] = [];
  for (let i = 0; i < n; i++) outcomes.push(v.string(`outcome ${i}`));
  v.done('oracle_attestation');
  r.done('oracle_attestation');
  return { eventId, oracleKey, signatures, outcomes };
}

function hexField(w: FieldWriter, hex: string, bytes: number, what: string): void {
  const b = fromHex(hex);
  if (b.length !== bytes) throw new DlcError('bad-hex', `${what}: expected ${bytes} bytes, got ${b.length}`);
  w.bytes(b);
}

/** Encode an event descriptor TLV. */
export function encodeDescriptor(d: EventDescriptor): Uint8Array {
  const v = new FieldWriter();
  if (d.kind === 'enum') {
    v.u16(d.outcomes.length);
    for (const o of d.outcomes) v.string(o);
    return new FieldWriter().tlv(TLV_ENUM_EVENT_DESCRIPTOR, v.finish()).finish();
  }
  if (d.base < 0 || d.base > MAX_BASE || d.nbDigits < 0 || d.nbDigits > 0xffff) throw new RangeError('base and nb_digits are u16');
  v.u16(d.base).bool(d.isSigned).string(d.unit).i32(d.precision).u16(d.nbDigits);
  return new FieldWriter().tlv(TLV_DIGIT_DECOMPOSITION_EVENT_DESCRIPTOR, v.finish()).finish();
}

/** The `oracle_event` TLV value (fields only, no type or length): what `basic-sha256` signs. */
export function encodeOracleEventValue(e: OracleEvent): Uint8Array {
  const v = new FieldWriter().u16(e.nonces.length);
  e.nonces.forEach((n, i) => hexField(v, n, XONLY_BYTES, `nonce ${i}`));
  return v.u32(e.maturityEpoch).bytes(encodeDescriptor(e.descriptor)).string(e.eventId).finish();
}

/** The whole `oracle_event` TLV: what `dlcspecs-v0` signs. */
export function encodeOracleEvent(e: OracleEvent): Uint8Array {
  return new FieldWriter().tlv(TLV_ORACLE_EVENT, encodeOracleEventValue(e)).finish();
}

/** Encode an `oracle_announcement` TLV. For a decoded announcement this gives back the input bytes. */
export function encodeAnnouncement(a: OracleAnnouncement): Uint8Array {
  const v = new FieldWriter();
  hexField(v, a.signature, SIGNATURE_BYTES, 'announcement_signature');
  hexField(v, a.oracleKey, XONLY_BYTES, 'oracle_public_key');
  v.bytes(encodeOracleEvent(a.event));
  return new FieldWriter().tlv(TLV_ORACLE_ANNOUNCEMENT, v.finish()).finish();
}

/** Encode an `oracle_attestation` TLV (dlcspecs layout). */
export function encodeAttestation(a: OracleAttestation): Uint8Array {
  if (a.signatures.length !== a.outcomes.length) throw new RangeError('one outcome per signature');
  const v = new FieldWriter().string(a.eventId);
  hexField(v, a.oracleKey, XONLY_BYTES, 'oracle_public_key');
  v.u16(a.signatures.length);
  a.signatures.forEach((s, i) => hexField(v, s, SIGNATURE_BYTES, `signature ${i}`));
  for (const o of a.outcomes) v.string(o);
  return new FieldWriter().tlv(TLV_ORACLE_ATTESTATION, v.finish()).finish();
}
