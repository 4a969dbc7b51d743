/** bench/memory.ts - heap bytes per stored entry of every kind (oracle, capability, report, DLC announcement, offer, attestation, DLC proof report) against its JSON size; run with --expose-gc; `--kinds=oracle,capability,...` measures only those. */
import v8 from 'node:v8';
import { stopAll } from '../test/helpers/network.ts';
import { makeBundle, makeMissingReport } from './lib/gen.ts';
import { ANNOUNCEMENTS_PER_ORACLE, dlcQuestion } from './lib/gen-dlc.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle, makeEquivocationReport, type DlcEvent, type DlcOracle } from '../test/helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys } from '../test/helpers/offer.ts';
import type { EntityKind } from '../src/protocol/types.ts';
import { benchNode } from './lib/node.ts';
import { flag, note, QUICK, r, writeResult } from './lib/measure.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const n = flag('oracles', QUICK ? 2_000 : 20_000);
const reportsPer = flag('reports', 10);
/** `--kinds=oracle,capability,report,offer,...` (see below): DLC entities are made only when a DLC kind is measured. */
const nDlcWanted = flag('dlc', QUICK ? 500 : 20_000);
/** `--kinds=oracle,capability,report,offer,...` measures only these labels (announcement, attestation, proof; `report` is the fact-missing one); what a measured kind needs is still admitted first, unmeasured. */
const kindsArg = process.argv.find((x) => x.startsWith('--kinds='))?.slice('--kinds='.length);
const only = kindsArg ? new Set(kindsArg.split(',')) : null;
const measured = (label: string): boolean => only === null || only.has(label.split(' ')[0] as string);
const nDlc = ['announcement', 'offer', 'attestation', 'proof'].some(measured) ? nDlcWanted : 0;
const node = await benchNode({ maxOracles: 1_000_000, maxReports: 1000, maxAnnouncements: Math.max(100_000, nDlc), maxOffers: Math.max(100_000, nDlc), maxAnnouncementBytes: 2 ** 31, maxOfferBytes: 2 ** 31 });
try {
  // Inputs are held as Buffers (outside the V8 heap, so heapUsed never counts them) and decoded one
  // at a time, as the node would receive them. Earlier versions kept JS strings and subtracted an
  // estimate of the freed text; JSON.stringify output is a rope of several parts, so that estimate
  // was ~150 B per entry short and flattered the ratio by ~0.3-0.4 x.
  note(`memory: generating ${n} oracles, ${n} capabilities, ${n * reportsPer} reports as JSON (Buffers, off-heap)`);
  const bundles = Array.from({ length: n }, (_, i) => makeBundle(i));
  const toBuf = (x: unknown): Buffer => Buffer.from(JSON.stringify(x), 'utf8');
  const oracleJson = bundles.map((b) => toBuf(b.oracle));
  const capJson = bundles.map((b) => toBuf(b.capability));
  const reportJson: Buffer[] = [];
  for (const b of bundles) for (let j = 0; j < reportsPer; j++) reportJson.push(toBuf(makeMissingReport(b, j)));
  bundles.length = 0;
  // DLC: oracles with DLC capabilities (admitted first, not measured), then per kind: announcements
  // (enum events, BIP340-signed), offers on them (ECDSA-signed, 20 per maker), their attestations,
  // and dlc-equivocation proof reports (a second, conflicting attestation of one in ten events).
  note(`memory: generating ${nDlc} DLC announcements, offers and attestations, ${Math.ceil(nDlc / 10)} proof reports`);
  const nowS = Math.floor(Date.now() / 1000);
  const dlcOracles: DlcOracle[] = Array.from({ length: nDlc === 0 ? 0 : Math.max(1, Math.ceil(nDlc / ANNOUNCEMENTS_PER_ORACLE)) }, (_, k) => makeDlcOracle(800_000 + k, 'dlcspecs-v0', dlcQuestion(k)));
  for (const o of dlcOracles) {
    for (const [kind, body] of [['oracle', o.oracle], ['capability', o.capability]] as const) {
      const res = await node.service.admit(kind, body);
      if (res.status !== 'accepted') throw new Error(`memory: DLC ${kind} not accepted: ${JSON.stringify(res)}`);
    }
  }
  const annJson: Buffer[] = [];
  const offerJson: Buffer[] = [];
  const attJson: Buffer[] = [];
  const proofJson: Buffer[] = [];
  for (let i = 0; i < nDlc; i++) {
    const o = dlcOracles[i % dlcOracles.length] as DlcOracle;
    const ev: DlcEvent = makeDlcEvent(o, { maturityEpoch: nowS + 2 * 86_400 + i * 60, eventId: `mem-${i}`, difficulty: 0 });
    annJson.push(toBuf(ev.entity));
    offerJson.push(toBuf(makeOffer(makerKeys(Math.floor(i / 20)), enumTerms(ev, nowS), { difficulty: 0 })));
    const att = makeDlcAttestation(o, ev, ['sun']);
    attJson.push(toBuf(att));
    if (i % 10 === 0) proofJson.push(toBuf(makeEquivocationReport(o, ev, att, makeDlcAttestation(o, ev, ['rain']), { difficulty: 0 })));
  }
  const out: Record<string, unknown> = {};
  const kinds: [EntityKind, Buffer[], string][] = [
    ['oracle', oracleJson, 'oracle'],
    ['capability', capJson, 'capability'],
    ['report', reportJson, 'report'],
    ['announcement', annJson, 'announcement'],
    ['offer', offerJson, 'offer'],
    ['attestation', attJson, 'attestation'],
    ['report', proofJson, 'proof (dlc-equivocation report)'],
  ];
  for (const [kind, list, label] of kinds) {
    if (!measured(label) || list.length === 0) {
      // Not measured, but a later kind may need it stored (capabilities need oracles, offers and attestations their announcements).
      const needed = (label === 'oracle' && (measured('capability') || measured('report'))) || (label === 'capability' && measured('report')) || (label === 'announcement' && (measured('offer') || measured('attestation') || measured('proof'))) || (label === 'attestation' && measured('proof'));
      if (needed) for (const buf of list) await node.service.admit(kind, JSON.parse(buf.toString('utf8')));
      continue;
    }
    const jsonBytes = list.reduce((s, x) => s + x.length, 0);
    const before = heap();
    let accepted = 0;
    let firstRefusal = '';
    for (const buf of list) {
      const res = await node.service.admit(kind, JSON.parse(buf.toString('utf8')));
      if (res.status === 'accepted') accepted++;
      else firstRefusal ||= JSON.stringify(res).slice(0, 300);
    }
    const after = heap();
    if (accepted === 0) throw new Error(`memory: no ${label} accepted (${firstRefusal})`);
    const perEntry = (after - before) / accepted;
    const avgJson = jsonBytes / list.length;
    out[label] = { entries: accepted, avgJsonBytes: r(avgJson, 1), heapBytesPerEntry: Math.round(perEntry), ratio: r(perEntry / avgJson, 2), ...(firstRefusal ? { firstRefusal } : {}) };
    note(`memory: ${label} ${JSON.stringify(out[label])}`);
  }
  const ratios = Object.values(out).map((x) => (x as { ratio: number }).ratio);
  // `--snapshot=FILE`: a V8 heap snapshot of the node at the end (what holds the bytes, by retainer).
  const snap = process.argv.find((x) => x.startsWith('--snapshot='))?.slice('--snapshot='.length);
  if (snap) note(`memory: heap snapshot ${v8.writeHeapSnapshot(snap)}`);
  // A --kinds run reads higher than the full one (its decided cache and maps are not as full) and never replaces its result.
  writeResult(only ? `memory-${[...only].join('+')}` : 'memory', {
    method: 'heapUsed after gc, before and after submitting N entries of one kind through node.service.admit (in-process, full node incl. seen cache; signatures verified), divided by the accepted count; inputs held off-heap as Buffers. An attestation is attached to its stored announcement; a proof is a dlc-equivocation report (embedded announcement, two attestations and capability).',
    ...out,
    goal: 'heap bytes per entry <= 2 x JSON size (issue #21)',
    goalMet: ratios.every((x) => x <= 2),
  });
} finally {
  await stopAll([node]);
}
process.exit(0);
