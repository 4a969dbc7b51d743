/** bench/lib/floor-mempool.ts - bench/floor.ts's mempool step: the real Mempool's insert path alone (prepared entries, fresh store per round), timed for the mix and per kind, and its index inserts counted per kind. */
import { Mempool } from '../../src/mempool/mempool.ts';
import { RankedSet } from '../../src/mempool/ranked-set.ts';
import { reportId, versionHash } from '../../src/protocol/ids.ts';
import type { OracleCapability, OracleId, Report, Verified } from '../../src/protocol/types.ts';
import { allocMeter } from './floor-gc.ts';
import { mainThreadNs } from './thread-cpu.ts';
import type { Msg } from './gen.ts';

/** What the insert step distinguishes: a fact-conflict report carries two facts (two more strings to share, a longer text). */
export type InsertKind = 'oracle' | 'capability' | 'report fact-missing' | 'report fact-conflict';
export const INSERT_KINDS: readonly InsertKind[] = ['oracle', 'capability', 'report fact-missing', 'report fact-conflict'];

/** A message as admission hands it to the store: its version hash, report id and JSON length already known (admission has them from the canonical texts). */
export interface Prepared {
  kind: InsertKind;
  payload: Buffer;
  version: string;
  id: string;
  bytes: number;
}

/** The mempool a default-config node builds (node.ts), with benchNode's byte limit (bench/lib/node.ts). */
export function freshMempool(): Mempool {
  return new Mempool({ maxOracles: 10_000, maxCapabilities: 100, maxReports: 1000, maxBytes: 4 * 1024 ** 3, shard: { count: 1, index: 0 } }, { now: Date.now });
}

/** Version hashes, ids and lengths of the mix (computed once, outside every timed loop). */
export function prepareInserts(msgs: readonly Msg[], payloads: readonly Buffer[]): Prepared[] {
  return msgs.map((m, i) => {
    const kind: InsertKind = m.kind === 'report' ? `report ${(m.body as Report).content.type as 'fact-missing' | 'fact-conflict'}` : m.kind;
    const payload = payloads[i] as Buffer;
    return { kind, payload, version: versionHash(m.body), id: m.kind === 'report' ? reportId(m.body as Report) : '', bytes: JSON.stringify(m.body).length };
  });
}

/** One insert through the store's own door (its pre-check included), as admission calls it after the checks. */
export function insertPrepared(mp: Mempool, p: Prepared, body: unknown): void {
  const r =
    p.kind === 'oracle'
      ? mp.addOracle(body as Verified<OracleId>, p.version, 0, p.bytes)
      : p.kind === 'capability'
        ? mp.addCapability(body as Verified<OracleCapability>, p.version, p.bytes)
        : mp.addReport(body as Verified<Report>, p.id, undefined, p.version, p.bytes);
  if (r.status !== 'accepted') throw new Error(`mempool insert of a ${p.kind} answered ${r.status}; expected accepted (the mix is valid and fits)`);
}

/** Fresh parsed bodies for one round (what a node stores is what it parsed: V8's parsed strings, not the generator's). */
const parseAll = (prepared: readonly Prepared[]): unknown[] => prepared.map((p) => JSON.parse(p.payload.toString('utf8')) as unknown);

export interface InsertTimes {
  /** µs per message of the mix, inserted in arrival order (oracle, capability, reports per oracle): the fastest round. */
  mixUs: number;
  /** Of which GC pauses (the stored entries and index nodes surviving scavenges), and the bytes that round allocated, per message. */
  mixPauseUs: number;
  mixBytes: number;
  /** µs per insert of each kind, each kind inserted as a phase of its own (oracles, then capabilities, then reports). */
  perKindUs: Record<InsertKind, number>;
  /** The store after the last round, kept by the caller as "the heap of a node holding the mix". */
  last: Mempool;
}

/** Fastest of `rounds` rounds after `warmup` untimed ones (main-thread CPU time), each into a fresh mempool with freshly parsed bodies; `gc` before each timed loop. */
export function timeInserts(prepared: readonly Prepared[], rounds: number, warmup: number, gc: () => void): InsertTimes {
  let last = freshMempool();
  let mixBest = Infinity;
  let mixPause = 0;
  let mixBytes = 0;
  const kindBest = Object.fromEntries(INSERT_KINDS.map((k) => [k, Infinity])) as Record<InsertKind, number>;
  const count = Object.fromEntries(INSERT_KINDS.map((k) => [k, prepared.filter((p) => p.kind === k).length])) as Record<InsertKind, number>;
  for (let round = 0; round < warmup + rounds; round++) {
    const timed = round >= warmup;
    // Arrival order.
    let bodies = parseAll(prepared);
    let mp = freshMempool();
    gc();
    const end = allocMeter();
    let t0 = mainThreadNs();
    for (let i = 0; i < prepared.length; i++) insertPrepared(mp, prepared[i] as Prepared, bodies[i]);
    const ms = (mainThreadNs() - t0) / 1e6;
    const a = end();
    if (timed && ms < mixBest) [mixBest, mixPause, mixBytes] = [ms, a.pauseUs, a.bytes];
    // Phases, one kind at a time (same final contents; the per-kind figure needs no timer per message).
    bodies = parseAll(prepared);
    mp = freshMempool();
    gc();
    for (const kind of INSERT_KINDS) {
      t0 = mainThreadNs();
      for (let i = 0; i < prepared.length; i++) if ((prepared[i] as Prepared).kind === kind) insertPrepared(mp, prepared[i] as Prepared, bodies[i]);
      if (timed) kindBest[kind] = Math.min(kindBest[kind], (mainThreadNs() - t0) / 1e6);
    }
    last = mp;
  }
  const perKindUs = Object.fromEntries(INSERT_KINDS.map((k) => [k, count[k] === 0 ? NaN : (kindBest[k] * 1000) / count[k]])) as Record<InsertKind, number>;
  const n = prepared.length;
  return { mixUs: (mixBest * 1000) / n, mixPauseUs: mixPause / n, mixBytes: mixBytes / n, perKindUs, last };
}

