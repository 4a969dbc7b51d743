// test/unit/bench/gen-dlc.test.ts - the DLC lookup workload (bench/lib/gen-dlc*.ts) makes real entities: announcements verified by two BIP340 implementations, with distinct nonces derived like test/helpers/dlc.ts does; every entity accepted by full admission; the worker-thread population stores the same as the inline one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ecc from 'tiny-secp256k1';
import { schnorr } from '@noble/curves/secp256k1.js';
import { decodeAnnouncement, encodeOracleEvent, fromHex, verifyAnnouncement } from '../../../src/dlc/index.ts';
import { encodeOracleEventValue } from '../../../src/dlc/codec.ts';
import { announcementMessage } from '../../../src/dlc/schnorr.ts';
import { dlcTlvId, versionHash } from '../../../src/protocol/ids.ts';
import { offerId, verifyOfferSignature } from '../../../src/protocol/offer.ts';
import { dlcSecret, makeDlcOracle } from '../../helpers/dlc.ts';
import { newServiceForTest } from '../../helpers/factory.ts';
import { announcementBatch, dlcQuestion, offerBatch, type DlcGenPlan, type SigningOracle } from '../../../bench/lib/gen-dlc-sign.ts';
import { populateDlc } from '../../../bench/lib/gen-dlc.ts';

const NOW_S = 1_700_000_000;

/** A plan over `n` DLC oracles (seeds as gen-dlc.ts picks them), with the oracles admitted into `t` when given. */
function plan(nOracles: number, nAnn: number, nOffers: number, attestEvery: number): { plan: DlcGenPlan; oracles: ReturnType<typeof makeDlcOracle>[] } {
  const oracles = Array.from({ length: nOracles }, (_, k) => makeDlcOracle(700_000 + k, 'dlcspecs-v0', dlcQuestion(k)));
  const signing: SigningOracle[] = oracles.map((o) => ({ sk: o.sk, oracleKey: o.oracleKey, oraclePubKey: o.oracle.pubkey, capabilityPubKey: o.capKeys.publicKey, version: o.version }));
  return { plan: { oracles: signing, nAnn, nOffers, attestEvery, nowS: NOW_S, maturityFrom: NOW_S + 2 * 86_400, maturityStepS: 600 }, oracles };
}

