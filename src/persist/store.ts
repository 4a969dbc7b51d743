/** persist/store.ts - durable mempool: an append-only journal of accepted/evicted changes, periodic compaction into a snapshot, restore at start. Imports protocol and mempool (types and the Mempool it restores into); never service, api or p2p. */
import fs from 'node:fs';
import path from 'node:path';
import { disputeId } from '../protocol/ids.ts';
import type { Dispute, OracleCapability, OracleId, Report, Verified } from '../protocol/types.ts';
import type { AcceptedEvent, EvictedEvent, InventoryEntry, Mempool, StoredKind } from '../mempool/mempool.ts';
import { decodeRecords, encodeRecord } from './codec.ts';

/** The config slice. */
export interface StoreOptions {
  /** Folder holding `journal.log` and `snapshot.log` (created if missing). */
  dir: string;
  /** fsync the journal at most this often (0 = after every record). Bounds what a power loss can take; kill -9 loses nothing either way. */
  fsyncIntervalMs: number;
  /** Compact (snapshot + empty journal) once the journal grows past this many bytes. */
  compactBytes: number;
}

/** Injected collaborators. */
export interface StoreDeps {
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void };
}

/** One journal or snapshot line. `id` and `oraclePubKey` are those of the mempool events. */
export type StoreRecord =
  | { op: 'put'; kind: StoredKind; id: string; oraclePubKey: string; msg: OracleId | OracleCapability | Report | Dispute }
  | { op: 'del'; kind: StoredKind; id: string; oraclePubKey: string };

/** What restore() found and loaded. */
export interface RestoreSummary {
  oracles: number;
  capabilities: number;
  reports: number;
  disputes: number;
  /** Records whose entry the mempool refused on replay (e.g. limits or shard lowered since). */
  refused: number;
  /** Corrupt or torn lines skipped, in snapshot and journal. */
  corrupt: number;
  ms: number;
}

const KINDS: readonly StoredKind[] = ['oracle', 'capability', 'report', 'dispute'];
const JOURNAL = 'journal.log';
/** The previous journal generation while a background compaction writes the snapshot that covers it. */
const JOURNAL_OLD = 'journal.old.log';
/** Snapshot records encoded per event-loop turn during a background compaction. */
const COMPACT_SLICE = 2_000;
const SNAPSHOT = 'snapshot.log';
const LOCK = 'LOCK';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function isRecord(v: unknown): v is StoreRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  if (typeof r.id !== 'string' || typeof r.oraclePubKey !== 'string' || !KINDS.includes(r.kind as StoredKind)) return false;
  if (r.op === 'del') return true;
  return r.op === 'put' && typeof r.msg === 'object' && r.msg !== null && !Array.isArray(r.msg);
}

/** Key of one stored thing; capabilities are per oracle. */
const keyOf = (r: { kind: StoredKind; id: string; oraclePubKey: string }): string => (r.kind === 'capability' ? `capability:${r.oraclePubKey}:${r.id}` : `${r.kind}:${r.id}`);

/**
 * Journal + snapshot persistence of one mempool.
 *
 * Lifecycle: `open(mempool)` restores snapshot then journal into the (empty) mempool, compacts, and
 * from then on appends every `mempool:accepted`/`mempool:evicted` synchronously (fs.writeSync), so a
 * record is in the OS before the admission call returns, i.e. before REST answers 201. `close()`
 * fsyncs and closes; call it after HTTP and P2P have stopped.
 */
export class MempoolStore {
  private readonly opts: StoreOptions;
  private readonly log: StoreDeps['log'];
  private fd: number | null = null;
  private mempool: Mempool | null = null;
  private journalBytes = 0;
  private dirty = false;
  private failed = false;

  /** False while journal writes fail (the REST layer then answers 503 instead of acknowledging). */
  get durable(): boolean {
    return !this.failed;
  }
  private locked = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly onAccepted = (e: AcceptedEvent): void => this.append({ op: 'put', kind: e.kind, id: e.id, oraclePubKey: e.oraclePubKey, msg: e.entity });
  private readonly onEvicted = (e: EvictedEvent): void => this.append({ op: 'del', kind: e.kind, id: e.id, oraclePubKey: e.oraclePubKey });

  constructor(opts: StoreOptions, deps: StoreDeps) {
    this.opts = opts;
    this.log = deps.log;
  }

