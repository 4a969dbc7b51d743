/** test/helpers/fuzz.ts - fast-check arbitraries for hostile input: valid signed messages of every kind, and mutations of them (replaced/deleted fields, `__proto__`/`constructor` keys, wrong types, raw bytes). FUZZ_RUNS scales the runs (npm run fuzz). */
import fc from 'fast-check';
import { reportId } from '../../src/protocol/ids.ts';
import type { Dispute, OracleCapability, OracleId, Report } from '../../src/protocol/types.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport } from './factory.ts';

/** Runs per property: small in `npm test`, FUZZ_RUNS for the long run. */
export function fuzzRuns(base: number): { numRuns: number; interruptAfterTimeLimit: number } {
  const n = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10);
  return Number.isInteger(n) && n > 0 ? { numRuns: n, interruptAfterTimeLimit: 30 * 60_000 } : { numRuns: base, interruptAfterTimeLimit: 20_000 };
}

/** One valid message of every entity kind (they verify against each other in this order). */
export function validMessages(): { oracle: OracleId; capability: OracleCapability; report: Report; dispute: Dispute } {
  const oracleKeys = makeKeys(9001);
  const capKeys = makeKeys(9002);
  const oracle = makeOracle({ keys: oracleKeys, tags: ['fuzz'] });
  const capability = makeCapability({ oracleKeys, capKeys, question: 'will it rain in {city}?', params: [{ name: 'city', values: ['Paris'] }] });
  const report = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { city: 'Paris' } });
  const dispute = makeDispute({ reportId: reportId(report), oraclePubKey: oracleKeys.publicKey, fact: makeFact({ capKeys, args: { city: 'Paris' }, answer: 'yes' }) });
  return { oracle, capability, report, dispute };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

const POISON_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Apply one mutation at `pick` (an index into the value's paths). */
function mutate(base: Json, op: string, pick: number, value: Json): Json {
  const root = structuredClone(base);
  const all = paths(root);
  const path = all[pick % all.length] as (string | number)[];
  if (path.length === 0) return op === 'set' ? value : root;
  const parent = path.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k] as Json, root) as Record<string, Json> | Json[];
  const key = path[path.length - 1] as string | number;
  if (op === 'set') (parent as Record<string, Json>)[key] = value;
  else if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    // Own `__proto__`/`constructor` keys, as JSON.parse creates them from hostile text.
    const target = (parent as Record<string, Json>)[key];
    const host = target !== null && typeof target === 'object' && !Array.isArray(target) ? target : (parent as Record<string, Json>);
    Object.defineProperty(host, op, { value: { polluted: 'yes', toString: 'x' }, enumerable: true, configurable: true, writable: true });
  }
  return root;
}

/** A valid message of some kind, or one mutation of it. */
export function mutatedMessage(valid: Record<string, unknown>[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.constantFrom(...valid), fc.constantFrom('keep', 'set', 'set', 'delete', ...POISON_KEYS), fc.nat(), fc.jsonValue({ maxDepth: 2 }))
    .map(([base, op, pick, value]) => (op === 'keep' ? base : mutate(base as Json, op, pick, value as Json)));
}

/** Bytes for a request body or a frame payload: JSON of a (mutated) message, arbitrary JSON, arbitrary text, or arbitrary bytes. */
export function hostileBody(valid: Record<string, unknown>[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { arbitrary: mutatedMessage(valid).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')), weight: 6 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v))), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), weight: 1 },
  );
}
