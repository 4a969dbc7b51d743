/**
 * bench/profile-ingest.ts - where the node's main thread spends its time during P2P ingest: one
 * warm-up run, then a CPU profile (V8 inspector, main thread only) of a second run of the ingest
 * mix, printed as self time per function and per source file, and written to
 * bench/results/ingest-main.cpuprofile (open it in Chrome DevTools). Before it, the CPU time of every
 * thread of the process during the warm-up run, per message (Linux /proc: main, the verifier, V8's
 * GC helpers, libuv), so work moved off the main thread shows up too. Not part of `npm run bench`:
 * run it when changing the accept path (docs/benchmarks.md "Profile").
 *   node --expose-gc --import tsx bench/profile-ingest.ts [--oracles=6000] [--threads=1] [--rest]
 * With --measure=N it profiles nothing: after the warm-up it makes N more runs and prints one JSON
 * line per run (accepted/s, CPU µs per message of the main thread and of the whole process), the
 * form the A/B comparison in docs/benchmarks.md "Profile" takes its medians from.
 * With --alloc it samples allocations instead of CPU (V8 sampling heap profiler, every 512 bytes on
 * average, garbage included): bytes allocated per message on the main thread's heap, by function and
 * by source file, written to bench/results/ingest-alloc.heapprofile (GC is ~20 % of main-thread time,
 * so garbage per message matters as much as CPU).
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { stopAll } from '../test/helpers/network.ts';
import { ingestMix, type Msg } from './lib/gen.ts';
import { benchNode, encodeFrames, pushBytes, rawClient, stored } from './lib/node.ts';
import { flag, note, r, request, until } from './lib/measure.ts';

/** --rest: the same mix over REST (16 concurrent keep-alive POSTs; the HTTP client shares the process and is counted too) instead of one raw P2P peer. */
const REST = process.argv.includes('--rest');
/** --alloc: a sampling heap profile (allocations, garbage included) of the second run instead of a CPU profile. */
const ALLOC = process.argv.includes('--alloc');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
/** A node of a V8 sampling heap profile. */
interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** CPU time (µs) of every thread of this process by `tid name` (Linux /proc/self/task; empty elsewhere). */
function threadCpu(): Map<string, number> {
  const m = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    return m;
  }
  for (const tid of tids) {
    try {
      const s = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(`${tid} ${s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'))}`, ((Number(f[11]) + Number(f[12])) * 1e6) / 100); // utime + stime, USER_HZ 100
    } catch {
      // the thread ended meanwhile
    }
  }
  return m;
}

/** Per-thread CPU µs per message between two {@link threadCpu} readings. */
function threadReport(a: Map<string, number>, b: Map<string, number>, count: number): void {
  const byName = new Map<string, number>();
  for (const [k, v] of b) {
    // Each thread apart (all but the main one are named "node"): the verifier is the busiest of them, V8's GC helpers the rest.
    const name = k.startsWith(`${process.pid} `) ? 'main thread' : `thread ${k}`;
    byName.set(name, (byName.get(name) ?? 0) + v - (a.get(k) ?? 0));
  }
  let total = 0;
  for (const v of byName.values()) total += v;
  console.log(`CPU per message by thread (warm-up run): ${r(total / count, 1)} µs in all`);
  for (const [k, v] of [...byName].sort((x, y) => y[1] - x[1])) if (v > 0) console.log(`${r(v / count, 1).toString().padStart(8)} µs  ${k}`);
}

/** POST every body over REST, `concurrency` keep-alive requests in flight, kind after kind (bench/ingest.ts restRun). */
async function postAll(port: number, bodies: Record<'oracle' | 'capability' | 'report', string[]>, concurrency: number): Promise<void> {
  for (const kind of ['oracle', 'capability', 'report'] as const) {
    const list = bodies[kind];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < list.length) {
          const res = await request(port, 'POST', `/${kind}`, list[next++] as string);
          if (res.status !== 201) throw new Error(`POST /${kind}: expected 201, got ${res.status} ${res.text.slice(0, 200)}`);
        }
      }),
    );
  }
}

async function run(frames: Buffer, count: number, threads: number, session: inspector.Session | null): Promise<{ seconds: number; profile: Profile | null; heap: HeapNode | null; cpu: [Map<string, number>, Map<string, number>] }> {
  const node = await benchNode({ maxReports: 1000, maxOracles: 1_000_000, p2pMaxMessagesPerSecond: 1_000_000, verifyThreads: threads });
  try {
    const peer = REST ? null : await rawClient(node);
    if (session && ALLOC) await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    else if (session) await session.post('Profiler.start');
    const cpu0 = threadCpu();
    const t0 = performance.now();
    if (peer) {
      await pushBytes(peer, frames);
      await until(() => stored(node) >= count || peer.closed, 600_000, 5);
    } else {
      await postAll(node.httpPort, restBodies, 16);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = threadCpu();
    const heap = session && ALLOC ? ((await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapNode } }).profile.head : null;
    const profile = session && !ALLOC ? ((await session.post('Profiler.stop')) as { profile: Profile }).profile : null;
    peer?.destroy();
    return { seconds, profile, heap, cpu: [cpu0, cpu1] };
  } finally {
    await stopAll([node]);
  }
}

