/** cli/commands/keygen.ts - `mega keygen`: a fresh secp256k1 key pair, printed or written to a private file. Imports protocol/keys. */
import fs from 'node:fs/promises';
import { generateKeyPair } from '../../protocol/keys.ts';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError } from '../errors.ts';
import { printJson } from '../io.ts';

const HELP = `usage: mega keygen [--out <file> [--force]]

Generate a secp256k1 key pair: {"privateKey", "publicKey"} as lowercase hex.
An oracle needs one key for its identity and one per capability (facts are signed by the capability key).

options:
${formatOptions([
  ['-o, --out <file>', 'write the key pair to <file> (mode 0600) and print only\n{"publicKey", "keyFile"}; --key-file reads that file'],
  ['-f, --force', 'overwrite <file> if it exists'],
  HELP_ROW,
])}

examples:
  mega keygen --out oracle.key
  mega keygen > capability.key && chmod 600 capability.key
`;

/** `mega keygen`. */
export const keygenCommand = defineCommand({
  name: 'keygen',
  help: HELP,
  options: { out: { type: 'string', short: 'o' }, force: { type: 'boolean', short: 'f' } },
  async run({ opts }, io) {
    const keys = generateKeyPair();
    const out = opts.str('out');
    if (opts.flag('force') && out === undefined) throw opts.usage('--force needs --out');
    if (out === undefined) {
      printJson(io, keys);
      return;
    }
    try {
      // 'wx' refuses to clobber an existing key by accident; the mode keeps it private.
      await fs.writeFile(out, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600, flag: opts.flag('force') ? 'w' : 'wx' });
      if (opts.flag('force')) await fs.chmod(out, 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new CliError(`${out} exists; refusing to overwrite a key (use --force)`);
      throw new CliError(`cannot write ${out}: ${code ?? (e as Error).message}`);
    }
    printJson(io, { publicKey: keys.publicKey, keyFile: out });
  },
});
