// test/unit/identity/standing.test.ts - rotation carry-over and reputation on the real admission stack: reports against any key of a chain count under the newest key, before and after rotation, with or without the old ad stored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OracleStanding } from '../../../src/identity/standing.ts';
import { standingOrderedPage } from '../../../src/api/listings.ts';

/** The filtered-page walk of listings, with no conflicted entries (what filteredPage did before standing ordering replaced it). */
const filteredPage = <T,>(fetch: (p: { page: number; chunkSize: number }) => T[], keep: (item: T) => boolean, page: { page: number; chunkSize: number }, maxMatches?: number): T[] =>
  standingOrderedPage(fetch, () => false, keep, page, false, maxMatches);
import type { OracleId, Report, Verified } from '../../../src/protocol/types.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, mine, newServiceForTest, reportId, resignOracle, type KeyPair } from '../../helpers/factory.ts';

const OLD = makeKeys(301);
const MID = makeKeys(302);
const NEW = makeKeys(303);
const CAP = makeKeys(304);

function rig(mempool = {}) {
  const t = newServiceForTest({ mempool });
  const standing = new OracleStanding(t.service);
  return { ...t, standing };
}

const oldAd = makeOracle({ keys: OLD });
const midAd = makeOracle({ keys: MID, previous: { oracle: oldAd, keys: OLD } });
const newAd = makeOracle({ keys: NEW, previous: { oracle: midAd, keys: MID } });
const conflictAgainst = (k: KeyPair, args = { q: '1' }) => makeReport({ type: 'fact-conflict', oraclePubKey: k.publicKey, capKeys: CAP, args, capability: makeCapability({ oracleKeys: k, capKeys: CAP, question: 'q?' }) });

describe('rotation carry-over', () => {
  it('a conflict filed against the old key before rotation counts under the new key', async () => {
    const t = rig();
    assert.equal((await t.service.admit('oracle', oldAd)).status, 'accepted');
    assert.equal((await t.service.admit('report', conflictAgainst(OLD))).status, 'accepted');
    assert.equal(t.standing.isConflicted(NEW.publicKey), false, 'expected NEW.publicKey not to be conflicted');
    assert.equal((await t.service.admit('oracle', newAd)).status, 'accepted');
    assert.equal(t.standing.isConflicted(NEW.publicKey), true, 'expected NEW.publicKey to be conflicted');
    const rep = t.standing.reputation(NEW.publicKey);
    assert.equal(rep.verifiedConflicts, 1);
    assert.deepEqual(rep.previousKeys, [MID.publicKey, OLD.publicKey]);
    assert.deepEqual(t.standing.reputation(OLD.publicKey).rotatedTo, [NEW.publicKey]);
  });

  it('a report against an old key arriving after rotation is admitted and counted even when the old ad was never stored', async () => {
    const t = rig();
    assert.equal((await t.service.admit('oracle', newAd)).status, 'accepted');
    const r = conflictAgainst(OLD);
    const res = await t.service.admit('report', r);
    assert.equal(res.status, 'accepted');
    // kept by the newest key, unchanged (its PoW and id still verify for every peer)
    assert.deepEqual(t.service.listReports(NEW.publicKey, { page: 0, chunkSize: 10 }).map((x) => x.msg), [r]);
    assert.equal(t.standing.reputation(NEW.publicKey).verifiedConflicts, 1);
    assert.equal(t.standing.isConflicted(NEW.publicKey), true, 'expected NEW.publicKey to be conflicted');
    // the mid key's reports count too
    const midCap = makeCapability({ oracleKeys: MID, capKeys: CAP, question: 'q?' });
    assert.equal((await t.service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: MID.publicKey, capKeys: CAP, capability: midCap }))).status, 'accepted');
    const rep = t.standing.reputation(NEW.publicKey);
    assert.equal(rep.reports.total, 2);
    assert.equal(rep.undisputedMissing, 1);
  });

  it('a claim against a key that no stored ad links is still unknown-oracle; a self-contained proof is kept under its own key only', async () => {
    const t = rig();
    const stranger = makeKeys(399);
    assert.equal((await t.service.admit('oracle', newAd)).status, 'accepted');
    const claim = makeReport({ type: 'fact-missing', oraclePubKey: stranger.publicKey, capKeys: CAP, capability: makeCapability({ oracleKeys: stranger, capKeys: CAP, question: 'q?' }) });
    const r = await t.service.admit('report', claim);
    assert.equal(r.status === 'rejected' && r.reason, 'unknown-oracle', 'expected a claim without its oracle refused');
    assert.equal((await t.service.admit('report', conflictAgainst(stranger))).status, 'accepted', 'expected the proof kept in the proof store');
    assert.equal(t.standing.isConflicted(stranger.publicKey), true, 'expected the stranger conflicted');
    assert.equal(t.standing.isConflicted(NEW.publicKey), false, 'expected an unlinked key unaffected');
  });

  it('a higher-PoW claim never pushes a conflict out; evicting the new ad drops its links but not the conflict against the old key', async () => {
    const t = rig({ maxOracles: 1, maxReports: 1 });
    assert.equal((await t.service.admit('oracle', newAd)).status, 'accepted');
    assert.equal((await t.service.admit('report', conflictAgainst(OLD))).status, 'accepted');
    assert.equal(t.standing.isConflicted(NEW.publicKey), true, 'expected NEW.publicKey to be conflicted');
    const oldCap = makeCapability({ oracleKeys: OLD, capKeys: CAP, question: 'q?' });
    assert.equal((await t.service.admit('report', makeReport({ type: 'fact-missing', oraclePubKey: OLD.publicKey, capKeys: CAP, difficulty: 6, capability: oldCap }))).status, 'accepted');
    assert.equal(t.standing.isConflicted(NEW.publicKey), true, 'expected the claim to leave the conflict in place');
    assert.deepEqual(t.standing.standingOf(NEW.publicKey), { conflicted: true, proofs: 1, openClaims: 1, answeredClaims: 0 }, 'expected the chain standing');
    // an oracle with more PoW evicts the new ad: the old key is no longer linked to anything stored
    assert.equal((await t.service.admit('oracle', makeOracle({ keys: makeKeys(398), difficulty: 8 }))).status, 'accepted');
    assert.equal(t.standing.reportHolder(OLD.publicKey), undefined);
    assert.deepEqual(t.standing.newerKeys(OLD.publicKey), []);
    assert.equal(t.standing.isConflicted(OLD.publicKey), true, 'expected the proof against the old key to outlive the eviction');
  });

  it('a rotation with a bad link signature is refused (422 invalid-rotation) and links nothing', async () => {
    const t = rig();
    // the new key re-signs the ad, but the link is not the old key's signature over the new pubkey
    const forged = resignOracle({ ...newAd, previousIdSignatureToNewPubkey: newAd.oracleSignature }, NEW);
    const r = await t.service.admit('oracle', forged);
    assert.equal(r.status, 'rejected');
    if (r.status === 'rejected') assert.equal(r.reason, 'invalid-rotation');
    assert.deepEqual(t.standing.newerKeys(MID.publicKey), []);
  });
});