function summarise(p: Profile, top: number): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  p.samples.forEach((s, i) => {
    const n = byId.get(s);
    const d = p.timeDeltas[i] ?? 0;
    if (!n || n.callFrame.functionName === '(idle)') return;
    total += d;
    const f = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/|bench\/|test\/)/, '$1') || '(native)';
    const k = `${n.callFrame.functionName || '(anonymous)'}  ${f}:${n.callFrame.lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + d);
    const fk = f.replace(/:.*$/, '');
    file.set(fk, (file.get(fk) ?? 0) + d);
  });
  const show = (m: Map<string, number>, n: number): void => {
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  };
  console.log(`\nbusy main-thread time ${(total / 1000).toFixed(0)} ms\n-- self time by function --`);
  show(fn, top);
  console.log('-- self time by file --');
  show(file, 25);
}

/** Bytes allocated per message by function and by file, from a sampling heap profile's tree. */
function summariseHeap(head: HeapNode, count: number, top: number): void {
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode): void => {
    if (n.selfSize > 0) {
      total += n.selfSize;
      const f = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/|bench\/|test\/)/, '$1') || '(native)';
      const k = `${n.callFrame.functionName || '(anonymous)'}  ${f}:${n.callFrame.lineNumber + 1}`;
      fn.set(k, (fn.get(k) ?? 0) + n.selfSize);
      const fk = f.replace(/:.*$/, '');
      file.set(fk, (file.get(fk) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c);
  };
  walk(head);
  const show = (m: Map<string, number>, n: number): void => {
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)} %  ${(v / count).toFixed(0).padStart(6)} B/msg  ${k}`);
  };
  console.log(`\nallocated on the main thread's heap (sampled, garbage included): ${(total / count).toFixed(0)} bytes per message\n-- by function --`);
  show(fn, top);
  console.log('-- by file --');
  show(file, 25);
}

const oracles = flag('oracles', 6000);
const threads = flag('threads', 1);
note(`profile-ingest: generating ${oracles} oracles`);
const { msgs } = ingestMix(oracles);
const frames = encodeFrames(msgs);
const restBodies = { oracle: [] as string[], capability: [] as string[], report: [] as string[] };
for (const m of msgs) restBodies[m.kind].push(JSON.stringify(m.body));
const count = msgs.length satisfies number;
void (msgs as Msg[]);
note('profile-ingest: warm-up run');
const warm = await run(frames, count, threads, null);
const measure = flag('measure', 0);
if (measure > 0) {
  for (let i = 0; i < measure; i++) {
    const m = await run(frames, count, threads, null);
    let all = 0;
    let main = 0;
    for (const [k, v] of m.cpu[1]) {
      const d = v - (m.cpu[0].get(k) ?? 0);
      all += d;
      if (k.startsWith(`${process.pid} `)) main = d;
    }
    console.log(JSON.stringify({ run: i + 1, messages: count, perSec: Math.round(count / m.seconds), mainCpuMicrosPerMsg: r(main / count, 1), processCpuMicrosPerMsg: r(all / count, 1), otherThreadsCpuMicrosPerMsg: r((all - main) / count, 1), loadavg: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') }));
  }
  process.exit(0);
}
const session = new inspector.Session();
session.connect();
if (ALLOC) {
  await session.post('HeapProfiler.enable');
  note('profile-ingest: allocation-sampled run');
  const prof = await run(frames, count, threads, session);
  console.log(`messages ${count}; warm-up ${r(warm.seconds, 2)} s (${Math.round(count / warm.seconds)}/s); sampled ${r(prof.seconds, 2)} s`);
  summariseHeap(prof.heap!, count, flag('top', 45));
  const out = path.join(import.meta.dirname, 'results', 'ingest-alloc.heapprofile');
  fs.writeFileSync(out, JSON.stringify({ head: prof.heap }));
  note(`profile-ingest: wrote ${out}`);
  process.exit(0);
}
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
note('profile-ingest: profiled run');
const prof = await run(frames, count, threads, session);
console.log(`messages ${count}; warm-up ${r(warm.seconds, 2)} s (${Math.round(count / warm.seconds)}/s); profiled ${r(prof.seconds, 2)} s (${Math.round(count / prof.seconds)}/s, the profiler slows it)`);
console.log(`main-thread busy µs per message: ${r(prof.profile!.timeDeltas.reduce((a, b) => a + b, 0) / count, 1)} (wall, incl. idle)`);
threadReport(warm.cpu[0], warm.cpu[1], count);
summarise(prof.profile!, flag('top', 45));
const out = path.join(import.meta.dirname, 'results', 'ingest-main.cpuprofile');
fs.writeFileSync(out, JSON.stringify(prof.profile));
note(`profile-ingest: wrote ${out}`);
process.exit(0);
