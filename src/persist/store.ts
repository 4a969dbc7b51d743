/** persist/store.ts - durable mempool: an append-only journal of accepted/evicted changes, periodic compaction into a snapshot, restore at start. Imports protocol and mempool (types and the Mempool it restores into); never service, api or p2p. */
import fs from 'node:fs';
import path from 'node:path';
import { disputeId, dlcTlvId } from '../protocol/ids.ts';
import { decodeAnnouncement, decodeAttestation } from '../dlc/index.ts';
import type { Announcement, Attestation, Dispute, Offer, OracleCapability, OracleId, Report, Verified } from '../protocol/types.ts';
import type { AcceptedEvent, EvictedEvent, InventoryEntry, Mempool, StoredKind } from '../mempool/mempool.ts';
import { decodeRecords, encodeRecord } from './codec.ts';
import { WaitingForOracle } from './dependents.ts';
import { LOCK, lockDir, syncDir, writeAll } from './files.ts';
import { HeldChanges, PROBE_INTERVAL_MS, appendWhole, hasHeadroom } from './journal.ts';

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
  | { op: 'put'; kind: StoredKind; id: string; oraclePubKey: string; msg: OracleId | OracleCapability | Report | Dispute | Announcement | Attestation | Offer }
  | { op: 'del'; kind: StoredKind; id: string; oraclePubKey: string };
type PutRecord = Extract<StoreRecord, { op: 'put' }>;

/** What restore() found and loaded. */
export interface RestoreSummary {
  oracles: number;
  capabilities: number;
  reports: number;
  disputes: number;
  announcements: number;
  attestations: number;
  offers: number;
  /** Records whose entry the mempool refused on replay (e.g. limits or shard lowered since). */
  refused: number;
  /** Intact records whose oracle (or report) is missing, e.g. its own line was damaged: held until the oracle returns, kept in every snapshot meanwhile. */
  waiting: number;
  /** Corrupt or torn lines skipped, in snapshot and journal. */
  corrupt: number;
  /** Copies kept of files that had damaged lines (`<name>.damaged-<time>.log`), never rewritten or deleted by the node. */
  damagedCopies: string[];
  ms: number;
}

/** In dependency order: what a record hangs on is restored before it. */
const KINDS: readonly StoredKind[] = ['oracle', 'capability', 'report', 'dispute', 'announcement', 'attestation', 'offer'];
const JOURNAL = 'journal.log';
/** The previous journal generation while a background compaction writes the snapshot that covers it. */
const JOURNAL_OLD = 'journal.old.log';
/** Snapshot records encoded per event-loop turn during a background compaction. */
const COMPACT_SLICE = 2_000;
const SNAPSHOT = 'snapshot.log';

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
 * record is in the OS before the admission call returns, i.e. before REST answers 201. A record is
 * written whole or not at all (journal.ts). While writes fail (disk full) `durable` is false, the
 * changes are held in memory (bounded) and a timer probes for space every {@link PROBE_INTERVAL_MS};
 * the outage ends only once every held change is written. `close()` fsyncs and closes; call it
 * after HTTP and P2P have stopped.
 */
export class MempoolStore {
  private readonly opts: StoreOptions;
  private readonly log: StoreDeps['log'];
  private fd: number | null = null;
  private mempool: Mempool | null = null;
  /** Bytes of complete records in the current journal file (the offset a failed write is cut back to). */
  private journalBytes = 0;
  private dirty = false;
  private failed = false;
  /** A failed write left a fragment the truncate could not remove: cut it before writing again. */
  private mustCut = false;
  /** Changes made while the journal could not be written, oldest first. */
  private readonly held = new HeldChanges();
  private readonly waiting = new WaitingForOracle<PutRecord>();
  /** Start-up found damaged lines it could not keep a copy of: never rewrite those files. */
  private keepFiles = false;
  private probeTimer: NodeJS.Timeout | null = null;

  /** False while journal writes fail or changes made meanwhile are not yet written (the REST layer then answers 503 instead of acknowledging). */
  get durable(): boolean {
    return !this.failed;
  }
  private locked = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly onAccepted = (e: AcceptedEvent): void => {
    this.append({ op: 'put', kind: e.kind, id: e.id, oraclePubKey: e.oraclePubKey, msg: e.entity });
    // Records restored without this oracle go back in once it is stored again (after this admission call returns).
    if (e.kind === 'oracle' && this.waiting.count > 0) queueMicrotask(() => this.placeWaiting(e.oraclePubKey));
  };
  private readonly onEvicted = (e: EvictedEvent): void => this.append({ op: 'del', kind: e.kind, id: e.id, oraclePubKey: e.oraclePubKey });

