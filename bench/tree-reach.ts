/**
 * bench/tree-reach.ts - how far an item relayed along one shared spanning tree gets under the cTTL hop limit, on the
 * propagation benchmark's graph (issue #21, propagation bytes): the evidence behind the relay's hop-budget rule
 * (docs/PROTOCOL.md 11.7: versions below TREE_MIN_CTTL are flooded, not pushed along the tree). Pure graph arithmetic,
 * no nodes: for first-delivery trees (the tree a self-pruning push relay such as Plumtree keeps after its first item:
 * every node's edge of first arrival), it prints the tree's diameter against the
 * graph's, and for every origin the share of nodes within cTTL tree hops, against the graph's cTTL hops (what
 * inv/getdata flooding reaches).
 *   node --import tsx bench/tree-reach.ts [--nodes=100] [--degree=8] [--seed=21] [--cttl=5] [--trees=20]
 */
import { randomGraph, seededRandom } from './lib/graph.ts';
import { flag, note, r, writeResult } from './lib/measure.ts';

const N = flag('nodes', 100);
const DEGREE = flag('degree', 8);
const SEED = flag('seed', 21);
const CTTL = flag('cttl', 5);
const TREES = flag('trees', 20);

const adj: number[][] = Array.from({ length: N }, () => []);
for (const [a, b] of randomGraph(N, DEGREE, SEED)) {
  (adj[a] as number[]).push(b);
  (adj[b] as number[]).push(a);
}

/** Hop distances from `src` in graph `g` (-1: unreachable). */
function hops(src: number, g: number[][]): number[] {
  const d = new Array<number>(N).fill(-1);
  d[src] = 0;
  const q = [src];
  for (let i = 0; i < q.length; i++) {
    const u = q[i] as number;
    for (const v of g[u] as number[]) {
      if (d[v] === -1) {
        d[v] = (d[u] as number) + 1;
        q.push(v);
      }
    }
  }
  return d;
}

/**
 * The first-delivery tree of an item flooded from `root` when crossing an edge takes `delay()` (Dijkstra): each node
 * keeps the edge it first received the item on, as a push relay that prunes every duplicate does.
 */
function firstDeliveryTree(root: number, delay: () => number): number[][] {
  const at = new Array<number>(N).fill(Infinity);
  const parent = new Array<number>(N).fill(-1);
  const done = new Array<boolean>(N).fill(false);
  at[root] = 0;
  for (let k = 0; k < N; k++) {
    let u = -1;
    for (let i = 0; i < N; i++) if (!done[i] && (u === -1 || (at[i] as number) < (at[u] as number))) u = i;
    done[u] = true;
    for (const v of adj[u] as number[]) {
      const t = (at[u] as number) + delay();
      if (t < (at[v] as number)) {
        at[v] = t;
        parent[v] = u;
      }
    }
  }
  const tree: number[][] = Array.from({ length: N }, () => []);
  for (let v = 0; v < N; v++) {
    const p = parent[v] as number;
    if (p === -1) continue;
    (tree[v] as number[]).push(p);
    (tree[p] as number[]).push(v);
  }
  return tree;
}

/** Over every origin: mean share of nodes within CTTL hops, origins reaching >= 99 % of nodes, the diameter, and the hops to the 99th node (median origin). */
function reach(g: number[][]): { meanShare: number; originsReaching99: number; diameter: number; medianHopsTo99: number } {
  let share = 0;
  let origins99 = 0;
  let diameter = 0;
  const to99: number[] = [];
  for (let o = 0; o < N; o++) {
    const d = hops(o, g);
    const within = d.filter((x) => x >= 0 && x <= CTTL).length;
    share += within / N;
    if (within >= Math.ceil(0.99 * N)) origins99++;
    diameter = Math.max(diameter, ...d);
    to99.push([...d].sort((a, b) => a - b)[Math.ceil(0.99 * N) - 1] as number);
  }
  to99.sort((a, b) => a - b);
  return { meanShare: r(share / N, 3), originsReaching99: origins99, diameter, medianHopsTo99: to99[Math.floor(N / 2)] as number };
}

const graph = reach(adj);
note(`graph (${N} nodes, degree ${DEGREE}, seed ${SEED}): ${JSON.stringify(graph)}`);
const rnd = seededRandom(SEED + 1000);
const equal = Array.from({ length: TREES }, () => reach(firstDeliveryTree(Math.floor(rnd() * N), () => 1)));
// Under load a hop takes 1-4 units of time at random: the first arrivals then follow fast, not short, paths.
const uneven = Array.from({ length: TREES }, () => reach(firstDeliveryTree(Math.floor(rnd() * N), () => 1 + 3 * rnd())));
const summary = (xs: ReturnType<typeof reach>[]): Record<string, unknown> => ({
  meanShare: { min: Math.min(...xs.map((x) => x.meanShare)), max: Math.max(...xs.map((x) => x.meanShare)) },
  originsReaching99: { min: Math.min(...xs.map((x) => x.originsReaching99)), max: Math.max(...xs.map((x) => x.originsReaching99)) },
  diameter: { min: Math.min(...xs.map((x) => x.diameter)), max: Math.max(...xs.map((x) => x.diameter)) },
  medianHopsTo99: { min: Math.min(...xs.map((x) => x.medianHopsTo99)), max: Math.max(...xs.map((x) => x.medianHopsTo99)) },
});
const result = {
  nodes: N,
  degree: DEGREE,
  seed: SEED,
  cTTL: CTTL,
  graph,
  firstDeliveryTrees: { equalHopDelays: summary(equal), unevenHopDelays: summary(uneven), treesEach: TREES },
  method: 'per origin: the share of nodes within cTTL hops (a relay lowers cTTL by one per hop and an item at cTTL 0 goes no further); graph = inv/getdata flooding (shortest paths); first-delivery trees = the edges of first arrival of an item flooded from a random root, which a push relay that prunes duplicates keeps',
};
note(`first-delivery trees: ${JSON.stringify(result.firstDeliveryTrees)}`);
writeResult('tree-reach', result);
