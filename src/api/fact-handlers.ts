/** api/fact-handlers.ts - the REST handlers of facts through the node (POST /fact-requests, POST /facts; docs/PROTOCOL.md 10.7). Imports api helpers and facts types. */
import type { Request, Response } from 'express';
import type { Fact, FactRequest } from '../protocol/types.ts';
import type { ProxyOutcome } from '../facts/fact-proxy.ts';
import type { UploadOutcome } from '../facts/fact-service.ts';
import { ApiError } from './errors.ts';
import { sendJson } from './respond.ts';
import type { ValidatedInput } from './validate.ts';

type Handler = (req: Request, res: Response) => void | Promise<void>;

/** What the handlers need from the node's fact service (facts/fact-service.ts). */
export interface FactsApi {
  request(oraclePubKey: string, request: FactRequest, paymentHash?: string): Promise<ProxyOutcome>;
  upload(oraclePubKey: string, fact: Fact): UploadOutcome;
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
    postFact: (_req, res) => {
      const b = input(res).body as { oraclePubKey: string; fact: Fact };
      const r = need().upload(b.oraclePubKey, b.fact);
      if (r.status === 'error') throw new ApiError(r.http, r.code, r.message);
      sendJson(res, { outcome: r.outcome, reportId: r.reportId });
    },
  };
}
