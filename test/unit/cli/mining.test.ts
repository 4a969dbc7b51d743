/** test/unit/cli/mining.test.ts - mining runs on worker threads: Ctrl-C (SIGINT) cancels promptly with exit 130; progress goes to stderr when asked or on a TTY, else one ETA line for a long job; an absurd difficulty is refused unless --force (issue #19). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '../../../src/protocol/keys.ts';
import { checkPow, oraclePreimage } from '../../../src/protocol/pow.ts';
import type { OracleId } from '../../../src/protocol/types.ts';
import { collect, runCli, spawnCli } from './run-cli.ts';
import { waitFor } from '../../helpers/wait.ts';

/** How long after SIGINT the process may take to exit (workers are terminated, not drained). */
const PROMPT_EXIT_MS = 3000;

describe('mining', { concurrency: true }, () => {
  test('SIGINT during a 40-bit mining job exits 130 promptly with a message', async () => {
    const key = generateKeyPair().privateKey;
    const child = spawnCli(['oracle', '--key', key, '--difficulty', '40', '--workers', '2', '--progress', '--force']);
    const done = collect(child, 60_000);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer | string) => (stderr += String(d)));
    // The first periodic progress line proves the workers are hashing and the SIGINT handler is in place.
    await waitFor(() => /mining oracle: [\d.]+[kMG]? hashes, /.test(stderr), { message: 'a mining progress line', timeoutMs: 60_000 });
    const sent = Date.now();
    assert.equal(child.kill('SIGINT'), true, "expected child.kill('SIGINT') to be true");
    const r = await done;
    const elapsed = Date.now() - sent;
    assert.equal(r.signal, null);
    assert.equal(r.code, 130);
    assert.equal(elapsed < PROMPT_EXIT_MS, true, `exited ${elapsed} ms after SIGINT`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /mega: mining oracle proof of work: 40 bits on 2 threads/);
    assert.match(r.stderr, /^mega: mining cancelled$/m);
  });

  test('without --progress and without a TTY, stderr stays empty; with it, start and end are reported', async () => {
    const key = generateKeyPair().privateKey;
    const [quiet, loud] = await Promise.all([
      runCli(['oracle', '--key', key, '-d', '10', '--workers', '1']),
      runCli(['oracle', '--key', key, '-d', '10', '--workers', '1', '--progress']),
    ]);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, '');
    assert.equal(loud.code, 0);
    assert.match(loud.stderr, /^mega: mining oracle proof of work: 10 bits on 1 thread \(expect ~1\.02k hashes; Ctrl-C cancels\)$/m);
    assert.match(loud.stderr, /^mega: mined oracle in [\d.]+ s$/m);
    const ad = JSON.parse(quiet.stdout) as OracleId;
    assert.equal(checkPow(ad.pow, oraclePreimage(ad)), null);
    assert.deepEqual(JSON.parse(loud.stdout), ad);
  });

  test('a difficulty expected to take longer than a week is refused (exit 2) with the estimate, before any mining', async () => {
    const key = generateKeyPair().privateKey;
    const r = await runCli(['oracle', '--key', key, '--difficulty', '99', '--workers', '1']);
    assert.equal(r.code, 2, 'expected a usage error');
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^mega: --difficulty 99 would take ~[\d.]+e\d+ years on 1 thread here \(~6\.3e29 hashes\); choose fewer bits .* or add --force\n$/);
    assert.doesNotMatch(r.stderr, /mining oracle/, 'refused before any mining started');
  });

  test('with --force and without a TTY or --progress, a long job prints one ETA line at once (not silence)', async () => {
    const key = generateKeyPair().privateKey;
    const child = spawnCli(['oracle', '--key', key, '--difficulty', '99', '--workers', '1', '--force']);
    const done = collect(child, 120_000);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer | string) => (stderr += String(d)));
    await waitFor(() => /expect ~/.test(stderr), { message: 'the ETA line on stderr', timeoutMs: 60_000 });
    assert.match(stderr, /^mega: mining oracle proof of work: 99 bits on 1 thread, expect ~[\d.]+e\d+ years \(started \d{4}-\d\d-\d\dT[\d:.]+Z; --progress for progress lines\)\n$/);
    assert.equal(child.kill('SIGINT'), true);
    const r = await done;
    assert.equal(r.code, 130, 'Ctrl-C still cancels');
  });
});
