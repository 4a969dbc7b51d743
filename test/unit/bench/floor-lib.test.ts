// test/unit/bench/floor-lib.test.ts - bench/floor.ts's measuring parts: the bare frame splitter finds every frame at any chunking and refuses a bad magic; the socket run reads every frame of a loopback stream with both readers and fails cleanly on a bad one; the allocation meter counts bytes that collections freed in between; the index-insert count gives the exact indexes each kind's insert touches (and restores the patched prototypes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocMeter } from '../../../bench/lib/floor-gc.ts';
import { countIndexInserts, freshMempool, insertPrepared, prepareInserts } from '../../../bench/lib/floor-mempool.ts';
import { BareSplitter, frameEnds, socketRun } from '../../../bench/lib/floor-socket.ts';
import { ingestMix } from '../../../bench/lib/gen.ts';
import { encodeFrames } from '../../../bench/lib/node.ts';
import { RankedSet } from '../../../src/mempool/ranked-set.ts';

const { msgs } = ingestMix(8); // 8 oracles: 8 ads, 8 capabilities, 8 fact-missing, 2 fact-conflict
const frames = encodeFrames(msgs);

describe('bench floor: bare frame splitter', () => {
  it('counts every frame whatever the chunk boundaries (headers split included)', () => {
    for (const size of [1, 7, 23, 24, 25, 100, 4096, frames.length]) {
      const s = new BareSplitter();
      for (let at = 0; at < frames.length; at += size) s.push(frames.subarray(at, at + size));
      assert.equal(s.frames, msgs.length, `expected ${msgs.length} frames with ${size}-byte chunks, got ${s.frames}`);
    }
  });

  it('refuses a stream that does not start with the regtest magic', () => {
    const bad = Buffer.from(frames);
    bad.write('MEGA', 0, 'ascii');
    assert.throws(() => new BareSplitter().push(bad), /magic/);
  });

  it('frameEnds gives each frame end, the last being the stream length', () => {
    const ends = frameEnds(frames);
    assert.equal(ends.length, msgs.length);
    assert.equal(ends[ends.length - 1], frames.length);
  });
});

describe('bench floor: socket run over loopback', () => {
  it('reads every frame with the bare splitter and with FrameDecoder, paced and unpaced, and reports CPU per message', async () => {
    const ends = frameEnds(frames);
    for (const [reader, rate] of [['bare', null], ['decoder', null], ['bare', 5000]] as const) {
      const run = await socketRun(frames, ends, reader, rate);
      assert.ok(run.reads >= 1 && run.bytesPerRead > 0, `expected at least one read for ${reader}, got ${run.reads}`);
      assert.ok(run.readerUs > 0 && Number.isFinite(run.readerUs), `expected a positive reader CPU per message for ${reader}, got ${run.readerUs}`);
      // Paced at 5,000/s, 34 frames take at least 6 ms to be written.
      if (rate !== null) assert.ok(run.wallMs >= 5, `expected a paced run to last >= 5 ms, got ${run.wallMs}`);
    }
  });
});

describe('bench floor: socket run on a bad stream', () => {
  it('rejects with the reader\'s error (and stops its writer) instead of hanging', async () => {
    const bad = Buffer.from(frames);
    bad.write('MEGA', 0, 'ascii');
    await assert.rejects(socketRun(bad, frameEnds(frames), 'bare', null), /magic/);
  });
});

describe('bench floor: allocation meter', () => {
  it('counts what it allocated although scavenges freed it in between', () => {
    const end = allocMeter();
    let sink = 0;
    // 2,000 arrays of 10,000 small integers: ~80 KB each, 160 MB in all, each garbage at once.
    for (let i = 0; i < 2000; i++) {
      const a = new Array<number>(10_000).fill(i & 7);
      sink += a.length;
    }
    const s = end();
    assert.equal(sink, 2000 * 10_000);
    const expected = 2000 * (10_000 * 8);
    assert.ok(s.scavenges >= 2, `expected collections during 160 MB of garbage, got ${s.scavenges}`);
    assert.ok(s.bytes >= 0.95 * expected && s.bytes <= 1.3 * expected, `expected ~${expected} bytes allocated, got ${s.bytes}`);
  });
});

describe('bench floor: index inserts per kind', () => {
  it('counts exactly the indexes each insert touches, and restores the prototypes it patched', () => {
    const payloads = msgs.map((m) => Buffer.from(JSON.stringify(m.body), 'utf8'));
    const prepared = prepareInserts(msgs, payloads);
    const add = RankedSet.prototype.add;
    const set = Map.prototype.set;
    const sadd = Set.prototype.add;
    const c = countIndexInserts(prepared, prepared.length);
    assert.equal(RankedSet.prototype.add, add, 'RankedSet.prototype.add restored');
    assert.equal(Map.prototype.set, set, 'Map.prototype.set restored');
    assert.equal(Set.prototype.add, sadd, 'Set.prototype.add restored');
    // An ad: rank order + its tag's oracle set; a capability: the oracle's capability set, 4 question words and 1 tag
    // in both the capability and the oracle indexes (the oracle is already under its own tag: a search, no insert).
    assert.deepEqual([c.oracle.rankedInserts, c.oracle.rankedPresent], [2, 0], 'oracle ranked inserts');
    assert.deepEqual([c.capability.rankedInserts, c.capability.rankedPresent], [10, 1], 'capability ranked inserts');
    // A report: its oracle's report set; by id, by short version id and in the byte account.
    assert.deepEqual([c['report fact-missing'].rankedInserts, c['report fact-missing'].keyedInserts], [1, 3], 'fact-missing inserts');
    assert.equal(c['report fact-conflict'].messages, 2);
    // The counted store is the real one: every message stored.
    const mp = freshMempool();
    for (let i = 0; i < prepared.length; i++) insertPrepared(mp, prepared[i]!, JSON.parse(payloads[i]!.toString('utf8')));
    assert.deepEqual(mp.counts(), { oracles: 8, capabilities: 8, reports: 10, disputes: 0 });
  });
});
