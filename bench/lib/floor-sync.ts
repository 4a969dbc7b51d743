/** bench/lib/floor-sync.ts - bench/floor.ts's sync mix (issue #21: a joining node fetches a 100,000-entry mempool in < 5 s): the mix bench/sync.ts's source holds, the source's serve step (a stored entity found by short version id, encoded as a checksummed frame) and the least wall time on a machine's cores that the three per-entry floors allow. */
import type { Mempool } from '../../src/mempool/mempool.ts';
import type { InventoryEntry } from '../../src/mempool/types.ts';
import { NETWORK_MAGIC } from '../../src/wire/constants.ts';
import { encodeFrame } from '../../src/wire/frame.ts';
import { makeBundle, makeMissingReport, type Msg } from './gen.ts';

/** Fact-missing reports per oracle in the sync mix (bench/lib/sync-source.ts): with its ad and capability, 10 entries per oracle. */
export const SYNC_REPORTS_PER_ORACLE = 8;

/**
 * The sync mix for `n` oracles, in the order a source's inventory lists it (an oracle before what hangs on it): per
 * oracle its ad, its capability and 8 fact-missing reports (numbers 0-7), as bench/lib/sync-source.ts stores them.
 * Signature checks to admit: the ad's and the capability's (a fact-missing report carries none): 2 per 10 entries.
 */
export function syncMix(n: number): { msgs: Msg[]; signatureChecks: number } {
  const msgs: Msg[] = [];
  let signatureChecks = 0;
  for (let i = 0; i < n; i++) {
    const b = makeBundle(i);
    msgs.push({ kind: 'oracle', body: b.oracle }, { kind: 'capability', body: b.capability });
    for (let j = 0; j < SYNC_REPORTS_PER_ORACLE; j++) msgs.push({ kind: 'report', body: makeMissingReport(b, j) });
    signatureChecks += 2;
  }
  return { msgs, signatureChecks };
}

/** The object the serve step writes each lookup into (as the relay's getdata server does: no entry object per item). */
export const serveScratch = (): InventoryEntry => ({ kind: 'oracle', id: '', version: '', msg: null as unknown as InventoryEntry['msg'], cTTL: null });

/**
 * What a source must do to answer one `getdata` item (docs/PROTOCOL.md 11.7), the way p2p/getdata-server.ts sendItem
 * and Peer.send do it minus their bookkeeping: find the current version by its short id, lower its cTTL by one hop,
 * serialize it and encode the frame with its SHA-256d checksum. Throws when the store has no such version.
 */
export function serveFrame(mp: Mempool, shortVersionId: string, into: InventoryEntry): Buffer {
  const found = mp.getByShortId(shortVersionId, into);
  if (found === undefined) throw new Error(`serve: no stored version with short id ${shortVersionId}; expected every entry of the mix stored`);
  const msg = found.cTTL === null ? found.msg : { ...found.msg, cTTL: Math.max(0, found.cTTL - 1) };
  return encodeFrame(NETWORK_MAGIC.regtest, found.kind, JSON.stringify(msg));
}

/** CPU µs per entry each party must spend at the least. */
export interface SyncFloors {
  /** The joiner's main thread (frame checks, parse, schema, canonical texts and hashes, PoW, insert, socket read, GC). */
  mainUs: number;
  /** The joiner's verifier thread (signature checks). */
  verifierUs: number;
  /** The source (serve step, socket write). */
  sourceUs: number;
}

/** The least wall time for `entries`: bounded by the main thread alone (one core) and by all three floors shared over `cores`. */
export interface SyncWallFloor {
  mainThreadBoundSeconds: number;
  coresBoundSeconds: number;
  seconds: number;
  boundBy: 'main thread' | 'cores';
}

/** max(main x entries, (main + verifier + source) x entries / cores), in seconds. */
export function syncWallFloor(f: SyncFloors, entries: number, cores = 2): SyncWallFloor {
  for (const [k, v] of Object.entries(f)) if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`sync floor: ${k} must be a finite number of µs >= 0, got ${v}`);
  if (!(Number.isInteger(entries) && entries > 0)) throw new RangeError(`sync floor: entries must be a positive integer, got ${entries}`);
  if (!(Number.isInteger(cores) && cores > 0)) throw new RangeError(`sync floor: cores must be a positive integer, got ${cores}`);
  const mainThreadBoundSeconds = (f.mainUs * entries) / 1e6;
  const coresBoundSeconds = ((f.mainUs + f.verifierUs + f.sourceUs) * entries) / cores / 1e6;
  const mainBound = mainThreadBoundSeconds >= coresBoundSeconds;
  return { mainThreadBoundSeconds, coresBoundSeconds, seconds: mainBound ? mainThreadBoundSeconds : coresBoundSeconds, boundBy: mainBound ? 'main thread' : 'cores' };
}

/** Issue #21's sync goal: a joining node fetches this many entries in under this many seconds, on this machine's cores. */
export const SYNC_GOAL = { entries: 100_000, seconds: 5, cores: 2 } as const;

/** The mix `--mix=` names in `argv`: 'ingest' when absent; anything else but 'sync' is refused. */
export function mixFlag(argv: readonly string[]): 'ingest' | 'sync' {
  const a = argv.filter((x) => x.startsWith('--mix='));
  if (a.length > 1) throw new RangeError(`--mix given ${a.length} times; expected at most once`);
  const v = a.length === 0 ? 'ingest' : (a[0] as string).slice('--mix='.length);
  if (v !== 'ingest' && v !== 'sync') throw new RangeError(`--mix must be ingest or sync, got ${JSON.stringify(v)}`);
  return v;
}
