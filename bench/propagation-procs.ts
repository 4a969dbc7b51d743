/**
 * bench/propagation-procs.ts - issue #21's propagation benchmark with every node in its own process: a seeded 100-node
 * random graph of degree 8, single 462 B oracle ads injected one at a time, time until 99 % of nodes hold each and
 * wire bytes sent per node per item — for Mega and, on the same graph and items, for js-libp2p gossipsub.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRunner } from './lib/build-runners.ts';
import { makeBundle } from './lib/gen.ts';
import { degrees, randomGraph, seededRandom } from './lib/graph.ts';
import { flag, note, pct, QUICK, r, rawVerifyRate, sleep, writeResult } from './lib/measure.ts';
import { monoMs } from './lib/proc-child.ts';
import { clockCheck, pollUntil, spawnFleet, stopFleet, type Child } from './lib/procs.ts';
import { LAZY_MIN_AGE_MS, LAZY_ROUND_MS } from '../src/p2p/constants.ts';
import { DEFAULT_TTL } from '../src/cli/build.ts';

const N = flag('nodes', QUICK ? 10 : 100);
const DEGREE = flag('degree', 8);
const ITEMS = flag('items', QUICK ? 6 : 30);
const SEED = flag('seed', 21);
const IDLE_MS = flag('idle-ms', QUICK ? 1000 : 10_000);
const SETTLE_MS = flag('settle-ms', QUICK ? 1000 : 3500); // gossipsub, after the last item: it still sends IHAVE for 3 heartbeats (1 s each); quick mode (bench:quick under 2 minutes) stops after 1 s, which can only lower gossipsub's count
/**
 * Mega announces an item to lazy peers in the first round (every LAZY_ROUND_MS) at least LAZY_MIN_AGE_MS after storing it
 * (PROTOCOL 11.7): the last announcements about an item leave up to this long after every node holds it, so the byte
 * count waits for them (after the last item, and after the warm-up before the idle baseline).
 */
const MEGA_LAZY_TAIL_MS = LAZY_MIN_AGE_MS + 2 * LAZY_ROUND_MS;
/** Until no Mega node has a version waiting for a lazy round (every lazy announcement is on the wire), at most MEGA_LAZY_TAIL_MS + 10 s. */
async function lazyTail(children: Child[]): Promise<void> {
  await pollUntil(async () => (await statusAll(children)).every((s) => s.lazyPending === 0), MEGA_LAZY_TAIL_MS + 10_000, 'every lazy announcement sent', 250);
}
const GAP_MS = flag('gap-ms', 100); // between one item reaching every node and the next injection
const ITEM_TIMEOUT_MS = flag('item-timeout-ms', 10_000);
const START_CONCURRENCY = flag('start-concurrency', 4);
const HEAP_MB = flag('heap-mb', 128);
const DIALS_IN_FLIGHT = flag('dials', 8);
const VERIFY_THREADS = flag('verify-threads', 1); // Mega's shipped default
// V8 flags for every runner process, Mega's and libp2p's alike (space-separated): a 1 MiB young generation and one
// V8 helper thread cut Mega's RSS from ~113 to ~90 MiB per process (10-process runs), so 100 processes fit beside other work.
const CHILD_FLAGS = (process.argv.find((a) => a.startsWith('--child-flags='))?.slice(14) ?? '--max-semi-space-size=1 --v8-pool-size=1').split(' ').filter(Boolean);
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
// Quick mode measures Mega alone (bench:quick stays under 2 minutes; the gossipsub half took ~11 s of it): the side by
// side with gossipsub is a figure of the full run (`--only=mega,libp2p` runs both in quick mode too).
const IMPLS = (onlyArg ? onlyArg.split(',') : QUICK ? ['mega'] : ['mega', 'libp2p']) as ('mega' | 'libp2p')[];

