/** oracle-daemon/config.ts - the oracle daemon's config: every key (ORACLE_CONFIG_FIELDS, mirrored by docs/configuration.md "mega-oracle"), the typed result, and the loader that refuses unknown keys and lists every problem (the daemon exits 78). Imports oracle-daemon, oracle and dlc. */
import fs from 'node:fs';
import path from 'node:path';
import type { EventDescriptor, SigningVersion } from '../dlc/index.ts';
import { ROUND_MODES, type SourceConfig } from '../oracle/sources.ts';
import { checkFields, type Fields, type Spec } from './spec.ts';

/** When an event matures: daily at a UTC time, every n seconds (aligned to the epoch), or a list of times. */
export type MaturityConfig = { type: 'daily'; time: string } | { type: 'every'; seconds: number; offsetSeconds: number } | { type: 'list'; times: string[] };

/** The DLC events of a capability. */
export interface EventConfig {
  descriptor: EventDescriptor;
  eventId: string;
  maturity: MaturityConfig;
  announceBeforeSec: number;
  signingVersion: SigningVersion;
  difficulty: number;
}

/** One capability the daemon keeps published. */
export interface CapabilityConfig {
  name: string;
  keyFile: string;
  question: string;
  tags: string[];
  params: { name: string; values: string[] }[];
  answers: string[];
  endpoint: string | null;
  difficulty: number;
  event: EventConfig | null;
  source: SourceConfig | null;
  /** Price of one fact in millisatoshi (decimal string); null or "0" = free. */
  priceMsat: string | null;
  /** Seconds nodes may serve its facts from cache (published as `factLifetime`); null = the nodes' default. */
  factLifetime: number | null;
}

/** The fact endpoint (src/oracle-facts/fact-server.ts; PROTOCOL 10.8, 10.9). */
export interface FactServerConfig {
  host: string;
  port: number;
  publicUrl: string;
  maxBodyBytes: number;
  ratePerMinutePerClient: number;
  maxConcurrent: number;
  resolveTimeoutMs: number;
  rememberedFacts: number;
  rememberedFactBytes: number;
  oblivious: boolean;
}

/** The oracle's LND for paid facts. */
export interface PaymentConfig {
  lnRestHost: string;
  lnMacaroonPath: string;
  lnTlsCertPath: string;
  lightningNodeId: string;
  timeoutMs: number;
  invoiceExpirySeconds: number;
  maxRememberedPayments: number;
}

/** The report answerer (src/oracle-facts/report-answerer.ts). */
export interface ReportsConfig {
  intervalMs: number;
  pageSize: number;
  maxPages: number;
  maxAnswersPerPoll: number;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  maxBackoffMs: number;
  retryAfterMs: number;
  maxRemembered: number;
  maxRememberedBytes: number;
}

