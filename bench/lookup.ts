/**
 * bench/lookup.ts - p50/p99 latency and throughput of the REST lookups with many oracles and reports stored; real HTTP on loopback, keep-alive.
 *
 * The node runs in a child process (bench/lib/lookup-node.ts: own V8 heap, own event loop, started
 * with this script's Node flags) and this process is only the client, as a real client would be: the
 * client's requests, response texts and latency arrays never add to the node's garbage collection.
 * The latency samples come from a second, light client process (bench/lib/lookup-sampler.ts): this
 * one holds the whole population to build request paths (at 1M + 1M, millions of ids), so its own
 * GC marking landed in slow samples; the sampler holds only the paths of the listing it measures.
 * The node reports its GC pauses, so each query's result says how many young (scavenge) and major
 * GCs landed in its sequential phase and how long the longest was (nodeScavengesPer1000Requests).
 *
 * Allocation (issue #21: a scavenge per ~16 MiB of garbage, so p99 follows the bytes a request
 * leaves): `--alloc` adds each query's node heap bytes per request (exact and load-independent, see
 * allocPerRequest); `--heap-prof=<dir>` writes a sampling heap profile of 2,000 requests per query
 * that keeps collected objects (where a request allocates); `--only=<regex>` picks queries;
 * `--no-throughput` skips the 16-connection pass.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import pathLib from 'node:path';
import { gcSummary, recordGc, topAllocators, type GcEvent } from './lib/gc.ts';
import type { FromNode, ToNode } from './lib/lookup-node.ts';
import { startSampler } from './lib/lookup-sampler-client.ts';
import { flag, getLength, note, pct, QUICK, r, request, writeResult } from './lib/measure.ts';

const samples = flag('samples', QUICK ? 300 : 2_000);
/** `--phase=registry` or `--phase=dlc` runs one node process only (its result goes to bench/results/lookup-<phase>.json); default both. */
const PHASE = process.argv.find((a) => a.startsWith('--phase='))?.slice('--phase='.length) ?? 'all';
if (!['all', 'registry', 'dlc'].includes(PHASE)) throw new Error(`--phase=${PHASE}: expected registry, dlc or all`);
/** Sequential samples slower than this (several times the usual p50) are counted in each result, with the GC pauses that overlap them. */
const SLOW_MS = 2;
/** Warm-up requests per query (and per query in the interleaved warm-up round that precedes all measurements). */
const WARMUP = 200;

/**
 * Sequential samples over SLOW_MS, and how many of them overlap a GC pause of the node or of the
 * client that took them (the sampler process); of the rest (scheduling, other work), how many
 * overlap a GC of this harness process (it waits on IPC meanwhile: only its CPU could compete).
 */
function slowSamples(
  lat: number[],
  startedAt: number[],
  nodeEvents: GcEvent[],
  client: GcEvent[],
  harness: GcEvent[],
): { count: number; duringNodeGc: number; duringClientGc: number; duringHarnessGcOnly: number } {
  const overlaps = (events: GcEvent[], a: number, b: number): boolean => events.some((e) => e.at < b && e.at + e.ms > a);
  const out = { count: 0, duringNodeGc: 0, duringClientGc: 0, duringHarnessGcOnly: 0 };
  for (let i = 0; i < lat.length; i++) {
    const ms = lat[i] as number;
    if (ms <= SLOW_MS) continue;
    const a = startedAt[i] as number;
    out.count++;
    if (overlaps(nodeEvents, a, a + ms)) out.duringNodeGc++;
    else if (overlaps(client, a, a + ms)) out.duringClientGc++;
    else if (overlaps(harness, a, a + ms)) out.duringHarnessGcOnly++;
  }
  return out;
}

type Ready = Extract<FromNode, { type: 'ready' }>;
type Population = Extract<FromNode, { type: 'dlc' }>['population'];

