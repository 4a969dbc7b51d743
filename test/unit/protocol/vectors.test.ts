// test/unit/protocol/vectors.test.ts - owns the fixed-vector checks of test/fixtures/protocol-vectors.json in both directions (recompute from inputs; verify what is stored).
import crypto from 'node:crypto';
import { schnorr } from '@noble/curves/secp256k1.js';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize, signedPart, signingHash, signingText } from '../../../src/protocol/canonical.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { disputeId, reportId } from '../../../src/protocol/ids.ts';
import { isLowS, publicKeyOf, signHash, verifyHash } from '../../../src/protocol/keys.ts';
import { checkPow, leadingZeroBits, powHash, reportPreimage } from '../../../src/protocol/pow.ts';
import { factHash, signCapability, signFact, signObject, signOracleId, signRotation } from '../../../src/protocol/sign.ts';
import type { Fact, OracleCapability, OracleId, Report } from '../../../src/protocol/types.ts';
import { isFactSignatureValid, verifyCapability, verifyDispute, verifyOracleId, verifyReportFacts } from '../../../src/protocol/verify.ts';
import { checkPaymentProof, requestCommitment } from '../../../src/protocol/payment.ts';
import { loadVectors, lookupOf, signatureVector, type SignatureVector } from './_helpers.ts';

const v = loadVectors();
const privateKeyOf = (s: SignatureVector): string => (v.keys[s.signer] as { privateKey: string }).privateKey;

describe('protocol vectors: file header', () => {
  it('is protocol v1 with ecdsa-secp256k1 and the fixed 0x0101.. style keys', () => {
    assert.equal(v.protocolVersion, 1);
    assert.equal(v.signatureType, 'ecdsa-secp256k1');
    for (const [name, k] of Object.entries(v.keys)) {
      assert.match(k.privateKey, /^([0-9a-f]{2})\1{31}$/, name);
      assert.equal(publicKeyOf(k.privateKey), k.publicKey, name);
    }
  });
});

describe('protocol vectors: signatures, recomputed from the inputs', () => {
  for (const s of v.signatures) {
    it(`${s.name}: canonical text, hash and signature match the file`, () => {
      if (s.signatureField === 'oracleSignature') {
        const input = s.input as OracleId | OracleCapability;
        // signedPart returns a null-prototype object (so `__proto__` stays a key): compare members only.
        assert.deepEqual({ ...signedPart(input, 'oracleSignature') }, s.signedObject);
        assert.equal(signingText(input, 'oracleSignature'), s.canonical);
        assert.equal(signingHash(input, 'oracleSignature'), s.hash);
        assert.equal(signObject(input, 'oracleSignature', privateKeyOf(s)), s.signature);
        assert.equal(input.oracleSignature, s.signature);
      } else if (s.signatureField === 'signature') {
        const fact = s.input as Fact;
        assert.deepEqual({ request: fact.request, answer: fact.answer }, s.signedObject);
        assert.equal(canonicalize(s.signedObject), s.canonical);
        assert.equal(factHash(fact.request, fact.answer), s.hash);
        assert.deepEqual(signFact(fact.request, fact.answer, privateKeyOf(s)), fact);
      } else {
        const link = s.input as { oldPubKey: string; newPubKey: string };
        assert.equal(s.canonical, link.newPubKey);
        assert.equal(signRotation(link.newPubKey, privateKeyOf(s)), s.signature);
        assert.equal(link.oldPubKey, s.publicKey);
      }
      assert.equal(sha256Hex(Buffer.from(s.canonical, 'utf8')), s.hash);
      assert.equal(signHash(s.hash, privateKeyOf(s)), s.signature);
      assert.equal(publicKeyOf(privateKeyOf(s)), s.publicKey);
    });

    it(`${s.name}: the stored signature verifies with the verify functions`, () => {
      assert.equal(verifyHash(s.signature, s.hash, s.publicKey), true, 'expected verifyHash to accept the signature');
      assert.equal(isLowS(s.signature), true, 'expected a low-S signature');
      if (s.signatureField === 'oracleSignature') {
        const input = s.input as OracleId | OracleCapability;
        if ('pubkey' in input) assert.equal(verifyOracleId(input), null);
        else assert.equal(verifyCapability(input), null);
      } else if (s.signatureField === 'signature') {
        assert.equal(isFactSignatureValid(s.input as Fact), true, "expected the fact's signature to verify");
      }
    });
  }

  it('re-signing the unsigned oracle ad and capability reproduces the stored messages exactly', () => {
    for (const name of ['oracle-id', 'oracle-id-rotated', 'oracle-id-previous']) {
      const s = signatureVector(v, name);
      const { oracleSignature: _sig, oracleSignatureType: _type, ...unsigned } = s.input as OracleId;
      assert.equal(canonicalize(signOracleId(unsigned, privateKeyOf(s))), canonicalize(s.input));
    }
    const c = signatureVector(v, 'oracle-capability');
    const { oracleSignature: _sig, oracleSignatureType: _type, ...unsignedCap } = c.input as OracleCapability;
    assert.equal(canonicalize(signCapability(unsignedCap, privateKeyOf(c))), canonicalize(c.input));
  });

  it('the signed text never contains the top-level signature, pow or cTTL, but does contain seqNo and bid', () => {
    const o = signatureVector(v, 'oracle-id');
    const parsed = JSON.parse(o.canonical) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['bid', 'manifestUri', 'oracleSignatureType', 'pubkey', 'seqNo', 'tags']);
    // The nested previousId of a rotated ad is signed whole, its own pow, cTTL and signature included.
    const r = JSON.parse(signatureVector(v, 'oracle-id-rotated').canonical) as { previousId: Record<string, unknown> };
    assert.deepEqual(Object.keys(r.previousId), ['bid', 'cTTL', 'oracleSignature', 'oracleSignatureType', 'pow', 'pubkey', 'seqNo']);
  });
});

