// test/unit/protocol/_helpers.ts - owns the protocol unit tests' fixtures: the vectors file loader, fixed keys and builders of signed entities (imports src/protocol only).
import fs from 'node:fs';
import { publicKeyOf, type KeyPair } from '../../../src/protocol/keys.ts';
import { capabilityPreimage, minePowSync, oraclePreimage, reportPreimage } from '../../../src/protocol/pow.ts';
import { signCapability, signFact, signOracleId, signRotation } from '../../../src/protocol/sign.ts';
import type { Dispute, Fact, FactRequest, OracleCapability, OracleId, Report, ReportContent } from '../../../src/protocol/types.ts';
import type { CapabilityLookup } from '../../../src/protocol/verify.ts';

// ---- the vectors file (written by scripts/gen-vectors.ts) ---------------------------------------

/** One signature vector. */
export interface SignatureVector {
  name: string;
  description: string;
  signer: string;
  publicKey: string;
  signatureField: string | null;
  input: unknown;
  signedObject: unknown;
  canonical: string;
  hash: string;
  signature: string;
}

/** One PoW boundary case: `hash` has exactly `leadingZeroBits` leading zero bits. */
export interface PowBoundary {
  preimage: string;
  magicNo: number;
  magicString: string | null;
  hash: string;
  leadingZeroBits: number;
  validAt: number;
  invalidAt: number;
}

/** The shape of test/fixtures/protocol-vectors.json. */
export interface Vectors {
  protocolVersion: number;
  signatureType: string;
  keys: Record<string, KeyPair>;
  signatures: SignatureVector[];
  ids: {
    reports: { name: string; input: Report; canonical: string; id: string }[];
    dispute: { name: string; input: Dispute; canonical: string; id: string };
  };
  pow: {
    examples: {
      entity: string;
      preimage: string;
      difficulty: number;
      magicNo: number;
      magicString: string | null;
      hashedText: string;
      hash: string;
      leadingZeroBits: number;
    }[];
    boundaries: PowBoundary[];
    leadingZeroBits: { hash: string; leadingZeroBits: number }[];
  };
  invalidPublicKeys: { publicKey: string; why: string }[];
  malleability: { hash: string; publicKey: string; lowS: string; highS: string };
  canonicalExamples: { json: string; canonical: string }[];
}

/** Path of the vectors file. */
export const VECTORS_PATH = new URL('../../fixtures/protocol-vectors.json', import.meta.url);

/** A fresh parse of the vectors file (callers may mutate what they get). */
export function loadVectors(): Vectors {
  return JSON.parse(fs.readFileSync(VECTORS_PATH, 'utf8')) as Vectors;
}

/** The signature vector called `name`. */
export function signatureVector(v: Vectors, name: string): SignatureVector {
  const found = v.signatures.find((s) => s.name === name);
  if (!found) throw new Error(`no signature vector ${name}`);
  return found;
}

// ---- keys ---------------------------------------------------------------------------------------

