// test/unit/identity/bids.test.ts - Lightning bid verification against a local HTTPS LND double: every way a bid can be right or wrong, re-ranking without touching the signed ad, caching, timeouts and TLS pinning.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Logger } from '../../../src/log.ts';
import { BidVerifier, type BidStatus, type BidVerifierOptions } from '../../../src/identity/bids.ts';
import { LndClient, parseRestHost } from '../../../src/lightning/lnd.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { isOracleSignatureValid } from '../../../src/protocol/verify.ts';
import type { OracleId } from '../../../src/protocol/types.ts';
import { FakeLnd, makeSelfSignedCert } from '../../helpers/fake-lnd.ts';
import { makeKeys, makeOracle, newServiceForTest } from '../../helpers/factory.ts';
import { recordingLog } from './_log.ts';

const lnd = new FakeLnd();
before(() => lnd.start());
after(async () => {
  await lnd.stop();
  lnd.cleanup();
});

let n = 0;
const hashN = () => sha256Hex(`mega-test-preimage:${++n}`);

/** bidLifetimeMs of every rig. */
const LIFETIME_MS = 3_600_000;
/** The status of a bid verified at `at` (the fake's hand-made invoices settle "in the future" of the fake clock, so the window starts at verification). */
const verified = (amountMsat: number, at: number) => ({ state: 'verified', amountMsat, expiresAt: new Date(at + LIFETIME_MS).toISOString() });

function rig(opts: { timeoutMs?: number; macaroon?: Buffer; tlsCert?: Buffer; restHost?: string; log?: Logger; maxOracles?: number; admission?: BidVerifierOptions['admission'] } = {}) {
  const t = newServiceForTest(opts.maxOracles ? { mempool: { maxOracles: opts.maxOracles } } : {});
  const client = new LndClient({ restHost: opts.restHost ?? lnd.restHost, macaroon: opts.macaroon ?? lnd.macaroon, tlsCert: opts.tlsCert ?? lnd.tls.cert, timeoutMs: opts.timeoutMs ?? 5000 });
  const verifier = new BidVerifier(
    { maxConcurrent: 2, maxQueued: 100, cacheTtlMs: 60_000, errorTtlMs: 1_000, recheckIntervalMs: 60_000, bidLifetimeMs: LIFETIME_MS, admission: opts.admission },
    { service: t.service, lookupInvoice: (h, s) => client.lookupInvoice(h, s), now: t.clock.now, log: opts.log ?? pino({ level: 'silent' }) },
  );
  t.service.setBidGate(verifier);
  return { ...t, verifier, client, done: () => (verifier.stop(), client.close()) };
}

/** An oracle (seed `seed`) bidding `amount` msat with payment hash `hash`, and an invoice for it in the fake. */
function bidder(seed: number, amount: number, invoice: Partial<{ memo: string; paid: bigint; state: 'OPEN' | 'SETTLED' | 'CANCELED' }> | null, difficulty = 2) {
  const keys = makeKeys(seed);
  const hash = hashN();
  if (invoice) {
    lnd.invoices.set(hash, {
      memo: invoice.memo ?? `Mega bid for ${keys.publicKey}`,
      valueMsat: BigInt(amount),
      amtPaidMsat: invoice.paid ?? (invoice.state === undefined || invoice.state === 'SETTLED' ? BigInt(amount) : 0n),
      state: invoice.state ?? 'SETTLED',
    });
  }
  const ad = makeOracle({ keys, difficulty, bid: { amount, proof: hash, paymentType: 'lightning' } });
  return { keys, hash, ad };
}

async function statusAfterSubmit(r: ReturnType<typeof rig>, ad: OracleId): Promise<BidStatus> {
  assert.equal((await r.service.admit('oracle', ad)).status, 'accepted');
  await r.verifier.idle();
  return r.verifier.bidStatus(ad.pubkey);
}