  /** Restore into `mempool`, write a fresh snapshot, then journal every change. Throws only on I/O errors (unreadable folder). */
  open(mempool: Mempool): RestoreSummary {
    if (this.mempool) throw new Error('MempoolStore.open called twice');
    fs.mkdirSync(this.opts.dir, { recursive: true });
    this.lock();
    this.mempool = mempool;
    const summary = this.restore(mempool);
    this.fd = fs.openSync(this.file(JOURNAL), 'a');
    this.compact();
    mempool.on('mempool:accepted', this.onAccepted);
    mempool.on('mempool:evicted', this.onEvicted);
    if (this.opts.fsyncIntervalMs > 0) {
      this.timer = setInterval(() => this.sync(), this.opts.fsyncIntervalMs);
      this.timer.unref();
    }
    return summary;
  }

  private compacting: Promise<void> | null = null;
  private closed = false;

  /** Resolves when no background compaction is running (tests, orderly shutdown). */
  whenIdle(): Promise<void> {
    return this.compacting ?? Promise.resolve();
  }

  /**
   * Compaction while the node serves: capture the contents now (references to immutable
   * messages), switch appends to a fresh journal generation, then encode and write the snapshot
   * in slices between event-loop turns, so requests never wait for a whole-mempool rewrite. Until
   * the new snapshot is renamed into place, the old snapshot + `journal.old.log` + `journal.log`
   * still hold everything (restore reads all three in that order).
   */
  private compactInBackground(): void {
    if (!this.mempool || this.fd === null) return;
    const captured = [...this.mempool.inventory()];
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.file(JOURNAL), this.file(JOURNAL_OLD));
    this.fd = fs.openSync(this.file(JOURNAL), 'a');
    this.syncDir();
    this.journalBytes = 0;
    this.dirty = false;
    const tmp = this.file(`${SNAPSHOT}.tmp`);
    this.compacting = (async () => {
      const out = fs.openSync(tmp, 'w');
      try {
        for (let i = 0; i < captured.length; i += COMPACT_SLICE) {
          if (this.closed) return; // stopping: the files on disk are still complete without this snapshot
          let buf = '';
          for (const e of captured.slice(i, i + COMPACT_SLICE)) buf += snapshotLine(e);
          fs.writeSync(out, buf);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        fs.fsyncSync(out);
      } finally {
        fs.closeSync(out);
      }
      if (this.closed) return;
      fs.renameSync(tmp, this.file(SNAPSHOT));
      this.syncDir();
      fs.rmSync(this.file(JOURNAL_OLD), { force: true });
    })()
      .catch((err: unknown) => this.log.error({ err, dir: this.opts.dir }, 'background compaction failed; the journal generations still hold everything'))
      .finally(() => {
        this.compacting = null;
      });
  }

  /** Stop journaling, fsync and close. Idempotent. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.mempool) {
      this.mempool.off('mempool:accepted', this.onAccepted);
      this.mempool.off('mempool:evicted', this.onEvicted);
    }
    if (this.fd !== null) {
      this.sync();
      fs.closeSync(this.fd);
      this.fd = null;
    }
    if (this.locked) {
      this.locked = false;
      fs.rmSync(this.file(LOCK), { force: true });
    }
  }

  /** Bytes in the journal since the last compaction. */
  get pendingBytes(): number {
    return this.journalBytes;
  }

