/** cli/commands/dlc.ts - `mega dlc keygen|announce|attest|verify`: a DLC oracle by hand (dlcspecs announcements and attestations). Nonce secrets are stored with fsync before an announcement is printed; an attestation is logged before it is printed and a second, different one is refused (src/oracle/). Imports dlc, oracle, protocol and cli. */
import crypto from 'node:crypto';
import { decodeAnnouncement, decodeAttestation, decodeDigitOutcomes, describeAnnouncement, outcomesForValue, SIGNING_VERSIONS, verifyAnnouncement, verifyAttestation, DlcError, type EventDescriptor, type SigningVersion } from '../../dlc/index.ts';
import { generateKeyPair } from '../../protocol/keys.ts';
import { dlcTlvId } from '../../protocol/ids.ts';
import { announcementPreimage } from '../../protocol/pow.ts';
import type { Announcement, OracleCapability } from '../../protocol/types.ts';
import { mine, MINING_HELP, MINING_OPTIONS, miningSettings } from '../mine.ts';
import { AttestRefused, DlcOracleState } from '../../oracle/dlc-oracle.ts';
import { KeyFileSigner } from '../../oracle/signer.ts';
import type { Opts } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError, UsageError } from '../errors.ts';
import { note, printJson, readJson, readText, type CliIo } from '../io.ts';

const HELP = `usage: mega dlc keygen --out <file>
       mega dlc announce --key-file <file> --state-dir <dir> --event-id <id> --maturity <time>
                         (--outcome <o> ... | --digits <n> [--base <b>] [--signed] [--unit <u>] [--precision <p>])
                         [--capability <capability.json> [--difficulty <bits>]]
       mega dlc attest --key-file <file> --state-dir <dir> --announcement <hex|file> (--outcome <o> | --value <n>)
       mega dlc verify --announcement <hex|file> [--attestation <hex|file>] [--signing-version <v>]

A DLC oracle by hand, in the formats Bitcoin contracts settle on (dlcspecs oracle_announcement and
oracle_attestation TLVs, BIP340 Schnorr). The oracle's key signs Mega messages (ECDSA) and, as its
x-only form, DLC events: put "dlcKey" into a capability's "dlc" binding (mega capability --dlc-key).

keygen    write a fresh key file (mode 0600): {privateKey, publicKey, dlcKey}.
announce  fresh nonces, one per outcome digit; their secrets go to <state-dir>/nonces/ with fsync
          BEFORE the announcement is printed: {id, announcement (TLV hex), event}. With
          --capability (the oracle's signed capability ad whose dlc binding names this key, and
          whose signing version is used) it prints the Mega announcement entity instead, PoW mined,
          ready for 'mega post' (the summary goes to stderr).
attest    sign the outcome with the committed nonces. The attestation is written to
          <state-dir>/attestations.log with fsync BEFORE it is printed, and the nonce secrets are
          removed after. Prints the Mega attestation entity {announcementId, attestation}, ready
          for 'mega post' (outcomes on stderr). The same outcome again prints the logged
          attestation; a different one is refused (exit 1): two outcomes under one nonce reveal the
          private key.
verify    check an announcement (and an attestation against it); exit 0 valid, 1 invalid.

Backups: back up <state-dir> whole. Restoring nonces/ without attestations.log lets an event be
attested twice (equivocation); never restore an older attestations.log over a newer one.

options:
${formatOptions([
  ['--key-file <file>', 'the oracle key file (mode 0600)'],
  ['--state-dir <dir>', 'nonce secrets and the attestation log of this key'],
  ['--out <file>', 'keygen: where to write the key file (refuses to overwrite)'],
  ['--event-id <id>', 'announce: the event id (may be empty)'],
  ['--maturity <time>', 'announce: ISO 8601 time or seconds since the epoch'],
  ['--outcome <o>', 'announce: an enum outcome (repeatable); attest: the outcome'],
  ['--digits <n>', 'announce: a numeric event of n digits'],
  ['--base <b>', 'announce: digit base (default 2)'],
  ['--signed', 'announce: the value may be negative (a sign digit first)'],
  ['--unit <u>', 'announce: the unit (default "")'],
  ['--precision <p>', 'announce: the value is the integer times base^p (default 0)'],
  ['--value <n>', 'attest: a numeric outcome (clamped to the range as dlcspecs says)'],
  ['--announcement <hex|file>', 'attest, verify: the announcement TLV (hex, or a file holding it\nor the JSON that announce printed)'],
  ['--attestation <hex|file>', 'verify: the attestation TLV (hex or file)'],
  ['--signing-version <v>', 'dlcspecs-v0 (default) or basic-sha256 (the deployed sibyls oracle);\nannounce --capability takes it from the capability'],
  ['--capability <file>', 'announce: the signed capability ad binding this key (prints the entity)'],
  ...MINING_HELP,
  HELP_ROW,
])}

example:
  mega dlc keygen --out dlc.key
  mega dlc announce --key-file dlc.key --state-dir dlc-state --event-id btcusd-2027-01-01 \\
    --maturity 2027-01-01T00:00:00Z --digits 20 > ann.json
  mega dlc attest --key-file dlc.key --state-dir dlc-state --announcement ann.json --value 97250 > att.json
  mega dlc verify --announcement ann.json --attestation att.json
`;