/** Start the node process for `phase`; resolves with its `ready` message and the keys it stored (oracle keys, or the DLC population). */
function startNode(phase: 'registry' | 'dlc'): Promise<{ child: ChildProcess; ready: Ready; pubkeys: string[]; dlc: Population | null }> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--phase='));
  const child = fork(new URL('./lib/lookup-node.ts', import.meta.url).pathname, [...args, `--phase=${phase}`], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let pubkeys: string[] = [];
    let dlc: Population | null = null;
    const onExit = (code: number | null): void => reject(new Error(`lookup node exited (code ${code}) before it was ready`));
    const onMessage = (m: FromNode): void => {
      if (m.type === 'pubkeys') pubkeys = m.pubkeys;
      else if (m.type === 'dlc') dlc = m.population;
      else if (m.type === 'ready') {
        child.off('exit', onExit).off('message', onMessage);
        resolve({ child, ready: m, pubkeys, dlc });
      }
    };
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', onMessage);
  });
}

/** Tell the node to stop; resolves when its process has exited. */
function stopNode(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.send({ type: 'stop' } satisfies ToNode);
  });
}

/** Send `msg` to the node and resolve with its next message of type `reply`. */
function ask<K extends FromNode['type']>(child: ChildProcess, msg: ToNode, reply: K): Promise<Extract<FromNode, { type: K }>> {
  return new Promise((resolve) => {
    const onMessage = (m: FromNode): void => {
      if (m.type !== reply) return;
      child.off('message', onMessage);
      resolve(m as Extract<FromNode, { type: K }>);
    };
    child.on('message', onMessage);
    child.send(msg);
  });
}

/** Ask the node for the GC pauses since the last ask. */
function nodeGc(child: ChildProcess): Promise<Extract<FromNode, { type: 'gc' }>> {
  return ask(child, { type: 'gc' }, 'gc');
}

/** `--alloc`: measure the node's heap bytes allocated per request of each query (ALLOC_BATCHES batches of ALLOC_BATCH sequential requests). */
const ALLOC = process.argv.includes('--alloc');
const ALLOC_BATCH = 100;
const ALLOC_BATCHES = 7;
/** `--heap-prof=<dir>`: write a sampling heap profile of HEAP_PROF_REQUESTS requests of each query to <dir>/<query>.heapprofile. */
const HEAP_PROF_DIR = process.argv.find((a) => a.startsWith('--heap-prof='))?.slice('--heap-prof='.length);
const HEAP_PROF_REQUESTS = 2_000;
/** `--no-throughput`: skip the 16-connection throughput pass (allocation and GC counting runs). */
const THROUGHPUT = !process.argv.includes('--no-throughput');
/** `--only=<regex>`: measure only the queries whose name matches. */
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

/**
 * Heap bytes the node allocates per request of `path`: per batch, the node empties its young
 * generation (forced scavenge), the client sends ALLOC_BATCH sequential requests, and the node
 * reports how much its used heap grew (exact: nothing is freed without a GC) and whether a GC ran
 * in between (then the batch is discarded). Minus an empty batch (the IPC messages' own
 * allocation), divided by the batch size; the median of the exact batches.
 */
async function allocPerRequest(child: ChildProcess, port: number, path: (i: number) => string): Promise<{ bytes: number; externalBytes: number; exactBatches: number; idleBatchBytes: number }> {
  const batch = async (n: number, first: number): Promise<{ bytes: number; external: number; gcs: number }> => {
    await ask(child, { type: 'alloc-start' }, 'alloc-started');
    for (let i = 0; i < n; i++) await request(port, 'GET', path(first + i));
    return ask(child, { type: 'alloc-end' }, 'alloc');
  };
  const idle = await batch(0, 0);
  const per: number[] = [];
  const ext: number[] = [];
  for (let b = 0; b < ALLOC_BATCHES; b++) {
    const a = await batch(ALLOC_BATCH, b * ALLOC_BATCH);
    if (a.gcs !== 0) continue;
    per.push((a.bytes - idle.bytes) / ALLOC_BATCH);
    ext.push((a.external - idle.external) / ALLOC_BATCH);
  }
  const median = (xs: number[]): number => (xs.length === 0 ? NaN : (xs.sort((a, b) => a - b)[xs.length >> 1] as number));
  return { bytes: Math.round(median(per)), externalBytes: Math.round(median(ext)), exactBatches: per.length, idleBatchBytes: idle.bytes };
}

// This process's own GCs (the harness's: warm-up round, throughput, allocation), reported apart from the sampler's and the node's.
const harnessEvents: GcEvent[] = [];
const stopHarnessGc = recordGc(harnessEvents);
const sampler = await startSampler();

