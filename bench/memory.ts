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
  // Messages are held only as JSON text until submitted (the node parses what it receives), so the
  // heap delta counts what the node keeps, not the benchmark's inputs.
  note(`memory: generating ${n} oracles, ${n} capabilities, ${n * reportsPer} reports as JSON text`);
  const bundles = Array.from({ length: n }, (_, i) => makeBundle(i));
  const oracleJson = bundles.map((b) => JSON.stringify(b.oracle));
  const capJson = bundles.map((b) => JSON.stringify(b.capability));
  const reportJson: string[] = [];
  for (const b of bundles) for (let j = 0; j < reportsPer; j++) reportJson.push(JSON.stringify(makeMissingReport(b, j)));
  bundles.length = 0;
  const out: Record<string, unknown> = {};
  for (const [kind, list] of [['oracle', oracleJson], ['capability', capJson], ['report', reportJson]] as const) {
    const jsonBytes = list.reduce((s, x) => s + x.length, 0);
    const before = heap();
    let accepted = 0;
    for (let i = 0; i < list.length; i++) {
      if (node.service.submit(kind, JSON.parse(list[i] as string)).status === 'accepted') accepted++;
      list[i] = ''; // drop the input text as we go
    }
    const textFreed = jsonBytes + 16 * list.length; // sequential one-byte strings: 1 byte per char + a 16-byte header, freed above
    const after = heap();
    const perEntry = (after - before + textFreed) / accepted;
    const avgJson = jsonBytes / list.length;
    out[kind] = { entries: accepted, avgJsonBytes: r(avgJson, 1), heapBytesPerEntry: Math.round(perEntry), ratio: r(perEntry / avgJson, 2) };
    note(`memory: ${kind} ${JSON.stringify(out[kind])}`);
  }
  const ratios = Object.values(out).map((x) => (x as { ratio: number }).ratio);
  writeResult('memory', {
    method: 'heapUsed after gc, before and after submitting N entries through node.service.submit (in-process, full node incl. seen cache), plus the freed input JSON text, divided by N',
    ...out,
    goal: 'heap bytes per entry <= 3 x JSON size',
    goalMet: ratios.every((x) => x <= 3),
  });
} finally {
  await stopAll([node]);
}
process.exit(0);
