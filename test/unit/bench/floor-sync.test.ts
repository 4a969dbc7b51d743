// test/unit/bench/floor-sync.test.ts - bench/floor.ts --mix=sync's parts: the sync mix is bench/sync.ts's (10 entries per oracle, 2 signatures, every entry admitted by the real store), the source's serve step turns a stored entity into the exact checksummed frame a getdata answer is (cTTL one hop lower), the least wall time is max(main thread, all floors over the cores), and --mix is read strictly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshMempool, insertPrepared, prepareInserts } from '../../../bench/lib/floor-mempool.ts';
import { mixFlag, serveFrame, serveScratch, syncMix, syncWallFloor, SYNC_GOAL } from '../../../bench/lib/floor-sync.ts';
import { HashMemo } from '../../../src/protocol/canonical.ts';
import { shortId } from '../../../src/protocol/ids.ts';
import { collectSignatureWork } from '../../../src/protocol/keys.ts';
import type { OracleCapability, OracleId, Report } from '../../../src/protocol/types.ts';
import { verifyCapability, verifyOracleId, verifyReportFacts } from '../../../src/protocol/verify.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES, NETWORK_MAGIC } from '../../../src/wire/constants.ts';
import { encodeFrame, FrameDecoder } from '../../../src/wire/frame.ts';

const { msgs, signatureChecks } = syncMix(3);

describe('bench floor sync: the mix', () => {
  it('holds per oracle its ad, its capability and 8 distinct fact-missing reports, in that order', () => {
    assert.equal(msgs.length, 30, 'expected 10 entries per oracle');
    for (let o = 0; o < 3; o++) {
      const part = msgs.slice(o * 10, o * 10 + 10);
      assert.deepEqual(part.map((m) => m.kind), ['oracle', 'capability', ...Array<string>(8).fill('report')], `oracle ${o}: expected ad, capability, 8 reports`);
      const pubkey = (part[0]!.body as OracleId).pubkey;
      assert.equal((part[1]!.body as OracleCapability).oraclePubKey, pubkey, 'the capability is its oracle\'s');
      const reports = part.slice(2).map((m) => m.body as Report);
      assert.ok(reports.every((r) => r.content.type === 'fact-missing' && r.oraclePubKey === pubkey), 'expected fact-missing reports against the same oracle');
      const ns = reports.map((r) => (r.content as unknown as { request: { arguments: { n: string } } }).request.arguments.n);
      assert.deepEqual(ns, ['0', '1', '2', '3', '4', '5', '6', '7'], 'expected report numbers 0-7 (as bench/lib/sync-source.ts stores them)');
    }
  });

  it('counts the signature checks the protocol\'s own checks collect: 2 per oracle, none per fact-missing report', () => {
    let collected = 0;
    for (const m of msgs) {
      const work = collectSignatureWork(
        (scope) => (m.kind === 'oracle' ? verifyOracleId(m.body as OracleId, scope) : m.kind === 'capability' ? verifyCapability(m.body as OracleCapability, scope) : verifyReportFacts(m.body as Report, () => undefined, scope)),
        new HashMemo(),
      );
      collected += work.sigs.length;
    }
    assert.equal(signatureChecks, 6, 'expected 2 signature checks per oracle');
    assert.equal(collected, signatureChecks, `expected the mix's count to equal what admission collects (${collected})`);
  });

  it('is stored whole by the real mempool', () => {
    const payloads = msgs.map((m) => Buffer.from(JSON.stringify(m.body), 'utf8'));
    const prepared = prepareInserts(msgs, payloads);
    const mp = freshMempool();
    for (let i = 0; i < prepared.length; i++) insertPrepared(mp, prepared[i]!, JSON.parse(payloads[i]!.toString('utf8')));
    assert.deepEqual(mp.counts(), { oracles: 3, capabilities: 3, reports: 24, disputes: 0 });
  });
});

