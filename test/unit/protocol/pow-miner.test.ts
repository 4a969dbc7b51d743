// test/unit/protocol/pow-miner.test.ts - owns tests of the worker-thread miner minePow: results, progress, cancellation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPow, leadingZeroBits, minePowSync, powHash } from '../../../src/protocol/pow.ts';
import { minePow, MiningAbortedError } from '../../../src/protocol/pow-miner.ts';
import { ORACLE } from './_helpers.ts';

/** Hashes each worker tries between progress reports (pow-worker.mjs REPORT_EVERY). */
const REPORT_EVERY = 1 << 15;

describe('minePow (worker threads)', { timeout: 60_000 }, () => {
  it('finds a valid PoW at difficulty 8 on two workers', async () => {
    const pow = await minePow(ORACLE.publicKey, 8, { workers: 2 });
    assert.equal(pow.difficulty, 8);
    assert.equal(pow.algorithm, 'SHA256');
    assert.equal(checkPow(pow, ORACLE.publicKey), null);
    assert.equal('magicString' in pow, false, "expected 'magicString' in pow to be false");
  });

  it('carries magicString into the hash and the result', async () => {
    const pow = await minePow('preimage', 6, { workers: 2, magicString: 'mega' });
    assert.equal(pow.magicString, 'mega');
    assert.equal(checkPow(pow, 'preimage'), null);
    assert.equal(checkPow({ ...pow, magicString: undefined }, 'preimage'), 'pow-hash-mismatch');
  });

  it('with one worker it finds exactly what the synchronous miner finds', async () => {
    for (const d of [0, 5, 10]) {
      assert.deepEqual(await minePow('vector', d, { workers: 1 }), minePowSync('vector', d));
    }
  });

  it('reports progress, then rejects with an AbortError when aborted', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    let onFirstProgress: () => void = () => undefined;
    const progressed = new Promise<void>((resolve) => {
      onFirstProgress = resolve;
    });
    const mining = minePow(ORACLE.publicKey, 40, {
      workers: 2,
      signal: controller.signal,
      onProgress: (n) => {
        seen.push(n);
        if (seen.length === 3) onFirstProgress();
      },
    });
    await progressed;
    controller.abort();
    await assert.rejects(mining, (err: unknown) => {
      assert.equal(err instanceof MiningAbortedError, true, 'expected err instanceof MiningAbortedError to be true');
      assert.equal((err as Error).name, 'AbortError');
      return true;
    });
    // Totals grow by one worker batch at a time.
    for (let i = 0; i < 3; i++) {
      assert.equal((seen[i] as number) % REPORT_EVERY, 0);
      if (i > 0) assert.ok((seen[i] as number) > (seen[i - 1] as number), 'expected (seen[i] as number) > (seen[i - 1] as number)');
    }
    const count = seen.length;
    // Nothing is reported after the abort settled the promise.
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(seen.length, count);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(minePow('x', 40, { workers: 1, signal: controller.signal }), { name: 'AbortError' });
  });

  it('a throwing progress callback does not stop mining', async () => {
    // With one worker the search is sequential: pick (deterministically) a preimage with no 16-bit
    // solution below 2 * REPORT_EVERY, so at least two progress reports come before the result.
    const hasSolutionBelow = (p: string, limit: number): boolean => {
      for (let m = 0; m < limit; m++) if (leadingZeroBits(powHash(p, m)) >= 16) return true;
      return false;
    };
    let i = 0;
    while (hasSolutionBelow(`p${i}`, 2 * REPORT_EVERY)) i++;
    const preimage = `p${i}`;
    let calls = 0;
    const pow = await minePow(preimage, 16, {
      workers: 1,
      onProgress: () => {
        calls++;
        throw new Error('bad callback');
      },
    });
    assert.deepEqual(pow, minePowSync(preimage, 16, undefined, 2 * REPORT_EVERY));
    assert.ok(calls >= 2, `expected calls >= 2, got calls = ${calls}`);
  });

  it('rejects difficulties outside [0, 256] with a RangeError', async () => {
    await assert.rejects(minePow('x', 257), RangeError);
    await assert.rejects(minePow('x', -1), RangeError);
    await assert.rejects(minePow('x', 2.5), RangeError);
  });
});
