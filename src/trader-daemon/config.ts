/** trader-daemon/config.ts - the trader daemon's config: every key (TRADER_CONFIG_FIELDS, mirrored by docs/configuration.md "mega-trader"), the typed result, and the loader that refuses unknown keys and lists every problem as "path: rule" (the daemon exits 78). Imports daemon (config-spec) and protocol types. */
import fs from 'node:fs';
import path from 'node:path';
import type { OfferChain } from '../protocol/types.ts';
import { checkFields, type Fields } from '../daemon/config-spec.ts';

/** The validated, frozen config of `mega-trader`. */
export interface TraderDaemonConfig {
  dataDir: string;
  nodes: string[];
  identityKeyFile: string;
  chain: {
    network: OfferChain;
    rpcUrl: string;
    rpcUser: string | null;
    rpcPassword: string | null;
    rpcCookieFile: string | null;
    rpcTimeoutMs: number;
    birthdayHeight: number | null;
  };
  listen: { host: string; port: number; publicUrl: string | null; maxBodyBytes: number; ratePerMinutePerClient: number; maxConcurrent: number; requestTimeoutMs: number };
  admin: { host: string; port: number };
  peers: { timeoutMs: number; maxResponseBytes: number; allowInsecure: boolean };
  offers: { difficulty: number };
  minConfirmations: number;
  maxFeeRate: number;
  tickSeconds: number;
  nodeTimeoutMs: number;
  attestationPollSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const HTTP_URL = /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/;
const URL_RULE = 'must be an http(s) URL without credentials, query or fragment';
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Every key of the trader daemon's config. */
export const TRADER_CONFIG_FIELDS: Fields = {
  dataDir: { kind: 'str', max: 4096, doc: 'folder of the daemon\'s state: identity key, wallet, contracts, admin cookie (relative paths are relative to the config file)' },
  nodes: {
    kind: 'list',
    item: { kind: 'str', max: 2048, pattern: HTTP_URL, rule: URL_RULE, doc: 'a node base URL' },
    minItems: 1,
    maxItems: 16,
    unique: true,
    doc: 'Mega node REST base URLs, in order of preference: offers are posted to all of them, reads fail over to the next when one is down',
  },
  identityKeyFile: { kind: 'str', max: 4096, default: 'identity.key', doc: 'the trader\'s identity key (signs offers and the exchange with counterparties): 32-byte hex secret, mode 0600, generated on first start; relative to dataDir' },
  chain: {
    kind: 'obj',
    doc: 'the Bitcoin chain backend: a bitcoind (or anything speaking its JSON-RPC)',
    fields: {
      network: { kind: 'enum', values: ['bitcoin-regtest', 'bitcoin-testnet', 'bitcoin-signet', 'bitcoin-mainnet'], doc: 'the chain the wallet and contracts live on; checked against the backend\'s getblockchaininfo at start' },
      rpcUrl: { kind: 'str', max: 2048, pattern: HTTP_URL, rule: URL_RULE, doc: 'bitcoind JSON-RPC URL (e.g. http://127.0.0.1:18443 on regtest)' },
      rpcUser: { kind: 'str', max: 256, nullable: true, doc: 'RPC user (with rpcPassword); or use rpcCookieFile' },
      rpcPassword: { kind: 'str', max: 1024, nullable: true, doc: 'RPC password (never logged)' },
      rpcCookieFile: { kind: 'str', max: 4096, nullable: true, doc: 'bitcoind\'s .cookie file (user:password), read at each connection; relative to the config file' },
      rpcTimeoutMs: { kind: 'int', min: 100, max: 600_000, default: 30_000, unit: 'ms', doc: 'deadline of one RPC call' },
      birthdayHeight: { kind: 'int', min: 0, nullable: true, doc: 'first block the wallet scans (no coin of this wallet is older); null = the tip when the wallet is created' },
    },
  },
  listen: {
    kind: 'obj',
    doc: 'the counterparty endpoint (POST /dlc/v0): where takers reach this daemon',
    fields: {
      host: { kind: 'str', max: 256, default: '127.0.0.1', doc: 'address to bind' },
      port: { kind: 'int', min: 0, max: 65535, default: 9735, doc: 'port to bind (0 = any free port)' },
      publicUrl: { kind: 'str', max: 512, pattern: HTTP_URL, rule: URL_RULE, nullable: true, doc: 'base URL put into offers as `contact` (default: http://<host>:<bound port>)' },
      maxBodyBytes: { kind: 'int', min: 1024, max: 64 * 1024 * 1024, default: 8 * 1024 * 1024, unit: 'bytes', doc: 'largest envelope accepted (accept_dlc carries one adaptor signature per outcome)' },
      ratePerMinutePerClient: { kind: 'int', min: 1, max: 100_000, default: 60, doc: 'envelopes per minute one client address may send (429 past it)' },
      maxConcurrent: { kind: 'int', min: 1, max: 1000, default: 8, doc: 'envelopes handled at once (503 past it)' },
      requestTimeoutMs: { kind: 'int', min: 1000, max: 600_000, default: 60_000, unit: 'ms', doc: 'deadline to receive one whole request' },
    },
  },
  admin: {
    kind: 'obj',
    doc: 'the admin API (loopback only; bearer token in <dataDir>/.cookie)',
    fields: {
      host: { kind: 'str', max: 64, default: '127.0.0.1', pattern: LOOPBACK, rule: 'must be a loopback address (127.x.x.x, ::1 or localhost)', doc: 'loopback address to bind' },
      port: { kind: 'int', min: 0, max: 65535, default: 0, doc: 'port (0 = any free port; the URL is written to <dataDir>/admin.json)' },
    },
  },
  peers: {
    kind: 'obj',
    doc: 'requests to counterparties (the contact of an offer)',
    fields: {
      timeoutMs: { kind: 'int', min: 100, max: 600_000, default: 60_000, unit: 'ms', doc: 'deadline of one envelope exchange' },
      maxResponseBytes: { kind: 'int', min: 1024, max: 64 * 1024 * 1024, default: 8 * 1024 * 1024, unit: 'bytes', doc: 'largest answer read' },
      allowInsecure: { kind: 'bool', default: false, doc: 'allow plain http and loopback/private contacts (test networks only: refused on bitcoin-mainnet)' },
    },
  },
  offers: {
    kind: 'obj',
    doc: 'offers this daemon makes',
    fields: { difficulty: { kind: 'int', min: 0, max: 40, default: 16, doc: 'PoW difficulty offers are mined at (at least the nodes\' powThresholdOffers)' } },
  },
  minConfirmations: { kind: 'int', min: 1, max: 1000, default: 1, doc: 'confirmations before a funding or closing transaction counts' },
  maxFeeRate: { kind: 'int', min: 1, max: 10_000, default: 200, doc: 'highest funding fee rate (sat/vB) this trader accepts when taking an offer; a higher one is refused with `fee-too-high`' },
  tickSeconds: { kind: 'int', min: 1, max: 3600, default: 10, unit: 's', doc: 'how often contracts are advanced (confirmations, refunds past their locktime, retries)' },
  nodeTimeoutMs: { kind: 'int', min: 100, max: 600_000, default: 10_000, unit: 'ms', doc: 'deadline of one node REST request' },
  attestationPollSeconds: { kind: 'int', min: 1, max: 86_400, default: 60, unit: 's', doc: 'how often the announcements open contracts wait on are polled, besides the live feed' },
  logLevel: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', doc: 'log level' },
};

/** Why a config was refused: every problem as "path: rule". */
export class TraderConfigError extends Error {
  override name = 'TraderConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid mega-trader config:\n  ${problems.join('\n  ')}`);
  }
}

