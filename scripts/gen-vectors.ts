// scripts/gen-vectors.ts - owns test/fixtures/protocol-vectors.json: deterministic protocol v1 test vectors from fixed keys. Run `npx tsx scripts/gen-vectors.ts` to write, `--check` to compare.
import fs from 'node:fs';
import { makeRegtestInvoice } from '../test/helpers/invoice.ts';
import { createRequire } from 'node:module';
import { canonicalize, signedPart, signingHash, signingText } from '../src/protocol/canonical.ts';
import { sha256Hex } from '../src/protocol/hash.ts';
import { disputeId, dlcTlvId, reportId } from '../src/protocol/ids.ts';
import { decodeAnnouncement, decodeAttestation, encodeAnnouncement, encodeAttestation, signAnnouncement, signAttestation, toHex, verifyAnnouncement, verifyAttestation, xOnlyFromSecret } from '../src/dlc/index.ts';
import { decodeDlcProof, equivocationContent, nonceReuseContent, verifyDlcProof } from '../src/protocol/verify-dlc.ts';
import { publicKeyOf, verifyHash } from '../src/protocol/keys.ts';
import { announcementPreimage, capabilityPreimage, checkPow, leadingZeroBits, minePowSync, oraclePreimage, powHash, reportPreimage } from '../src/protocol/pow.ts';
import { SchemaRegistry } from '../src/protocol/schema.ts';
import { offerId, offerPowText, signOffer, verifyOfferSignature } from '../src/protocol/offer.ts';
import { factHash, signCapability, signFact, signOracleId, signRotation } from '../src/protocol/sign.ts';
import type { Announcement, Attestation, Dispute, Fact, FactRequest, OracleCapability, OracleId, Report, ReportContent } from '../src/protocol/types.ts';
import { checkPaymentProof, requestCommitment } from '../src/protocol/payment.ts';
import { isFactSignatureValid, verifyCapability, verifyDispute, verifyOracleId, verifyReportFacts } from '../src/protocol/verify.ts';

const OUT = new URL('../test/fixtures/protocol-vectors.json', import.meta.url);

// secp256k1 field prime p and group order n.
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The fixed private keys of the vectors: byte k repeated 32 times. Never use them for anything real. */
const PRIVATE_KEYS = {
  oracle: '01'.repeat(32),
  capability: '02'.repeat(32),
  previousOracle: '03'.repeat(32),
  rotatedOracle: '04'.repeat(32),
  lightning: '05'.repeat(32),
  dlcCapability: '06'.repeat(32),
  dlcProofCapability: '07'.repeat(32),
} as const;
type KeyName = keyof typeof PRIVATE_KEYS;
const pub = (k: KeyName): string => publicKeyOf(PRIVATE_KEYS[k]);

// ---- an independent ECDSA implementation to cross-check RFC 6979 (elliptic ships with `secp256k1`) ----

interface EllipticBN {
  toString(base: number, length: number): string;
}
interface EllipticKey {
  sign(msg: number[], opts: { canonical: boolean }): { r: EllipticBN; s: EllipticBN };
  getPublic(compact: boolean, enc: 'hex'): string;
}
interface EllipticEC {
  keyFromPrivate(priv: string, enc: 'hex'): EllipticKey;
}
const require = createRequire(import.meta.url);
const EC = (require('elliptic') as { ec: new (curve: string) => EllipticEC }).ec;
const ec = new EC('secp256k1');

/** Sign with elliptic (RFC 6979, low-S) and insist the native signer produced the same bytes. */
function crossCheck(hashHex: string, privateKey: string, signature: string, publicKey: string): void {
  const key = ec.keyFromPrivate(privateKey, 'hex');
  const sig = key.sign([...Buffer.from(hashHex, 'hex')], { canonical: true });
  const compact = sig.r.toString(16, 64) + sig.s.toString(16, 64);
  if (compact !== signature) throw new Error(`RFC 6979 cross-check failed for hash ${hashHex}`);
  if (key.getPublic(true, 'hex') !== publicKey) throw new Error('public key cross-check failed');
  if (!verifyHash(signature, hashHex, publicKey)) throw new Error(`signature does not verify for hash ${hashHex}`);
}

function must(failure: { reason: string; message: string } | null, what: string): void {
  if (failure) throw new Error(`${what}: ${failure.reason}: ${failure.message}`);
}

