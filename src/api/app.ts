/** api/app.ts - the Express app: routes generated from wolfram-mega-spec.yaml, JSON body limits, 404/405, one error middleware. Imports api, service, protocol. */
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from '../log.ts';
import type { SchemaRegistry } from '../protocol/schema.ts';
import { errorMiddleware, sendError } from './errors.ts';
import { createHandlers, type ApiDeps } from './handlers.ts';
import { createDlcHandlers } from './dlc-handlers.ts';
import { createOfferHandlers } from './offer-handlers.ts';
import { createFactHandlers, type FactsApi } from './fact-handlers.ts';
import { createPlacementHandlers } from './placement.ts';
import type { MonitoringHooks } from './monitoring.ts';
import { mountSwaggerUi } from './swagger.ts';
import { validateOperation } from './validate.ts';
import { mountWebPage } from './web.ts';
import { rateLimit, RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { adminGate, adminRouter, type AdminGateOptions, type AdminOps } from './admin.ts';
import { BATCH_OPERATION_ID, createBatchHandlers, DEFAULT_MAX_BATCH_ITEMS } from './batch.ts';

/** The REST config slice. */
export interface ApiOptions {
  isTest: boolean;
  maxBodyBytes: number;
  /** Most entities in one POST /entities batch (config maxBatchItems); 1000 when omitted. */
  maxBatchItems?: number;
  /** Folder of the monitoring page's static files (served at `/` and `/index.htm`); none when omitted. */
  webDir?: string;
  /** Per-address request rate limit (429 + Retry-After); none when omitted. */
  rateLimit?: RateLimitOptions;
  /** A rate limiter shared with other listeners (and reconfigured on SIGHUP); wins over `rateLimit`. */
  limiter?: RateLimiter;
  /** Reverse proxies whose X-Forwarded-For names the client (config trustProxy); none when omitted. */
  trustProxy?: readonly string[];
  /** Who may read the operator endpoints GET /metrics, /stats, /peers: anyone ('open', default), admins only ('admin', behind the admin gate), nobody here ('absent': served on the admin listener). */
  operatorEndpoints?: 'open' | 'admin' | 'absent';
  /** Serve /admin/… behind this gate; no admin routes when omitted. */
  admin?: { gate: AdminGateOptions; ops: AdminOps };
  /** 'admin': the admin listener's app, only /admin/… and the operator endpoints (no public API, page or Swagger UI). */
  surface?: 'public' | 'admin';
}

/** The spec paths that are operator endpoints (config operatorEndpoints). */
export const OPERATOR_PATHS: ReadonlySet<string> = new Set(['/metrics', '/stats', '/peers']);

/** Believe X-Forwarded-For from these proxies (addresses or CIDR ranges); [] = never. Safe to call on a running app (SIGHUP). */
export function setTrustProxy(app: Express, proxies: readonly string[]): void {
  app.set('trust proxy', proxies.length > 0 ? [...proxies] : false);
}

/** Everything the app is built from. */
export interface ApiAppDeps extends ApiDeps {
  schemas: SchemaRegistry;
  log: Logger;
  /** Metrics, /stats, /peers, /events; without it the spec's `x-monitoring` operations are not routed. */
  monitoring?: MonitoringHooks;
  /** Fact requests through the node and fact uploads (facts/fact-service.ts); without it those routes answer 404 facts-disabled. */
  facts?: FactsApi;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `/oracles/{pubkey}` -> `/oracles/:pubkey` */
function expressPath(p: string): string {
  return p.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** Build the REST app. Throws at construction if the spec and the handlers disagree. */
export function createApiApp(opts: ApiOptions, deps: ApiAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  setTrustProxy(app, opts.trustProxy ?? []);
  const adminOnly = opts.surface === 'admin';
  if (deps.monitoring) app.use(deps.monitoring.httpMetrics);
  // Before any body is read or validated: a throttled client costs one map lookup.
  const limiter = opts.limiter ?? (opts.rateLimit ? new RateLimiter(opts.rateLimit, deps.now) : null);
  if (limiter && !adminOnly) app.use(rateLimit(limiter));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  const json = express.json({ limit: opts.maxBodyBytes, strict: true, type: 'application/json' });
  const handlers = { ...createHandlers(deps), ...createDlcHandlers(deps), ...createOfferHandlers(deps), ...createFactHandlers(deps.facts), ...createPlacementHandlers({ ...deps, limitLoopback: limiter?.limitsLoopback ?? false }), ...createBatchHandlers({ ...deps, maxItems: opts.maxBatchItems ?? DEFAULT_MAX_BATCH_ITEMS, limiter }), ...deps.monitoring?.handlers };
  const routed = new Map<string, string[]>();
  const gate = opts.admin ? adminGate(opts.admin.gate) : null;
  if (opts.admin && gate) app.use('/admin', gate, adminRouter(opts.admin.ops, opts.maxBodyBytes));
  const operator = adminOnly ? 'admin' : (opts.operatorEndpoints ?? 'open');

  for (const [path, ops] of Object.entries(deps.spec.paths)) {
    const route = expressPath(path);
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      if (op['x-monitoring'] && !deps.monitoring) continue;
      // Documented in the spec, served by the admin router (api/admin.ts) behind its token.
      if (op['x-admin']) continue;
      const handler = handlers[op.operationId];
      if (!handler) throw new Error(`spec operation ${op.operationId} has no handler`);
      if (op['x-test-only'] && !opts.isTest) continue;
      const isOperator = OPERATOR_PATHS.has(path);
      if (adminOnly && !isOperator) continue;
      if (isOperator && operator === 'absent') continue;
      const chain: RequestHandler[] = [];
      if (isOperator && operator === 'admin') {
        if (!gate) throw new Error('operatorEndpoints "admin" needs the admin gate');
        chain.push(gate);
      }
      if (op.requestBody) chain.push(json);
      // A batch's items are checked one by one by its handler (a bad item fails alone), not as part of the envelope.
      chain.push(validateOperation(deps.spec, op, deps.schemas, { checkStrings: op.operationId !== BATCH_OPERATION_ID }), handler as RequestHandler);
      app[method](route, ...chain);
      routed.set(route, [...(routed.get(route) ?? []), method.toUpperCase()]);
    }
  }

  // A known path with the wrong method: 405 with Allow, not a misleading 404.
  for (const [route, methods] of routed) {
    app.all(route, (_req, res) => {
      res.set('Allow', methods.join(', '));
      sendError(res, 405, 'method-not-allowed', `this path accepts ${methods.join(', ')}`);
    });
  }
  if (!adminOnly) mountSwaggerUi(app);
  if (opts.webDir && !adminOnly) mountWebPage(app, opts.webDir);
  app.use((req, res) => {
    sendError(res, 404, 'not-found', `no route ${req.method} ${req.path.slice(0, 200)}`);
  });
  app.use(errorMiddleware(deps.log));
  return app;
}
