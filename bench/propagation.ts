/** bench/propagation.ts - in-process nodes (30; 16 in quick mode) on loopback in a random graph of degree ~8: time until 99 % hold a new item, and bytes sent per node per item against the item's size. */
import type { MegaNode } from '../src/node.ts';
import { connect, hasItem, stopAll } from '../test/helpers/network.ts';
import { makeBundle } from './lib/gen.ts';
import { benchNode } from './lib/node.ts';
import { flag, note, pct, QUICK, r, sleep, until, writeResult } from './lib/measure.ts';
import { LAZY_MIN_AGE_MS, LAZY_ROUND_MS } from '../src/p2p/constants.ts';
import { DEFAULT_TTL } from '../src/cli/build.ts';
import type { OracleId } from '../src/protocol/types.ts';

const N = flag('nodes', QUICK ? 16 : 30);
const DEGREE = flag('degree', 8);
const items = flag('items', QUICK ? 6 : 100);
const batch = flag('batch', QUICK ? 100 : 1000);
/** The last lazy announcements about an item leave up to this long after it is stored (PROTOCOL 11.7): byte counts wait for them (the bound of {@link lazyTail}). */
const LAZY_TAIL_MS = LAZY_MIN_AGE_MS + 2 * LAZY_ROUND_MS;
/** The items' hop limit: a new ad's default (--cttl=N; unsigned, so the signed ads serve any value). */
const CTTL = flag('cttl', DEFAULT_TTL);
const ad = (seed: number): OracleId => ({ ...makeBundle(seed).oracle, cTTL: CTTL });

/** Random graph: a ring (so it is connected) plus random edges until the average degree is reached. */
function randomEdges(n: number, degree: number): [number, number][] {
  const key = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const set = new Set<string>();
  const edges: [number, number][] = [];
  const add = (a: number, b: number): void => {
    if (a === b || set.has(key(a, b))) return;
    set.add(key(a, b));
    edges.push([a, b]);
  };
  for (let i = 0; i < n; i++) add(i, (i + 1) % n);
  while (edges.length < (n * degree) / 2) add(Math.floor(Math.random() * n), Math.floor(Math.random() * n));
  return edges;
}

