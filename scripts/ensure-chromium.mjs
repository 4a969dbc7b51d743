#!/usr/bin/env node
// scripts/ensure-chromium.mjs - `npm test` set-up step: the browser test needs Debian's Chromium; install it when it is missing and we may (root).
// npm cannot ship a browser here (no download at install time), so Debian's package is used. Skipped with MEGA_SKIP_BROWSER_TEST=1 or MEGA_CHROMIUM=<path>.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const target = process.env.MEGA_CHROMIUM ?? '/usr/bin/chromium';
if (process.env.MEGA_SKIP_BROWSER_TEST === '1' || fs.existsSync(target)) process.exit(0);
if (process.env.MEGA_CHROMIUM) {
  console.error(`ensure-chromium: MEGA_CHROMIUM=${target} does not exist; the browser test will fail`);
  process.exit(0);
}
if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error('ensure-chromium: /usr/bin/chromium is missing; run `sudo apt-get install -y chromium` (or MEGA_SKIP_BROWSER_TEST=1)');
  process.exit(0);
}
console.error('ensure-chromium: installing Debian chromium for the browser test');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', 'chromium']]) {
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`ensure-chromium: apt-get ${args.join(' ')} failed (exit ${r.status}); the browser test will fail`);
    process.exit(0);
  }
}
