/** cli/build.ts - what every building command shares: --seq/--ttl, a placeholder PoW, check-before-mining, then mine. Imports protocol and cli. */
import { capabilityPreimage, oraclePreimage, reportPreimage } from '../protocol/pow.ts';
import type { OracleCapability, OracleId, Pow, Report } from '../protocol/types.ts';
import type { Opts, OptionSpec } from './args.ts';
import { checkMessage, OWNERSHIP_NOTE, type CheckContext } from './check.ts';
import { CliError } from './errors.ts';
import type { HelpRow } from './help.ts';
import { note, type CliIo } from './io.ts';
import { mine, type MiningSettings } from './mine.ts';

/** Default hop limit of a new message: enough for the push tree (docs/PROTOCOL.md 11.7: relayed along it while at least 8 hops remain, then announced to every peer) to reach a network of thousands of nodes. */
export const DEFAULT_TTL = 16;
/** Largest cTTL the schema allows. */
const MAX_TTL = 255;

/** --seq and --ttl, taken by every command that builds a ranked message. */
export const ENVELOPE_OPTIONS = {
  seq: { type: 'string' },
  ttl: { type: 'string' },
} satisfies OptionSpec;

/** Help rows of {@link ENVELOPE_OPTIONS}. */
export const ENVELOPE_HELP: HelpRow[] = [
  ['--seq <n>', 'seqNo, the version: a higher one replaces a stored ad (a report only with more PoW) (default 0)'],
  ['--ttl <n>', `cTTL, the relay hop limit, 0-${MAX_TTL} (default ${DEFAULT_TTL})`],
];

/** seqNo and cTTL from the flags. */
export function envelope(opts: Opts): { seqNo: number; cTTL: number } {
  return { seqNo: opts.int('seq', 0), cTTL: opts.int('ttl', DEFAULT_TTL, 0, MAX_TTL) };
}

/** A schema-valid stand-in for the PoW while the message is checked and signed (PoW is never signed). */
export function placeholderPow(difficulty: number): Pow {
  return { difficulty, algorithm: 'SHA256', hash: '0'.repeat(64), magicNo: 0 };
}

type Minable = { oracle: OracleId; capability: OracleCapability; report: Report };

/**
 * Check a built message (schema, signatures, facts) before spending work on it, then mine its PoW.
 * Fails with the node's reason rather than printing something a node would refuse.
 */
export async function checkAndMine<K extends keyof Minable>(io: CliIo, type: K, msg: Minable[K], mining: MiningSettings, ctx: CheckContext = {}): Promise<Minable[K]> {
  const result = checkMessage(msg, type, { ...ctx, skipPow: true });
  if (!result.valid) throw new CliError(`the ${type} would be invalid (${result.reason}): ${result.message}`);
  for (const n of result.notes ?? []) {
    note(io, n === OWNERSHIP_NOTE ? 'note: the capability ad is not embedded (--capability); a node accepts the report only if it stores that ad' : `note: ${n}`);
  }
  const preimage =
    type === 'oracle' ? oraclePreimage(msg as OracleId) : type === 'capability' ? capabilityPreimage(msg as OracleCapability) : reportPreimage(msg as Report);
  const pow = await mine(io, type, preimage, mining);
  return { ...msg, pow };
}
