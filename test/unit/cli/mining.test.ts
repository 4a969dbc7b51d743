/** test/unit/cli/mining.test.ts - mining runs on worker threads: Ctrl-C (SIGINT) cancels promptly with exit 130; progress goes to stderr only when asked or on a TTY. */
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
    const child = spawnCli(['oracle', '--key', key, '--difficulty', '40', '--workers', '2', '--progress']);
    const done = collect(child, 60_000);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer | string) => (stderr += String(d)));
    // The first periodic progress line proves the workers are hashing and the SIGINT handler is in place.
    await waitFor(() => /mining oracle: [\d.]+[kMG]? hashes, /.test(stderr), { message: 'a mining progress line', timeoutMs: 20_000 });
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
});
