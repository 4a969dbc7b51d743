/** test/helpers/factory.ts - deterministic builders of valid signed, mined test entities and a service/mempool test rig (fake clock); imports src/protocol, src/mempool and src/service only. */
import { makeRegtestInvoice } from './invoice.ts';
import { sha256Hex } from '../../src/protocol/hash.ts';
import { requestCommitment } from '../../src/protocol/payment.ts';
import { reportId } from '../../src/protocol/ids.ts';
import { isPrivateKey, isPublicKey, publicKeyOf, type KeyPair } from '../../src/protocol/keys.ts';
import { capabilityPreimage, minePowSync, oraclePreimage, reportPreimage } from '../../src/protocol/pow.ts';
import { SchemaRegistry } from '../../src/protocol/schema.ts';
import { signCapability, signFact, signOracleId, signRotation } from '../../src/protocol/sign.ts';
import type {
  Bid,
  CapabilityParam,
  Dispute,
  Fact,
  FactRequest,
  OracleCapability,
  OracleId,
  PaymentProof,
  Pow,
  Report,
  ReportContent,
  Verified,
} from '../../src/protocol/types.ts';
import { Mempool, type MempoolOptions } from '../../src/mempool/mempool.ts';
import { MegaService, type ServiceDeps, type ServiceOptions } from '../../src/service/service.ts';

export type { KeyPair } from '../../src/protocol/keys.ts';

/** Default PoW difficulty of built entities: small so a test mines in microseconds. */
export const DEFAULT_DIFFICULTY = 2;

// ---- keys --------------------------------------------------------------------------------------

/**
 * A fixed key pair for `seed`: private key = SHA-256("mega-test-key:" + seed) (re-hashed in the
 * astronomically unlikely case it is not in (0, n)). Same seed, same keys, on every run.
 */
export function makeKeys(seed = 1): KeyPair {
  let priv = sha256Hex(`mega-test-key:${seed}`);
  while (!isPrivateKey(priv)) priv = sha256Hex(priv);
  return { privateKey: priv, publicKey: publicKeyOf(priv) };
}

/** A deterministic compressed-pubkey-shaped hex ("02" + x) whose x is not on secp256k1 (schema-valid, curve-invalid). */
export function offCurvePubKey(seed = 1): string {
  for (let i = 0; ; i++) {
    const candidate = '02' + sha256Hex(`mega-off-curve:${seed}:${i}`);
    if (!isPublicKey(candidate)) return candidate;
  }
}

// ---- proof of work -----------------------------------------------------------------------------

/** Entity kinds that carry PoW. */
export type PowKind = 'oracle' | 'capability' | 'report';

/** The PoW preimage of an entity of `kind`. */
export function powPreimage(entity: OracleId | OracleCapability | Report, kind: PowKind): string {
  switch (kind) {
    case 'oracle':
      return oraclePreimage(entity as OracleId);
    case 'capability':
      return capabilityPreimage(entity as OracleCapability);
    case 'report':
      return reportPreimage(entity as Report);
  }
}

/** A copy of `entity` with a freshly mined PoW of `difficulty` (PoW is unsigned, so signatures stay valid). */
export function mine<T extends OracleId | OracleCapability | Report>(entity: T, kind: PowKind, difficulty: number, magicString?: string): T {
  return { ...entity, pow: minePowSync(powPreimage(entity, kind), difficulty, magicString) };
}

/** A syntactically valid PoW that proves nothing (for mempool-only tests, where nothing is re-verified). */
export function fakePow(difficulty: number): Pow {
  return { difficulty, algorithm: 'SHA256', hash: '0'.repeat(64), magicNo: 0 };
}

// ---- entities ----------------------------------------------------------------------------------

/** Options of {@link makeOracle}. */
export interface MakeOracleOptions {
  keys: KeyPair;
  seqNo?: number;
  difficulty?: number;
  tags?: string[];
  cTTL?: number;
  bid?: Bid;
  manifestUri?: string;
  /** Key rotation: the previous ad and the keys that signed it (the link signature is made here). */
  previous?: { oracle: OracleId; keys: KeyPair };
}

