// test/unit/api/live-subscriptions.test.ts - the replay ring of the live feed: bounded by count and bytes, contiguous sequence numbers, filters applied on replay, and "incomplete" whenever a client would otherwise trust a feed with a hole.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveEvent } from '../../../src/api/live-events.ts';
import { matches, parseSubscription, ReplayRing } from '../../../src/api/live-subscriptions.ts';

const K1 = `02${'11'.repeat(32)}`;
const K2 = `03${'22'.repeat(32)}`;
const ev = (oraclePubKey: string, id = oraclePubKey): LiveEvent => ({ event: 'mempool:accepted', time: '2026-01-01T00:00:00.000Z', type: 'oracle', id, oraclePubKey, replaced: false });
const fill = (ring: ReplayRing, n: number, from = 1) => {
  for (let seq = from; seq < from + n; seq++) {
    const e = ev(seq % 2 ? K1 : K2);
    ring.push(seq, e, JSON.stringify({ ...e, seq }));
  }
};

describe('ReplayRing', () => {
  it('replays the events after `since` that pass the filter, in order', () => {
    const ring = new ReplayRing(100, 1 << 20);
    fill(ring, 10);
    const r = ring.after(4, { oracle: K1 }, 100);
    assert.equal(r.complete, true);
    assert.deepEqual(r.data.map((d) => (JSON.parse(d) as { seq: number }).seq), [5, 7, 9]);
    assert.deepEqual(ring.after(10, null, 100), { data: [], complete: true }, 'nothing missed');
  });

  it('keeps at most maxEntries and maxBytes; a resume from before the oldest held is incomplete', () => {
    const ring = new ReplayRing(5, 1 << 20);
    fill(ring, 12);
    assert.equal(ring.size().entries, 5);
    assert.equal(ring.after(7, null, 100).complete, true, 'seq 8.. are held');
    assert.deepEqual(ring.after(6, null, 100), { data: [], complete: false }, 'seq 7 is gone: the client must list again');
    const one = JSON.stringify({ ...ev(K1), seq: 1 }).length;
    const small = new ReplayRing(1000, one * 3);
    fill(small, 10);
    assert.ok(small.size().bytes <= one * 3 && small.size().entries >= 2, `byte bound must hold and keep the newest: ${JSON.stringify(small.size())}`);
    assert.equal(small.after(9, null, 10).data.length, 1, "the newest event is held");
  });

  it('more matching events than the replay limit is incomplete, not a silent cut', () => {
    const ring = new ReplayRing(100, 1 << 20);
    fill(ring, 10);
    assert.deepEqual(ring.after(0, null, 3), { data: [], complete: false });
  });

  it('stays bounded and correct across many compactions', () => {
    const ring = new ReplayRing(50, 1 << 20);
    fill(ring, 5000);
    assert.equal(ring.size().entries, 50);
    assert.deepEqual(ring.after(4990, null, 100).data.map((d) => (JSON.parse(d) as { seq: number }).seq), [4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
  });
});

describe('subscriptions', () => {
  it('parses filters and refuses malformed ones with a reason', () => {
    const ok = parseSubscription(new URLSearchParams(`oracle=${K1}&events=report:proof,attestation:accepted&since=3&epoch=${'ab'.repeat(8)}`));
    assert.ok(!('error' in ok) && ok.filter?.oracle === K1 && ok.since === 3 && ok.filter.events?.has('report:proof'));
    for (const q of ['oracle=02zz', 'since=1', 'events=', `announcement=${'A'.repeat(64)}`, 'question=a b', 'oracle=1&oracle=2']) {
      assert.ok('error' in parseSubscription(new URLSearchParams(q)), `${q} must be refused`);
    }
  });
  it('an announcement filter passes its announcement, attestation and proofs, nothing else', () => {
    const a = 'cd'.repeat(32);
    const f = { announcement: a };
    assert.equal(matches(f, { event: 'attestation:accepted', time: '', id: 'x', announcementId: a, oraclePubKey: K1 }), true);
    assert.equal(matches(f, { event: 'report:proof', time: '', type: 'dlc-nonce-reuse', oracleKey: 'k', oraclePubKey: K1, announcementIds: ['00', a], nonce: 'n' }), true);
    assert.equal(matches(f, ev(K1)), false);
  });
});
