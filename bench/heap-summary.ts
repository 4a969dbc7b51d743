/** bench/heap-summary.ts - summary of a V8 sampling heap profile (`bench/sync.ts --heap-prof` writes one): bytes allocated per unit of work by allocating function, self and inclusive. Usage: node --import tsx bench/heap-summary.ts <file.heapprofile> [units, default 100000] [rows, default 30]. */
import fs from 'node:fs';

/** A node of V8's sampling heap profile (HeapProfiler.stopSampling). */
interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const [file, unitsArg = '100000', rowsArg = '30'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: bench/heap-summary.ts <file.heapprofile> [units] [rows]\n');
  process.exit(64);
}
const units = Number(unitsArg);
const rows = Number(rowsArg);
const head = (JSON.parse(fs.readFileSync(file, 'utf8')) as { head: HeapNode }).head;
const key = (n: HeapNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*\//, '')}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
/** Adds the subtree's bytes to every distinct frame on the path (a recursive frame counts once). */
function walk(n: HeapNode, onPath: Set<string>): number {
  const k = key(n);
  total += n.selfSize;
  self.set(k, (self.get(k) ?? 0) + n.selfSize);
  const fresh = !onPath.has(k);
  if (fresh) onPath.add(k);
  let sum = n.selfSize;
  for (const c of n.children) sum += walk(c, onPath);
  if (fresh) {
    onPath.delete(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + sum);
  }
  return sum;
}
walk(head, new Set());

const table = (m: Map<string, number>): string =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([k, v]) => `${String(Math.round(v / units)).padStart(8)}  ${k}`)
    .join('\n');
console.log(`${Math.round(total / units)} bytes allocated per unit (${units} units; sampled, objects collected since included)`);
console.log(`--- self, bytes per unit\n${table(self)}`);
console.log(`--- inclusive, bytes per unit\n${table(inclusive)}`);