// ---- entities ------------------------------------------------------------------------------------

function oracleAd(key: KeyName, seqNo: number, difficulty: number, extra: Partial<OracleId> = {}): OracleId {
  const pubkey = pub(key);
  // Fields are deliberately not in sorted order: canonicalization must sort them.
  return signOracleId(
    {
      seqNo,
      pubkey,
      cTTL: 8,
      pow: minePowSync(oraclePreimage({ pubkey }), difficulty),
      bid: { proof: '', amount: 0 },
      ...extra,
    },
    PRIVATE_KEYS[key],
  );
}

const oracle = oracleAd('oracle', 1, 8, { tags: ['weather', 'météo'], manifestUri: 'https://oracle.example/manifest.json' });

const capPreimage = capabilityPreimage({ oraclePubKey: pub('oracle'), capabilityPubKey: pub('capability') });
const capability: OracleCapability = signCapability(
  {
    question: 'Will it rain in {city} on {date}? ☔',
    oraclePubKey: pub('oracle'),
    capabilityPubKey: pub('capability'),
    seqNo: 3,
    cTTL: 8,
    pow: minePowSync(capPreimage, 6, 'mega'),
    tags: ['weather'],
    params: [
      { name: 'city', values: ['Zürich', 'Genève'] },
      { name: 'date', values: [] },
    ],
    answers: ['yes', 'no'],
    endpoint: 'https://oracle.example/rain',
  },
  PRIVATE_KEYS.oracle,
);

const request: FactRequest = { capabilityPubKey: pub('capability'), arguments: { date: '2024-06-01', city: 'Zürich' } };
const factYes: Fact = signFact(request, 'yes', PRIVATE_KEYS.capability);
const factNo: Fact = signFact(request, 'no', PRIVATE_KEYS.capability);
const missingRequest: FactRequest = { capabilityPubKey: pub('capability'), arguments: { date: '2024-06-02', city: 'Genève' } };
const disputeFact: Fact = signFact(missingRequest, 'no', PRIVATE_KEYS.capability);

const previousOracle = oracleAd('previousOracle', 0, 4);
const rotationLink = signRotation(pub('rotatedOracle'), PRIVATE_KEYS.previousOracle);
const rotatedOracle = oracleAd('rotatedOracle', 0, 4, { previousId: previousOracle, previousIdSignatureToNewPubkey: rotationLink });

function report(content: ReportContent, difficulty: number): Report {
  const base = { oraclePubKey: pub('oracle'), content };
  return { oraclePubKey: base.oraclePubKey, seqNo: 0, cTTL: 8, pow: minePowSync(reportPreimage(base), difficulty), content };
}

const reports: Record<string, Report> = {
  'fact-conflict': report({ type: 'fact-conflict', request, facts: [factYes, factNo], capability }, 4),
  'fact-missing': report(
    { type: 'fact-missing', request: missingRequest, payment: { proof: 'payment-preimage:4e1f', amount: 1000, paymentType: 'lightning' } },
    4,
  ),
  'fact-disagrees-with-public': report(
    { type: 'fact-disagrees-with-public', request, fact: factYes, comment: 'MeteoSwiss recorded no rain in Zürich that day.' },
    4,
  ),
};
const missing = reports['fact-missing'] as Report;
const dispute: Dispute = { reportId: reportId(missing), oraclePubKey: pub('oracle'), fact: disputeFact };

// ---- self-checks: everything written must be valid under the node's own rules ---------------------

const schemas = SchemaRegistry.load();
function schemaOk(kind: 'oracle' | 'capability' | 'report' | 'dispute' | 'announcement' | 'attestation', v: unknown): void {
  const r = schemas.validateEntity(kind, v);
  if (!r.ok) throw new Error(`generated ${kind} fails the schema: ${r.message}`);
}
for (const o of [oracle, previousOracle, rotatedOracle]) {
  schemaOk('oracle', o);
  must(verifyOracleId(o), 'oracle');
  if (checkPow(o.pow, oraclePreimage(o)) !== null) throw new Error('oracle pow');
}
schemaOk('capability', capability);
must(verifyCapability(capability), 'capability');
if (checkPow(capability.pow, capPreimage) !== null) throw new Error('capability pow');
const lookup = (o: string, c: string): OracleCapability | undefined =>
  o === capability.oraclePubKey && c === capability.capabilityPubKey ? capability : undefined;
