/** trader-daemon/node-port.ts - MegaPort over the REST API of the trader's Mega node(s) (docs/PROTOCOL.md 10.x, "DLC oracles", offers): offers posted to every node, reads failing over node by node; deadlines and byte limits on every request. Imports protocol and trader types. */
import type { Announcement, Attestation, Offer, OracleCapability } from '../protocol/types.ts';
import type { MegaPort } from '../trader/types.ts';

/** Largest answer read from a node. */
export const MAX_NODE_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Page size of listings (the API's largest chunkSize). */
const PAGE = 1000;
/** Most pages read of one listing. */
const MAX_PAGES = 10;

/** The node(s) refused a request or could not be asked; `code` is the node's reason (`error.code`) or `unreachable`. */
export class MegaPortError extends Error {
  override name = 'MegaPortError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

interface Answer {
  status: number;
  json: unknown;
}

/** MegaPort over HTTP: `nodes` in order of preference. */
export class NodeRestPort implements MegaPort {
  constructor(
    readonly nodes: readonly string[],
    private readonly timeoutMs: number,
  ) {}

  /** One request to one node; throws MegaPortError('unreachable') on a network failure, a 5xx/429, or an unreadable or oversized answer. */
  async request(node: string, method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${node}${pathAndQuery}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      throw new MegaPortError('unreachable', `${node}: ${(e as Error).message}`);
    }
    const route = pathAndQuery.split('?')[0];
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res.body ?? []) {
        size += (c as Uint8Array).length;
        if (size > MAX_NODE_RESPONSE_BYTES) throw new MegaPortError('unreachable', `${node}${route}: answer larger than ${MAX_NODE_RESPONSE_BYTES} bytes`);
        chunks.push(Buffer.from(c as Uint8Array));
      }
    } catch (e) {
      await res.body?.cancel().catch(() => undefined);
      if (e instanceof MegaPortError) throw e;
      throw new MegaPortError('unreachable', `${node}: ${(e as Error).message}`);
    }
    if (res.status >= 500 || res.status === 429) throw new MegaPortError('unreachable', `${node}${route} answered ${res.status}`, res.status);
    try {
      return { status: res.status, json: size === 0 ? null : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) };
    } catch {
      throw new MegaPortError('unreachable', `${node}${route}: the answer is not JSON`);
    }
  }

  /** Ask the nodes in order until one answers something other than 404 (then null if all said 404); throws when none could be asked. */
  private async firstFound<T>(pathAndQuery: string, read: (a: Answer, node: string) => T | null): Promise<T | null> {
    let reached = false;
    let last: MegaPortError | null = null;
    for (const node of this.nodes) {
      try {
        const a = await this.request(node, 'GET', pathAndQuery);
        reached = true;
        const v = read(a, node);
        if (v !== null) return v;
      } catch (e) {
        if (!(e instanceof MegaPortError) || e.code !== 'unreachable') throw e;
        last = e;
      }
    }
    if (!reached) throw last ?? new MegaPortError('unreachable', 'no node configured');
    return null;
  }

  private static refusal(a: Answer, what: string): MegaPortError {
    const err = (a.json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return new MegaPortError(typeof err?.code === 'string' ? err.code : `http-${a.status}`, `${what}: ${typeof err?.message === 'string' ? err.message.slice(0, 300) : `answered ${a.status}`}`, a.status);
  }

  /** POST /offer to every node: resolves when at least one accepted it (201) or holds it (200); else throws the first refusal, or `unreachable`. */
  async postOffer(offer: Offer): Promise<void> {
    const results = await Promise.allSettled(this.nodes.map((n) => this.request(n, 'POST', '/offer', offer)));
    let refusal: MegaPortError | null = null;
    let unreachable: MegaPortError | null = null;
    for (const r of results) {
      if (r.status === 'rejected') unreachable ??= r.reason instanceof MegaPortError ? r.reason : new MegaPortError('unreachable', String(r.reason));
      else if (r.value.status === 200 || r.value.status === 201) return;
      else refusal ??= NodeRestPort.refusal(r.value, 'POST /offer');
    }
    throw refusal ?? unreachable ?? new MegaPortError('unreachable', 'no node configured');
  }

  async getOffer(id: string): Promise<Offer | null> {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new MegaPortError('bad-request', 'an offer id is 64 lowercase hex');
    return this.firstFound(`/offers/${id}`, (a) => {
      if (a.status === 404) return null;
      if (a.status !== 200 || typeof a.json !== 'object' || a.json === null) throw NodeRestPort.refusal(a, `GET /offers/${id}`);
      const j = a.json as { offer?: Offer };
      return j.offer ?? (a.json as Offer);
    });
  }

  async getAnnouncement(id: string): Promise<{ announcement: Announcement; attestation: Attestation | null } | null> {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new MegaPortError('bad-request', 'an announcement id is 64 lowercase hex');
    return this.firstFound(`/announcements/${id}`, (a) => {
      if (a.status === 404) return null;
      const j = a.json as { announcement?: Announcement; attestation?: Attestation | null } | null;
      if (a.status !== 200 || !j?.announcement) throw NodeRestPort.refusal(a, `GET /announcements/${id}`);
      return { announcement: j.announcement, attestation: j.attestation ?? null };
    });
  }

  async getCapability(oraclePubKey: string, capabilityPubKey: string): Promise<OracleCapability | null> {
    if (!/^0[23][0-9a-f]{64}$/.test(oraclePubKey)) throw new MegaPortError('bad-request', 'an oracle key is 66 lowercase hex');
    let reached = false;
    let last: MegaPortError | null = null;
    for (const node of this.nodes) {
      try {
        for (let page = 0; page < MAX_PAGES; page++) {
          const a = await this.request(node, 'GET', `/capabilities?pubkey=${oraclePubKey}&chunkSize=${PAGE}&page=${page}`);
          reached = true;
          if (a.status !== 200 || !Array.isArray(a.json)) throw NodeRestPort.refusal(a, 'GET /capabilities');
          const hit = (a.json as { capability?: OracleCapability }[]).find((x) => x.capability?.capabilityPubKey === capabilityPubKey);
          if (hit?.capability) return hit.capability;
          if (a.json.length < PAGE) break;
        }
      } catch (e) {
        if (!(e instanceof MegaPortError) || e.code !== 'unreachable') throw e;
        last = e;
      }
    }
    if (!reached) throw last ?? new MegaPortError('unreachable', 'no node configured');
    return null;
  }

  /**
   * The oracle's standing: GET /oracles/{pk}/reputation (`conflicted`, `verifiedConflicts`); when
   * the node no longer holds the ad, its proofs may outlive it (PROTOCOL 9.5), so the proof reports
   * of GET /reports?pubkey= are counted.
   */
  async getOracleStanding(oraclePubKey: string): Promise<{ known: boolean; conflicted: boolean; proofs: number }> {
    if (!/^0[23][0-9a-f]{64}$/.test(oraclePubKey)) throw new MegaPortError('bad-request', 'an oracle key is 66 lowercase hex');
    const rep = await this.firstFound(`/oracles/${oraclePubKey}/reputation`, (a) => {
      if (a.status === 404) return null;
      const j = a.json as { conflicted?: unknown; verifiedConflicts?: unknown } | null;
      if (a.status !== 200 || typeof j?.conflicted !== 'boolean' || typeof j.verifiedConflicts !== 'number') throw NodeRestPort.refusal(a, 'GET /oracles/{pubkey}/reputation');
      return { known: true, conflicted: j.conflicted, proofs: j.verifiedConflicts };
    });
    if (rep) return rep;
    const proofs = await this.firstFound(`/reports?pubkey=${oraclePubKey}&chunkSize=${PAGE}`, (a) => {
      if (a.status !== 200 || !Array.isArray(a.json)) throw NodeRestPort.refusal(a, 'GET /reports');
      return (a.json as { class?: string }[]).filter((r) => r.class === 'proof').length;
    });
    return { known: false, conflicted: (proofs ?? 0) > 0, proofs: proofs ?? 0 };
  }
}
