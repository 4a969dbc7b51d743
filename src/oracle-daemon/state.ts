/** oracle-daemon/state.ts - the daemon's own durable state in its data dir (state.json, written whole with fsync): published versions (content hash, seqNo, PoW) of the ad and capabilities, announced events, posted manual outcomes, paused. Nonce secrets and the attestation log live apart, in dataDir/dlc (oracle/dlc-oracle.ts). Imports oracle and protocol. */
import fs from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../oracle/durable.ts';
import type { Pow } from '../protocol/types.ts';
import type { SourceValue } from '../oracle/sources.ts';

/** What was last published of one ad: the hash of its signed content (without seqNo, PoW, cTTL, signature), its seqNo and its best PoW. */
export interface PublishedVersion {
  contentHash: string;
  seqNo: number;
  pow: Pow;
}

/** An announced event. Recorded (fsync) after its nonces and before the announcement leaves the process. */
export interface EventRecord {
  /** `<capability name>@<maturity epoch>`. */
  key: string;
  capability: string;
  capabilityPubKey: string;
  maturityEpoch: number;
  eventId: string;
  announcementId: string;
  /** The oracle_announcement TLV, hex. */
  tlv: string;
  /** PoW of the Mega announcement entity. */
  pow: Pow;
  announcedAt: string;
}

/** A manual outcome posted to the admin API, waiting for its event's maturity. */
export interface ManualOutcome {
  value: SourceValue;
  postedAt: string;
}

interface StateFile {
  version: 1;
  oracle: PublishedVersion | null;
  capabilities: Record<string, PublishedVersion>;
  events: EventRecord[];
  manual: Record<string, ManualOutcome>;
  paused: boolean;
}

/** The daemon's state file. One writer (the daemon holds dataDir/daemon.lock). */
export class DaemonState {
  private readonly file: string;
  private s: StateFile;
  /** Events by key (the engine asks for every due maturity on every tick). */
  private byKey = new Map<string, EventRecord>();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'state.json');
    this.s = { version: 1, oracle: null, capabilities: {}, events: [], manual: {}, paused: false };
    let text: string | null = null;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text !== null) {
      const v = JSON.parse(text) as StateFile; // written whole by rename: never torn
      if (v.version !== 1) throw new Error(`${this.file}: unknown state version ${String(v.version)}`);
      this.s = v;
    }
    this.byKey = new Map(this.s.events.map((e) => [e.key, e]));
  }

  private save(): void {
    writePrivateFile(this.file, `${JSON.stringify(this.s)}\n`);
  }

  get oracle(): PublishedVersion | null {
    return this.s.oracle;
  }

  setOracle(v: PublishedVersion): void {
    this.s.oracle = v;
    this.save();
  }

  capability(pubkey: string): PublishedVersion | undefined {
    return this.s.capabilities[pubkey];
  }

  setCapability(pubkey: string, v: PublishedVersion): void {
    this.s.capabilities[pubkey] = v;
    this.save();
  }

  get events(): readonly EventRecord[] {
    return this.s.events;
  }

  event(key: string): EventRecord | undefined {
    return this.byKey.get(key);
  }

  /** Record an announced event durably (before it is published). */
  addEvent(e: EventRecord): void {
    if (this.event(e.key)) throw new Error(`event ${e.key} is recorded already`);
    this.s.events.push(e);
    try {
      this.save();
    } catch (err) {
      this.s.events.pop(); // not durable: it must not exist for the publisher either
      throw err;
    }
    this.byKey.set(e.key, e);
  }

  /** Forget events matching `drop` (old attested ones); their manual outcomes go too. */
  prune(drop: (e: EventRecord) => boolean): number {
    const keep = this.s.events.filter((e) => !drop(e));
    const n = this.s.events.length - keep.length;
    if (n === 0) return 0;
    this.byKey = new Map(keep.map((e) => [e.key, e]));
    const keys = this.byKey;
    this.s.events = keep;
    for (const k of Object.keys(this.s.manual)) if (!keys.has(k)) delete this.s.manual[k];
    this.save();
    return n;
  }

  manual(key: string): ManualOutcome | undefined {
    return this.s.manual[key];
  }

  setManual(key: string, m: ManualOutcome): void {
    this.s.manual[key] = m;
    this.save();
  }

  get paused(): boolean {
    return this.s.paused;
  }

  setPaused(p: boolean): void {
    this.s.paused = p;
    this.save();
  }
}