describe('protocol vectors: an independent ECDSA implementation agrees (elliptic, RFC 6979)', () => {
  interface EllipticKey {
    sign(msg: number[], opts: { canonical: boolean }): { r: { toString(b: number, l: number): string }; s: { toString(b: number, l: number): string } };
    verify(msg: number[], sig: { r: string; s: string }): boolean;
  }
  const require = createRequire(import.meta.url);
  const EC = (require('elliptic') as { ec: new (c: string) => { keyFromPrivate(k: string, e: 'hex'): EllipticKey; keyFromPublic(k: string, e: 'hex'): EllipticKey } }).ec;
  const ec = new EC('secp256k1');
  for (const s of v.signatures) {
    it(`${s.name}: same deterministic signature, and it verifies`, () => {
      const msg = [...Buffer.from(s.hash, 'hex')];
      const sig = ec.keyFromPrivate(privateKeyOf(s), 'hex').sign(msg, { canonical: true });
      assert.equal(sig.r.toString(16, 64) + sig.s.toString(16, 64), s.signature);
      assert.equal(ec.keyFromPublic(s.publicKey, 'hex').verify(msg, { r: s.signature.slice(0, 64), s: s.signature.slice(64) }), true, "expected ec.keyFromPublic(s.publicKey, 'hex').verify(msg, { r: s.signature.slice(0, 64), s: s.signature.sli...");
    });
  }
});

describe('protocol vectors: ids', () => {
  for (const r of v.ids.reports) {
    it(`${r.name}: id = SHA-256 of canonical {oraclePubKey, content}`, () => {
      assert.equal(canonicalize({ oraclePubKey: r.input.oraclePubKey, content: r.input.content }), r.canonical);
      assert.equal(reportPreimage(r.input), r.canonical);
      assert.equal(reportId(r.input), r.id);
      assert.equal(sha256Hex(r.canonical), r.id);
      // seqNo, cTTL and pow are not part of the id.
      assert.equal(reportId({ ...r.input, seqNo: r.input.seqNo + 1, cTTL: 0 } as typeof r.input), r.id);
    });

    it(`${r.name}: verifies with the capability lookup`, () => {
      const cap = signatureVector(v, 'oracle-capability').input as OracleCapability;
      assert.equal(verifyReportFacts(r.input, lookupOf(cap)), null);
      assert.equal(checkPow(r.input.pow, reportPreimage(r.input)), null);
    });
  }

  it('dispute: id = SHA-256 of the canonical dispute, and it answers the fact-missing report', () => {
    const d = v.ids.dispute;
    assert.equal(canonicalize(d.input), d.canonical);
    assert.equal(disputeId(d.input), d.id);
    assert.equal(sha256Hex(d.canonical), d.id);
    const missing = v.ids.reports.find((r) => r.input.content.type === 'fact-missing');
    assert.notEqual(missing, undefined);
    assert.equal(d.input.reportId, missing?.id);
    const cap = signatureVector(v, 'oracle-capability').input as OracleCapability;
    assert.equal(verifyDispute(d.input, missing!.input, lookupOf(cap)), null);
  });
});

