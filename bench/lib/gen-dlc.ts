/** bench/lib/gen-dlc.ts - DLC workload for the lookup and memory benchmarks: oracles with DLC capabilities, real signed announcements (enum events), attestations and signed offers on them, stored through the mempool's store API with the ids the service computes. */
import { decodeAnnouncement, decodeAttestation } from '../../src/dlc/index.ts';
import type { MegaNode } from '../../src/node.ts';
import { offerId } from '../../src/protocol/offer.ts';
import { dlcTlvId } from '../../src/protocol/ids.ts';
import type { Announcement, Attestation, Offer, OfferChain, Verified } from '../../src/protocol/types.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle, type DlcEvent, type DlcOracle } from '../../test/helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys } from '../../test/helpers/offer.ts';
import type { KeyPair } from '../../test/helpers/factory.ts';

const WORDS = ['price', 'rain', 'score', 'temperature', 'election', 'rate', 'volume', 'height', 'delay', 'count'];
const CHAINS: OfferChain[] = ['bitcoin-regtest', 'bitcoin-signet', 'bitcoin-testnet', 'bitcoin-mainnet'];
/** Announcements per DLC oracle (the default maxAnnouncementsPerCapability is 1000). */
export const ANNOUNCEMENTS_PER_ORACLE = 1000;
/** Open offers per maker key (the default offersPerMaker is 20). */
export const OFFERS_PER_MAKER = 20;

/** The question of DLC oracle `k`: `?question=item<k mod 1000>` matches one oracle in a thousand. */
export function dlcQuestion(k: number): string {
  return `${WORDS[k % WORDS.length]} in place${k % 100} item${k % 1000}`;
}

/** What the DLC population stored, for the client to build its queries. */
export interface DlcPopulation {
  oracles: string[];
  capabilities: string[];
  announcementIds: string[];
  offerIds: string[];
  makers: string[];
  announcements: number;
  attestations: number;
  offers: number;
  maturityFrom: number;
  maturityStepS: number;
}

/**
 * Store `nAnn` announcements over nAnn/1000 DLC oracles (admitted through node.service.admit with
 * their capabilities), one in `attestEvery` attested, and `nOffers` offers (offer i on announcement
 * i mod nAnn; one in 10 cancelled; taker collateral 10,000-109,900 sat in 1,000 steps; four chains).
 * Announcements, attestations and offers are real signed entities (BIP340 / ECDSA) and go in through
 * node.mempool's add methods with the ids the service computes, skipping only signature verification
 * (bench/dlc-ingest.ts measures that path). `progress` is called every 10k entries.
 */
export async function populateDlc(node: MegaNode, nAnn: number, nOffers: number, attestEvery: number, progress: (s: string) => void): Promise<DlcPopulation> {
  const nowS = Math.floor(Date.now() / 1000);
  const maturityFrom = nowS + 2 * 86_400;
  const maturityStepS = 600;
  const nOracles = Math.max(1, Math.ceil(nAnn / ANNOUNCEMENTS_PER_ORACLE));
  const oracles: DlcOracle[] = [];
  for (let k = 0; k < nOracles; k++) {
    const o = makeDlcOracle(700_000 + (k % 1000) + Math.floor(k / 1000) * 2000, 'dlcspecs-v0', dlcQuestion(k));
    for (const [kind, body] of [['oracle', o.oracle], ['capability', o.capability]] as const) {
      const res = await node.service.admit(kind, body);
      if (res.status !== 'accepted') throw new Error(`dlc ${kind} ${k} not accepted: ${JSON.stringify(res)}`);
    }
    oracles.push(o);
  }
  const events: DlcEvent[] = [];
  const annIds: string[] = [];
  let attestations = 0;
  for (let i = 0; i < nAnn; i++) {
    const k = i % nOracles;
    const o = oracles[k] as DlcOracle;
    // Maturities interleave across oracles: every oracle's events spread over the whole range.
    const ev = makeDlcEvent(o, { maturityEpoch: maturityFrom + Math.floor((i * maturityStepS) / nOracles), eventId: `bench-${i}`, difficulty: 0 });
    const a = ev.entity as Verified<Announcement>;
    const added = node.mempool.addAnnouncement(a, ev.id, decodeAnnouncement(a.announcement), o.version, dlcQuestion(k));
    if (added.status !== 'accepted') throw new Error(`announcement ${i} not stored: ${JSON.stringify(added)}`);
    if (i % attestEvery === attestEvery - 1) {
      const t = makeDlcAttestation(o, ev, ['sun']) as Verified<Attestation>;
      const r = node.mempool.addAttestation(t, dlcTlvId(t.attestation), decodeAttestation(t.attestation));
      if (r.status !== 'accepted') throw new Error(`attestation ${i} not stored: ${JSON.stringify(r)}`);
      attestations++;
    }
    events.push(ev);
    annIds.push(ev.id);
    if (i % 10_000 === 9_999) progress(`${i + 1} announcements`);
  }
  const makers: KeyPair[] = [];
  const offerIds: string[] = [];
  for (let i = 0; i < nOffers; i++) {
    const m = Math.floor(i / OFFERS_PER_MAKER);
    if (m >= makers.length) makers.push(makerKeys(m));
    const ai = i % nAnn;
    const ev = events[ai] as DlcEvent;
    const taker = 10_000 + (i % 1000) * 100;
    const total = 60_000 + taker;
    const terms = enumTerms(ev, nowS, {
      chain: CHAINS[i % CHAINS.length] as OfferChain,
      takerCollateral: taker,
      payouts: { kind: 'enum', outcomes: ['rain', 'sun', 'snow'].map((outcome, j) => ({ outcome, maker: j === 0 ? total : 0, taker: j === 0 ? 0 : total })) },
      expiresAt: nowS + 86_400 + (i % 3600),
    });
    const offer = makeOffer(makers[m] as KeyPair, terms, { difficulty: 0, status: i % 10 === 9 ? 'cancelled' : 'open' }) as Verified<Offer>;
    const id = offerId(offer);
    const r = node.mempool.addOffer(offer, id, { oraclePubKey: ev.entity.oraclePubKey, maturityEpoch: ev.ann.event.maturityEpoch, question: dlcQuestion(ai % nOracles) });
    if (r.status !== 'accepted') throw new Error(`offer ${i} not stored: ${JSON.stringify(r)}`);
    offerIds.push(id);
    if (i % 10_000 === 9_999) progress(`${i + 1} offers`);
  }
  return {
    oracles: oracles.map((o) => o.oracle.pubkey),
    capabilities: oracles.map((o) => o.capability.capabilityPubKey),
    announcementIds: annIds,
    offerIds,
    makers: makers.map((m) => m.publicKey),
    announcements: nAnn,
    attestations,
    offers: nOffers,
    maturityFrom,
    maturityStepS,
  };
}
