/** test/unit/cli/usage.test.ts - help for every command, usage errors (exit 2) and failures (exit 1) as one stderr line, never a stack trace; a few through the real process, the tables in-process. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { publicKeyOf } from '../../../src/protocol/keys.ts';
import { signFact } from '../../../src/protocol/sign.ts';
import { removeDir, runCli, runMain, tempDir, writeJson, type CliRun } from './run-cli.ts';

const COMMANDS = ['keygen', 'oracle', 'capability', 'fact', 'report', 'dispute', 'id', 'verify', 'post'];
const KEY = '11'.repeat(32);
const PUB = publicKeyOf(KEY);

/** A usage error or failure: the exit code, nothing on stdout, one line on stderr without a stack. */
function assertOneLineError(r: CliRun, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(r.stderr, pattern);
}

describe('the mega process', { concurrency: true }, () => {
  test('--help lists every command; no command at all is a usage error', async () => {
    const [help, none, version] = await Promise.all([runCli(['--help']), runCli([]), runCli(['--version'])]);
    assert.equal(help.code, 0);
    for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'));
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^usage: mega <command>/);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test('a usage error exits 2 and a failure exits 1, each with one line on stderr', async () => {
    const [usage, failure] = await Promise.all([runCli(['oracle', '--bogus']), runCli(['id', 'no-such-file.json'])]);
    assertOneLineError(usage, 2, /^mega oracle: unknown option --bogus \(see 'mega oracle --help'\)$/m);
    assertOneLineError(failure, 1, /^mega: cannot read message file no-such-file.json: no such file$/m);
  });
});

describe('mega help', () => {
  test('every command has --help (exit 0, usage on stdout), also via `mega help <command>`', async () => {
    const runs = await Promise.all([...COMMANDS.map((c) => runMain([c, '--help'])), runMain(['help', 'report']), runMain(['oracle', '--bogus', '-h'])]);
    runs.slice(0, COMMANDS.length).forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: mega ${COMMANDS[i]}`));
      assert.match(r.stdout, /--help/);
    });
    assert.match(runs[COMMANDS.length]?.stdout ?? '', /^usage: mega report fact-conflict/);
    assert.match(runs[COMMANDS.length + 1]?.stdout ?? '', /^usage: mega oracle/);
  });
});

describe('usage errors exit 2 with one line naming the problem', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['frobnicate'], /^mega: unknown command 'frobnicate' \(see 'mega --help'\)$/m],
    ['unknown option', ['oracle', '--bogus'], /^mega oracle: unknown option --bogus/],
    ['option without its value', ['report', 'fact-missing', '--oracle'], /--oracle needs a value/],
    ['non-integer --seq', ['oracle', '--seq', 'x', '--key', KEY], /--seq must be an integer/],
    ['difficulty over 256', ['oracle', '-d', '300'], /--difficulty must be an integer in \[0, 256\]/],
    ['no signing key', ['oracle'], /no oracle private key: give --key-file <file>, --key <hex>, or set MEGA_PRIVATE_KEY/],
    ['malformed --key', ['fact', '--key', 'nothex', '--answer', 'x'], /--key must be a secp256k1 private key/],
    ['two signing keys', ['fact', '--key', KEY, '--capability-key-file', 'k.json', '--answer', 'x'], /give one capability key, not --key and --capability-key-file/],
    ["another role's key flag", ['capability', '--capability-key', KEY], /unknown option --capability-key/],
    ['malformed public key', ['capability', '--key', KEY, '--capability-pubkey', '02zz', '--question', 'q'], /--capability-pubkey must be a compressed secp256k1 public key/],
    ['missing --question', ['capability', '--key', KEY, '--capability-pubkey', PUB], /--question is required/],
    ['report without a type', ['report'], /which report\? give a type/],
    ['unknown report type', ['report', 'fact-lost'], /unknown report type 'fact-lost'/],
    ['flag of another report type', ['report', 'fact-missing', '--comment', 'x'], /--comment does not apply to fact-missing/],
    ['conflict with one fact', ['report', 'fact-conflict', '--oracle', PUB, '--fact', 'a.json'], /needs at least two --fact files/],
    ['bad --arg', ['fact', '--key', KEY, '--arg', 'novalue', '--answer', 'x'], /--arg takes name=value/],
    ['dispute without a report', ['dispute', '--fact', 'f.json'], /give --report <file>, or --report-id <hex> with --oracle <pub>/],
    ['verify without a file', ['verify'], /give the message file, or '-' to read stdin/],
    ['two positionals', ['id', 'a.json', 'b.json'], /unexpected argument 'b.json'/],
    ['bad --type', ['verify', '-', '--type', 'ticket'], /--type must be one of oracle, capability, report, dispute, announcement, attestation, offer, fact/],
    ['posting a fact', ['post', '-', '--type', 'fact'], /a fact is not posted on its own/],
    ['bad --node', ['post', '-', '--node', 'not a url'], /--node must be a URL/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, async () => assertOneLineError(await runMain(args), 2, pattern));
  }
});

describe('failures exit 1 with one line', () => {
  test('a key file without a key', async () => {
    assertOneLineError(await runMain(['oracle', '--key-file', '-'], { input: '{"publicKey": "x"}' }), 1, /oracle key file - holds no valid private key/);
  });
  test('a bad $MEGA_PRIVATE_KEY', async () => {
    assertOneLineError(await runMain(['fact', '--answer', 'x'], { env: { MEGA_PRIVATE_KEY: 'abc' } }), 1, /^mega: MEGA_PRIVATE_KEY is not a secp256k1 private key/);
  });
  test('a message that is not JSON', async () => {
    assertOneLineError(await runMain(['id', '-'], { input: 'hello' }), 1, /message file on stdin is not valid JSON/);
  });
  test('a fact has no id', async () => {
    assertOneLineError(await runMain(['id', '-', '--type', 'fact'], { input: '{}' }), 1, /a fact has no id/);
  });
  test('a built message the schema refuses is reported before mining', async () => {
    assertOneLineError(await runMain(['oracle', '--key', KEY, '--tag', 'x'.repeat(65)]), 1, /the oracle would be invalid \(schema-violation\): oracle\.tags\[0\]/);
  });
  test('facts for different requests make no conflict', async () => {
    const dir = tempDir();
    try {
      const a = writeJson(dir, 'a.json', signFact({ capabilityPubKey: PUB, arguments: { x: '1' } }, 'yes', KEY));
      const b = writeJson(dir, 'b.json', signFact({ capabilityPubKey: PUB, arguments: { x: '2' } }, 'no', KEY));
      assertOneLineError(await runMain(['report', 'fact-conflict', '--oracle', PUB, '--fact', a, '--fact', b]), 1, /the facts answer different requests/);
    } finally {
      removeDir(dir);
    }
  });
});