/** A signed, mined OracleId. */
export function makeOracle(opts: MakeOracleOptions): OracleId {
  const unsigned: Omit<OracleId, 'oracleSignature' | 'oracleSignatureType'> = {
    pubkey: opts.keys.publicKey,
    seqNo: opts.seqNo ?? 0,
    cTTL: opts.cTTL ?? 5,
    pow: fakePow(0),
    bid: opts.bid ?? { amount: 0, proof: '' },
  };
  if (opts.manifestUri !== undefined) unsigned.manifestUri = opts.manifestUri;
  if (opts.tags !== undefined) unsigned.tags = opts.tags;
  if (opts.previous !== undefined) {
    unsigned.previousId = opts.previous.oracle;
    unsigned.previousIdSignatureToNewPubkey = signRotation(opts.keys.publicKey, opts.previous.keys.privateKey);
  }
  return mine(signOracleId(unsigned, opts.keys.privateKey), 'oracle', opts.difficulty ?? DEFAULT_DIFFICULTY);
}

/** Options of {@link makeCapability}. */
export interface MakeCapabilityOptions {
  /** The oracle's Lightning node id (invoices for the capability's facts are signed by it). */
  lightningNodeId?: string;
  oracleKeys: KeyPair;
  capKeys: KeyPair;
  question: string;
  seqNo?: number;
  difficulty?: number;
  tags?: string[];
  params?: CapabilityParam[];
  answers?: string[];
  cTTL?: number;
  endpoint?: string;
  off?: boolean;
  factLifetime?: number;
  ohttpKeyConfig?: string;
}

/** A capability ad signed by the oracle key and mined. */
export function makeCapability(opts: MakeCapabilityOptions): OracleCapability {
  const unsigned: Omit<OracleCapability, 'oracleSignature' | 'oracleSignatureType'> = {
    oraclePubKey: opts.oracleKeys.publicKey,
    capabilityPubKey: opts.capKeys.publicKey,
    question: opts.question,
    seqNo: opts.seqNo ?? 0,
    cTTL: opts.cTTL ?? 5,
    pow: fakePow(0),
  };
  if (opts.tags !== undefined) unsigned.tags = opts.tags;
  if (opts.params !== undefined) unsigned.params = opts.params;
  if (opts.answers !== undefined) unsigned.answers = opts.answers;
  if (opts.endpoint !== undefined) unsigned.endpoint = opts.endpoint;
  if (opts.off !== undefined) unsigned.off = opts.off;
  if (opts.factLifetime !== undefined) unsigned.factLifetime = opts.factLifetime;
  if (opts.ohttpKeyConfig !== undefined) unsigned.ohttpKeyConfig = opts.ohttpKeyConfig;
  if (opts.lightningNodeId !== undefined) unsigned.lightningNodeId = opts.lightningNodeId;
  return mine(signCapability(unsigned, opts.oracleKeys.privateKey), 'capability', opts.difficulty ?? DEFAULT_DIFFICULTY);
}

/** The request a capability key is asked. */
export function makeRequest(capabilityPubKey: string, args: Record<string, string> = {}): FactRequest {
  return { capabilityPubKey, arguments: { ...args } };
}

/** A fact signed by the capability key over `{request, answer}`. */
export function makeFact(opts: { capKeys: KeyPair; args?: Record<string, string>; answer: string }): Fact {
  return signFact(makeRequest(opts.capKeys.publicKey, opts.args), opts.answer, opts.capKeys.privateKey);
}

/** Fields every report builder takes. */
interface ReportCommon {
  oraclePubKey: string;
  seqNo?: number;
  cTTL?: number;
  difficulty?: number;
}

