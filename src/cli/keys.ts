/** cli/keys.ts - where a command's private key comes from: --key-file, --key or $MEGA_PRIVATE_KEY (one, never two). Imports protocol/keys. */
import { isPrivateKey, publicKeyOf } from '../protocol/keys.ts';
import type { Opts, OptionSpec } from './args.ts';
import { CliError } from './errors.ts';
import type { HelpRow } from './help.ts';
import { parseJson, readText, type CliIo } from './io.ts';

/** Environment variable holding the signing key, so it need not appear in shell history or `ps`. */
export const KEY_ENV = 'MEGA_PRIVATE_KEY';

/** The signing-key flags of every command that signs. */
export const KEY_OPTIONS = {
  'key-file': { type: 'string' },
  key: { type: 'string' },
} satisfies OptionSpec;

/** Help rows of {@link KEY_OPTIONS}; `role` names the key ("oracle", "capability"). */
export function keyHelp(role: string): HelpRow[] {
  return [
    ['--key-file <file>', `the ${role} private key: a file from 'mega keygen --out' or 64 hex chars`],
    ['--key <hex>', `the ${role} private key inline (lands in shell history: prefer --key-file)\nwithout either, $${KEY_ENV} is used`],
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

/** The private key of a signing command, from exactly one of --key-file, --key, $MEGA_PRIVATE_KEY. */
export async function signingKey(opts: Opts, io: CliIo, role: string): Promise<{ privateKey: string; publicKey: string }> {
  const file = opts.str('key-file');
  const inline = opts.str('key');
  if (file !== undefined && inline !== undefined) throw opts.usage('give --key-file or --key, not both');
  let privateKey: string;
  if (file !== undefined) {
    privateKey = await readKeyFile(io, file, role);
  } else if (inline !== undefined) {
    privateKey = inline.toLowerCase();
    if (!isPrivateKey(privateKey)) throw opts.usage(`--key must be a secp256k1 private key (64 hex chars)`);
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
