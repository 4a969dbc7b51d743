/**
 * trader/store.ts - the contract records of one trader: one JSON file per contract under
 * <dataDir>/contracts, written whole and durably (temp file, fsync, rename, folder fsync) before
 * any message or transaction that depends on it leaves the process; count and byte limits. No
 * secrets are stored: keys come from the wallet by slot (the exchange id). Imports node:fs only.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Attestation, Offer } from '../protocol/types.ts';
import type { SigningVersion } from '../dlc/types.ts';
import { EngineError } from './errors.ts';
import type { ContractPhase, Envelope } from './types.ts';

/** Everything needed to resume one contract after a crash. Version 1. */
export interface ContractRecord {
  v: 1;
  /** The offer id: an offer is taken at most once, so it names the contract on both sides. */
  id: string;
  role: 'maker' | 'taker';
  phase: ContractPhase;
  /** The board offer as this side last posted (maker) or fetched (taker) it. */
  offer: Offer;
  /** The oracle_announcement TLV (hex) and how its oracle signs. */
  announcementHex: string;
  signingVersion: SigningVersion;
  oraclePubKey: string;
  /** Fixed by the taker's `take`; the wallet slot of the contract key and the coin reservation. Null on an untaken offer. */
  exchangeId: string | null;
  /** The other side's identity key (maker side: the taker's from its take; taker side: makerPubKey). */
  counterparty: string | null;
  /** When the current exchange started (ms), for the timeouts. */
  exchangeStartedAt: number | null;
  /** dlcspecs messages, hex, as sent/received. */
  offerDlc: string | null;
  acceptDlc: string | null;
  signDlc: string | null;
  /** The signed answers this side gave (maker), so re-sent messages get the same bytes. */
  answers: Partial<Record<Envelope['type'], Envelope>>;
  contractId: string | null;
  fundingTxid: string | null;
  fundingVout: number | null;
  /** The fully signed funding transaction (taker), written before it is broadcast. */
  fundingTxHex: string | null;
  closingKind: 'cet' | 'refund' | null;
  closingTxHex: string | null;
  closingTxid: string | null;
  attestation: Attestation | null;
  outcome: string | null;
  /** Maker: its signed double-spend of its own funding inputs, when the taker never broadcast the funding (trader/cancel.ts). Absent in older records. */
  cancelTxHex?: string | null;
  /** Maker: the offer version to (re)post to the board, until a node took it. */
  boardPending: Offer | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Limits of the store. */
export interface StoreLimits {
  maxContracts: number;
  /** Largest record (a sign_dlc of 20,000 CETs is ~6.5 MB of hex; a record holds three messages). */
  maxRecordBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = { maxContracts: 10_000, maxRecordBytes: 32 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024 };

const ID = /^[0-9a-f]{64}$/;

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a folder; the rename is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** The records in memory, mirrored durably on disk. */
export class ContractStore {
  readonly dir: string;
  private readonly records = new Map<string, ContractRecord>();
  private readonly sizes = new Map<string, number>();
  private total = 0;
  /** Files that could not be read at load (name and why): kept on disk, never overwritten silently. */
  readonly unreadable: { file: string; error: string }[] = [];

  constructor(
    dataDir: string,
    readonly limits: StoreLimits = DEFAULT_STORE_LIMITS,
  ) {
    this.dir = path.join(dataDir, 'contracts');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const name of fs.readdirSync(this.dir).sort()) {
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        fs.rmSync(path.join(this.dir, name), { force: true }); // a write interrupted by a crash
        continue;
      }
      const m = /^([0-9a-f]{64})\.json$/.exec(name);
      if (!m) continue;
      const file = path.join(this.dir, name);
      try {
        const size = fs.statSync(file).size;
        if (size > limits.maxRecordBytes) throw new Error(`${size} bytes is over the ${limits.maxRecordBytes} byte record limit`);
        const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as ContractRecord;
        if (rec.v !== 1 || rec.id !== m[1] || (rec.role !== 'maker' && rec.role !== 'taker')) throw new Error('not a version 1 contract record of this name');
        this.records.set(rec.id, rec);
        this.sizes.set(rec.id, size);
        this.total += size;
      } catch (e) {
        this.unreadable.push({ file: name, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  get(id: string): ContractRecord | null {
    return this.records.get(id) ?? null;
  }

  all(): ContractRecord[] {
    return [...this.records.values()];
  }

  /** Write `rec` durably (replacing its previous version); throws EngineError `store-full` over a limit. Returns when it survives a crash. */
  put(rec: ContractRecord): void {
    if (!ID.test(rec.id)) throw new Error('contract id must be 64 lowercase hex');
    if (this.unreadable.some((u) => u.file === `${rec.id}.json`)) throw new EngineError('store-full', `contract file ${rec.id}.json is unreadable; refusing to overwrite it`);
    const text = JSON.stringify(rec);
    const size = Buffer.byteLength(text);
    const old = this.sizes.get(rec.id) ?? 0;
    if (!this.records.has(rec.id) && this.records.size >= this.limits.maxContracts) throw new EngineError('store-full', `the store holds its limit of ${this.limits.maxContracts} contracts`);
    if (size > this.limits.maxRecordBytes) throw new EngineError('store-full', `a contract record of ${size} bytes is over the ${this.limits.maxRecordBytes} byte limit`);
    if (this.total - old + size > this.limits.maxTotalBytes) throw new EngineError('store-full', `the store would pass its ${this.limits.maxTotalBytes} byte limit`);
    const file = path.join(this.dir, `${rec.id}.json`);
    const tmp = path.join(this.dir, `.${rec.id}.${process.pid}.tmp`);
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fsyncDir(this.dir);
    this.records.set(rec.id, structuredClone(rec));
    this.sizes.set(rec.id, size);
    this.total += size - old;
  }
}
