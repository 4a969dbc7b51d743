/** cli/commands/oracle.ts - `mega oracle`: build, sign and mine an oracle identity ad (OracleId), optionally rotating from a previous key. Imports protocol and cli. */
import { isPrivateKey, publicKeyOf } from '../../protocol/keys.ts';
import { signOracleId, signRotation, type UnsignedOracleId } from '../../protocol/sign.ts';
import type { OracleId } from '../../protocol/types.ts';
import type { Opts } from '../args.ts';
import { checkAndMine, ENVELOPE_HELP, ENVELOPE_OPTIONS, envelope, placeholderPow } from '../build.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError } from '../errors.ts';
import { loadVerified } from '../inputs.ts';
import { printJson, type CliIo } from '../io.ts';
import { keyHelp, keyOptions, readKeyFile, signingKey } from '../keys.ts';
import { MINING_HELP, MINING_OPTIONS, miningSettings } from '../mine.ts';
import { buyPlacement, nodeBase } from '../placement.ts';
import { withAdminSubcommands } from './oracle-admin.ts';

const HELP = `usage: mega oracle --key-file <file> [options] > oracle.json

Build an oracle identity ad (OracleId), sign it with the oracle key and mine its proof of work.
The PoW preimage is the pubkey, so the work survives seqNo updates. Prints the ad as JSON.

options:
${formatOptions([
  ...keyHelp('oracle'),
  ['--bid-amount <msat>', 'bid for ad placement, millisatoshi (default 0)'],
  ['--bid-proof <s>', 'proof of the bid payment (default "")'],
  ['--bid-type <s>', 'bid payment type, e.g. lightning'],
  ['--bid-node <url>', 'buy placement from this node first: ask it for a Lightning invoice, show it, wait until it is paid, then sign the ad with that bid (needs --bid-msat)'],
  ['--bid-msat <n>', 'amount of placement to buy from --bid-node, millisatoshi'],
  ['--manifest-uri <uri>', 'where the oracle describes itself'],
  ['-t, --tag <tag>', 'a tag (repeatable)'],
  ['--previous <file>', 'key rotation: the previous ad of this oracle, signed by the old key'],
  ['--previous-key-file <file>', 'the old private key, which signs the new pubkey (with --previous)'],
  ['--previous-key <hex>', 'the old private key inline'],
  ...ENVELOPE_HELP,
  ...MINING_HELP,
  HELP_ROW,
])}

examples:
  mega oracle --key-file oracle.key --tag weather --difficulty 20 > oracle.json
  MEGA_PRIVATE_KEY=... mega oracle --seq 1 --manifest-uri https://example.org/oracle.json | mega post -
  mega oracle --key-file oracle.key --bid-node http://localhost:8080 --bid-msat 5000 > oracle.json
    (prints the invoice on stderr; pay it with any Lightning wallet, then the signed ad appears)
`;

async function rotation(opts: Opts, io: CliIo, newPubKey: string): Promise<{ previousId: OracleId; previousIdSignatureToNewPubkey: string } | undefined> {
  const file = opts.str('previous');
  const keyFile = opts.str('previous-key-file');
  const inline = opts.str('previous-key');
  if (file === undefined) {
    if (keyFile !== undefined || inline !== undefined) throw opts.usage('--previous-key-file/--previous-key need --previous');
    return undefined;
  }
  if (keyFile !== undefined && inline !== undefined) throw opts.usage('give --previous-key-file or --previous-key, not both');
  if (keyFile === undefined && inline === undefined) throw opts.usage('--previous needs --previous-key-file or --previous-key (the old key signs the new pubkey)');
  let oldKey: string;
  if (keyFile !== undefined) oldKey = await readKeyFile(io, keyFile, 'previous');
  else {
    oldKey = (inline as string).toLowerCase();
    if (!isPrivateKey(oldKey)) throw opts.usage('--previous-key must be a secp256k1 private key (64 hex chars)');
  }
  const previousId = await loadVerified<OracleId>(io, file, 'oracle', 'previous');
  if (publicKeyOf(oldKey) !== previousId.pubkey) throw new CliError('the previous key is not the key of the --previous ad');
  if (previousId.pubkey === newPubKey) throw new CliError('--previous has the same pubkey as the new key; rotation needs a new key');
  return { previousId, previousIdSignatureToNewPubkey: signRotation(newPubKey, oldKey) };
}

const buildCommand = defineCommand({
  name: 'oracle',
  help: HELP,
  options: {
    ...keyOptions('oracle'),
    ...ENVELOPE_OPTIONS,
    ...MINING_OPTIONS,
    'bid-amount': { type: 'string' },
    'bid-proof': { type: 'string' },
    'bid-type': { type: 'string' },
    'bid-node': { type: 'string' },
    'bid-msat': { type: 'string' },
    'manifest-uri': { type: 'string' },
    tag: { type: 'string', short: 't', multiple: true },
    previous: { type: 'string' },
    'previous-key-file': { type: 'string' },
    'previous-key': { type: 'string' },
  },
  async run({ opts }, io) {
    const mining = miningSettings(opts, io);
    const { seqNo, cTTL } = envelope(opts);
    const bidNode = opts.str('bid-node');
    const bidMsat = opts.optInt('bid-msat', 1);
    if ((bidNode === undefined) !== (bidMsat === undefined)) throw opts.usage('--bid-node and --bid-msat go together');
    if (bidNode !== undefined && (opts.has('bid-amount') || opts.has('bid-proof') || opts.has('bid-type'))) throw opts.usage('--bid-node buys the bid: leave out --bid-amount, --bid-proof and --bid-type');
    const base = bidNode === undefined ? undefined : nodeBase(bidNode);
    let bid: OracleId['bid'] = { amount: opts.int('bid-amount', 0), proof: opts.str('bid-proof') ?? '' };
    const bidType = opts.str('bid-type');
    if (bidType !== undefined) bid.paymentType = bidType;
    const keys = await signingKey(opts, io, 'oracle');
    // Bought before signing: the bid is signed (its proof is the paid invoice's payment hash).
    if (base !== undefined) bid = await buyPlacement(io, base, keys.publicKey, bidMsat as number);
    const unsigned: UnsignedOracleId = { pubkey: keys.publicKey, seqNo, cTTL, pow: placeholderPow(mining.difficulty), bid };
    const manifestUri = opts.str('manifest-uri');
    if (manifestUri !== undefined) unsigned.manifestUri = manifestUri;
    const tags = opts.list('tag');
    if (tags.length > 0) unsigned.tags = tags;
    const link = await rotation(opts, io, keys.publicKey);
    if (link !== undefined) Object.assign(unsigned, link);
    const signed = signOracleId(unsigned, keys.privateKey);
    printJson(io, await checkAndMine(io, 'oracle', signed, mining));
  },
});

/** `mega oracle`: build an ad, or with status|outcome|pause|resume talk to a running mega-oracle (oracle-admin.ts). */
export const oracleCommand = withAdminSubcommands(buildCommand);
