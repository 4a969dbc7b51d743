/** oracle-facts/ohttp-gateway.ts - the oracle's Oblivious HTTP gateway (RFC 9458; PROTOCOL 10.9): POST /ohttp takes an encapsulated binary-HTTP `POST /facts` request relayed by a node that cannot read it, answers it through the same fact logic as the plain endpoint, and returns the answer sealed to the client. Nothing of the request is logged. Imports ohttp, bhttp-js and express. */
import express, { type Express, type Request, type Response } from 'express';
import { BHttpDecoder, BHttpEncoder } from 'bhttp-js';
import type { Logger } from '../log.ts';
import { decapsulateRequest, OHTTP_REQUEST_TYPE, OHTTP_RESPONSE_TYPE, OhttpError } from '../ohttp/ohttp.ts';
import type { Answer } from './fact-server.ts';

/** The gateway's key: raw X25519 private key and the key id of its published key configuration. */
export interface GatewayKey {
  privateKey: Uint8Array;
  keyId: number;
}

/** Bytes an encapsulated request adds around its binary HTTP message (header, enc, tag) plus framing slack. */
const OVERHEAD_BYTES = 1024;

/** Mount POST /ohttp on `app`: decapsulate, serve with `serve`, seal. */
export function mountGateway(app: Express, key: GatewayKey, maxBodyBytes: number, serve: (body: unknown) => Promise<Answer>, log: Logger): void {
  const raw = express.raw({ type: OHTTP_REQUEST_TYPE, limit: maxBodyBytes + OVERHEAD_BYTES, inflate: false });
  app.post('/ohttp', raw, async (req: Request, res: Response) => {
    const problem = (status: number, code: string, message: string): void => void res.status(status).json({ code, message });
    if (!Buffer.isBuffer(req.body)) return problem(415, 'unsupported-media-type', `the body must be ${OHTTP_REQUEST_TYPE}`);
    let exchange;
    try {
      exchange = await decapsulateRequest(key.privateKey, key.keyId, req.body);
    } catch (err) {
      // RFC 9458 6.2: a request that cannot be decapsulated is answered with a plain error, nothing sealed.
      const code = err instanceof OhttpError ? err.code : 'decrypt-failed';
      return problem(code === 'unknown-key' ? 422 : 400, code, err instanceof OhttpError ? err.message : 'the request does not decrypt');
    }
    let answer: Answer;
    try {
      const inner = new BHttpDecoder().decodeRequest(exchange.request);
      const path = new URL(inner.url).pathname;
      if (inner.method !== 'POST' || path !== '/facts') answer = { status: 404, json: { code: 'not-found', message: 'the gateway serves POST /facts only' } };
      else {
        let body: unknown;
        try {
          body = JSON.parse(await inner.text());
        } catch {
          body = undefined;
        }
        answer = body === undefined ? { status: 400, json: { code: 'invalid-json', message: 'the body is not JSON' } } : await serve(body);
      }
    } catch {
      answer = { status: 400, json: { code: 'malformed-request', message: 'the decapsulated request is not binary HTTP' } };
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (answer.status === 503) headers['retry-after'] = '5';
    const inner = await new BHttpEncoder().encodeResponse(new Response(JSON.stringify(answer.json), { status: answer.status, headers }));
    log.debug({ status: answer.status }, 'oblivious fact request answered');
    res.status(200).type(OHTTP_RESPONSE_TYPE).send(Buffer.from(await exchange.sealResponse(inner)));
  });
}