for (const r of Object.values(reports)) {
  schemaOk('report', r);
  if ('capability' in r.content) must(verifyReportFacts(r, () => undefined), `report ${r.content.type} (embedded capability only)`);
  must(verifyReportFacts(r, lookup), `report ${r.content.type}`);
  if (checkPow(r.pow, reportPreimage(r)) !== null) throw new Error('report pow');
}
schemaOk('dispute', dispute);
must(verifyDispute(dispute, missing, lookup), 'dispute');

// ---- signature vectors ------------------------------------------------------------------------------

interface SignatureVector {
  name: string;
  description: string;
  signer: KeyName;
  publicKey: string;
  /** Field of `input` holding the signature, or null when the signature is carried elsewhere. */
  signatureField: string | null;
  input: unknown;
  /** The object that is canonicalized (for entities: `input` without the signature field, pow, cTTL). */
  signedObject: unknown;
  /** RFC 8785 text of signedObject; its UTF-8 bytes are hashed. */
  canonical: string;
  /** hex SHA-256 of UTF-8(canonical): the 32-byte ECDSA message. */
  hash: string;
  signature: string;
}

function entityVector(name: string, description: string, signer: KeyName, input: OracleId | OracleCapability): SignatureVector {
  const canonical = signingText(input, 'oracleSignature');
  const hash = signingHash(input, 'oracleSignature');
  if (hash !== sha256Hex(canonical)) throw new Error('hash mismatch');
  crossCheck(hash, PRIVATE_KEYS[signer], input.oracleSignature, pub(signer));
  return {
    name,
    description,
    signer,
    publicKey: pub(signer),
    signatureField: 'oracleSignature',
    input,
    signedObject: signedPart(input, 'oracleSignature'),
    canonical,
    hash,
    signature: input.oracleSignature,
  };
}

function factVector(name: string, description: string, fact: Fact): SignatureVector {
  const signedObject = { request: fact.request, answer: fact.answer };
  const canonical = canonicalize(signedObject);
  const hash = factHash(fact.request, fact.answer);
  if (hash !== sha256Hex(canonical) || !isFactSignatureValid(fact)) throw new Error('fact vector');
  crossCheck(hash, PRIVATE_KEYS.capability, fact.signature, pub('capability'));
  return { name, description, signer: 'capability', publicKey: pub('capability'), signatureField: 'signature', input: fact, signedObject, canonical, hash, signature: fact.signature };
}

const rotationHash = sha256Hex(pub('rotatedOracle'));
crossCheck(rotationHash, PRIVATE_KEYS.previousOracle, rotationLink, pub('previousOracle'));

const signatures: SignatureVector[] = [
  entityVector('oracle-id', 'OracleId signed by its pubkey; pow and cTTL are not in the signed text, seqNo and bid are', 'oracle', oracle),
  entityVector('oracle-capability', 'OracleCapability signed by the oracle key (oraclePubKey)', 'oracle', capability),
  factVector('fact-yes', 'Fact signed by the capability key over canonical {request, answer}', factYes),
  factVector('fact-no', 'a second answer to the same request (with fact-yes: a fact-conflict)', factNo),
  factVector('fact-dispute', 'the fact answering the fact-missing report (used by the dispute vector)', disputeFact),
  entityVector('oracle-id-previous', 'the previous OracleId of a key rotation (signed by the old key)', 'previousOracle', previousOracle),
  {
    name: 'rotation-link',
    description: 'previousIdSignatureToNewPubkey: the old key signs SHA-256 of the UTF-8 new pubkey hex string (66 chars)',
    signer: 'previousOracle',
    publicKey: pub('previousOracle'),
    signatureField: null,
    input: { oldPubKey: pub('previousOracle'), newPubKey: pub('rotatedOracle') },
    signedObject: pub('rotatedOracle'),
    canonical: pub('rotatedOracle'),
    hash: rotationHash,
    signature: rotationLink,
  },
  entityVector(
    'oracle-id-rotated',
    'OracleId of the new key carrying previousId and the rotation link; the nested previousId is signed whole (its pow, cTTL and signature included)',
    'rotatedOracle',
    rotatedOracle,
  ),
];

// ---- ids ------------------------------------------------------------------------------------------

