/** oracle-facts/fact-desk.ts - answers fact requests for the oracle's capabilities: checks a request against its capability, asks the data source with a deadline, signs {request, answer} with the capability key, and keeps one answer per request (bounded) so the oracle never signs two answers to one request from this process. Imports protocol, oracle (Signer), util. Never runs in a node. */
import { canonicalize, findIllFormedString } from '../protocol/canonical.ts';
import { requestCommitment } from '../protocol/payment.ts';
import { buildFact } from '../protocol/sign.ts';
import type { CapabilityParam, Fact, FactRequest } from '../protocol/types.ts';
import type { Signer } from '../oracle/signer.ts';
import { LruMap } from '../util/lru.ts';

/** Largest answer a fact may carry (PROTOCOL 7.5). */
export const MAX_ANSWER_CHARS = 4096;

/** One capability the oracle answers for. */
export interface CapabilityEntry {
  /** The capability key (ECDSA side): signs the facts. Its `publicKey` is the capability's `capabilityPubKey`. */
  signer: Pick<Signer, 'publicKey' | 'signEcdsa'>;
  /**
   * The data source asked with the request's arguments; resolves to the answer text (at most 4096
   * characters), or null when there is no answer yet (an event in the future). Must give the same
   * answer to the same request every time: two different signed answers to one request are a
   * `fact-conflict`, a proof against the oracle (PROTOCOL 8.3).
   */
  resolve(request: FactRequest, signal: AbortSignal): Promise<string | null>;
  /** The capability ad's `params`: when given, a request must name exactly these, with allowed values. Absent: no arguments. */
  params?: readonly CapabilityParam[];
  /** The capability ad's `answers`: when given, an answer outside it is never signed. */
  answers?: readonly string[];
  /** Price of one fact in millisatoshi; absent or 0: free (even when payment is configured). */
  priceMsat?: bigint;
}

/** Why a request cannot be answered (a value, never an exception). */
export type DeskRefusal =
  | { code: 'unknown-capability'; message: string }
  | { code: 'arguments-mismatch'; message: string }
  | { code: 'no-answer'; message: string }
  | { code: 'source-failed'; message: string }
  | { code: 'source-timeout'; message: string };

/** Outcome of {@link FactDesk.answer}. */
export type DeskResult = { status: 'answered'; fact: Fact } | { status: 'refused'; refusal: DeskRefusal };

/** Limits of a {@link FactDesk}. */
export interface FactDeskOptions {
  capabilities: ReadonlyMap<string, CapabilityEntry>;
  /** Deadline of one data source call. */
  resolveTimeoutMs: number;
  /** Signed facts remembered (count and bytes of request + answer), so the same request gets the same fact back. */
  maxRemembered?: number;
  maxRememberedBytes?: number;
}

/** Default number of signed facts remembered. */
export const DEFAULT_REMEMBERED_FACTS = 10_000;
/** Default bytes of remembered facts (requests and answers as canonical text). */
export const DEFAULT_REMEMBERED_BYTES = 16 * 1024 * 1024;

/** Check a schema-valid request's arguments against the capability's params (null when they fit). */
export function checkArguments(request: FactRequest, params: readonly CapabilityParam[] | undefined): string | null {
  const names = Object.keys(request.arguments);
  if (params === undefined || params.length === 0) {
    return names.length === 0 ? null : `this capability takes no arguments, got ${names.slice(0, 4).join(', ')}`;
  }
  const declared = new Map(params.map((p) => [p.name, p.values]));
  for (const n of names) if (!declared.has(n)) return `unknown argument ${JSON.stringify(n.slice(0, 64))}`;
  for (const [name, values] of declared) {
    const v = request.arguments[name];
    if (v === undefined) return `missing argument ${JSON.stringify(name)}`;
    if (values.length > 0 && !values.includes(v)) return `argument ${JSON.stringify(name)} must be one of the capability's values`;
  }
  return null;
}

/**
 * Answers requests for a set of capabilities. Identical requests asked at the same time share one
 * data source call; a request answered before (and still remembered) gets the same signed fact
 * without asking the source again. The memory is bounded: a durable one-answer-per-request record
 * is the daemon's attestation log or a deterministic source (docs/oracle.md "Facts and reports").
 */