function crossChecks(c: TraderDaemonConfig): string[] {
  const problems: string[] = [];
  const { rpcUser, rpcPassword, rpcCookieFile } = c.chain;
  if ((rpcUser === null) !== (rpcPassword === null)) problems.push('chain.rpcPassword: rpcUser and rpcPassword go together');
  if (rpcUser !== null && rpcCookieFile !== null) problems.push('chain.rpcCookieFile: give rpcUser+rpcPassword or rpcCookieFile, not both');
  if (rpcUser === null && rpcCookieFile === null) problems.push('chain.rpcCookieFile: give rpcUser+rpcPassword or rpcCookieFile');
  if (c.peers.allowInsecure && c.chain.network === 'bitcoin-mainnet') problems.push('peers.allowInsecure: not on bitcoin-mainnet');
  if (c.chain.network === 'bitcoin-mainnet' && c.listen.publicUrl !== null && !c.listen.publicUrl.startsWith('https://')) problems.push('listen.publicUrl: must be https on bitcoin-mainnet');
  return problems;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Validate a parsed config (defaults filled); relative file paths are resolved against `baseDir` (identityKeyFile against dataDir). Throws TraderConfigError with every problem. */
export function parseTraderConfig(raw: unknown, source = '(object)', baseDir = process.cwd()): TraderDaemonConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TraderConfigError(source, ['(root): must be a JSON object']);
  const problems: string[] = [];
  const c = checkFields(TRADER_CONFIG_FIELDS, raw as Record<string, unknown>, '', problems, 'mega-trader') as unknown as TraderDaemonConfig;
  if (problems.length) throw new TraderConfigError(source, problems);
  problems.push(...crossChecks(c));
  if (problems.length) throw new TraderConfigError(source, problems);
  c.dataDir = path.resolve(baseDir, c.dataDir);
  c.identityKeyFile = path.resolve(c.dataDir, c.identityKeyFile);
  if (c.chain.rpcCookieFile !== null) c.chain.rpcCookieFile = path.resolve(baseDir, c.chain.rpcCookieFile);
  c.nodes = c.nodes.map((u) => u.replace(/\/+$/, ''));
  if (c.listen.publicUrl !== null) c.listen.publicUrl = c.listen.publicUrl.replace(/\/+$/, '');
  return deepFreeze(c);
}

/** Read and validate a config file; relative paths in it are relative to the file's folder. */
export function loadTraderConfig(file: string): TraderDaemonConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TraderConfigError(file, [`cannot read file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TraderConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseTraderConfig(raw, file, path.dirname(path.resolve(file)));
}

/** The config as it may be printed or logged: the RPC password masked. */
export function printableConfig(c: TraderDaemonConfig): unknown {
  return { ...c, chain: { ...c.chain, rpcPassword: c.chain.rpcPassword === null ? null : '(set)' } };
}