const nodes: MegaNode[] = [];
/** Until no node has a version waiting for a lazy round: every lazy announcement is on the wire (counted in bytesOut). */
const lazyTail = (): Promise<number> => until(() => nodes.every((x) => x.pool.relay.lazyPending === 0), LAZY_TAIL_MS + 10_000, 50);
try {
  note(`propagation: starting ${N} nodes`);
  // targetOutbound 0: the graph stays the one built here (no dialing of gossiped addresses).
  for (let i = 0; i < N; i++) nodes.push(await benchNode({ targetOutbound: 0, maxConnections: 64 }, `p${i}`));
  const edges = randomEdges(N, DEGREE);
  for (const [a, b] of edges) await connect(nodes[a] as MegaNode, nodes[b] as MegaNode, 20_000);
  const degrees = nodes.map((x) => x.pool.list().length);
  note(`propagation: ${edges.length} edges, degree avg ${(degrees.reduce((s, d) => s + d, 0) / N).toFixed(1)}`);
  await sleep(500); // let handshake-time sync and addr gossip settle before counting bytes
  const bytesOut = (): number => nodes.reduce((s, x) => s + x.pool.totals().bytesOut, 0);
  // Frame counts, to split the bytes: inv messages sent and entities sent in answer to getdata.
  const invSent = (): number => nodes.reduce((s, x) => s + x.pool.relay.stats.invSent, 0);
  const itemsSent = (): number => nodes.reduce((s, x) => s + x.pool.relay.stats.itemsSent, 0);
  const stat = (k: 'invItemsSent' | 'lazyInvSent' | 'getDataSent' | 'prunesSent' | 'graftsSent'): number => nodes.reduce((s, x) => s + x.pool.relay.stats[k], 0);
  const need = Math.ceil(0.99 * N);

  // One unmeasured item first: every edge starts eager, so it floods and the duplicates prune the graph to a tree (PROTOCOL 11.7).
  const warm = ad(999_999);
  if ((await nodes[0]?.service.admit('oracle', warm))?.status !== 'accepted') throw new Error('warm-up item not accepted');
  await until(() => nodes.every((x) => hasItem(x, 'oracle', warm.pubkey)), 30_000, 1);
  // Full mode waits for the warm-up's lazy announcements; quick mode (bench:quick stays under 2 minutes) counts them
  // against the measured items instead, which can only make the figure worse.
  if (!QUICK) await lazyTail();

  // One item at a time: latency to 99 % and bytes per item (over the whole run, lazy announcements of the last item included).
  const times: number[] = [];
  let itemBytes = 0;
  const inv0 = invSent();
  const sent0 = itemsSent();
  const bytes0 = bytesOut();
  const tree0 = { invItems: stat('invItemsSent'), lazyInv: stat('lazyInvSent'), getData: stat('getDataSent'), prunes: stat('prunesSent'), grafts: stat('graftsSent') };
  for (let k = 0; k < items; k++) {
    const b = { oracle: ad(1_000_000 + k) };
    const origin = nodes[k % N] as MegaNode;
    const t0 = performance.now();
    if ((await origin.service.admit('oracle', b.oracle)).status !== 'accepted') throw new Error('not accepted');
    await until(() => nodes.filter((x) => hasItem(x, 'oracle', b.oracle.pubkey)).length >= need, 30_000, 1);
    times.push(performance.now() - t0);
    await until(() => nodes.every((x) => hasItem(x, 'oracle', b.oracle.pubkey)), 30_000, 1);
    await sleep(100);
    itemBytes += JSON.stringify(b.oracle).length;
  }
  await lazyTail();
  const perItemBytes = bytesOut() - bytes0;
  times.sort((a, b) => a - b);
  const avgItem = itemBytes / items;
  const single = {
    items,
    msTo99pct: { p50: r(pct(times, 50), 1), p90: r(pct(times, 90), 1), max: r(times[times.length - 1] as number, 1) },
    avgItemJsonBytes: Math.round(avgItem),
    bytesSentPerNodePerItem: Math.round(perItemBytes / items / N),
    ratioToItemSize: r(perItemBytes / items / N / avgItem, 2),
    invMessagesPerNodePerItem: r((invSent() - inv0) / items / N, 2),
    entitiesSentPerNodePerItem: r((itemsSent() - sent0) / items / N, 2),
    lazyInvMessagesPerNodePerItem: r((stat('lazyInvSent') - tree0.lazyInv) / items / N, 2),
    invItemsPerNodePerItem: r((stat('invItemsSent') - tree0.invItems) / items / N, 2),
    getDataMessagesPerNodePerItem: r((stat('getDataSent') - tree0.getData) / items / N, 2),
    prunes: stat('prunesSent') - tree0.prunes,
    grafts: stat('graftsSent') - tree0.grafts,
  };
  note(`propagation: single ${JSON.stringify(single)}`);

  // A burst: `batch` items submitted at once at one node (inv batching amortises the announcements).
  const burst = Array.from({ length: batch }, (_, k) => ad(2_000_000 + k));
  const before = bytesOut();
  const burstInv0 = invSent();
  const burstSent0 = itemsSent();
  for (const o of burst) await nodes[0]?.service.admit('oracle', o);
  const total = N * batch;
  const held = (): number => nodes.reduce((s, x) => s + x.service.counts().oracles, 0) - N * items;
  const ms99 = await until(() => held() >= 0.99 * total, 120_000, 5);
  await until(() => held() >= total, 120_000, 5);
  await lazyTail();
  const burstBytes = bytesOut() - before;
  const burstItem = burst.reduce((s, o) => s + JSON.stringify(o).length, 0) / batch;
  const burstResult = {
    items: batch,
    msTo99pctOfAllCopies: Math.round(ms99),
    bytesSentPerNodePerItem: Math.round(burstBytes / batch / N),
    avgItemJsonBytes: Math.round(burstItem),
    ratioToItemSize: r(burstBytes / batch / N / burstItem, 2),
    invMessagesPerNodePerItem: r((invSent() - burstInv0) / batch / N, 3),
    entitiesSentPerNodePerItem: r((itemsSent() - burstSent0) / batch / N, 2),
  };
  note(`propagation: burst ${JSON.stringify(burstResult)}`);
  writeResult('propagation', {
    nodes: N,
    itemCTTL: CTTL,
    edges: edges.length,
    averageDegree: r(degrees.reduce((s, d) => s + d, 0) / N, 1),
    setup: 'all nodes in one process (2 cores), loopback TCP, random graph = ring + random edges; items are signed oracle ads submitted in-process at one node; bytes = sum of pool.totals().bytesOut deltas (frames incl. inv/getdata/pings)',
    single,
    burst: burstResult,
    note: 'flooding would send about degree x item size per node per item; the push tree (PROTOCOL 11.7) sends the item once per node (its frame: 24 B header + JSON) along the tree and, on each lazy edge, its 22-character short version id in a periodic inv (25 B per id; a frame of 35 B + 25 B per id shared by the versions of one announcement round); a warm-up item forms the tree first',
  });
} finally {
  await stopAll(nodes);
}
process.exit(0);