const ids = {
  reports: Object.entries(reports).map(([type, r]) => ({
    name: `report-${type}`,
    input: r,
    canonical: canonicalize({ oraclePubKey: r.oraclePubKey, content: r.content }),
    id: reportId(r),
  })),
  dispute: { name: 'dispute', input: dispute, canonical: canonicalize(dispute), id: disputeId(dispute) },
};
for (const r of ids.reports) if (r.id !== sha256Hex(r.canonical)) throw new Error('report id');
if (ids.dispute.id !== sha256Hex(ids.dispute.canonical)) throw new Error('dispute id');

// ---- a verified payment claim (docs/PROTOCOL.md 8.3) ----------------------------------------------

const paidCapability: OracleCapability = signCapability(
  {
    question: 'Will it rain in {city} on {date}? ☔',
    oraclePubKey: pub('oracle'),
    capabilityPubKey: pub('capability'),
    seqNo: 4,
    cTTL: 8,
    pow: minePowSync(capPreimage, 6, 'mega'),
    lightningNodeId: pub('lightning'),
  },
  PRIVATE_KEYS.oracle,
);
const paidRequest: FactRequest = { capabilityPubKey: pub('capability'), arguments: { date: '2024-06-03', city: 'Zürich' } };
const preimage = sha256Hex('mega payment preimage vector');
const paymentHash = sha256Hex(Buffer.from(preimage, 'hex'));
const descriptionHash = requestCommitment(paidRequest);
const invoice = makeRegtestInvoice({ nodePrivateKey: PRIVATE_KEYS.lightning, paymentHash, descriptionHash, millisatoshis: '1000000', timestamp: 1_717_200_000, paymentSecret: '07'.repeat(32) });
const paidReport = report({ type: 'fact-missing', request: paidRequest, payment: { proof: 'lightning invoice and preimage', invoice, preimage }, capability: paidCapability }, 4);
must(verifyCapability(paidCapability), 'paid capability');
must(verifyReportFacts(paidReport, () => undefined), 'paid report');
if (checkPaymentProof({ proof: 'x', invoice, preimage: '00'.repeat(32) }, paidRequest, paidCapability)?.reason !== 'payment-invalid') throw new Error('payment vector: a wrong preimage must fail');
const payment = {
  description: 'a fact-missing with a Lightning payment proof (PROTOCOL 8.3): the invoice is signed by the capability lightningNodeId, SHA-256 of the preimage bytes is its payment hash, its description hash is SHA-256 of the JCS request',
  lightningNodeId: pub('lightning'),
  capability: paidCapability,
  request: paidRequest,
  requestCanonical: canonicalize(paidRequest),
  descriptionHash,
  preimage,
  paymentHash,
  invoice,
  report: paidReport,
  reportId: reportId(paidReport),
};

// ---- proof of work ----------------------------------------------------------------------------------

function powExample(entity: string, preimage: string, pow: { difficulty: number; magicNo: number; magicString?: string; hash: string }) {
  return {
    entity,
    preimage,
    difficulty: pow.difficulty,
    magicNo: pow.magicNo,
    magicString: pow.magicString ?? null,
    hashedText: preimage + String(pow.magicNo) + (pow.magicString ?? ''),
    hash: pow.hash,
    leadingZeroBits: leadingZeroBits(pow.hash),
  };
}

const powExamples = [
  powExample('oracle', oraclePreimage(oracle), oracle.pow),
  powExample('capability', capPreimage, capability.pow),
  ...Object.values(reports).map((r) => powExample(`report ${r.content.type}`, reportPreimage(r), r.pow)),
];

/** The first magicNo (from 0) whose hash has exactly `bits` leading zero bits. */
function exactly(preimage: string, bits: number) {
  for (let magicNo = 0; ; magicNo++) {
    const hash = powHash(preimage, magicNo);
    if (leadingZeroBits(hash) === bits) return { preimage, magicNo, magicString: null, hash, leadingZeroBits: bits, validAt: bits, invalidAt: bits + 1 };
  }
}
const BOUNDARY_PREIMAGE = pub('oracle');
const powBoundaries = Array.from({ length: 13 }, (_, d) => exactly(BOUNDARY_PREIMAGE, d));
for (const b of powBoundaries) {
  const pow = { difficulty: b.validAt, algorithm: 'SHA256' as const, hash: b.hash, magicNo: b.magicNo };
  if (checkPow(pow, b.preimage) !== null || checkPow({ ...pow, difficulty: b.invalidAt }, b.preimage) !== 'pow-insufficient') {
    throw new Error('pow boundary');
  }
}

