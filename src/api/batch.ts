/** api/batch.ts - POST /entities: many entities in one request, each through the one admission door exactly as its own POST /<kind> (schema, the vouched hand-off, one rate-limit token, the journal's durability guard), offered in request order and answered in request order with that POST's status and body. Imports service, protocol and api helpers. */
import type { Request, Response } from 'express';
import type { Logger } from '../log.ts';
import type { EntityKind } from '../protocol/types.ts';
import type { SchemaRegistry } from '../protocol/schema.ts';
import type { AdmissionSource } from '../service/types.ts';
import { admitVouched } from '../service/admission-checked.ts';
import { admissionAnswer, type ApiDeps } from './handlers.ts';
import { ApiError } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';
import { sendJson } from './respond.ts';
import type { ValidatedInput } from './validate.ts';

/** The spec's operationId of POST /entities (api/app.ts validates its envelope only; each item is checked here). */
export const BATCH_OPERATION_ID = 'postEntities';
/** Most items in one batch unless configured (config maxBatchItems). */
export const DEFAULT_MAX_BATCH_ITEMS = 1000;

/** One item of the request envelope (spec EntityBatchItem; the envelope is schema-checked before the handler). */
interface BatchItem {
  kind: EntityKind;
  entity: object;
}

/** One item's answer: the body its own POST /<kind> would answer, with that answer's HTTP status. */
export type BatchResult = { httpStatus: number } & Record<string, unknown>;

/** What the batch handler needs. */
export interface BatchDeps extends Pick<ApiDeps, 'service' | 'isDurable'> {
  schemas: SchemaRegistry;
  /** Most items per batch (config maxBatchItems). */
  maxItems: number;
  /** The app's REST rate limiter (the request itself took one token in its middleware); null = not limited. */
  limiter: RateLimiter | null;
  /** Where a bug while offering one item is logged (that item is answered 500, the others as usual). */
  log: Logger;
}

type Handler = (req: Request, res: Response) => Promise<void>;

const RATE_LIMITED: BatchResult = Object.freeze({ httpStatus: 429, error: { code: 'rate-limited', message: 'too many requests from this address; retry after the Retry-After seconds' } }) as BatchResult;
const INTERNAL_ERROR: BatchResult = Object.freeze({ httpStatus: 500, error: { code: 'internal-error', message: 'the node failed to handle this item; see its log' } }) as BatchResult;
const NOT_DURABLE: BatchResult = Object.freeze({ httpStatus: 503, error: { code: 'storage-unavailable', message: 'the change was not written to the journal; it is not acknowledged' } }) as BatchResult;

/** The handler of POST /entities, keyed by its operationId. */
export function createBatchHandlers(deps: BatchDeps): Record<string, Handler> {
  const { service, schemas, isDurable } = deps;
  const answer = (r: Parameters<typeof admissionAnswer>[0]): BatchResult => {
    // The journal write of this very change failed: in memory only, so not acknowledged (as POST /<kind>).
    if (r.status === 'accepted' && isDurable && !isDurable()) return NOT_DURABLE;
    const a = admissionAnswer(r);
    return { httpStatus: a.status, ...a.body };
  };
  return {
    [BATCH_OPERATION_ID]: async (req, res) => {
      const items = ((res.locals.input as ValidatedInput).body as { items: BatchItem[] }).items;
      const n = items.length;
      if (n > deps.maxItems) throw new ApiError(400, 'too-many-items', `a batch holds at most ${deps.maxItems} items (maxBatchItems); this one has ${n}`);
      // Never acknowledge what cannot be made durable: refuse the whole batch while the journal is failing.
      if (isDurable && !isDurable()) throw new ApiError(503, 'storage-unavailable', 'this node cannot write its journal right now; try again later');
      // One rate-limit token per entity, as n single POSTs would take: the request's own token (the
      // middleware) pays for the first item; items past the client's tokens are answered 429.
      const ip = req.ip ?? req.socket.remoteAddress ?? '';
      const { granted, waitMs } = deps.limiter ? deps.limiter.takeUpTo(ip, n - 1) : { granted: n - 1, waitMs: 0 };
      const source: AdmissionSource = { id: `http:${req.ip ?? 'unknown'}` };
      // Offered synchronously in request order, so the intake admits them in that order (an oracle
      // before its capability) and its verifier batches carry many of them at once.
      const pending: (BatchResult | Promise<BatchResult>)[] = new Array<BatchResult | Promise<BatchResult>>(n);
      for (let i = 0; i < n; i++) {
        if (i > granted) {
          pending[i] = RATE_LIMITED;
          continue;
        }
        const { kind, entity } = items[i] as BatchItem;
        // The same checks as POST /<kind> (validate.ts: the entity's schema, then well-formed strings,
        // with the root "body" so the message is the same); the checked object is then vouched for
        // during the synchronous admit call and not validated again (admission-checked.ts).
        const check = schemas.validateEntity(kind, entity, 'body');
        if (!check.ok) {
          pending[i] = { httpStatus: 400, error: { code: 'schema-violation', message: check.message } };
          continue;
        }
        try {
          pending[i] = admitVouched(kind, entity, () => service.admit(kind, entity, source)).then(answer);
        } catch (err) {
          // A bug (service.admit never throws by contract): as POST /<kind> would answer 500, this item is
          // answered 500 and the items around it, some already offered, are answered as usual.
          deps.log.error({ err, kind, item: i }, 'unhandled error while admitting a batch item');
          pending[i] = INTERNAL_ERROR;
        }
      }
      const results = await Promise.all(pending);
      if (granted < n - 1) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      sendJson(res, { results });
    },
  };
}
