// test/unit/dlc/summary.test.ts - owns tests of the announcement summary written from the TLV bytes (dlc/summary.ts): the same JSON text as the full decoder + describeAnnouncement, over many generated enum and digits announcements.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAnnouncement, describeAnnouncement, encodeAnnouncement, noncesNeeded, toHex, type EventDescriptor } from '../../../src/dlc/index.ts';
import { writeAnnouncementSummary, writeIsoSeconds } from '../../../src/dlc/summary.ts';
import { jsonBytes, SelfWritten, type JsonSink } from '../../../src/api/json-bytes.ts';
import { FieldWriter } from '../../../src/dlc/bytes.ts';
import { seededRandom } from '../../../bench/lib/graph.ts';

/** The summary as a self-written JSON part; counts how often the decoder fallback ran. */
class Summary extends SelfWritten {
  static fallbacks = 0;
  constructor(readonly tlv: string) {
    super();
  }
  writeJson(sink: JsonSink): boolean {
    return writeAnnouncementSummary(this.tlv, sink);
  }
  toJSON(): unknown {
    Summary.fallbacks++;
    return describeAnnouncement(decodeAnnouncement(this.tlv));
  }
}

/** Deterministic PRNG (mulberry32, the benchmarks' seeded generator). */
const prng = seededRandom;

/** Pieces of strings: plain ASCII, JSON escapes, controls, non-ASCII (2, 3, 4 UTF-8 bytes), a BOM, DEL. */
const PIECES = ['a', 'Z', '0', ' ', 'rain', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', 'é', 'ß', '€', '中文', '😀', '\ufeff', '/', '<>&', "'"];

function randomString(rnd: () => number, maxPieces: number): string {
  const n = Math.floor(rnd() * (maxPieces + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rnd() * PIECES.length)];
  return s.normalize('NFC');
}

function randomHex(rnd: () => number, bytes: number): string {
  const b = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) b[i] = Math.floor(rnd() * 256);
  return toHex(b);
}

/** Maturities at the edges of the u32 range and of the calendar (leap days, year and month ends). */
const EDGE_MATURITIES = [0, 1, 59, 86_399, 86_400, 951_782_400, 951_868_799, 1_078_012_800, 4_107_542_400, 4_102_444_799, 4_294_967_295, 1_700_000_000, 946_684_799];

function randomDescriptor(rnd: () => number, i: number): EventDescriptor {
  if (rnd() < 0.5) {
    const count = 1 + Math.floor(rnd() * 12);
    const outcomes = new Set<string>();
    while (outcomes.size < count) outcomes.add(outcomes.size === 0 && i % 7 === 0 ? '' : randomString(rnd, 4) + String(outcomes.size));
    return { kind: 'enum', outcomes: [...outcomes] };
  }
  const bases = [2, 3, 10, 16, 63, 64, 65, 100, 1000, 65_535];
  const precisions = [0, -2, 3, -2_147_483_648, 2_147_483_647];
  return {
    kind: 'digits',
    base: bases[Math.floor(rnd() * bases.length)] as number,
    isSigned: rnd() < 0.5,
    unit: randomString(rnd, 3),
    precision: precisions[Math.floor(rnd() * precisions.length)] as number,
    nbDigits: 1 + Math.floor(rnd() * 25),
  };
}

function randomAnnouncement(rnd: () => number, i: number): string {
  const descriptor = randomDescriptor(rnd, i);
  const nonces = Array.from({ length: noncesNeeded(descriptor) }, () => randomHex(rnd, 32));
  const maturityEpoch = i < EDGE_MATURITIES.length ? (EDGE_MATURITIES[i] as number) : Math.floor(rnd() * 4_294_967_296);
  const eventId = i % 11 === 0 ? '' : randomString(rnd, 6);
  return toHex(encodeAnnouncement({ signature: randomHex(rnd, 64), oracleKey: randomHex(rnd, 32), event: { nonces, maturityEpoch, descriptor, eventId } }));
}

const expected = (tlv: string): string => JSON.stringify(describeAnnouncement(decodeAnnouncement(tlv)));

