// test/unit/identity/bid-admission.test.ts - bids decide at a full mempool: a newcomer's Lightning bid is looked up (through the one admission door, deferred, bounded) before it is refused for rank; paid bids expire and the ranking follows. Against the LND double speaking LND's REST API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { BidVerifier, type BidVerifierOptions } from '../../../src/identity/bids.ts';
import { InvoiceLookups } from '../../../src/identity/invoice-lookups.ts';
import { LndClient } from '../../../src/lightning/lnd.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import type { OracleId } from '../../../src/protocol/types.ts';
import type { AdmissionResult } from '../../../src/service/types.ts';
import { FakeLnd } from '../../helpers/fake-lnd.ts';
import { makeCapability, makeKeys, makeOracle, newServiceForTest } from '../../helpers/factory.ts';

const lnd = new FakeLnd();
before(() => lnd.start());
after(async () => {
  await lnd.stop();
  lnd.cleanup();
});

const LIFETIME_MS = 3_600_000;
let n = 0;
const hashN = () => sha256Hex(`mega-bid-admission:${++n}`);
/** LND lookups of one payment hash so far. */
const lookupsOf = (hash: string) => lnd.requests.filter((r) => r === `/v1/invoice/${hash}`).length;

function rig(opts: { maxOracles?: number; admission?: BidVerifierOptions['admission']; timeoutMs?: number } = {}) {
  const t = newServiceForTest({ mempool: { maxOracles: opts.maxOracles ?? 2 } });
  const client = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: opts.timeoutMs ?? 5000 });
  const verifier = new BidVerifier(
    { maxConcurrent: 2, maxQueued: 100, cacheTtlMs: 60_000, errorTtlMs: 30_000, recheckIntervalMs: 60_000, bidLifetimeMs: LIFETIME_MS, admission: opts.admission },
    { service: t.service, lookupInvoice: (h, s) => client.lookupInvoice(h, s), now: t.clock.now, log: pino({ level: 'silent' }) },
  );
  t.service.setBidGate(verifier);
  const order = () => t.service.listOracles({ page: 0, chunkSize: 10 }, {}).map((o) => o.msg.pubkey);
  return { ...t, verifier, order, done: () => (verifier.stop(), client.close()) };
}

/** An oracle of PoW `difficulty` bidding `amount` msat, with an invoice in the fake (null: LND does not know it). */
function bidder(seed: number, amount: number, difficulty: number, invoice: { state?: 'OPEN' | 'SETTLED'; paid?: bigint; settledSecondsAgo?: number; nowMs?: number } | null = {}) {
  const keys = makeKeys(seed);
  const hash = hashN();
  if (invoice) {
    const state = invoice.state ?? 'SETTLED';
    lnd.invoices.set(hash, {
      memo: `Mega ad placement for oracle ${keys.publicKey}`,
      valueMsat: BigInt(amount),
      amtPaidMsat: invoice.paid ?? (state === 'SETTLED' ? BigInt(amount) : 0n),
      state,
      // settle_date = creationDate + 100 s in the fake
      ...(invoice.settledSecondsAgo !== undefined ? { creationDate: Math.floor((invoice.nowMs ?? 0) / 1000) - invoice.settledSecondsAgo - 100 } : {}),
    });
  }
  return { keys, hash, ad: makeOracle({ keys, difficulty, bid: { amount, proof: hash, paymentType: 'lightning' } }) };
}

function rejectedWith(r: AdmissionResult, reason: string, message: RegExp): void {
  assert.equal(r.status, 'rejected', `expected a refusal, got ${JSON.stringify(r)}`);
  assert.equal(r.status === 'rejected' && r.reason, reason);
  assert.match(r.status === 'rejected' ? r.message : '', message);
}