describe('bench floor sync: the source\'s serve step', () => {
  it('answers each short id with the frame of the stored entity, cTTL one hop lower, checksum valid; refuses an unknown id', () => {
    const payloads = msgs.map((m) => Buffer.from(JSON.stringify(m.body), 'utf8'));
    const prepared = prepareInserts(msgs, payloads);
    const mp = freshMempool();
    for (let i = 0; i < prepared.length; i++) insertPrepared(mp, prepared[i]!, JSON.parse(payloads[i]!.toString('utf8')));
    const into = serveScratch();
    const decoder = new FrameDecoder({ magic: NETWORK_MAGIC.regtest, maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES });
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      const frame = serveFrame(mp, shortId(prepared[i]!.version), into);
      const expected = { ...(m.body as { cTTL: number }), cTTL: (m.body as { cTTL: number }).cTTL - 1 };
      assert.ok(frame.equals(encodeFrame(NETWORK_MAGIC.regtest, m.kind, JSON.stringify(expected))), `entry ${i}: expected the ${m.kind}'s frame with cTTL ${expected.cTTL}`);
      const [f] = decoder.push(frame); // the decoder checks magic, length and checksum
      assert.equal(f?.command, m.kind);
      assert.deepEqual(JSON.parse(f!.payload.toString('utf8')), expected);
    }
    assert.equal((msgs[0]!.body as OracleId).cTTL, 5, 'the stored cTTL is not lowered by serving');
    assert.throws(() => serveFrame(mp, 'A'.repeat(22), into), /no stored version/);
  });
});

describe('bench floor sync: least wall time', () => {
  it('is the main thread alone when it is the longer bound', () => {
    const w = syncWallFloor({ mainUs: 28.6, verifierUs: 12.7, sourceUs: 4.1 }, 100_000, 2);
    assert.equal(w.mainThreadBoundSeconds.toFixed(3), '2.860', '28.6 µs x 100,000 = 2.86 s');
    assert.equal(w.coresBoundSeconds.toFixed(3), '2.270', '(28.6 + 12.7 + 4.1) µs x 100,000 / 2 = 2.27 s');
    assert.equal(w.seconds, w.mainThreadBoundSeconds);
    assert.equal(w.boundBy, 'main thread');
  });

  it('is all three floors shared over the cores when that is longer', () => {
    const w = syncWallFloor({ mainUs: 30, verifierUs: 40, sourceUs: 20 }, 100_000, 2);
    assert.equal(w.mainThreadBoundSeconds.toFixed(3), '3.000');
    assert.equal(w.seconds.toFixed(3), '4.500', '(30 + 40 + 20) µs x 100,000 / 2 = 4.5 s');
    assert.equal(w.boundBy, 'cores');
    assert.equal(syncWallFloor({ mainUs: 30, verifierUs: 40, sourceUs: 20 }, 100_000, 3).seconds.toFixed(3), '3.000', 'on 3 cores the main thread bounds it again');
  });

  it('refuses figures that are not µs, entries or cores', () => {
    assert.throws(() => syncWallFloor({ mainUs: NaN, verifierUs: 1, sourceUs: 1 }, 10), /mainUs/);
    assert.throws(() => syncWallFloor({ mainUs: 1, verifierUs: -1, sourceUs: 1 }, 10), /verifierUs/);
    assert.throws(() => syncWallFloor({ mainUs: 1, verifierUs: 1, sourceUs: 1 }, 0), /entries/);
    assert.throws(() => syncWallFloor({ mainUs: 1, verifierUs: 1, sourceUs: 1 }, 10, 0), /cores/);
  });

  it('judges against issue #21\'s goal: 100,000 entries, 5 s, 2 cores', () => {
    assert.deepEqual(SYNC_GOAL, { entries: 100_000, seconds: 5, cores: 2 });
  });
});

describe('bench floor sync: --mix', () => {
  it('defaults to the ingest mix, takes sync, refuses anything else or a repeat', () => {
    assert.equal(mixFlag(['node', 'floor.ts', '--quick']), 'ingest');
    assert.equal(mixFlag(['--mix=ingest']), 'ingest');
    assert.equal(mixFlag(['--quick', '--mix=sync']), 'sync');
    assert.throws(() => mixFlag(['--mix=Sync']), /ingest or sync/);
    assert.throws(() => mixFlag(['--mix=']), /ingest or sync/);
    assert.throws(() => mixFlag(['--mix=sync', '--mix=ingest']), /at most once/);
  });
});