/** Key pair whose private key is byte `b` repeated 32 times (b in 1..255). */
export function fixedKeys(b: number): KeyPair {
  const privateKey = b.toString(16).padStart(2, '0').repeat(32);
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

export const ORACLE = fixedKeys(0x11);
export const CAPABILITY = fixedKeys(0x22);
export const OTHER_ORACLE = fixedKeys(0x33);
export const OTHER_CAPABILITY = fixedKeys(0x44);

/** Deep copy of a JSON value. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

// ---- builders -----------------------------------------------------------------------------------

/** A signed oracle ad of `keys` with a PoW of `difficulty` (0 by default: mined in one hash). */
export function makeOracle(keys: KeyPair, extra: Partial<OracleId> = {}, difficulty = 0): OracleId {
  return signOracleId(
    {
      pubkey: keys.publicKey,
      seqNo: 0,
      cTTL: 5,
      pow: minePowSync(oraclePreimage({ pubkey: keys.publicKey }), difficulty),
      bid: { amount: 0, proof: '' },
      ...extra,
    },
    keys.privateKey,
  );
}

/** An oracle ad of `newKeys` that rotates from `previous` (signed by `oldKeys`). */
export function makeRotated(newKeys: KeyPair, previous: OracleId, oldKeys: KeyPair): OracleId {
  return makeOracle(newKeys, { previousId: previous, previousIdSignatureToNewPubkey: signRotation(newKeys.publicKey, oldKeys.privateKey) });
}

/** A capability ad of `oracle` for `capability`, fully populated so every optional field is exercised. */
export function makeCapability(oracle: KeyPair = ORACLE, capability: KeyPair = CAPABILITY, extra: Partial<OracleCapability> = {}): OracleCapability {
  return signCapability(
    {
      oraclePubKey: oracle.publicKey,
      capabilityPubKey: capability.publicKey,
      question: 'Who wins {match}?',
      seqNo: 1,
      cTTL: 5,
      pow: minePowSync(capabilityPreimage({ oraclePubKey: oracle.publicKey, capabilityPubKey: capability.publicKey }), 0),
      tags: ['sport'],
      params: [{ name: 'match', values: ['A-B', 'C-D'] }],
      answers: ['A', 'B'],
      endpoint: 'https://oracle.example/q',
      off: false,
      ...extra,
    },
    oracle.privateKey,
  );
}

/** The default request of the builders. */
export function makeRequest(capability: KeyPair = CAPABILITY, args: Record<string, string> = { match: 'A-B' }): FactRequest {
  return { capabilityPubKey: capability.publicKey, arguments: args };
}

/** A fact answering `request`, signed by `capability`. */
export function makeFact(answer: string, request: FactRequest = makeRequest(), capability: KeyPair = CAPABILITY): Fact {
  return signFact(request, answer, capability.privateKey);
}

/** A report against `oraclePubKey` (PoW difficulty 0). */
export function makeReport(content: ReportContent, oraclePubKey: string = ORACLE.publicKey): Report {
  const base = { oraclePubKey, content };
  return { oraclePubKey, seqNo: 0, cTTL: 5, pow: minePowSync(reportPreimage(base), 0), content };
}

/** A capability lookup that knows exactly the given ads. */
export function lookupOf(...caps: OracleCapability[]): CapabilityLookup {
  return (o, c) => caps.find((x) => x.oraclePubKey === o && x.capabilityPubKey === c);
}

/** A lookup that knows nothing. */
export const NO_CAPABILITIES: CapabilityLookup = () => undefined;

// ---- tampering ----------------------------------------------------------------------------------

/** Every path to a leaf (string, number, boolean) and to every array/object of a JSON value. */
export function leafPaths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) {
    if (v.length === 0) return [prefix];
    return v.flatMap((x, i) => leafPaths(x, [...prefix, i]));
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return [prefix];
    return entries.flatMap(([k, x]) => leafPaths(x, [...prefix, k]));
  }
  return [prefix];
}

/** A copy of `obj` with the value at `path` changed to a different value of the same JSON type. */
export function tamperAt<T>(obj: T, path: (string | number)[], replacementPubKey: string): T {
  const copy = clone(obj);
  if (path.length === 0) throw new Error('empty path');
  let parent = copy as unknown as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  const old = parent[last];
  if (typeof old === 'string') parent[last] = /^0[23][0-9a-f]{64}$/.test(old) ? replacementPubKey : old + 'x';
  else if (typeof old === 'number') parent[last] = old + 1;
  else if (typeof old === 'boolean') parent[last] = !old;
  else if (Array.isArray(old)) old.push('extra');
  else if (old !== null && typeof old === 'object') (old as Record<string, unknown>).extra = 'x';
  else throw new Error(`cannot tamper with ${String(old)} at ${path.join('.')}`);
  return copy;
}
