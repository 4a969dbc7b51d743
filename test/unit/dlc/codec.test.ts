// test/unit/dlc/codec.test.ts - owns tests of the dlcspecs TLV codec: round trips and every malformed case with its DlcError code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DlcError,
  decodeAnnouncement,
  decodeAttestation,
  decodeOracleEvent,
  encodeAnnouncement,
  encodeAttestation,
  encodeOracleEvent,
  toHex,
} from '../../../src/dlc/index.ts';
import type { DlcErrorCode, OracleAnnouncement } from '../../../src/dlc/index.ts';
import { FieldReader, FieldWriter } from '../../../src/dlc/bytes.ts';
import { MAX_MESSAGE_BYTES } from '../../../src/dlc/constants.ts';
import { ENUM, SIGNED, UNSIGNED, attest, loadFixture, makeEvent } from './_helpers.ts';

/** Assert `fn` throws a DlcError with `code`. */
function throwsCode(fn: () => unknown, code: DlcErrorCode, what: string): void {
  assert.throws(fn, (e: unknown) => e instanceof DlcError && e.code === code, `expected DlcError ${code} for ${what}`);
}

/** Re-wrap an announcement's value bytes into a TLV with a patched value. */
function wrap(type: number, value: Uint8Array): string {
  return toHex(new FieldWriter().tlv(type, value).finish());
}

/** An announcement with its fields built by hand (no validation in the writer). */
function rawAnnouncement(eventValue: (w: FieldWriter) => void): string {
  const ev = new FieldWriter();
  eventValue(ev);
  const v = new FieldWriter().bytes(new Uint8Array(64)).bytes(new Uint8Array(32).fill(1)).tlv(55330, ev.finish());
  return wrap(55332, v.finish());
}

const nonce = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const enumDescriptor = (outcomes: string[]): Uint8Array => {
  const w = new FieldWriter().u16(outcomes.length);
  outcomes.forEach((o) => w.string(o));
  return new FieldWriter().tlv(55302, w.finish()).finish();
};

describe('round trips', () => {
  const versions = ['dlcspecs-v0', 'basic-sha256'] as const;
  for (const version of versions) {
    for (const [name, d] of [['enum', ENUM], ['unsigned digits', UNSIGNED], ['signed digits', SIGNED]] as const) {
      it(`${name} announcement and attestation (${version}) decode to what was encoded`, () => {
        const f = makeEvent(d, version);
        const bytes = encodeAnnouncement(f.ann);
        assert.deepEqual(decodeAnnouncement(bytes), f.ann, 'expected decode(encode(a)) to equal a');
        assert.equal(toHex(encodeAnnouncement(decodeAnnouncement(toHex(bytes)))), toHex(bytes), 'expected encode(decode(hex)) to give the same hex');
        const outcomes = d.kind === 'enum' ? ['sun'] : d.isSigned ? ['-', '0', '0', '0', '0', '0', '1', '0', '1'] : ['0', '1', '2', '3', '4'];
        const att = attest(f, outcomes);
        assert.deepEqual(decodeAttestation(encodeAttestation(att)), att, 'expected the attestation to round-trip');
      });
    }
  }

  it('an empty event id round-trips (sibyls publishes empty ids)', () => {
    const f = makeEvent(UNSIGNED, 'basic-sha256', 'oracle', '');
    assert.equal(decodeAnnouncement(encodeAnnouncement(f.ann)).event.eventId, '', 'expected the empty event id back');
    const att = attest(f, ['0', '0', '0', '0', '7']);
    assert.equal(decodeAttestation(encodeAttestation(att)).eventId, '', 'expected the empty attestation event id back');
  });

  it('every published vector re-encodes to its exact bytes', () => {
    const bs = loadFixture<{ cases: { announcement: string; attestation: string | null }[] }>('bitcoin-s-docs.json');
    const sib = loadFixture<{ announcement: string; attestation: string }>('sibyls-readme.json');
    const specs = loadFixture<{ vectors: { announcement: string }[] }>('dlcspecs-announcements.json');
    const anns = [...bs.cases.map((c) => c.announcement), sib.announcement, ...specs.vectors.map((v) => v.announcement)];
    for (const hex of anns) assert.equal(toHex(encodeAnnouncement(decodeAnnouncement(hex))), hex, `expected announcement ${hex.slice(0, 24)}… to round-trip`);
    const atts = [...bs.cases.flatMap((c) => (c.attestation ? [c.attestation] : [])), sib.attestation];
    for (const hex of atts) assert.equal(toHex(encodeAttestation(decodeAttestation(hex))), hex, `expected attestation ${hex.slice(0, 24)}… to round-trip`);
    assert.equal(anns.length, 5 + 1 + 72, 'expected every fixture announcement to be checked');
  });

  it('a string with a leading byte-order mark keeps it (no silent BOM stripping)', () => {
    const f = makeEvent({ kind: 'enum', outcomes: ['\ufeffyes', 'no'] }, 'dlcspecs-v0');
    assert.deepEqual(decodeAnnouncement(encodeAnnouncement(f.ann)).event.descriptor, { kind: 'enum', outcomes: ['\ufeffyes', 'no'] }, 'expected the BOM to survive');
  });

  it('a standalone oracle_event decodes', () => {
    const f = makeEvent(SIGNED, 'dlcspecs-v0');
    assert.deepEqual(decodeOracleEvent(encodeOracleEvent(f.ann.event)), f.ann.event, 'expected the event back');
  });
});

