/** bench/propagation.ts - 30+ in-process nodes on loopback in a random graph of degree ~8: time until 99 % hold a new item, and bytes sent per node per item against the item's size. */
import type { MegaNode } from '../src/node.ts';
import { connect, hasItem, stopAll } from '../test/helpers/network.ts';
import { makeBundle } from './lib/gen.ts';
import { benchNode } from './lib/node.ts';
import { flag, note, pct, QUICK, r, sleep, until, writeResult } from './lib/measure.ts';

const N = flag('nodes', 30);
const DEGREE = flag('degree', 8);
const items = flag('items', QUICK ? 10 : 100);
const batch = flag('batch', QUICK ? 200 : 1000);

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
  const need = Math.ceil(0.99 * N);

  // One item at a time: latency to 99 % and bytes per item.
  const times: number[] = [];
  let perItemBytes = 0;
  let itemBytes = 0;
  const inv0 = invSent();
  const sent0 = itemsSent();
  for (let k = 0; k < items; k++) {
    const b = makeBundle(1_000_000 + k);
    const origin = nodes[k % N] as MegaNode;
    const before = bytesOut();
    const t0 = performance.now();
    if ((await origin.service.admit('oracle', b.oracle)).status !== 'accepted') throw new Error('not accepted');
    await until(() => nodes.filter((x) => hasItem(x, 'oracle', b.oracle.pubkey)).length >= need, 30_000, 1);
    times.push(performance.now() - t0);
    await until(() => nodes.every((x) => hasItem(x, 'oracle', b.oracle.pubkey)), 30_000, 1);
    await sleep(30); // late inv frames of the item
    perItemBytes += bytesOut() - before;
    itemBytes += JSON.stringify(b.oracle).length;
  }
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
  };
  note(`propagation: single ${JSON.stringify(single)}`);

  // A burst: `batch` items submitted at once at one node (inv batching amortises the announcements).
  const burst = Array.from({ length: batch }, (_, k) => makeBundle(2_000_000 + k).oracle);
  const before = bytesOut();
  const burstInv0 = invSent();
  const burstSent0 = itemsSent();
  for (const o of burst) await nodes[0]?.service.admit('oracle', o);
  const total = N * batch;
  const held = (): number => nodes.reduce((s, x) => s + x.service.counts().oracles, 0) - N * items;
  const ms99 = await until(() => held() >= 0.99 * total, 120_000, 5);
  await until(() => held() >= total, 120_000, 5);
  await sleep(100);
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
    edges: edges.length,
    averageDegree: r(degrees.reduce((s, d) => s + d, 0) / N, 1),
    setup: 'all nodes in one process (2 cores), loopback TCP, random graph = ring + random edges; items are signed oracle ads submitted in-process at one node; bytes = sum of pool.totals().bytesOut deltas (frames incl. inv/getdata/pings)',
    single,
    burst: burstResult,
    note: 'flooding would send about degree x item size per node per item; inv/getdata sends the item once per node (its frame: 24 B header + JSON) plus, per edge on which the item was not yet known, an inv of its 22-character short version id (60 B frame alone; items announced in one turn share a frame) and one getdata per node (60 B)',
  });
} finally {
  await stopAll(nodes);
}
process.exit(0);