describe('protocol vectors: proof of work', () => {
  for (const e of v.pow.examples) {
    it(`${e.entity}: hash = SHA-256(preimage + magicNo + magicString)`, () => {
      assert.equal(e.hashedText, e.preimage + String(e.magicNo) + (e.magicString ?? ''));
      assert.equal(sha256Hex(e.hashedText), e.hash);
      assert.equal(powHash(e.preimage, e.magicNo, e.magicString ?? undefined), e.hash);
      assert.equal(leadingZeroBits(e.hash), e.leadingZeroBits);
      const pow = { difficulty: e.difficulty, algorithm: 'SHA256' as const, hash: e.hash, magicNo: e.magicNo };
      assert.equal(checkPow(e.magicString === null ? pow : { ...pow, magicString: e.magicString }, e.preimage), null);
    });
  }

  it('boundaries cover every difficulty 0..12', () => {
    assert.deepEqual(
      v.pow.boundaries.map((b) => b.leadingZeroBits),
      Array.from({ length: 13 }, (_, i) => i),
    );
  });

  for (const b of v.pow.boundaries) {
    it(`boundary ${b.leadingZeroBits} bits: valid at ${b.validAt}, pow-insufficient at ${b.invalidAt}`, () => {
      assert.equal(powHash(b.preimage, b.magicNo), b.hash);
      assert.equal(leadingZeroBits(b.hash), b.leadingZeroBits);
      const pow = { difficulty: b.validAt, algorithm: 'SHA256' as const, hash: b.hash, magicNo: b.magicNo };
      assert.equal(checkPow(pow, b.preimage), null);
      assert.equal(checkPow({ ...pow, difficulty: b.invalidAt }, b.preimage), 'pow-insufficient');
      // The vector is the first magicNo with exactly this many bits: every earlier one has a different count.
      for (let m = 0; m < b.magicNo; m++) assert.notEqual(leadingZeroBits(powHash(b.preimage, m)), b.leadingZeroBits);
    });
  }

  it('leading zero bit table', () => {
    for (const row of v.pow.leadingZeroBits) assert.equal(leadingZeroBits(row.hash), row.leadingZeroBits, row.hash);
  });
});

