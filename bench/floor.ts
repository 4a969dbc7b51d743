/**
 * bench/floor.ts - the floor under issue #21's P2P ingest goal, in numbers: every step a node must take per message
 * of the ingest mix, each measured alone on this machine (frame checksum, JSON parse, schema, canonical texts and
 * hashes, PoW, the mempool insert with its indexes, the socket read and frame split, the collection of the garbage
 * those steps make), then the whole admission through the service door with no network at all and what it allocates;
 * printed against the per-message budget that 1.5 x the same run's raw verify rate leaves on 2 cores, with the floor
 * (the sum of the required buckets) beside what the current node spends on each.
 * --mix=sync: the same buckets for bench/sync.ts's mix (per oracle an ad, a capability, 8 fact-missing reports; 10,000
 * oracles = the goal's 100,000 entries), the getdata answers read as fast as the socket drains, then the sync floor:
 * the joiner's main thread, its verifier thread and the source per entry, and the least wall time for 100,000 entries
 * on 2 cores against issue #21's 5 s (bench/results/floor-sync.json).
 *   node --expose-gc --import tsx bench/floor.ts [--quick] [--mix=ingest|sync] [--oracles=6000] [--rounds=5]
 * A step's figure is the fastest of `rounds` passes over the whole mix after `warmup` untimed ones (the least
 * disturbed pass: a floor, not a typical value); admission, socket and garbage figures are thread CPU per message from
 * the scheduler's ns accounting (Linux /proc/.../schedstat), allocation from V8's GC profiler.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { stopAll } from '../test/helpers/network.ts';
import { HashMemo } from '../src/protocol/canonical.ts';
import { reportId, versionHash } from '../src/protocol/ids.ts';
import { clearVerifiedCaches, collectSignatureWork } from '../src/protocol/keys.ts';
import { capabilityPreimage, checkPow, oraclePreimage, reportPreimage } from '../src/protocol/pow.ts';
import { SchemaRegistry } from '../src/protocol/schema.ts';
import type { OracleCapability, OracleId, Pow, Report } from '../src/protocol/types.ts';
import { verifyCapability, verifyOracleId, verifyReportFacts } from '../src/protocol/verify.ts';
import { doubleSha256 } from '../src/wire/frame.ts';
import { ingestMix, type Msg } from './lib/gen.ts';
import { allocMeter, measureAlloc, settle, type AllocStats } from './lib/floor-gc.ts';
import { countIndexInserts, freshMempool, insertPrepared, prepareInserts, timeInserts, type Prepared } from './lib/floor-mempool.ts';
import type { Mempool } from '../src/mempool/mempool.ts';
import { frameEnds, socketRun, type SocketRun } from './lib/floor-socket.ts';
import { mixFlag, serveFrame, serveScratch, syncMix, syncWallFloor, SYNC_GOAL } from './lib/floor-sync.ts';
import { shortId } from '../src/protocol/ids.ts';
import { benchNode, encodeFrames } from './lib/node.ts';
import { mainThreadNs } from './lib/thread-cpu.ts';
import { flag, note, QUICK, r, rawVerifyRate, writeResult } from './lib/measure.ts';

const SYNC = mixFlag(process.argv) === 'sync';
const ORACLES = flag('oracles', SYNC ? (QUICK ? 400 : SYNC_GOAL.entries / 10) : QUICK ? 600 : 6000);
// The store the insert step builds (floor-mempool.ts freshMempool) and the admission node keep the default maxOracles.
if (!(Number.isInteger(ORACLES) && ORACLES >= 1 && ORACLES <= 10_000)) throw new RangeError(`--oracles must be an integer from 1 to 10000 (the default maxOracles), got ${ORACLES}`);
const ROUNDS = flag('rounds', QUICK ? 3 : 5);
/** Untimed passes first: V8 needs a few thousand calls of each function before its code settles (a first pass over 3,000 messages ran ~2 x slower). */
const WARMUP = flag('warmup', QUICK ? 4 : 5);
const { msgs, signatureChecks } = SYNC ? syncMix(ORACLES) : ingestMix(ORACLES);
const payloads = msgs.map((m) => Buffer.from(JSON.stringify(m.body), 'utf8'));
const schemas = SchemaRegistry.load();
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});
let sink = 0; // results feed this so no loop is optimized away (checked at the end)

