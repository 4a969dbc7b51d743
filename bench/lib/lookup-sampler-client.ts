/** bench/lib/lookup-sampler-client.ts - start bench/lib/lookup-sampler.ts (the latency samples' light client) as its own process and talk to it over IPC. */
import { fork } from 'node:child_process';
import type { FromSampler, ToSampler } from './lookup-sampler.ts';

/** What the sampler measured for one `sample` call. */
export type Samples = Extract<FromSampler, { type: 'samples' }>;

/** A running sampler: `sample` GETs `paths` (after `warmup` untimed ones) on one keep-alive connection; `stop` ends the process. */
export interface Sampler {
  sample: (port: number, warmup: number, paths: string[]) => Promise<Samples>;
  stop: () => Promise<void>;
}

/**
 * The latency sampler (bench/lib/lookup-sampler.ts) in its own process: this process holds the whole
 * population (every announcement and offer id, to build request paths), so every allocation here
 * feeds the marking of a large heap; a real client holds none of it. The sampler gets each listing's
 * paths precomputed and holds only those. Started without this script's heap flags (a default heap:
 * it keeps ~10 MiB; its scavenges take < 1 ms); with its Node loader flags (tsx). Tried and dropped
 * (session 9, A/B on the same machine): a full GC in the sampler before each listing's samples
 * (p99 up on 4 of 5 registry listings, 0.85–1.17 → 1.97–3.03 ms) and a fixed 64 MiB young generation
 * (no scavenge in 2,000 samples, but p50 and p99 up on 7–8 of 10 DLC listings: fresh memory per request).
 */
export function startSampler(): Promise<Sampler> {
  const execArgv = process.execArgv.filter((a) => !/^--(max-old-space-size|max-semi-space-size|expose-gc|heap-prof|cpu-prof)/.test(a));
  const child = fork(new URL('./lookup-sampler.ts', import.meta.url).pathname, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending: { resolve: (m: Samples) => void; reject: (e: Error) => void } | null = null;
  let exited = false;
  const fail = (e: Error): void => {
    const p = pending;
    pending = null;
    p?.reject(e);
  };
  child.on('exit', (code) => {
    exited = true;
    fail(new Error(`lookup sampler exited (code ${code})`));
  });
  child.on('message', (m: FromSampler) => {
    if (m.type === 'samples') {
      const p = pending;
      pending = null;
      p?.resolve(m);
    } else if (m.type === 'error') fail(new Error(`lookup sampler: ${m.message}`));
  });
  const sample = (port: number, warmup: number, paths: string[]): Promise<Samples> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('lookup sampler is not running'));
      if (pending) return reject(new Error('lookup sampler is busy'));
      pending = { resolve, reject };
      child.send({ type: 'sample', port, warmup, paths } satisfies ToSampler);
    });
  const stop = (): Promise<void> =>
    exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.send({ type: 'stop' } satisfies ToSampler);
        });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`lookup sampler exited (code ${code}) before it was ready`)));
    child.once('message', (m: FromSampler) => (m.type === 'ready' ? resolve({ sample, stop }) : reject(new Error(`lookup sampler: unexpected ${m.type}`))));
  });
}
