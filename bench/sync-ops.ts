/**
 * bench/sync-ops.ts - Map and Set operations per entity on a joining node's main thread during a sync on join, by calling
 * site (what session 11 counted to find the bookkeeping a sync pays per entity; not in `npm run bench`): the source runs in
 * its own process (bench/lib/sync-source.ts), and Map/Set methods of this process are wrapped only while the sync runs.
 *   node --import tsx bench/sync-ops.ts [--entries=5000] [--depth=2] [--top=60]
 */
import { fork } from 'node:child_process';
import type { FromSource } from './lib/sync-source.ts';
import { benchNode, stored } from './lib/node.ts';
import { flag, note, until } from './lib/measure.ts';

const entries = flag('entries', 5000);
const depth = flag('depth', 2);
const top = flag('top', 60);
const child = fork(new URL('./lib/sync-source.ts', import.meta.url).pathname, [`--entries=${entries}`], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready = await new Promise<Extract<FromSource, { type: 'ready' }>>((resolve) => child.on('message', (m: FromSource) => m.type === 'ready' && resolve(m)));
const joiner = await benchNode({ maxOracles: 1_000_000, maxReports: 1000 }, 'sync-ops');
const counts = new Map<string, number>();
let counting = false;
let total = 0;

/** Wrap `proto[name]` to count calls by the `depth` frames above it while counting is on (the wrapper's own Map use is not counted). */
function wrap(proto: object, name: string, label: string): void {
  const methods = proto as Record<string, (...a: unknown[]) => unknown>;
  const orig = methods[name] as (...a: unknown[]) => unknown;
  methods[name] = function (this: unknown, ...a: unknown[]) {
    if (counting) {
      counting = false;
      total++;
      const frames = (new Error().stack ?? '').split('\n').slice(2, 2 + depth).map((l) => l.trim().replace(/^at /, '').replace(/\((file:\/\/)?\/.*?\/src\//, '(').replace(/:\d+\)$/, ')'));
      const key = `${label}.${name} ${frames.join(' < ')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      counting = true;
    }
    return orig.apply(this, a);
  };
}
for (const n of ['get', 'set', 'has', 'delete']) wrap(Map.prototype, n, 'Map');
for (const n of ['add', 'has', 'delete']) wrap(Set.prototype, n, 'Set');
try {
  counting = true;
  joiner.pool.connect('127.0.0.1', ready.port);
  await until(() => stored(joiner) >= ready.entries, 300_000, 20);
} finally {
  counting = false;
}
note(`sync-ops: ${ready.entries} entries, ${(total / ready.entries).toFixed(1)} Map/Set operations per entity on the joiner's main thread`);
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(v / ready.entries).toFixed(2).padStart(6)} ${k}`);
child.send({ type: 'stop' });
await joiner.stop();
process.exit(0);