describe('bench DLC workload: real signed entities', () => {
  it('announcements verify under tiny-secp256k1 (product verify) and @noble/curves, with distinct nonces derived per event like makeDlcEvent', () => {
    const { plan: p } = plan(2, 8, 0, 4);
    const b = announcementBatch(p, 0, 8);
    assert.equal(b.announcements.length, 8, 'expected 8 announcements');
    assert.equal(b.attestations.length, 2, 'expected 1 in 4 attested');
    const nonces = new Set<string>();
    for (const [i, a] of b.announcements.entries()) {
      const o = p.oracles[i % 2] as SigningOracle;
      assert.equal(a.id, dlcTlvId(a.msg.announcement), `announcement ${i}: expected the id the service computes`);
      assert.equal(a.version, versionHash(a.msg), `announcement ${i}: expected the version hash the mempool computes`);
      assert.deepEqual(a.decoded, decodeAnnouncement(a.msg.announcement), `announcement ${i}: expected decoded = decodeAnnouncement of its TLV`);
      assert.equal(verifyAnnouncement(a.decoded, 'dlcspecs-v0'), null, `announcement ${i}: expected the product verification (tiny-secp256k1) to accept it`);
      const ev = a.decoded.event;
      const msg = announcementMessage('dlcspecs-v0', encodeOracleEvent(ev), encodeOracleEventValue(ev));
      assert.ok(schnorr.verify(fromHex(a.decoded.signature), msg, fromHex(o.oracleKey)), `announcement ${i}: expected @noble/curves to verify the BIP340 signature`);
      const secret = dlcSecret(`nonce:${o.oracleKey}:bench-${i}:${ev.maturityEpoch}:0`);
      assert.equal(ev.nonces[0], Buffer.from(ecc.xOnlyPointFromScalar(secret)).toString('hex'), `announcement ${i}: expected the nonce to be the x-only point of its derived secret (tiny-secp256k1)`);
      nonces.add(ev.nonces[0] as string);
    }
    assert.equal(nonces.size, 8, 'expected a distinct nonce per announcement');
  });

  it('every generated announcement, attestation and offer is accepted by full admission (schema, PoW, signatures)', async () => {
    const t = newServiceForTest();
    const { plan: p, oracles } = plan(2, 6, 6, 3);
    for (const o of oracles) {
      assert.equal((await t.service.admit('oracle', o.oracle)).status, 'accepted', 'expected the DLC oracle ad accepted');
      assert.equal((await t.service.admit('capability', o.capability)).status, 'accepted', 'expected the DLC capability accepted');
    }
    const anns = announcementBatch(p, 0, 6);
    for (const a of anns.announcements) {
      const r = await t.service.admit('announcement', a.msg);
      assert.deepEqual([r.status, r.id], ['accepted', a.id], `expected announcement ${a.id} accepted under its generated id: ${JSON.stringify(r)}`);
    }
    for (const x of anns.attestations) {
      assert.equal(x.version, versionHash(x.msg), 'expected the attestation version hash the mempool computes');
      const r = await t.service.admit('attestation', x.msg);
      assert.equal(r.status, 'accepted', `expected attestation ${x.id} accepted: ${JSON.stringify(r)}`);
    }
    const offers = offerBatch(p, 0, 6, anns.announcements.map((a) => a.id));
    for (const x of offers.offers) {
      assert.ok(verifyOfferSignature(x.msg), 'expected the offer ECDSA signature to verify');
      assert.equal(x.id, offerId(x.msg), 'expected the offer id the service computes');
      assert.equal(x.version, versionHash(x.msg), 'expected the offer version hash the mempool computes');
      const r = await t.service.admit('offer', x.msg);
      assert.deepEqual([r.status, r.id], ['accepted', x.id], `expected offer ${x.id} accepted: ${JSON.stringify(r)}`);
      const stored = t.service.getOffer(x.id);
      assert.deepEqual([stored?.oraclePubKey, stored?.maturityEpoch], [x.oraclePubKey, x.maturityEpoch], 'expected the context the generator passes to match what admission stores');
    }
  });

  it('populateDlc with two generator threads stores what the inline run stores (counts, offers per announcement)', async () => {
    const inline = newServiceForTest();
    const threaded = newServiceForTest();
    const a = await populateDlc(inline, 1200, 1100, 100, { workers: 0, nowS: NOW_S });
    const b = await populateDlc(threaded, 1200, 1100, 100, { workers: 2, nowS: NOW_S });
    for (const [name, t, pop] of [['inline', inline, a], ['threaded', threaded, b]] as const) {
      assert.deepEqual([t.mempool.dlcCounts().announcements, t.mempool.dlcCounts().attestations, t.mempool.offerCounts().offers], [1200, 12, 1100], `${name}: expected 1200 announcements, 12 attestations, 1100 offers stored`);
      assert.deepEqual([pop.announcements, pop.attestations, pop.offers, pop.oracles.length], [1200, 12, 1100, 2], `${name}: expected the population to say so`);
    }
    // Offer i is on announcement i mod 1200 in both: the same offers by content (the signatures' aux randomness differs, so the ids of announcements do).
    const sig = (t: typeof inline, id: string): string => {
      const o = t.service.getOffer(id);
      return `${o?.msg.content.takerCollateral}:${o?.msg.status}:${o?.msg.content.chain}:${o?.maturityEpoch}`;
    };
    assert.deepEqual(a.offerIds.map((id) => sig(inline, id)), b.offerIds.map((id) => sig(threaded, id)), 'expected the same offers in the same order');
  });
});
