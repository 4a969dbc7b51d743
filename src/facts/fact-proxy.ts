/** facts/fact-proxy.ts - fact requests through this node (docs/PROTOCOL.md 10.7): find the capability, forward the request to its oracle's fact endpoint through the guarded HTTP client, verify the signed answer, pool identical requests in flight into one upstream call, cache answers for the capability's fact lifetime, and pass payment demands (402) through unchanged. The oracle sees the node, never the trader. Imports protocol, util and identity/guarded-http. */
import { canonicalEqual } from '../protocol/canonical.ts';
import type { Fact, FactRequest, OracleCapability } from '../protocol/types.ts';
import { isFactSignatureValid } from '../protocol/verify.ts';
import { LruMap } from '../util/lru.ts';
import { guardedRequest, type GuardedRequestOptions, type GuardedResult } from '../identity/guarded-http.ts';
import { requestKey } from './fact-ledger.ts';

/** Limits and defaults of the proxy (config keys `factRequest*`, `factCache*`, `factLifetimeMs`). */
export interface FactProxyOptions {
  /** Allow plain http and private addresses for fact endpoints (test networks only). */
  isTest: boolean;
  /** Allow fact endpoints on private or loopback addresses (config `factEndpointsAllowPrivate`). */
  allowPrivate: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
  maxInFlight: number;
  cacheMaxEntries: number;
  cacheMaxBytes: number;
  /** How long an answer is served from cache when its capability states no `factLifetime`. */
  defaultLifetimeMs: number;
}

/** What the proxy needs from the node. */
export interface FactProxyDeps {
  lookupCapability(oraclePubKey: string, capabilityPubKey: string): OracleCapability | undefined;
  /** Every verified answer goes here (conflict detection). */
  record(oraclePubKey: string, capability: OracleCapability, fact: Fact): void;
  /** The outbound client (tests may count calls through it; it is always the guarded one in the node). */
  request?: (uri: string, opts: GuardedRequestOptions) => Promise<GuardedResult>;
  now?: () => number;
}

/** A payment demand from the oracle, passed to the trader as the oracle sent it (checked for shape only). */
export interface PaymentDemand {
  code: 'payment-required';
  invoice: string;
  paymentHash: string;
  expiresAt?: number;
}

/** Outcome of one proxied request. */
export type ProxyOutcome =
  | { status: 'fact'; fact: Fact; cached: boolean }
  | { status: 'payment-required'; demand: PaymentDemand }
  | { status: 'error'; http: number; code: string; message: string };

/** The URL facts of a capability are asked at: its `endpoint` with `/facts` appended (one trailing slash dropped). */
export function factEndpointUrl(endpoint: string): string {
  return `${endpoint.replace(/\/$/, '')}/facts`;
}

const fail = (http: number, code: string, message: string): ProxyOutcome => ({ status: 'error', http, code, message });

/** Bytes an encapsulated message adds around its binary HTTP content (header, key share, nonce, tag) plus slack. */
export const OHTTP_OVERHEAD_BYTES = 1024;

/** Statuses of the oracle's fact endpoint whose body is read. */
const READ_STATUS = [200, 400, 401, 402, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504] as const;

/** Fact requests through the node: pooled, cached, verified. */
export class FactProxy {
  private readonly opts: FactProxyOptions;
  private readonly deps: FactProxyDeps;
  private readonly cache: LruMap<string, { fact: Fact; expiresAt: number }>;
  private readonly inFlight = new Map<string, Promise<ProxyOutcome>>();
  private readonly now: () => number;
  /** Upstream calls made (metrics; pooling tests). */
  upstreamCalls = 0;
  /** Requests that joined an identical one already in flight instead of calling upstream. */
  pooledCalls = 0;
  /** Oblivious requests being relayed now. */
  private relaying = 0;