/** The validated, frozen config of `mega-oracle`. */
export interface OracleDaemonConfig {
  dataDir: string;
  nodes: string[];
  identity: { keyFile: string; difficulty: number; cTTL: number; tags: string[]; manifestUri: string | null };
  dlcKeyFile: string | null;
  capabilities: CapabilityConfig[];
  checkIntervalSec: number;
  rankTarget: { question: string; top: number } | null;
  miningBudget: { maxDifficulty: number; workers: number };
  admin: { host: string; port: number };
  retry: { initialMs: number; maxMs: number };
  nodeTimeoutMs: number;
  keepEventsDays: number;
  factServer: FactServerConfig | null;
  payment: PaymentConfig | null;
  reports: ReportsConfig | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/;
const TAG: Spec = { kind: 'str', max: 64, doc: 'a tag' };
const round: Spec = { kind: 'enum', values: ROUND_MODES, default: 'none', doc: 'numeric events: how a value that is not a whole multiple of base^precision is brought to it (`none` refuses it; `nearest` rounds half away from zero)' };

const DESCRIPTOR: Spec = {
  kind: 'union',
  tag: 'kind',
  doc: 'what the event signs: `enum` (one of `outcomes`) or `digits` (dlcspecs digit decomposition)',
  variants: {
    enum: { outcomes: { kind: 'list', item: { kind: 'str', max: 256, doc: 'an outcome' }, minItems: 2, maxItems: 1000, unique: true, doc: 'the possible outcomes' } },
    digits: {
      base: { kind: 'int', min: 2, max: 65535, default: 2, doc: 'digit base' },
      nbDigits: { kind: 'int', min: 1, max: 64, doc: 'number of digits (one nonce each)' },
      isSigned: { kind: 'bool', default: false, doc: 'the value may be negative (a sign nonce comes first)' },
      unit: { kind: 'str', max: 64, default: 'units', doc: 'unit of the value (informative)' },
      precision: { kind: 'int', min: -30, max: 30, default: 0, doc: 'the signed integer times base^precision is the value' },
    },
  },
};

const MATURITY: Spec = {
  kind: 'union',
  tag: 'type',
  doc: 'when events mature: `daily` at a UTC time, `every` n seconds (epoch-aligned, for tests and frequent events) or a `list` of times',
  variants: {
    daily: { time: { kind: 'str', max: 5, pattern: /^([01]\d|2[0-3]):[0-5]\d$/, rule: 'must be HH:MM (UTC)', doc: 'UTC time of day, HH:MM' } },
    every: {
      seconds: { kind: 'int', min: 1, max: 366 * 86400, unit: 'seconds', doc: 'period' },
      offsetSeconds: { kind: 'int', min: 0, max: 366 * 86400, default: 0, unit: 'seconds', doc: 'maturities are offset + k × seconds since the epoch' },
    },
    list: { times: { kind: 'list', item: { kind: 'str', max: 64, pattern: /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?Z$/, rule: 'must be an ISO 8601 UTC time (…Z)', doc: 'a time' }, minItems: 1, maxItems: 10000, unique: true, doc: 'maturity times, ISO 8601 UTC' } },
  },
};

const SOURCE: Spec = {
  kind: 'union',
  tag: 'type',
  doc: 'where the outcome comes from at maturity (src/oracle/sources.ts); also what the fact server answers from',
  variants: {
    'http-json': {
      url: { kind: 'str', max: 2048, pattern: HTTP_URL, rule: 'must be an http(s) URL', doc: 'URL of a JSON document; `{name}` is replaced by a fact request argument' },
      pointer: { kind: 'str', max: 1024, pattern: /^(\/.*)?$/, rule: 'must be a JSON pointer ("" or starting with "/")', default: '', doc: 'RFC 6901 JSON pointer to the value' },
      timeoutMs: { kind: 'int', min: 100, max: 120000, default: 10000, unit: 'ms', doc: 'request deadline' },
      round,
    },
    command: {
      command: { kind: 'list', item: { kind: 'str', max: 4096, doc: 'an argument' }, minItems: 1, maxItems: 64, doc: 'argv, program first, run without a shell; stdout (trimmed) is the value' },
      timeoutMs: { kind: 'int', min: 100, max: 120000, default: 10000, unit: 'ms', doc: 'the program is killed after this' },
      pointer: { kind: 'str', max: 1024, nullable: true, pattern: /^(\/.*)?$/, rule: 'must be a JSON pointer', doc: 'null: stdout is the value; else stdout is JSON read at this pointer' },
      round,
    },
    file: {
      path: { kind: 'str', max: 4096, doc: 'a JSON file, re-read at each use' },
      pointer: { kind: 'str', max: 1024, pattern: /^(\/.*)?$/, rule: 'must be a JSON pointer', default: '', doc: 'JSON pointer to the value' },
      round,
    },
    manual: { round },
  },
};

const CAPABILITY: Fields = {
  name: { kind: 'str', max: 64, pattern: NAME, rule: 'must be 1–64 of a-z 0-9 _ - (starting with a letter or digit)', doc: 'short local name (admin API, event ids, logs)' },
  keyFile: { kind: 'str', max: 4096, doc: 'the capability key file (mode 0600; `mega keygen`): signs facts; its public key is capabilityPubKey' },
  question: { kind: 'str', max: 1024, doc: 'the question, as published' },
  tags: { kind: 'list', item: TAG, maxItems: 32, default: [], doc: 'tags of the capability ad' },
  params: { kind: 'list', item: { kind: 'obj', doc: 'a parameter', fields: { name: { kind: 'str', max: 64, doc: 'parameter name' }, values: { kind: 'list', item: { kind: 'str', max: 256, doc: 'a value' }, maxItems: 1000, default: [], doc: 'allowed values ([] = any)' } } }, maxItems: 32, default: [], doc: 'named arguments of the question' },
  answers: { kind: 'list', item: { kind: 'str', max: 256, doc: 'an answer' }, maxItems: 1000, default: [], doc: 'possible answers (informative)' },
  endpoint: { kind: 'str', max: 2048, nullable: true, pattern: HTTP_URL, rule: 'must be an http(s) URL', doc: 'where traders ask for facts (the fact server)' },
  difficulty: { kind: 'int', min: 0, max: 40, default: 8, unit: 'leading zero bits', doc: 'PoW of the capability ad' },
  event: {
    kind: 'obj',
    nullable: true,
    doc: 'DLC events of this capability (null: facts only). Needs dlcKeyFile; the ad then binds the DLC key',
    fields: {
      descriptor: DESCRIPTOR,
      eventId: { kind: 'str', max: 200, doc: 'event id template: {capability}, {epoch}, {date} (YYYY-MM-DD), {datetime} (YYYYMMDDTHHMMSSZ) of the maturity' },
      maturity: MATURITY,
      announceBeforeSec: { kind: 'int', min: 1, max: 400 * 86400, default: 86400, unit: 'seconds', doc: 'an event is announced this long before it matures' },
      signingVersion: { kind: 'enum', values: ['dlcspecs-v0', 'basic-sha256'], default: 'dlcspecs-v0', doc: 'how announcements and attestations are hashed (docs/dlc.md)' },
      difficulty: { kind: 'int', min: 0, max: 32, default: 0, unit: 'leading zero bits', doc: 'PoW of each announcement entity' },
    },
  },
  source: { ...SOURCE, nullable: true, doc: `${SOURCE.doc}; null only without event` } as Spec,
  priceMsat: { kind: 'str', max: 20, nullable: true, pattern: /^\d{1,19}$/, rule: 'must be a decimal number of millisatoshi', doc: 'price of one fact (needs `payment`); null or "0" = free' },
  factLifetime: { kind: 'int', min: 0, max: 31536000, default: null as unknown as number, unit: 'seconds', doc: 'published as the ad\'s factLifetime: how long nodes may serve its facts from cache (absent: the nodes\' default; 0: never)' },
};

const FACT_SERVER: Spec = {
  kind: 'obj',
  nullable: true,
  doc: 'the fact endpoint (PROTOCOL 10.8): answers POST /facts from each capability\'s source; null = no endpoint. Capabilities without their own `endpoint` advertise `publicUrl`',
  fields: {
    host: { kind: 'str', max: 255, default: '127.0.0.1', doc: 'bind address (put TLS in a reverse proxy in front: nodes call only https endpoints outside test networks)' },
    port: { kind: 'int', min: 0, max: 65535, default: 8091, unit: 'TCP port', doc: '0 = any free port' },
    publicUrl: { kind: 'str', max: 2048, pattern: HTTP_URL, rule: 'must be an http(s) URL', doc: 'the base URL capability ads advertise as `endpoint` (facts at publicUrl + "/facts")' },
    maxBodyBytes: { kind: 'int', min: 1024, max: 1048576, default: 16384, unit: 'bytes', doc: '413 beyond' },
    ratePerMinutePerClient: { kind: 'int', min: 0, max: 1000000, default: 60, unit: 'requests', doc: 'per client address (a node proxying for many traders is one client); 0 = unlimited' },
    maxConcurrent: { kind: 'int', min: 1, max: 10000, default: 16, unit: 'requests', doc: 'in progress at once; 503 busy beyond' },
    resolveTimeoutMs: { kind: 'int', min: 100, max: 120000, default: 10000, unit: 'ms', doc: 'deadline of one source call; 503 source-timeout' },
    rememberedFacts: { kind: 'int', min: 1, max: 10000000, default: 10000, unit: 'facts', doc: 'signed facts remembered (the same request gets the same fact)' },
    rememberedFactBytes: { kind: 'int', min: 1024, default: 16777216, unit: 'bytes', doc: 'bytes of remembered facts' },
    oblivious: { kind: 'bool', default: false, doc: 'serve the Oblivious HTTP gateway POST /ohttp (PROTOCOL 10.9): the key lives in dataDir/ohttp-key.json (0600) and its key configuration is published in each capability\'s ohttpKeyConfig' },
  },
};

const PAYMENT: Spec = {
  kind: 'obj',
  nullable: true,
  doc: 'LND for paid facts (capabilities with priceMsat > 0): 402 with a BOLT11 invoice committed to the request; null = every fact free',
  fields: {
    lnRestHost: { kind: 'str', max: 300, doc: 'host:port of LND\'s REST listener' },
    lnMacaroonPath: { kind: 'str', max: 4096, doc: 'a macaroon that can create and read invoices (invoice.macaroon)' },
    lnTlsCertPath: { kind: 'str', max: 4096, doc: 'LND\'s TLS certificate (pinned)' },
    lightningNodeId: { kind: 'str', max: 66, pattern: /^0[23][0-9a-f]{64}$/, rule: 'must be a compressed public key (66 hex)', doc: 'the LND node id, published as lightningNodeId in priced capabilities so a paid request never answered becomes a paid claim' },
    timeoutMs: { kind: 'int', min: 100, max: 120000, default: 5000, unit: 'ms', doc: 'LND call deadline' },
    invoiceExpirySeconds: { kind: 'int', min: 10, max: 604800, default: 600, unit: 'seconds', doc: 'invoice lifetime, and the re-fetch window after settlement' },
    maxRememberedPayments: { kind: 'int', min: 1, max: 10000000, default: 10000, unit: 'payments', doc: 'paid hashes remembered' },
  },
};

const REPORTS: Spec = {
  kind: 'obj',
  nullable: true,
  doc: 'answer fact-missing reports against the oracle on every node of `nodes` with a dispute carrying the fact from the source (PROTOCOL 8.4); null = no answering',
  fields: {
    intervalMs: { kind: 'int', min: 100, max: 86400000, default: 15000, unit: 'ms', doc: 'poll period per node' },
    pageSize: { kind: 'int', min: 1, max: 1000, default: 100, unit: 'reports', doc: 'chunkSize of each page' },
    maxPages: { kind: 'int', min: 1, max: 1000, default: 10, unit: 'pages', doc: 'pages per poll' },
    maxAnswersPerPoll: { kind: 'int', min: 1, max: 100000, default: 100, unit: 'disputes', doc: 'disputes posted per node and poll' },
    requestTimeoutMs: { kind: 'int', min: 100, max: 120000, default: 10000, unit: 'ms', doc: 'per node call' },
    maxResponseBytes: { kind: 'int', min: 1024, default: 16777216, unit: 'bytes', doc: 'largest page read' },
    maxBackoffMs: { kind: 'int', min: 100, max: 86400000, default: 300000, unit: 'ms', doc: 'longest wait after repeated node failures' },
    retryAfterMs: { kind: 'int', min: 100, max: 86400000, default: 600000, unit: 'ms', doc: 'when an unanswerable or refused report is tried again' },
    maxRemembered: { kind: 'int', min: 1, max: 10000000, default: 10000, unit: 'entries', doc: 'outcomes and built disputes remembered, each' },
    maxRememberedBytes: { kind: 'int', min: 1024, default: 16777216, unit: 'bytes', doc: 'bytes of those' },
  },
};

/** Every key of the config. */
export const ORACLE_CONFIG_FIELDS: Fields = {
  dataDir: { kind: 'str', max: 4096, doc: 'state folder (mode 0700): published seqNos and PoW, events, nonce secrets (dlc/nonces), attestation log (dlc/attestations.log), admin cookie. Back it up whole (docs/oracle.md)' },
  nodes: { kind: 'list', item: { kind: 'str', max: 2048, pattern: HTTP_URL, rule: 'must be an http(s) URL', doc: 'a node' }, minItems: 1, maxItems: 32, unique: true, doc: 'REST base URLs of the Mega nodes the oracle publishes to and watches' },
  identity: {
    kind: 'obj',
    doc: 'the oracle identity ad',
    fields: {
      keyFile: { kind: 'str', max: 4096, doc: 'the oracle identity key file (mode 0600; `mega keygen`)' },
      difficulty: { kind: 'int', min: 0, max: 40, default: 16, unit: 'leading zero bits', doc: 'PoW mined for the ad at first start (raised later only by rankTarget)' },
      cTTL: { kind: 'int', min: 0, max: 255, default: 16, unit: 'hops', doc: 'gossip hop limit of everything the daemon posts (8 or more: relayed along the nodes\' push tree, docs/PROTOCOL.md 11.7)' },
      tags: { kind: 'list', item: TAG, maxItems: 32, default: [], doc: 'tags of the oracle ad' },
      manifestUri: { kind: 'str', max: 2048, nullable: true, pattern: /^https?:\/\//, rule: 'must be an http(s) URL', doc: 'where the oracle describes itself' },
    },
  },
  dlcKeyFile: { kind: 'str', max: 4096, nullable: true, doc: 'the DLC attestation key file (mode 0600; `mega dlc keygen`); must differ from the identity and capability keys' },
  capabilities: { kind: 'list', item: { kind: 'obj', fields: CAPABILITY, doc: 'a capability' }, minItems: 0, maxItems: 100, default: [], doc: 'the capabilities the daemon keeps published' },
  checkIntervalSec: { kind: 'int', min: 1, max: 86400, default: 300, unit: 'seconds', doc: 'how often each node is checked for the ad, capabilities, announcements and attestations (missing ones are posted again) and the rank is read' },
  rankTarget: { kind: 'obj', nullable: true, doc: 'keep the oracle in the top `top` of GET /oracles?question=`question` on every node by raising its PoW (within miningBudget); null = never mine more', fields: { question: { kind: 'str', max: 256, doc: 'question word(s)' }, top: { kind: 'int', min: 1, max: 1000, doc: 'rank to stay within' } } },
  miningBudget: {
    kind: 'obj',
    doc: 'how much PoW the daemon may mine to keep rankTarget',
    fields: {
      maxDifficulty: { kind: 'int', min: 0, max: 40, default: 24, unit: 'leading zero bits', doc: 'never mine the ad beyond this (each bit doubles the work; 24 bits ≈ 7 s of one core)' },
      workers: { kind: 'int', min: 1, max: 64, default: 1, unit: 'threads', doc: 'worker threads for mining' },
    },
  },
  admin: {
    kind: 'obj',
    doc: 'the admin API (bearer token in dataDir/.cookie)',
    fields: {
      host: { kind: 'str', max: 255, default: '127.0.0.1', doc: 'bind address; keep it on loopback' },
      port: { kind: 'int', min: 0, max: 65535, default: 8190, unit: 'TCP port', doc: '0 = any free port (written to dataDir/admin.json)' },
    },
  },
  retry: {
    kind: 'obj',
    doc: 'backoff of failed sources and unreachable nodes',
    fields: {
      initialMs: { kind: 'int', min: 10, max: 3600000, default: 1000, unit: 'ms', doc: 'first retry delay (doubles each failure)' },
      maxMs: { kind: 'int', min: 10, max: 86400000, default: 300000, unit: 'ms', doc: 'longest retry delay' },
    },
  },
  nodeTimeoutMs: { kind: 'int', min: 100, max: 120000, default: 10000, unit: 'ms', doc: 'deadline of each request to a node' },
  factServer: FACT_SERVER,
  payment: PAYMENT,
  reports: REPORTS,
  keepEventsDays: { kind: 'int', min: 1, max: 3650, default: 30, unit: 'days', doc: 'attested events are forgotten by the daemon (not by the attestation log) this long after maturity' },
  logLevel: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', doc: 'pino log level' },
};

/** A config that cannot be used; `problems` has one "path: rule" line each. */
export class OracleConfigError extends Error {
  override name = 'OracleConfigError';
  constructor(
    source: string,
    readonly problems: string[],
  ) {
    super(`invalid oracle config ${source}:\n  ${problems.join('\n  ')}`);
  }
}

function crossChecks(c: OracleDaemonConfig): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  c.capabilities.forEach((cap, i) => {
    const at = `capabilities[${i}]`;
    if (names.has(cap.name)) problems.push(`${at}.name: "${cap.name}" is used twice`);
    names.add(cap.name);
    if (cap.event && !cap.source) problems.push(`${at}.source: an event needs a source`);
    if (cap.event && c.dlcKeyFile === null) problems.push(`${at}.event: needs dlcKeyFile (the DLC attestation key)`);
    const m = cap.event?.maturity;
    if (m?.type === 'every' && cap.event && cap.event.announceBeforeSec / m.seconds > 1000) problems.push(`${at}.event.announceBeforeSec: announces more than 1000 events ahead (announceBeforeSec / maturity.seconds)`);
    if (m?.type === 'list') m.times.forEach((t, j) => Number.isNaN(Date.parse(t)) && problems.push(`${at}.event.maturity.times[${j}]: not a valid time`));
  });
  if (c.retry.maxMs < c.retry.initialMs) problems.push('retry.maxMs: must be ≥ retry.initialMs');
  return problems;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Validate a parsed config (defaults filled); relative file paths are resolved against `baseDir`. Throws OracleConfigError with every problem. */
export function parseOracleConfig(raw: unknown, source = '(object)', baseDir = process.cwd()): OracleDaemonConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OracleConfigError(source, ['(root): must be a JSON object']);
  const problems: string[] = [];
  const c = checkFields(ORACLE_CONFIG_FIELDS, raw as Record<string, unknown>, '', problems) as unknown as OracleDaemonConfig;
  if (problems.length) throw new OracleConfigError(source, problems);
  problems.push(...crossChecks(c));
  if (problems.length) throw new OracleConfigError(source, problems);
  const abs = (p: string): string => path.resolve(baseDir, p);
  c.dataDir = abs(c.dataDir);
  c.identity.keyFile = abs(c.identity.keyFile);
  if (c.dlcKeyFile !== null) c.dlcKeyFile = abs(c.dlcKeyFile);
  for (const cap of c.capabilities) {
    cap.keyFile = abs(cap.keyFile);
    if (cap.source?.type === 'file') cap.source.path = abs(cap.source.path);
  }
  c.nodes = c.nodes.map((u) => u.replace(/\/+$/, ''));
  return deepFreeze(c);
}

/** Read and validate a config file; relative paths in it are relative to the file's folder. */
export function loadOracleConfig(file: string): OracleDaemonConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new OracleConfigError(file, [`cannot read file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new OracleConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseOracleConfig(raw, file, path.dirname(path.resolve(file)));
}