/**
 * Measure every query: first a warm-up round over all of them (WARMUP requests each, interleaved;
 * each must answer 200) and one throwaway measurement of GET /health, then per query: WARMUP more, sequential samples (p50/p99/max; slow ones
 * against GC pauses), 16 concurrent connections (throughput). Last, the first query again
 * (`<name> (again)`), which shows whether the first measured query still paid for a cold start.
 */
async function measure(child: ChildProcess, port: number, queries: Record<string, (i: number) => string>, out: Record<string, unknown>): Promise<void> {
  const paths = Object.values(queries);
  for (const [name, path] of Object.entries(queries)) {
    const first = await request(port, 'GET', path(0));
    if (first.status !== 200) throw new Error(`${name}: HTTP ${first.status} ${first.text.slice(0, 200)}`);
  }
  // The shared request path (HTTP parser, Express, validation, JSON) warmed by every route before any
  // is measured: the first query measured no longer pays for what all of them share.
  for (let i = 0; i < WARMUP; i++) for (const path of paths) await request(port, 'GET', path(i));
  const entries = Object.entries(queries).filter(([name]) => ONLY === undefined || new RegExp(ONLY).test(name));
  // The first query measured in a process is often ~2x slower at p50 than the same query measured
  // again at the end, whichever query comes first, after this warm-up round and even after 8 s idle.
  // A throwaway measurement of GET /health (no listing work) first took it in some runs, not in all
  // (docs/benchmarks.md, "The first query": cause not found). It is made here and kept apart from the
  // results; the first query is measured again at the end (`(again)`).
  await measureOne(child, port, 'GET /health (client warm-up, not a result)', () => '/health', warmups);
  const [firstName, firstPath] = entries[0] as [string, (i: number) => string];
  for (const [name, path] of [...entries, [`${firstName} (again)`, firstPath] as [string, (i: number) => string]]) {
    await measureOne(child, port, name, path, out);
  }
}

/** `total` requests of `path(0..total-1)` over 16 concurrent keep-alive connections. */
async function concurrently(port: number, total: number, path: (i: number) => string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < total) await getLength(port, path(next++));
    }),
  );
}

/**
 * One query: WARMUP requests and the sequential samples, both from the sampler process (its one
 * keep-alive connection; paths computed here), then throughput over 16 connections from this
 * process; the result goes to out[name].
 */
async function measureOne(child: ChildProcess, port: number, name: string, path: (i: number) => string, out: Record<string, unknown>): Promise<void> {
  const paths = Array.from({ length: samples }, (_, i) => path(i));
  await nodeGc(child); // drop the GCs since the last query
  const s = await sampler.sample(port, WARMUP, paths);
  if (s.non200 !== 0) throw new Error(`${name}: ${s.non200} of ${samples} samples not HTTP 200 (first: ${s.firstNon200})`);
  const { lat, startedAt, bytes, from, to } = s;
  const gcs = await nodeGc(child);
  const slow = slowSamples(lat, startedAt, gcs.events, s.gc, harnessEvents);
  lat.sort((a, b) => a - b);
  // throughput: 16 concurrent keep-alive connections
  const total = THROUGHPUT ? samples * 2 : 0;
  const tt = performance.now();
  await concurrently(port, total, path);
  const rps = total / ((performance.now() - tt) / 1000);
  const minor = gcSummary(gcs.events, from, to).minor?.count ?? 0;
  const alloc = ALLOC ? await allocPerRequest(child, port, path) : null;
  if (HEAP_PROF_DIR !== undefined) {
    fs.mkdirSync(HEAP_PROF_DIR, { recursive: true });
    const file = pathLib.join(HEAP_PROF_DIR, `${name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}.heapprofile`);
    await ask(child, { type: 'heap-prof-start', interval: 4096 }, 'alloc-started');
    for (let i = 0; i < HEAP_PROF_REQUESTS; i++) await request(port, 'GET', path(i));
    await ask(child, { type: 'heap-prof-stop', file }, 'heap-prof');
    note(`lookup: ${name} heap profile ${file}; most allocating functions per request: ${topAllocators(file, HEAP_PROF_REQUESTS, 8).join('; ')}`);
  }
  out[name] = {
    p50ms: r(pct(lat, 50), 3),
    p99ms: r(pct(lat, 99), 3),
    maxMs: r(lat[lat.length - 1] as number, 3),
    [`samplesOver${SLOW_MS}ms`]: slow,
    avgBodyBytes: Math.round(bytes / samples),
    throughputPerSec: THROUGHPUT ? Math.round(rps) : null,
    nodeScavengesPer1000Requests: r((minor * 1000) / samples, 1),
    ...(alloc ? { nodeHeapBytesPerRequest: alloc.bytes, nodeExternalBytesPerRequest: alloc.externalBytes, allocExactBatches: `${alloc.exactBatches}/${ALLOC_BATCHES}` } : {}),
    nodeGcDuringSamples: gcSummary(gcs.events, from, to),
    clientGcDuringSamples: gcSummary(s.gc, from, to),
    harnessGcDuringSamples: gcSummary(harnessEvents, from, to),
    clientHeapUsedMiB: s.heapUsedMiB,
    nodeHeapUsedMiB: gcs.heapUsedMiB,
    loadAverage1m: r(os.loadavg()[0] as number, 1),
  };
  note(`lookup: ${name} ${JSON.stringify(out[name])}`);
}

