// test/unit/dlc/vectors.test.ts - owns the published examples (bitcoin-s docs, sibyls README, dlcspecs test vectors) and the cross-check of the codec with @node-dlc/messaging.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { decodeAnnouncement, decodeAttestation, decodeDigitOutcomes, encodeAnnouncement, encodeAttestation, fromHex, toHex, verifyAnnouncement, verifyAttestation } from '../../../src/dlc/index.ts';
import type { DigitsDescriptor, SigningVersion } from '../../../src/dlc/index.ts';
import { encodeOracleEventValue } from '../../../src/dlc/codec.ts';
import { verifySchnorr } from '../../../src/dlc/schnorr.ts';
import { ENUM, UNSIGNED, attest, loadFixture, makeEvent, sha256FromMidstate } from './_helpers.ts';

// @node-dlc/messaging is CommonJS without an ESM entry.
const require = createRequire(import.meta.url);
const nodeDlc = require('@node-dlc/messaging') as {
  OracleAnnouncement: { deserialize(b: Buffer): { serialize(): Buffer; validate(): void; toJSON(): Record<string, unknown> } };
  OracleAttestation: { deserialize(b: Buffer): { toJSON(): { eventId: string; oraclePublicKey: string; signatures: string[]; outcomes: string[] } } };
};

interface BitcoinSCase {
  name: string;
  version: SigningVersion;
  announcement: string;
  attestation: string | null;
  expectAnnouncement: string | null;
  expectAttestation?: string | null;
  outcomes?: string[];
  value?: string;
}

describe('bitcoin-s published examples (docs/oracle/oracle-server.md)', () => {
  const { cases } = loadFixture<{ cases: BitcoinSCase[] }>('bitcoin-s-docs.json');
  for (const c of cases) {
    it(c.name, () => {
      const ann = decodeAnnouncement(c.announcement);
      assert.equal(verifyAnnouncement(ann, c.version)?.code ?? null, c.expectAnnouncement, `expected announcement result ${c.expectAnnouncement}`);
      if (!c.attestation) return;
      const att = decodeAttestation(c.attestation);
      assert.deepEqual(att.outcomes, c.outcomes, 'expected the published outcomes');
      assert.equal(verifyAttestation(ann, att, c.version)?.code ?? null, c.expectAttestation ?? null, 'expected the attestation to verify against its announcement');
      if (c.value !== undefined) assert.equal(decodeDigitOutcomes(ann.event.descriptor as DigitsDescriptor, att.outcomes), BigInt(c.value), `expected value ${c.value}`);
    });
  }

  it('the signed numeric example is a signed base-10 event of 3 digits with 4 nonces, u16 base on the wire', () => {
    const c = cases.find((x) => x.name.startsWith('signed numeric, CLI'))!;
    const ann = decodeAnnouncement(c.announcement);
    assert.deepEqual(ann.event.descriptor, { kind: 'digits', base: 10, isSigned: true, unit: 'units', precision: 0, nbDigits: 3 }, 'expected the published descriptor');
    assert.equal(ann.event.nonces.length, 4, 'expected digits + 1 nonces');
    assert.equal(c.announcement.includes('fdd80a0f000a01'), true, 'expected the descriptor to start fdd80a 0f 000a (u16 base 10) 01 (signed)');
  });
});

describe('sibyls README example', () => {
  const fx = loadFixture<{ announcement: string; attestation: string; readmeOutcome: number; attestedValue: string; brokenMidstate: string; correctMidstate: string }>('sibyls-readme.json');
  const ann = decodeAnnouncement(fx.announcement);
  const att = decodeAttestation(fx.attestation);

  it('parses: unsigned base-2, 18 digits, empty event id, 18 nonces', () => {
    assert.deepEqual(ann.event.descriptor, { kind: 'digits', base: 2, isSigned: false, unit: 'BTCUSD', precision: 0, nbDigits: 18 }, 'expected the BTCUSD descriptor');
    assert.equal(ann.event.eventId, '', 'expected an empty event id');
    assert.equal(att.eventId, '', 'expected an empty attestation event id');
  });

  it('the attestation verifies under basic-sha256 only, and decodes to 31747 (the README says 30236)', () => {
    assert.equal(verifyAttestation(ann, att, 'basic-sha256'), null, 'expected basic-sha256 to verify every digit');
    assert.equal(verifyAttestation(ann, att, 'dlcspecs-v0')?.code, 'bad-signature', 'expected dlcspecs-v0 to refuse it');
    assert.equal(decodeDigitOutcomes(ann.event.descriptor as DigitsDescriptor, att.outcomes), BigInt(fx.attestedValue), 'expected the signed digits to encode 31747');
    assert.notEqual(BigInt(fx.readmeOutcome), BigInt(fx.attestedValue), 'the README "outcome" field does not match its own signed digits');
  });

  it('the announcement verifies under neither version; it was signed with a byte-reversed tagged-hash midstate', () => {
    assert.equal(verifyAnnouncement(ann, 'basic-sha256')?.code, 'bad-signature', 'expected basic-sha256 to refuse it');
    assert.equal(verifyAnnouncement(ann, 'dlcspecs-v0')?.code, 'bad-signature', 'expected dlcspecs-v0 to refuse it');
    const value = encodeOracleEventValue(ann.event);
    const sig = fromHex(ann.signature);
    const key = fromHex(ann.oracleKey);
    assert.equal(verifySchnorr(sig, sha256FromMidstate(fx.brokenMidstate, value), key), true, 'expected the 2022 sibyls hashing (reversed midstate, event value) to reproduce the signature');
    assert.equal(verifySchnorr(sig, sha256FromMidstate(fx.correctMidstate, value), key), false, 'expected the correct midstate not to');
    assert.equal(fx.brokenMidstate, Buffer.from(fx.correctMidstate, 'hex').reverse().toString('hex'), 'expected the broken midstate to be the correct one byte-reversed');
  });
});