const leadingZeroBitsTable = [
  '8000000000000000000000000000000000000000000000000000000000000000',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '4000000000000000000000000000000000000000000000000000000000000000',
  '3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '2000000000000000000000000000000000000000000000000000000000000000',
  '1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0800000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0007ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0000000000000000000000000000000000000000000000000000000000000001',
  '0000000000000000000000000000000000000000000000000000000000000000',
].map((hash) => ({ hash, leadingZeroBits: leadingZeroBits(hash) }));

// ---- keys that must be refused ---------------------------------------------------------------------

const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
};
/** Smallest x >= 1 for which x^3 + 7 is not a square mod p: no curve point has this x. */
function firstXOffCurve(): bigint {
  for (let x = 1n; ; x++) if (modPow((x ** 3n + 7n) % P, (P - 1n) / 2n, P) !== 1n) return x;
}
const hex64 = (v: bigint): string => v.toString(16).padStart(64, '0');
const invalidPublicKeys = [
  { publicKey: '02' + hex64(firstXOffCurve()), why: 'x < p but x^3 + 7 has no square root mod p: not on the curve' },
  { publicKey: '03' + hex64(P), why: 'x = p is not a field element' },
  { publicKey: '02' + '0'.repeat(64), why: 'x = 0: 7 is not a square mod p' },
  { publicKey: '04' + pub('oracle').slice(2), why: 'prefix 04 with 32 bytes (neither compressed nor uncompressed)' },
  { publicKey: pub('oracle').toUpperCase(), why: 'uppercase hex' },
  { publicKey: pub('oracle').slice(0, 64), why: '32 bytes instead of 33' },
];

const lowS = oracle.oracleSignature;
const highS = lowS.slice(0, 64) + hex64(N - BigInt('0x' + lowS.slice(64)));
const malleability = {
  description: 'the oracle-id signature and its high-S twin (s replaced by n - s): the twin is mathematically valid ECDSA but MUST be rejected',
  hash: signingHash(oracle, 'oracleSignature'),
  publicKey: pub('oracle'),
  lowS,
  highS,
};

// ---- generic RFC 8785 examples (the entities only carry integers; these pin strings and numbers) ------

const canonicalExamples = [
  '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
  '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
  '{"b": {"z": 1, "a": [{"y": 2, "x": 1}]}, "a": -0, "c": 1e21, "d": 1e-7, "e": 9007199254740991}',
].map((json) => ({ json, canonical: canonicalize(JSON.parse(json)) }));

