/** api/fact-handlers.ts - the REST handlers of facts through the node (POST /fact-requests, POST /facts; docs/PROTOCOL.md 10.7). Imports api helpers and facts types. */
import type { Request, Response } from 'express';
import type { Fact, FactRequest } from '../protocol/types.ts';
import { OHTTP_OVERHEAD_BYTES, type ProxyOutcome } from '../facts/fact-proxy.ts';
import type { UploadOutcome } from '../facts/fact-service.ts';
import { ApiError } from './errors.ts';
import { sendJson } from './respond.ts';
import type { ValidatedInput } from './validate.ts';

type Handler = (req: Request, res: Response) => void | Promise<void>;

/** What the handlers need from the node's fact service (facts/fact-service.ts). */
export interface FactsApi {
  request(oraclePubKey: string, request: FactRequest, paymentHash?: string): Promise<ProxyOutcome>;
  upload(oraclePubKey: string, fact: Fact): UploadOutcome;
  relayOblivious(oraclePubKey: string, capabilityPubKey: string, encapsulated: Uint8Array): Promise<{ status: 'sealed'; bytes: Buffer } | { status: 'error'; http: number; code: string; message: string }>;
}

/** Largest encapsulated request relayed (a fact request is small; the limit is the JSON body limit of PROTOCOL 7.5 plus framing). */
export const MAX_OHTTP_REQUEST_BYTES = 64 * 1024 + OHTTP_OVERHEAD_BYTES;

/** Read a raw body of at most `limit` bytes (the JSON parser skipped it: it is not JSON). */
function readRaw(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new ApiError(413, 'body-too-large', `an encapsulated request is at most ${limit} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause();
        reject(new ApiError(413, 'body-too-large', `an encapsulated request is at most ${limit} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new ApiError(400, 'request-aborted', 'the client aborted the body')));
  });
}

const input = (res: Response): ValidatedInput => res.locals.input as ValidatedInput;

/** Handlers keyed by the spec's operationId; without a fact service both answer 404 `facts-disabled`. */
export function createFactHandlers(facts: FactsApi | undefined): Record<string, Handler> {
  const need = (): FactsApi => {
    if (!facts) throw new ApiError(404, 'facts-disabled', 'this node does not serve fact requests');
    return facts;
  };
  return {
    postFactRequest: async (_req, res) => {
      const b = input(res).body as { oraclePubKey: string; request: FactRequest; paymentHash?: string };
      const r = await need().request(b.oraclePubKey, b.request, b.paymentHash);
      if (r.status === 'fact') return sendJson(res, { fact: r.fact, cached: r.cached });
      if (r.status === 'payment-required') return sendJson(res, r.demand, 402);
      throw new ApiError(r.http, r.code, r.message);
    },
    postOhttpRelay: async (req, res) => {
      const p = input(res).path as { oraclePubKey: string; capabilityPubKey: string };
      if (!req.is('message/ohttp-req')) throw new ApiError(415, 'unsupported-media-type', 'the body must be message/ohttp-req (RFC 9458)');
      const bytes = await readRaw(req, MAX_OHTTP_REQUEST_BYTES);
      const r = await need().relayOblivious(p.oraclePubKey, p.capabilityPubKey, bytes);
      if (r.status === 'error') throw new ApiError(r.http, r.code, r.message);
      res.status(200).type('message/ohttp-res').set('Cache-Control', 'no-store').send(r.bytes);
    },
    postFact: (_req, res) => {
      const b = input(res).body as { oraclePubKey: string; fact: Fact };
      const r = need().upload(b.oraclePubKey, b.fact);
      if (r.status === 'error') throw new ApiError(r.http, r.code, r.message);
      sendJson(res, { outcome: r.outcome, reportId: r.reportId });
    },
  };
}