/** One step's figures per message: µs of its fastest round, the GC pauses inside that round (µs) and what the round allocated (bytes). */
interface StepFigure {
  us: number;
  pauseUs: number;
  bytes: number;
}

/** `step` over the whole mix: the fastest of ROUNDS passes after WARMUP untimed ones, in main-thread CPU time (a pass preempted by another process's work is not charged for the wait). */
function perMessage(step: (i: number) => void): StepFigure {
  for (let w = 0; w < WARMUP; w++) for (let i = 0; i < msgs.length; i++) step(i);
  let best: StepFigure = { us: Infinity, pauseUs: 0, bytes: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    clearVerifiedCaches(); // every message is new to a node: no key found valid before
    gc();
    const end = allocMeter();
    const t0 = mainThreadNs();
    for (let i = 0; i < msgs.length; i++) step(i);
    const us = (mainThreadNs() - t0) / 1000 / msgs.length;
    const a = end();
    if (us < best.us) best = { us, pauseUs: a.pauseUs / msgs.length, bytes: a.bytes / msgs.length };
  }
  return best;
}

const none: () => undefined = () => undefined;
/** The signing texts and their hashes, collected the way prepare() does (signatures are checked elsewhere). */
function collectSigningHashes(kind: Msg['kind'], body: unknown, memo: HashMemo): number {
  const work = collectSignatureWork((scope) => (kind === 'oracle' ? verifyOracleId(body as OracleId, scope) : kind === 'capability' ? verifyCapability(body as OracleCapability, scope) : verifyReportFacts(body as Report, none, scope)), memo);
  return work.sigs.length + work.pubkeys.length;
}
function preimage(kind: Msg['kind'], body: unknown, memo: HashMemo): string {
  return kind === 'oracle' ? oraclePreimage(body as OracleId) : kind === 'capability' ? capabilityPreimage(body as OracleCapability) : reportPreimage(body as Report, memo);
}

/** Admission of the whole mix through `service.admit` on a fresh node (verifier thread as shipped), no sockets: main-thread µs per message, and what it allocated. */
async function admissionPass(): Promise<{ mainUs: number; wallUs: number; accepted: number; alloc: AllocStats }> {
  const node = await benchNode({ verifyThreads: 1 });
  try {
    clearVerifiedCaches(); // the steps above saw these keys; a node seeing them first has not
    gc();
    const endAlloc = allocMeter();
    const cpu0 = mainThreadNs();
    const t0 = performance.now();
    let accepted = 0;
    const CHUNK = 256; // what a socket read hands the intake at a time, roughly (the intake bounds its own queue)
    for (let i = 0; i < msgs.length; i += CHUNK) {
      const results = await Promise.all(msgs.slice(i, i + CHUNK).map((m, j) => node.service.admit(m.kind, m.body, undefined, payloads[i + j]?.length ?? 0)));
      for (const res of results) if (res.status === 'accepted') accepted++;
    }
    const wall = performance.now() - t0;
    const cpu1 = mainThreadNs();
    const alloc = endAlloc();
    return { mainUs: (cpu1 - cpu0) / 1000 / msgs.length, wallUs: (wall * 1000) / msgs.length, accepted, alloc };
  } finally {
    await stopAll([node]);
  }
}

note(`floor: ${SYNC ? 'sync' : 'ingest'} mix, ${msgs.length} messages (${ORACLES} oracles), ${signatureChecks} signature checks, ${ROUNDS} rounds per step`);
const rawBefore = rawVerifyRate(QUICK ? 400 : 2000);

