/** trader-daemon/errors.ts - how the errors of the engine, wallet, chain, nodes and counterparties become HTTP answers on the counterparty endpoint and the admin API: a literal `code`, a 4xx for what the caller can fix, 502/503 for an upstream that failed; anything else is a bug (500, logged). Imports daemon (HttpError). */
import { HttpError } from '../daemon/admin-server.ts';

/** Error classes whose `code` is meant for the caller. */
const CODED = new Set(['EngineError', 'WalletError', 'ChainError', 'ContractError', 'DlcError', 'MegaPortError', 'PeerError']);

const BY_CODE: Record<string, number> = {
  'bad-envelope': 400,
  'bad-request': 400,
  'bad-envelope-signature': 401,
  'wrong-sender': 403,
  'unknown-offer': 404,
  'unknown-exchange': 404,
  'unknown-contract': 404,
  'unknown-announcement': 404,
  'offer-not-open': 409,
  'offer-expired': 409,
  'offer-taken': 409,
  'wrong-phase': 409,
  'conflicting-message': 409,
  'already-attested': 409,
  'refund-not-final': 409,
  'insufficient-funds': 409,
  // Upstream: the node, the chain or the counterparty failed; the request may succeed later.
  'peer-unreachable': 502,
  'peer-refused': 502,
  'peer-bad-answer': 502,
  node: 502,
  chain: 502,
  unreachable: 502,
  'bad-response': 502,
  'store-full': 503,
  closed: 503,
  busy: 503,
};

/** Status for a code: the table above, else 422 (the request is understood but refused). */
export function statusOfCode(code: string): number {
  return BY_CODE[code] ?? 422;
}

/** Map an error to its HTTP answer, or null when it is not one of the coded errors (a bug). */
export function httpErrorOf(e: unknown): HttpError | null {
  if (e instanceof HttpError) return e;
  if (!(e instanceof Error)) return null;
  const code = (e as { code?: unknown }).code;
  if (!CODED.has(e.name) || typeof code !== 'string' || !/^[a-z0-9-]{1,64}$/.test(code)) return null;
  // A ChainError `rejected` is the chain refusing a transaction (e.g. "non-final"): the caller's to see.
  return new HttpError(statusOfCode(code), code, e.message);
}
