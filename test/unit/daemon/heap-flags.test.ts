// test/unit/daemon/heap-flags.test.ts - the V8 heap flags a node is launched with (src/daemon/heap-flags.ts): the check that names the missing ones, that this Node.js accepts them and they take effect, and that every launch path in the repository carries exactly them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HEAP_FLAGS, missingHeapFlags } from '../../../src/daemon/heap-flags.ts';
import { REPO_ROOT } from '../cli/run-cli.ts';

const read = (f: string): string => fs.readFileSync(path.join(REPO_ROOT, f), 'utf8');

describe('missingHeapFlags', () => {
  it('names every flag when none is given, and none when all are', () => {
    assert.deepEqual(missingHeapFlags([]), [...HEAP_FLAGS], 'a bare node misses them all');
    assert.deepEqual(missingHeapFlags(['--import', 'tsx', ...HEAP_FLAGS]), [], 'the launch flags leave nothing missing');
  });

  it('counts another value, the underscore spelling and NODE_OPTIONS as set', () => {
    assert.deepEqual(missingHeapFlags(['--max-semi-space-size=64', '--initial_old_space_size=512']), [], "another value is the operator's choice; V8 reads _ as -");
    assert.deepEqual(missingHeapFlags(['--initial-old-space-size=256'], ' --max-semi-space-size=16  --enable-source-maps'), [], 'NODE_OPTIONS carries flags too');
    assert.deepEqual(missingHeapFlags(['--max-old-space-size=4096', '--max-semi-space-size'], 'max-semi-space-size=8'), ['--initial-old-space-size=256'], 'a similar option or a word without -- is not one of them');
  });
});

describe('the heap flags on this Node.js', () => {
  it('are accepted and enlarge the young generation (heap_size_limit grows by three semi-spaces of at least 16 MB more)', () => {
    const limit = (flags: readonly string[]): number => {
      const r = spawnSync(process.execPath, [...flags, '-e', "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))"], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      assert.equal(r.status, 0, `node ${flags.join(' ')} must start; stderr: ${r.stderr}`);
      return Number(r.stdout);
    };
    const grown = limit(HEAP_FLAGS) - limit([]);
    // V8's default semi-space is 16 MB on a 64-bit machine with this much memory (less on a small one, which only grows this).
    assert.ok(grown >= 3 * 16 * 2 ** 20, `--max-semi-space-size=32 over the default (at most 16 MB): expected at least +48 MiB of heap limit, got ${grown}`);
  });
});

describe('every launch path carries the heap flags', () => {
  const flags = HEAP_FLAGS.join(' ');
  it('package.json start and start:dist', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.start, `exec node ${flags} --import tsx app.ts`);
    assert.equal(scripts['start:dist'], `exec node ${flags} dist/app.js`);
  });

  it('the systemd unit and the Docker image', () => {
    assert.match(read('contrib/mega.service'), new RegExp(`^ExecStart=/usr/bin/node ${flags} /opt/mega/dist/app\\.js `, 'm'), 'contrib/mega.service ExecStart');
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    assert.deepEqual(JSON.parse(cmd ?? 'null'), ['node', ...HEAP_FLAGS, 'dist/app.js', '/etc/mega/mega.json'], 'Dockerfile CMD');
  });

  it('the benchmark runner and the e2e daemon helper spawn with them', () => {
    for (const f of ['bench/run.ts', 'test/helpers/daemon.ts']) assert.match(read(f), /\.\.\.HEAP_FLAGS, '--import', 'tsx'/, `${f} passes HEAP_FLAGS to node`);
  });

  it('the docs show the same command line', () => {
    for (const f of ['docs/operations.md', 'README.md']) assert.ok(read(f).includes(flags), `${f} names the flags as launched (${flags})`);
  });
});