/** A fact-conflict: by default one fact per answer (default answers "yes" and "no"), or the `facts` given. */
export interface ConflictReportOptions extends ReportCommon {
  type: 'fact-conflict';
  capKeys: KeyPair;
  args?: Record<string, string>;
  answers?: string[];
  facts?: Fact[];
  capability?: OracleCapability;
}

/** A fact-missing: the request only (with `capKeys` or a bare `capabilityPubKey`). */
export interface MissingReportOptions extends ReportCommon {
  type: 'fact-missing';
  capKeys?: KeyPair;
  capabilityPubKey?: string;
  args?: Record<string, string>;
  payment?: PaymentProof;
  /** The oracle-signed ad of the requested capability, embedded (needed when the node does not store it). */
  capability?: OracleCapability;
}

/** A fact-disagrees-with-public: a signed fact (default answer "yes", or the `fact` given) plus a comment. */
export interface DisagreesReportOptions extends ReportCommon {
  type: 'fact-disagrees-with-public';
  capKeys: KeyPair;
  args?: Record<string, string>;
  answer?: string;
  fact?: Fact;
  comment?: string;
  capability?: OracleCapability;
}

/** Any content, taken as is. */
export interface RawReportOptions extends ReportCommon {
  type?: undefined;
  content: ReportContent;
}

/** Options of {@link makeReport}. */
export type MakeReportOptions = ConflictReportOptions | MissingReportOptions | DisagreesReportOptions | RawReportOptions;

/** The content a report builder would put in the report. */
export function makeReportContent(opts: MakeReportOptions): ReportContent {
  switch (opts.type) {
    case undefined:
      return opts.content;
    case 'fact-conflict': {
      const request = makeRequest(opts.capKeys.publicKey, opts.args);
      const facts = opts.facts ?? (opts.answers ?? ['yes', 'no']).map((answer) => makeFact({ capKeys: opts.capKeys, args: request.arguments, answer }));
      const content: ReportContent = { type: 'fact-conflict', request, facts };
      if (opts.capability !== undefined) content.capability = opts.capability;
      return content;
    }
    case 'fact-missing': {
      const pub = opts.capabilityPubKey ?? opts.capKeys?.publicKey;
      if (pub === undefined) throw new Error('fact-missing needs capKeys or capabilityPubKey');
      const content: ReportContent = { type: 'fact-missing', request: makeRequest(pub, opts.args) };
      if (opts.payment !== undefined) content.payment = opts.payment;
      if (opts.capability !== undefined) content.capability = opts.capability;
      return content;
    }
    case 'fact-disagrees-with-public': {
      const request = makeRequest(opts.capKeys.publicKey, opts.args);
      const fact = opts.fact ?? makeFact({ capKeys: opts.capKeys, args: request.arguments, answer: opts.answer ?? 'yes' });
      const content: ReportContent = { type: 'fact-disagrees-with-public', request, fact };
      if (opts.comment !== undefined) content.comment = opts.comment;
      if (opts.capability !== undefined) content.capability = opts.capability;
      return content;
    }
  }
}

/** A mined report of any of the three content types. */
export function makeReport(opts: MakeReportOptions): Report {
  const report: Report = {
    oraclePubKey: opts.oraclePubKey,
    seqNo: opts.seqNo ?? 0,
    cTTL: opts.cTTL ?? 5,
    pow: fakePow(0),
    content: makeReportContent(opts),
  };
  return mine(report, 'report', opts.difficulty ?? DEFAULT_DIFFICULTY);
}

/** A dispute answering report `reportId` with `fact`. */
export function makeDispute(opts: { reportId: string; oraclePubKey: string; fact: Fact }): Dispute {
  return { reportId: opts.reportId, oraclePubKey: opts.oraclePubKey, fact: opts.fact };
}

/** Re-sign an oracle ad after a test edited it (keeps its PoW). */
export function resignOracle(o: OracleId, keys: KeyPair): OracleId {
  const { oracleSignature: _sig, oracleSignatureType: _type, ...unsigned } = o;
  return { ...signOracleId(unsigned, keys.privateKey), pow: o.pow };
}

