// protocol/verify-worker.mjs - worker thread of protocol/verify-pool.ts: answers batches of ECDSA checks and public-key checks with native libsecp256k1. Plain JS so it starts without a TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const secp = require('secp256k1');

parentPort.on('message', (batch) => {
  const { id, sigs, pubkeys } = batch;
  const sigOk = new Uint8Array(sigs.length / 3);
  for (let i = 0; i < sigOk.length; i++) {
    try {
      const ok = secp.ecdsaVerify(Buffer.from(sigs[3 * i], 'hex'), Buffer.from(sigs[3 * i + 1], 'hex'), Buffer.from(sigs[3 * i + 2], 'hex'));
      sigOk[i] = ok ? 1 : 0;
    } catch {
      sigOk[i] = 0; // r or s >= n, or a key not on the curve
    }
  }
  // A key whose signature verified is on the curve: no need to check it again.
  const onCurve = new Set();
  for (let i = 0; i < sigOk.length; i++) if (sigOk[i] === 1) onCurve.add(sigs[3 * i + 2]);
  const pubOk = new Uint8Array(pubkeys.length);
  for (let i = 0; i < pubkeys.length; i++) pubOk[i] = onCurve.has(pubkeys[i]) || secp.publicKeyVerify(Buffer.from(pubkeys[i], 'hex')) ? 1 : 0;
  parentPort.postMessage({ id, sigOk, pubOk }, [sigOk.buffer, pubOk.buffer]);
});
