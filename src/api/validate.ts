/** api/validate.ts - request validation driven by wolfram-mega-spec.yaml: body schema, query and path parameters (unknown parameters refused). Imports protocol/schema and express types. */
import type { RequestHandler } from 'express';
import { findIllFormedString } from '../protocol/canonical.ts';
import { checkWellFormed, formatSchemaErrors, type OpenApiDoc, type OpenApiOperation, type OpenApiParameter, type SchemaRegistry } from '../protocol/schema.ts';
import { ApiError } from './errors.ts';

/** Validated, typed-by-schema inputs, stored on `res.locals.input`. */
export interface ValidatedInput {
  query: Record<string, unknown>;
  path: Record<string, unknown>;
  body: unknown;
  /** The component (`#/components/schemas/<name>`) the body was validated against when the body schema is exactly that one reference; otherwise absent. */
  bodySchema?: string;
}

function resolveParam(doc: OpenApiDoc, p: OpenApiParameter | { $ref: string }): OpenApiParameter {
  if ('$ref' in p) {
    const name = p.$ref.replace('#/components/parameters/', '');
    const found = doc.components.parameters?.[name];
    if (!found) throw new Error(`spec: unresolved parameter ${p.$ref}`);
    return found;
  }
  return p;
}

function coerce(raw: string, schema: { type?: string }): unknown {
  if (schema.type === 'integer' || schema.type === 'number') {
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** `name` when `schema` is exactly `{ $ref: '#/components/schemas/<name>' }` (the body is then checked by that component's own rules), else null. */
function componentOf(schema: unknown): string | null {
  if (schema === null || typeof schema !== 'object') return null;
  const keys = Object.keys(schema);
  const ref = (schema as { $ref?: unknown }).$ref;
  const prefix = '#/components/schemas/';
  return keys.length === 1 && typeof ref === 'string' && ref.startsWith(prefix) ? ref.slice(prefix.length) : null;
}

/** Options of {@link validateOperation}. */
export interface ValidateOptions {
  /** Refuse a body with a lone surrogate in any string (default). Off only where the handler checks each part itself (POST /entities, api/batch.ts). */
  checkStrings?: boolean;
}

/** Middleware validating one operation's parameters and JSON body against the spec. */
export function validateOperation(doc: OpenApiDoc, op: OpenApiOperation, schemas: SchemaRegistry, opts: ValidateOptions = {}): RequestHandler {
  const checkStrings = opts.checkStrings ?? true;
  const params = (op.parameters ?? []).map((p) => resolveParam(doc, p));
  const queryList = params.filter((p) => p.in === 'query').map((p) => ({ p, v: schemas.compile(p.schema) }));
  const queryParams = new Map(queryList.map((q) => [q.p.name, q]));
  const pathParams = params.filter((p) => p.in === 'path').map((p) => ({ p, v: schemas.compile(p.schema) }));
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const bodyValidator = bodySchema ? schemas.compile(bodySchema) : null;
  const bodyComponent = componentOf(bodySchema);

  // Runs on every request: plain loops over arrays and own keys, no entry arrays or result objects.
  return (req, res, next) => {
    const input: ValidatedInput = { query: {}, path: {}, body: undefined };
    const rawQuery = (req.query ?? {}) as Record<string, unknown>;
    for (const name in rawQuery) {
      if (!Object.hasOwn(rawQuery, name)) continue;
      const raw = rawQuery[name];
      const spec = queryParams.get(name);
      if (!spec) throw new ApiError(400, 'unknown-parameter', `query parameter "${name.slice(0, 64)}" is not accepted here`);
      if (typeof raw !== 'string') throw new ApiError(400, 'invalid-query', `query.${name}: must be given once, as a plain value`);
      if (findIllFormedString(raw) !== null) throw new ApiError(400, 'invalid-query', `query.${name}: not valid Unicode`);
      const value = coerce(raw, spec.p.schema);
      if (!spec.v(value)) throw new ApiError(400, 'invalid-query', formatSchemaErrors(spec.v.errors, `query.${name}`));
      input.query[name] = value;
    }
    for (const { p } of queryList) {
      if (input.query[p.name] !== undefined) continue;
      if (p.required) throw new ApiError(400, 'invalid-query', `query.${p.name}: required`);
      if (p.schema.default !== undefined) input.query[p.name] = p.schema.default;
    }
    for (const { p, v } of pathParams) {
      const raw = req.params[p.name];
      const value = typeof raw === 'string' ? coerce(raw, p.schema) : raw;
      if (!v(value)) throw new ApiError(400, 'invalid-path', formatSchemaErrors(v.errors, `path.${p.name}`));
      input.path[p.name] = value;
    }
    if (bodyValidator) {
      // The JSON parser before this (app.ts) fills req.body only for Content-Type application/json,
      // so the type is looked at again only when there is no body: 415 for another type, else 400.
      if (req.body === undefined) {
        if (!req.is('application/json')) {
          throw new ApiError(415, 'unsupported-media-type', 'request body must be JSON with Content-Type: application/json');
        }
        throw new ApiError(400, 'schema-violation', 'body: a JSON object is required');
      }
      if (!bodyValidator(req.body)) throw new ApiError(400, 'schema-violation', formatSchemaErrors(bodyValidator.errors, 'body'));
      if (checkStrings) {
        const wellFormed = checkWellFormed(req.body, 'body');
        if (!wellFormed.ok) throw new ApiError(400, 'schema-violation', wellFormed.message);
      }
      input.body = req.body;
      if (bodyComponent !== null) input.bodySchema = bodyComponent;
    }
    res.locals.input = input;
    next();
  };
}