/** Re-sign a capability ad after a test edited it (keeps its PoW). */
export function resignCapability(c: OracleCapability, oracleKeys: KeyPair): OracleCapability {
  const { oracleSignature: _sig, oracleSignatureType: _type, ...unsigned } = c;
  return { ...signCapability(unsigned, oracleKeys.privateKey), pow: c.pow };
}

/** Brand a value as verified (tests that drive the mempool directly; the mempool never re-verifies). */
export function asVerified<T>(value: T): Verified<T> {
  return value as Verified<T>;
}

/** The report id (re-exported so suites need one import). */
export { reportId };

// ---- test rig ----------------------------------------------------------------------------------

/** A controllable clock: `now()` returns `t` until a test moves it. */
export class FakeClock {
  t: number;
  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }
  /** The current fake time in ms (bound, so it can be passed as `deps.now`). */
  readonly now = (): number => this.t;
  /** Move the clock forward by `ms`. */
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Mempool limits for tests: roomy unless a test overrides them; one shard. */
export function testMempoolOptions(overrides: Partial<MempoolOptions> = {}): MempoolOptions {
  return { maxOracles: 100, maxCapabilities: 10, maxReports: 10, shard: { count: 1, index: 0 }, ...overrides };
}

/** Service thresholds for tests: 0, so anything mined at difficulty >= 0 passes. */
export function testServiceOptions(overrides: Partial<ServiceOptions> = {}): ServiceOptions {
  return { powThresholdOracles: 0, powThresholdCapabilities: 0, powThresholdReports: 0, ...overrides };
}

let schemasOnce: SchemaRegistry | undefined;
/** The compiled spec schemas, loaded once per process (compiling costs ~100 ms). */
export function testSchemas(): SchemaRegistry {
  schemasOnce ??= SchemaRegistry.load();
  return schemasOnce;
}

/** Options of {@link newServiceForTest}. */
export interface TestServiceOptions {
  mempool?: Partial<MempoolOptions>;
  service?: Partial<ServiceOptions>;
  clock?: FakeClock;
  /** Signature-check threads for the intake (or a stand-in with the same `run`); none = inline. */
  verifier?: ServiceDeps['verifier'];
  /** Check an entity arriving alone inline (default true, as in a node); false sends every check to `verifier`. */
  inlineAlone?: boolean;
}

/** A real mempool + spec schemas + service on a fake clock. */
export interface TestService {
  service: MegaService;
  mempool: Mempool;
  schemas: SchemaRegistry;
  clock: FakeClock;
}

/** Build the real admission stack with a fake clock. */
export function newServiceForTest(options: TestServiceOptions = {}): TestService {
  const clock = options.clock ?? new FakeClock();
  const mempool = new Mempool(testMempoolOptions(options.mempool), { now: clock.now });
  const schemas = testSchemas();
  const service = new MegaService(testServiceOptions(options.service), { mempool, schemas, verifier: options.verifier ?? null, inlineAlone: options.inlineAlone ?? true, now: clock.now });
  return { service, mempool, schemas, clock };
}

/** A mempool alone on a fake clock. */
export function newMempoolForTest(options: Partial<MempoolOptions> = {}, clock = new FakeClock()): { mempool: Mempool; clock: FakeClock } {
  return { mempool: new Mempool(testMempoolOptions(options), { now: clock.now }), clock };
}

// ---- unsigned stand-ins for mempool-only tests -------------------------------------------------
// The mempool trusts the service's verification, so ranking, eviction and index tests can use
// entities with readable ids and a claimed difficulty, built in nanoseconds.

/** A readable 33-byte-shaped pubkey for mempool-only tests: "02" + `n` as 64 hex digits (lexicographic order = numeric order). */
export function fakePubKey(n: number): string {
  return '02' + n.toString(16).padStart(64, '0');
}

