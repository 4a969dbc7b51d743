/** config/load.ts - read the JSON config file, validate every key against config/schema.ts, return a frozen typed object. Imports config and protocol (facilitator PoW and key checks). */
import fs from 'node:fs';
import { isPublicKey } from '../protocol/keys.ts';
import { checkPow } from '../protocol/pow.ts';
import type { Pow } from '../protocol/types.ts';
import { SchemaRegistry, formatSchemaErrors } from '../protocol/schema.ts';
import { checkBitcoinAddress } from './bitcoin-address.ts';
import { CONFIG_SCHEMA, type MegaConfig } from './schema.ts';

/** A config that cannot be used; `problems` has one "key: rule" line each. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`invalid config ${source}:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Cross-key rules of facilitatorId (its shape is checked by the schema): the reward address belongs
 * to the configured network, the manifest URI is https (http too when isTest) and the pubkey is on
 * the curve. Skipped for a key that already failed its own check.
 */
function checkFacilitatorId(fid: NonNullable<MegaConfig['facilitatorId']>, c: Partial<MegaConfig>): string[] {
  const problems: string[] = [];
  if (fid.rewardAddress !== undefined && c.network !== undefined) {
    const why = checkBitcoinAddress(fid.rewardAddress, c.network);
    if (why) problems.push(`facilitatorId.rewardAddress: ${why}`);
  }
  if (fid.pubkey !== undefined && !isPublicKey(fid.pubkey)) problems.push('facilitatorId.pubkey: not a point on secp256k1');
  if (fid.manifestUri !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(fid.manifestUri);
    } catch {
      problems.push('facilitatorId.manifestUri: must be an absolute https URL');
    }
    if (url && url.protocol !== 'https:' && !(c.isTest === true && url.protocol === 'http:')) {
      problems.push(`facilitatorId.manifestUri: must be an https URL${c.isTest ? ' (or http, isTest is on)' : ' (plain http only when isTest)'}`);
    } else if (url && (url.username || url.password)) problems.push('facilitatorId.manifestUri: must not carry credentials');
  }
  return problems;
}

/** Validate a parsed config object (defaults fill missing keys). Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, source = '(object)'): MegaConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(source, ['(root): must be a JSON object']);
  const problems: string[] = [];
  const input = raw as Record<string, unknown>;
  for (const k of Object.keys(input)) {
    if (!Object.hasOwn(CONFIG_SCHEMA, k)) problems.push(`${k}: unknown key (see docs/configuration.md)`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(CONFIG_SCHEMA)) {
    const v = Object.hasOwn(input, k) ? input[k] : structuredClone(spec.default);
    const why = spec.check(v);
    if (why) problems.push(`${k}: ${why}`);
    else out[k] = v;
  }
  if (out.lnRestHost && (!out.lnMacaroonPath || !out.lnTlsCertPath)) {
    problems.push('lnRestHost: needs lnMacaroonPath and lnTlsCertPath (LND is reached only with its macaroon, over TLS pinned to its certificate)');
  }
  if (out.httpsPort !== null && out.httpsPort !== undefined && (!out.tlsCertPath || !out.tlsKeyPath)) {
    problems.push('httpsPort: needs tlsCertPath and tlsKeyPath (the PEM certificate and key the HTTPS listener serves)');
  }
  if (typeof out.adminPort === 'number' && out.adminPort !== 0 && (out.adminPort === out.httpPort || out.adminPort === out.httpsPort || out.adminPort === out.p2pPort)) {
    problems.push('adminPort: must differ from httpPort, httpsPort and p2pPort');
  }
  const fid = out.facilitatorId as MegaConfig['facilitatorId'] | undefined;
  if (fid) problems.push(...checkFacilitatorId(fid, out as Partial<MegaConfig>));
  if (fid?.pow) {
    const schemas = SchemaRegistry.load();
    const v = schemas.component('Pow');
    if (!v(fid.pow)) problems.push(`facilitatorId.pow: ${formatSchemaErrors(v.errors, 'pow')}`);
    else {
      const bad = checkPow(fid.pow as Pow, fid.rewardAddress as string);
      if (bad) problems.push(`facilitatorId.pow: not a valid proof of work over rewardAddress (${bad})`);
    }
  }
  if (problems.length) throw new ConfigError(source, problems);
  return deepFreeze(out as unknown as MegaConfig);
}

/** Prefix of the environment variables that override config keys: `MEGA_` + the key in UPPER_SNAKE (`MEGA_HTTP_PORT` for `httpPort`). */
export const ENV_PREFIX = 'MEGA_';

/** `httpPort` → `MEGA_HTTP_PORT`. */
export function envNameOf(key: string): string {
  return ENV_PREFIX + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * The value of an override given as text (a flag or an environment variable): JSON when it parses
 * as JSON (numbers, booleans, null, arrays, objects), else the text itself, so `--network=regtest`
 * and `--httpPort=8081` both mean what they say and `--shard='{"count":2,"index":0}'` works too.
 */
function overrideValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Where a config's keys come from besides the file: command-line flags and environment variables (precedence: flag > env > file > default). */
export interface ConfigOverrides {
  /** `--key=value` pairs, already split. */
  flags?: Record<string, string>;
  /** Usually process.env; only `MEGA_…` names of known keys are read. */
  env?: Record<string, string | undefined>;
}

/**
 * Read and validate a JSON config file, then apply overrides: an environment variable
 * `MEGA_<KEY>` over the file, a `--<key>=<value>` flag over both. An unknown flag is an error; an
 * environment variable is read only for a known key. Throws ConfigError with every problem.
 */
export function loadConfigWithOverrides(path: string, overrides: ConfigOverrides): MegaConfig {
  const raw = readConfigFile(path) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...raw };
  const problems: string[] = [];
  for (const key of Object.keys(CONFIG_SCHEMA)) {
    const v = overrides.env?.[envNameOf(key)];
    if (v !== undefined) merged[key] = overrideValue(v);
  }
  for (const [key, v] of Object.entries(overrides.flags ?? {})) {
    if (!Object.hasOwn(CONFIG_SCHEMA, key)) problems.push(`--${key}: unknown config key (see docs/configuration.md)`);
    else merged[key] = overrideValue(v);
  }
  if (problems.length) throw new ConfigError(path, problems);
  return parseConfig(merged, path);
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read file: ${(e as Error).message}`]);
  }
  try {
    const raw = JSON.parse(text) as unknown;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(path, ['(root): must be a JSON object']);
    return raw;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(path, [`not valid JSON: ${(e as Error).message}`]);
  }
}

/** Read and validate a JSON config file. Throws ConfigError with a clear message on any problem. */
export function loadConfig(path: string): MegaConfig {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseConfig(raw, path);
}