// ---- 1. the per-message steps, each alone ----------------------------------------------------------------------
/** Each step every implementation must take per message, with why. */
const STEPS: Record<string, (i: number) => void> = {
  // The wire's integrity check (PROTOCOL 11.1): a frame is accepted only when its checksum matches.
  'frame checksum (double SHA-256 of the payload)': (i) => (sink += doubleSha256(payloads[i] as Buffer)[0] as number),
  // The entity is JSON text on the wire: it must become an object to be checked and stored.
  'UTF-8 decode + JSON.parse': (i) => (sink += (JSON.parse((payloads[i] as Buffer).toString('utf8')) as object) ? 1 : 0),
  // Bad input is refused with a reason (STYLE, PROTOCOL 6): every field's type and bounds.
  'schema (Ajv, compiled)': (i) => {
    const m = msgs[i] as Msg;
    sink += schemas.validateEntity(m.kind, m.body).ok ? 1 : 0;
  },
  // Signatures and ids cover canonical texts (PROTOCOL 5): the version hash, the report id and the signed hashes.
  'canonical texts + version hash + id + signing hashes': (i) => {
    const m = msgs[i] as Msg;
    const memo = new HashMemo();
    sink += versionHash(m.body, memo).length;
    if (m.kind === 'report') sink += reportId(m.body as Report, memo).length;
    sink += collectSigningHashes(m.kind, m.body, memo);
  },
  // Every entity carries proof of work over its preimage, which ranks it (PROTOCOL 7).
  'PoW hash': (i) => {
    const m = msgs[i] as Msg;
    sink += checkPow((m.body as { pow: Pow }).pow, preimage(m.kind, m.body, new HashMemo())) === null ? 1 : 0;
  },
};
const steps: Record<string, StepFigure> = {};
for (const [name, step] of Object.entries(STEPS)) steps[name] = perMessage(step);
const rawAfter = rawVerifyRate(QUICK ? 400 : 2000);
const raw = (rawBefore + rawAfter) / 2;
const checksPerMsg = signatureChecks / msgs.length;
const stepsSum = Object.values(steps).reduce((a, b) => a + b.us, 0);
// Without the collections inside the timed rounds: garbage is its own bucket below.
const stepsSumNoGc = Object.values(steps).reduce((a, b) => a + b.us - b.pauseUs, 0);
// At 1.5 x raw, the node admits 1.5 x raw messages/s; their signature checks alone need 1.5 x checksPerMsg cores.
const goalRate = 1.5 * raw;
const signatureUsPerMsg = (checksPerMsg * 1e6) / raw;
const budgetNonSignature = 2e6 / goalRate - signatureUsPerMsg;

// ---- 2. the mempool insert alone -------------------------------------------------------------------------------
// Every admitted entity must be stored with the indexes its listings (PROTOCOL 10.6), inv/getdata (11.6) and the limits (9) need.
note('floor: mempool insert');
const prepared = prepareInserts(msgs, payloads);
const inserts = timeInserts(prepared, 3, 2, gc);
const held: Mempool[] = [inserts.last]; // "this heap": a node holding the mix, for the garbage steps below

// ---- 3. the socket and framing ---------------------------------------------------------------------------------
// Bytes arrive over TCP: the kernel's copy, libuv's read and a frame split are the least any reader pays.
note('floor: socket and framing');
const frames = encodeFrames(msgs);
const reps = Math.max(1, Math.ceil((QUICK ? 3_000 : 15_000) / msgs.length)); // >= 0.1 s (quick) / 0.5 s of reading at the goal rate
const wire = reps === 1 ? frames : Buffer.concat(Array.from({ length: reps }, () => frames));
const ends = frameEnds(wire);
await socketRun(wire, ends, 'bare', null); // warm-up: the readers' and the stream's code
await socketRun(wire, ends, 'decoder', null);
const socketRounds = QUICK ? 1 : 2;
const best = async (reader: 'bare' | 'decoder', rate: number | null): Promise<SocketRun> => {
  let b: SocketRun | null = null;
  for (let k = 0; k < socketRounds; k++) {
    const s = await socketRun(wire, ends, reader, rate);
    if (b === null || s.readerUs < b.readerUs) b = s;
  }
  return b as SocketRun;
};
// A syncing joiner reads getdata answers, which the source writes as fast as the socket drains (up to 1 MiB unsent): unpaced.
const socket: Record<string, SocketRun> = SYNC
  ? { bareUnpaced: await best('bare', null), decoderUnpaced: await best('decoder', null) }
  : { barePaced: await best('bare', goalRate), decoderPaced: await best('decoder', goalRate), bareUnpaced: await best('bare', null) };