/** A 64-hex report id whose 256-bit value is `n` (so `id mod count` is easy to reason about). */
export function fakeReportId(n: number | bigint): string {
  return BigInt(n).toString(16).padStart(64, '0');
}

/** An unsigned oracle ad branded verified, with a claimed PoW of `difficulty`. */
export function fakeOracle(pubkey: string, difficulty: number, opts: { seqNo?: number; tags?: string[] } = {}): Verified<OracleId> {
  const o: OracleId = {
    pubkey,
    seqNo: opts.seqNo ?? 0,
    cTTL: 5,
    pow: fakePow(difficulty),
    bid: { amount: 0, proof: '' },
    oracleSignature: '0'.repeat(128),
    oracleSignatureType: 'ecdsa-secp256k1',
  };
  if (opts.tags !== undefined) o.tags = opts.tags;
  return asVerified(o);
}

/** An unsigned capability ad branded verified. */
export function fakeCapability(
  oraclePubKey: string,
  capabilityPubKey: string,
  difficulty: number,
  opts: { seqNo?: number; question?: string; tags?: string[] } = {},
): Verified<OracleCapability> {
  const c: OracleCapability = {
    oraclePubKey,
    capabilityPubKey,
    question: opts.question ?? 'what is the answer',
    seqNo: opts.seqNo ?? 0,
    cTTL: 5,
    oracleSignature: '0'.repeat(128),
    oracleSignatureType: 'ecdsa-secp256k1',
    pow: fakePow(difficulty),
  };
  if (opts.tags !== undefined) c.tags = opts.tags;
  return asVerified(c);
}

/** An unsigned fact-missing report branded verified (its id is given separately to `addReport`). */
export function fakeReport(oraclePubKey: string, difficulty: number, opts: { seqNo?: number; tag?: string } = {}): Verified<Report> {
  return asVerified({
    oraclePubKey,
    seqNo: opts.seqNo ?? 0,
    cTTL: 5,
    pow: fakePow(difficulty),
    content: { type: 'fact-missing', request: { capabilityPubKey: fakePubKey(0), arguments: { tag: opts.tag ?? '' } } },
  });
}

/** An unsigned dispute branded verified. */
export function fakeDispute(reportIdHex: string, oraclePubKey: string, answer = 'yes'): Verified<Dispute> {
  return asVerified({
    reportId: reportIdHex,
    oraclePubKey,
    fact: { request: { capabilityPubKey: fakePubKey(0), arguments: {} }, answer, signatureType: 'ecdsa-secp256k1', signature: '0'.repeat(128) },
  });
}

// ---- Lightning payment proofs ------------------------------------------------------------------

/** A regtest BOLT11 invoice signed by `nodeKeys` with this payment hash and description hash (test/helpers/invoice.ts). */
export function makeInvoice(opts: { nodeKeys: KeyPair; paymentHash: string; descriptionHash: string; satoshis?: number }): string {
  return makeRegtestInvoice({
    nodePrivateKey: opts.nodeKeys.privateKey,
    paymentHash: opts.paymentHash,
    descriptionHash: opts.descriptionHash,
    millisatoshis: String((opts.satoshis ?? 10) * 1000),
    timestamp: 1_700_000_000,
    paymentSecret: '11'.repeat(32),
  });
}

/** A verified-shape payment proof for `request`: an invoice by `nodeKeys` committing to it, and its preimage (`preimageSeed` picks the preimage). */
export function makePaymentProof(nodeKeys: KeyPair, request: FactRequest, preimageSeed = 'paid'): PaymentProof {
  const preimage = sha256Hex(`preimage:${preimageSeed}`);
  const invoice = makeInvoice({ nodeKeys, paymentHash: sha256Hex(Buffer.from(preimage, 'hex')), descriptionHash: requestCommitment(request) });
  return { proof: 'lightning payment', invoice, preimage };
}