describe('protocol vectors: canonicalization (RFC 8785)', () => {
  for (const [i, c] of v.canonicalExamples.entries()) {
    it(`example ${i}`, () => {
      assert.equal(canonicalize(JSON.parse(c.json)), c.canonical);
    });
  }

  it('matches the published RFC 8785 examples byte for byte', () => {
    // RFC 8785 section 3.2.2 and appendix: the expected outputs are copied from the RFC, not from our code.
    assert.equal(
      (v.canonicalExamples[0] as { canonical: string }).canonical,
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    // Sorting is by UTF-16 code units: U+1F600 (D83D DE00) sorts before U+FB33.
    assert.equal(
      (v.canonicalExamples[1] as { canonical: string }).canonical,
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });
});

describe('protocol vectors: malleability and bad keys', () => {
  it('the high-S twin of a valid signature is refused', () => {
    const m = v.malleability;
    assert.equal(verifyHash(m.lowS, m.hash, m.publicKey), true, 'expected verifyHash to accept the signature');
    assert.equal(isLowS(m.highS), false, 'expected a high-S signature to be flagged');
    assert.equal(verifyHash(m.highS, m.hash, m.publicKey), false, 'expected verifyHash to refuse the signature');
  });

  for (const k of v.invalidPublicKeys) {
    it(`invalid public key refused: ${k.why}`, () => {
      const s = signatureVector(v, 'oracle-id');
      assert.equal(verifyHash(s.signature, s.hash, k.publicKey), false, 'expected verifyHash to refuse the signature');
    });
  }
});

describe('protocol vectors: a verified payment claim (PROTOCOL 8.3)', () => {
  const p = (loadVectors() as unknown as { payment: { lightningNodeId: string; capability: OracleCapability; request: { capabilityPubKey: string; arguments: Record<string, string> }; requestCanonical: string; descriptionHash: string; preimage: string; paymentHash: string; invoice: string; report: Report; reportId: string } }).payment;
  it('recomputes the commitment, the payment hash and the report id, and the report verifies with its embedded ad', () => {
    assert.equal(canonicalize(p.request), p.requestCanonical, 'expected the JCS request');
    assert.equal(requestCommitment(p.request), p.descriptionHash, 'expected the description hash = SHA-256 of the JCS request');
    assert.equal(sha256Hex(Buffer.from(p.preimage, 'hex')), p.paymentHash, 'expected SHA-256 of the preimage bytes');
    assert.equal(reportId(p.report), p.reportId, 'expected the report id');
    assert.equal(p.capability.lightningNodeId, p.lightningNodeId, 'expected the capability to name the node');
    assert.equal(verifyReportFacts(p.report, () => undefined), null, 'expected the paid report to verify');
    assert.equal(checkPaymentProof({ proof: 'x', invoice: p.invoice, preimage: p.paymentHash }, p.request, p.capability)?.reason, 'payment-invalid', 'expected the hash in place of the preimage refused');
  });
});

describe('protocol vectors: DLC proof reports (PROTOCOL 8.3, 12.8)', () => {
  interface Forged {
    name: string;
    content: Report['content'];
    reason: string;
  }
  const d = (loadVectors() as unknown as {
    dlcProofs: {
      dlcKey: string;
      capability: OracleCapability;
      announcements: { e1: string };
      attestations: { rain: string; sun: string };
      equivocation: { report: Report; reportId: string; powPreimage: string; index: number; nonce: string };
      nonceReuse: { report: Report; reportId: string; nonce: string };
      factMissingAnnouncement: { report: Report; reportId: string; announcementId: string };
      invalid: Forged[];
    };
  }).dlcProofs;
  const noLookup = (): undefined => undefined;

  it('recomputes the report ids and PoW preimage, and each report verifies alone (capability embedded)', () => {
    for (const v of [d.equivocation, d.nonceReuse, d.factMissingAnnouncement]) {
      assert.equal(reportId(v.report), v.reportId, `expected the ${v.report.content.type} report id`);
      assert.equal(verifyReportFacts(v.report, noLookup), null, `expected the ${v.report.content.type} vector to verify`);
      assert.equal(checkPow(v.report.pow, reportPreimage(v.report)), null, `expected the ${v.report.content.type} PoW to check`);
    }
    assert.equal(reportPreimage(d.equivocation.report), d.equivocation.powPreimage, 'expected the PoW preimage');
    assert.equal((d.factMissingAnnouncement.report.content as { announcementId?: string }).announcementId, d.factMissingAnnouncement.announcementId);
  });

  it('refuses every forged content with its reason', () => {
    assert.equal(d.invalid.length >= 8, true, 'expected the forged cases');
    for (const f of d.invalid) {
      const r: Report = { ...d.equivocation.report, content: f.content };
      assert.equal(verifyReportFacts(r, noLookup)?.reason, f.reason, `expected ${f.name} refused with ${f.reason}`);
    }
  });

  it('the two equivocating signatures give the DLC key, recomputed with BigInt arithmetic, node:crypto and @noble/curves (not the node\'s path: noble scalars, libsecp256k1 multiply)', () => {
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const sha = (...parts: Buffer[]): Buffer => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
    const tagged = (tag: string, msg: Buffer): Buffer => {
      const t = sha(Buffer.from(tag, 'utf8'));
      return sha(t, t, msg);
    };
    const big = (b: Buffer): bigint => BigInt('0x' + b.toString('hex'));
    const mod = (a: bigint): bigint => ((a % N) + N) % N;
    const inv = (a: bigint): bigint => {
      let [r0, r1, s0, s1] = [mod(a), N, 1n, 0n];
      while (r1 !== 0n) {
        const q = r0 / r1;
        [r0, r1] = [r1, r0 - q * r1];
        [s0, s1] = [s1, s0 - q * s1];
      }
      return mod(s0);
    };
    // Read R || s straight from the TLV bytes (the signature starts with the committed nonce), the outcome from its tail: no Mega decoder involved.
    const sigOf = (hex: string): { r: Buffer; s: bigint; outcome: string } => {
      const outcome = hex.endsWith(Buffer.from('rain').toString('hex')) ? 'rain' : 'sun';
      const i = hex.indexOf(d.equivocation.nonce);
      return { r: Buffer.from(hex.slice(i, i + 64), 'hex'), s: big(Buffer.from(hex.slice(i + 64, i + 128), 'hex')), outcome };
    };
    const a = sigOf(d.attestations.rain);
    const b = sigOf(d.attestations.sun);
    assert.deepEqual([a.outcome, b.outcome, a.r.equals(b.r)], ['rain', 'sun', true], 'expected two outcomes under one nonce');
    const px = Buffer.from(d.dlcKey, 'hex');
    const e = (outcome: string): bigint => mod(big(tagged('BIP0340/challenge', Buffer.concat([a.r, px, tagged('DLC/oracle/attestation/v0', Buffer.from(outcome, 'utf8'))]))));
    const x = mod((a.s - b.s) * inv(e('rain') - e('sun')));
    const xBytes = Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
    assert.equal(Buffer.from(schnorr.getPublicKey(xBytes)).toString('hex'), d.dlcKey, 'expected x·G to be the oracle key');
  });
});