  constructor(opts: FactProxyOptions, deps: FactProxyDeps) {
    this.opts = opts;
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.cache = new LruMap(opts.cacheMaxEntries, Infinity, this.now, { maxBytes: opts.cacheMaxBytes, sizeOf: (v) => 64 + JSON.stringify(v.fact).length });
  }

  /**
   * Ask `oraclePubKey`'s capability `request.capabilityPubKey` for a fact. With `paymentHash` (the
   * trader paid the oracle's invoice) the request is forwarded with it and the answer is not served
   * to anyone else from cache: the payment bought it for the payer.
   */
  request(oraclePubKey: string, request: FactRequest, paymentHash?: string): Promise<ProxyOutcome> {
    const capability = this.deps.lookupCapability(oraclePubKey, request.capabilityPubKey);
    if (!capability) return Promise.resolve(fail(404, 'unknown-capability', 'this node holds no such capability of this oracle'));
    if (capability.off) return Promise.resolve(fail(409, 'capability-off', 'the oracle has switched this capability off'));
    if (!capability.endpoint) return Promise.resolve(fail(422, 'no-endpoint', 'the capability names no fact endpoint'));
    const key = requestKey(request);
    if (paymentHash === undefined) {
      const hit = this.cache.get(key);
      if (hit && hit.expiresAt > this.now()) return Promise.resolve({ status: 'fact', fact: hit.fact, cached: true });
    }
    const poolKey = paymentHash === undefined ? key : `${key}:${paymentHash}`;
    const pending = this.inFlight.get(poolKey);
    if (pending) {
      this.pooledCalls += 1;
      return pending;
    }
    if (this.inFlight.size >= this.opts.maxInFlight) return Promise.resolve(fail(503, 'proxy-busy', `${this.opts.maxInFlight} fact requests are in flight; retry shortly`));
    const p = this.forward(oraclePubKey, capability, request, key, paymentHash).finally(() => this.inFlight.delete(poolKey));
    this.inFlight.set(poolKey, p);
    return p;
  }

  /**
   * Oblivious HTTP relay (PROTOCOL 10.9): pass an encapsulated request, which this node cannot read,
   * to the capability's gateway `<endpoint>/ohttp`, and its sealed answer back. Nothing of either is
   * kept, cached or logged; identical bytes are never pooled (each is sealed to its own client).
   */
  async relayOblivious(oraclePubKey: string, capabilityPubKey: string, encapsulated: Uint8Array): Promise<{ status: 'sealed'; bytes: Buffer } | { status: 'error'; http: number; code: string; message: string }> {
    const capability = this.deps.lookupCapability(oraclePubKey, capabilityPubKey);
    if (!capability) return { status: 'error', http: 404, code: 'unknown-capability', message: 'this node holds no such capability of this oracle' };
    if (capability.off) return { status: 'error', http: 409, code: 'capability-off', message: 'the oracle has switched this capability off' };
    if (!capability.endpoint || !capability.ohttpKeyConfig) return { status: 'error', http: 422, code: 'no-gateway', message: 'the capability names no endpoint with an Oblivious HTTP key configuration' };
    if (this.relaying >= this.opts.maxInFlight) return { status: 'error', http: 503, code: 'proxy-busy', message: `${this.opts.maxInFlight} oblivious requests are in flight; retry shortly` };
    this.relaying += 1;
    try {
      this.upstreamCalls += 1;
      const send = this.deps.request ?? guardedRequest;
      const url = `${capability.endpoint.replace(/\/$/, '')}/ohttp`;
      const r = await send(url, {
        isTest: this.opts.isTest,
        allowPrivate: this.opts.allowPrivate,
        timeoutMs: this.opts.timeoutMs,
        maxBytes: this.opts.maxResponseBytes + OHTTP_OVERHEAD_BYTES,
        label: 'oblivious gateway',
        urlName: 'endpoint',
        method: 'POST',
        raw: { contentType: 'message/ohttp-req', body: encapsulated, accept: 'message/ohttp-res' },
      });
      if (!r.ok) return { status: 'error', http: 502, code: 'oracle-unreachable', message: r.reason };
      return { status: 'sealed', bytes: r.body as Buffer };
    } finally {
      this.relaying -= 1;
    }
  }