/** Index operations of one kind's insert, per message: into containers the store keeps (reachable from it after the pass); temporaries are not counted. */
export interface IndexCount {
  /** Rank-ordered inserts (RankedSet.add that added: rank order, word/tag sets, an oracle's capabilities and reports, the byte order). */
  rankedInserts: number;
  /** RankedSet.add that found the entry already there (an oracle already under a tag or word): a search, no insert. */
  rankedPresent: number;
  /** Keyed inserts: a new key in a Map or Set the store keeps (entries by key, short version ids, byte account, word/tag keys). */
  keyedInserts: number;
}

/**
 * Count, per kind, the index operations the store's insert performs on the first `n` messages of the mix (a fresh
 * mempool; `RankedSet.prototype.add`, `Map.prototype.set` and `Set.prototype.add` patched for the pass only).
 */
export function countIndexInserts(prepared: readonly Prepared[], n: number): Record<InsertKind, IndexCount & { messages: number }> {
  const part = prepared.slice(0, n);
  const bodies = parseAll(part);
  const mp = freshMempool();
  const log: { recv: object; kind: InsertKind; op: 'ranked' | 'ranked-present' | 'keyed' }[] = [];
  let kind: InsertKind = 'oracle';
  const rankedAdd = RankedSet.prototype.add;
  const mapSet = Map.prototype.set;
  const setAdd = Set.prototype.add;
  RankedSet.prototype.add = function (this: RankedSet<unknown>, v: unknown): boolean {
    const added = rankedAdd.call(this, v);
    log.push({ recv: this, kind, op: added ? 'ranked' : 'ranked-present' });
    return added;
  };
  Map.prototype.set = function (this: Map<unknown, unknown>, k: unknown, v: unknown) {
    const before = this.size;
    const out = mapSet.call(this, k, v);
    if (this.size > before) log.push({ recv: this, kind, op: 'keyed' });
    return out;
  };
  Set.prototype.add = function (this: Set<unknown>, v: unknown) {
    const before = this.size;
    const out = setAdd.call(this, v);
    if (this.size > before) log.push({ recv: this, kind, op: 'keyed' });
    return out;
  };
  try {
    for (let i = 0; i < part.length; i++) {
      kind = (part[i] as Prepared).kind;
      insertPrepared(mp, part[i] as Prepared, bodies[i]);
    }
  } finally {
    RankedSet.prototype.add = rankedAdd;
    Map.prototype.set = mapSet;
    Set.prototype.add = setAdd;
  }
  const kept = reachable(mp);
  const out = Object.fromEntries(INSERT_KINDS.map((k) => [k, { rankedInserts: 0, rankedPresent: 0, keyedInserts: 0, messages: part.filter((p) => p.kind === k).length }])) as Record<InsertKind, IndexCount & { messages: number }>;
  for (const e of log) {
    if (!kept.has(e.recv)) continue; // a temporary (questionWords' de-duplicating Set, a caller's scratch map)
    const c = out[e.kind];
    if (e.op === 'ranked') c.rankedInserts++;
    else if (e.op === 'ranked-present') c.rankedPresent++;
    else c.keyedInserts++;
  }
  for (const k of INSERT_KINDS) {
    const c = out[k];
    if (c.messages === 0) continue;
    c.rankedInserts /= c.messages;
    c.rankedPresent /= c.messages;
    c.keyedInserts /= c.messages;
  }
  return out;
}

/** Every object reachable from `root` through own properties, array elements, Map keys and values, Set values. */
function reachable(root: object): Set<object> {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || (typeof x !== 'object' && typeof x !== 'function') || seen.has(x as object)) continue;
    seen.add(x as object);
    if (typeof x === 'function') continue;
    if (x instanceof Map) for (const [k, v] of x) stack.push(k, v);
    else if (x instanceof Set) for (const v of x) stack.push(v);
    for (const k of Object.getOwnPropertyNames(x)) {
      const d = Object.getOwnPropertyDescriptor(x, k);
      if (d && 'value' in d) stack.push(d.value);
    }
  }
  return seen;
}
