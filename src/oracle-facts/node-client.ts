/** oracle-facts/node-client.ts - the two node REST calls the report answerer makes: GET /reports?pubkey=… (one page) and POST /dispute, with deadlines and a bound on the bytes read. Imports protocol only. */
import type { Dispute, Report } from '../protocol/types.ts';

/** One entry of GET /reports (PROTOCOL 10.6); `report` is not trusted until checked by the caller. */
export interface StoredReportEntry {
  id: string;
  report: Report;
  dispute: Dispute | null;
  class: string;
}

/** Outcome of a node call (a value, never an exception). */
export type NodeCall<T> = { status: 'ok'; value: T } | { status: 'error'; message: string };

/** Outcome of POST /dispute as the node answered it. */
export type DisputeAnswer = { http: number; result?: string; code?: string; message?: string };

/** Options of a {@link NodeClient}. */
export interface NodeClientOptions {
  /** Base URL of the node's REST API, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  timeoutMs: number;
  /** Most bytes read of one answer (a page of reports). */
  maxResponseBytes: number;
}

/** Read a response body up to `max` bytes, else throw. */
async function readLimited(res: globalThis.Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) throw new Error(`answer of ${declared} bytes exceeds ${max}`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += c.length;
    if (size > max) throw new Error(`answer exceeds ${max} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Talks to one node. */
export class NodeClient {
  readonly baseUrl: string;
  private readonly opts: NodeClientOptions;

  constructor(opts: NodeClientOptions) {
    const u = new URL(opts.baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RangeError(`node URL must be http(s): ${opts.baseUrl}`);
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.opts = opts;
  }

  /** One page of the reports against `pubkey`'s rotation chain (PROTOCOL 10.6 order: proofs, claims, answered). */
  async reports(pubkey: string, page: number, chunkSize: number): Promise<NodeCall<StoredReportEntry[]>> {
    const url = `${this.baseUrl}/reports?pubkey=${pubkey}&page=${page}&chunkSize=${chunkSize}`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.timeoutMs), headers: { accept: 'application/json' } });
      const text = await readLimited(res, this.opts.maxResponseBytes);
      if (res.status !== 200) return { status: 'error', message: `GET /reports answered ${res.status}: ${text.slice(0, 200)}` };
      const v = JSON.parse(text) as unknown;
      if (!Array.isArray(v)) return { status: 'error', message: 'GET /reports did not answer an array' };
      return { status: 'ok', value: v as StoredReportEntry[] };
    } catch (err) {
      return { status: 'error', message: `GET /reports: ${(err as Error).message}` };
    }
  }

  /** POST /dispute; any HTTP answer is `ok` (the caller reads status and code), a transport failure an error. */
  async postDispute(d: Dispute): Promise<NodeCall<DisputeAnswer>> {
    try {
      const res = await fetch(`${this.baseUrl}/dispute`, {
        method: 'POST',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(d),
      });
      const text = await readLimited(res, 64 * 1024);
      let body: Record<string, unknown> = {};
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v === 'object' && v !== null) body = v as Record<string, unknown>;
      } catch {
        // A proxy's HTML error page: the status alone decides.
      }
      const err = (body.error ?? {}) as Record<string, unknown>;
      const answer: DisputeAnswer = { http: res.status };
      if (typeof body.result === 'string') answer.result = body.result;
      if (typeof err.code === 'string') answer.code = err.code;
      if (typeof err.message === 'string') answer.message = err.message.slice(0, 300);
      return { status: 'ok', value: answer };
    } catch (err) {
      return { status: 'error', message: `POST /dispute: ${(err as Error).message}` };
    }
  }
}
