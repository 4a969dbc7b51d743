/** protocol/verify-pool.ts - worker threads that do signature and public-key checks (ECDSA, and the BIP340 and x-only point checks of DLC messages) ahead of admission, recording the answers on each work list (and valid keys in the public-key cache) for protocol/keys.ts. Imports only protocol. */
import { Worker } from 'node:worker_threads';
import { recordVerified, type SignatureWork } from './keys.ts';

/** A batch sent to a worker and how to finish it. */
interface Pending {
  works: readonly SignatureWork[];
  done: () => void;
}

/** Bytes of one signature check in a batch: compact signature (64) · message hash (32) · compressed public key (33). */
export const SIG_CHECK_BYTES = 129;
/** Bytes of one public-key check in a batch. */
export const KEY_CHECK_BYTES = 33;
/** Bytes of one BIP340 check in a batch: signature (64) · message (32) · x-only key (32). */
export const SCHNORR_CHECK_BYTES = 128;
/** Bytes of one x-only point check in a batch. */
export const POINT_CHECK_BYTES = 32;

/** How many checks of each kind a batch holds. */
export interface BatchCounts {
  sigs: number;
  keys: number;
  schnorr: number;
  points: number;
}

/** The checks of each kind in `works`. */
export function countChecks(works: readonly SignatureWork[]): BatchCounts {
  const n: BatchCounts = { sigs: 0, keys: 0, schnorr: 0, points: 0 };
  for (const w of works) {
    n.sigs += w.sigs.length;
    n.keys += w.pubkeys.length;
    n.schnorr += w.schnorr?.length ?? 0;
    n.points += w.points?.length ?? 0;
  }
  return n;
}

/**
 * One batch as the bytes libsecp256k1 takes (what verify-worker.mjs reads): every ECDSA check
 * (SIG_CHECK_BYTES each), then every public-key check (KEY_CHECK_BYTES each), then every BIP340
 * check (SCHNORR_CHECK_BYTES each), then every x-only point (POINT_CHECK_BYTES each), each part in
 * work order. The hex was checked by the collecting scope (protocol/keys.ts: lowercase, exact
 * lengths) and the BIP340 parts have exact lengths (protocol/schnorr-scope.ts), so each write
 * fills its whole field.
 */
export function packBatch(works: readonly SignatureWork[], n: BatchCounts): ArrayBuffer {
  const buf = Buffer.allocUnsafeSlow(n.sigs * SIG_CHECK_BYTES + n.keys * KEY_CHECK_BYTES + n.schnorr * SCHNORR_CHECK_BYTES + n.points * POINT_CHECK_BYTES);
  let o = 0;
  for (const w of works) {
    for (const t of w.sigs) {
      o += buf.write(t[0], o, 64, 'hex');
      o += buf.write(t[1], o, 32, 'hex');
      o += buf.write(t[2], o, 33, 'hex');
    }
  }
  for (const w of works) for (const k of w.pubkeys) o += buf.write(k, o, 33, 'hex');
  for (const w of works) {
    for (const [sig, msg, key] of w.schnorr ?? []) {
      buf.set(sig, o);
      buf.set(msg, o + 64);
      buf.set(key, o + 96);
      o += SCHNORR_CHECK_BYTES;
    }
  }
  for (const w of works) {
    for (const p of w.points ?? []) {
      buf.set(p, o);
      o += POINT_CHECK_BYTES;
    }
  }
  if (o !== buf.length) throw new Error(`verify batch packed ${o} of ${buf.length} bytes: a check was not syntactically valid hex`);
  return buf.buffer as ArrayBuffer;
}

/** How long a closing pool waits for a thread to finish its batch and end by itself before terminating it. */
const STOP_GRACE_MS = 2_000;

/**
 * End a verifier thread between two batches: it is asked to stop (verify-worker.mjs closes its port after the
 * batches before, so no native call is cut short) and terminated only if it has not ended within STOP_GRACE_MS.
 */