const readerFloor = (SYNC ? socket.bareUnpaced : socket.barePaced) as SocketRun;
const readerCurrent = (SYNC ? socket.decoderUnpaced : socket.decoderPaced) as SocketRun;

// ---- 4. garbage ---------------------------------------------------------------------------------------------------
// Whatever is allocated must be collected: garbage by scavenges, what the store keeps by being copied and promoted.
note('floor: garbage at this heap');
/** The required steps on message i's freshly parsed body (returned: the store keeps it). */
const required = (i: number): Msg['body'] => {
  const m = msgs[i] as Msg;
  const p = payloads[i] as Buffer;
  sink += doubleSha256(p)[0] as number;
  const body = JSON.parse(p.toString('utf8')) as Msg['body'];
  sink += schemas.validateEntity(m.kind, body).ok ? 1 : 0;
  const memo = new HashMemo();
  sink += versionHash(body, memo).length;
  if (m.kind === 'report') sink += reportId(body as Report, memo).length;
  sink += collectSigningHashes(m.kind, body, memo);
  sink += checkPow(body.pow, preimage(m.kind, body, memo)) === null ? 1 : 0;
  return body;
};
// (a) Short-lived only: the required steps, nothing kept: the cost per KB of scavenging garbage of this shape mix.
const shortPass = (): void => {
  for (let i = 0; i < msgs.length; i++) sink += required(i) ? 1 : 0;
};
// A forced full GC leaves sweeping to helper threads, and fresh code is optimized there: settle() keeps both out of the stretch.
gc();
shortPass(); // warm
await settle();
const shortPasses = Math.max(2, Math.ceil((QUICK ? 10_000 : 60_000) / msgs.length)); // 70-450 MB: enough scavenges to average
const shortAlloc = measureAlloc(() => {
  for (let k = 0; k < shortPasses; k++) shortPass();
});
const shortN = shortPasses * msgs.length;
const usPerKB = (us: number, bytes: number): number => (us * 1024) / bytes;
const garbage = {
  bytesPerMsg: shortAlloc.bytes / shortN,
  pauseUsPerKB: usPerKB(shortAlloc.pauseUs, shortAlloc.bytes),
  processUsPerKB: usPerKB(shortAlloc.pauseUs + shortAlloc.otherUs, shortAlloc.bytes),
  scavenges: shortAlloc.scavenges,
  majors: shortAlloc.majors,
};
// (b) The least a node can be: the required steps and the insert, one message after the other, the parsed entity stored
// (a fresh mempool per pass, every pass kept: the store grows as a node's does). Its GC is the floor's GC bucket.
const pipelinePass = (): Mempool => {
  const mp = freshMempool();
  for (let i = 0; i < msgs.length; i++) insertPrepared(mp, prepared[i] as Prepared, required(i));
  return mp;
};
gc();
const warmStore = pipelinePass(); // warm
if (SYNC) {
  // A joiner's heap holds one store, growing as it syncs: none of the others (a scavenge's cost grows with the old generation).
  held.length = 0;
  inserts.last = freshMempool();
  gc();
} else held.push(warmStore);
await settle();
const pipePasses = SYNC ? 1 : QUICK ? 3 : 1;
const pipeAlloc = measureAlloc(() => {
  for (let k = 0; k < pipePasses; k++) held.push(pipelinePass());
});
const pipeN = pipePasses * msgs.length;
const pipeline = {
  mainUsPerMsg: pipeAlloc.mainUs / pipeN,
  bytesPerMsg: pipeAlloc.bytes / pipeN,
  pauseUsPerMsg: pipeAlloc.pauseUs / pipeN,
  otherThreadsUsPerMsg: pipeAlloc.otherUs / pipeN,
  scavenges: pipeAlloc.scavenges,
  majors: pipeAlloc.majors,
};

// ---- 5. the current node: admission through the service door, no network --------------------------------------
note('floor: admission through the service door, no network');
const passes: Awaited<ReturnType<typeof admissionPass>>[] = [];
for (let p = 0; p < (QUICK ? 1 : 3); p++) passes.push(await admissionPass());
for (const p of passes) if (p.accepted !== msgs.length) throw new Error(`admission pass accepted ${p.accepted} of ${msgs.length} messages; expected all (the mix is valid)`);
const admission = passes.reduce((a, b) => (b.mainUs < a.mainUs ? b : a));
const admissionMain = admission.mainUs;
const admBytes = admission.alloc.bytes / msgs.length;
const admPause = admission.alloc.pauseUs / msgs.length;

