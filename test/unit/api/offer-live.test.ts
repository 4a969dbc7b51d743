// test/unit/api/offer-live.test.ts - the live feed's offer event: `offer:accepted` is a subscribable event name, and the `announcement` filter passes the offers of that announcement and no other.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matches, parseSubscription } from '../../../src/api/live-subscriptions.ts';
import type { LiveEvent } from '../../../src/api/live-events.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const offerEvent = (announcementId: string): LiveEvent => ({ event: 'offer:accepted', time: '2026-12-05T00:00:00.000Z', id: 'c'.repeat(64), announcementId, oraclePubKey: '02' + '1'.repeat(64), makerPubKey: '03' + '2'.repeat(64), status: 'open', replaced: false });

describe('live feed: offer:accepted', () => {
  it('is a known event name for events=', () => {
    const sub = parseSubscription(new URLSearchParams({ events: 'offer:accepted', announcement: A }));
    assert.equal('error' in sub, false, JSON.stringify(sub));
  });

  it('passes an announcement filter only for offers of that announcement', () => {
    const sub = parseSubscription(new URLSearchParams({ announcement: A }));
    if ('error' in sub) throw new Error(sub.error);
    assert.equal(matches(sub.filter, offerEvent(A)), true, 'expected an offer of the announcement to pass');
    assert.equal(matches(sub.filter, offerEvent(B)), false, 'expected an offer of another announcement to be filtered out');
  });
});
