/** bench/lib/measure.ts - shared measurement helpers: CLI flags, raw secp256k1 verify baseline, percentiles, keep-alive HTTP, machine facts, JSON results. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import type secp256k1Types from 'secp256k1';
import { SECP256K1_BACKEND } from '../../src/protocol/keys.ts';

// The same loading as src/protocol/keys.ts (the package is CommonJS with a native addon).
const secp: typeof secp256k1Types = createRequire(import.meta.url)('secp256k1');

/** True when the script was started with `--quick`. */
export const QUICK = process.argv.includes('--quick');

/** Value of `--name=value` on the command line, or `dflt`. */
export function flag(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
}

/** Machine and runtime facts recorded with every result. */
export function machine(): Record<string, unknown> {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    secp256k1: SECP256K1_BACKEND,
    // The node daemon's heap flags (src/daemon/heap-flags.ts) as this process has them: bench/run.ts passes them; a script run on its own does not.
    heapFlags: process.execArgv.filter((a) => /^--(max-semi-space-size|initial-old-space-size)\b/.test(a.replace(/_/g, '-'))),
  };
}

/** Raw single-core `secp256k1.ecdsaVerify` rate on 1,000 pre-made signatures, for `ms` milliseconds (this thread). */
export function rawVerifyRate(ms = 1500): number {
  const sets: { sig: Uint8Array; msg: Uint8Array; pub: Uint8Array }[] = [];
  for (let i = 0; i < 1000; i++) {
    let priv: Buffer;
    do priv = crypto.randomBytes(32);
    while (!secp.privateKeyVerify(priv));
    const msg = crypto.randomBytes(32);
    sets.push({ sig: secp.ecdsaSign(msg, priv).signature, msg, pub: secp.publicKeyCreate(priv, true) });
  }
  for (const s of sets) secp.ecdsaVerify(s.sig, s.msg, s.pub); // warm-up
  let n = 0;
  const t0 = performance.now();
  let ok = true;
  while (performance.now() - t0 < ms) {
    for (const s of sets) ok = secp.ecdsaVerify(s.sig, s.msg, s.pub) && ok;
    n += sets.length;
  }
  if (!ok) throw new Error('baseline signature failed to verify');
  return n / ((performance.now() - t0) / 1000);
}

/** p-th percentile (0..100) of an ascending array. */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Round to `d` decimals. */
export function r(x: number, d = 2): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** A keep-alive agent: one TCP connection per concurrent request, reused. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request over the keep-alive agent; resolves with status and body text. */
export function request(port: number, method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * GET `path` and count the answer's bytes without keeping them (no chunk list, no string): the
 * latency samples' client then makes little garbage, so fewer of its own scavenges land inside a
 * sample (bench/lookup.ts reports those apart as duringClientGc).
 */
export function getLength(port: number, path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Write `bench/results/<name>.json` and print it. */
export function writeResult(name: string, result: Record<string, unknown>): void {
  const out = { name, mode: QUICK ? 'quick' : 'full', date: new Date().toISOString(), machine: machine(), ...result };
  const dir = new URL('../results/', import.meta.url);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(new URL(`${name}${QUICK ? '.quick' : ''}.json`, dir), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
}

/** Resolve after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `pred` every `intervalMs` until true; returns the elapsed ms, or throws after `timeoutMs`. */
export async function until(pred: () => boolean, timeoutMs: number, intervalMs = 2): Promise<number> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
  return performance.now() - t0;
}

/** Print a one-line progress note to stderr (results go to stdout). */
export function note(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** CPU time of this process's main thread so far in µs (Linux /proc; null elsewhere): what a node's event loop spends, apart from verifier and GC threads. */
export function mainThreadCpuMicros(): number | null {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime + stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}