const edges = randomGraph(N, DEGREE, SEED);
const deg = degrees(N, edges);
const rnd = seededRandom(SEED + 1);
const origins = Array.from({ length: ITEMS }, () => Math.floor(rnd() * N));
// The same items for both implementations: signed oracle ads (the documented 462 B item) as JSON text.
// The items' hop limit: what a new ad gets by default (the CLI's and mega-oracle's), or --cttl=N (cTTL is unsigned,
// outside the signature and the version hash, so the same signed ads serve any value).
const CTTL = flag('cttl', DEFAULT_TTL);
const items = Array.from({ length: ITEMS + 1 }, (_, k) => makeBundle(1_000_000 + k).oracle).map((o) => ({ id: o.pubkey, json: JSON.stringify({ ...o, cTTL: CTTL }) }));
const warmupItem = items.pop() as { id: string; json: string };
const avgItemBytes = items.reduce((s, i) => s + Buffer.byteLength(i.json), 0) / ITEMS;
const need = Math.ceil(0.99 * N);

/** Holders of the item being measured: child index → [its own monotonic time of acceptance, the parent's receipt time]. */
let current: { id: string; holders: Map<number, [number, number]> } | null = null;
const onEvent = (c: Child, ev: Record<string, unknown>): void => {
  if (ev.ev === 'acc' && current && ev.id === current.id && !current.holders.has(c.index)) current.holders.set(c.index, [ev.at as number, monoMs()]);
};

const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
const mib = (b: number): number => r(b / 2 ** 20, 1);

async function statusAll(children: Child[]): Promise<Record<string, unknown>[]> {
  return Promise.all(children.map((c) => c.request('status', {}, 120_000))); // a process starved of CPU for a while is slow, not dead
}
const tcpOut = (st: Record<string, unknown>[]): number => sum(st.map((s) => (s.tcp as { out: number }).out));

