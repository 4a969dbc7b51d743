/** facts/fact-service.ts - the node's fact services in one place: requests through the node (fact-proxy.ts), uploads of facts a trader holds, and the fact-conflict report the node submits itself (service.submitOwnReport) when two verified answers to one request differ. Imports service, protocol and facts. */
import type { Logger } from '../log.ts';
import type { Fact, FactRequest, OracleCapability, ReportContent } from '../protocol/types.ts';
import type { MegaService } from '../service/service.ts';
import type { AdmissionSource } from '../service/types.ts';
import { FactLedger, type FoundConflict, type RecordOutcome } from './fact-ledger.ts';
import { checkFact, FactProxy, type FactProxyOptions, type ProxyOutcome } from './fact-proxy.ts';

/** The config slice. */
export interface FactServiceOptions extends FactProxyOptions {
  ledgerMaxEntries: number;
  ledgerMaxBytes: number;
}

/** The admission source of the fact-conflict reports this node builds. */
const FACT_CONFLICT_SOURCE: AdmissionSource = Object.freeze({ id: 'local:fact-conflict' });

/** Outcome of an upload. */
export type UploadOutcome = { status: 'recorded'; outcome: RecordOutcome; reportId: string | null } | { status: 'error'; http: number; code: string; message: string };

/** Requests, uploads and self-built conflict reports. */
export class FactService {
  readonly proxy: FactProxy;
  private readonly ledger: FactLedger;
  private readonly service: MegaService;
  private readonly log: Logger;

  constructor(opts: FactServiceOptions, deps: { service: MegaService; log: Logger }) {
    this.service = deps.service;
    this.log = deps.log;
    this.ledger = new FactLedger({ maxEntries: opts.ledgerMaxEntries, maxBytes: opts.ledgerMaxBytes });
    this.proxy = new FactProxy(opts, { lookupCapability: (o, c) => this.service.findCapability(o, c), record: (o, c, f) => void this.record(o, c, f) });
  }

  /** A fact request through this node (POST /fact-requests). */
  request(oraclePubKey: string, request: FactRequest, paymentHash?: string): Promise<ProxyOutcome> {
    return this.proxy.request(oraclePubKey, request, paymentHash);
  }

  /** An oblivious request through this node (POST /ohttp-relay/...): bytes in, sealed bytes out. */
  async relayOblivious(oraclePubKey: string, capabilityPubKey: string, encapsulated: Uint8Array): ReturnType<FactProxy['relayOblivious']> {
    const r = await this.proxy.relayOblivious(oraclePubKey, capabilityPubKey, encapsulated);
    // Sizes and the capability only: the bytes are the client's, sealed to the oracle.
    this.log.debug({ capabilityPubKey, bytesIn: encapsulated.length, bytesOut: r.status === 'sealed' ? r.bytes.length : 0, result: r.status === 'sealed' ? 'sealed' : r.code }, 'oblivious request relayed');
    return r;
  }

  /** A fact a trader holds (POST /facts): verified against the stored capability, then recorded. */
  upload(oraclePubKey: string, fact: Fact): UploadOutcome {
    const capability = this.service.findCapability(oraclePubKey, fact.request.capabilityPubKey);
    if (!capability) return { status: 'error', http: 404, code: 'unknown-capability', message: 'this node holds no such capability of this oracle' };
    const why = checkFact(fact, fact.request);
    if (why) return { status: 'error', http: 422, code: 'fact-signature-invalid', message: why };
    return { status: 'recorded', ...this.record(oraclePubKey, capability, { request: fact.request, answer: fact.answer, signatureType: fact.signatureType, signature: fact.signature }) };
  }

  /** Record a verified fact; a new conflict becomes a report (its id returned). */
  private record(oraclePubKey: string, capability: OracleCapability, fact: Fact): { outcome: RecordOutcome; reportId: string | null } {
    const { outcome, conflict } = this.ledger.record(oraclePubKey, capability, fact);
    return { outcome, reportId: conflict ? this.reportConflict(conflict) : null };
  }

  /** Facts remembered and cached (limits table, metrics). */
  sizes(): { ledger: { entries: number; bytes: number }; cache: { entries: number; bytes: number }; upstreamCalls: number } {
    return { ledger: this.ledger.size(), cache: this.proxy.cacheSize(), upstreamCalls: this.proxy.upstreamCalls };
  }


  /** The self-proving report of a conflict, built, mined and admitted by the service like its other own reports; its id at once. */
  private reportConflict(c: FoundConflict): string {
    const content: ReportContent = { type: 'fact-conflict', request: c.facts[0].request, facts: [...c.facts], capability: c.capability };
    const id = this.service.submitOwnReport(c.oraclePubKey, content, FACT_CONFLICT_SOURCE);
    this.log.info({ reportId: id, oraclePubKey: c.oraclePubKey }, 'fact-conflict found by this node');
    return id;
  }
}
