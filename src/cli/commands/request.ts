/** cli/commands/request.ts - `mega request`: ask an oracle for a fact through a node (POST /fact-requests), so the oracle sees the node, not you; prints the verified fact or the oracle's invoice. Imports protocol and cli. */
import { canonicalEqual } from '../../protocol/canonical.ts';
import type { Fact, FactRequest } from '../../protocol/types.ts';
import { isFactSignatureValid } from '../../protocol/verify.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError, EXIT } from '../errors.ts';
import { printJson } from '../io.ts';
import { DEFAULT_NODE, NODE_ENV, networkError, nodeUrl } from './post.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

const HELP = `usage: mega request --oracle <pubkey> --capability-pubkey <pubkey> [--arg name=value ...]
                    [--payment-hash <hex>] [--node <url>] [--timeout <ms>]

Ask an oracle's capability for a fact THROUGH A NODE (POST /fact-requests, PROTOCOL.md 10.7): the
node forwards the request, so the oracle sees the node and not you; it verifies the signed answer
and may serve it from its cache. The fact is checked here again (signature by the capability key,
same request) before it is printed:
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
  options: { oracle: { type: 'string' }, 'capability-pubkey': { type: 'string' }, arg: { type: 'string', multiple: true }, 'payment-hash': { type: 'string' }, node: { type: 'string' }, timeout: { type: 'string' } },
  async run({ opts }, io) {
    const oraclePubKey = opts.pubkey('oracle');
    const capabilityPubKey = opts.pubkey('capability-pubkey');
    if (oraclePubKey === undefined) throw opts.usage('--oracle is required');
    if (capabilityPubKey === undefined) throw opts.usage('--capability-pubkey is required');
    const paymentHash = opts.str('payment-hash');
    if (paymentHash !== undefined && !/^[0-9a-f]{64}$/.test(paymentHash)) throw opts.usage('--payment-hash must be 64 lowercase hex characters');
    const request: FactRequest = { capabilityPubKey, arguments: opts.keyValues('arg') };
    const timeoutMs = opts.int('timeout', DEFAULT_TIMEOUT_MS, 1, 3_600_000);
    const url = new URL('fact-requests', nodeUrl(opts, io));
    const body: Record<string, unknown> = { oraclePubKey, request };
    if (paymentHash !== undefined) body.paymentHash = paymentHash;
    let res: Response;
    let answer: unknown;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
      answer = JSON.parse(await res.text()) as unknown;
    } catch (e) {
      if (e instanceof SyntaxError) throw new CliError(`${url.href} did not answer JSON (is --node a Mega node?)`);
      throw networkError(e, url, timeoutMs);
    }
    const a = (answer ?? {}) as { fact?: { request?: unknown }; error?: { code?: string; message?: string } };
    if (res.status === 402) {
      printJson(io, answer);
      io.err('the oracle asks for payment: pay the invoice, then run again with --payment-hash <paymentHash>\n');
      return EXIT_PAYMENT_REQUIRED;
    }
    if (!res.ok) throw new CliError(`the node refused the request: HTTP ${res.status} ${a.error?.code ?? 'error'}: ${a.error?.message ?? ''}`);
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
