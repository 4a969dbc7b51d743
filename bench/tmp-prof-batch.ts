import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import { stopAll } from '../test/helpers/network.ts';
import { ingestMix } from './lib/gen.ts';
import { benchNode, stored } from './lib/node.ts';
import { flag, r } from './lib/measure.ts';
import { restLoad } from './lib/rest-load.ts';

interface PN { id: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: PN[]; samples: number[]; timeDeltas: number[] }
const oracles = flag('oracles', 3000);
const batch = flag('batch', 100);
const conns = flag('conns', 16);
const { msgs } = ingestMix(oracles);
const phases = (['oracle', 'capability', 'report'] as const).map((kind) => {
  const bodies = msgs.filter((m) => m.kind === kind).map((m) => m.body);
  const out: string[] = [];
  for (let i = 0; i < bodies.length; i += batch) out.push(JSON.stringify({ items: bodies.slice(i, i + batch).map((entity) => ({ kind, entity })) }));
  return { path: '/entities', bodies: out };
});
function mainCpu(): number { const f = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; }
async function run(session: inspector.Session | null) {
  const node = await benchNode({ maxReports: 1000, maxOracles: 1_000_000 });
  try {
    if (session) await session.post('Profiler.start');
    const c0 = process.cpuUsage(); const m0 = mainCpu();
    const res = await restLoad(node.httpPort, phases, conns, 1);
    const c = process.cpuUsage(c0); const m1 = mainCpu();
    const profile = session ? ((await session.post('Profiler.stop')) as { profile: Profile }).profile : null;
    console.log(JSON.stringify({ stored: stored(node), perSec: Math.round(msgs.length / res.seconds), mainUs: r((m1 - m0) / msgs.length, 1), procUs: r((c.user + c.system) / msgs.length, 1), load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') }));
    return profile;
  } finally { await stopAll([node]); }
}
await run(null);
const measure = flag('measure', 0);
if (measure > 0) { for (let i = 0; i < measure; i++) await run(null); process.exit(0); }
const session = new inspector.Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 });
const p = (await run(session))!;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const fn = new Map<string, number>(); const file = new Map<string, number>(); let total = 0;
p.samples.forEach((s, i) => { const n = byId.get(s); const d = p.timeDeltas[i] ?? 0; if (!n || n.callFrame.functionName === '(idle)') return; total += d;
  const f = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/|bench\/|test\/)/, '$1') || '(native)';
  const k = `${n.callFrame.functionName || '(anon)'}  ${f}:${n.callFrame.lineNumber + 1}`; fn.set(k, (fn.get(k) ?? 0) + d); const fk = f.replace(/:.*$/, ''); file.set(fk, (file.get(fk) ?? 0) + d); });
const show = (m: Map<string, number>, n: number) => { for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)} %  ${(v / msgs.length).toFixed(1).padStart(6)} us/msg  ${k}`); };
const parent = new Map<number, number>(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const callers = new Map<string, number>();
p.samples.forEach((s, i) => { const n = byId.get(s); if (!n) return; const k = n.callFrame.functionName; const u = n.callFrame.url;
  if (!(k === 'writev' || k === '(garbage collector)' || k === 'postMessage')) return; let chain = [] as string[]; let id = parent.get(s);
  for (let j = 0; j < 7 && id !== undefined; j++) { const pn = byId.get(id)!; chain.push(pn.callFrame.functionName + '@' + pn.callFrame.url.replace(/^.*\//, '')); id = parent.get(id); }
  const key = k + ' <- ' + chain.join(' <- '); callers.set(key, (callers.get(key) ?? 0) + (p.timeDeltas[i] ?? 0)); });
for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log((v / msgs.length).toFixed(1), 'us/msg', k);
console.log(`busy ${(total / 1000).toFixed(0)} ms = ${(total / msgs.length).toFixed(1)} us/msg`); show(fn, 40); console.log('--files'); show(file, 25);
process.exit(0);
