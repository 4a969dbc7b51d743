/** cli/keys.ts - where a command's private key comes from: --key-file, --key or $MEGA_PRIVATE_KEY (one, never two). Imports protocol/keys. */
import { isPrivateKey, publicKeyOf } from '../protocol/keys.ts';
import type { Opts, OptionSpec } from './args.ts';
import { CliError } from './errors.ts';
import type { HelpRow } from './help.ts';
import { parseJson, readText, type CliIo } from './io.ts';

/** Environment variable holding the signing key, so it need not appear in shell history or `ps`. */
export const KEY_ENV = 'MEGA_PRIVATE_KEY';

/** Whose key a command signs with; it also names the long form of the key flags (--oracle-key). */
export type KeyRole = 'oracle' | 'capability';

/**
 * The signing-key flags of a command: `--key-file`/`--key` everywhere, and the same two named by
 * the key's role (`--oracle-key-file`/`--oracle-key`, `--capability-key-file`/`--capability-key`)
 * for scripts that want to say which key goes where.
 */
export function keyOptions(role: KeyRole): OptionSpec {
  return {
    'key-file': { type: 'string' },
    key: { type: 'string' },
    [`${role}-key-file`]: { type: 'string' },
    [`${role}-key`]: { type: 'string' },
  };
}

/** Help rows of {@link keyOptions}. */
export function keyHelp(role: KeyRole): HelpRow[] {
  return [
    ['--key-file <file>', `the ${role} private key: a file from 'mega keygen' or 64 hex chars\n(same as --${role}-key-file)`],
    ['--key <hex>', `the ${role} private key inline (same as --${role}-key; lands in shell\nhistory, prefer a file); without either, $${KEY_ENV} is used`],
  ];
}

/** A private key in hex from keygen JSON (`{"privateKey": …}`) or bare hex text; undefined if neither. */
function keyFromText(text: string): string | undefined {
  const t = text.trim();
  if (t.startsWith('{')) {
    const v = parseJson(t, 'key file') as { privateKey?: unknown };
    return typeof v?.privateKey === 'string' ? v.privateKey.toLowerCase() : undefined;
  }
  return t.toLowerCase();
}

/** Read and check a private key file. */
export async function readKeyFile(io: CliIo, path: string, role: string): Promise<string> {
  const key = keyFromText(await readText(io, path, `${role} key file`));
  if (key === undefined || !isPrivateKey(key)) {
    throw new CliError(`${role} key file ${path} holds no valid private key (expected 'mega keygen' JSON or 64 hex chars)`);
  }
  return key;
}

/** The private key of a signing command, from exactly one of its key flags, else $MEGA_PRIVATE_KEY. */
export async function signingKey(opts: Opts, io: CliIo, role: KeyRole): Promise<{ privateKey: string; publicKey: string }> {
  const given = ['key-file', 'key', `${role}-key-file`, `${role}-key`].filter((f) => opts.has(f));
  if (given.length > 1) throw opts.usage(`give one ${role} key, not ${given.map((f) => `--${f}`).join(' and ')}`);
  const flag = given[0];
  let privateKey: string;
  if (flag !== undefined && flag.endsWith('-file')) {
    privateKey = await readKeyFile(io, opts.str(flag) as string, role);
  } else if (flag !== undefined) {
    privateKey = (opts.str(flag) as string).toLowerCase();
    if (!isPrivateKey(privateKey)) throw opts.usage(`--${flag} must be a secp256k1 private key (64 hex chars)`);
  } else {
    const env = io.env[KEY_ENV];
    if (env === undefined || env === '') {
      throw opts.usage(`no ${role} private key: give --key-file <file>, --key <hex>, or set ${KEY_ENV}`);
    }
    privateKey = env.trim().toLowerCase();
    if (!isPrivateKey(privateKey)) throw new CliError(`${KEY_ENV} is not a secp256k1 private key (64 hex chars)`);
  }
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}
