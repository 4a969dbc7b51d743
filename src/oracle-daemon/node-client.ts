/** oracle-daemon/node-client.ts - the daemon's client of one Mega node's REST API (docs/PROTOCOL.md, wolfram-mega-spec.yaml): post entities, read back the oracle, its capabilities and announcements, and the rank listing. Every request has a deadline and a body limit. Imports protocol types only. */
import type { Announcement, Attestation, OracleCapability, OracleId } from '../protocol/types.ts';

/** Largest response body read from a node. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Page size of listings (the API's maximum chunkSize). */
const PAGE = 1000;
/** Most pages read of one listing. */
const MAX_PAGES = 20;

/** What a POST came back with: accepted (201), duplicate (200) or refused with the node's reason code. */
export type PostOutcome = { status: 'accepted' | 'duplicate' } | { status: 'rejected'; http: number; code: string; message: string };

/** The node could not be asked (down, timeout, a 5xx, or an unreadable answer). */
export class NodeUnreachable extends Error {
  override name = 'NodeUnreachable';
}

/** One announcement as a node lists it. */
export interface NodeAnnouncement {
  id: string;
  attested: boolean;
}

/** A Mega node seen through its REST API. */
export class NodeClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  private async request(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${pathAndQuery}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      throw new NodeUnreachable(`${this.url}: ${(e as Error).message}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res.body ?? []) {
        size += (c as Uint8Array).length;
        if (size > MAX_RESPONSE_BYTES) throw new NodeUnreachable(`${this.url}${pathAndQuery}: answer larger than ${MAX_RESPONSE_BYTES} bytes`);
        chunks.push(Buffer.from(c as Uint8Array));
      }
    } catch (e) {
      await res.body?.cancel().catch(() => undefined);
      if (e instanceof NodeUnreachable) throw e;
      throw new NodeUnreachable(`${this.url}: ${(e as Error).message}`);
    }
    if (res.status >= 500 || res.status === 429) throw new NodeUnreachable(`${this.url}${pathAndQuery.split('?')[0]} answered ${res.status}`);
    let json: unknown = null;
    try {
      json = size === 0 ? null : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
    } catch {
      throw new NodeUnreachable(`${this.url}${pathAndQuery.split('?')[0]}: the answer is not JSON`);
    }
    return { status: res.status, json };
  }

  /** POST an entity to `/<kind>`. */
  async post(kind: 'oracle' | 'capability' | 'announcement' | 'attestation', entity: OracleId | OracleCapability | Announcement | Attestation): Promise<PostOutcome> {
    const { status, json } = await this.request('POST', `/${kind}`, entity);
    if (status === 201) return { status: 'accepted' };
    if (status === 200) return { status: 'duplicate' };
    const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return { status: 'rejected', http: status, code: typeof err?.code === 'string' ? err.code : `http-${status}`, message: typeof err?.message === 'string' ? err.message.slice(0, 500) : '' };
  }

  /** The oracle ad the node holds for `pubkey`, or null (404). */
  async oracle(pubkey: string): Promise<OracleId | null> {
    const { status, json } = await this.request('GET', `/oracles/${pubkey}`);
    if (status === 404) return null;
    if (status !== 200) throw new NodeUnreachable(`${this.url}/oracles/{pubkey} answered ${status}`);
    return (json as { oracle: OracleId }).oracle;
  }

  private async pages<T>(pathAndQuery: string): Promise<T[]> {
    const out: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const { status, json } = await this.request('GET', `${pathAndQuery}&chunkSize=${PAGE}&page=${page}`);
      if (status !== 200 || !Array.isArray(json)) throw new NodeUnreachable(`${this.url}${pathAndQuery.split('?')[0]} answered ${status}`);
      out.push(...(json as T[]));
      if (json.length < PAGE) break;
    }
    return out;
  }

  /** The capability ads the node holds for an oracle. */
  async capabilities(oraclePubKey: string): Promise<OracleCapability[]> {
    return (await this.pages<{ capability: OracleCapability }>(`/capabilities?pubkey=${oraclePubKey}`)).map((x) => x.capability);
  }

  /** The announcements the node holds for an oracle, with whether each is attested. */
  async announcements(oraclePubKey: string): Promise<NodeAnnouncement[]> {
    return (await this.pages<{ id: string; attested: boolean }>(`/announcements?oracle=${oraclePubKey}`)).map((x) => ({ id: x.id, attested: x.attested }));
  }

  /** The first `top` oracles of GET /oracles?question=…, in rank order. */
  async topOracles(question: string, top: number): Promise<OracleId[]> {
    const { status, json } = await this.request('GET', `/oracles?question=${encodeURIComponent(question)}&chunkSize=${top}`);
    if (status !== 200 || !Array.isArray(json)) throw new NodeUnreachable(`${this.url}/oracles answered ${status}`);
    return (json as { oracle: OracleId }[]).map((x) => x.oracle);
  }
}