describe('Lightning bids', () => {
  it('a settled, fully paid invoice naming the oracle verifies and re-ranks it above higher PoW; the signed ad is untouched', async () => {
    const r = rig();
    const rich = bidder(501, 5000, {}, 1);
    const worker = makeOracle({ keys: makeKeys(502), difficulty: 6 });
    assert.equal((await r.service.admit('oracle', worker)).status, 'accepted');
    const res = await r.service.admit('oracle', rich.ad);
    // admission never waits for LND
    assert.equal(res.status, 'accepted');
    assert.deepEqual(r.verifier.bidStatus(rich.ad.pubkey), { state: 'pending' });
    assert.deepEqual(r.service.listOracles({ page: 0, chunkSize: 10 }, {}).map((o) => o.msg.pubkey), [worker.pubkey, rich.ad.pubkey]);
    await r.verifier.idle();
    assert.deepEqual(r.verifier.bidStatus(rich.ad.pubkey), verified(5000, r.clock.now()));
    assert.equal(r.service.getOracle(rich.ad.pubkey)?.verifiedBid, 5000);
    const listed = r.service.listOracles({ page: 0, chunkSize: 10 }, {});
    assert.deepEqual(listed.map((o) => o.msg.pubkey), [rich.ad.pubkey, worker.pubkey]);
    assert.deepEqual(listed[0]?.msg, rich.ad);
    assert.equal(isOracleSignatureValid(listed[0]!.msg), true, 'expected isOracleSignatureValid(listed[0]!.msg) to be true');
    r.done();
  });

  it('overpaying counts the bid amount (never more than was bid)', async () => {
    const r = rig();
    const b = bidder(503, 1000, { paid: 250_000n });
    assert.deepEqual(await statusAfterSubmit(r, b.ad), verified(1000, r.clock.now()));
    assert.equal(r.service.getOracle(b.ad.pubkey)?.verifiedBid, 1000);
    r.done();
  });

  const wrong: [string, () => ReturnType<typeof bidder>, string][] = [
    ['an open invoice', () => bidder(510, 1000, { state: 'OPEN' }), 'invoice state is OPEN'],
    ['a cancelled invoice', () => bidder(511, 1000, { state: 'CANCELED' }), 'invoice state is CANCELED'],
    ['an underpaid invoice', () => bidder(512, 1000, { paid: 999n }), "invoice paid 999 msat, less than the bid's 1000"],
    ['a memo naming another oracle', () => bidder(513, 1000, { memo: `bid for ${makeKeys(599).publicKey}` }), 'invoice memo does not name this oracle pubkey'],
    ['a memo without any pubkey', () => bidder(514, 1000, { memo: 'coffee' }), 'invoice memo does not name this oracle pubkey'],
    ['a memo naming this oracle and another', () => bidder(515, 1000, { memo: `${makeKeys(515).publicKey} ${makeKeys(598).publicKey}` }), 'invoice memo names more than one pubkey'],
    ['an unknown payment hash', () => bidder(516, 1000, null), 'LND does not know this payment hash'],
  ];
  for (const [name, make, reason] of wrong) {
    it(`${name} leaves the bid at 0`, async () => {
      const r = rig();
      const b = make();
      assert.deepEqual(await statusAfterSubmit(r, b.ad), { state: 'unverified', reason });
      assert.equal(r.service.getOracle(b.ad.pubkey)?.verifiedBid, 0);
      r.done();
    });
  }

  it('a bad macaroon is an LND error, and the bid stays at 0', async () => {
    const r = rig({ macaroon: Buffer.from('00', 'hex') });
    const b = bidder(520, 1000, {});
    assert.deepEqual(await statusAfterSubmit(r, b.ad), { state: 'unverified', reason: 'LND answered 500: verification failed: signature mismatch after caveat verification' });
    assert.equal(r.service.getOracle(b.ad.pubkey)?.verifiedBid, 0);
    r.done();
  });

  it('logs info when a bid becomes verified and a warning when LND cannot answer; a bid that does not pay logs nothing', async () => {
    const ok = recordingLog();
    const r = rig({ log: ok.log });
    const good = bidder(560, 1000, {});
    const open = bidder(561, 1000, { state: 'OPEN' });
    assert.equal((await statusAfterSubmit(r, good.ad)).state, 'verified');
    assert.equal((await statusAfterSubmit(r, open.ad)).state, 'unverified');
    assert.deepEqual(ok.lines.map((l) => [l.level, l.msg, l.obj.key, l.obj.amountMsat]), [['info', 'bid verified', good.ad.pubkey, 1000]], 'expected one info line, for the verified bid');
    r.done();
    const bad = recordingLog();
    const r2 = rig({ macaroon: Buffer.from('00', 'hex'), log: bad.log });
    const b = bidder(562, 1000, {});
    assert.equal((await statusAfterSubmit(r2, b.ad)).state, 'unverified');
    assert.deepEqual(
      bad.lines.map((l) => [l.level, l.msg, l.obj.checker, l.obj.reason]),
      [['warn', 'bid lookup failed', 'bids', 'LND answered 500: verification failed: signature mismatch after caveat verification']],
      'expected one warning naming the LND error',
    );
    r2.done();
  });

  it('LND down (nothing listening) leaves the bid at 0', async () => {
    const down = new FakeLnd();
    await down.start();
    const host = down.restHost;
    await down.stop();
    down.cleanup();
    const r = rig({ restHost: host });
    const b = bidder(521, 1000, {});
    const st = await statusAfterSubmit(r, b.ad);
    assert.equal(st.state, 'unverified');
    assert.equal(st.state === 'unverified' && /ECONNREFUSED/.test(st.reason), true, "expected st.state === 'unverified' && /ECONNREFUSED/.test(st.reason) to be true");
    r.done();
  });

  it('a hung LND times out; admission was not blocked', async () => {
    const r = rig({ timeoutMs: 200 });
    lnd.hang = true;
    try {
      const b = bidder(522, 1000, {});
      assert.equal((await r.service.admit('oracle', b.ad)).status, 'accepted');
      assert.deepEqual(r.verifier.bidStatus(b.ad.pubkey), { state: 'pending' });
      await r.verifier.idle();
      assert.deepEqual(r.verifier.bidStatus(b.ad.pubkey), { state: 'unverified', reason: 'LND did not answer within 200 ms' });
    } finally {
      lnd.hang = false;
      r.done();
    }
  });

  it('TLS is pinned: an LND presenting another certificate than lnTlsCertPath is refused', async () => {
    const other = makeSelfSignedCert();
    const r = rig({ tlsCert: other.cert });
    const b = bidder(523, 1000, {});
    const st = await statusAfterSubmit(r, b.ad);
    assert.equal(st.state, 'unverified');
    assert.equal(st.state === 'unverified' && /self[- ]signed|certificate/i.test(st.reason), true, JSON.stringify(st));
    r.done();
  });

  it('an open invoice that is paid later verifies on re-check, after the retry delay; answers are cached meanwhile', async () => {
    const r = rig();
    const b = bidder(530, 1000, { state: 'OPEN' });
    assert.equal((await statusAfterSubmit(r, b.ad)).state, 'unverified');
    const inv = lnd.invoices.get(b.hash)!;
    inv.state = 'SETTLED';
    inv.amtPaidMsat = 1000n;
    const before = lnd.requests.length;
    r.verifier.recheckUnverified();
    await r.verifier.idle();
    assert.equal(lnd.requests.length, before); // cached: LND not asked again within errorTtlMs
    assert.equal(r.verifier.bidStatus(b.ad.pubkey).state, 'unverified');
    r.clock.advance(1_001);
    r.verifier.recheckUnverified();
    await r.verifier.idle();
    assert.deepEqual(r.verifier.bidStatus(b.ad.pubkey), verified(1000, r.clock.now()));
    assert.equal(r.service.getOracle(b.ad.pubkey)?.verifiedBid, 1000);
    r.done();
  });

  it('a new ad version with another bid loses the verified amount until that bid is verified', async () => {
    const r = rig();
    const b = bidder(540, 1000, {});
    assert.equal((await statusAfterSubmit(r, b.ad)).state, 'verified');
    const next = makeOracle({ keys: b.keys, seqNo: 1, bid: { amount: 2000, proof: hashN(), paymentType: 'lightning' } });
    assert.equal((await r.service.admit('oracle', next)).status, 'accepted');
    assert.equal(r.service.getOracle(b.ad.pubkey)?.verifiedBid, 0);
    await r.verifier.idle();
    assert.deepEqual(r.verifier.bidStatus(b.ad.pubkey), { state: 'unverified', reason: 'LND does not know this payment hash' });
    r.done();
  });

  it('bids that are not lightning payment hashes are not looked up', async () => {
    const r = rig();
    const before = lnd.requests.length;
    const ad = makeOracle({ keys: makeKeys(550), bid: { amount: 1000, proof: 'not-a-hash', paymentType: 'lightning' } });
    assert.deepEqual(await statusAfterSubmit(r, ad), { state: 'none' });
    assert.equal(lnd.requests.length, before);
    r.done();
  });

  it('parses host:port and [v6]:port and refuses anything else', () => {
    assert.deepEqual(parseRestHost('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseRestHost('[::1]:10009'), { host: '::1', port: 10009 });
    assert.throws(() => parseRestHost('localhost'), RangeError);
    assert.throws(() => parseRestHost('h:0'), RangeError);
  });
});