function stopThread(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve(), () => resolve()), STOP_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.ref(); // the process stays up until the thread has ended
    worker.postMessage('stop');
  });
}

/** One worker thread and the batches it owes answers for. */
interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * `size` worker threads, started by {@link start} or on first use. {@link run} never rejects and never decides
 * validity: it records libsecp256k1's answers on each work ({@link recordVerified}), which
 * admission may use only to skip a check that passed; a failed or stopped worker merely leaves
 * the work to the caller's own (inline) checks.
 */
export class VerifyPool {
  private readonly slots: (Slot | null)[];
  private next = 0;
  private seq = 0;
  private closed = false;
  /** Checks of each kind the threads have answered since the pool was made. */
  readonly answered: BatchCounts = { sigs: 0, keys: 0, schnorr: 0, points: 0 };

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a verify pool needs at least one thread');
    this.slots = Array.from({ length: size }, () => null);
  }

  /**
   * Start every thread now instead of on first use (the node calls this when it starts). A thread's
   * start-up — a V8 isolate, the worker module and the libsecp256k1 addon — took 0.2–0.7 s of
   * waiting on a quiet 2-core machine and several seconds under load; on first use it delayed the
   * first entity a fresh node admitted by that much, at every hop of its relay (docs/benchmarks.md,
   * "warm-up item"). Threads stay unref'd: a started pool does not keep the process alive.
   */
  start(): void {
    if (this.closed) return;
    for (let i = 0; i < this.slots.length; i++) if (!this.slots[i]) this.spawn(i);
  }

  /** Threads running now (started by {@link start} or by a first batch). */
  get threads(): number {
    return this.slots.filter((s) => s !== null).length;
  }

  /** Do `works` as one batch on a thread; resolves once the results are recorded on each (or the thread failed). */
  run(works: readonly SignatureWork[]): Promise<void> {
    const n = countChecks(works);
    if (this.closed || n.sigs + n.keys + n.schnorr + n.points === 0) return Promise.resolve();
    const batch = packBatch(works, n);
    const i = this.next;
    this.next = (this.next + 1) % this.size;
    const slot = this.slots[i] ?? this.spawn(i);
    const id = ++this.seq;
    return new Promise<void>((resolve) => {
      slot.pending.set(id, { works, done: resolve });
      slot.worker.ref(); // keep the process up while an answer is owed
      // The bytes are moved, not copied: no structured clone of ~260 hex characters per check on either side.
      slot.worker.postMessage({ id, ...n, bytes: batch }, [batch]);
    });
  }

  /** Stop every thread; unanswered batches resolve unrecorded. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0, this.slots.length, ...this.slots.map(() => null));
    await Promise.all(slots.map((s) => (s ? stopThread(this.retire(s).worker) : undefined)));
  }

  private spawn(i: number): Slot {
    const worker = new Worker(new URL('./verify-worker.mjs', import.meta.url));
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (m: { id: number; sigOk: Uint8Array; pubOk: Uint8Array; schnorrOk: Uint8Array; pointOk: Uint8Array }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      this.answered.sigs += m.sigOk.length;
      this.answered.keys += m.pubOk.length;
      this.answered.schnorr += m.schnorrOk.length;
      this.answered.points += m.pointOk.length;
      let si = 0;
      let pi = 0;
      let bi = 0;
      let xi = 0;
      for (const w of p.works) {
        const nb = w.schnorr?.length ?? 0;
        const nx = w.points?.length ?? 0;
        recordVerified(
          w,
          m.sigOk.subarray(si, (si += w.sigs.length)),
          m.pubOk.subarray(pi, (pi += w.pubkeys.length)),
          nb > 0 ? m.schnorrOk.subarray(bi, (bi += nb)) : undefined,
          nx > 0 ? m.pointOk.subarray(xi, (xi += nx)) : undefined,
        );
      }
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
