/** bench/persist.ts - the persistence choice, measured both ways: our checksummed append-only journal (persist/codec.ts) vs LevelDB (classic-level, a well-kept embedded store) for writes at three durability levels and for a full read back at start. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { decodeRecords, encodeRecord } from '../src/persist/codec.ts';
import { makeBundle, makeMissingReport } from './lib/gen.ts';
import { flag, note, QUICK, r, writeResult } from './lib/measure.ts';

const N = flag('records', QUICK ? 20_000 : 200_000);
const SYNCED_N = Math.min(N, QUICK ? 500 : 2_000); // fsync/sync:true per record is slow; a sample suffices
const BATCH_MS = 200; // the node's default journalFsyncIntervalMs

note(`generating ${N} records`);
const bundles = Array.from({ length: Math.max(1, Math.ceil(N / 20)) }, (_, i) => makeBundle(i));
const records = Array.from({ length: N }, (_, i) => {
  const b = bundles[i % bundles.length] as (typeof bundles)[number];
  const msg = i % 10 === 0 ? b.oracle : makeMissingReport(b, i);
  return { key: `r${i}`, record: { op: 'put', kind: i % 10 === 0 ? 'oracle' : 'report', id: `r${i}`, oraclePubKey: b.oracleKeys.publicKey, msg } };
});
const avgBytes = records.reduce((n, x) => n + encodeRecord(x.record).length, 0) / N;
const tmp = (name: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `mega-bench-${name}-`));

/** Journal: writeSync each line (what the node does inside admission); fsync per record, every BATCH_MS, or never. */
function journal(fsync: 'none' | 'batched' | 'each', n: number): { usPerRecord: number; dir: string } {
  const dir = tmp('journal');
  const fd = fs.openSync(path.join(dir, 'journal.log'), 'a');
  const t0 = performance.now();
  let lastSync = t0;
  for (let i = 0; i < n; i++) {
    fs.writeSync(fd, encodeRecord((records[i] as (typeof records)[number]).record));
    if (fsync === 'each') fs.fdatasyncSync(fd);
    else if (fsync === 'batched' && performance.now() - lastSync >= BATCH_MS) {
      fs.fdatasyncSync(fd);
      lastSync = performance.now();
    }
  }
  if (fsync !== 'none') fs.fdatasyncSync(fd);
  const ms = performance.now() - t0;
  fs.closeSync(fd);
  return { usPerRecord: (ms * 1000) / n, dir };
}

/** LevelDB: put each record (JSON value); sync:true per record, or unsynced puts with a synced write every BATCH_MS. */
async function level(sync: 'none' | 'batched' | 'each', n: number): Promise<{ usPerRecord: number; dir: string }> {
  const dir = tmp('level');
  const db = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
  await db.open();
  const t0 = performance.now();
  let lastSync = t0;
  for (let i = 0; i < n; i++) {
    const x = records[i] as (typeof records)[number];
    const each = sync === 'each' || (sync === 'batched' && performance.now() - lastSync >= BATCH_MS);
    await db.put(x.key, JSON.stringify(x.record), { sync: each });
    if (each) lastSync = performance.now();
  }
  const ms = performance.now() - t0;
  await db.close();
  return { usPerRecord: (ms * 1000) / n, dir };
}

async function main(): Promise<void> {
  note('journal writes');
  const jNone = journal('none', N);
  const jBatched = journal('batched', N);
  const jEach = journal('each', SYNCED_N);
  note('LevelDB writes');
  const lNone = await level('none', N);
  const lBatched = await level('batched', N);
  const lEach = await level('each', SYNCED_N);

  note('read back (start-up restore)');
  let t0 = performance.now();
  const text = fs.readFileSync(path.join(jBatched.dir, 'journal.log'), 'utf8');
  const decoded = decodeRecords(text, (v): v is unknown => typeof v === 'object' && v !== null);
  const journalReadMs = performance.now() - t0;
  if (decoded.records.length !== N) throw new Error(`journal read back ${decoded.records.length} of ${N}`);
  const db = new ClassicLevel<string, string>(lBatched.dir, { valueEncoding: 'utf8' });
  await db.open();
  t0 = performance.now();
  let count = 0;
  for await (const [, v] of db.iterator()) {
    JSON.parse(v);
    count++;
  }
  const levelReadMs = performance.now() - t0;
  await db.close();
  if (count !== N) throw new Error(`LevelDB read back ${count} of ${N}`);
  for (const d of [jNone, jBatched, jEach, lNone, lBatched, lEach]) fs.rmSync(d.dir, { recursive: true, force: true });
  writeResult('persist', {
    records: N,
    syncedSample: SYNCED_N,
    avgRecordBytes: r(avgBytes, 0),
    writeUsPerRecord: {
      journal: { noSync: r(jNone.usPerRecord), fsyncEvery200ms: r(jBatched.usPerRecord), fsyncEach: r(jEach.usPerRecord) },
      leveldb: { noSync: r(lNone.usPerRecord), syncEvery200ms: r(lBatched.usPerRecord), syncEach: r(lEach.usPerRecord) },
    },
    readBackMs: { journal: r(journalReadMs, 0), leveldb: r(levelReadMs, 0) },
    note: 'journal writes are synchronous (inside admission, before the 201); LevelDB puts are async (a 201 would have to wait for a callback)',
  });
}

await main();