describe('bids at a full mempool', () => {
  it('a paid newcomer with little PoW evicts a higher-PoW unpaid ad, ranked with its verified bid from the start', async () => {
    const r = rig();
    const strong = makeOracle({ keys: makeKeys(701), difficulty: 8 });
    const medium = makeOracle({ keys: makeKeys(702), difficulty: 6 });
    for (const o of [strong, medium]) assert.equal((await r.service.admit('oracle', o)).status, 'accepted');
    const paid = bidder(703, 5000, 2);
    const res = await r.service.admit('oracle', paid.ad);
    assert.equal(res.status, 'accepted', JSON.stringify(res));
    assert.deepEqual(res.status === 'accepted' && res.evicted.map((e) => e.id), [medium.pubkey], 'the lowest ad (PoW 6, no bid) is the one evicted');
    assert.equal(r.service.getOracle(paid.ad.pubkey)?.verifiedBid, 5000);
    assert.deepEqual(r.order(), [paid.ad.pubkey, strong.pubkey]);
    assert.deepEqual(r.verifier.bidStatus(paid.ad.pubkey), { state: 'verified', amountMsat: 5000, expiresAt: new Date(r.clock.now() + LIFETIME_MS).toISOString() });
    assert.deepEqual(r.service.getOracle(paid.ad.pubkey)?.msg, paid.ad, 'the signed ad is stored as received');
    await r.verifier.idle();
    assert.equal(lookupsOf(paid.hash), 1, 'one LND lookup: admission; the stored ad reuses what it learnt');
    r.done();
  });

  it('an unpaid or underpaid newcomer is refused rank-too-low with the reason, and LND is asked once per invoice however often it comes', async () => {
    const r = rig();
    for (const seed of [711, 712]) assert.equal((await r.service.admit('oracle', makeOracle({ keys: makeKeys(seed), difficulty: 6 }))).status, 'accepted');
    const open = bidder(713, 5000, 2, { state: 'OPEN' });
    const under = bidder(714, 5000, 2, { paid: 4999n });
    const unknown = bidder(715, 5000, 2, null);
    const cases: [ReturnType<typeof bidder>, RegExp][] = [
      [open, /its bid does not count: invoice state is OPEN/],
      [under, /its bid does not count: invoice paid 4999 msat, less than the bid's 5000/],
      [unknown, /its bid does not count: LND does not know this payment hash/],
    ];
    for (const [b, why] of cases) {
      for (const source of ['http:10.0.0.1', 'http:10.0.0.2', 'p2p:10.0.0.3:8333', 'http:10.0.0.1']) {
        rejectedWith(await r.service.admit('oracle', b.ad, { id: source }), 'rank-too-low', why);
      }
      assert.equal(lookupsOf(b.hash), 1, `one LND lookup for ${why}`);
    }
    assert.equal(r.service.counts().oracles, 2);
    r.done();
  });

  it('a forged ad is refused for its signature before LND is asked; a bid too small to win even if paid is not looked up', async () => {
    const r = rig();
    const paidLow = bidder(721, 3000, 1);
    assert.equal((await r.service.admit('oracle', makeOracle({ keys: makeKeys(722), difficulty: 6 }))).status, 'accepted');
    assert.equal((await r.service.admit('oracle', paidLow.ad)).status, 'accepted');
    await r.verifier.idle();
    assert.equal(r.service.getOracle(paidLow.ad.pubkey)?.verifiedBid, 3000);
    const forged = bidder(723, 9000, 2);
    const tampered: OracleId = { ...forged.ad, seqNo: forged.ad.seqNo + 1 };
    rejectedWith(await r.service.admit('oracle', tampered), 'signature-invalid', /./);
    assert.equal(lookupsOf(forged.hash), 0, 'no LND lookup for a forged ad');
    // A bid that is not a payment hash cannot be verified: never looked up, refused for rank at once.
    const textBid = makeOracle({ keys: makeKeys(724), difficulty: 2, bid: { amount: 9000, proof: 'lnbc1-some-text', paymentType: 'lightning' } });
    const before = lnd.requests.length;
    rejectedWith(await r.service.admit('oracle', textBid), 'rank-too-low', /does not outrank the lowest/);
    assert.equal(lnd.requests.length, before, 'a bid that is not a payment hash is never looked up');
    r.done();
  });

  it('per-source budget: a source past its burst is refused without LND calls; another source is not affected', async () => {
    const r = rig({ admission: { burst: 2, refillMs: 60_000 } });
    for (const seed of [731, 732]) assert.equal((await r.service.admit('oracle', makeOracle({ keys: makeKeys(seed), difficulty: 6 }))).status, 'accepted');
    const spam = [733, 734, 735].map((s) => bidder(s, 5000, 2, null));
    const out = [];
    for (const b of spam) out.push(await r.service.admit('oracle', b.ad, { id: 'http:10.9.9.9' }));
    rejectedWith(out[0]!, 'rank-too-low', /LND does not know/);
    rejectedWith(out[1]!, 'rank-too-low', /LND does not know/);
    rejectedWith(out[2]!, 'rank-too-low', /this source started too many bid verifications/);
    assert.deepEqual(spam.map((b) => lookupsOf(b.hash)), [1, 1, 0]);
    const other = bidder(736, 5000, 2);
    assert.equal((await r.service.admit('oracle', other.ad, { id: 'http:10.8.8.8' })).status, 'accepted');
    r.done();
  });

  it('a newcomer waiting for a hung LND does not hold up the admissions behind it; it is refused when the short timeout ends', async () => {
    const r = rig({ admission: { timeoutMs: 300 } });
    const host = makeKeys(741);
    const hostAd = makeOracle({ keys: host, difficulty: 6 });
    assert.equal((await r.service.admit('oracle', hostAd)).status, 'accepted');
    assert.equal((await r.service.admit('oracle', makeOracle({ keys: makeKeys(742), difficulty: 6 }))).status, 'accepted');
    lnd.hang = true;
    try {
      const waiting = bidder(743, 5000, 2);
      const settled: string[] = [];
      const slow = r.service.admit('oracle', waiting.ad).then((x) => (settled.push('bidder'), x));
      const cap = makeCapability({ oracleKeys: host, capKeys: makeKeys(744), question: 'Will it rain?' });
      const fast = r.service.admit('capability', cap).then((x) => (settled.push('capability'), x));
      assert.equal((await fast).status, 'accepted');
      rejectedWith(await slow, 'rank-too-low', /its bid does not count: .*(abort|timeout|time)/i);
      assert.deepEqual(settled, ['capability', 'bidder'], 'the capability offered after the bidder was admitted first');
    } finally {
      lnd.hang = false;
      r.done();
    }
  });
});

describe('bid expiry', () => {
  it('a verified bid counts for bidLifetimeMs, then the ad ranks by PoW again and can be evicted by a higher-PoW newcomer', async () => {
    const r = rig();
    const paid = bidder(751, 5000, 1);
    const worker = makeOracle({ keys: makeKeys(752), difficulty: 6 });
    for (const o of [worker, paid.ad]) assert.equal((await r.service.admit('oracle', o)).status, 'accepted');
    await r.verifier.idle();
    assert.deepEqual(r.order(), [paid.ad.pubkey, worker.pubkey]);
    assert.notEqual(r.verifier.placementOf(paid.ad.pubkey), null);
    r.clock.advance(LIFETIME_MS - 1);
    assert.equal(r.verifier.expireDue(), 0, 'not yet');
    r.clock.advance(1);
    assert.equal(r.verifier.expireDue(), 1);
    assert.deepEqual(r.verifier.bidStatus(paid.ad.pubkey), { state: 'expired', amountMsat: 5000, expiredAt: new Date(r.clock.now()).toISOString() });
    assert.equal(r.service.getOracle(paid.ad.pubkey)?.verifiedBid, 0);
    assert.equal(r.verifier.placementOf(paid.ad.pubkey), null);
    assert.deepEqual(r.order(), [worker.pubkey, paid.ad.pubkey], 'ranked by PoW again');
    // A new version with the same (expired) invoice does not renew it, and a newcomer with more PoW evicts it.
    const again = makeOracle({ keys: paid.keys, seqNo: 1, difficulty: 1, bid: paid.ad.bid });
    assert.equal((await r.service.admit('oracle', again)).status, 'accepted');
    assert.equal(r.verifier.bidStatus(paid.ad.pubkey).state, 'expired');
    assert.equal(r.service.getOracle(paid.ad.pubkey)?.verifiedBid, 0);
    const newcomer = makeOracle({ keys: makeKeys(753), difficulty: 3 });
    const res = await r.service.admit('oracle', newcomer);
    assert.deepEqual(res.status === 'accepted' && res.evicted.map((e) => e.id), [paid.ad.pubkey]);
    assert.equal(lookupsOf(paid.hash), 1, 'expiry needs no LND call');
    r.done();
  });

  it('the window starts at the invoice settlement LND reports, and a newcomer with an expired bid is refused without a lookup', async () => {
    const r = rig();
    const old = bidder(761, 5000, 1, { settledSecondsAgo: 600, nowMs: r.clock.now() });
    assert.equal((await r.service.admit('oracle', old.ad)).status, 'accepted');
    await r.verifier.idle();
    const settledAt = (Math.floor(r.clock.now() / 1000) - 600) * 1000;
    assert.deepEqual(r.verifier.bidStatus(old.ad.pubkey), { state: 'verified', amountMsat: 5000, expiresAt: new Date(settledAt + LIFETIME_MS).toISOString() });
    // Expire it, evict it by filling the mempool, and offer it again: refused, from memory.
    r.clock.advance(LIFETIME_MS);
    r.verifier.expireDue();
    for (const seed of [762, 763]) await r.service.admit('oracle', makeOracle({ keys: makeKeys(seed), difficulty: 5 }));
    assert.equal(r.service.getOracle(old.ad.pubkey), undefined, 'evicted');
    const v2 = makeOracle({ keys: old.keys, seqNo: 2, difficulty: 1, bid: old.ad.bid });
    rejectedWith(await r.service.admit('oracle', v2), 'rank-too-low', /its bid does not count: the bid expired at/);
    assert.equal(lookupsOf(old.hash), 1);
    r.done();
  });

  it('the expiry timer re-ranks without anyone calling (real timers)', async () => {
    const t = newServiceForTest();
    const client = new LndClient({ restHost: lnd.restHost, macaroon: lnd.macaroon, tlsCert: lnd.tls.cert, timeoutMs: 5000 });
    // Real clock: the invoice settled "now" (the fake's settle date is 100 s after creation).
    const start = Date.now();
    const v = new BidVerifier({ maxConcurrent: 1, maxQueued: 10, cacheTtlMs: 60_000, errorTtlMs: 1000, recheckIntervalMs: 60_000, bidLifetimeMs: 1000 }, { service: t.service, lookupInvoice: (h, s) => client.lookupInvoice(h, s), now: Date.now, log: pino({ level: 'silent' }) });
    const b = bidder(771, 2000, 1, { settledSecondsAgo: -100, nowMs: start });
    assert.equal((await t.service.admit('oracle', b.ad)).status, 'accepted');
    await v.idle();
    const st = v.bidStatus(b.ad.pubkey).state;
    assert.equal(st === 'verified' || st === 'expired', true, `expected verified (or already expired on a slow machine), got ${st}`);
    const { waitFor } = await import('../../helpers/wait.ts');
    await waitFor(() => v.bidStatus(b.ad.pubkey).state === 'expired' && t.service.getOracle(b.ad.pubkey)?.verifiedBid === 0, { timeoutMs: 5000, message: 'the bid to expire by its timer' });
    v.stop();
    client.close();
  });
});

describe('InvoiceLookups', () => {
  it('single flight: lookups of one hash in flight share one LND request; answers are cached by finality', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((res) => (release = res));
    let t = 0;
    const l = new InvoiceLookups(
      { okTtlMs: 1000, errorTtlMs: 100, maxEntries: 10, maxBytes: 10_000 },
      {
        now: () => t,
        lookupInvoice: async () => {
          calls++;
          await gate;
          return { status: 'found', invoice: { state: calls === 1 ? 'OPEN' : 'SETTLED', amt_paid_msat: '0' } };
        },
      },
    );
    const a = l.lookup('aa');
    const b = l.lookup('aa');
    release();
    assert.deepEqual(await a, await b);
    assert.equal(calls, 1);
    t = 50;
    assert.equal((await l.lookup('aa')).status, 'found');
    assert.equal(calls, 1, 'an open invoice is reused within errorTtlMs');
    assert.equal(l.cached('aa', 10), undefined, 'but not when the caller wants a fresher answer');
    t = 101;
    const r = await l.lookup('aa');
    assert.equal(r.status === 'found' && r.invoice.state, 'SETTLED');
    assert.equal(calls, 2);
    t = 1000;
    await l.lookup('aa');
    assert.equal(calls, 2, 'a settled invoice is final for okTtlMs');
  });
});