// ---- 6. index inserts per kind (last: patching Map/Set/RankedSet for the count disturbs V8's inline caches) -------
const indexInserts = countIndexInserts(prepared, Math.min(prepared.length, 2000));
if (held.some((m) => m.counts().oracles !== ORACLES)) throw new Error(`a held mempool lost oracles; expected ${ORACLES} in each`);

// ---- the floor, and what the current node spends per bucket ------------------------------------------------------
const stepNoGc = (name: string): number => (steps[name] as StepFigure).us - (steps[name] as StepFigure).pauseUs;
const checksumUs = stepNoGc('frame checksum (double SHA-256 of the payload)');
const jsonUs = stepNoGc('UTF-8 decode + JSON.parse');
const insertNoGc = inserts.mixUs - inserts.mixPauseUs;
const floorGcUs = pipeline.pauseUsPerMsg + pipeline.otherThreadsUsPerMsg;
const floorBuckets = {
  'required steps alone (GC pauses taken out)': stepsSumNoGc,
  'mempool insert alone (GC pauses taken out)': insertNoGc,
  [SYNC ? 'socket read + bare frame split, as fast as the source writes (reader thread)' : 'socket read + bare frame split at the goal rate (reader thread)']: readerFloor.readerUs,
  'GC of the required steps + insert, run as one loop (pauses + other threads)': floorGcUs,
};
const floorUs = Object.values(floorBuckets).reduce((a, b) => a + b, 0);
// The GC bucket split: the garbage at the short-lived cost per KB, and the rest: what the store keeps (the parsed
// entity, its entry and index nodes) copied by scavenges and promoted.
const gcOfGarbageUs = (garbage.bytesPerMsg / 1024) * garbage.processUsPerKB;
const gcSplit = { 'garbage (short-lived bytes x short-lived cost per KB)': gcOfGarbageUs, 'survivors (copied and promoted: what the store keeps)': floorGcUs - gcOfGarbageUs };
// The admission pass runs every step but the checksum and the parse (its bodies are the generator's objects), the
// insert, its garbage's pauses, and the service's own work: intake queue, verifier hand-off, promises, events, listeners.
const admittedSteps = stepsSumNoGc - checksumUs - jsonUs;
const admissionGlue = admissionMain - admittedSteps - insertNoGc - admPause;
const currentBuckets = {
  'required steps (same code as alone)': stepsSumNoGc,
  'mempool insert (same code as alone)': insertNoGc,
  [`socket + FrameDecoder ${SYNC ? 'as fast as the source writes' : 'at the goal rate'} (its checksum counted with the steps)`]: readerCurrent.readerUs - checksumUs,
  'GC pauses of what admission allocates (no parse: its bodies are prebuilt)': admPause,
  'service glue (admission main thread minus steps, insert and its GC pauses)': admissionGlue,
};
const removable = Object.entries({
  'service glue': admissionGlue,
  'FrameDecoder beyond the bare split (payload copy, Frame objects)': readerCurrent.readerUs - checksumUs - readerFloor.readerUs,
  // Main-thread pauses both; the admission pass does not even parse (its bodies are old already), the one-loop pipeline does.
  'GC pauses beyond the one-loop pipeline (steps + insert)': admPause - pipeline.pauseUsPerMsg,
}).sort((a, b) => b[1] - a[1]);
const round1 = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r(v, 1)]));

