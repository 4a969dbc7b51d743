/** bench/lib/lookup-node.ts - the node side of bench/lookup.ts, run as its own process (own V8 heap and event loop): start a bench node, store the oracles, capabilities and reports (`--phase=registry`) or the DLC announcements, attestations and offers (`--phase=dlc`), then serve until told to stop, recording its GC pauses. */
import type { Report, Verified } from '../../src/protocol/types.ts';
import { reportId } from '../../src/protocol/ids.ts';
import { stopAll } from '../../test/helpers/network.ts';
import { makeBundle, makeMissingReport } from './gen.ts';
import { populateDlc, type DlcPopulation } from './gen-dlc.ts';
import { AllocMeter, HeapSampler, recordGc, type GcEvent } from './gc.ts';
import { flag, note, QUICK } from './measure.ts';
import { benchNode, stored } from './node.ts';

/** Messages from this process to bench/lookup.ts. */
export type FromNode =
  | { type: 'pubkeys'; pubkeys: string[] }
  | { type: 'dlc'; population: DlcPopulation }
  | {
      type: 'ready';
      port: number;
      oracles: number;
      reportsPer: number;
      populateSeconds: number;
      heapSettled: boolean;
      heapUsedMiB: number;
      stored: number;
      counts: Record<string, number>;
    }
  | { type: 'gc'; events: GcEvent[]; heapUsedMiB: number }
  | { type: 'alloc-started' }
  | { type: 'alloc'; bytes: number; external: number; gcs: number }
  | { type: 'heap-prof'; file: string };

/**
 * Messages from bench/lookup.ts to this process. `alloc-start` / `alloc-end` bracket a batch of
 * requests whose allocation is measured (see allocStart); `heap-prof-start` / `heap-prof-stop`
 * bracket a sampling heap profile written to `file`.
 */
export type ToNode = { type: 'gc' } | { type: 'stop' } | { type: 'alloc-start' } | { type: 'alloc-end' } | { type: 'heap-prof-start'; interval: number } | { type: 'heap-prof-stop'; file: string };

if (!process.send) throw new Error('bench/lib/lookup-node.ts is started by bench/lookup.ts (it needs the IPC channel)');
const send = (m: FromNode): Promise<void> =>
  new Promise((resolve, reject) => {
    process.send?.(m, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve()));
  });

const phase = process.argv.find((a) => a.startsWith('--phase='))?.slice('--phase='.length) ?? 'registry';
const n = phase === 'registry' ? flag('oracles', QUICK ? 5_000 : 100_000) : 0;
const reportsPer = phase === 'registry' ? flag('reports', 10) : 0;
const nAnn = flag('announcements', QUICK ? 3_000 : 1_000_000);
const nOffers = flag('offers', QUICK ? 3_000 : 1_000_000);
const node = await benchNode({
  maxOracles: 1_000_000,
  maxReports: Math.max(1000, reportsPer),
  maxAnnouncements: Math.max(100_000, nAnn),
  maxAnnouncementBytes: 4 * 1024 ** 3,
  maxOffers: Math.max(100_000, nOffers),
  maxOfferBytes: 4 * 1024 ** 3,
});
const t0 = performance.now();
const pubkeys: string[] = [];
let dlc: DlcPopulation | null = null;
let reports = 0;
if (phase === 'dlc') {
  note(`lookup node (pid ${process.pid}): storing ${nAnn} DLC announcements (1 in 100 attested) and ${nOffers} offers (real signed entities, mempool store API)`);
  dlc = await populateDlc(node, nAnn, nOffers, 100, { workers: flag('gen-workers', 2), progress: (s) => note(`lookup node: ${s}`) });
  note(`lookup node: DLC populated in ${((performance.now() - t0) / 1000).toFixed(1)} s (${JSON.stringify(dlc.seconds)})`);
} else {
  note(`lookup node (pid ${process.pid}): generating and storing ${n} oracles + capabilities (service.admit, signatures verified)`);
}
for (let i = 0; i < n; i++) {
  const b = makeBundle(i);
  pubkeys.push(b.oracle.pubkey);
  if ((await node.service.admit('oracle', b.oracle)).status !== 'accepted') throw new Error('oracle not accepted');
  if ((await node.service.admit('capability', b.capability)).status !== 'accepted') throw new Error('capability not accepted');
  // Reports go straight into the mempool (id computed as the service does): the lookup path is the
  // same, and admitting 1M reports through the service would dominate the run (see ingest for that path).
  for (let j = 0; j < reportsPer; j++) {
    const rep = makeMissingReport(b, j);
    if (node.mempool.addReport(rep as Verified<Report>, reportId(rep)).status === 'accepted') reports++;
  }
  if (i % 10_000 === 9_999) note(`lookup node: ${i + 1} oracles, ${reports} reports`);
}
const populateSeconds = (performance.now() - t0) / 1000;
// The keys go to the client before the heap is settled: serializing 100k of them is several MB that
// would otherwise still be in the young generation when the first query is measured.
if (dlc) await send({ type: 'dlc', population: dlc });
else await send({ type: 'pubkeys', pubkeys: pubkeys.splice(0) });
dlc = null;
// Settle the heap before serving: building a ~1 GB heap in a few minutes leaves a major GC (marking,
// sweeping) in progress, and its pauses would land on the first queries. A node that holds this much
// has long finished that; lookups are measured in that steady state.
const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < 2; i++) gc?.();
const prefixed = (p: string, o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${p}.${k}`, v]));
const heapUsedMiB = (): number => Math.round(process.memoryUsage().heapUsed / 2 ** 20);

// The node's GC pauses from here on; bench/lookup.ts collects them after each query's samples.
const events: GcEvent[] = [];
const stopGc = recordGc(events);

const meter = new AllocMeter(gc);
const sampler = new HeapSampler();

process.on('message', (m: ToNode) => {
  if (m.type === 'gc') void send({ type: 'gc', events: events.splice(0), heapUsedMiB: heapUsedMiB() });
  else if (m.type === 'alloc-start') void meter.start().then(() => send({ type: 'alloc-started' }));
  else if (m.type === 'alloc-end') void meter.end().then((a) => send({ type: 'alloc', ...a }));
  else if (m.type === 'heap-prof-start') void sampler.start(m.interval).then(() => send({ type: 'alloc-started' }));
  else if (m.type === 'heap-prof-stop') void sampler.stop(m.file).then(() => send({ type: 'heap-prof', file: m.file }));
  else if (m.type === 'stop') {
    stopGc();
    stopAll([node]).then(
      () => process.exit(0),
      (err: unknown) => {
        note(`lookup node: stop failed: ${String(err)}`);
        process.exit(1);
      },
    );
  }
});
note(`lookup node: stored ${stored(node)} entries in ${populateSeconds.toFixed(1)} s, heap ${heapUsedMiB()} MiB`);
await send({
  type: 'ready',
  port: node.httpPort,
  oracles: n,
  reportsPer,
  populateSeconds,
  heapSettled: gc !== undefined,
  heapUsedMiB: heapUsedMiB(),
  stored: stored(node),
  counts: { ...node.service.counts(), ...prefixed('dlc', node.mempool.dlcCounts()), ...prefixed('offer', node.mempool.offerCounts()) },
});
