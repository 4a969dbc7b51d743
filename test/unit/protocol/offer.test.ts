// test/unit/protocol/offer.test.ts - owns tests of protocol/offer.ts: a fixed offer vector (id, PoW preimage, signature), cross-checked with node:crypto over a hand-written JCS text and @noble/curves; tampering and wrong keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { offerId, offerPowText, signOffer, verifyOfferSignature, type UnsignedOffer } from '../../../src/protocol/offer.ts';
import { publicKeyOf } from '../../../src/protocol/keys.ts';
import { checkPow, minePowSync } from '../../../src/protocol/pow.ts';
import type { Offer, OfferContent } from '../../../src/protocol/types.ts';

// Fixed vector: secret 3 (its public key is 3·G, a textbook point), the terms below, PoW at 8 bits from magicNo 0.
const SECRET = '0000000000000000000000000000000000000000000000000000000000000003';
const PUB = '02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
const CONTENT: OfferContent = {
  announcementId: 'ab'.repeat(32),
  chain: 'bitcoin-regtest',
  contractType: 'dlc-v0',
  makerCollateral: 60000,
  takerCollateral: 40000,
  payouts: { kind: 'enum', outcomes: [{ outcome: 'yes', maker: 100000, taker: 0 }, { outcome: 'no', maker: 0, taker: 100000 }] },
  feeRate: 2,
  cetLocktime: 0,
  refundLocktime: 1900000000,
  expiresAt: 1800000000,
  contact: 'https://maker.example/dlc',
};
// Written by hand in RFC 8785 order (keys sorted by UTF-16 code units at every level), not produced by the code under test.
const POW_TEXT =
  '{"content":{"announcementId":"' + 'ab'.repeat(32) + '","cetLocktime":0,"chain":"bitcoin-regtest","contact":"https://maker.example/dlc",' +
  '"contractType":"dlc-v0","expiresAt":1800000000,"feeRate":2,"makerCollateral":60000,"payouts":{"kind":"enum","outcomes":[' +
  '{"maker":100000,"outcome":"yes","taker":0},{"maker":0,"outcome":"no","taker":100000}]},"refundLocktime":1900000000,"takerCollateral":40000},' +
  '"makerPubKey":"' + PUB + '"}';
const ID = '35ecfba3e91cbc4b3a0b296921397635c6140fde5d28d33ba1e08c486cba1366';
const POW = { difficulty: 8, algorithm: 'SHA256' as const, hash: '007a91532e0d185720a065b83c18cc3479153983f7c872404ee332e95196c17a', magicNo: 230 };
// RFC 6979 deterministic ECDSA (libsecp256k1), low-S, compact r||s.
const SIGNATURE = 'a9dfe1fccc1f8c3aacd89fb4dd986caa5b92783e8a3097bd28bfc1ac61e51d3b0be805a36e2492da7fac986cd1ea9dfa67275245ec5b2376b951f11d806ba2b3';

function unsigned(over: Partial<UnsignedOffer> = {}): UnsignedOffer {
  return { makerPubKey: PUB, seqNo: 1, cTTL: 8, pow: POW, status: 'open', content: CONTENT, ...over };
}

const sha = (s: string): string => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

