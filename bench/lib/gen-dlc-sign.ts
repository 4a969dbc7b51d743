/** bench/lib/gen-dlc-sign.ts - the DLC lookup workload's entities, generated in batches (in a worker thread or inline): BIP340-signed enum announcements (tiny-secp256k1), 1 in N attested, ECDSA-signed offers (native secp256k1), each with the id the service computes. No node here. */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import * as ecc from 'tiny-secp256k1';
import type secp256k1Types from 'secp256k1';
import { decodeAnnouncement, decodeAttestation, encodeAnnouncement, encodeAttestation, encodeOracleEvent, signAttestation, toHex } from '../../src/dlc/index.ts';
import { encodeOracleEventValue } from '../../src/dlc/codec.ts';
import { announcementMessage } from '../../src/dlc/schnorr.ts';
import type { EventDescriptor, OracleAnnouncement, OracleAttestation, OracleEvent, SigningVersion } from '../../src/dlc/index.ts';
import { offerId } from '../../src/protocol/offer.ts';
import { dlcTlvId, versionHash } from '../../src/protocol/ids.ts';
import { announcementPreimage, minePowSync } from '../../src/protocol/pow.ts';
import type { Announcement, Attestation, Offer, OfferChain, OfferContent } from '../../src/protocol/types.ts';
import { dlcSecret } from '../../test/helpers/dlc.ts';
import { makeOffer, makerKeys } from '../../test/helpers/offer.ts';
import type { KeyPair } from '../../test/helpers/factory.ts';

// The native addon (libsecp256k1), loaded as src/protocol/keys.ts does: a nonce point is the x coordinate of k·G, the compressed public key without its prefix byte.
const secp: typeof secp256k1Types = createRequire(import.meta.url)('secp256k1');

const WORDS = ['price', 'rain', 'score', 'temperature', 'election', 'rate', 'volume', 'height', 'delay', 'count'];
const CHAINS: OfferChain[] = ['bitcoin-regtest', 'bitcoin-signet', 'bitcoin-testnet', 'bitcoin-mainnet'];
const ENUM: EventDescriptor = { kind: 'enum', outcomes: ['rain', 'sun', 'snow'] };
/** Announcements per DLC oracle (the default maxAnnouncementsPerCapability is 1000). */
export const ANNOUNCEMENTS_PER_ORACLE = 1000;
/** Open offers per maker key (the default offersPerMaker is 20). */
export const OFFERS_PER_MAKER = 20;

/** The question of DLC oracle `k`: `?question=item<k mod 1000>` matches one oracle in a thousand. */
export function dlcQuestion(k: number): string {
  return `${WORDS[k % WORDS.length]} in place${k % 100} item${k % 1000}`;
}

/** What signing for a DLC oracle needs (structured-clonable: it crosses to the generator thread). */
export interface SigningOracle {
  /** BIP340 secret of the oracle key. */
  sk: Uint8Array;
  /** Its x-only public key, hex. */
  oracleKey: string;
  /** The oracle ad's and capability's ECDSA public keys. */
  oraclePubKey: string;
  capabilityPubKey: string;
  version: SigningVersion;
}

/** What to generate. Offer i is on announcement i mod nAnn; announcement i belongs to oracle i mod oracles.length. */
export interface DlcGenPlan {
  oracles: SigningOracle[];
  nAnn: number;
  nOffers: number;
  attestEvery: number;
  nowS: number;
  maturityFrom: number;
  maturityStepS: number;
}

/** An announcement with the id and version hash the service computes and its decoded TLV (what Mempool.addAnnouncement takes). */
export interface GenAnnouncement {
  msg: Announcement;
  id: string;
  version: string;
  decoded: OracleAnnouncement;
  /** Index of its oracle in the plan. */
  k: number;
}
/** An attestation with its id, version hash and decoded TLV (Mempool.addAttestation). */
export interface GenAttestation {
  msg: Attestation;
  id: string;
  version: string;
  decoded: OracleAttestation;
}
/** An offer with its id, version hash and the context Mempool.addOffer takes. */
export interface GenOffer {
  msg: Offer;
  id: string;
  version: string;
  oraclePubKey: string;
  maturityEpoch: number;
  question: string;
}
/** One batch, in store order: its announcements (then the attestations on them), or its offers. */
export interface DlcBatch {
  announcements: GenAnnouncement[];
  attestations: GenAttestation[];
  offers: GenOffer[];
}

/** The maturity of announcement `i`: maturities interleave across oracles, every oracle's events spread over the whole range. */
export function maturityOf(plan: DlcGenPlan, i: number): number {
  return plan.maturityFrom + Math.floor((i * plan.maturityStepS) / plan.oracles.length);
}

/**
 * A signed enum (rain/sun/snow) announcement of `o`, its nonce secret derived from the event like
 * test/helpers/dlc.ts makeDlcEvent does (distinct per event id and maturity). Signed as
 * signAnnouncement does (same message, BIP340 with fresh auxiliary randomness) but with the fastest
 * libraries we have: the nonce point from the native secp256k1 addon (k·G), the signature from
 * tiny-secp256k1's signSchnorr (libsecp256k1 as WASM), and without the sign-then-verify step
 * (test/unit/bench/gen-dlc.test.ts verifies what this makes with two libraries).
 */
