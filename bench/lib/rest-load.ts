/** bench/lib/rest-load.ts - runs bench/lib/rest-load.mjs (the REST load client) in its own process against a node's HTTP port and returns what it measured. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One phase: every body POSTed to `path` before the next phase starts (capabilities need their oracles stored). */
export interface RestPhase {
  path: string;
  bodies: string[];
}

/** What the client process measured: seconds from its first request to the last answer, HTTP statuses, its own CPU. */
export interface RestLoadResult {
  seconds: number;
  statuses: Record<string, number>;
  /** Item statuses of POST /entities answers ({} without batches). */
  itemStatuses: Record<string, number>;
  clientCpuSeconds: number;
}

/**
 * POST every phase's bodies to 127.0.0.1:`port` from a separate process, over `conns` keep-alive
 * connections with up to `depth` requests pipelined on each; `onStart` is called once the requests
 * are prepared, right before the client starts. Rejects if the client fails or a connection closes
 * before every answer arrived.
 */
export async function restLoad(port: number, phases: RestPhase[], conns: number, depth: number, onStart?: () => void): Promise<RestLoadResult> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mega-rest-load-')), 'phases.json');
  fs.writeFileSync(file, JSON.stringify(phases));
  try {
    // After the request file is written (megabytes of JSON, this process's CPU): a caller measuring the node's CPU starts here.
    onStart?.();
    const child = spawn(process.execPath, [new URL('./rest-load.mjs', import.meta.url).pathname, String(port), file, String(conns), String(depth)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`REST load client exited with ${code}: ${err.slice(-2000)}`);
    return JSON.parse(out) as RestLoadResult;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