  constructor(opts: StoreOptions, deps: StoreDeps) {
    this.opts = opts;
    this.log = deps.log;
  }

  /**
   * Restore into `mempool`, write a fresh snapshot, then journal every change. Throws only when the
   * folder cannot be read or locked. A full disk does not stop a start: the node then serves what it
   * restored and `durable` stays false until the probe finds space.
   */
  open(mempool: Mempool): RestoreSummary {
    if (this.mempool) throw new Error('MempoolStore.open called twice');
    fs.mkdirSync(this.opts.dir, { recursive: true });
    this.locked = lockDir(this.opts.dir, this.log);
    this.mempool = mempool;
    const summary = this.restore(mempool);
    this.fd = fs.openSync(this.file(JOURNAL), 'a');
    this.journalBytes = fs.fstatSync(this.fd).size;
    if (!this.keepFiles) {
      try {
        this.compact();
      } catch (err) {
        // The files on disk still hold everything restored; only the rewrite failed (no space for the new snapshot).
        this.startOutage(err, 'start-up compaction failed: serving what was restored, writes are refused until space returns');
      }
    }
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
    // A generation left by a failed background compaction is not covered by any snapshot: renaming
    // over it would lose it. Fold everything synchronously instead (rare: only after such a failure).
    if (fs.existsSync(this.file(JOURNAL_OLD))) return this.compact();
    const captured = [...this.mempool.inventory()];
    const waiting = [...this.waiting.all()];
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.file(JOURNAL), this.file(JOURNAL_OLD));
    this.fd = fs.openSync(this.file(JOURNAL), 'a');
    syncDir(this.opts.dir);
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
          writeAll(out, buf);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        writeAll(out, waiting.map((r) => encodeRecord(r)).join(''));
        fs.fsyncSync(out);
      } catch (err) {
        fs.rmSync(tmp, { force: true }); // a partial snapshot only takes space (restore never reads it)
        throw err;
      } finally {
        fs.closeSync(out);
      }
      if (this.closed) return;
      fs.renameSync(tmp, this.file(SNAPSHOT));
      syncDir(this.opts.dir);
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
    this.stopProbe();
    if (this.mempool) {
      this.mempool.off('mempool:accepted', this.onAccepted);
      this.mempool.off('mempool:evicted', this.onEvicted);
    }
    if (this.fd !== null) {
      if (this.failed && !this.held.overflowed) this.flushHeld(); // last chance for changes made during an outage
      if (this.failed) this.log.warn({ dir: this.opts.dir, held: this.held.count, overflowed: this.held.overflowed }, 'stopping during a journal outage: changes made since it began (never acknowledged by REST) are not on disk');
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
   * Throws on I/O errors (disk full) with the old files untouched and the temp file removed.
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
          writeAll(out, buf);
          buf = '';
        }
      }
      for (const r of this.waiting.all()) buf += encodeRecord(r);
      if (buf) writeAll(out, buf);
      fs.fsyncSync(out);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    } finally {
      fs.closeSync(out);
    }
    fs.renameSync(tmp, this.file(SNAPSHOT));
    syncDir(this.opts.dir);
    fs.rmSync(this.file(JOURNAL_OLD), { force: true }); // a generation left by an interrupted background compaction
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.journalBytes = 0;
    this.mustCut = false;
    this.dirty = false;
  }

  // ---- internals -----------------------------------------------------------------------------

  private file(name: string): string {
    return path.join(this.opts.dir, name);
  }

  /** Runs inside the mempool's admission call: must never throw (MempoolEvents contract). */
  private append(r: StoreRecord): void {
    if (this.fd === null) return;
    let line: string;
    try {
      line = encodeRecord(r);
    } catch (err) {
      this.log.error({ err, kind: r.kind, id: r.id }, 'cannot encode a journal record');
      return;
    }
    // During an outage later changes queue behind the held ones: order is kept, and no write is tried per change.
    if (this.failed) return this.held.push(line);
    const err = this.writeLine(line);
    if (err !== null) {
      this.held.push(line);
      return this.startOutage(err, 'journal write failed: changes are held in memory and not acknowledged until the journal can be written');
    }
    if (this.journalBytes >= this.opts.compactBytes && !this.compacting) {
      try {
        this.compactInBackground();
      } catch (e) {
        this.log.error({ err: e, dir: this.opts.dir }, 'compaction failed; the journal still holds everything');
      }
    }
  }

  /** Write one encoded record whole (or not at all). Returns the error, or null once written. */
  private writeLine(line: string): unknown {
    if (this.fd === null) return new Error('journal closed');
    if (this.mustCut) {
      try {
        fs.ftruncateSync(this.fd, this.journalBytes);
        this.mustCut = false;
      } catch (err) {
        return err;
      }
    }
    const buf = Buffer.from(line);
    const r = appendWhole(this.fd, buf, this.journalBytes);
    if (!r.ok) {
      this.mustCut = !r.cut;
      return r.err;
    }
    this.journalBytes += buf.length;
    this.dirty = true;
    if (this.opts.fsyncIntervalMs === 0) this.sync();
    return null;
  }

  private startOutage(err: unknown, msg: string): void {
    if (!this.failed) this.log.error({ err, dir: this.opts.dir }, msg); // once per outage (docs/persistence.md)
    this.failed = true;
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setInterval(() => {
      try {
        this.probe();
      } catch (e) {
        this.log.error({ err: e, dir: this.opts.dir }, 'journal probe failed');
      }
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
  }

  /**
   * One outage probe: once the folder has room, write every held change in order (or, if too many
   * piled up, a full snapshot of the mempool), and only then declare the journal durable again.
   */
  private probe(): void {
    if (!this.failed || this.fd === null || !hasHeadroom(this.opts.dir)) return;
    if (this.held.overflowed) {
      if (this.compacting) return;
      try {
        this.compact(); // the mempool itself holds every change the dropped queue held
      } catch {
        return;
      }
      this.held.clear();
    } else if (!this.flushHeld()) return;
    this.failed = false;
    this.stopProbe();
    this.log.info({ dir: this.opts.dir }, 'journal writes work again');
  }

  /** Write held changes oldest first; true when none is left. */
  private flushHeld(): boolean {
    for (let line = this.held.peek(); line !== undefined; line = this.held.peek()) {
      if (this.writeLine(line) !== null) return false;
      this.held.shift();
    }
    return true;
  }

  /** Put back records that waited for `oraclePubKey`, through the normal (journaled, relayed) admission path. */
  private placeWaiting(oraclePubKey: string): void {
    const mempool = this.mempool;
    if (!mempool || this.closed || !mempool.getOracle(oraclePubKey)) return;
    let placed = 0;
    const records = this.waiting.take(oraclePubKey);
    for (const r of records) {
      try {
        if (insert(mempool, r).status === 'accepted') placed++;
      } catch (err) {
        this.log.warn({ err, kind: r.kind, id: r.id }, 'a waiting record could not be placed');
      }
    }
    this.log.info({ oraclePubKey, placed, of: records.length }, 'records restored without their oracle were put back');
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

  private read(name: string): string {
    try {
      return fs.readFileSync(this.file(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  /**
   * Keep a copy of a file with damaged lines before any rewrite: a hard link (no space needed),
   * else a copy. If neither works the start-up compaction is skipped, so the file is not rewritten.
   */
  private keepDamaged(name: string): string | null {
    const copy = `${name.replace(/\.log$/, '')}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    try {
      fs.linkSync(this.file(name), this.file(copy));
    } catch {
      try {
        fs.copyFileSync(this.file(name), this.file(copy), fs.constants.COPYFILE_EXCL);
      } catch (err) {
        this.log.error({ err, file: this.file(name) }, 'cannot keep a copy of a damaged file: it will not be rewritten this run');
        this.keepFiles = true;
        return null;
      }
    }
    this.log.warn({ file: this.file(copy) }, 'kept a copy of a file with damaged lines');
    return copy;
  }

  /**
   * Fold snapshot then journal into the last state per key, then insert in dependency order
   * (oracles, capabilities, reports, disputes) as a restore (events marked `restored`): nothing is re-journaled
   * or relayed. Signatures and PoW are NOT re-verified: these files were written by this node
   * after full admission, each line is checksummed, and anyone able to write them owns the node
   * anyway; re-verifying a full mempool (~1M ads) would cost over a minute per start. A record
   * whose oracle (or report) is missing waits for it (dependents.ts) instead of being dropped.
   */
  private restore(mempool: Mempool): RestoreSummary {
    const t0 = Date.now();
    const state = new Map<string, PutRecord>();
    let corrupt = 0;
    const damagedCopies: string[] = [];
    for (const name of [SNAPSHOT, JOURNAL_OLD, JOURNAL]) {
      const text = this.read(name);
      const d = decodeRecords(text, isRecord);
      if (d.corrupt > 0) this.log.warn({ file: this.file(name), skipped: d.corrupt, tornTail: d.tornTail }, 'skipped corrupt or torn records');
      corrupt += d.corrupt;
      // A torn tail is a write cut by a crash (never acknowledged); any other bad line was good data once.
      if (d.corrupt > (d.tornTail ? 1 : 0)) {
        const copy = this.keepDamaged(name);
        if (copy) damagedCopies.push(copy);
      }
      for (const r of d.records) {
        if (r.op === 'put') state.set(keyOf(r), r);
        else state.delete(keyOf(r));
      }
    }
    const s: RestoreSummary = { oracles: 0, capabilities: 0, reports: 0, disputes: 0, announcements: 0, attestations: 0, offers: 0, refused: 0, waiting: 0, corrupt, damagedCopies, ms: 0 };
    const plural = { oracle: 'oracles', capability: 'capabilities', report: 'reports', dispute: 'disputes', announcement: 'announcements', attestation: 'attestations', offer: 'offers' } as const;
    mempool.restoring(() => {
      for (const kind of KINDS) {
        for (const r of state.values()) {
          if (r.kind !== kind) continue;
          let res: ReturnType<typeof insert>;
          try {
            res = insert(mempool, r);
          } catch {
            res = { status: 'malformed' }; // a record that parsed but is not an entity: skipped like a corrupt line
          }
          if (res.status === 'accepted') s[plural[kind]]++;
          else if (isOrphaned(res) && this.waiting.hold(r)) s.waiting++;
          else s.refused++;
        }
      }
    });
    s.ms = Date.now() - t0;
    this.log.info({ dir: this.opts.dir, ...s }, 'mempool restored from disk');
    return s;
  }
}

/** Refused only because what it hangs on is missing (not for rank, shard or shape). */
const isOrphaned = (r: { status: string; reason?: string }): boolean => r.status === 'rejected' && (r.reason === 'unknown-oracle' || r.reason === 'report-not-found');

/** One snapshot line for a stored item (ids as the mempool events name them). */
function snapshotLine(e: InventoryEntry): string {
  const m = e.msg as OracleId & OracleCapability & Report & Dispute & Announcement & Attestation;
  const id =
    e.kind === 'oracle'
      ? m.pubkey
      : e.kind === 'capability'
        ? m.capabilityPubKey
        : e.kind === 'report' || e.kind === 'announcement' || e.kind === 'offer'
          ? e.id
          : e.kind === 'attestation'
            ? dlcTlvId(m.attestation)
            : disputeId(m);
  // An attestation and an offer name no oracle of their own; their records are keyed by their id alone (keyOf).
  const oraclePubKey = e.kind === 'oracle' ? m.pubkey : e.kind === 'attestation' || e.kind === 'offer' ? '' : m.oraclePubKey;
  return encodeRecord({ op: 'put', kind: e.kind, id, oraclePubKey, msg: e.msg } satisfies StoreRecord);
}

function insert(mempool: Mempool, r: PutRecord): { status: string; reason?: string } {
  switch (r.kind) {
    case 'oracle':
      return mempool.addOracle(r.msg as Verified<OracleId>);
    case 'capability':
      return mempool.addCapability(r.msg as Verified<OracleCapability>);
    case 'report':
      return mempool.addReport(r.msg as Verified<Report>, r.id);
    case 'dispute':
      return mempool.addDispute(r.msg as Verified<Dispute>, r.id);
    case 'announcement': {
      // Its signing version and question words come from its capability, restored before it.
      const a = r.msg as Verified<Announcement>;
      const cap = mempool.getCapability(a.oraclePubKey, a.capabilityPubKey)?.msg;
      if (!cap?.dlc) return { status: 'rejected', reason: 'unknown-capability' };
      return mempool.addAnnouncement(a, r.id, decodeAnnouncement(a.announcement), cap.dlc.signingVersion, cap.question);
    }
    case 'attestation': {
      const t = r.msg as Verified<Attestation>;
      return mempool.addAttestation(t, r.id, decodeAttestation(t.attestation));
    }
    case 'offer': {
      // What it needs of its announcement (restored before it) and of that announcement's capability.
      const o = r.msg as Verified<Offer>;
      const ann = mempool.getAnnouncement(o.content.announcementId);
      if (!ann) return { status: 'rejected', reason: 'announcement-not-found' };
      const question = mempool.getCapability(ann.msg.oraclePubKey, ann.msg.capabilityPubKey)?.msg.question ?? '';
      return mempool.addOffer(o, r.id, { oraclePubKey: ann.msg.oraclePubKey, maturityEpoch: ann.maturityEpoch, question });
    }
  }
}
