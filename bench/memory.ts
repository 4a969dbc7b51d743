/** bench/memory.ts - heap bytes per stored entry (oracle, capability, report) against its JSON size; run with --expose-gc. */
import { stopAll } from '../test/helpers/network.ts';
import { makeBundle, makeMissingReport } from './lib/gen.ts';
import { benchNode } from './lib/node.ts';
import { flag, note, QUICK, r, writeResult } from './lib/measure.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const n = flag('oracles', QUICK ? 3_000 : 20_000);
const reportsPer = flag('reports', 10);
const node = await benchNode({ maxOracles: 1_000_000, maxReports: 1000 });
try {
  // Inputs are held as Buffers (outside the V8 heap, so heapUsed never counts them) and decoded one
  // at a time, as the node would receive them. Earlier versions kept JS strings and subtracted an
  // estimate of the freed text; JSON.stringify output is a rope of several parts, so that estimate
  // was ~150 B per entry short and flattered the ratio by ~0.3-0.4 x.
  note(`memory: generating ${n} oracles, ${n} capabilities, ${n * reportsPer} reports as JSON (Buffers, off-heap)`);
  const bundles = Array.from({ length: n }, (_, i) => makeBundle(i));
  const toBuf = (x: unknown): Buffer => Buffer.from(JSON.stringify(x), 'utf8');
  const oracleJson = bundles.map((b) => toBuf(b.oracle));
  const capJson = bundles.map((b) => toBuf(b.capability));
  const reportJson: Buffer[] = [];
  for (const b of bundles) for (let j = 0; j < reportsPer; j++) reportJson.push(toBuf(makeMissingReport(b, j)));
  bundles.length = 0;
  const out: Record<string, unknown> = {};
  for (const [kind, list] of [['oracle', oracleJson], ['capability', capJson], ['report', reportJson]] as const) {
    const jsonBytes = list.reduce((s, x) => s + x.length, 0);
    const before = heap();
    let accepted = 0;
    for (const buf of list) {
      if ((await node.service.admit(kind, JSON.parse(buf.toString('utf8')))).status === 'accepted') accepted++;
    }
    const after = heap();
    const perEntry = (after - before) / accepted;
    const avgJson = jsonBytes / list.length;
    out[kind] = { entries: accepted, avgJsonBytes: r(avgJson, 1), heapBytesPerEntry: Math.round(perEntry), ratio: r(perEntry / avgJson, 2) };
    note(`memory: ${kind} ${JSON.stringify(out[kind])}`);
  }
  const ratios = Object.values(out).map((x) => (x as { ratio: number }).ratio);
  writeResult('memory', {
    method: 'heapUsed after gc, before and after submitting N entries through node.service.admit (in-process, full node incl. seen cache), divided by N; inputs held off-heap as Buffers',
    ...out,
    goal: 'heap bytes per entry <= 3 x JSON size',
    goalMet: ratios.every((x) => x <= 3),
  });
} finally {
  await stopAll([node]);
}
process.exit(0);