export function signEnumAnnouncement(o: SigningOracle, maturityEpoch: number, eventId: string): { ann: OracleAnnouncement; nonceSecrets: Uint8Array[] } {
  const nonceSecrets = [dlcSecret(`nonce:${o.oracleKey}:${eventId}:${maturityEpoch}:0`)];
  const event: OracleEvent = {
    nonces: nonceSecrets.map((k) => toHex(secp.publicKeyCreate(k, true).subarray(1))),
    maturityEpoch,
    descriptor: ENUM,
    eventId,
  };
  const msg = announcementMessage(o.version, encodeOracleEvent(event), encodeOracleEventValue(event));
  return { ann: { signature: toHex(ecc.signSchnorr(msg, o.sk, crypto.randomBytes(32))), oracleKey: o.oracleKey, event }, nonceSecrets };
}

/** The announcement entity carrying `ann` (PoW difficulty 0: one SHA-256), with its id. */
export function announcementOf(o: SigningOracle, ann: OracleAnnouncement): { msg: Announcement; id: string } {
  const tlv = toHex(encodeAnnouncement(ann));
  const id = dlcTlvId(tlv);
  const pow = minePowSync(announcementPreimage({ oraclePubKey: o.oraclePubKey, capabilityPubKey: o.capabilityPubKey }, id), 0);
  return { msg: { oraclePubKey: o.oraclePubKey, capabilityPubKey: o.capabilityPubKey, announcement: tlv, cTTL: 5, pow }, id };
}

/** Terms of bench offer `i` on the announcement `annId` maturing at `maturity`: taker collateral 10,000-109,900 sat in 1,000 steps, four chains. */
export function offerTerms(i: number, annId: string, maturity: number, nowS: number): OfferContent {
  const taker = 10_000 + (i % 1000) * 100;
  const total = 60_000 + taker;
  return {
    announcementId: annId,
    chain: CHAINS[i % CHAINS.length] as OfferChain,
    contractType: 'dlc-v0',
    makerCollateral: 60_000,
    takerCollateral: taker,
    payouts: { kind: 'enum', outcomes: ['rain', 'sun', 'snow'].map((outcome, j) => ({ outcome, maker: j === 0 ? total : 0, taker: j === 0 ? 0 : total })) },
    feeRate: 2,
    cetLocktime: maturity,
    refundLocktime: maturity + 7 * 24 * 3600,
    expiresAt: nowS + 86_400 + (i % 3600),
    contact: 'http://127.0.0.1:9/dlc',
  };
}

/** Announcements `from` .. `to` - 1 of `plan`, each attested one followed by its attestation. */
export function announcementBatch(plan: DlcGenPlan, from: number, to: number): DlcBatch {
  const out: DlcBatch = { announcements: [], attestations: [], offers: [] };
  const nOracles = plan.oracles.length;
  for (let i = from; i < to; i++) {
    const k = i % nOracles;
    const o = plan.oracles[k] as SigningOracle;
    const { ann, nonceSecrets } = signEnumAnnouncement(o, maturityOf(plan, i), `bench-${i}`);
    const { msg, id } = announcementOf(o, ann);
    out.announcements.push({ msg, id, version: versionHash(msg), decoded: decodeAnnouncement(msg.announcement), k });
    if (i % plan.attestEvery === plan.attestEvery - 1) {
      const att = signAttestation({ secretKey: o.sk, announcement: ann, nonceSecrets, outcomes: ['sun'], version: o.version });
      const hex = toHex(encodeAttestation(att));
      const attestation: Attestation = { announcementId: id, attestation: hex };
      out.attestations.push({ msg: attestation, id: dlcTlvId(hex), version: versionHash(attestation), decoded: decodeAttestation(hex) });
    }
  }
  return out;
}

/** Offers `from` .. `to` - 1 of `plan` (20 per maker key, 1 in 10 cancelled); `annIds[j]` is the id of the announcement of offer from + j. */
export function offerBatch(plan: DlcGenPlan, from: number, to: number, annIds: readonly string[]): DlcBatch {
  const out: DlcBatch = { announcements: [], attestations: [], offers: [] };
  const nOracles = plan.oracles.length;
  let maker: KeyPair | undefined;
  for (let i = from; i < to; i++) {
    if (i % OFFERS_PER_MAKER === 0 || !maker) maker = makerKeys(Math.floor(i / OFFERS_PER_MAKER));
    const ai = i % plan.nAnn;
    const o = plan.oracles[ai % nOracles] as SigningOracle;
    const maturity = maturityOf(plan, ai);
    const msg = makeOffer(maker, offerTerms(i, annIds[i - from] as string, maturity, plan.nowS), { difficulty: 0, status: i % 10 === 9 ? 'cancelled' : 'open' });
    out.offers.push({ msg, id: offerId(msg), version: versionHash(msg), oraclePubKey: o.oraclePubKey, maturityEpoch: maturity, question: dlcQuestion(ai % nOracles) });
  }
  return out;
}
