/*! protocol/pow-worker.mjs - hashcash search loop run in a worker thread by pow-miner.ts.
 * Plain JavaScript on purpose: a worker does not inherit a programmatically registered TypeScript
 * loader (the `mega` CLI registers tsx that way), so this file must load under bare Node. */
import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { preimage, difficulty, magicString, start, step } = workerData;
const suffix = magicString ?? '';
const zeroNibbles = Math.floor(difficulty / 4);
const zeroPrefix = '0'.repeat(zeroNibbles);
// The nibble after the zero prefix must be below this bound to supply the remaining bits.
const nextBound = 1 << (4 - (difficulty % 4));
const REPORT_EVERY = 1 << 15;
const hash = crypto.hash
  ? (s) => crypto.hash('sha256', s, 'hex')
  : (s) => crypto.createHash('sha256').update(s).digest('hex');

let n = start;
let count = 0;
for (;;) {
  const h = hash(preimage + String(n) + suffix);
  if (h.startsWith(zeroPrefix) && (difficulty % 4 === 0 || parseInt(h[zeroNibbles], 16) < nextBound)) {
    parentPort.postMessage({ type: 'found', magicNo: n, hash: h, hashes: count + 1 });
    break;
  }
  n += step;
  if (n > Number.MAX_SAFE_INTEGER) {
    parentPort.postMessage({ type: 'exhausted', hashes: count + 1 });
    break;
  }
  if (++count === REPORT_EVERY) {
    parentPort.postMessage({ type: 'progress', hashes: count });
    count = 0;
  }
}
