/** bench/lib/lookup-sampler-client.ts - start bench/lib/lookup-sampler.ts (the latency samples' light client) as its own process and talk to it over IPC. */
import { fork } from 'node:child_process';
import type { FromSampler, ToSampler } from './lookup-sampler.ts';

/**
 * The sampler's young generation (MiB per semi-space, fixed): the sampler allocates ~10 KiB of V8
 * heap per request (request and response objects, headers), so a listing's 2,000 samples (plus
 * warm-up) fit in it after the collection that precedes them, and no scavenge lands in a sample.
 */
export const SAMPLER_SEMI_SPACE_MIB = 64;

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
 * paths precomputed and holds only those. Started with this script's Node loader flags (tsx) but
 * not its heap flags: a default old generation (it keeps ~10 MiB), a young generation of
 * SAMPLER_SEMI_SPACE_MIB per semi-space, and --expose-gc (see lookup-sampler.ts: it collects before
 * each listing's samples, so its own GCs stay out of them).
 */
export function startSampler(): Promise<Sampler> {
  const execArgv = [
    ...process.execArgv.filter((a) => !/^--(max-old-space-size|m(in|ax)-semi-space-size|expose-gc|heap-prof|cpu-prof)/.test(a)),
    '--expose-gc',
    `--min-semi-space-size=${SAMPLER_SEMI_SPACE_MIB}`,
    `--max-semi-space-size=${SAMPLER_SEMI_SPACE_MIB}`,
  ];
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