if (!(sink > 0)) throw new Error(`the steps' results summed to ${sink}; expected a positive number`);
const result = {
  messages: msgs.length,
  signatureChecksPerMessage: r(checksPerMsg, 3),
  rawVerifyPerSec: Math.round(raw),
  rawVerifyPerSecBeforeAfter: [Math.round(rawBefore), Math.round(rawAfter)],
  loadAverage: os.loadavg().map((x) => r(x, 2)),
  budget: {
    goalAcceptedPerSec: Math.round(goalRate),
    cpuPerMessageOn2CoresUs: r(2e6 / goalRate, 1),
    signatureShareUs: r(signatureUsPerMsg, 1),
    everythingElseUs: r(budgetNonSignature, 1),
  },
  stepsAloneUs: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, r(v.us, 2)])),
  stepsAloneSumUs: r(stepsSum, 1),
  stepsGcPausesUs: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, r(v.pauseUs, 2)])),
  stepsAllocatedBytesPerMessage: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v.bytes)])),
  mempoolInsert: {
    mixUs: r(inserts.mixUs, 2),
    mixGcPausesUs: r(inserts.mixPauseUs, 2),
    mixAllocatedBytesPerMessage: Math.round(inserts.mixBytes),
    perKindUs: Object.fromEntries(Object.entries(inserts.perKindUs).map(([k, v]) => [k, r(v, 2)])),
    indexOpsPerMessage: Object.fromEntries(Object.entries(indexInserts).map(([k, v]) => [k, { rankedInserts: r(v.rankedInserts, 2), rankedPresent: r(v.rankedPresent, 2), keyedInserts: r(v.keyedInserts, 2), counted: v.messages }])),
  },
  socket: {
    framesPerRun: ends.length,
    pacedAtMessagesPerSec: SYNC ? null : Math.round(goalRate),
    ...Object.fromEntries(Object.entries(socket).map(([k, v]) => [k, { readerUs: r(v.readerUs, 2), writerUs: r(v.writerUs, 2), reads: v.reads, bytesPerRead: v.bytesPerRead, wallMs: r(v.wallMs, 0) }])),
  },
  garbage: {
    shortLived: { passes: shortPasses, bytesPerMsg: Math.round(garbage.bytesPerMsg), pauseUsPerKB: r(garbage.pauseUsPerKB, 3), processUsPerKB: r(garbage.processUsPerKB, 3), scavenges: garbage.scavenges, majors: garbage.majors },
    requiredStepsAndInsert: { passes: pipePasses, ...Object.fromEntries(Object.entries(pipeline).map(([k, v]) => [k, r(v, 2)])) },
    admission: { bytesPerMsg: Math.round(admBytes), pauseUsPerMsg: r(admPause, 2), pauseUsPerKB: r(usPerKB(admission.alloc.pauseUs, admission.alloc.bytes), 3), scavenges: admission.alloc.scavenges, majors: admission.alloc.majors },
    heldMempools: held.length,
  },
  admissionNoNetworkMainThreadUs: r(admissionMain, 1),
  admissionPassesMainThreadUs: passes.map((p) => r(p.mainUs, 1)),
  admissionPassesWallUs: passes.map((p) => r(p.wallUs, 1)),
  floor: { bucketsUs: round1(floorBuckets), gcSplitUs: round1(gcSplit), totalUs: r(floorUs, 1), budgetUs: r(budgetNonSignature, 1), fits: floorUs <= budgetNonSignature },
  currentNodeBucketsUs: round1(currentBuckets),
  removableUsPerMessage: round1(Object.fromEntries(removable)),
};
if (SYNC) await syncFloor(result);
else {
  writeResult('floor', result);
  note(`floor: steps ${r(stepsSumNoGc, 1)} + insert ${r(insertNoGc, 1)} + socket ${r(readerFloor.readerUs, 1)} + GC ${r(floorGcUs, 1)} = ${r(floorUs, 1)} µs/msg against ${r(budgetNonSignature, 1)} µs; one-loop pipeline main thread ${r(pipeline.mainUsPerMsg, 1)} µs; biggest removable: ${removable[0]?.[0]} (${r(removable[0]?.[1] ?? NaN, 1)} µs)`);
}

