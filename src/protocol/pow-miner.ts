/** protocol/pow-miner.ts - mine hashcash off the event loop on worker threads, cancellable, with progress. Imports only protocol. */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { MAX_DIFFICULTY } from './pow.ts';
import type { Pow } from './types.ts';

/** Options of {@link minePow}. */
export interface MineOptions {
  magicString?: string;
  /** Worker threads to use (default: available parallelism). Worker i tries magicNo = i, i+w, i+2w, ... */
  workers?: number;
  /** Abort to cancel: the promise rejects with an AbortError and every worker is terminated. */
  signal?: AbortSignal;
  /** Called about every 32k hashes per worker with the total number of hashes tried so far. */
  onProgress?: (hashesTried: number) => void;
}

/** Error raised when mining is cancelled. */
export class MiningAbortedError extends Error {
  override name = 'AbortError';
}

/** Find a PoW of at least `difficulty` leading zero bits for `preimage`, on worker threads. */
export function minePow(preimage: string, difficulty: number, opts: MineOptions = {}): Promise<Pow> {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > MAX_DIFFICULTY) {
    return Promise.reject(new RangeError(`difficulty must be an integer in [0, ${MAX_DIFFICULTY}]`));
  }
  const count = Math.max(1, Math.floor(opts.workers ?? os.availableParallelism()));
  const url = new URL('./pow-worker.mjs', import.meta.url);
  return new Promise<Pow>((resolve, reject) => {
    const workers: Worker[] = [];
    let total = 0;
    let settled = false;
    let exhausted = 0;
    const finish = (err: Error | null, pow?: Pow): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(pow as Pow);
    };
    const onAbort = (): void => finish(new MiningAbortedError('mining cancelled'));
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    for (let i = 0; i < count; i++) {
      const w = new Worker(url, {
        workerData: { preimage, difficulty, magicString: opts.magicString, start: i, step: count },
      });
      workers.push(w);
      w.on('message', (msg: { type: string; magicNo?: number; hash?: string; hashes: number }) => {
        total += msg.hashes;
        if (msg.type === 'found') {
          const pow: Pow = { difficulty, algorithm: 'SHA256', hash: msg.hash as string, magicNo: msg.magicNo as number };
          if (opts.magicString !== undefined) pow.magicString = opts.magicString;
          finish(null, pow);
        } else if (msg.type === 'exhausted') {
          if (++exhausted === count) finish(new Error('PoW search space exhausted'));
        } else if (!settled) {
          try {
            opts.onProgress?.(total);
          } catch {
            // a faulty progress callback must not kill mining
          }
        }
      });
      w.on('error', (err) => finish(err));
    }
  });
}