// ---- DLC (wire protocol 3): a capability binding a real, published oracle key, its announcement and attestation ----
// The announcement and attestation are bitcoin-s's published enum example, verbatim (test/fixtures/dlc/bitcoin-s-docs.json
// names the source); the Mega side (capability ad, PoW) is ours. A node admits them exactly as given here.
const bitcoinS = (JSON.parse(fs.readFileSync(new URL('../test/fixtures/dlc/bitcoin-s-docs.json', import.meta.url), 'utf8')) as { cases: { name: string; announcement: string; attestation: string; version: 'dlcspecs-v0' }[] }).cases[0];
if (!bitcoinS) throw new Error('bitcoin-s fixture missing');
const dlcAnn = decodeAnnouncement(bitcoinS.announcement);
const dlcAtt = decodeAttestation(bitcoinS.attestation);
if (verifyAnnouncement(dlcAnn, 'dlcspecs-v0') || verifyAttestation(dlcAnn, dlcAtt, 'dlcspecs-v0')) throw new Error('the bitcoin-s example no longer verifies');
const dlcCapability: OracleCapability = signCapability(
  {
    question: 'Which outcome of the bitcoin-s example event?',
    oraclePubKey: pub('oracle'),
    capabilityPubKey: pub('dlcCapability'),
    seqNo: 1,
    cTTL: 8,
    pow: minePowSync(capabilityPreimage({ oraclePubKey: pub('oracle'), capabilityPubKey: pub('dlcCapability') }), 4),
    answers: dlcAnn.event.descriptor.kind === 'enum' ? dlcAnn.event.descriptor.outcomes : [],
    dlc: { oracleKey: dlcAnn.oracleKey, signingVersion: 'dlcspecs-v0' },
  },
  PRIVATE_KEYS.oracle,
);
must(verifyCapability(dlcCapability), 'dlc capability');
schemaOk('capability', dlcCapability);
const announcementId = dlcTlvId(bitcoinS.announcement);
const announcementEntity: Announcement = {
  oraclePubKey: pub('oracle'),
  capabilityPubKey: pub('dlcCapability'),
  announcement: bitcoinS.announcement,
  cTTL: 8,
  pow: minePowSync(announcementPreimage({ oraclePubKey: pub('oracle'), capabilityPubKey: pub('dlcCapability') }, announcementId), 4),
};
const attestationEntity: Attestation = { announcementId, attestation: bitcoinS.attestation };
schemaOk('announcement', announcementEntity);
schemaOk('attestation', attestationEntity);
const dlc = {
  source: 'test/fixtures/dlc/bitcoin-s-docs.json case 0 (bitcoin-s docs/oracle/oracle-server.md, enum example)',
  capability: entityVector('oracle-capability-dlc', 'OracleCapability with a DLC binding: dlc.oracleKey is the x-only key of the published bitcoin-s example, signingVersion dlcspecs-v0', 'oracle', dlcCapability),
  announcement: { name: 'announcement', input: announcementEntity, id: announcementId, powPreimage: announcementPreimage(announcementEntity, announcementId), event: { eventId: dlcAnn.event.eventId, maturityEpoch: dlcAnn.event.maturityEpoch, nonces: dlcAnn.event.nonces } },
  attestation: { name: 'attestation', input: attestationEntity, id: dlcTlvId(bitcoinS.attestation), outcomes: dlcAtt.outcomes },
};

// ---- DLC proof reports (docs/PROTOCOL.md 8.3, 12.8): a faulty oracle's messages from fixed secrets ----
// The DLC key is BIP340 secret 0x08…08; nonce secrets 0x0a…0a (event e1 and, reused, e3) and 0x0b…0b (e2);
// announcement aux bytes 0x00…00. Test values only: anyone can sign with them.
const DLC_PROOF_SECRETS = { key: '08'.repeat(32), nonceReused: '0a'.repeat(32), nonceOther: '0b'.repeat(32), aux: '00'.repeat(32) } as const;
const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const dlcProofKey = toHex(xOnlyFromSecret(bytes(DLC_PROOF_SECRETS.key)));
const proofCapability: OracleCapability = signCapability(
  {
    oraclePubKey: pub('oracle'),
    capabilityPubKey: pub('dlcProofCapability'),
    question: 'Will it rain, shine or snow in Zürich on 2024-06-20?',
    seqNo: 0,
    cTTL: 5,
    pow: minePowSync(capabilityPreimage({ oraclePubKey: pub('oracle'), capabilityPubKey: pub('dlcProofCapability') }), 4),
    answers: ['rain', 'sun', 'snow'],
    dlc: { oracleKey: dlcProofKey, signingVersion: 'dlcspecs-v0' },
  },
  PRIVATE_KEYS.oracle,
);
must(verifyCapability(proofCapability), 'dlc proof capability');
schemaOk('capability', proofCapability);
const proofEvent = (eventId: string, maturityEpoch: number, nonce: string) =>
  signAnnouncement({ secretKey: bytes(DLC_PROOF_SECRETS.key), nonceSecrets: [bytes(nonce)], maturityEpoch, descriptor: { kind: 'enum', outcomes: ['rain', 'sun', 'snow'] }, eventId, version: 'dlcspecs-v0', auxRand: bytes(DLC_PROOF_SECRETS.aux) });