  /** Cached answers held (metrics, limits table). */
  cacheSize(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes };
  }

  private async forward(oraclePubKey: string, capability: OracleCapability, request: FactRequest, key: string, paymentHash: string | undefined): Promise<ProxyOutcome> {
    this.upstreamCalls += 1;
    const send = this.deps.request ?? guardedRequest;
    const body: Record<string, unknown> = { request };
    if (paymentHash !== undefined) body.paymentHash = paymentHash;
    const r = await send(factEndpointUrl(capability.endpoint as string), {
      isTest: this.opts.isTest,
      allowPrivate: this.opts.allowPrivate,
      timeoutMs: this.opts.timeoutMs,
      maxBytes: this.opts.maxResponseBytes,
      label: 'fact endpoint',
      urlName: 'endpoint',
      method: 'POST',
      json: body,
      acceptStatus: READ_STATUS,
    });
    if (!r.ok) return fail(502, 'oracle-unreachable', r.reason);
    const b = (typeof r.body === 'object' && r.body !== null ? r.body : {}) as Record<string, unknown>;
    if (r.status === 402) {
      const invoice = b.invoice;
      const hash = b.paymentHash;
      if (typeof invoice !== 'string' || invoice.length > 4096 || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return fail(502, 'oracle-answer-invalid', 'the oracle asked for payment without an invoice and payment hash');
      const demand: PaymentDemand = { code: 'payment-required', invoice, paymentHash: hash };
      if (typeof b.expiresAt === 'number' && Number.isSafeInteger(b.expiresAt)) demand.expiresAt = b.expiresAt;
      return { status: 'payment-required', demand };
    }
    if (r.status !== 200) {
      const code = typeof b.code === 'string' && /^[a-z0-9-]{1,64}$/.test(b.code) ? b.code : 'unknown';
      const message = typeof b.message === 'string' ? b.message.slice(0, 200) : '';
      return fail(502, 'oracle-refused', `the oracle answered ${r.status} ${code}${message ? `: ${message}` : ''}`);
    }
    const fact = b.fact as Fact | undefined;
    const why = checkFact(fact, request);
    if (why) return fail(502, 'oracle-answer-invalid', why);
    // Only the signed members go on: an oracle's extra members are not the node's to pass along.
    const f = fact as Fact;
    const verified: Fact = { request: f.request, answer: f.answer, signatureType: f.signatureType, signature: f.signature };
    this.deps.record(oraclePubKey, capability, verified);
    if (paymentHash === undefined) {
      const lifetimeMs = capability.factLifetime !== undefined ? capability.factLifetime * 1000 : this.opts.defaultLifetimeMs;
      if (lifetimeMs > 0) this.cache.set(key, { fact: verified, expiresAt: this.now() + lifetimeMs });
    }
    return { status: 'fact', fact: verified, cached: false };
  }
}

/** Why `fact` is not a valid answer to `request` (shape, same request, signature by the capability key), or null. */
export function checkFact(fact: unknown, request: FactRequest): string | null {
  if (typeof fact !== 'object' || fact === null || Array.isArray(fact)) return 'the oracle answered without a fact';
  const f = fact as Partial<Fact>;
  if (typeof f.answer !== 'string' || f.answer.length > 4096) return 'the fact has no answer of at most 4096 characters';
  if (f.signatureType !== 'ecdsa-secp256k1' || typeof f.signature !== 'string' || !/^[0-9a-f]{128}$/.test(f.signature)) return 'the fact carries no ecdsa-secp256k1 signature';
  if (typeof f.request !== 'object' || f.request === null || !canonicalEqual(f.request, request)) return 'the fact answers a different request';
  if (!isFactSignatureValid(f as Fact)) return 'the fact signature does not verify against the capability key';
  return null;
}