export class FactDesk {
  private readonly opts: FactDeskOptions;
  private readonly facts: LruMap<string, Fact>;
  private readonly pending = new Map<string, Promise<DeskResult>>();

  constructor(opts: FactDeskOptions) {
    if (!(opts.resolveTimeoutMs > 0)) throw new RangeError('resolveTimeoutMs must be > 0');
    for (const [key, c] of opts.capabilities) {
      if (c.signer.publicKey !== key) throw new Error(`capability ${key}: its signer's public key is ${c.signer.publicKey}`);
    }
    this.opts = opts;
    this.facts = new LruMap(opts.maxRemembered ?? DEFAULT_REMEMBERED_FACTS, Infinity, Date.now, {
      maxBytes: opts.maxRememberedBytes ?? DEFAULT_REMEMBERED_BYTES,
      sizeOf: (f) => 2 * (canonicalize(f.request).length + f.answer.length) + 300,
    });
  }

  /** The capability entry for a key, if this oracle answers for it. */
  capability(capabilityPubKey: string): CapabilityEntry | undefined {
    return this.opts.capabilities.get(capabilityPubKey);
  }

  /** Signed facts remembered now (count, bytes). */
  get remembered(): { count: number; bytes: number } {
    return { count: this.facts.size, bytes: this.facts.bytes };
  }

  /** Is the request one of ours with fitting arguments? Null when it is. */
  check(request: FactRequest): DeskRefusal | null {
    const cap = this.opts.capabilities.get(request.capabilityPubKey);
    if (!cap) return { code: 'unknown-capability', message: 'this oracle answers for no capability with this capabilityPubKey' };
    const bad = checkArguments(request, cap.params);
    return bad === null ? null : { code: 'arguments-mismatch', message: bad };
  }

  /** Answer a schema-valid request: a signed fact, or why not. Never rejects. */
  answer(request: FactRequest): Promise<DeskResult> {
    const refused = this.check(request);
    if (refused) return Promise.resolve({ status: 'refused', refusal: refused });
    const key = requestCommitment(request);
    const known = this.facts.get(key);
    if (known) return Promise.resolve({ status: 'answered', fact: known });
    let p = this.pending.get(key);
    if (!p) {
      p = this.ask(request, key).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async ask(request: FactRequest, key: string): Promise<DeskResult> {
    const cap = this.opts.capabilities.get(request.capabilityPubKey) as CapabilityEntry;
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.opts.resolveTimeoutMs);
    });
    let value: string | null | 'timeout';
    try {
      // The request is frozen by a deep copy: the source cannot alter what gets signed.
      const copy: FactRequest = { capabilityPubKey: request.capabilityPubKey, arguments: { ...request.arguments } };
      value = await Promise.race([cap.resolve(copy, ac.signal), timeout]);
    } catch (err) {
      return { status: 'refused', refusal: { code: 'source-failed', message: `the data source failed: ${String((err as Error)?.message ?? err).slice(0, 200)}` } };
    } finally {
      clearTimeout(timer);
    }
    if (value === 'timeout') {
      ac.abort();
      return { status: 'refused', refusal: { code: 'source-timeout', message: `the data source did not answer within ${this.opts.resolveTimeoutMs} ms` } };
    }
    if (value === null) return { status: 'refused', refusal: { code: 'no-answer', message: 'the data source has no answer to this request (yet)' } };
    if (typeof value !== 'string' || Array.from(value).length > MAX_ANSWER_CHARS || findIllFormedString(value) !== null || (cap.answers !== undefined && cap.answers.length > 0 && !cap.answers.includes(value))) {
      return { status: 'refused', refusal: { code: 'source-failed', message: "the data source gave an answer the capability does not allow (not a string, too long, not valid Unicode, or not one of the capability's answers)" } };
    }
    const fact = buildFact({ capabilityPubKey: request.capabilityPubKey, arguments: { ...request.arguments } }, value, (h) => cap.signer.signEcdsa(h));
    this.facts.set(key, fact);
    return { status: 'answered', fact };
  }
}
