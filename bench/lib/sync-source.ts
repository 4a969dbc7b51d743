/** bench/lib/sync-source.ts - the source node of bench/sync.ts in its own process: fills its mempool with the sync mix, then answers `bytes` (what its pool sent and the CPU its process and main thread spent), `profile` (start/stop a V8 CPU profile of its main thread) and `stop` over IPC, so the benchmark's own process holds only the joining node. */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import type { Report, Verified } from '../../src/protocol/types.ts';
import { reportId } from '../../src/protocol/ids.ts';
import { makeBundle, makeMissingReport } from './gen.ts';
import { benchNode, stored } from './node.ts';
import { flag, note } from './measure.ts';

/** Parent → source. */
export type ToSource = { type: 'bytes' } | { type: 'stop' } | { type: 'profile'; start: true } | { type: 'profile'; start: false; out: string };
/** Source → parent. `mainRunSeconds`: its main thread's run time (Linux schedstat, ns resolution); `processCpuSeconds`: every thread of its process. */
export type FromSource =
  | { type: 'ready'; port: number; entries: number }
  | { type: 'bytes'; bytesOut: number; mainRunSeconds: number; processCpuSeconds: number }
  | { type: 'profile' };

const send = (m: FromSource): Promise<void> => new Promise((resolve) => process.send?.(m, () => resolve()));

/** Run time of this process's main thread in seconds (/proc schedstat), NaN elsewhere. */
function mainRunSeconds(): number {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return NaN;
  }
}

const entries = flag('entries', 100_000);
// Mix: per oracle one capability and 8 fact-missing reports (10 entries), so 20 % of entries carry a signature.
const oracles = Math.ceil(entries / 10);
const src = await benchNode({ maxOracles: 1_000_000, maxReports: 1000 }, 'sync-src');
note(`sync source: storing ${entries} entries`);
for (let i = 0; i < oracles && stored(src) < entries; i++) {
  const b = makeBundle(i);
  await src.service.admit('oracle', b.oracle);
  await src.service.admit('capability', b.capability);
  for (let j = 0; j < 8 && stored(src) < entries; j++) {
    const rep = makeMissingReport(b, j);
    src.mempool.addReport(rep as Verified<Report>, reportId(rep));
  }
}
let session: inspector.Session | null = null;
async function profile(m: Extract<ToSource, { type: 'profile' }>): Promise<void> {
  if (m.start) {
    session = new inspector.Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  } else if (session) {
    const { profile: p } = (await session.post('Profiler.stop')) as { profile: unknown };
    fs.writeFileSync(m.out, JSON.stringify(p));
    session.disconnect();
    session = null;
  }
  await send({ type: 'profile' });
}
process.on('message', (m: ToSource) => {
  if (m.type === 'bytes') {
    const cpu = process.cpuUsage();
    void send({ type: 'bytes', bytesOut: src.pool.totals().bytesOut, mainRunSeconds: mainRunSeconds(), processCpuSeconds: (cpu.user + cpu.system) / 1e6 });
  } else if (m.type === 'profile') void profile(m);
  else if (m.type === 'stop') void src.stop().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0)); // the benchmark went away
await send({ type: 'ready', port: src.p2pPort, entries: stored(src) });