const out: Record<string, unknown> = {};
/** The throwaway client warm-up measurements (not results). */
const warmups: Record<string, unknown> = {};

/** The registry node: oracles, capabilities, reports; its four lookups. */
async function registryPhase(): Promise<Ready> {
  const registry = await startNode('registry');
  try {
    const { pubkeys } = registry;
    const pick = (i: number): string => pubkeys[(i * 7919) % pubkeys.length] as string;
    await measure(registry.child, registry.ready.port, {
      'GET /oracles?question=': (i) => `/oracles?question=item${i % 1000}`,
      'GET /oracles?tag=': (i) => `/oracles?tag=t${i % 100}`,
      'GET /oracles/{pubkey}': (i) => `/oracles/${pick(i)}`,
      'GET /reports?pubkey=': (i) => `/reports?pubkey=${pick(i)}`,
    }, out);
  } finally {
    await stopNode(registry.child);
  }
  return registry.ready;
}

/** DLC listings on a second node process (its own heap): announcements and offers. */
async function dlcPhase(): Promise<{ ready: Ready; pop: Population }> {
  const dlcNode = await startNode('dlc');
  const pop = dlcNode.dlc as Population;
  try {
    const qs = Math.min(1000, pop.oracles.length); // question words item0..item<qs-1> each match one DLC oracle
    const at = <T>(list: T[], i: number): T => list[(i * 7919) % list.length] as T;
    const mat = (i: number): number => pop.maturityFrom + Math.floor((((i * 7919) % pop.announcements) * pop.maturityStepS) / pop.oracles.length);
    await measure(dlcNode.child, dlcNode.ready.port, {
      'GET /announcements': (i) => `/announcements?page=${i % 10}`,
      'GET /announcements?oracle=': (i) => `/announcements?oracle=${at(pop.oracles, i)}`,
      'GET /announcements?capability=': (i) => `/announcements?capability=${at(pop.capabilities, i)}`,
      'GET /announcements?question=': (i) => `/announcements?question=item${i % qs}`,
      'GET /announcements?maturityAfter=&maturityBefore=': (i) => `/announcements?maturityAfter=${mat(i)}&maturityBefore=${mat(i) + 3600}`,
      'GET /announcements?attested=true': (i) => `/announcements?attested=true&maturityAfter=${mat(i)}`,
      'GET /announcements/{id}': (i) => `/announcements/${at(pop.announcementIds, i)}`,
      'GET /offers': (i) => `/offers?page=${i % 10}`,
      'GET /offers?announcement=': (i) => `/offers?announcement=${at(pop.announcementIds, i)}`,
      'GET /offers?oracle=': (i) => `/offers?oracle=${at(pop.oracles, i)}`,
      'GET /offers?maker=': (i) => `/offers?maker=${at(pop.makers, i)}`,
      'GET /offers?q=': (i) => `/offers?q=item${i % qs}`,
      'GET /offers?chain=': (i) => `/offers?chain=${['bitcoin-regtest', 'bitcoin-signet', 'bitcoin-testnet', 'bitcoin-mainnet'][i % 4]}`,
      'GET /offers?minCollateral=&maxCollateral= (1 %)': (i) => `/offers?minCollateral=${10_000 + (i % 990) * 100}&maxCollateral=${10_000 + (i % 990) * 100 + 900}`,
      'GET /offers?minCollateral=&maxCollateral= (0.1 %)': (i) => `/offers?minCollateral=${10_000 + (i % 1000) * 100}&maxCollateral=${10_000 + (i % 1000) * 100}`,
      'GET /offers?status=cancelled': (i) => `/offers?status=cancelled&page=${i % 10}`,
      'GET /offers/{id}': (i) => `/offers/${at(pop.offerIds, i)}`,
    }, out);
  } finally {
    await stopNode(dlcNode.child);
  }
  return { ready: dlcNode.ready, pop };
}