describe('reputation', () => {
  it('counts reports by type, disputed and undisputed fact-missing, and the PoW behind them', async () => {
    const t = rig();
    assert.equal((await t.service.admit('oracle', oldAd)).status, 'accepted');
    assert.equal((await t.service.admit('capability', makeCapability({ oracleKeys: OLD, capKeys: CAP, question: 'q?' }))).status, 'accepted');
    const missing1 = makeReport({ type: 'fact-missing', oraclePubKey: OLD.publicKey, capKeys: CAP, args: { q: 'a' }, difficulty: 3 });
    const missing2 = makeReport({ type: 'fact-missing', oraclePubKey: OLD.publicKey, capKeys: CAP, args: { q: 'b' }, difficulty: 4 });
    const disagrees = makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: OLD.publicKey, capKeys: CAP, difficulty: 1 });
    for (const r of [missing1, missing2, disagrees, conflictAgainst(OLD)]) assert.equal((await t.service.admit('report', r)).status, 'accepted');
    const fact = makeFact({ capKeys: CAP, args: { q: 'a' }, answer: 'yes' });
    assert.equal((await t.service.admit('dispute', makeDispute({ reportId: reportId(missing1), oraclePubKey: OLD.publicKey, fact }))).status, 'accepted');
    const expected = {
      pubkey: OLD.publicKey,
      scope: 'local',
      reports: { total: 4, byType: { 'fact-conflict': 1, 'fact-missing': 2, 'fact-disagrees-with-public': 1, 'dlc-equivocation': 0, 'dlc-nonce-reuse': 0 } },
      verifiedConflicts: 1,
      disputedMissing: 1,
      undisputedMissing: 1,
      reportPow: { difficultySum: 3 + 4 + 1 + 2, expectedHashes: 8 + 16 + 2 + 4 },
      previousKeys: [],
      rotatedTo: [],
      conflicted: true,
    };
    assert.deepEqual(t.standing.reputation(OLD.publicKey), expected);
    // The same reports handed in from elsewhere (GET /reports entries) count the same, once each by id;
    // entries against keys outside the chain are left out.
    const entries = t.service.listReports(OLD.publicKey, { page: 0, chunkSize: 100 }).map((r) => ({ id: r.id, report: r.msg, dispute: r.dispute?.msg ?? null }));
    const stranger = makeReport({ type: 'fact-missing', oraclePubKey: makeKeys(599).publicKey, capKeys: CAP, difficulty: 9 });
    const gathered = [...entries, ...entries, { id: reportId(stranger), report: stranger, dispute: null }];
    assert.deepEqual(t.standing.reputationFrom(OLD.publicKey, gathered, 'network'), { ...expected, scope: 'network' });
  });
});

