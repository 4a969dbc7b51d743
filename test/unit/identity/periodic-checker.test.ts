// test/unit/identity/periodic-checker.test.ts - the one background checker behind bids and manifests: bounded queue, concurrency limit, per-key exclusion, ok/error TTLs and cache bounds, stale results dropped, throwing checks/rounds/apply logged without stopping later rounds, rate-limited logs, stop() clearing the timer and aborting checks in flight. Fake clock, manual timer, no sleeps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeriodicChecker, type CheckerTimers, type CheckNote, type PeriodicCheckerOptions } from '../../../src/identity/periodic-checker.ts';
import { recordingLog } from './_log.ts';

/** A timer that fires only when the test says so. */
class ManualTimers implements CheckerTimers {
  fn: (() => void) | null = null;
  ms = 0;
  cleared = 0;
  setInterval(fn: () => void, ms: number): unknown {
    this.fn = fn;
    this.ms = ms;
    return 1;
  }
  clearInterval(): void {
    this.fn = null;
    this.cleared++;
  }
  fire(): void {
    assert.notEqual(this.fn, null, 'expected a running interval timer to fire');
    this.fn?.();
  }
}

/** A check whose answers the test hands out one by one (or at once with `auto`). */
function rig(opts: Partial<PeriodicCheckerOptions> = {}, behaviour: { auto?: (subject: string) => string; isFinal?: (r: string) => boolean; sizeOf?: (r: string) => number } = {}) {
  let t = 0;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const subjects = new Map<string, string>();
  const pending: { subject: string; signal: AbortSignal; resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  const runs: string[] = [];
  const applied: [string, string, string][] = [];
  let running = 0;
  let maxRunning = 0;
  const runningPerSubject = new Map<string, number>();
  let maxPerSubject = 0;
  let rounds = 0;
  const hooks: { round: () => void; apply: (key: string, subject: string, result: string | Error) => CheckNote | null } = {
    round: () => undefined,
    apply: () => null,
  };
  const { log, lines } = recordingLog();
  const timers = new ManualTimers();
  const checker = new PeriodicChecker<string, string, string>(
    { name: 'test', maxConcurrent: 2, maxQueued: 10, recheckIntervalMs: 1000, ...opts },
    {
      log,
      now: clock.now,
      timers,
      task: {
        subject: (key) => subjects.get(key) ?? null,
        subjectId: (s) => s,
        run: (subject, signal) => {
          runs.push(subject);
          running++;
          maxRunning = Math.max(maxRunning, running);
          const per = (runningPerSubject.get(subject) ?? 0) + 1;
          runningPerSubject.set(subject, per);
          maxPerSubject = Math.max(maxPerSubject, per);
          const done = () => {
            running--;
            runningPerSubject.set(subject, (runningPerSubject.get(subject) ?? 1) - 1);
          };
          if (behaviour.auto) {
            done();
            try {
              return Promise.resolve(behaviour.auto(subject));
            } catch (err) {
              return Promise.reject(err as Error);
            }
          }
          return new Promise<string>((resolve, reject) => {
            pending.push({ subject, signal, resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) });
          });
        },
        apply: (key, subject, result) => {
          applied.push([key, subject, result instanceof Error ? `Error: ${result.message}` : result]);
          return hooks.apply(key, subject, result);
        },
        round: () => {
          rounds++;
          hooks.round();
        },
        ...(behaviour.isFinal ? { isFinal: behaviour.isFinal } : {}),
        ...(behaviour.sizeOf ? { sizeOf: behaviour.sizeOf } : {}),
      },
    },
  );
  /** Let queued microtasks (the checker's async steps) run. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { checker, clock, subjects, pending, runs, applied, lines, timers, hooks, settle, stats: () => ({ maxRunning, maxPerSubject, rounds }) };
}

describe('PeriodicChecker: queue and concurrency', () => {
  it('the queue refuses keys past maxQueued, counts a queued key once, and refuses everything after stop()', async () => {
    const r = rig({ maxConcurrent: 1, maxQueued: 2 });
    for (const k of ['a', 'b', 'c', 'd']) r.subjects.set(k, `s-${k}`);
    assert.equal(r.checker.enqueue('a'), true, 'expected a to be taken (it starts at once)');
    assert.equal(r.checker.running, 1, 'expected a in flight');
    assert.equal(r.checker.enqueue('b'), true, 'expected b queued');
    assert.equal(r.checker.enqueue('c'), true, 'expected c queued');
    assert.equal(r.checker.enqueue('d'), false, 'expected d refused: the queue holds 2');
    assert.equal(r.checker.enqueue('b'), true, 'expected b, already queued, to be accepted without a second place');
    assert.equal(r.checker.queued, 2, 'expected exactly two keys waiting');
    r.checker.stop();
    assert.equal(r.checker.queued, 0, 'expected stop() to drop the queue');
    assert.equal(r.checker.enqueue('d'), false, 'expected enqueue refused after stop()');
  });

  it('never runs more than maxConcurrent checks, nor one key twice at once; every key is checked', async () => {
    const r = rig({ maxConcurrent: 2 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) {
      r.subjects.set(k, `s-${k}`);
      r.checker.enqueue(k);
    }
    r.checker.enqueue('a'); // a is in flight: it runs again after, never beside itself
    await r.settle();
    assert.equal(r.pending.length, 2, 'expected exactly two checks started');
    while (r.pending.length > 0) {
      r.pending.shift()?.resolve('ok');
      await r.settle();
    }
    await r.checker.idle();
    assert.deepEqual(r.runs.sort(), ['s-a', 's-a', 's-b', 's-c', 's-d', 's-e'], 'expected every key checked, a twice');
    assert.equal(r.stats().maxRunning, 2, 'expected at most 2 checks at once');
    assert.equal(r.stats().maxPerSubject, 1, 'expected one key never checked twice at once');
    assert.equal(r.applied.length, 6, 'expected every result applied');
  });

  it('a key enqueued while its check runs waits for it, even with free slots, then runs once more', async () => {
    const r = rig({ maxConcurrent: 3 });
    r.subjects.set('a', 's-a');
    r.checker.enqueue('a');
    await r.settle();
    assert.equal(r.checker.enqueue('a'), true, 'expected a taken again while in flight');
    await r.settle();
    assert.equal(r.pending.length, 1, 'expected no second check of a beside the first');
    assert.equal(r.checker.queued, 1, 'expected a waiting');
    r.pending.shift()?.resolve('first');
    await r.settle();
    assert.equal(r.pending.length, 1, 'expected the second check of a started once the first finished');
    r.pending.shift()?.resolve('second');
    await r.checker.idle();
    assert.deepEqual(r.applied.map((x) => x[2]), ['first', 'second'], 'expected both answers applied in order');
  });

  it('a key whose subject changed while its check ran is not written; a key with no subject is skipped', async () => {
    const r = rig();
    r.subjects.set('a', 'uri-1');
    r.checker.enqueue('a');
    r.checker.enqueue('nothing');
    await r.settle();
    r.subjects.set('a', 'uri-2');
    r.pending.shift()?.resolve('old answer');
    await r.checker.idle();
    assert.deepEqual(r.applied, [], 'expected the answer for uri-1 dropped, and no check for a key without subject');
    assert.deepEqual(r.runs, ['uri-1'], 'expected one run only');
  });
});

describe('PeriodicChecker: cache', () => {
  it('reuses a final result for okTtlMs and an error for errorTtlMs, then checks again', async () => {
    const r = rig({ cache: { maxEntries: 10, maxBytes: 10_000, okTtlMs: 1000, errorTtlMs: 100 } }, { auto: (s) => (s === 'good' ? 'final' : 'retry'), isFinal: (x) => x === 'final' });
    r.subjects.set('a', 'good');
    r.subjects.set('b', 'flaky');
    const round = async () => {
      r.checker.enqueue('a');
      r.checker.enqueue('b');
      await r.checker.idle();
    };
    await round();
    assert.deepEqual(r.runs, ['good', 'flaky'], 'expected both checked once');
    r.clock.advance(99);
    await round();
    assert.deepEqual(r.runs, ['good', 'flaky'], 'expected both answered from the cache before 100 ms');
    assert.equal(r.applied.length, 4, 'expected cached answers applied too');
    r.clock.advance(1);
    await round();
    assert.deepEqual(r.runs, ['good', 'flaky', 'flaky'], 'expected the error re-checked at errorTtlMs, the final answer not');
    r.clock.advance(900);
    await round();
    assert.deepEqual(r.runs, ['good', 'flaky', 'flaky', 'good', 'flaky'], 'expected the final answer re-checked at okTtlMs, and the error again (cached at 100 ms, expired at 200 ms)');
  });

  it('keeps at most maxEntries and maxBytes, dropping the oldest; a result larger than maxBytes is not kept', async () => {
    const r = rig({ cache: { maxEntries: 2, maxBytes: 100, okTtlMs: 60_000, errorTtlMs: 60_000 } }, { auto: (s) => s, sizeOf: (x) => Number(x.split(':')[1]) });
    const check = async (key: string, subject: string) => {
      r.subjects.set(key, subject);
      r.checker.enqueue(key);
      await r.checker.idle();
    };
    await check('a', 'a:10');
    await check('b', 'b:10');
    await check('c', 'c:10');
    assert.deepEqual(r.checker.cacheSize(), { entries: 2, bytes: 20 }, 'expected the count bound of 2 to hold');
    await check('a', 'a:10');
    assert.equal(r.runs.filter((s) => s === 'a:10').length, 2, 'expected the oldest (a) dropped, so checked again');
    await check('d', 'd:95');
    assert.deepEqual(r.checker.cacheSize(), { entries: 1, bytes: 95 }, 'expected older entries dropped until 95 bytes fit in 100');
    await check('e', 'e:101');
    assert.deepEqual(r.checker.cacheSize(), { entries: 1, bytes: 95 }, 'expected a 101-byte result not cached at all');
  });
});

describe('PeriodicChecker: errors and logging', () => {
  it('a throwing check is logged as an error, applied as an Error, and the next round checks again', async () => {
    let fail = true;
    const r = rig({}, {
      auto: () => {
        if (fail) throw new Error('lnd client bug');
        return 'ok';
      },
    });
    r.subjects.set('a', 's-a');
    r.hooks.round = () => void r.checker.enqueue('a');
    r.checker.start();
    r.timers.fire();
    await r.checker.idle();
    assert.deepEqual(r.applied, [['a', 's-a', 'Error: lnd client bug']], 'expected the thrown error handed to apply');
    assert.deepEqual(r.lines.map((l) => [l.level, l.msg]), [['error', 'test check threw']], 'expected one error line');
    fail = false;
    r.timers.fire();
    await r.checker.idle();
    assert.deepEqual(r.applied[1], ['a', 's-a', 'ok'], 'expected the next round to check and apply again');
    r.checker.stop();
  });

  it('a throwing round or apply is logged and never stops later rounds', async () => {
    const r = rig({}, { auto: () => 'ok' });
    r.subjects.set('a', 's-a');
    let roundFails = true;
    r.hooks.round = () => {
      if (roundFails) throw new Error('round bug');
      r.checker.enqueue('a');
    };
    r.hooks.apply = () => {
      throw new Error('listener bug');
    };
    r.checker.start();
    r.timers.fire();
    roundFails = false;
    r.timers.fire();
    await r.checker.idle();
    r.timers.fire();
    await r.checker.idle();
    assert.equal(r.stats().rounds, 3, 'expected three rounds run');
    assert.equal(r.applied.length, 2, 'expected both later rounds to check despite the throwing apply');
    assert.deepEqual(
      r.lines.map((l) => [l.level, l.msg]),
      [['error', 'test re-check round failed'], ['error', 'test check failed with an internal error'], ['error', 'test check failed with an internal error']],
      'expected each bug logged as an error',
    );
    assert.equal((r.lines[0]?.obj.err as Error).message, 'round bug', 'expected the round error in the line');
    r.checker.stop();
  });

  it('logs info on a change and warn on a failure, at most logBudget lines a window, then says how many it left out', async () => {
    const r = rig({ logBudget: { lines: 3, windowMs: 1000 } }, { auto: (s) => s });
    r.hooks.apply = (key, _s, result) => ({ failed: result === 'down', changed: result === 'changed', fields: { reason: result } });
    r.subjects.set('x', 'changed');
    r.checker.enqueue('x');
    await r.checker.idle();
    assert.deepEqual(r.lines.map((l) => [l.level, l.msg, l.obj.key]), [['info', 'test result changed', 'x']], 'expected one info line for the change');
    for (let i = 0; i < 10; i++) {
      r.subjects.set(`k${i}`, 'down');
      r.checker.enqueue(`k${i}`);
    }
    await r.checker.idle();
    assert.deepEqual(r.lines.map((l) => l.level), ['info', 'warn', 'warn'], 'expected the budget of 3 lines to cut the 10 warnings to 2');
    r.clock.advance(1000);
    r.checker.runRound();
    assert.deepEqual(r.lines.at(-1)?.obj, { checker: 'test', suppressed: 8, windowMs: 1000 }, 'expected a summary of the 8 lines left out');
    r.subjects.set('y', 'down');
    r.checker.enqueue('y');
    await r.checker.idle();
    assert.equal(r.lines.at(-1)?.obj.key, 'y', 'expected a new window to log again');
    r.checker.stop();
  });
});

describe('PeriodicChecker: lifecycle', () => {
  it('start() sets one interval of recheckIntervalMs; stop() clears it, aborts checks in flight, drops their answers and releases waits', async () => {
    const r = rig({ recheckIntervalMs: 5000 });
    r.subjects.set('a', 's-a');
    r.subjects.set('b', 's-b');
    r.checker.start();
    r.checker.start();
    assert.equal(r.timers.ms, 5000, 'expected the interval of recheckIntervalMs');
    r.checker.enqueue('a');
    const joined = r.checker.checkNow('a');
    const idle = r.checker.idle();
    await r.settle();
    const inFlight = r.pending[0];
    assert.equal(inFlight?.signal.aborted, false, 'expected a live signal while running');
    r.checker.stop();
    assert.equal(r.timers.cleared, 1, 'expected the interval cleared');
    assert.equal(r.timers.fn, null, 'expected no timer left');
    assert.equal(inFlight?.signal.aborted, true, 'expected the check in flight aborted');
    await joined;
    await idle;
    inFlight?.resolve('late answer');
    await r.settle();
    assert.deepEqual(r.applied, [], 'expected an answer after stop() never applied');
    assert.equal(r.checker.enqueue('b'), false, 'expected no new checks after stop()');
    await r.checker.checkNow('b');
    assert.deepEqual(r.runs, ['s-a'], 'expected nothing run after stop()');
    r.checker.start();
    assert.equal(r.timers.fn, null, 'expected start() after stop() to do nothing (stop is final)');
  });

  it('checkNow() joins a check in flight instead of running a second one', async () => {
    const r = rig();
    r.subjects.set('a', 's-a');
    const first = r.checker.checkNow('a');
    await r.settle();
    const second = r.checker.checkNow('a');
    r.pending.shift()?.resolve('ok');
    await Promise.all([first, second]);
    assert.deepEqual(r.runs, ['s-a'], 'expected one run for two checkNow() calls');
    assert.deepEqual(r.applied, [['a', 's-a', 'ok']], 'expected the answer applied once');
  });
});
