// protocol/verify-worker.mjs - worker thread of protocol/verify-pool.ts: answers batches of ECDSA checks and public-key checks with native libsecp256k1. Plain JS so it starts without a TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const secp = require('secp256k1');

// Layout of a batch (verify-pool.ts packBatch): `sigs` checks of 129 bytes (signature 64 · hash 32 ·
// compressed key 33), then `keys` public keys of 33 bytes. Views into the one transferred buffer:
// nothing is decoded or copied per check.
parentPort.on('message', (batch) => {
  const { id, sigs, keys } = batch;
  const bytes = new Uint8Array(batch.bytes);
  const sigOk = new Uint8Array(sigs);
  for (let i = 0, o = 0; i < sigs; i++, o += 129) {
    try {
      sigOk[i] = secp.ecdsaVerify(bytes.subarray(o, o + 64), bytes.subarray(o + 64, o + 96), bytes.subarray(o + 96, o + 129)) ? 1 : 0;
    } catch {
      sigOk[i] = 0; // r or s >= n, or a key not on the curve
    }
  }
  // A key whose signature verified is on the curve: no need to check it again (keys compared as bytes).
  const onCurve = new Set();
  for (let i = 0; i < sigs; i++) if (sigOk[i] === 1) onCurve.add(Buffer.from(batch.bytes, i * 129 + 96, 33).toString('latin1'));
  const pubOk = new Uint8Array(keys);
  for (let i = 0, o = sigs * 129; i < keys; i++, o += 33) {
    const key = bytes.subarray(o, o + 33);
    pubOk[i] = (onCurve.size > 0 && onCurve.has(Buffer.from(batch.bytes, o, 33).toString('latin1'))) || secp.publicKeyVerify(key) ? 1 : 0;
  }
  parentPort.postMessage({ id, sigOk, pubOk }, [sigOk.buffer, pubOk.buffer]);
});