describe('rotation links live in the mempool (so a restore from disk keeps them)', () => {
  it('Mempool.addReport without a holder files a report against an old key under the newest stored key', () => {
    const t = newServiceForTest();
    // straight into the mempool, as persist/store.ts restores: no service, no events needed
    const standing = new OracleStanding(t.service); // built before the restore, as node.ts builds it
    t.mempool.restoring(() => {
      assert.equal(t.mempool.addOracle(newAd as Verified<OracleId>).status, 'accepted');
      const r = conflictAgainst(OLD);
      assert.equal(t.mempool.addReport(r as Verified<Report>, reportId(r)).status, 'accepted');
    });
    assert.equal(t.mempool.reportHolder(OLD.publicKey), NEW.publicKey);
    assert.deepEqual(t.mempool.newerKeys(OLD.publicKey), [NEW.publicKey]); // only stored ads link; the mid key's ad is not stored
    assert.equal(t.service.listReports(NEW.publicKey, { page: 0, chunkSize: 10 }).length, 1);
    // the standing index learned the conflict from the restore's own events (no hand-fed inventory walk)
    assert.equal(standing.isConflicted(NEW.publicKey), true, 'a conflict restored from disk must make its oracle conflicted');
  });
});

describe('a report kept by a newer key', () => {
  it('stays with that key when upgraded after the old key\'s own ad arrived (never stored twice)', async () => {
    const t = newServiceForTest();
    assert.equal((await t.service.admit('oracle', newAd)).status, 'accepted');
    const r = conflictAgainst(OLD);
    assert.equal((await t.service.admit('report', r)).status, 'accepted');
    assert.equal((await t.service.admit('oracle', oldAd)).status, 'accepted');
    const upgraded = { ...r, pow: mine(r, 'report', 5).pow };
    const res = await t.service.admit('report', upgraded);
    assert.equal(res.status, 'accepted');
    assert.deepEqual(t.service.listReports(NEW.publicKey, { page: 0, chunkSize: 10 }).map((x) => x.msg), [upgraded]);
    assert.deepEqual(t.service.listReports(OLD.publicKey, { page: 0, chunkSize: 10 }), []);
    assert.equal(t.service.counts().reports, 1);
  });
});

describe('standingOrderedPage as a filtered page (no conflicted entries)', () => {
  const items = Array.from({ length: 1000 }, (_, i) => i);
  function source() {
    // Each fetch as the range of the listing it covers, `start-end`.
    const pages: string[] = [];
    const fetch = (p: { page: number; chunkSize: number }) => {
      pages.push(`${p.page * p.chunkSize}-${(p.page + 1) * p.chunkSize}`);
      return items.slice(p.page * p.chunkSize, (p.page + 1) * p.chunkSize);
    };
    return { pages, fetch };
  }
  const even = (i: number) => i % 2 === 0;

  it('pages over what the filter keeps, in the listing order', () => {
    const s = source();
    assert.deepEqual(filteredPage(s.fetch, even, { page: 2, chunkSize: 3 }), [12, 14, 16]);
    // Nine matches needed: a first batch of 10 (the floor), then the next 10.
    assert.deepEqual(s.pages, ['0-10', '10-20']);
    assert.deepEqual(filteredPage(source().fetch, (i) => i >= 995, { page: 1, chunkSize: 3 }), [998, 999]);
  });

  it('fetches only the depth of a page whose entries all match (one batch, not a fixed 100)', () => {
    const s = source();
    assert.deepEqual(filteredPage(s.fetch, () => true, { page: 3, chunkSize: 10 }), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
    assert.deepEqual(s.pages, ['0-40'], 'expected one fetch of the first 40 entries');
    const small = source();
    assert.deepEqual(filteredPage(small.fetch, () => true, { page: 0, chunkSize: 2 }), [0, 1]);
    assert.deepEqual(small.pages, ['0-10'], 'expected one fetch of at least MIN_BATCH (10) entries');
  });

  it('with maxMatches stops at the last possible match instead of walking to the end', () => {
    const rare = (i: number) => i === 150 || i === 420;
    const unbounded = source();
    assert.deepEqual(filteredPage(unbounded.fetch, rare, { page: 0, chunkSize: 10 }), [150, 420]);
    // The page's depth first, then doubling what was fetched: to the end of 1,000 in 8 fetches.
    assert.deepEqual(unbounded.pages, ['0-10', '10-20', '20-40', '40-80', '80-160', '160-320', '320-640', '640-1280']);
    const bounded = source();
    assert.deepEqual(filteredPage(bounded.fetch, rare, { page: 0, chunkSize: 10 }, 2), [150, 420]);
    assert.deepEqual(bounded.pages, ['0-10', '10-20', '20-40', '40-80', '80-160', '160-320', '320-640']);
    // A page past the last possible match, or no match possible: no fetch at all.
    const none = source();
    assert.deepEqual(filteredPage(none.fetch, rare, { page: 1, chunkSize: 2 }, 2), []);
    assert.deepEqual(filteredPage(none.fetch, rare, { page: 0, chunkSize: 10 }, 0), []);
    assert.deepEqual(none.pages, []);
    // Skipped matches count too: page 1 of size 1 is the second match.
    const second = source();
    assert.deepEqual(filteredPage(second.fetch, rare, { page: 1, chunkSize: 1 }, 2), [420]);
    assert.deepEqual(second.pages, ['0-10', '10-20', '20-40', '40-80', '80-160', '160-320', '320-640']);
  });
});
