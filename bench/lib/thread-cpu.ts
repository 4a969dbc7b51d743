/** bench/lib/thread-cpu.ts - CPU time of this process's threads in nanoseconds from Linux's scheduler accounting (/proc/.../schedstat, not 10 ms ticks), main thread and the others apart. */
import fs from 'node:fs';

/** CPU ns of one thread of this process (user + system, as the scheduler ran it), or NaN off Linux. */
export function threadCpuNs(tid: number | 'thread-self'): number {
  try {
    const path = tid === 'thread-self' ? '/proc/thread-self/schedstat' : `/proc/self/task/${tid}/schedstat`;
    return Number(fs.readFileSync(path, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

const NAP = new Int32Array(new SharedArrayBuffer(4));

/**
 * CPU ns of this process's main thread (its tid is the pid); call it from the main thread. The kernel brings a running
 * thread's sum up to date only at a tick or a switch (1-4 ms late), so the thread first sleeps 10 µs: the switch
 * makes the figure exact to the microsecond.
 */
export function mainThreadNs(): number {
  Atomics.wait(NAP, 0, 0, 0.01);
  return threadCpuNs(process.pid);
}

/** CPU ns of every other thread of this process alive now (V8's GC helpers, libuv's pool, workers): summed. Threads that ended in between are not counted. */
export function otherThreadsNs(): number {
  let sum = 0;
  try {
    for (const t of fs.readdirSync('/proc/self/task')) if (Number(t) !== process.pid) sum += threadCpuNs(Number(t)) || 0;
  } catch {
    return NaN;
  }
  return sum;
}
