/** cli/commands/request.ts - `mega request`: ask an oracle for a fact through a node (POST /fact-requests), so the oracle sees the node, not you; prints the verified fact or the oracle's invoice. Imports protocol and cli. */
import { BHttpDecoder, BHttpEncoder } from 'bhttp-js';
import { encapsulateRequest, OHTTP_REQUEST_TYPE } from '../../ohttp/ohttp.ts';
import { canonicalEqual } from '../../protocol/canonical.ts';
import type { Fact, FactRequest, OracleCapability } from '../../protocol/types.ts';
import { isFactSignatureValid, verifyCapability } from '../../protocol/verify.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError, EXIT } from '../errors.ts';
import { printJson } from '../io.ts';
import { DEFAULT_NODE, NODE_ENV, networkError, nodeUrl } from './post.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

const HELP = `usage: mega request --oracle <pubkey> --capability-pubkey <pubkey> [--arg name=value ...]
                    [--payment-hash <hex>] [--oblivious] [--node <url>] [--timeout <ms>]

Ask an oracle's capability for a fact THROUGH A NODE (POST /fact-requests, PROTOCOL.md 10.7): the
node forwards the request, so the oracle sees the node and not you; it verifies the signed answer
and may serve it from its cache. The fact is checked here again (signature by the capability key,
same request) before it is printed. With --oblivious the request is sealed to the oracle gateway's
Oblivious HTTP key (the capability's ohttpKeyConfig, RFC 9458; the capability's signature is
checked first) and the node only relays bytes it cannot read (PROTOCOL.md 10.9):
  exit 0  {"fact", "cached"} on stdout
  exit 3  the oracle asks for payment: {"code": "payment-required", "invoice", "paymentHash"} on
          stdout; pay the invoice, then run again with --payment-hash <paymentHash>
  exit 1  refused or unreachable, reason on stderr

options:
${formatOptions([
  ['--oracle <pubkey>', "the oracle's key (it owns the capability)"],
  ['--capability-pubkey <pubkey>', 'the capability to ask'],
  ['--arg <name=value>', 'an argument of the request (repeatable)'],
  ['--payment-hash <hex>', 'the payment hash of the invoice you paid (after exit 3)'],
  ['--oblivious', 'seal the request to the oracle gateway: the node cannot read it'],
  ['--node <url>', `the node's base URL (default $${NODE_ENV}, else ${DEFAULT_NODE})`],
  ['--timeout <ms>', `give up after this long (default ${DEFAULT_TIMEOUT_MS})`],
  HELP_ROW,
])}

examples:
  mega request --oracle 02ab... --capability-pubkey 03cd... --arg city=Paris --arg date=2024-06-01
