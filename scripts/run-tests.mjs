#!/usr/bin/env node
// scripts/run-tests.mjs - find *.test.ts under the given folders and run them with Node's test runner under tsx.
// Node 20's --test takes no globs, so the file list is built here. Exit code is the runner's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  if (fs.statSync(dir).isFile()) {
    if (dir.endsWith('.test.ts')) files.push(dir);
    return;
  }
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of roots.length ? roots : ['test']) walk(r);
files.sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
