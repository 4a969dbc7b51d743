// test/unit/oracle-facts/_helpers.ts - shared pieces of the oracle-facts tests: a silent logger, a JSON poster that returns status, headers and body, and an independent check of a fact's signature with @noble/curves.
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { pino } from 'pino';
import type { Logger } from '../../../src/log.ts';
import { canonicalize } from '../../../src/protocol/canonical.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { isFactSignatureValid } from '../../../src/protocol/verify.ts';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import type { Fact, FactRequest } from '../../../src/protocol/types.ts';

/** A logger that prints nothing. */
export const silentLog: Logger = pino({ level: 'silent' });

/** What a POST answered. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** POST `body` (an object is JSON-encoded; a string is sent as is) to `url`. */
export async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST'): Promise<Answer> {
  const res = await fetch(url, { method, headers, body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // non-JSON answers are checked through `text`
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** The `code` of an answer (flat `{code, message}`, PROTOCOL 10.7). */
export function codeOf(a: Answer): string | undefined {
  return typeof a.body.code === 'string' ? a.body.code : undefined;
}

let schemas: SchemaRegistry | undefined;

/** Assert `fact` answers `request` and verifies: spec schema, the node's verifier, and @noble/curves over SHA-256 of JCS({request, answer}). */
export function assertFactVerifies(fact: unknown, request: FactRequest, answer: string): void {
  schemas ??= SchemaRegistry.load();
  const v = schemas.component('Fact');
  assert.equal(v(fact), true, `the fact must match the spec's Fact schema: ${JSON.stringify(v.errors)}`);
  const f = fact as Fact;
  assert.equal(canonicalize(f.request), canonicalize(request), 'the fact must answer exactly the request asked');
  assert.equal(f.answer, answer, 'the fact must carry the source\'s answer');
  assert.equal(isFactSignatureValid(f), true, "the node's verifier must accept the fact signature");
  const h = Buffer.from(sha256Hex(canonicalize({ request: f.request, answer: f.answer })), 'hex');
  const ok = secp256k1.verify(Buffer.from(f.signature, 'hex'), h, Buffer.from(request.capabilityPubKey, 'hex'), { prehash: false, lowS: true });
  assert.equal(ok, true, '@noble/curves must verify the signature over SHA-256 of JCS({request, answer}) with the capability key');
}
