// test/unit/trader/_mega.ts - the engine tests' harness: an in-memory MegaPort (checks each offer's id, signature and seqNo like the node's admission door), a MegaPort wrapper for node faults, and a CounterpartyPort joining engines in one process through their `receive`, with hooks to tamper with or lose envelopes in transit.
import { offerId, verifyOfferSignature } from '../../../src/protocol/offer.ts';
import type { Announcement, Attestation, Offer, OracleCapability } from '../../../src/protocol/types.ts';
import { dlcTlvId } from '../../../src/protocol/ids.ts';
import type { ContractEngine, CounterpartyPort, Envelope, MegaPort } from '../../../src/trader/types.ts';

export class MemoryMega implements MegaPort {
  readonly offers = new Map<string, Offer>();
  readonly announcements = new Map<string, { announcement: Announcement; attestation: Attestation | null }>();
  readonly capabilities = new Map<string, OracleCapability>();
  readonly conflicted = new Set<string>();

  addCapability(c: OracleCapability): void {
    this.capabilities.set(`${c.oraclePubKey}/${c.capabilityPubKey}`, c);
  }
  addAnnouncement(a: Announcement): string {
    const id = dlcTlvId(a.announcement);
    this.announcements.set(id, { announcement: a, attestation: null });
    return id;
  }
  attest(a: Attestation): void {
    this.announcements.get(a.announcementId)!.attestation = a;
  }
  async postOffer(offer: Offer): Promise<void> {
    if (!verifyOfferSignature(offer)) throw Object.assign(new Error('bad signature'), { code: 'bad-signature' });
    const id = offerId(offer);
    const old = this.offers.get(id);
    if (old && old.seqNo >= offer.seqNo) {
      if (old.seqNo === offer.seqNo) return;
      throw Object.assign(new Error('stale seqNo'), { code: 'stale' });
    }
    this.offers.set(id, JSON.parse(JSON.stringify(offer)) as Offer);
  }
  async getOffer(id: string): Promise<Offer | null> {
    const o = this.offers.get(id);
    return o ? (JSON.parse(JSON.stringify(o)) as Offer) : null;
  }
  async getAnnouncement(id: string): Promise<{ announcement: Announcement; attestation: Attestation | null } | null> {
    return this.announcements.get(id) ?? null;
  }
  async getCapability(oraclePubKey: string, capabilityPubKey: string): Promise<OracleCapability | null> {
    return this.capabilities.get(`${oraclePubKey}/${capabilityPubKey}`) ?? null;
  }
  async getOracleStanding(oraclePubKey: string): Promise<{ known: boolean; conflicted: boolean; proofs: number }> {
    const c = this.conflicted.has(oraclePubKey);
    return { known: true, conflicted: c, proofs: c ? 1 : 0 };
  }
}

/** A MegaPort in front of another, for faults: a node that is down for N posts, or one that forges what it serves (a node can hide offers, not forge them unnoticed). */
export class HookedMega implements MegaPort {
  failPosts = 0;
  forgeOffer: ((o: Offer) => Offer) | null = null;
  constructor(readonly inner: MegaPort) {}
  async postOffer(offer: Offer): Promise<void> {
    if (this.failPosts > 0) {
      this.failPosts--;
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'unreachable' });
    }
    return this.inner.postOffer(offer);
  }
  async getOffer(id: string): Promise<Offer | null> {
    const o = await this.inner.getOffer(id);
    return o && this.forgeOffer ? this.forgeOffer(o) : o;
  }
  getAnnouncement(id: string): ReturnType<MegaPort['getAnnouncement']> {
    return this.inner.getAnnouncement(id);
  }
  getCapability(o: string, c: string): ReturnType<MegaPort['getCapability']> {
    return this.inner.getCapability(o, c);
  }
  getOracleStanding(o: string): ReturnType<MegaPort['getOracleStanding']> {
    return this.inner.getOracleStanding(o);
  }
}

/** What a hook may do to one envelope in transit. */
export type Transit = (env: Envelope, dir: 'request' | 'answer') => Envelope | 'lose' | 'lose-answer';

/** Engines in one process, reached by contact URL; each call goes through JSON like the daemon's HTTP. */
export class LocalPeers implements CounterpartyPort {
  readonly engines = new Map<string, ContractEngine>();
  hook: Transit | null = null;
  readonly log: Envelope['type'][] = [];

  async send(contact: string, envelope: Envelope): Promise<Envelope> {
    const e = this.engines.get(contact);
    if (!e) throw Object.assign(new Error(`no engine at ${contact}`), { code: 'unreachable' });
    let req: Envelope | 'lose' | 'lose-answer' = JSON.parse(JSON.stringify(envelope)) as Envelope;
    if (this.hook) req = this.hook(req, 'request');
    if (req === 'lose') throw new Error('connection reset (request lost)');
    const loseAnswer = req === 'lose-answer';
    const sent = loseAnswer ? (JSON.parse(JSON.stringify(envelope)) as Envelope) : (req as Envelope);
    this.log.push(sent.type);
    const ans = JSON.parse(JSON.stringify(await e.receive(sent))) as Envelope;
    if (loseAnswer) throw new Error('connection reset (answer lost)');
    const out = this.hook ? this.hook(ans, 'answer') : ans;
    if (out === 'lose' || out === 'lose-answer') throw new Error('connection reset (answer lost)');
    return out;
  }
}
