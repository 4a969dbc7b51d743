/** bench/lib/sync-source.ts - the source node of bench/sync.ts in its own process: fills its mempool with the sync mix, then answers `bytes` (what its pool sent) and `stop` over IPC, so the benchmark's own process holds only the joining node. */
import type { Report, Verified } from '../../src/protocol/types.ts';
import { reportId } from '../../src/protocol/ids.ts';
import { makeBundle, makeMissingReport } from './gen.ts';
import { benchNode, stored } from './node.ts';
import { flag, note } from './measure.ts';

/** Parent → source. */
export type ToSource = { type: 'bytes' } | { type: 'stop' };
/** Source → parent. */
export type FromSource = { type: 'ready'; port: number; entries: number } | { type: 'bytes'; bytesOut: number };

const send = (m: FromSource): Promise<void> => new Promise((resolve) => process.send?.(m, () => resolve()));

const entries = flag('entries', 100_000);
// Mix: per oracle one capability and 8 fact-missing reports (10 entries), so 20 % of entries carry a signature.
const oracles = Math.ceil(entries / 10);
const src = await benchNode({ maxOracles: 1_000_000, maxReports: 1000 }, 'sync-src');
note(`sync source: storing ${entries} entries`);
for (let i = 0; i < oracles && stored(src) < entries; i++) {
  const b = makeBundle(i);
  await src.service.admit('oracle', b.oracle);
  await src.service.admit('capability', b.capability);
  for (let j = 0; j < 8 && stored(src) < entries; j++) {
    const rep = makeMissingReport(b, j);
    src.mempool.addReport(rep as Verified<Report>, reportId(rep));
  }
}
process.on('message', (m: ToSource) => {
  if (m.type === 'bytes') void send({ type: 'bytes', bytesOut: src.pool.totals().bytesOut });
  else if (m.type === 'stop') void src.stop().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0)); // the benchmark went away
await send({ type: 'ready', port: src.p2pPort, entries: stored(src) });