`;

/** Exit code of a payment demand: distinct from a refusal so scripts can pay and retry. */
export const EXIT_PAYMENT_REQUIRED = 3;

/** `mega request`. */
export const requestCommand = defineCommand({
  name: 'request',
  help: HELP,
  options: { oracle: { type: 'string' }, 'capability-pubkey': { type: 'string' }, arg: { type: 'string', multiple: true }, 'payment-hash': { type: 'string' }, oblivious: { type: 'boolean' }, node: { type: 'string' }, timeout: { type: 'string' } },
  async run({ opts }, io) {
    const oraclePubKey = opts.pubkey('oracle');
    const capabilityPubKey = opts.pubkey('capability-pubkey');
    if (oraclePubKey === undefined) throw opts.usage('--oracle is required');
    if (capabilityPubKey === undefined) throw opts.usage('--capability-pubkey is required');
    const paymentHash = opts.str('payment-hash');
    if (paymentHash !== undefined && !/^[0-9a-f]{64}$/.test(paymentHash)) throw opts.usage('--payment-hash must be 64 lowercase hex characters');
    const request: FactRequest = { capabilityPubKey, arguments: opts.keyValues('arg') };
    const timeoutMs = opts.int('timeout', DEFAULT_TIMEOUT_MS, 1, 3_600_000);
    const base = nodeUrl(opts, io);
    let status: number;
    let answer: unknown;
    if (opts.flag('oblivious')) {
      const body: Record<string, unknown> = { request };
      if (paymentHash !== undefined) body.paymentHash = paymentHash;
      ({ status, answer } = await askObliviously(base, oraclePubKey, capabilityPubKey, body, timeoutMs));
    } else {
      const url = new URL('fact-requests', base);
      const body: Record<string, unknown> = { oraclePubKey, request };
      if (paymentHash !== undefined) body.paymentHash = paymentHash;
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
        answer = JSON.parse(await res.text()) as unknown;
      } catch (e) {
        if (e instanceof SyntaxError) throw new CliError(`${url.href} did not answer JSON (is --node a Mega node?)`);
        throw networkError(e, url, timeoutMs);
      }
      status = res.status;
    }
    const a = (answer ?? {}) as { fact?: { request?: unknown }; error?: { code?: string; message?: string }; code?: string; message?: string };
    if (status === 402) {
      printJson(io, answer);
      io.err('the oracle asks for payment: pay the invoice, then run again with --payment-hash <paymentHash>\n');
      return EXIT_PAYMENT_REQUIRED;
    }
    if (status !== 200) throw new CliError(`the request was refused: HTTP ${status} ${a.error?.code ?? a.code ?? 'error'}: ${a.error?.message ?? a.message ?? ''}`);
    // Trust nothing: the node could forge or swap the answer, the signature cannot be.
    const fact = a.fact as Fact | undefined;
    if (typeof fact !== 'object' || fact === null || !canonicalEqual(fact.request, request) || !isFactSignatureValid(fact)) {
      printJson(io, answer);
      throw new CliError('the node answered a fact that does not verify for this request');
    }
    printJson(io, answer);
    return EXIT.OK;
  },
});

/** GET a JSON document from the node. */
async function getJson(url: URL, timeoutMs: number): Promise<unknown> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new CliError(`${url.pathname} answered HTTP ${res.status}`);
    return (await res.json()) as unknown;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw networkError(e, url, timeoutMs);
  }
}

/**
 * The oblivious path (PROTOCOL 10.9): take the capability from the node, check the oracle signed it
 * (so the node cannot swap in its own key), seal a binary-HTTP POST /facts to its key configuration,
 * send the bytes through the node's relay and open the sealed answer.
 */
async function askObliviously(base: URL, oraclePubKey: string, capabilityPubKey: string, body: unknown, timeoutMs: number): Promise<{ status: number; answer: unknown }> {
  const listing = (await getJson(new URL(`capabilities?pubkey=${oraclePubKey}&chunkSize=100`, base), timeoutMs)) as { capability?: OracleCapability }[];
  const cap = (Array.isArray(listing) ? listing : []).map((l) => l.capability).find((c) => c?.capabilityPubKey === capabilityPubKey && c.oraclePubKey === oraclePubKey);
  if (!cap) throw new CliError('the node lists no such capability of this oracle');
  if (verifyCapability(cap) !== null) throw new CliError('the node served a capability whose signature or PoW does not verify');
  if (!cap.ohttpKeyConfig || !cap.endpoint) throw new CliError('the capability publishes no Oblivious HTTP key configuration (ohttpKeyConfig)');
  const inner = await new BHttpEncoder().encodeRequest(new Request(`${cap.endpoint.replace(/\/$/, '')}/facts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  const exchange = await encapsulateRequest(new Uint8Array(Buffer.from(cap.ohttpKeyConfig, 'hex')), inner);
  const url = new URL(`ohttp-relay/${oraclePubKey}/${capabilityPubKey}`, base);
  let res: Response;
  let bytes: Uint8Array;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': OHTTP_REQUEST_TYPE }, body: Buffer.from(exchange.encapsulatedRequest), signal: AbortSignal.timeout(timeoutMs) });
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw networkError(e, url, timeoutMs);
  }
  if (res.status !== 200) {
    let why = '';
    try {
      const e = JSON.parse(Buffer.from(bytes).toString('utf8')) as { error?: { code?: string; message?: string } };
      why = `${e.error?.code ?? 'error'}: ${e.error?.message ?? ''}`;
    } catch {
      why = 'no details';
    }
    throw new CliError(`the node's relay refused: HTTP ${res.status} ${why}`);
  }
  const decoded = new BHttpDecoder().decodeResponse(await exchange.openResponse(bytes));
  let answer: unknown;
  try {
    answer = JSON.parse(await decoded.text()) as unknown;
  } catch {
    throw new CliError('the gateway answered something that is not JSON');
  }
  return { status: decoded.status, answer };
}