describe('offer vector (protocol/offer.ts)', () => {
  it('the key of secret 3 is 3·G', () => {
    assert.equal(publicKeyOf(SECRET), PUB, 'publicKeyOf(3) must be the compressed 3·G');
  });

  it('the PoW preimage is the canonical {makerPubKey, content}, and the id its SHA-256', () => {
    assert.equal(offerPowText(unsigned()), POW_TEXT, 'offerPowText must be the JCS text of {makerPubKey, content}');
    assert.equal(offerId(unsigned()), ID, 'offerId must be the fixed vector id');
    assert.equal(sha(POW_TEXT), ID, 'the id must be SHA-256 of the hand-written canonical text (node:crypto)');
  });

  it('the vector PoW is the first 8-bit solution of the preimage and checks', () => {
    assert.deepEqual(minePowSync(POW_TEXT, 8), POW, 'mining from 0 must find magicNo 230');
    assert.equal(checkPow(POW, offerPowText(unsigned())), null, 'the vector PoW must check against the offer preimage');
  });

  it('status, seqNo, cTTL and pow are not in the id or the PoW preimage', () => {
    const other = unsigned({ seqNo: 9, status: 'cancelled', cTTL: 1, pow: { ...POW, magicNo: 1 } });
    assert.equal(offerId(other), ID, 'a cancel (new seqNo and status) must keep the id');
    assert.equal(offerPowText(other), POW_TEXT, 'a cancel must keep the PoW preimage');
  });

  it('another maker key gives another id and preimage (work is bound to the maker)', () => {
    const otherPub = publicKeyOf('00'.repeat(31) + '05');
    assert.notEqual(offerId({ makerPubKey: otherPub, content: CONTENT }), ID, 'the maker key must be in the id');
  });

  it('signOffer gives the fixed signature over SHA-256 of JCS without makerSignature, pow, cTTL', () => {
    const o = signOffer(unsigned(), SECRET);
    assert.equal(o.makerSignatureType, 'ecdsa-secp256k1');
    assert.equal(o.makerSignature, SIGNATURE, 'RFC 6979 signature must match the vector');
    const signedText =
      '{"content":' + POW_TEXT.slice('{"content":'.length, POW_TEXT.indexOf(',"makerPubKey"')) +
      ',"makerPubKey":"' + PUB + '","makerSignatureType":"ecdsa-secp256k1","seqNo":1,"status":"open"}';
    const h = Buffer.from(sha(signedText), 'hex');
    const ok = secp256k1.verify(Buffer.from(SIGNATURE, 'hex'), h, Buffer.from(PUB, 'hex'), { prehash: false, lowS: true });
    assert.equal(ok, true, '@noble/curves must verify the signature over SHA-256 of the hand-written signed text');
    assert.equal(verifyOfferSignature(o), true, 'the node verifier must accept the vector');
  });

  it('pow and cTTL may change without breaking the signature', () => {
    const o = signOffer(unsigned(), SECRET);
    assert.equal(verifyOfferSignature({ ...o, cTTL: 2, pow: { ...POW, difficulty: 0 } }), true, 'pow and cTTL are unsigned');
  });

  it('every signed field change breaks the signature', () => {
    const o = signOffer(unsigned(), SECRET);
    const cases: [string, Offer][] = [
      ['seqNo', { ...o, seqNo: 2 }],
      ['status', { ...o, status: 'taken' }],
      ['content.takerCollateral', { ...o, content: { ...o.content, takerCollateral: 40001 } }],
      ['content.contact', { ...o, content: { ...o.content, contact: 'https://evil.example/dlc' } }],
      ['makerSignatureType', { ...o, makerSignatureType: 'schnorr' as never }],
    ];
    for (const [name, t] of cases) assert.equal(verifyOfferSignature(t), false, `changing ${name} must break the signature`);
  });

  it("another maker's signature is refused", () => {
    const secret5 = '00'.repeat(31) + '05';
    const theirs = signOffer(unsigned({ makerPubKey: publicKeyOf(secret5) }), secret5);
    assert.equal(verifyOfferSignature(theirs), true, 'their own offer verifies');
    const forged: Offer = { ...signOffer(unsigned(), SECRET), makerSignature: theirs.makerSignature };
    assert.equal(verifyOfferSignature(forged), false, 'a signature by another key must not verify against makerPubKey');
    const stolen: Offer = { ...theirs, makerPubKey: PUB };
    assert.equal(verifyOfferSignature(stolen), false, 'claiming another maker key must fail');
  });

  it('signOffer refuses a secret that does not match makerPubKey', () => {
    assert.throws(() => signOffer(unsigned(), '00'.repeat(31) + '05'), /does not match makerPubKey/);
  });

  it('a malformed signature or key is refused without throwing', () => {
    const o = signOffer(unsigned(), SECRET);
    assert.equal(verifyOfferSignature({ ...o, makerSignature: 'zz' }), false);
    assert.equal(verifyOfferSignature({ ...o, makerPubKey: '04' + PUB.slice(2) }), false);
  });
});
