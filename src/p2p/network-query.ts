/** p2p/network-query.ts - gather reports kept by peers that store other shards (GET /reports?scope=network), over their REST API with timeouts and size limits. Imports nothing from mempool or api. */
import type { Report } from '../protocol/types.ts';
import type { Logger } from '../log.ts';
import { NETWORK_QUERY_MAX_BYTES, NETWORK_QUERY_MAX_PEERS, NETWORK_QUERY_TIMEOUT_MS } from './constants.ts';
import type { PoolPeerSummary } from './pool.ts';

/** A report as peers list it (GET /reports). */
export interface RemoteReport {
  id: string;
  report: Report;
  dispute: unknown;
}

/** Options of {@link queryNetworkReports}. */
export interface NetworkQueryDeps {
  peers: () => PoolPeerSummary[];
  ownShard: { count: number; index: number };
  log: Logger;
  fetchImpl?: typeof fetch;
}

/** Shards ("count/index") no connected peer and not this node stores, over every shard count seen. */
export function uncoveredShards(peers: PoolPeerSummary[], own: { count: number; index: number }): string[] {
  const covered = new Set<string>([`${own.count}/${own.index}`]);
  const counts = new Set<number>([own.count]);
  for (const p of peers) {
    if (!p.shard) continue;
    covered.add(`${p.shard.count}/${p.shard.index}`);
    counts.add(p.shard.count);
  }
  const out: string[] = [];
  for (const c of counts) for (let i = 0; i < c && out.length < NETWORK_QUERY_MAX_PEERS; i++) if (!covered.has(`${c}/${i}`)) out.push(`${c}/${i}`);
  return out;
}

/**
 * Ask peers that store shards other than ours (one per shard index, at most a few) for the reports
 * against `pubkey`. With `depth` 1 and a shard no connected peer stores, peers are asked with
 * `scope=network&depth=0` instead, so each gathers from its own peers of other shards (one hop
 * further; same-shard peers are asked too when they are all we have). At most
 * NETWORK_QUERY_MAX_PEERS calls per hop. Answers are untrusted: the caller re-checks every report.
 */
export async function queryNetworkReports(pubkey: string, deps: NetworkQueryDeps, depth = 0): Promise<RemoteReport[]> {
  const doFetch = deps.fetchImpl ?? fetch;
  const peers = deps.peers().filter((p) => p.httpPort > 0);
  const chosen = new Map<string, PoolPeerSummary>();
  for (const p of peers) {
    if (!p.shard) continue;
    if (p.shard.count === deps.ownShard.count && p.shard.index === deps.ownShard.index) continue;
    const key = `${p.shard.count}/${p.shard.index}`;
    if (!chosen.has(key)) chosen.set(key, p);
    if (chosen.size >= NETWORK_QUERY_MAX_PEERS) break;
  }
  const farther = depth >= 1 && uncoveredShards(peers, deps.ownShard).length > 0;
  if (farther) {
    // Relays: any peer may know a peer of the missing shard; fill the per-hop budget with the rest.
    for (const p of peers) {
      if (chosen.size >= NETWORK_QUERY_MAX_PEERS) break;
      const key = `relay ${p.ip}:${p.httpPort}`;
      if (![...chosen.values()].includes(p)) chosen.set(key, p);
    }
  }
  const scope = farther ? '&scope=network&depth=0' : '';
  const results = await Promise.all(
    [...chosen.values()].map(async (p) => {
      const host = p.ip.includes(':') ? `[${p.ip}]` : p.ip;
      const url = `http://${host}:${p.httpPort}/reports?pubkey=${pubkey}&chunkSize=1000${scope}`;
      try {
        const res = await doFetch(url, { signal: AbortSignal.timeout(NETWORK_QUERY_TIMEOUT_MS), redirect: 'error' });
        if (!res.ok) return [];
        const declared = Number(res.headers.get('content-length') ?? '0');
        if (declared > NETWORK_QUERY_MAX_BYTES) return [];
        const text = await res.text();
        if (text.length > NETWORK_QUERY_MAX_BYTES) return [];
        const body = JSON.parse(text) as unknown;
        return Array.isArray(body) ? (body as RemoteReport[]) : [];
      } catch (err) {
        deps.log.debug({ url, err: (err as Error).message }, 'network report query failed');
        return [];
      }
    }),
  );
  return results.flat();
}
