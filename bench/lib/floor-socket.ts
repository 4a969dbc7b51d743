/** bench/lib/floor-socket.ts - bench/floor.ts's socket step: the mix's frames written over loopback TCP by a worker thread (paced, or as fast as the socket takes them) and read on this process's main thread by a bare frame splitter or by the node's FrameDecoder; the reader's CPU per message. */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_PAYLOAD_BYTES, HEADER_BYTES, NETWORK_MAGIC } from '../../src/wire/constants.ts';
import { FrameDecoder } from '../../src/wire/frame.ts';
import { mainThreadNs } from './thread-cpu.ts';

/** The writer: plain JavaScript (no loader in the worker), reports its own thread's CPU ns when every byte is handed to the kernel. */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const fs = require('node:fs');
const cpu = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const { port, bytes, ends, rate } = workerData;
const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const n = ends.length;
const s = net.connect(port, '127.0.0.1', () => {
  s.setNoDelay(true);
  const c0 = cpu();
  const done = () => s.end(() => parentPort.postMessage({ cpuNs: cpu() - c0 }));
  if (rate === null) {
    let off = 0;
    const pump = () => {
      while (off < buf.length) {
        const end = Math.min(buf.length, off + 262144);
        const ok = s.write(buf.subarray(off, end));
        off = end;
        if (!ok) return void s.once('drain', pump);
      }
      done();
    };
    pump();
    return;
  }
  const t0 = performance.now();
  let sent = 0;
  const tick = () => {
    const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate));
    if (due > sent) {
      s.write(buf.subarray(sent === 0 ? 0 : ends[sent - 1], ends[due - 1]));
      sent = due;
    }
    if (sent < n) setTimeout(tick, 1);
    else done();
  };
  tick();
});
s.on('error', (e) => parentPort.postMessage({ error: String(e) }));
`;

/** End offset of every frame in `frames` (concatenated wire frames). */
export function frameEnds(frames: Buffer): Float64Array {
  const ends: number[] = [];
  for (let at = 0; at < frames.length; ) {
    at += HEADER_BYTES + frames.readUInt32LE(at + 16);
    ends.push(at);
  }
  return Float64Array.from(ends);
}

/** The least a reader can do: find each frame's header (its magic checked), read the payload length, step over the payload in place; a header split across reads is gathered in 24 bytes. */
export class BareSplitter {
  frames = 0;
  private readonly magic = NETWORK_MAGIC.regtest.readUInt32LE(0);
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private have = 0;
  private skip = 0;

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      if (this.have === 0 && chunk.length - at >= HEADER_BYTES) {
        this.onHeader(chunk, at);
        at += HEADER_BYTES;
        continue;
      }
      const n = Math.min(HEADER_BYTES - this.have, chunk.length - at);
      chunk.copy(this.header, this.have, at, at + n);
      this.have += n;
      at += n;
      if (this.have === HEADER_BYTES) {
        this.have = 0;
        this.onHeader(this.header, 0);
      }
    }
  }

  private onHeader(b: Buffer, at: number): void {
    if (b.readUInt32LE(at) !== this.magic) throw new Error('bare reader: a frame does not start with the regtest magic; expected frames back to back');
    this.skip = b.readUInt32LE(at + 16);
    this.frames++;
  }
}

/** One socket run's figures. */
export interface SocketRun {
  /** Reader (main thread) CPU µs per message, from the connection's arrival to its last frame. */
  readerUs: number;
  /** Writer thread CPU µs per message (its sends; on loopback the receive path's protocol work is largely done in the sender's context too). */
  writerUs: number;
  /** Socket reads ('data' events) and their mean size. */
  reads: number;
  bytesPerRead: number;
  wallMs: number;
}

/**
 * Write `frames` (`count` frames, ends from frameEnds) over a loopback connection from a worker and read them on this
 * thread with `reader`; `rate` messages/s paced in 1 ms ticks, or null for as fast as the socket drains.
 */
export async function socketRun(frames: Buffer, ends: Float64Array, reader: 'bare' | 'decoder', rate: number | null): Promise<SocketRun> {
  const count = ends.length;
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const read = new Promise<{ cpuNs: number; reads: number; wallMs: number }>((resolve, reject) => {
      server.once('connection', (s) => {
        s.setNoDelay(true);
        const c0 = mainThreadNs();
        const t0 = performance.now();
        let reads = 0;
        let got = 0;
        const bare = new BareSplitter();
        const decoder = new FrameDecoder({ magic: NETWORK_MAGIC.regtest, maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES });
        s.on('data', (chunk: Buffer) => {
          reads++;
          try {
            if (reader === 'bare') {
              bare.push(chunk);
              got = bare.frames;
            } else got += decoder.push(chunk).length;
          } catch (e) {
            reject(e as Error);
            s.destroy();
            return;
          }
          if (got === count) resolve({ cpuNs: mainThreadNs() - c0, reads, wallMs: performance.now() - t0 });
        });
        s.on('error', reject);
      });
    });
    const worker = new Worker(WRITER, { eval: true, workerData: { port, bytes: frames, ends, rate } });
    const wrote = new Promise<number>((resolve, reject) => {
      worker.once('message', (m: { cpuNs?: number; error?: string }) => (m.error === undefined ? resolve(m.cpuNs as number) : reject(new Error(`socket writer: ${m.error}`))));
      worker.once('error', reject);
    });
    const [r, writerNs] = await Promise.all([read, wrote]).finally(() => worker.terminate());
    return { readerUs: r.cpuNs / 1000 / count, writerUs: writerNs / 1000 / count, reads: r.reads, bytesPerRead: Math.round(frames.length / r.reads), wallMs: r.wallMs };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
