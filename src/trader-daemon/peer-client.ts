/** trader-daemon/peer-client.ts - CounterpartyPort over HTTP: POST <contact>/dlc/v0 with one JSON envelope, through the guarded client (https only and no private addresses unless allowed, no redirects, a deadline, a byte limit); the peer's `{error: {code, message}}` becomes a PeerError with its code. Imports identity (guarded-http) and trader types. */
import { guardedRequest } from '../identity/guarded-http.ts';
import type { CounterpartyPort, Envelope } from '../trader/types.ts';

/** The counterparty path under a contact URL (PROTOCOL "Trader daemons"). */
export const DLC_PATH = '/dlc/v0';

/** A counterparty refused the envelope (`code` from its answer) or could not be reached (`code` = `peer-unreachable`). */
export class PeerError extends Error {
  override name = 'PeerError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export interface PeerClientOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  /** Allow plain http and loopback/private contacts (test networks only). */
  allowInsecure: boolean;
}

/** The statuses whose JSON body is read (the answer, or the peer's error object). */
const READ_STATUS = [200, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 503] as const;

/** CounterpartyPort over HTTP. */
export class HttpPeerClient implements CounterpartyPort {
  constructor(private readonly opts: PeerClientOptions) {}

  async send(contact: string, envelope: Envelope): Promise<Envelope> {
    const url = `${contact.replace(/\/+$/, '')}${DLC_PATH}`;
    const r = await guardedRequest(url, {
      isTest: this.opts.allowInsecure,
      timeoutMs: this.opts.timeoutMs,
      maxBytes: this.opts.maxResponseBytes,
      label: 'counterparty',
      urlName: 'contact',
      method: 'POST',
      json: envelope,
      acceptStatus: READ_STATUS,
    });
    if (!r.ok) throw new PeerError('peer-unreachable', r.reason);
    if (r.status !== 200) {
      const err = (r.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      const code = typeof err?.code === 'string' && /^[a-z0-9-]{1,64}$/.test(err.code) ? err.code : `http-${r.status}`;
      throw new PeerError(code, `counterparty answered ${r.status} ${code}${typeof err?.message === 'string' ? `: ${err.message.slice(0, 300)}` : ''}`, r.status);
    }
    if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body)) throw new PeerError('peer-bad-answer', 'the counterparty\'s answer is not an envelope object');
    // The engine checks the envelope itself (type, ids, signature); only the shape is vouched for here.
    return r.body as Envelope;
  }
}
