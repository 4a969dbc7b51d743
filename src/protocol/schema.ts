/** protocol/schema.ts - loads wolfram-mega-spec.yaml and compiles its component schemas with Ajv; the one validator of REST and P2P payloads. Imports only protocol. */
import fs from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import yaml from 'js-yaml';
import { findIllFormedString } from './canonical.ts';
import type { EntityKind } from './types.ts';

/** Path of the OpenAPI document, the single source of message schemas. */
export const SPEC_PATH = new URL('../../wolfram-mega-spec.yaml', import.meta.url);

/** A parsed OpenAPI document (only the parts the node reads are typed). */
export interface OpenApiDoc {
  openapi: string;
  info: { version: string };
  servers?: { url: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; parameters?: Record<string, OpenApiParameter> };
}

/** One operation of the document. */
export interface OpenApiOperation {
  operationId: string;
  'x-test-only'?: boolean;
  /** Served only by an app given the monitoring module (metrics, stats, peers, live events). */
  'x-monitoring'?: boolean;
  /** Served by the admin router (api/admin.ts) behind its cookie token and address check, not by the spec-driven routes. */
  'x-admin'?: boolean;
  parameters?: (OpenApiParameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
}

/** One parameter of an operation. */
export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema: { type?: string; default?: unknown; $ref?: string };
}

/** Schema name in `components.schemas` of each entity kind. */
export const ENTITY_SCHEMA: Record<EntityKind, string> = {
  oracle: 'OracleId',
  capability: 'OracleCapability',
  report: 'Report',
  dispute: 'Dispute',
  announcement: 'Announcement',
  attestation: 'Attestation',
  offer: 'Offer',
};

/** Outcome of validating a value. */
export type SchemaResult = { ok: true } | { ok: false; message: string };

const SCHEMA_ID = 'urn:mega:spec';
// OpenAPI-only annotations that JSON Schema 2020-12 does not define.
const OPENAPI_KEYWORDS = ['example', 'xml', 'externalDocs', 'discriminatorMapping'];

/** Turn Ajv errors into one sentence naming the JSON path and the rule. */
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined, root = 'body'): string {
  if (!errors || errors.length === 0) return `${root}: invalid`;
  // Ajv reports a forbidden property name's inner failure first; the propertyNames error names the key.
  const e = errors.find((x) => x.keyword === 'propertyNames') ?? (errors[0] as ErrorObject);
  const path = root + e.instancePath.replace(/\/([^/]+)/g, (_m, p: string) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`));
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${path}: unknown field "${String(params.additionalProperty)}"`;
  if (e.keyword === 'required') return `${path}: missing required field "${String(params.missingProperty)}"`;
  if (e.keyword === 'propertyNames') return `${path}: property name "${String(params.propertyName)}" is not allowed`;
  return `${path}: ${e.message ?? 'invalid'}`;
}

/** Refuse strings with lone surrogates: they cannot be canonicalized (RFC 8785 needs valid UTF-8). */
export function checkWellFormed(value: unknown, root = 'body'): SchemaResult {
  const bad = findIllFormedString(value);
  return bad ? { ok: false, message: `${root}${bad === '(root)' ? '' : bad}: string contains a lone UTF-16 surrogate (not valid Unicode)` } : { ok: true };
}

/** Compiled validators for every component schema of the spec. */
export class SchemaRegistry {
  readonly doc: OpenApiDoc;
  readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  /** Component validators by name ({@link component}). */
  private readonly components = new Map<string, ValidateFunction>();

  constructor(doc: OpenApiDoc) {
    this.doc = doc;
    this.ajv = new Ajv2020({ strict: true, allErrors: false, discriminator: true, strictRequired: false });
    (addFormatsModule as unknown as (ajv: Ajv2020) => void)(this.ajv);
    for (const k of OPENAPI_KEYWORDS) this.ajv.addKeyword(k);
    // Component schemas stay at their OpenAPI location so `#/components/schemas/X` refs resolve unchanged.
    this.ajv.addKeyword('components');
    this.ajv.addSchema({ $id: SCHEMA_ID, components: { schemas: doc.components.schemas } });
  }

  /** Load and compile the spec file. */
  static load(path: URL | string = SPEC_PATH): SchemaRegistry {
    return new SchemaRegistry(yaml.load(fs.readFileSync(path, 'utf8')) as OpenApiDoc);
  }

  /** Validator of any JSON Schema (component refs `#/components/schemas/X` resolve against the spec). */
  compile(schema: unknown): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.cache.get(key);
    if (!v) {
      v = this.ajv.compile({ $id: `${SCHEMA_ID}:inline:${this.cache.size}`, ...(this.rebase(schema) as object) });
      this.cache.set(key, v);
    }
    return v;
  }

  /**
   * Validator of the named component schema. Kept by name after the first lookup: Ajv's `getSchema`
   * normalizes the URI and walks the JSON pointer on every call (per ingested message, issue #21),
   * and the spec's components never change after the constructor.
   */
  component(name: string): ValidateFunction {
    let v = this.components.get(name);
    if (v) return v;
    v = this.ajv.getSchema(`${SCHEMA_ID}#/components/schemas/${name}`);
    if (!v) throw new Error(`no schema ${name} in the spec`);
    this.components.set(name, v);
    return v;
  }

  /** Validate an entity payload of `kind` (P2P and service entry). */
  validateEntity(kind: EntityKind, value: unknown, root: string = kind): SchemaResult {
    const v = this.component(ENTITY_SCHEMA[kind]);
    if (!v(value)) return { ok: false, message: formatSchemaErrors(v.errors, root) };
    return checkWellFormed(value, root);
  }

  // Inline schemas (request bodies, parameters) point at `#/components/...` of the spec document.
  private rebase(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.rebase(s));
    if (schema === null || typeof schema !== 'object') return schema;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? SCHEMA_ID + v : this.rebase(v);
    }
    return out;
  }
}