describe('dlc/summary: the listing summary from the TLV bytes', () => {
  it('writes exactly the decoder summary for 3,000 generated announcements (enum and digits, every field), without the decoder', () => {
    const rnd = prng(21);
    let digits = 0;
    let enums = 0;
    Summary.fallbacks = 0;
    for (let i = 0; i < 3_000; i++) {
      const tlv = randomAnnouncement(rnd, i);
      const want = expected(tlv);
      const got = (jsonBytes(new Summary(tlv)) as Buffer).toString('utf8');
      assert.equal(got, want, `announcement ${i} (${tlv.slice(0, 40)}…): summary differs from describeAnnouncement(decodeAnnouncement())`);
      if (want.includes('"kind":"digits"')) digits++;
      else enums++;
    }
    assert.equal(Summary.fallbacks, 0, 'every generated announcement was written by the summary writer, not by the decoder fallback');
    assert.ok(digits > 1_000 && enums > 1_000, `both kinds generated (digits ${digits}, enum ${enums})`);
  });

  it('writes long strings (3-byte bigsize lengths) and long enums the same way', () => {
    const long = 'x'.repeat(300) + '"é\u0002';
    const outcomes = Array.from({ length: 150 }, (_, i) => `${long}${i}`);
    for (const descriptor of [{ kind: 'enum', outcomes }, { kind: 'digits', base: 7, isSigned: true, unit: long, precision: 1, nbDigits: 200 }] as EventDescriptor[]) {
      const nonces = Array.from({ length: noncesNeeded(descriptor) }, (_, i) => i.toString(16).padStart(64, '0'));
      const tlv = toHex(encodeAnnouncement({ signature: 'ab'.repeat(64), oracleKey: 'cd'.repeat(32), event: { nonces, maturityEpoch: 1_234_567_890, descriptor, eventId: long } }));
      assert.equal((jsonBytes(new Summary(tlv)) as Buffer).toString('utf8'), expected(tlv), `${descriptor.kind}: long strings written as the decoder summary`);
    }
  });

  it('uppercase hex in the TLV still gives lowercase keys and nonces (as the decoder does)', () => {
    const tlv = randomAnnouncement(prng(5), 100).toUpperCase();
    assert.equal((jsonBytes(new Summary(tlv)) as Buffer).toString('utf8'), expected(tlv));
  });

  it('gives up, writing nothing, on bytes that are not an announcement; the part then writes the decoder summary or throws its error', () => {
    const tlv = randomAnnouncement(prng(9), 50);
    const written: string[] = [];
    const sink: JsonSink = { raw: (s) => written.push(s), number: (n) => written.push(String(n)), string: (s) => written.push(JSON.stringify(s)), hex: () => written.push('"h"'), utf8: () => true };
    for (const bad of [tlv.slice(0, -2), `${tlv}00`, tlv.slice(0, 20), 'zz' + tlv.slice(2), `${tlv}0`, '']) {
      assert.equal(writeAnnouncementSummary(bad, sink), false, `malformed TLV (length ${bad.length}) refused`);
      assert.throws(() => jsonBytes({ event: new Summary(bad) }), `the decoder fallback throws for the malformed TLV (length ${bad.length})`);
    }
    // Invalid UTF-8 in the event id: refused by the writer (the decoder refuses it too).
    const ev = new FieldWriter().u16(1).bytes(new Uint8Array(32).fill(3)).u32(5);
    ev.bytes(new FieldWriter().tlv(55302, new FieldWriter().u16(1).string('a').finish()).finish());
    ev.bigsize(2).bytes(Uint8Array.of(0xc3, 0x28));
    const badUtf8 = toHex(new FieldWriter().tlv(55332, new FieldWriter().bytes(new Uint8Array(64)).bytes(new Uint8Array(32).fill(1)).tlv(55330, ev.finish()).finish()).finish());
    const json = (jsonBytes as (v: unknown) => Buffer | undefined);
    assert.throws(() => json([new Summary(badUtf8)]), 'invalid UTF-8: the writer gives up and the decoder throws');
  });

  it('writes the ISO 8601 time of every u32 epoch as Date#toISOString does (edges and 200,000 random seconds)', () => {
    const rnd = prng(77);
    let text = '';
    const sink = { raw: (j: string) => void (text += j), number: (n: number) => void (text += String(n)) };
    const values = [...EDGE_MATURITIES, 68_255_999, 68_256_000, 1_709_164_800, 1_709_251_199, 4_107_456_000];
    for (let i = 0; i < 200_000; i++) values.push(Math.floor(rnd() * 4_294_967_296));
    for (const s of values) {
      text = '';
      writeIsoSeconds(sink, s);
      assert.equal(text, JSON.stringify(new Date(s * 1000).toISOString()), `epoch ${s}: expected Date#toISOString's text`);
    }
  });

  it('JSON.stringify of the part (the whole-answer fallback) gives the same text', () => {
    const tlv = randomAnnouncement(prng(3), 77);
    assert.equal(JSON.stringify({ event: new Summary(tlv) }), `{"event":${expected(tlv)}}`);
  });
});
