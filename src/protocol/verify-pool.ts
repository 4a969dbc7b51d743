/** protocol/verify-pool.ts - worker threads that do signature and public-key checks ahead of admission, filling the caches protocol/keys.ts consults. Imports only protocol. */
import { Worker } from 'node:worker_threads';
import { recordVerified, type SignatureWork } from './keys.ts';

/** A batch sent to a worker and how to finish it. */
interface Pending {
  work: SignatureWork;
  done: () => void;
}

/** One worker thread and the batches it owes answers for. */
interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * `size` worker threads started on first use. {@link run} never rejects and never decides
 * validity: it only records checks that libsecp256k1 answered true, so a failed or stopped
 * worker merely leaves the work to the caller's own (inline) checks.
 */
export class VerifyPool {
  private readonly slots: (Slot | null)[];
  private next = 0;
  private seq = 0;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a verify pool needs at least one thread');
    this.slots = Array.from({ length: size }, () => null);
  }

  /** Do `work` on a thread; resolves once its results are recorded (or the thread failed). */
  run(work: SignatureWork): Promise<void> {
    if (this.closed || (work.sigs.length === 0 && work.pubkeys.length === 0)) return Promise.resolve();
    const i = this.next;
    this.next = (this.next + 1) % this.size;
    const slot = this.slots[i] ?? this.spawn(i);
    const id = ++this.seq;
    return new Promise<void>((resolve) => {
      slot.pending.set(id, { work, done: resolve });
      slot.worker.ref(); // keep the process up while an answer is owed
      slot.worker.postMessage({ id, sigs: work.sigs.flat(), pubkeys: work.pubkeys });
    });
  }

  /** Stop every thread; unanswered batches resolve unrecorded. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0, this.slots.length, ...this.slots.map(() => null));
    await Promise.all(slots.map((s) => (s ? this.retire(s).worker.terminate() : undefined)));
  }

  private spawn(i: number): Slot {
    const worker = new Worker(new URL('./verify-worker.mjs', import.meta.url));
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (m: { id: number; sigOk: Uint8Array; pubOk: Uint8Array }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      recordVerified(p.work, m.sigOk, m.pubOk);
      p.done();
    });
    const fail = (): void => {
      if (this.slots[i] === slot) this.slots[i] = null; // the next run starts a fresh thread
      this.retire(slot);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.slots[i] = slot;
    return slot;
  }

  /** Resolve everything `slot` still owes, unrecorded. */
  private retire(slot: Slot): Slot {
    for (const p of slot.pending.values()) p.done();
    slot.pending.clear();
    return slot;
  }
}