const e1 = proofEvent('zurich-2024-06-20', 1_718_841_600, DLC_PROOF_SECRETS.nonceReused);
const e2 = proofEvent('zurich-2024-06-01', 1_717_200_000, DLC_PROOF_SECRETS.nonceOther);
const e3 = proofEvent('zurich-2024-06-21', 1_718_928_000, DLC_PROOF_SECRETS.nonceReused);
const e1Hex = toHex(encodeAnnouncement(e1));
const attest = (outcome: string): string => toHex(encodeAttestation(signAttestation({ secretKey: bytes(DLC_PROOF_SECRETS.key), announcement: e1, nonceSecrets: [bytes(DLC_PROOF_SECRETS.nonceReused)], outcomes: [outcome], version: 'dlcspecs-v0' })));
const attRain = attest('rain');
const attSun = attest('sun');
const equivocationReport = report(equivocationContent(pub('dlcProofCapability'), e1Hex, attRain, attSun, proofCapability), 4);
const nonceReuseReport = report(nonceReuseContent(pub('dlcProofCapability'), e1Hex, toHex(encodeAnnouncement(e3)), proofCapability), 4);
const missedId = dlcTlvId(toHex(encodeAnnouncement(e2)));
const missedReport = report({ type: 'fact-missing', request: { capabilityPubKey: pub('dlcProofCapability'), arguments: { date: '2024-06-01' } }, capability: proofCapability, announcementId: missedId }, 4);
const noLookup = () => undefined;
for (const r of [equivocationReport, nonceReuseReport, missedReport]) {
  must(verifyReportFacts(r, noLookup), `dlc proof vector ${r.content.type}`);
  schemaOk('report', r);
}
/** A forged variant of a DLC proof content and the reason every node refuses it with. */
function forged(name: string, content: ReportContent, reason: string) {
  const got = verifyReportFacts(report(content, 0), noLookup);
  if (got?.reason !== reason) throw new Error(`dlc proof vector ${name}: expected ${reason}, got ${got?.reason ?? 'valid'}`);
  return { name, content, reason };
}
const eqContent = equivocationContent(pub('dlcProofCapability'), e1Hex, attRain, attSun, proofCapability);
// Same event id as e1, another nonce: its attestation's R is not the nonce e1 committed.
const e4 = proofEvent('zurich-2024-06-20', 1_718_841_601, DLC_PROOF_SECRETS.nonceOther);
const e2Att = toHex(encodeAttestation(signAttestation({ secretKey: bytes(DLC_PROOF_SECRETS.key), announcement: e4, nonceSecrets: [bytes(DLC_PROOF_SECRETS.nonceOther)], outcomes: ['snow'], version: 'dlcspecs-v0' })));
const renamed = toHex(encodeAttestation({ ...decodeAttestation(attSun), oracleKey: dlcTlvId('00') }));
const nrContent = nonceReuseContent(pub('dlcProofCapability'), e1Hex, toHex(encodeAnnouncement(e3)), proofCapability);
const ordered = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);
const invalidDlcProofs = [
  forged('attestations-not-ascending', { ...eqContent, attestations: [eqContent.attestations[1], eqContent.attestations[0]] }, 'dlc-proof-unordered'),
  forged('same-attestation-twice', { ...eqContent, attestations: [attRain, attRain] }, 'dlc-proof-unordered'),
  forged('truncated-announcement', { ...eqContent, announcement: e1Hex.slice(0, -2) }, 'dlc-invalid'),
  forged('attestation-of-another-nonce', { ...eqContent, attestations: ordered(attRain, e2Att) }, 'dlc-nonce-mismatch'),
  forged('attestation-names-another-key', { ...eqContent, attestations: ordered(attRain, renamed) }, 'dlc-key-mismatch'),
  forged('announcement-of-another-key', { ...eqContent, announcement: bitcoinS.announcement }, 'dlc-key-mismatch'),
  forged('capability-without-dlc', { ...eqContent, capability: signCapability({ ...(({ oracleSignature: _s, oracleSignatureType: _t, dlc: _d, ...rest }) => rest)(proofCapability) }, PRIVATE_KEYS.oracle) }, 'capability-not-dlc'),
  forged('no-shared-nonce', { ...nrContent, announcements: ordered(e1Hex, toHex(encodeAnnouncement(e2))) }, 'dlc-no-shared-nonce'),
];
const dlcProofs = {
  description:
    'dlc-equivocation and dlc-nonce-reuse reports (proofs) and a fact-missing naming an announcement (PROTOCOL 8.3, 12.8), from a faulty oracle whose BIP340 key and nonce secrets are the fixed test secrets below; every node refuses each `invalid` content with its `reason`',
  secrets: DLC_PROOF_SECRETS,
  dlcKey: dlcProofKey,
  capability: proofCapability,
  announcements: { e1: e1Hex, e2: toHex(encodeAnnouncement(e2)), e3: toHex(encodeAnnouncement(e3)) },
  attestations: { rain: attRain, sun: attSun },
  equivocation: { report: equivocationReport, reportId: reportId(equivocationReport), powPreimage: reportPreimage(equivocationReport), index: 0, nonce: e1.event.nonces[0] },
  nonceReuse: { report: nonceReuseReport, reportId: reportId(nonceReuseReport), nonce: e1.event.nonces[0] },
  factMissingAnnouncement: { report: missedReport, reportId: reportId(missedReport), announcementId: missedId },
  invalid: invalidDlcProofs,
};
{
  const d = decodeDlcProof(eqContent);
  const found = 'reason' in d ? d : verifyDlcProof(d, proofCapability);
  if ('reason' in found || found.nonce !== dlcProofs.equivocation.nonce) throw new Error('dlc equivocation vector does not verify');
}