async function runImpl(impl: 'mega' | 'libp2p'): Promise<Record<string, unknown>> {
  const load0 = os.loadavg();
  const tStart = performance.now();
  const nodeArgs = [`--max-old-space-size=${HEAP_MB}`, ...CHILD_FLAGS];
  let script = runners.libp2p;
  let scriptArgs: string[] = [];
  let tmp: string | null = null;
  if (impl === 'mega') {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-bench-procs-'));
    const cfg = path.join(tmp, 'node.json');
    // One config for every node: regtest on loopback, OS-chosen ports, in memory, silent; shipped defaults
    // otherwise (timers, limits; verifyThreads 1 unless --verify-threads). targetOutbound 0: the graph stays the one built here.
    fs.writeFileSync(cfg, JSON.stringify({ network: 'regtest', httpPort: 0, p2pPort: 0, listenAddress: '127.0.0.1', dataDir: null, logLevel: 'silent', targetOutbound: 0, maxConnections: 64, verifyThreads: VERIFY_THREADS }));
    script = runners.mega;
    scriptArgs = [cfg];
  }
  note(`${impl}: starting ${N} processes (${START_CONCURRENCY} at a time)`);
  const children = await spawnFleet(N, nodeArgs, script, scriptArgs, START_CONCURRENCY, onEvent);
  try {
    const startupS = (performance.now() - tStart) / 1000;
    note(`${impl}: ${N} processes up in ${startupS.toFixed(1)} s; connecting ${edges.length} edges`);
    const tConn = performance.now();
    // a dials b, for every edge; then, until every edge is up, dial again the edges that are not (a handshake can
    // time out on a loaded machine, and targetOutbound 0 means Mega never re-dials by itself).
    const linkOf = (b: number): string | number => {
      const t = (children[b] as Child).ready as Record<string, unknown>;
      return impl === 'mega' ? (t.port as number) : (String(t.addr).split('/p2p/')[1] as string);
    };
    const dial = async (list: [number, number][]): Promise<void> => {
      let e = 0;
      await Promise.all(
        Array.from({ length: DIALS_IN_FLIGHT }, async () => {
          while (e < list.length) {
            const [a, b] = list[e++] as [number, number];
            const target = (children[b] as Child).ready as Record<string, unknown>;
            await (children[a] as Child).request('connect', impl === 'mega' ? { port: target.port } : { addr: target.addr }).catch((err: unknown) => note(`${impl}: dial ${a} -> ${b} failed (${(err as Error).message})`));
          }
        }),
      );
    };
    let missing: [number, number][] = edges;
    for (let round = 0; ; round++) {
      await dial(missing);
      const deadline = performance.now() + 15_000 + N * 100;
      for (;;) {
        const st = await statusAll(children);
        missing = edges.filter(([a, b]) => !((st[a] as { links: (string | number)[] }).links.includes(linkOf(b)) || (st[b] as { links: (string | number)[] }).links.includes(linkOf(a))));
        if (missing.length === 0 || performance.now() > deadline) break;
        await sleep(500);
      }
      if (missing.length === 0) break;
      if (round >= 4) throw new Error(`${missing.length} of ${edges.length} edges still down after 5 rounds of dialing`);
      note(`${impl}: ${missing.length} edges not up; dialing them again`);
    }
    const peerCounts = (await statusAll(children)).map((s) => s.peers as number);
    const connectS = (performance.now() - tConn) / 1000;
    let mesh: Record<string, unknown> | undefined;
    if (impl === 'libp2p') {
      // Wait for the gossipsub mesh (heartbeats graft peers up to D): every node with at least min(Dlo = 4, degree) mesh peers.
      const meshOk = async (): Promise<boolean> => (await statusAll(children)).every((s, i) => (s.mesh as number) >= Math.min(4, deg[i] as number) && s.topicPeers === deg[i]);
      const tMesh = performance.now();
      let formed = true;
      let repaired = 0;
      for (let round = 0; ; round++) {
        formed = true;
        await pollUntil(meshOk, 30_000, 'the gossipsub mesh', 500).catch(() => (formed = false));
        if (formed || round >= 3) break;
        // An edge that is up but carries no subscription exchange (its stream set-up failed under load) never
        // joins the mesh: the dialing side hangs up and dials it again.
        const stNow = await statusAll(children);
        const subs = (i: number): string[] => (stNow[i] as { subscribers: string[] }).subscribers;
        const broken = edges.filter(([a, b]) => !subs(a).includes(linkOf(b) as string) || !subs(b).includes(linkOf(a) as string));
        note(`${impl}: mesh not formed; ${broken.length} edges without a subscription exchange: dialing them again (round ${round + 1})`);
        repaired += broken.length;
        await Promise.all(broken.map(([a, b]) => (children[a] as Child).request('redial', { addr: ((children[b] as Child).ready as Record<string, unknown>).addr }).catch((err: unknown) => note(`${impl}: redial ${a} -> ${b} failed (${(err as Error).message})`))));
      }
      const st = await statusAll(children);
      const sizes = st.map((s) => s.mesh as number);
      mesh = { formed, edgesRedialed: repaired, seconds: r((performance.now() - tMesh) / 1000, 1), meshPeersAvg: r(sum(sizes) / N, 2), meshPeersMin: Math.min(...sizes), meshPeersMax: Math.max(...sizes) };
      note(`${impl}: mesh ${JSON.stringify(mesh)}`);
    }
    await sleep(QUICK ? 1000 : 2000); // handshake-time sync / identify / first heartbeats settle before counting bytes (1 s in quick mode: bench:quick under 2 minutes)
    // One unmeasured item first, so the first measured one does not pay for JIT-compiling the relay path (a daemon runs warm).
    current = { id: warmupItem.id, holders: new Map() };
    const warmHolders = current.holders;
    const { t0: tw } = (await (children[0] as Child).request('inject', { json: warmupItem.json })) as { t0: number };
    warmHolders.set(0, [tw, 0]);
    let warmAll = true;
    await pollUntil(() => warmHolders.size >= N, ITEM_TIMEOUT_MS, 'every node to hold the warm-up item', 5).catch(() => (warmAll = false));
    const warmupMsToAll = warmAll ? Math.max(...[...warmHolders.values()].map((h) => h[0])) - tw : NaN;
    const warmupHeldBy = warmHolders.size;
    current = null;
    if (impl === 'mega') await lazyTail(children); // the warm-up's lazy announcements are not idle traffic
    else await sleep(1000);
    const clock = await clockCheck(children, monoMs);
    note(`${impl}: connected in ${connectS.toFixed(1)} s; clock check ${JSON.stringify(clock)}; idle baseline ${IDLE_MS} ms`);

    // Idle baseline: bytes the network sends with nothing to relay (keepalives, heartbeats), per second.
    const idle0 = tcpOut(await statusAll(children));
    const tIdle = performance.now();
    await sleep(IDLE_MS);
    const idleBytesPerS = (tcpOut(await statusAll(children)) - idle0) / ((performance.now() - tIdle) / 1000);

    const st0 = await statusAll(children);
    const tItems = performance.now();
    const to99: number[] = [];
    const to99Parent: number[] = [];
    const toAll: number[] = [];
    const perItem: { origin: number; heldBy: number; ms99: number | null; msAll: number | null; last: number | null }[] = [];
    let reachedAll = 0;
    let missed99 = 0;
    const injectErrors: string[] = [];
    for (let k = 0; k < ITEMS; k++) {
      const item = items[k] as { id: string; json: string };
      const origin = children[origins[k] as number] as Child;
      current = { id: item.id, holders: new Map() };
      const holders = current.holders;
      const sent = monoMs();
      let injected: { t0: number };
      try {
        injected = (await origin.request('inject', { json: item.json })) as { t0: number };
      } catch (err) {
        // e.g. gossipsub's PublishError.NoPeersSubscribedToTopic at a node left without topic peers: the item is
        // counted as missed, not the whole run lost.
        injectErrors.push(`item ${k} at node ${origin.index}: ${(err as Error).message}`);
        missed99++;
        perItem.push({ origin: origin.index, heldBy: 0, ms99: null, msAll: null, last: null });
        current = null;
        continue;
      }
      const { t0 } = injected;
      holders.set(origin.index, [t0, sent]); // the origin holds it from the injection on (gossipsub does not deliver to self)
      let all = true;
      await pollUntil(() => holders.size >= N, ITEM_TIMEOUT_MS, 'every node to hold the item', 2).catch(() => (all = false));
      if (all) reachedAll++;
      const own = [...holders.values()].map((h) => h[0]).sort((a, b) => a - b);
      const parent = [...holders.values()].map((h) => h[1]).sort((a, b) => a - b);
      if (own.length >= need) {
        to99.push((own[need - 1] as number) - t0);
        to99Parent.push((parent[need - 1] as number) - sent);
      } else missed99++;
      if (all) toAll.push((own[N - 1] as number) - t0);
      const last = all ? ([...holders.entries()].sort((x, y) => y[1][0] - x[1][0])[0]?.[0] ?? null) : null;
      perItem.push({ origin: origin.index, heldBy: holders.size, ms99: own.length >= need ? r((own[need - 1] as number) - t0, 1) : null, msAll: all ? r((own[N - 1] as number) - t0, 1) : null, last });
      current = null;
      await sleep(GAP_MS);
    }
    if (impl === 'mega') await lazyTail(children);
    else await sleep(SETTLE_MS);
    const st1 = await statusAll(children);
    const itemPhaseS = (performance.now() - tItems) / 1000;
    const load1 = os.loadavg();
    const rawBytes = tcpOut(st1) - tcpOut(st0);
    const netBytes = rawBytes - idleBytesPerS * itemPhaseS;
    const rss = st1.map((s) => (s.mem as { rss: number }).rss);
    const asc = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
    const t99 = asc(to99);
    const t99p = asc(to99Parent);
    const tAll = asc(toAll);
    const result: Record<string, unknown> = {
      processes: N,
      startupSeconds: r(startupS, 1),
      connectSeconds: r(connectS, 1),
      connectionsPerNode: { avg: r(sum(peerCounts) / N, 2), min: Math.min(...peerCounts), max: Math.max(...peerCounts) },
      ...(mesh ? { gossipsubMesh: mesh } : {}),
      clockCheck: { maxAbsOffsetMs: r(clock.maxAbsOffsetMs, 3), maxPingRoundTripMs: r(clock.maxRoundTripMs, 2) },
      warmupItem: { heldBy: warmupHeldBy, msToAllNodes: r(warmupMsToAll, 1) },
      items: ITEMS,
      itemsReachingAllNodes: reachedAll,
      itemsMissing99pct: missed99,
      ...(injectErrors.length ? { injectErrors } : {}),
      msTo99pct: { p50: r(pct(t99, 50), 1), p90: r(pct(t99, 90), 1), max: r(t99[t99.length - 1] ?? NaN, 1) },
      msTo99pctParentReceipt: { p50: r(pct(t99p, 50), 1), p90: r(pct(t99p, 90), 1) },
      msToAllNodes: { p50: r(pct(tAll, 50), 1), p90: r(pct(tAll, 90), 1) },
      idleBytesPerSecondPerNode: r(idleBytesPerS / N, 1),
      itemPhaseSeconds: r(itemPhaseS, 1),
      rawBytesSentPerNodePerItem: Math.round(rawBytes / N / ITEMS),
      bytesSentPerNodePerItem: Math.round(netBytes / N / ITEMS),
      ratioToItemSize: r(netBytes / N / ITEMS / avgItemBytes, 2),
      rssMiB: { avg: mib(sum(rss) / N), max: mib(Math.max(...rss)), total: mib(sum(rss)), heapUsedAvg: mib(sum(st1.map((s) => (s.mem as { heapUsed: number }).heapUsed)) / N) },
      loadavg1mDuring: [r(load0[0] as number, 2), r(load1[0] as number, 2)],
      perItem,
    };
    if (impl === 'mega') {
      const d = (key: string): number => sum(st1.map((s) => (s.relay as Record<string, number>)[key] as number)) - sum(st0.map((s) => (s.relay as Record<string, number>)[key] as number));
      const pool = (st: Record<string, unknown>[]): number => sum(st.map((s) => (s.pool as { bytesOut: number }).bytesOut));
      const per = (x: number): number => x / N / ITEMS;
      // Where the bytes go (PROTOCOL 11.4, 11.6 frame sizes): an entity frame is the 24 B header + the item's JSON
      // (cTTL one lower: the same length for these items); an inv or getdata is the 24 B header + 11 B of
      // {"items":[]} + 25 B per 22-character short id (its quotes and comma); prune and graft are 24 B headers.
      // What is left is pings, notfound and addr.
      const entityB = per(d('itemsSent')) * (24 + avgItemBytes);
      const invB = per(d('invSent') * 35 + d('invItemsSent') * 25);
      const getdataB = per(d('getDataSent') * 35 + d('getDataItemsSent') * 25);
      const treeB = per((d('prunesSent') + d('graftsSent')) * 24);
      result.megaFrames = {
        poolBytesSentPerNodePerItem: Math.round(per(pool(st1) - pool(st0))),
        entitiesSentPerNodePerItem: r(per(d('itemsSent')), 2),
        entitiesPushedPerNodePerItem: r(per(d('pushed')), 2),
        entitiesReceivedPerNodePerItem: r(per(d('itemsReceived')), 2),
        invMessagesPerNodePerItem: r(per(d('invSent')), 2),
        lazyInvMessagesPerNodePerItem: r(per(d('lazyInvSent')), 2),
        invItemsPerNodePerItem: r(per(d('invItemsSent')), 2),
        getDataMessagesPerNodePerItem: r(per(d('getDataSent')), 2),
        prunes: d('prunesSent'),
        grafts: d('graftsSent'),
        getDataTimeouts: d('getDataTimeouts'),
        estimatedBytesPerNodePerItem: { entityFrames: Math.round(entityB), invFrames: Math.round(invB), getdataFrames: Math.round(getdataB), pruneGraftFrames: Math.round(treeB), other: Math.round(per(pool(st1) - pool(st0)) - entityB - invB - getdataB - treeB) },
      };
    }
    note(`${impl}: ${JSON.stringify({ ...result, perItem: undefined })}`);
    return result;
  } finally {
    current = null;
    const stopped = await stopFleet(children, 15_000);
    note(`${impl}: stopped ${stopped.clean} cleanly, killed ${stopped.killed}`);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const runners = { mega: await buildRunner('proc-mega'), libp2p: await buildRunner('proc-libp2p', true) };
note(`propagation-procs: ${N} nodes, ${edges.length} edges (seed ${SEED}), ${ITEMS} items of ${Math.round(avgItemBytes)} B; implementations ${IMPLS.join(', ')}`);
const verifyBefore = rawVerifyRate();
const loadBefore = os.loadavg();
const results: Record<string, Record<string, unknown>> = {};
const failures: string[] = [];
for (const impl of IMPLS) {
  // One implementation failing (e.g. a graph that never came up) does not lose the other's figures.
  results[impl] = await runImpl(impl).catch((err: unknown) => {
    failures.push(`${impl}: ${(err as Error).message}`);
    note(`${impl}: FAILED: ${(err as Error).message}`);
    return { failed: (err as Error).message };
  });
}
const verifyAfter = rawVerifyRate();
const mega = results.mega;
const lp = results.libp2p;
writeResult('propagation-procs', {
  nodes: N,
  edges: edges.length,
  averageDegree: r((2 * edges.length) / N, 1),
  graphSeed: SEED,
  avgItemJsonBytes: Math.round(avgItemBytes),
  itemCTTL: CTTL,
  setup:
    'every node in its own process (plain node running a runner bundled by esbuild at the start of the run), loopback TCP; seeded random graph = ring + random edges; a dials b per edge; one signed oracle ad at a time injected at a seeded random node; times from each node\'s own CLOCK_MONOTONIC stamp of acceptance/delivery; bytes = sum over processes of bytesWritten of every TCP socket (node:diagnostics_channel), minus the idle rate measured before',
  baseline: {
    rawVerifyPerSecond: { before: Math.round(verifyBefore), after: Math.round(verifyAfter) },
    loadavg: { before: loadBefore.map((x) => r(x, 2)), after: os.loadavg().map((x) => r(x, 2)) },
  },
  libp2pStack: 'libp2p 3.3.11, @libp2p/tcp 11.0.28, @libp2p/noise 17.0.3, @libp2p/yamux 8.0.3, @libp2p/identify 4.1.14, @libp2p/gossipsub 17.1.1 defaults (D 6, Dlo 4, Dhi 12, Dlazy 6, gossipFactor 0.25, heartbeat 1 s, history 5 / gossip 3, floodPublish true, StrictSign Ed25519 message signatures, IDONTWANT only for data >= 512 B)',
  ...results,
  ...(mega && lp && !mega.failed && !lp.failed
    ? {
        megaVsLibp2p: {
          bytesPerNodePerItem: [mega.bytesSentPerNodePerItem, lp.bytesSentPerNodePerItem],
          msTo99pctP50: [(mega.msTo99pct as { p50: number }).p50, (lp.msTo99pct as { p50: number }).p50],
        },
      }
    : {}),
});
process.exit(failures.length ? 1 : 0);