const ready = PHASE === 'dlc' ? null : await registryPhase();
const dlc = PHASE === 'registry' ? null : await dlcPhase();
stopHarnessGc();
await sampler.stop();
const pop = dlc?.pop;
const p99s = Object.values(out).map((x) => (x as { p99ms: number }).p99ms);
writeResult(PHASE === 'all' ? 'lookup' : `lookup-${PHASE}`, {
  method:
    'node (MegaNode, REST on loopback) in a child process with its own V8 heap and event loop; this process is only the HTTP client (keep-alive). ' +
    'Warm-up and sequential samples come from a separate light client process (bench/lib/lookup-sampler.ts: one keep-alive connection, the listing\'s request paths precomputed here, answers counted not kept); throughput from this process. ' +
    'Two node processes in turn (--phase=registry|dlc: one): the registry (oracles, capabilities, reports), then the DLC node (announcements, attestations, offers). ' +
    `Per query: ${WARMUP} warm-up, ${samples} sequential samples (p50/p99/max), then ${samples * 2} requests over 16 concurrent connections (throughput). ` +
    'nodeGcDuringSamples / clientGcDuringSamples / harnessGcDuringSamples: GC pauses (perf_hooks) of the node, the sampler and this process during the sequential samples; loadAverage1m: the machine\'s 1-minute load average after them.',
  phase: PHASE,
  nodeExecArgv: process.execArgv,
  stored: { ...ready?.counts, ...dlc?.ready.counts },
  populate:
    'oracles and capabilities through node.service.admit (in the node process, signatures checked); fact-missing reports through node.mempool.addReport. ' +
    'DLC: oracles and capabilities through node.service.admit; real signed announcements (BIP340, enum events: tiny-secp256k1 signSchnorr, nonce points from the native addon), ' +
    'attestations (1 in 100) and offers (ECDSA, native secp256k1; 1 in 10 cancelled), generated on worker threads (--gen-workers, default 2) while the node thread stores them, ' +
    'through node.mempool.addAnnouncement/addAttestation/addOffer with the ids the service computes (signatures not re-verified: bench/dlc-ingest.ts measures that path)',
  populateSeconds: { registry: ready && r(ready.populateSeconds, 1), dlc: dlc && r(dlc.ready.populateSeconds, 1), dlcParts: pop?.seconds },
  heapSettled: (ready?.heapSettled ?? true) && (dlc?.ready.heapSettled ?? true),
  heapUsedMiB: { registry: ready?.heapUsedMiB, dlc: dlc?.ready.heapUsedMiB },
  samplesPerQuery: samples,
  selectivity:
    (ready ? `question=item<k> matches ${ready.oracles / 1000} oracles; tag=t<k> matches ${ready.oracles / 100}; ` : '') +
    (pop
      ? `DLC: ${pop.oracles.length} oracles x ${Math.round(pop.announcements / pop.oracles.length)} announcements; announcements?question=item<k> and oracle= match ${Math.round(pop.announcements / pop.oracles.length)}; ` +
        `maturity window of 1 h matches ~${Math.round(3600 / (pop.maturityStepS / pop.oracles.length))}; attested 1 in 100; offers ${pop.offers} (${Math.round(pop.offers / pop.announcements)} per announcement, 10 % cancelled, ` +
        `${pop.makers.length} makers x 20, 4 chains, taker collateral in 1000 steps); `
      : '') +
    'page size 10 (default chunkSize)',
  queries: out,
  clientWarmup: warmups,
  goal: 'p99 < 2 ms (issue #21)',
  goalMet: p99s.every((x) => x < 2),
});
process.exit(0);
