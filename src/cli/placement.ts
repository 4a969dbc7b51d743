/** cli/placement.ts - `mega oracle --bid-node URL --bid-msat N`: buy placement from a node in-band (ask for an invoice, show it, poll the node until it is paid) and return the bid to sign into the ad. Imports cli only; talks to the node over HTTP. */
import { CliError, EXIT } from './errors.ts';
import { note, type CliIo } from './io.ts';

/** How often the node is asked whether the invoice is paid. */
export const PLACEMENT_POLL_INTERVAL_MS = 1_000;
/** Deadline of one request to the node. */
const REQUEST_TIMEOUT_MS = 15_000;
/** How long polls may fail in a row (node restarting, network hiccup) before giving up. */
const MAX_POLL_FAILURES = 30;

/** The bid of a paid placement invoice (PROTOCOL 7.2). */
export interface PaidBid {
  amount: number;
  proof: string;
  paymentType: 'lightning';
}

interface Invoice {
  paymentHash: string;
  paymentRequest: string;
  amountMsat: number;
  expiresAt: string;
  memo: string;
}

/** The node's base URL with a trailing slash (a path prefix is kept: a node behind a reverse proxy). */
export function nodeBase(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--bid-node must be a node URL such as http://localhost:8080, got '${raw}'`, EXIT.USAGE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--bid-node must be an http(s) URL, got '${raw}'`, EXIT.USAGE);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** One JSON request; the status and parsed body, or a CliError saying why the node could not answer. */
async function call(url: URL, init: RequestInit, signal: AbortSignal): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) }, signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
    text = await res.text();
  } catch (e) {
    if (signal.aborted) throw new CliError('buying placement cancelled', EXIT.CANCELLED);
    const err = e as Error & { cause?: { code?: string; message?: string } };
    throw new CliError(`cannot reach the node at ${url.origin}: ${err.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : (err.cause?.code ?? err.cause?.message ?? err.message)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(`${url.href} answered HTTP ${res.status} with a body that is not JSON (is --bid-node a Mega node?)`);
  }
  return { status: res.status, body: (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown> };
}

function errorText(body: Record<string, unknown>): string {
  const e = body.error as { code?: string; message?: string } | undefined;
  return e ? `${e.code ?? 'error'}: ${e.message ?? ''}` : 'no error details';
}

/** Wait `ms` unless `signal` aborts first (then resolve at once). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Buy `amountMsat` of placement for `pubkey` from the node at `base`: POST /placement/invoice, show
 * the invoice on stderr (the payment request alone on its own line, for copying), then poll
 * GET /placement/invoice/{hash} until LND reports it SETTLED. Fails when the invoice is cancelled,
 * expires unpaid, or the node cannot be reached for long; Ctrl-C cancels (exit 130).
 */
export async function buyPlacement(io: CliIo, base: URL, pubkey: string, amountMsat: number, pollMs = PLACEMENT_POLL_INTERVAL_MS): Promise<PaidBid> {
  const abort = new AbortController();
  let interrupts = 0;
  const removeHandler = io.onInterrupt(() => {
    if (++interrupts > 1) io.exit(EXIT.CANCELLED);
    abort.abort();
  });
  try {
    const asked = await call(new URL('placement/invoice', base), { method: 'POST', body: JSON.stringify({ pubkey, amountMsat }) }, abort.signal);
    if (asked.status !== 201) throw new CliError(`the node did not sell placement: HTTP ${asked.status} ${errorText(asked.body)}`);
    const inv = asked.body as unknown as Invoice;
    if (typeof inv.paymentHash !== 'string' || !/^[0-9a-f]{64}$/.test(inv.paymentHash) || typeof inv.paymentRequest !== 'string') {
      throw new CliError('the node answered POST /placement/invoice without a payment hash and payment request');
    }
    note(io, `pay this Lightning invoice (${amountMsat} msat of placement on ${base.origin}, memo "${inv.memo}", pay before ${inv.expiresAt}; Ctrl-C cancels):`);
    io.err(`${inv.paymentRequest}\n`);
    note(io, `payment hash ${inv.paymentHash}; waiting for the node to see it settled…`);
    const statusUrl = new URL(`placement/invoice/${inv.paymentHash}`, base);
    const deadline = Date.parse(inv.expiresAt);
    let failures = 0;
    for (;;) {
      if (abort.signal.aborted) throw new CliError('buying placement cancelled', EXIT.CANCELLED);
      let st: { status: number; body: Record<string, unknown> } | null = null;
      try {
        st = await call(statusUrl, { method: 'GET' }, abort.signal);
      } catch (e) {
        if (e instanceof CliError && e.exitCode === EXIT.CANCELLED) throw e;
        if (++failures >= MAX_POLL_FAILURES) throw e;
      }
      if (st && st.status === 200) {
        failures = 0;
        const state = st.body.state;
        if (state === 'SETTLED') break;
        if (state === 'CANCELED') throw new CliError('the placement invoice was cancelled by the node; nothing was bought');
      } else if (st && st.status !== 429 && st.status < 500) {
        throw new CliError(`the node does not know the invoice any more: HTTP ${st.status} ${errorText(st.body)}`);
      }
      if (Number.isFinite(deadline) && Date.now() > deadline + 60_000) throw new CliError(`the placement invoice expired at ${inv.expiresAt} unpaid`);
      await pause(pollMs, abort.signal);
    }
    // The payment is the oracle's whatever happens next: say how to reuse it if mining is interrupted.
    note(io, `paid: signing the ad with the bid (to reuse it later: --bid-amount ${amountMsat} --bid-proof ${inv.paymentHash} --bid-type lightning)`);
    return { amount: amountMsat, proof: inv.paymentHash, paymentType: 'lightning' };
  } finally {
    removeHandler();
  }
}
