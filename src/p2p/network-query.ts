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

/**
 * Ask peers that store shards other than ours (one per shard index, at most a few) for the reports
 * against `pubkey`. Answers are untrusted: the caller re-checks every report before showing it.
 */
export async function queryNetworkReports(pubkey: string, deps: NetworkQueryDeps): Promise<RemoteReport[]> {
  const doFetch = deps.fetchImpl ?? fetch;
  const chosen = new Map<string, PoolPeerSummary>();
  for (const p of deps.peers()) {
    if (!p.shard || p.httpPort <= 0) continue;
    if (p.shard.count === deps.ownShard.count && p.shard.index === deps.ownShard.index) continue;
    const key = `${p.shard.count}/${p.shard.index}`;
    if (!chosen.has(key)) chosen.set(key, p);
    if (chosen.size >= NETWORK_QUERY_MAX_PEERS) break;
  }
  const results = await Promise.all(
    [...chosen.values()].map(async (p) => {
      const host = p.ip.includes(':') ? `[${p.ip}]` : p.ip;
      const url = `http://${host}:${p.httpPort}/reports?pubkey=${pubkey}&chunkSize=1000`;
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
