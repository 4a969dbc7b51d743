/** bench/lib/procs.ts - the parent side of the one-process-per-node benchmarks: spawn N runner processes (bounded start-up concurrency), request/answer over IPC with deadlines, events, clock check, stop and kill. */
import { spawn, type ChildProcess } from 'node:child_process';

/** A runner process and its IPC conversation. */
export class Child {
  readonly proc: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** The last 4 KiB the process wrote to stderr (shown when it fails). */
  stderrTail = '';
  exited: { code: number | null; signal: string | null } | null = null;
  ready: Record<string, unknown> | null = null;

  constructor(
    readonly index: number,
    args: string[],
    onEvent: (child: Child, ev: Record<string, unknown>) => void,
  ) {
    this.proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.proc.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderrTail = (this.stderrTail + d).slice(-4096)));
    this.proc.on('message', (m: Record<string, unknown>) => {
      if (typeof m.re === 'number') {
        const p = this.pending.get(m.re);
        if (!p) return;
        this.pending.delete(m.re);
        clearTimeout(p.timer);
        if (m.ok) p.resolve((m.r ?? {}) as Record<string, unknown>);
        else p.reject(new Error(`node ${this.index}: ${String(m.error)}`));
      } else {
        if (m.ev === 'ready') this.ready = m;
        onEvent(this, m);
      }
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`node ${this.index} exited (${code ?? signal}): ${this.stderrTail}`));
      }
      this.pending.clear();
    });
  }

  /** Send `{op, ...args}` and resolve with the answer, or reject after `timeoutMs`. */
  request(op: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error(`node ${this.index} has exited: ${this.stderrTail}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${this.index}: no answer to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, op, ...args });
    });
  }
}

/** Resolve when `pred()` holds (checked every `everyMs`), or throw `message` after `timeoutMs`. */
export async function pollUntil(pred: () => boolean | Promise<boolean>, timeoutMs: number, message: string, everyMs = 20): Promise<void> {
  const t0 = performance.now();
  while (!(await pred())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Start `n` runners (`node <nodeArgs> <script> <scriptArgs>`), at most `concurrency` starting at once (start-up is
 * the CPU-heavy part: module loading), each ready when it sends its `ready` event.
 */
export async function spawnFleet(
  n: number,
  nodeArgs: string[],
  script: string,
  scriptArgs: string[],
  concurrency: number,
  onEvent: (child: Child, ev: Record<string, unknown>) => void,
  startTimeoutMs = 120_000,
): Promise<Child[]> {
  const children: Child[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const c = new Child(next++, [...nodeArgs, script, ...scriptArgs], onEvent);
      children.push(c);
      await pollUntil(() => {
        if (c.exited) throw new Error(`node ${c.index} exited during start-up (${c.exited.code ?? c.exited.signal}): ${c.stderrTail}`);
        return c.ready !== null;
      }, startTimeoutMs, `node ${c.index} to start`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  } catch (e) {
    await stopFleet(children, 5000);
    throw e;
  }
  return children.sort((a, b) => a.index - b.index);
}

/**
 * The clock check: each child answers `ping` with its CLOCK_MONOTONIC time; its offset against the parent's is
 * child − midpoint of the round trip. Returns the largest |offset| and the largest round trip (ms).
 */
export async function clockCheck(children: Child[], monoMs: () => number, rounds = 3): Promise<{ maxAbsOffsetMs: number; maxRoundTripMs: number }> {
  let maxAbsOffsetMs = 0;
  let maxRoundTripMs = 0;
  for (const c of children) {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < rounds; i++) {
      const s = monoMs();
      const r = await c.request('ping');
      const e = monoMs();
      if (e - s < best.rtt) best = { rtt: e - s, offset: (r.now as number) - (s + e) / 2 };
    }
    maxAbsOffsetMs = Math.max(maxAbsOffsetMs, Math.abs(best.offset));
    maxRoundTripMs = Math.max(maxRoundTripMs, best.rtt);
  }
  return { maxAbsOffsetMs, maxRoundTripMs };
}

/** Ask every runner to stop cleanly; SIGKILL whatever has not exited after `deadlineMs`. */
export async function stopFleet(children: Child[], deadlineMs: number): Promise<{ clean: number; killed: number }> {
  await Promise.allSettled(children.filter((c) => !c.exited).map((c) => c.request('stop', {}, deadlineMs)));
  try {
    await pollUntil(() => children.every((c) => c.exited), deadlineMs, 'runners to exit');
  } catch {
    // fall through to SIGKILL below
  }
  let killed = 0;
  for (const c of children) {
    if (!c.exited) {
      c.proc.kill('SIGKILL');
      killed++;
    }
  }
  await pollUntil(() => children.every((c) => c.exited), 10_000, 'killed runners to exit').catch(() => undefined);
  return { clean: children.length - killed, killed };
}
