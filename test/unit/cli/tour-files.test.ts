/** test/unit/cli/tour-files.test.ts - every file the README quick tour writes into the checkout (key files above all) is ignored by git, so following the tour never stages a private key (issue #19). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './run-cli.ts';

test('the quick tour\'s output files are covered by .gitignore', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## Quick tour'));
  const block = tour.slice(tour.indexOf('```sh'), tour.indexOf('```', tour.indexOf('```sh') + 5));
  const files = new Set<string>();
  for (const m of block.matchAll(/--out ([\w.-]+)/g)) files.add(m[1] as string);
  for (const m of block.matchAll(/> ([\w.-]+\.json)/g)) files.add(m[1] as string);
  for (const m of block.matchAll(/--state-dir ([\w.-]+)/g)) files.add(`${m[1] as string}/nonces.json`);
  assert.equal(files.has('oracle-key.json'), true, `the tour's files were found: ${[...files].join(', ')}`);
  assert.equal(files.size >= 10, true, `expected the tour's outputs, found ${files.size}`);
  const r = spawnSync('git', ['check-ignore', '--no-index', '-v', ...files], { cwd: REPO_ROOT, encoding: 'utf8' });
  const ignored = new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[1]));
  const missing = [...files].filter((f) => !ignored.has(f));
  assert.deepEqual(missing, [], 'files the tour writes that git would offer to commit');
});