describe('dlcspecs test vectors (announcements inside offer messages)', () => {
  it('all 72 distinct announcements parse and verify under basic-sha256, none under dlcspecs-v0 (rust-dlc signs plain SHA-256)', () => {
    const { vectors } = loadFixture<{ vectors: { announcement: string }[] }>('dlcspecs-announcements.json');
    assert.equal(vectors.length, 72, 'expected 72 vectors');
    let enums = 0;
    for (const v of vectors) {
      const ann = decodeAnnouncement(v.announcement);
      if (ann.event.descriptor.kind === 'enum') enums++;
      assert.equal(verifyAnnouncement(ann, 'basic-sha256'), null, `expected ${v.announcement.slice(0, 30)}… to verify under basic-sha256`);
      assert.equal(verifyAnnouncement(ann, 'dlcspecs-v0')?.code, 'bad-signature', `expected ${v.announcement.slice(0, 30)}… not to verify under dlcspecs-v0`);
    }
    assert.equal(enums > 0 && enums < vectors.length, true, `expected both enum and numeric vectors (${enums} enum)`);
  });
});

describe('cross-check with @node-dlc/messaging@1.1.7 (an independent TLV codec)', () => {
  it('it reads our announcements field for field, re-serialises our bytes and validates the signature', () => {
    for (const d of [ENUM, UNSIGNED]) {
      const f = makeEvent(d, 'dlcspecs-v0', 'node-dlc', 'cross-check');
      const bytes = Buffer.from(encodeAnnouncement(f.ann));
      const theirs = nodeDlc.OracleAnnouncement.deserialize(bytes);
      assert.equal(theirs.serialize().toString('hex'), bytes.toString('hex'), `expected node-dlc to re-serialise our ${d.kind} announcement byte for byte`);
      theirs.validate();
      const j = theirs.toJSON() as { announcementSignature: string; oraclePublicKey: string; oracleEvent: { oracleNonces: string[]; eventMaturityEpoch: number; eventId: string } };
      assert.deepEqual([j.announcementSignature, j.oraclePublicKey, j.oracleEvent.oracleNonces, j.oracleEvent.eventMaturityEpoch, j.oracleEvent.eventId], [f.ann.signature, f.ann.oracleKey, f.ann.event.nonces, f.ann.event.maturityEpoch, 'cross-check'], 'expected the same fields');
    }
  });

  it('it reads our attestations field for field (its own writer uses the rust-dlc layout, so bytes are compared one way only)', () => {
    const f = makeEvent(UNSIGNED, 'dlcspecs-v0', 'node-dlc-att', 'cross');
    const att = attest(f, ['9', '8', '7', '6', '5']);
    const j = nodeDlc.OracleAttestation.deserialize(Buffer.from(encodeAttestation(att))).toJSON();
    assert.deepEqual({ eventId: j.eventId, oracleKey: j.oraclePublicKey, signatures: j.signatures, outcomes: j.outcomes }, att, 'expected node-dlc to read the same attestation');
  });

  it('it parses every published vector to the same fields we do', () => {
    const bs = loadFixture<{ cases: BitcoinSCase[] }>('bitcoin-s-docs.json');
    for (const c of bs.cases.filter((x) => x.attestation)) {
      const ours = decodeAttestation(c.attestation!);
      const j = nodeDlc.OracleAttestation.deserialize(Buffer.from(c.attestation!, 'hex')).toJSON();
      assert.deepEqual({ eventId: j.eventId, oracleKey: j.oraclePublicKey, signatures: j.signatures, outcomes: j.outcomes }, ours, `expected the same attestation fields for ${c.name}`);
      assert.equal(toHex(encodeAttestation(ours)), c.attestation, 'expected our encoder to give the published bytes');
    }
  });
});