/** Hex from a flag: hex itself, or a file holding hex or the JSON `announce`/`attest` printed (or an announcement/attestation entity). */
export async function tlvArg(io: CliIo, value: string, field: 'announcement' | 'attestation'): Promise<string> {
  const text = /^[0-9a-f]+$/i.test(value) ? value : (await readText(io, value, `--${field}`)).trim();
  if (text.startsWith('{')) {
    const v = JSON.parse(text) as Record<string, unknown>;
    const hex = v[field];
    if (typeof hex !== 'string') throw new CliError(`${value} holds no "${field}"`);
    return hex.toLowerCase();
  }
  if (!/^([0-9a-f]{2})+$/i.test(text)) throw new CliError(`--${field} is neither hex nor a file of it`);
  return text.toLowerCase();
}

function signingVersion(opts: Opts): SigningVersion {
  const v = opts.str('signing-version') ?? 'dlcspecs-v0';
  if (!(SIGNING_VERSIONS as readonly string[]).includes(v)) throw opts.usage(`--signing-version must be one of ${SIGNING_VERSIONS.join(', ')}`);
  return v as SigningVersion;
}

function maturityOf(opts: Opts): number {
  const m = opts.required('maturity', 'a time');
  const epoch = /^\d+$/.test(m) ? Number(m) : Math.floor(Date.parse(m) / 1000);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) throw opts.usage('--maturity must be an ISO 8601 time or seconds since the epoch (u32)');
  return epoch;
}

function precisionOf(opts: Opts): number {
  const p = opts.str('precision') ?? '0';
  if (!/^-?\d+$/.test(p) || Math.abs(Number(p)) > 2147483647) throw opts.usage('--precision must be an integer (i32)');
  return Number(p);
}

function descriptorOf(opts: Opts): EventDescriptor {
  const outcomes = opts.list('outcome');
  if (opts.has('digits')) {
    if (outcomes.length > 0) throw opts.usage('give --outcome (enum) or --digits (numeric), not both');
    return { kind: 'digits', base: opts.int('base', 2, 2, 65535), isSigned: opts.flag('signed'), unit: opts.str('unit') ?? '', precision: precisionOf(opts), nbDigits: opts.int('digits', 0, 1, 64) };
  }
  if (outcomes.length < 1) throw opts.usage('an event needs --outcome (repeatable) or --digits');
  return { kind: 'enum', outcomes };
}

