/**
 * bench/lookup.ts - p50/p99 latency and throughput of the REST lookups with many oracles and reports stored; real HTTP on loopback, keep-alive.
 *
 * The node runs in a child process (bench/lib/lookup-node.ts: own V8 heap, own event loop, started
 * with this script's Node flags) and this process is only the client, as a real client would be: the
 * client's requests, response texts and latency arrays never add to the node's garbage collection.
 * The node reports its GC pauses, so each query's result says how many young (scavenge) and major
 * GCs landed in its sequential phase and how long the longest was.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { gcSummary, recordGc, wallNow, type GcEvent } from './lib/gc.ts';
import type { FromNode, ToNode } from './lib/lookup-node.ts';
import { flag, note, pct, QUICK, r, request, writeResult } from './lib/measure.ts';

const samples = flag('samples', QUICK ? 300 : 2_000);
/** Sequential samples slower than this (several times the usual p50) are counted in each result, with the GC pauses that overlap them. */
const SLOW_MS = 2;

/** Sequential samples over SLOW_MS, and how many of them overlap a GC pause of the node or of this client (the rest: scheduling, other work). */
function slowSamples(lat: number[], startedAt: number[], nodeEvents: GcEvent[], client: GcEvent[]): { count: number; duringNodeGc: number; duringClientGc: number } {
  const overlaps = (events: GcEvent[], a: number, b: number): boolean => events.some((e) => e.at < b && e.at + e.ms > a);
  const out = { count: 0, duringNodeGc: 0, duringClientGc: 0 };
  for (let i = 0; i < lat.length; i++) {
    const ms = lat[i] as number;
    if (ms <= SLOW_MS) continue;
    const a = startedAt[i] as number;
    out.count++;
    if (overlaps(nodeEvents, a, a + ms)) out.duringNodeGc++;
    else if (overlaps(client, a, a + ms)) out.duringClientGc++;
  }
  return out;
}

/** Start the node process; resolves with its `ready` message and the oracle keys it stored. */
function startNode(): Promise<{ child: ChildProcess; ready: Extract<FromNode, { type: 'ready' }>; pubkeys: string[] }> {
  const child = fork(new URL('./lib/lookup-node.ts', import.meta.url).pathname, process.argv.slice(2), {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let pubkeys: string[] = [];
    const onExit = (code: number | null): void => reject(new Error(`lookup node exited (code ${code}) before it was ready`));
    const onMessage = (m: FromNode): void => {
      if (m.type === 'pubkeys') pubkeys = m.pubkeys;
      else if (m.type === 'ready') {
        child.off('exit', onExit).off('message', onMessage);
        resolve({ child, ready: m, pubkeys });
      }
    };
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', onMessage);
  });
}

/** Ask the node for the GC pauses since the last ask. */
function nodeGc(child: ChildProcess): Promise<Extract<FromNode, { type: 'gc' }>> {
  return new Promise((resolve) => {
    child.once('message', (m: FromNode) => {
      if (m.type === 'gc') resolve(m);
    });
    child.send({ type: 'gc' } satisfies ToNode);
  });
}

// This process's own GCs (the client's), to tell them apart from the node's in the results.
const clientEvents: GcEvent[] = [];
const stopClientGc = recordGc(clientEvents);

const { child, ready, pubkeys } = await startNode();
const port = ready.port;
try {
  const pick = (i: number): string => pubkeys[(i * 7919) % pubkeys.length] as string;
  const queries: Record<string, (i: number) => string> = {
    'GET /oracles?question=': (i) => `/oracles?question=item${i % 1000}`,
    'GET /oracles?tag=': (i) => `/oracles?tag=t${i % 100}`,
    'GET /oracles/{pubkey}': (i) => `/oracles/${pick(i)}`,
    'GET /reports?pubkey=': (i) => `/reports?pubkey=${pick(i)}`,
  };
  const out: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(queries)) {
    // warm-up, and check the answer is real
    const first = await request(port, 'GET', path(0));
    if (first.status !== 200) throw new Error(`${name}: HTTP ${first.status} ${first.text.slice(0, 200)}`);
    for (let i = 0; i < 50; i++) await request(port, 'GET', path(i));
    await nodeGc(child); // drop the warm-up's GCs
    const lat: number[] = [];
    const startedAt: number[] = []; // wall clock, to match slow samples with GC pauses
    let bytes = 0;
    const from = wallNow();
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      const res = await request(port, 'GET', path(i));
      lat.push(performance.now() - t);
      startedAt.push(performance.timeOrigin + t);
      bytes += res.text.length;
    }
    const to = wallNow();
    const gcs = await nodeGc(child);
    const slow = slowSamples(lat, startedAt, gcs.events, clientEvents);
    lat.sort((a, b) => a - b);
    // throughput: 16 concurrent keep-alive connections
    const total = samples * 2;
    let next = 0;
    const tt = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) await request(port, 'GET', path(next++));
      }),
    );
    const rps = total / ((performance.now() - tt) / 1000);
    out[name] = {
      p50ms: r(pct(lat, 50), 3),
      p99ms: r(pct(lat, 99), 3),
      maxMs: r(lat[lat.length - 1] as number, 3),
      [`samplesOver${SLOW_MS}ms`]: slow,
      avgBodyBytes: Math.round(bytes / samples),
      throughputPerSec: Math.round(rps),
      nodeGcDuringSamples: gcSummary(gcs.events, from, to),
      clientGcDuringSamples: gcSummary(clientEvents, from, to),
      nodeHeapUsedMiB: gcs.heapUsedMiB,
    };
    note(`lookup: ${name} ${JSON.stringify(out[name])}`);
  }
  const p99s = Object.values(out).map((x) => (x as { p99ms: number }).p99ms);
  writeResult('lookup', {
    method:
      'node (MegaNode, REST on loopback) in a child process with its own V8 heap and event loop; this process is only the HTTP client (keep-alive). ' +
      `Per query: 50 warm-up, ${samples} sequential samples (p50/p99/max), then ${samples * 2} requests over 16 concurrent connections (throughput). ` +
      'nodeGcDuringSamples: GC pauses of the node process (perf_hooks) during the sequential samples.',
    nodeExecArgv: process.execArgv,
    stored: ready.counts,
    populate: 'oracles and capabilities through node.service.admit (in the node process, signatures checked); fact-missing reports through node.mempool.addReport',
    populateSeconds: r(ready.populateSeconds, 1),
    heapSettled: ready.heapSettled,
    heapUsedMiB: ready.heapUsedMiB,
    samplesPerQuery: samples,
    selectivity: `question=item<k> matches ${ready.oracles / 1000} oracles; tag=t<k> matches ${ready.oracles / 100}; page size 10 (default chunkSize)`,
    queries: out,
    goal: 'p99 < 10 ms',
    goalMet: p99s.every((x) => x < 10),
  });
} finally {
  stopClientGc();
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.send({ type: 'stop' } satisfies ToNode);
  });
}
process.exit(0);