  /**
   * Rewrite the snapshot from the mempool's contents (temp file, fsync, rename, fsync folder), then
   * empty the journal. Synchronous, so no append can interleave. A crash between rename and truncate
   * only replays journal records the snapshot already contains (last write per key wins: same state).
   */
  compact(): void {
    // Never under a background compaction: its older snapshot would later be renamed over this one.
    if (!this.mempool || this.fd === null || this.compacting) return;
    const tmp = this.file(`${SNAPSHOT}.tmp`);
    const out = fs.openSync(tmp, 'w');
    try {
      let buf = '';
      for (const e of this.mempool.inventory()) {
        buf += snapshotLine(e);
        if (buf.length > 1 << 20) {
          fs.writeSync(out, buf);
          buf = '';
        }
      }
      if (buf) fs.writeSync(out, buf);
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
    fs.renameSync(tmp, this.file(SNAPSHOT));
    this.syncDir();
    fs.rmSync(this.file(JOURNAL_OLD), { force: true }); // a generation left by an interrupted background compaction
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.journalBytes = 0;
    this.dirty = false;
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Two processes appending to one journal would each restore the other's changes: refuse to start
   * on a folder whose LOCK names a live process. A LOCK left by kill -9 names a dead pid and is taken over.
   */
  private lock(): void {
    const p = this.file(LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(p, String(process.pid), { flag: 'wx' });
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = Number.parseInt(this.read(LOCK), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(`dataDir ${this.opts.dir} is in use by process ${pid} (its ${LOCK} file); give each node its own dataDir`);
      }
      fs.rmSync(p, { force: true }); // stale: its process is gone
    }
    throw new Error(`cannot lock dataDir ${this.opts.dir}`);
  }

  private file(name: string): string {
    return path.join(this.opts.dir, name);
  }

  /** Runs inside the mempool's admission call: must never throw (MempoolEvents contract). */
  private append(r: StoreRecord): void {
    if (this.fd === null) return;
    try {
      const line = encodeRecord(r);
      fs.writeSync(this.fd, line);
      this.journalBytes += Buffer.byteLength(line);
      this.dirty = true;
      if (this.opts.fsyncIntervalMs === 0) this.sync();
      if (this.journalBytes >= this.opts.compactBytes && !this.compacting) this.compactInBackground();
      if (this.failed) {
        this.failed = false;
        this.log.info({ dir: this.opts.dir }, 'journal writes work again');
      }
    } catch (err) {
      // Disk full or gone: the change is in memory but not durable. Logged once per outage (see docs/security.md).
      if (!this.failed) this.log.error({ err, dir: this.opts.dir }, 'journal write failed: accepted changes are not durable until it recovers');
      this.failed = true;
    }
  }

  private sync(): void {
    if (!this.dirty || this.fd === null) return;
    try {
      fs.fdatasyncSync(this.fd);
      this.dirty = false;
    } catch (err) {
      this.log.error({ err }, 'journal fsync failed');
    }
  }

  private syncDir(): void {
    try {
      const d = fs.openSync(this.opts.dir, 'r');
      try {
        fs.fsyncSync(d);
      } finally {
        fs.closeSync(d);
      }
    } catch {
      // Some platforms cannot fsync a directory; the rename is still atomic.
    }
  }

  private read(name: string): string {
    try {
      return fs.readFileSync(this.file(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  /**
   * Fold snapshot then journal into the last state per key, then insert in dependency order
   * (oracles, capabilities, reports, disputes) as a restore (events marked `restored`): nothing is re-journaled
   * or relayed. Signatures and PoW are NOT re-verified: these files were written by this node
   * after full admission, each line is checksummed, and anyone able to write them owns the node
   * anyway; re-verifying a full mempool (~1M ads) would cost over a minute per start.
   */
  private restore(mempool: Mempool): RestoreSummary {
    const t0 = Date.now();
    const state = new Map<string, Extract<StoreRecord, { op: 'put' }>>();
    let corrupt = 0;
    for (const name of [SNAPSHOT, JOURNAL_OLD, JOURNAL]) {
      const text = this.read(name);
      const d = decodeRecords(text, isRecord);
      if (d.corrupt > 0) this.log.warn({ file: this.file(name), skipped: d.corrupt, tornTail: d.tornTail }, 'skipped corrupt or torn records');
      corrupt += d.corrupt;
      for (const r of d.records) {
        if (r.op === 'put') state.set(keyOf(r), r);
        else state.delete(keyOf(r));
      }
    }
    const s: RestoreSummary = { oracles: 0, capabilities: 0, reports: 0, disputes: 0, refused: 0, corrupt, ms: 0 };
    const plural = { oracle: 'oracles', capability: 'capabilities', report: 'reports', dispute: 'disputes' } as const;
    mempool.restoring(() => {
      for (const kind of KINDS) {
        for (const r of state.values()) {
          if (r.kind !== kind) continue;
          let status: string;
          try {
            status = insert(mempool, r).status;
          } catch {
            status = 'malformed'; // a record that parsed but is not an entity: skipped like a corrupt line
          }
          if (status === 'accepted') s[plural[kind]]++;
          else s.refused++;
        }
      }
    });
    s.ms = Date.now() - t0;
    this.log.info({ dir: this.opts.dir, ...s }, 'mempool restored from disk');
    return s;
  }
}

/** One snapshot line for a stored item (ids as the mempool events name them). */
function snapshotLine(e: InventoryEntry): string {
  const m = e.msg as OracleId & OracleCapability & Report & Dispute;
  const id = e.kind === 'oracle' ? m.pubkey : e.kind === 'capability' ? m.capabilityPubKey : e.kind === 'report' ? e.id : disputeId(m);
  const oraclePubKey = e.kind === 'oracle' ? m.pubkey : m.oraclePubKey;
  return encodeRecord({ op: 'put', kind: e.kind, id, oraclePubKey, msg: e.msg } satisfies StoreRecord);
}

function insert(mempool: Mempool, r: Extract<StoreRecord, { op: 'put' }>): { status: string } {
  switch (r.kind) {
    case 'oracle':
      return mempool.addOracle(r.msg as Verified<OracleId>);
    case 'capability':
      return mempool.addCapability(r.msg as Verified<OracleCapability>);
    case 'report':
      return mempool.addReport(r.msg as Verified<Report>, r.id);
    case 'dispute':
      return mempool.addDispute(r.msg as Verified<Dispute>, r.id);
  }
}
