/** api/server-classes.ts - node:http request/response classes whose instances are born with the Express app's prototypes, so Express never swaps the prototype of a live request. Imports node:http and express types only. */
import http from 'node:http';
import type { Express } from 'express';

/** The `IncomingMessage` / `ServerResponse` options of `http.createServer` for serving `app`. */
export interface ApiServerClasses {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse;
}

/**
 * Spread into the options of the `http.createServer` that serves `app`:
 * `http.createServer({ ...apiServerClasses(app), requestTimeout }, app)`.
 *
 * Why: for every request Express runs `Object.setPrototypeOf(req, app.request)` and the same for
 * `res` (express/lib/application.js `app.handle`). On objects built by the plain node:http classes
 * that is a real prototype change, and V8 then gives each request's `req` and `res` new hidden
 * classes (maps): ~9 maps and ~40 inline-cache handlers per request, allocated in the old
 * generation, and the request's objects survive young GCs (~2-3 MB copied per scavenge). With
 * 100k oracles stored that meant scavenges of up to 17 ms and an old generation growing ~10 KB a
 * request, toward a major GC of the whole heap (bench/lookup.ts; --trace-gc-nvp,
 * --trace-gc-object-stats).
 *
 * With these classes `req` and `res` already have the app's prototypes, so the swap is a no-op
 * (V8 returns at once when the prototype is unchanged) and every request reuses the same maps.
 * They are subclasses, so node:http's constructors build the objects exactly as before. The app's
 * `request` / `response` prototypes become the subclasses' prototypes (same members, same chain:
 * subclass prototype -> Express's request/response -> node:http's), which is what Express compares.
 * Call once per app, before it serves.
 */
export function apiServerClasses(app: Express): ApiServerClasses {
  class ApiRequest extends http.IncomingMessage {}
  class ApiResponse extends http.ServerResponse {}
  adopt(ApiRequest.prototype, app, 'request');
  adopt(ApiResponse.prototype, app, 'response');
  return { IncomingMessage: ApiRequest, ServerResponse: ApiResponse as typeof http.ServerResponse };
}

/** Make `proto` stand in for `app[key]`: the same prototype chain and own members (`app`); then it is the app's. */
function adopt(proto: object, app: Express, key: 'request' | 'response'): void {
  const current = app[key] as object;
  const { constructor: _ownConstructor, ...members } = Object.getOwnPropertyDescriptors(current);
  Object.setPrototypeOf(proto, Object.getPrototypeOf(current));
  Object.defineProperties(proto, members);
  (app as unknown as Record<string, unknown>)[key] = proto;
}
