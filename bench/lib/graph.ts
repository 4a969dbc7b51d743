/** bench/lib/graph.ts - seeded, reproducible random graphs for the propagation benchmarks: a ring (so the graph is connected) plus random edges up to an average degree. */

/** mulberry32: a small seeded PRNG, so a seed pins the same graph and item origins in every run and for every implementation. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Undirected edges [a, b] (a dials b): a ring 0-1-…-(n-1)-0 plus distinct random edges until there are n·degree/2. */
export function randomGraph(n: number, degree: number, seed: number): [number, number][] {
  if (n < 2) throw new Error('a graph needs at least 2 nodes');
  if (degree >= n) throw new Error(`degree ${degree} needs more than ${n} nodes`);
  const rnd = seededRandom(seed);
  const key = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const seen = new Set<string>();
  const edges: [number, number][] = [];
  const add = (a: number, b: number): void => {
    if (a === b || seen.has(key(a, b))) return;
    seen.add(key(a, b));
    edges.push([a, b]);
  };
  for (let i = 0; i < n; i++) add(i, (i + 1) % n);
  const target = Math.floor((n * degree) / 2);
  while (edges.length < target) add(Math.floor(rnd() * n), Math.floor(rnd() * n));
  return edges;
}

/** Degree of every node in `edges`. */
export function degrees(n: number, edges: [number, number][]): number[] {
  const d = new Array<number>(n).fill(0);
  for (const [a, b] of edges) {
    d[a] = (d[a] as number) + 1;
    d[b] = (d[b] as number) + 1;
  }
  return d;
}
