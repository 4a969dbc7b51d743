/** bench/sync.ts - time for a new node to fetch a whole mempool from one peer on join (version/verack, mempool, paced inv of short version ids, getdata, entities). */
import type { Report, Verified } from '../src/protocol/types.ts';
import { reportId } from '../src/protocol/ids.ts';
import type { MegaNode } from '../src/node.ts';
import { connect, stopAll } from '../test/helpers/network.ts';
import { makeBundle, makeMissingReport } from './lib/gen.ts';
import { benchNode, stored } from './lib/node.ts';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { flag, note, QUICK, r, until, writeResult } from './lib/measure.ts';

/** Main thread's [run time, run-queue wait] in seconds (Linux /proc schedstat, ns): wall − both = time it slept (idle, waiting for I/O). */
function mainThreadSchedSeconds(): [number, number] {
  try {
    const [run, wait] = fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [(run as number) / 1e9, (wait as number) / 1e9];
  } catch {
    return [NaN, NaN];
  }
}

/** CPU seconds of this process's main thread (Linux /proc: utime + stime, USER_HZ 100), NaN elsewhere. */
function mainThreadCpuSeconds(): number {
  try {
    const s = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

const entries = flag('entries', QUICK ? 20_000 : 100_000);
const limits: (number | null)[] = QUICK ? [1_000_000] : [null, 1_000_000];

// Mix: per oracle one capability and 8 fact-missing reports (10 entries), so 20 % of entries carry a signature.
const oracles = Math.ceil(entries / 10);
/** --profile: a V8 CPU profile of the main thread (both nodes) during the last run, idle time included, written to bench/results/sync-main.cpuprofile. */
const PROFILE = process.argv.includes('--profile');
const session = PROFILE ? new inspector.Session() : null;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
}
const nodes: MegaNode[] = [];
try {
  const src = await benchNode({ maxOracles: 1_000_000, maxReports: 1000 }, 'sync-src');
  nodes.push(src);
  note(`sync: storing ${entries} entries at the source node`);
  for (let i = 0; i < oracles && stored(src) < entries; i++) {
    const b = makeBundle(i);
    await src.service.admit('oracle', b.oracle);
    await src.service.admit('capability', b.capability);
    for (let j = 0; j < 8 && stored(src) < entries; j++) {
      const rep = makeMissingReport(b, j);
      src.mempool.addReport(rep as Verified<Report>, reportId(rep));
    }
  }
  const total = stored(src);
  const runs: Record<string, unknown>[] = [];
  for (const limit of limits) {
    const joiner = await benchNode({ maxOracles: 1_000_000, maxReports: 1000, ...(limit === null ? {} : { p2pMaxMessagesPerSecond: limit }) }, `sync-new-${runs.length}`);
    nodes.push(joiner);
    const b0 = src.pool.totals().bytesOut;
    const j0 = joiner.pool.totals().bytesOut;
    if (session && limit === limits[limits.length - 1]) await session.post('Profiler.start');
    const cpu0 = mainThreadCpuSeconds();
    const sched0 = mainThreadSchedSeconds();
    const proc0 = process.cpuUsage();
    const t0 = performance.now();
    await connect(joiner, src, 20_000);
    let ms: number;
    try {
      ms = await until(() => stored(joiner) >= total, QUICK ? 90_000 : 300_000, 20);
    } catch {
      ms = NaN;
    }
    const elapsed = Number.isNaN(ms) ? NaN : performance.now() - t0;
    if (session && limit === limits[limits.length - 1]) {
      const { profile } = (await session.post('Profiler.stop')) as { profile: unknown };
      const out = path.join(import.meta.dirname, 'results', 'sync-main.cpuprofile');
      fs.writeFileSync(out, JSON.stringify(profile));
      note(`sync: wrote ${out}`);
    }
    // Both nodes share this process: the main thread serves (source) and admits (joiner). Busy near 1 = CPU-bound on it; well below = waiting (pacing, round trips).
    const mainCpu = mainThreadCpuSeconds() - cpu0;
    const sched1 = mainThreadSchedSeconds();
    const ranSeconds = sched1[0] - sched0[0];
    const runqueueSeconds = sched1[1] - sched0[1];
    const proc = process.cpuUsage(proc0);
    const procCpu = (proc.user + proc.system) / 1e6;
    const run = {
      joinerP2pMaxMessagesPerSecond: limit ?? 'default',
      entries: total,
      fetched: stored(joiner),
      seconds: r(elapsed / 1000, 2),
      entriesPerSec: Math.round(total / (elapsed / 1000)),
      bytesSentBySource: src.pool.totals().bytesOut - b0,
      // getdata of short version ids (and the joiner's own, nearly empty, inventory answer).
      bytesSentByJoiner: joiner.pool.totals().bytesOut - j0,
      mainThreadCpuSeconds: r(mainCpu, 2),
      mainThreadBusy: r(mainCpu / (elapsed / 1000), 2),
      // Of the wall time: running, runnable but waiting for a core (other threads, other processes), and asleep (nothing to do: pacing, round trips).
      mainThreadRanSeconds: r(ranSeconds, 2),
      mainThreadRunqueueWaitSeconds: r(runqueueSeconds, 2),
      mainThreadIdleSeconds: r(elapsed / 1000 - ranSeconds - runqueueSeconds, 2),
      otherThreadsCpuSeconds: r(procCpu - mainCpu, 2),
      loadavg: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
    runs.push(run);
    note(`sync: ${JSON.stringify(run)}`);
    nodes.pop();
    await joiner.stop();
  }
  writeResult('sync', {
    setup: 'source filled in-process (oracles and capabilities through service.admit, fact-missing reports through mempool.addReport); a fresh node dials it and fetches everything over P2P (full admission: schema, PoW, signatures); both nodes in one process',
    mix: 'per oracle: 1 oracle, 1 capability, 8 fact-missing reports',
    runs,
  });
} finally {
  await stopAll(nodes);
}
process.exit(0);
