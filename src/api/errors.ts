/** api/errors.ts - the REST error channel: ApiError, the `{error:{code,message}}` body, and the one error middleware. Imports express types and api/respond. */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../log.ts';
import { sendJson } from './respond.ts';

/** An HTTP error with a kebab-case machine-readable code. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Send the standard error body. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  sendJson(res, { error: { code, message } }, status);
}

// body-parser error types -> (status, code)
const BODY_ERRORS: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'invalid-json'],
  'entity.too.large': [413, 'body-too-large'],
  'encoding.unsupported': [415, 'unsupported-media-type'],
  'charset.unsupported': [415, 'unsupported-media-type'],
  'request.aborted': [400, 'request-aborted'],
  'request.size.invalid': [400, 'invalid-content-length'],
  'stream.encoding.set': [500, 'internal-error'],
};

/**
 * A body that does not decode as its `Content-Encoding` (gzip, deflate, br): body-parser passes the
 * zlib/brotli stream error on as a bare 400 without a `type` (body-parser lib/read.js).
 */
function isBodyDecodeError(err: unknown): boolean {
  const e = err as { status?: unknown; type?: unknown; code?: unknown };
  return e.status === 400 && e.type === undefined && typeof e.code === 'string' && /^(Z_|ERR__ERROR|ERR_BROTLI)/.test(e.code);
}

/** The one error middleware: known errors become 4xx bodies; anything else is a bug, logged and answered 500. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof ApiError) {
      sendError(res, err.status, err.code, err.message);
      return;
    }
    // The router cannot percent-decode a path parameter (`/oracles/%ff`): the client's path is malformed, not a bug.
    if (err instanceof URIError) {
      sendError(res, 400, 'invalid-path', 'the path has a malformed percent-escape');
      return;
    }
    if (isBodyDecodeError(err)) {
      sendError(res, 400, 'invalid-body-encoding', `the request body does not decode as its Content-Encoding (${String((err as { code: string }).code)})`);
      return;
    }
    const type = (err as { type?: unknown }).type;
    const mapped = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
    if (mapped && mapped[0] < 500) {
      const message =
        mapped[1] === 'invalid-json'
          ? `request body is not valid JSON: ${(err as Error).message}`
          : mapped[1] === 'body-too-large'
            ? `request body exceeds the limit of ${String((err as { limit?: number }).limit)} bytes`
            : (err as Error).message;
      sendError(res, mapped[0], mapped[1], message);
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl.slice(0, 200) }, 'unhandled error in request');
    sendError(res, 500, 'internal-error', 'the node failed to handle this request; see its log');
  };
}