/** --mix=sync: the source's serve step on a store holding the mix, then the three per-entry floors and the least wall time for the goal's 100,000 entries on 2 cores (bench/results/floor-sync.json). */
async function syncFloor(shared: typeof result): Promise<void> {
  note('floor: the source answering getdata for the mix');
  const store = held[held.length - 1] as Mempool; // the one-loop pass's store: the mix, its bodies parsed (as a source holds what it admitted)
  const vids = prepared.map((p) => shortId(p.version));
  const into = serveScratch();
  const serve = perMessage((i) => (sink += serveFrame(store, vids[i] as string, into).length));
  // Its garbage is short-lived (the text, the frame, the lowered copy): charged at the short-lived cost per KB measured above, as the fastest round may hold no scavenge.
  const serveGcUs = (serve.bytes / 1024) * garbage.processUsPerKB;
  const sourceBuckets = {
    'serve: stored entity by short id, cTTL - 1, JSON text, frame + SHA-256d (GC pauses taken out)': serve.us - serve.pauseUs,
    'GC of the serve step\'s short-lived garbage (bytes x short-lived cost per KB)': serveGcUs,
    'socket write as fast as the socket drains (writer thread; on loopback it also does the receive side\'s TCP work)': readerFloor.writerUs,
  };
  const sourceUs = Object.values(sourceBuckets).reduce((a, b) => a + b, 0);
  // The verifier thread: this mix's signature checks per entry at the same run's raw single-core rate.
  const verifierUs = signatureUsPerMsg;
  const wall = syncWallFloor({ mainUs: floorUs, verifierUs, sourceUs }, SYNC_GOAL.entries, SYNC_GOAL.cores);
  const { budget: _budget, floor: _floor, ...rest } = shared; // the ingest goal's budget and floor do not apply
  writeResult('floor-sync', {
    mix: 'sync: per oracle 1 oracle ad, 1 capability, 8 fact-missing reports (bench/sync.ts); 20 % of entries carry a signature',
    oracles: ORACLES,
    ...rest,
    goal: {
      entries: SYNC_GOAL.entries,
      seconds: SYNC_GOAL.seconds,
      cores: SYNC_GOAL.cores,
      mainThreadUsPerEntry: r((SYNC_GOAL.seconds * 1e6) / SYNC_GOAL.entries, 1),
      allCoresUsPerEntry: r((SYNC_GOAL.cores * SYNC_GOAL.seconds * 1e6) / SYNC_GOAL.entries, 1),
    },
    sourceServe: { us: r(serve.us, 2), gcPausesUs: r(serve.pauseUs, 2), allocatedBytesPerEntry: Math.round(serve.bytes) },
    syncFloor: {
      joinerMainThread: { bucketsUs: round1(floorBuckets), gcSplitUs: round1(gcSplit), totalUs: r(floorUs, 1) },
      verifierThread: { signatureChecksPerEntry: r(checksPerMsg, 3), rawVerifyMicrosPerCheck: r(1e6 / raw, 2), totalUs: r(verifierUs, 1) },
      source: { bucketsUs: round1(sourceBuckets), totalUs: r(sourceUs, 1) },
      minWall: { entries: SYNC_GOAL.entries, cores: SYNC_GOAL.cores, mainThreadBoundSeconds: r(wall.mainThreadBoundSeconds, 2), coresBoundSeconds: r(wall.coresBoundSeconds, 2), seconds: r(wall.seconds, 2), boundBy: wall.boundBy },
      goalSeconds: SYNC_GOAL.seconds,
      fits: wall.seconds < SYNC_GOAL.seconds,
    },
  });
  note(
    `floor (sync mix): per entry joiner main thread ${r(floorUs, 1)} µs (steps ${r(stepsSumNoGc, 1)} + insert ${r(insertNoGc, 1)} + socket ${r(readerFloor.readerUs, 1)} + GC ${r(floorGcUs, 1)}), ` +
      `verifier ${r(verifierUs, 1)} µs (${r(checksPerMsg, 2)} checks x ${r(1e6 / raw, 1)} µs), source ${r(sourceUs, 1)} µs (serve ${r(serve.us - serve.pauseUs, 1)} + its GC ${r(serveGcUs, 1)} + socket write ${r(readerFloor.writerUs, 1)}); ` +
      `${SYNC_GOAL.entries} entries on ${SYNC_GOAL.cores} cores: at least max(${r(wall.mainThreadBoundSeconds, 2)}, ${r(wall.coresBoundSeconds, 2)}) = ${r(wall.seconds, 2)} s (bound by the ${wall.boundBy}) against the goal's ${SYNC_GOAL.seconds} s; ` +
      `current node: admission with no network ${r(admissionMain, 1)} µs of main thread per entry`,
  );
}
