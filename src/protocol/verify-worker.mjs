// protocol/verify-worker.mjs - worker thread of protocol/verify-pool.ts: answers batches of ECDSA checks and public-key checks with native libsecp256k1, and of BIP340 checks and x-only point checks with tiny-secp256k1 (libsecp256k1 as WASM, the library dlc/schnorr.ts verifies with). Plain JS so it starts without a TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const secp = require('secp256k1');
const ecc = require('tiny-secp256k1');

// Layout of a batch (verify-pool.ts packBatch): `sigs` checks of 129 bytes (signature 64 · hash 32 ·
// compressed key 33), then `keys` public keys of 33 bytes, then `schnorr` BIP340 checks of 128 bytes
// (signature 64 · message 32 · x-only key 32), then `points` x-only points of 32 bytes. Views into the
// one transferred buffer: nothing is decoded or copied per check.
parentPort.on('message', (batch) => {
  // The pool is closing: end the thread between batches. A thread terminated in the middle of a native call
  // (libsecp256k1 through node-addon-api) can abort the whole process when the addon's C++ exception finds no JS to
  // throw into ("terminate called after throwing an instance of 'Napi::Error'", seen once in the test suite).
  if (batch === 'stop') {
    parentPort.close();
    return;
  }
  const { id, sigs, keys } = batch;
  const schnorr = batch.schnorr ?? 0;
  const points = batch.points ?? 0;
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
  const schnorrOk = new Uint8Array(schnorr);
  let o = sigs * 129 + keys * 33;
  for (let i = 0; i < schnorr; i++, o += 128) {
    try {
      schnorrOk[i] = ecc.verifySchnorr(bytes.subarray(o + 64, o + 96), bytes.subarray(o + 96, o + 128), bytes.subarray(o, o + 64)) ? 1 : 0;
    } catch {
      schnorrOk[i] = 0; // a key that is not an x coordinate on the curve
    }
  }
  // A key whose BIP340 signature verified is an x coordinate on the curve (an announcement's key
  // is both): no need to check it again.
  const xOnCurve = new Set();
  const sigStart = sigs * 129 + keys * 33;
  for (let i = 0; i < schnorr; i++) if (schnorrOk[i] === 1) xOnCurve.add(Buffer.from(batch.bytes, sigStart + i * 128 + 96, 32).toString('latin1'));
  const pointOk = new Uint8Array(points);
  for (let i = 0; i < points; i++, o += 32) {
    try {
      pointOk[i] = (xOnCurve.size > 0 && xOnCurve.has(Buffer.from(batch.bytes, o, 32).toString('latin1'))) || ecc.isXOnlyPoint(bytes.subarray(o, o + 32)) ? 1 : 0;
    } catch {
      pointOk[i] = 0;
    }
  }
  parentPort.postMessage({ id, sigOk, pubOk, schnorrOk, pointOk }, [sigOk.buffer, pubOk.buffer, schnorrOk.buffer, pointOk.buffer]);
});
