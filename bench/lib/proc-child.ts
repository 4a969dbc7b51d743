/** bench/lib/proc-child.ts - the child side of the one-process-per-node benchmarks: IPC request/answer loop, events to the parent, wire bytes of every TCP socket of the process, the shared monotonic clock. */
import dc from 'node:diagnostics_channel';
import type net from 'node:net';

/**
 * Milliseconds on CLOCK_MONOTONIC (`process.hrtime`): one clock for every process on the machine, so times
 * stamped by different node processes compare directly (the parent checks this with pings).
 */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

// Every TCP socket the process opens or accepts (Node publishes them on these channels), whatever library
// made it: the same byte count for Mega's pool and libp2p's TCP transport. The IPC pipe is not a TCP socket.
const open = new Set<net.Socket>();
const closed = { out: 0, in: 0 };
const track = (msg: unknown): void => {
  const socket = (msg as { socket: net.Socket }).socket;
  open.add(socket);
  socket.once('close', () => {
    closed.out += socket.bytesWritten;
    closed.in += socket.bytesRead;
    open.delete(socket);
  });
};
dc.subscribe('net.client.socket', track);
dc.subscribe('net.server.socket', track);

/** Bytes written to and read from TCP sockets since start (closed sockets included). */
export function tcpBytes(): { out: number; in: number; sockets: number } {
  let out = closed.out;
  let inb = closed.in;
  for (const s of open) {
    out += s.bytesWritten;
    inb += s.bytesRead;
  }
  return { out, in: inb, sockets: open.size };
}

/** What every runner answers to `status`: its memory. */
export function memory(): { rss: number; heapUsed: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

type Handler = (msg: Record<string, unknown>) => unknown;

/** Send an event (no answer expected) to the parent. */
export function emit(ev: string, body: Record<string, unknown> = {}): void {
  process.send?.({ ev, ...body });
}

/**
 * Answer the parent's requests `{id, op, ...}` with `{re: id, ok, r | error}`; `ping` is built in. The process
 * exits when the parent goes away, so a crashed benchmark leaves no node behind.
 */
export function serve(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error('this runner is started by bench/propagation-procs.ts over IPC');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: Record<string, unknown>) => {
    const op = String(m.op);
    const h = op === 'ping' ? () => ({ now: monoMs() }) : handlers[op];
    if (!h) {
      process.send?.({ re: m.id, ok: false, error: `unknown op ${op}` });
      return;
    }
    Promise.resolve()
      .then(() => h(m))
      .then(
        (r) => process.send?.({ re: m.id, ok: true, r }),
        (e: unknown) => process.send?.({ re: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
  });
}