describe('malformed input: each case has its own DlcError code', () => {
  const good = encodeAnnouncement(makeEvent(ENUM, 'dlcspecs-v0').ann);
  const goodAtt = encodeAttestation(attest(makeEvent(ENUM, 'dlcspecs-v0'), ['rain']));

  it('bad hex', () => {
    throwsCode(() => decodeAnnouncement('fdd82'), 'bad-hex', 'odd-length hex');
    throwsCode(() => decodeAnnouncement('zz'), 'bad-hex', 'non-hex characters');
  });

  it('truncated at every length', () => {
    for (let n = 0; n < good.length; n++) {
      assert.throws(() => decodeAnnouncement(good.subarray(0, n)), (e: unknown) => e instanceof DlcError && (e.code === 'truncated' || e.code === 'length-overflow'), `expected a prefix of ${n} bytes to be refused as truncated`);
    }
    for (let n = 0; n < goodAtt.length; n++) {
      assert.throws(() => decodeAttestation(goodAtt.subarray(0, n)), (e: unknown) => e instanceof DlcError && (e.code === 'truncated' || e.code === 'length-overflow'), `expected an attestation prefix of ${n} bytes to be refused`);
    }
  });

  it('trailing bytes after the message and inside a TLV', () => {
    throwsCode(() => decodeAnnouncement(Buffer.concat([good, Buffer.of(0)])), 'trailing-bytes', 'a byte after the announcement');
    throwsCode(() => decodeAttestation(Buffer.concat([goodAtt, Buffer.of(0)])), 'trailing-bytes', 'a byte after the attestation');
    // one extra byte inside the oracle_event value
    const ev = decodeAnnouncement(good).event;
    const inner = new FieldReader(encodeOracleEvent(ev)).tlv(55330, 'x');
    const value = inner.bytes(inner.remaining(), 'v');
    const hex = rawAnnouncement((w) => w.bytes(value).u8(0));
    throwsCode(() => decodeAnnouncement(hex), 'trailing-bytes', 'an extra byte inside oracle_event');
  });

  it('wrong TLV types', () => {
    throwsCode(() => decodeAnnouncement(goodAtt), 'wrong-type', 'an attestation given as announcement');
    throwsCode(() => decodeAttestation(good), 'wrong-type', 'an announcement given as attestation');
    const hex = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(new FieldWriter().tlv(55304, new Uint8Array(2)).finish()).string(''));
    throwsCode(() => decodeAnnouncement(hex), 'wrong-type', 'an unknown event descriptor type');
  });

  it('length overflow: TLV length and string length past the end', () => {
    const patched = Buffer.from(good);
    patched[3] = patched[3]! + 1; // the one-byte announcement length
    throwsCode(() => decodeAnnouncement(patched), 'length-overflow', 'a TLV length one past the end');
    const hex = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(enumDescriptor(['a'])).u8(9).bytes(Buffer.from('abc')));
    throwsCode(() => decodeAnnouncement(hex), 'length-overflow', 'an event id length past the end');
  });

  it('non-minimal bigsize', () => {
    const v = new FieldWriter().u8(0xfd).u16(0x10).finish();
    throwsCode(() => new FieldReader(v).bigsize('x'), 'non-minimal-bigsize', '0xfd 0x0010');
    const v2 = new FieldWriter().u8(0xfe).u32(0xffff).finish();
    throwsCode(() => new FieldReader(v2).bigsize('x'), 'non-minimal-bigsize', '0xfe 0x0000ffff');
    const v3 = new FieldWriter().u8(0xff).u32(0).u32(7).finish();
    throwsCode(() => new FieldReader(v3).bigsize('x'), 'non-minimal-bigsize', '0xff with a zero high word');
    const v4 = new FieldWriter().u8(0xff).u32(0xffffffff).u32(0).finish();
    throwsCode(() => new FieldReader(v4).bigsize('x'), 'length-overflow', 'a bigsize above 2^53');
    assert.equal(new FieldReader(new FieldWriter().bigsize(55332).finish()).bigsize('t'), 55332, 'expected 55332 to read back');
    assert.equal(toHex(new FieldWriter().bigsize(55332).finish()), 'fdd824', 'expected 55332 as fdd824');
  });

  it('bad bool', () => {
    const desc = new FieldWriter().tlv(55306, new FieldWriter().u16(2).u8(2).string('u').i32(0).u16(1).finish()).finish();
    const hex = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(desc).string(''));
    throwsCode(() => decodeAnnouncement(hex), 'bad-bool', 'is_signed = 0x02');
  });

  it('bad UTF-8 and non-NFC strings', () => {
    const bad = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(enumDescriptor(['a'])).u8(2).bytes(Uint8Array.of(0xc3, 0x28)));
    throwsCode(() => decodeAnnouncement(bad), 'bad-utf8', 'an invalid two-byte sequence');
    const nfd = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(enumDescriptor(['a'])).string('e\u0301'));
    throwsCode(() => decodeAnnouncement(nfd), 'not-nfc', 'a decomposed é');
  });

  it('bad descriptors: no outcomes, duplicate outcomes, base below 2, zero digits', () => {
    const empty = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(enumDescriptor([])).string(''));
    throwsCode(() => decodeAnnouncement(empty), 'bad-descriptor', 'an enum without outcomes');
    const dup = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(enumDescriptor(['a', 'a'])).string(''));
    throwsCode(() => decodeAnnouncement(dup), 'bad-descriptor', 'an enum listing "a" twice');
    const digits = (base: number, n: number): Uint8Array => new FieldWriter().tlv(55306, new FieldWriter().u16(base).bool(false).string('u').i32(0).u16(n).finish()).finish();
    throwsCode(() => decodeAnnouncement(rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(digits(1, 1)).string(''))), 'bad-descriptor', 'base 1');
    throwsCode(() => decodeAnnouncement(rawAnnouncement((w) => w.u16(0).u32(0).bytes(digits(2, 0)).string(''))), 'bad-descriptor', 'zero digits');
  });

  it('nonce count not matching the descriptor, and duplicate nonces', () => {
    const two = rawAnnouncement((w) => w.u16(2).bytes(nonce(2)).bytes(nonce(3)).u32(0).bytes(enumDescriptor(['a'])).string(''));
    throwsCode(() => decodeAnnouncement(two), 'nonce-count', 'two nonces for an enum');
    const signed = new FieldWriter().tlv(55306, new FieldWriter().u16(10).bool(true).string('u').i32(0).u16(2).finish()).finish();
    const noSign = rawAnnouncement((w) => w.u16(2).bytes(nonce(2)).bytes(nonce(3)).u32(0).bytes(signed).string(''));
    throwsCode(() => decodeAnnouncement(noSign), 'nonce-count', 'a signed 2-digit event with 2 nonces (needs 3)');
    const dupe = rawAnnouncement((w) => w.u16(3).bytes(nonce(2)).bytes(nonce(3)).bytes(nonce(2)).u32(0).bytes(signed).string(''));
    throwsCode(() => decodeAnnouncement(dupe), 'duplicate-nonce', 'a nonce listed twice');
  });

  it('limits: oversize input, too many outcomes, digits, nonces and signatures', () => {
    throwsCode(() => decodeAnnouncement(new Uint8Array(MAX_MESSAGE_BYTES + 1)), 'too-large', 'an input above the byte limit');
    const many = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(enumDescriptor(Array.from({ length: 1025 }, (_, i) => String(i)))).string(''));
    throwsCode(() => decodeAnnouncement(many), 'too-large', '1,025 enum outcomes');
    const digits = new FieldWriter().tlv(55306, new FieldWriter().u16(2).bool(false).string('u').i32(0).u16(256).finish()).finish();
    throwsCode(() => decodeAnnouncement(rawAnnouncement((w) => w.u16(0).u32(0).bytes(digits).string(''))), 'too-large', '256 digits');
    throwsCode(() => decodeAnnouncement(rawAnnouncement((w) => w.u16(257))), 'too-large', '257 nonces');
    const att = wrap(55400, new FieldWriter().string('').bytes(nonce(1)).u16(300).finish());
    throwsCode(() => decodeAttestation(att), 'too-large', '300 signatures');
    const longString = rawAnnouncement((w) => w.u16(1).bytes(nonce(2)).u32(0).bytes(enumDescriptor(['a'])).bigsize(5000));
    throwsCode(() => decodeAnnouncement(longString), 'too-large', 'a 5,000-byte event id');
  });

  it('an attestation with no signatures', () => {
    const att = wrap(55400, new FieldWriter().string('x').bytes(nonce(1)).u16(0).finish());
    throwsCode(() => decodeAttestation(att), 'signature-count', 'zero signatures');
  });

  it('the rust-dlc attestation layout (u16 outcome count) is refused, not misread', () => {
    const f = makeEvent(ENUM, 'dlcspecs-v0');
    const a = attest(f, ['rain']);
    const v = new FieldWriter().string(a.eventId).bytes(Buffer.from(a.oracleKey, 'hex')).u16(1).bytes(Buffer.from(a.signatures[0]!, 'hex')).u16(1).string('rain');
    // 00 01 then 04 "rain": read as the string "" (len 0) followed by trailing bytes
    throwsCode(() => decodeAttestation(wrap(55400, v.finish())), 'trailing-bytes', 'an outcome count before the outcomes');
  });

  it('an announcement whose decoded object is tampered re-encodes differently (no hidden state)', () => {
    const a: OracleAnnouncement = decodeAnnouncement(good);
    a.event.maturityEpoch += 1;
    assert.notEqual(toHex(encodeAnnouncement(a)), toHex(good), 'expected a changed maturity to change the bytes');
  });
});
