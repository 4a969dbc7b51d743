/** bench/sync.ts - time for a new node to fetch a whole mempool from one peer on join (version/verack, mempool, paced inv of short version ids, getdata, entities). */
import type { Report, Verified } from '../src/protocol/types.ts';
import { reportId } from '../src/protocol/ids.ts';
import type { MegaNode } from '../src/node.ts';
import { connect, stopAll } from '../test/helpers/network.ts';
import { makeBundle, makeMissingReport } from './lib/gen.ts';
import { benchNode, stored } from './lib/node.ts';
import { flag, note, QUICK, r, until, writeResult } from './lib/measure.ts';

const entries = flag('entries', QUICK ? 20_000 : 100_000);
const limits: (number | null)[] = QUICK ? [1_000_000] : [null, 1_000_000];

// Mix: per oracle one capability and 8 fact-missing reports (10 entries), so 20 % of entries carry a signature.
const oracles = Math.ceil(entries / 10);
const nodes: MegaNode[] = [];
try {
  const src = await benchNode({ maxOracles: 1_000_000, maxReports: 1000 }, 'sync-src');
  nodes.push(src);
  note(`sync: storing ${entries} entries at the source node`);
  for (let i = 0; i < oracles && stored(src) < entries; i++) {
    const b = makeBundle(i);
    await src.service.admit('oracle', b.oracle);
    await src.service.admit('capability', b.capability);
    for (let j = 0; j < 8 && stored(src) < entries; j++) {
      const rep = makeMissingReport(b, j);
      src.mempool.addReport(rep as Verified<Report>, reportId(rep));
    }
  }
  const total = stored(src);
  const runs: Record<string, unknown>[] = [];
  for (const limit of limits) {
    const joiner = await benchNode({ maxOracles: 1_000_000, maxReports: 1000, ...(limit === null ? {} : { p2pMaxMessagesPerSecond: limit }) }, `sync-new-${runs.length}`);
    nodes.push(joiner);
    const b0 = src.pool.totals().bytesOut;
    const j0 = joiner.pool.totals().bytesOut;
    const t0 = performance.now();
    await connect(joiner, src, 20_000);
    let ms: number;
    try {
      ms = await until(() => stored(joiner) >= total, QUICK ? 90_000 : 300_000, 20);
    } catch {
      ms = NaN;
    }
    const elapsed = Number.isNaN(ms) ? NaN : performance.now() - t0;
    const run = {
      joinerP2pMaxMessagesPerSecond: limit ?? 'default',
      entries: total,
      fetched: stored(joiner),
      seconds: r(elapsed / 1000, 2),
      entriesPerSec: Math.round(total / (elapsed / 1000)),
      bytesSentBySource: src.pool.totals().bytesOut - b0,
      // getdata of short version ids (and the joiner's own, nearly empty, inventory answer).
      bytesSentByJoiner: joiner.pool.totals().bytesOut - j0,
    };
    runs.push(run);
    note(`sync: ${JSON.stringify(run)}`);
    nodes.pop();
    await joiner.stop();
  }
  writeResult('sync', {
    setup: 'source filled in-process (oracles and capabilities through service.admit, fact-missing reports through mempool.addReport); a fresh node dials it and fetches everything over P2P (full admission: schema, PoW, signatures); both nodes in one process',
    mix: 'per oracle: 1 oracle, 1 capability, 8 fact-missing reports',
    runs,
  });
} finally {
  await stopAll(nodes);
}
process.exit(0);
