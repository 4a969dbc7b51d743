/** bench/run.ts - run every benchmark, each in its own process (clean heap, --expose-gc, the daemon's heap flags), `--quick` for the under-2-minute mode; prints a summary of bench/results/*.json. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { HEAP_FLAGS } from '../src/daemon/heap-flags.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.filter((a) => !a.startsWith('--')).slice(2);
const benches = ['ingest', 'floor', 'dlc-ingest', 'lookup', 'memory', 'propagation', 'propagation-procs', 'sync', 'floor-sync', 'persist', 'monitor-page', 'contract-sign'].filter((b) => only.length === 0 || only.includes(b));
/** A result that one script writes with its own arguments: `floor-sync` is bench/floor.ts on the sync mix (the floor under the sync goal). */
const SCRIPT: Record<string, [string, ...string[]]> = { 'floor-sync': ['floor', '--mix=sync'] };
const t0 = Date.now();
const failed: string[] = [];
for (const b of benches) {
  const started = Date.now();
  process.stderr.write(`\n=== ${b}${quick ? ' (quick)' : ''} ===\n`);
  const res = spawnSync(
    process.execPath,
    // The node daemon's heap flags: a joining or ingesting node in a benchmark process runs as a launched daemon does.
    ['--expose-gc', '--max-old-space-size=8192', ...HEAP_FLAGS, '--import', 'tsx', new URL(`./${(SCRIPT[b] ?? [b])[0]}.ts`, import.meta.url).pathname, ...(SCRIPT[b] ?? [b]).slice(1), ...(quick ? ['--quick'] : [])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (res.status !== 0) failed.push(b);
  process.stderr.write(`=== ${b}: ${res.status === 0 ? 'ok' : `FAILED (exit ${res.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===\n`);
}
const dir = new URL('./results/', import.meta.url);
const read = (b: string): Record<string, unknown> | null => {
  const f = new URL(`${b}${quick ? '.quick' : ''}.json`, dir);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>) : null;
};
console.log(`\nSummary (${quick ? 'quick' : 'full'}, ${((Date.now() - t0) / 1000).toFixed(0)} s):`);
for (const b of benches) {
  const x = read(b);
  if (!x) continue;
  const { name: _n, mode: _m, date: _d, machine: _mc, ...rest } = x;
  console.log(`\n# ${b}\n${JSON.stringify(rest, (k, v: unknown) => (k === 'perItem' ? undefined : v))}`); // per-item detail stays in the JSON file
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
