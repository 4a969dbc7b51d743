// test/unit/trader/_rest-mega.ts - a MegaPort over a real Mega node's REST API (POST /offer, GET /offers/{id}, GET /announcements/{id}, GET /capabilities?pubkey=), for the engine tests against an in-process node.
import type { Announcement, Attestation, Offer, OracleCapability } from '../../../src/protocol/types.ts';
import type { MegaPort } from '../../../src/trader/types.ts';

interface ErrorBody {
  error?: { code?: string; message?: string };
}

export class RestMega implements MegaPort {
  constructor(private readonly base: string) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  async postOffer(offer: Offer): Promise<void> {
    const r = await this.call('POST', '/offer', offer);
    if (r.status === 200 || r.status === 201 || r.status === 202) return;
    const e = (r.body as ErrorBody).error;
    throw Object.assign(new Error(`POST /offer ${r.status}: ${e?.message ?? ''}`), { code: e?.code ?? `http-${r.status}` });
  }
  async getOffer(id: string): Promise<Offer | null> {
    const r = await this.call('GET', `/offers/${id}`);
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`GET /offers/${id}: ${r.status}`);
    return (r.body as { offer: Offer }).offer;
  }
  async getAnnouncement(id: string): Promise<{ announcement: Announcement; attestation: Attestation | null } | null> {
    const r = await this.call('GET', `/announcements/${id}`);
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`GET /announcements/${id}: ${r.status}`);
    const b = r.body as { announcement: Announcement; attestation: Attestation | null };
    return { announcement: b.announcement, attestation: b.attestation };
  }
  private async capabilities(oraclePubKey: string): Promise<{ capability: OracleCapability; standing: { conflicted: boolean; proofs: number } }[]> {
    const r = await this.call('GET', `/capabilities?pubkey=${oraclePubKey}`);
    if (r.status !== 200) throw new Error(`GET /capabilities: ${r.status}`);
    return r.body as { capability: OracleCapability; standing: { conflicted: boolean; proofs: number } }[];
  }
  async getCapability(oraclePubKey: string, capabilityPubKey: string): Promise<OracleCapability | null> {
    return (await this.capabilities(oraclePubKey)).find((c) => c.capability.capabilityPubKey === capabilityPubKey)?.capability ?? null;
  }
  async getOracleStanding(oraclePubKey: string): Promise<{ known: boolean; conflicted: boolean; proofs: number }> {
    const list = await this.capabilities(oraclePubKey);
    const s = list[0]?.standing;
    return s ? { known: true, conflicted: s.conflicted, proofs: s.proofs } : { known: false, conflicted: false, proofs: 0 };
  }
}