// ---- an offer (docs/PROTOCOL.md "Offers") --------------------------------------------------------------

// On the bitcoin-s enum announcement above (outcomes outcome1..3, maturity 1701917137), by a maker key
// of its own (secret 0x08..08); RFC 6979 signing makes it deterministic.
const MAKER_SECRET = '08'.repeat(32);
const offer = (() => {
  const dlcDecoded = decodeAnnouncement(announcementEntity.announcement);
  const base = {
    makerPubKey: publicKeyOf(MAKER_SECRET),
    content: {
      announcementId: dlcTlvId(announcementEntity.announcement),
      chain: 'bitcoin-regtest' as const,
      contractType: 'dlc-v0' as const,
      makerCollateral: 60000,
      takerCollateral: 40000,
      payouts: {
        kind: 'enum' as const,
        outcomes: [
          { outcome: 'outcome1', maker: 100000, taker: 0 },
          { outcome: 'outcome2', maker: 0, taker: 100000 },
          { outcome: 'outcome3', maker: 50000, taker: 50000 },
        ],
      },
      feeRate: 2,
      cetLocktime: dlcDecoded.event.maturityEpoch,
      refundLocktime: dlcDecoded.event.maturityEpoch + 7 * 24 * 3600,
      expiresAt: dlcDecoded.event.maturityEpoch - 3600,
      contact: 'https://maker.example/dlc',
    },
  };
  const input = signOffer({ ...base, seqNo: 0, cTTL: 5, status: 'open', pow: minePowSync(offerPowText(base), 8) }, MAKER_SECRET);
  if (!verifyOfferSignature(input)) throw new Error('offer vector: signature does not verify');
  const valid = schemas.validateEntity('offer', input);
  if (!valid.ok) throw new Error(`offer vector: ${valid.message}`);
  return {
    name: 'offer',
    description: 'an open offer on the bitcoin-s enum announcement (dlc.announcement): id = SHA-256 of powPreimage, the canonical {makerPubKey, content}; makerSignature over SHA-256 of signingText (without makerSignature, pow, cTTL)',
    makerSecret: MAKER_SECRET,
    input,
    id: offerId(input),
    powPreimage: offerPowText(input),
    signingText: signingText(input, 'makerSignature'),
    signingHash: signingHash(input, 'makerSignature'),
  };
})();

// ---- output -----------------------------------------------------------------------------------------

const vectors = {
  description:
    'Mega protocol v1 test vectors. Generated by scripts/gen-vectors.ts from the fixed private keys below; do not edit by hand. See docs/PROTOCOL.md.',
  protocolVersion: 1,
  signatureType: 'ecdsa-secp256k1',
  keys: Object.fromEntries((Object.keys(PRIVATE_KEYS) as KeyName[]).map((k) => [k, { privateKey: PRIVATE_KEYS[k], publicKey: pub(k) }])),
  signatures,
  ids,
  payment,
  pow: { examples: powExamples, boundaries: powBoundaries, leadingZeroBits: leadingZeroBitsTable },
  invalidPublicKeys,
  malleability,
  canonicalExamples,
  dlc,
  dlcProofs,
  offer,
};

const text = JSON.stringify(vectors, null, 2) + '\n';
if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (current !== text) {
    console.error(`${OUT.pathname} is out of date: run npx tsx scripts/gen-vectors.ts`);
    process.exit(1);
  }
  console.log(`${OUT.pathname} is up to date`);
} else {
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${OUT.pathname} (${signatures.length} signatures, ${ids.reports.length + 1} ids, ${powBoundaries.length} PoW boundaries)`);
}