function state(opts: Opts): { state: DlcOracleState; signer: KeyFileSigner } {
  let signer: KeyFileSigner;
  try {
    signer = KeyFileSigner.fromFile(opts.required('key-file', 'a key file'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new CliError(`cannot use the key file: ${(e as Error).message}`);
  }
  return { state: new DlcOracleState(opts.required('state-dir', 'a folder'), signer), signer };
}

const sha256Hex = (hex: string): string => crypto.createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/** `mega dlc`. */
export const dlcCommand = defineCommand({
  name: 'dlc',
  help: HELP,
  maxPositionals: 1,
  options: {
    'key-file': { type: 'string' },
    'state-dir': { type: 'string' },
    out: { type: 'string', short: 'o' },
    'event-id': { type: 'string' },
    maturity: { type: 'string' },
    outcome: { type: 'string', multiple: true },
    digits: { type: 'string' },
    base: { type: 'string' },
    signed: { type: 'boolean' },
    unit: { type: 'string' },
    precision: { type: 'string' },
    value: { type: 'string' },
    announcement: { type: 'string' },
    attestation: { type: 'string' },
    'signing-version': { type: 'string' },
    capability: { type: 'string' },
    ...MINING_OPTIONS,
  },
  async run({ opts, positionals }, io) {
    const sub = positionals[0];
    try {
      switch (sub) {
        case 'keygen': {
          const out = opts.required('out', 'a file');
          try {
            const s = KeyFileSigner.create(out, generateKeyPair().privateKey);
            printJson(io, { publicKey: s.publicKey, dlcKey: s.dlcKey, keyFile: out });
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${out} exists; refusing to overwrite a key`);
            throw e;
          }
          return;
        }
        case 'announce': {
          const { state: st, signer } = state(opts);
          const eventId = opts.str('event-id') ?? '';
          const capFile = opts.str('capability');
          const cap = capFile === undefined ? undefined : ((await readJson(io, capFile, '--capability')) as OracleCapability);
          if (cap !== undefined) {
            if (!cap.dlc) throw new CliError(`${capFile} has no dlc binding (mega capability --dlc-key)`);
            if (cap.dlc.oracleKey !== signer.dlcKey) throw new CliError(`${capFile} binds DLC key ${cap.dlc.oracleKey}, not this key's ${signer.dlcKey}`);
            if (opts.has('signing-version') && opts.str('signing-version') !== cap.dlc.signingVersion) throw opts.usage(`the capability signs with ${cap.dlc.signingVersion}`);
          }
          const mining = cap === undefined ? null : miningSettings(opts, io);
          const version = cap?.dlc?.signingVersion ?? signingVersion(opts);
          const p = st.announce({ maturityEpoch: maturityOf(opts), descriptor: descriptorOf(opts), eventId, version });
          const summary = { id: p.id, announcement: p.tlv, event: describeAnnouncement(p.announcement) };
          if (cap === undefined || mining === null) {
            printJson(io, summary);
            return;
          }
          note(io, `announcement ${p.id}: ${summary.event.kind} event '${eventId}', maturity ${summary.event.maturity}, ${summary.event.nonces.length} nonces (secrets stored in ${opts.str('state-dir')})`);
          const entity: Announcement = { oraclePubKey: cap.oraclePubKey, capabilityPubKey: cap.capabilityPubKey, announcement: p.tlv, cTTL: cap.cTTL, pow: { difficulty: 0, algorithm: 'SHA256', hash: '', magicNo: 0 } };
          entity.pow = await mine(io, 'announcement', announcementPreimage(entity, dlcTlvId(p.tlv)), mining);
          printJson(io, entity);
          return;
        }
        case 'attest': {
          const { state: st } = state(opts);
          const tlv = await tlvArg(io, opts.required('announcement', 'an announcement'), 'announcement');
          const ann = decodeAnnouncement(tlv);
          let outcomes: string[];
          if (opts.has('value')) {
            if (ann.event.descriptor.kind !== 'digits') throw opts.usage('--value is for numeric (digits) events; use --outcome');
            const raw = opts.required('value', 'an integer');
            if (!/^-?\d+$/.test(raw)) throw opts.usage('--value must be an integer');
            outcomes = outcomesForValue(ann.event.descriptor, BigInt(raw));
          } else {
            const o = opts.list('outcome');
            if (o.length !== 1) throw opts.usage('attest needs one --outcome (or --value for a numeric event)');
            outcomes = ann.event.descriptor.kind === 'enum' ? o : o[0]!.split(',');
          }
          const a = st.attest(tlv, outcomes, opts.has('signing-version') ? signingVersion(opts) : undefined);
          note(io, `attested [${a.attestation.outcomes.join(', ')}]${a.fromLog ? ' (the logged attestation: this event was attested with these outcomes before)' : ' (logged before printing)'}`);
          printJson(io, { announcementId: a.announcementId, attestation: a.tlv });
          return;
        }
        case 'verify': {
          const annHex = await tlvArg(io, opts.required('announcement', 'an announcement'), 'announcement');
          const version = signingVersion(opts);
          const ann = decodeAnnouncement(annHex);
          const bad = verifyAnnouncement(ann, version);
          const out: Record<string, unknown> = { id: sha256Hex(annHex), valid: bad === null, event: describeAnnouncement(ann) };
          if (bad) out.error = { code: bad.code, message: bad.message };
          const attArg = opts.str('attestation');
          if (attArg !== undefined && bad === null) {
            const att = decodeAttestation(await tlvArg(io, attArg, 'attestation'));
            const badAtt = verifyAttestation(ann, att, version);
            out.valid = badAtt === null;
            out.attestation = { outcomes: att.outcomes, valid: badAtt === null };
            if (ann.event.descriptor.kind === 'digits' && badAtt === null) (out.attestation as Record<string, unknown>).value = decodeDigitOutcomes(ann.event.descriptor, att.outcomes).toString();
            if (badAtt) out.error = { code: badAtt.code, message: badAtt.message };
          }
          printJson(io, out);
          return out.valid ? 0 : 1;
        }
        default:
          throw opts.usage(sub === undefined ? 'give a subcommand: keygen, announce, attest or verify' : `unknown subcommand '${sub}'`);
      }
    } catch (e) {
      if (e instanceof AttestRefused) throw new CliError(`refused (${e.code}): ${e.message}`);
      if (e instanceof DlcError) throw new CliError(`${e.code}: ${e.message}`);
      throw e;
    }
  },
});

