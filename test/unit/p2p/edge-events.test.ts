/** test/unit/p2p/edge-events.test.ts - p2p/edge-events.ts: a peer's push-tree edge change is reported at once, then at most once per interval per peer, always ending on the current state; flips that cancel out report nothing; a peer that left or closed is not reported. Timers mocked (node:test mock.timers), clock injected. */
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EDGE_EVENT_MIN_INTERVAL_MS, EdgeEvents } from '../../../src/p2p/edge-events.ts';
import type { Peer } from '../../../src/p2p/peer.ts';

/** The two members edge-events.ts reads. */
interface EdgePeer {
  eager: boolean;
  isClosed: boolean;
}

describe('edge events (peer:relay rate limit)', () => {
  let t = 0;
  let published: [EdgePeer, boolean][] = [];
  let events: EdgeEvents;
  const peer = (): EdgePeer => ({ eager: true, isClosed: false });
  const asPeer = (p: EdgePeer): Peer => p as unknown as Peer;
  /** Move the clock and the mocked timers together. */
  const advance = (ms: number): void => {
    t += ms;
    mock.timers.tick(ms);
  };
  const flip = (p: EdgePeer, eager: boolean): void => {
    p.eager = eager;
    events.changed(asPeer(p));
  };

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    t = 1_000_000;
    published = [];
    events = new EdgeEvents((p) => published.push([p as unknown as EdgePeer, p.eager]), () => t);
  });

  afterEach(() => {
    events.close();
    mock.timers.reset();
  });

  it('reports the first change at once, with the state it changed to', () => {
    const a = peer();
    flip(a, false);
    assert.deepEqual(published, [[a, false]], 'expected one report of the lazy edge, immediately');
  });

  it('a change within the interval is reported when it ends, with the state of then', () => {
    const a = peer();
    flip(a, false);
    advance(100);
    flip(a, true);
    assert.equal(published.length, 1, 'expected the second change held back within the interval');
    advance(EDGE_EVENT_MIN_INTERVAL_MS - 101);
    assert.equal(published.length, 1, 'expected nothing before the interval ends');
    advance(1);
    assert.deepEqual(published, [
      [a, false],
      [a, true],
    ]);
  });

  it('a peer flipping its edge many times a second is reported at most once per interval, ending on its current state', () => {
    const a = peer();
    for (let i = 0; i < 10_000; i++) {
      flip(a, i % 2 === 1); // lazy, eager, lazy, ... one flip per millisecond
      advance(1);
    }
    // 10 s of flips: at most one report per interval (plus the first at once).
    assert.equal(published.length <= 10_000 / EDGE_EVENT_MIN_INTERVAL_MS + 1, true, `expected at most ${10_000 / EDGE_EVENT_MIN_INTERVAL_MS + 1} reports, got ${published.length}`);
    advance(EDGE_EVENT_MIN_INTERVAL_MS);
    const last = published[published.length - 1];
    assert.equal(last?.[1], a.eager, 'expected the last report to carry the current state');
  });

  it('flips that cancel out within the interval report nothing more', () => {
    const a = peer();
    flip(a, false);
    advance(10);
    flip(a, true);
    flip(a, false);
    advance(EDGE_EVENT_MIN_INTERVAL_MS);
    assert.deepEqual(published, [[a, false]], 'expected no report: the state at the end of the interval is the one reported');
  });

  it('keeps peers apart, and forgets a peer that left or closed', () => {
    const a = peer();
    const b = peer();
    flip(a, false);
    flip(b, false);
    assert.deepEqual(published, [
      [a, false],
      [b, false],
    ], 'expected each peer reported at once: the limit is per peer');
    advance(10);
    flip(a, true);
    flip(b, true);
    events.dropPeer(asPeer(a));
    b.isClosed = true;
    advance(EDGE_EVENT_MIN_INTERVAL_MS);
    assert.equal(published.length, 2, 'expected no report for a peer that left or closed');
  });
});
