// test/unit/mempool/offer-listing.test.ts - OfferStore.list against a brute-force reference (every filter, pages, ?chain= alone and with every other filter paged to its end, the key indexes across status changes, collateral ranges narrow enough for the collateral index and wide enough for the rank walk), and the collateral index across status changes and removal (src/mempool/offers.ts, offer-collateral.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { OfferStore, type OfferFilter, type StoredOffer } from '../../../src/mempool/offers.ts';
import { questionWords } from '../../../src/mempool/text-index.ts';
import type { Offer, OfferChain, Verified } from '../../../src/protocol/types.ts';

const NOW_S = 1_800_000_000;
const CHAINS: OfferChain[] = ['bitcoin-regtest', 'bitcoin-signet'];
const ALL_CHAINS: OfferChain[] = ['bitcoin-regtest', 'bitcoin-signet', 'bitcoin-testnet', 'bitcoin-mainnet'];
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const QUESTIONS = ['rain in place1', 'price in place2', 'rain in place3'];

/** An offer's store-relevant shape (the store never checks signatures: admission did). */
function offer(i: number, status: Offer['status'], seqNo = 0, chains: readonly OfferChain[] = CHAINS): Verified<Offer> {
  return {
    makerPubKey: `02${hex(`maker${i % 40}`)}`,
    content: {
      announcementId: hex(`ann${i % 25}`),
      chain: chains[i % chains.length] as OfferChain,
      contractType: 'dlc-v0',
      makerCollateral: 1000,
      takerCollateral: 1000 + ((i * 37) % 500) * 10,
      payouts: { kind: 'enum', outcomes: [] },
      feeRate: 2,
      cetLocktime: NOW_S + 10_000,
      refundLocktime: NOW_S + 20_000,
      expiresAt: NOW_S + 5000,
      contact: 'http://127.0.0.1:9/dlc',
    },
    seqNo,
    cTTL: 5,
    pow: { difficulty: i % 3, algorithm: 'SHA256', hash: hex(`pow${i}`), magicNo: 0 },
    status,
    makerSignature: '00',
    makerSignatureType: 'SHA256withECDSA',
  } as unknown as Verified<Offer>;
}

function store(n: number, collateral?: (i: number) => number, chains?: readonly OfferChain[]): { s: OfferStore; all: () => StoredOffer[] } {
  const s = new OfferStore({ maxOffers: 100_000, maxOfferBytes: 1e9, offersPerMaker: 1000 }, () => NOW_S * 1000);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = hex(`offer${i}`);
    const o = offer(i, i % 7 === 6 ? 'cancelled' : 'open', 0, chains);
    if (collateral) (o.content as { takerCollateral: number }).takerCollateral = collateral(i);
    const r = s.add(o, id, { oraclePubKey: `02${hex(`oracle${i % 5}`)}`, maturityEpoch: NOW_S + 10_000, question: QUESTIONS[i % 3] as string }, hex(`v${i}`));
    assert.equal(r.status, 'accepted', `offer ${i}: expected accepted, got ${JSON.stringify(r)}`);
    ids.push(id);
  }
  return { s, all: () => ids.map((id) => s.get(id)).filter((e): e is StoredOffer => e !== undefined) };
}

/** The listing's definition: every filter matches, highest rank first (difficulty, then the smaller id), paged. */
function reference(all: StoredOffer[], page: number, chunkSize: number, f: OfferFilter): string[] {
  const words = f.question === undefined ? [] : questionWords(f.question);
  return all
    .filter((e) => {
      const c = e.msg.content;
      return (
        e.msg.status === (f.status ?? 'open') &&
        (f.announcement === undefined || c.announcementId === f.announcement) &&
        (f.oracle === undefined || e.oraclePubKey === f.oracle) &&
        (f.maker === undefined || e.msg.makerPubKey === f.maker) &&
        (f.chain === undefined || c.chain === f.chain) &&
        c.takerCollateral >= (f.minCollateral ?? 0) &&
        c.takerCollateral <= (f.maxCollateral ?? Infinity) &&
        words.every((w) => e.words.includes(w))
      );
    })
    .sort((a, b) => b.msg.pow.difficulty - a.msg.pow.difficulty || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(page * chunkSize, (page + 1) * chunkSize)
    .map((e) => e.id);
}

describe('OfferStore.list', () => {
  // 3000 offers: the open set (2572) is larger than the collateral plan's minimum cap (1024), so
  // narrow ranges take the collateral index and wide ones the rank walk.
  const { s, all } = store(3000);
  const filters: OfferFilter[] = [
    {},
    { status: 'cancelled' },
    { minCollateral: 3000, maxCollateral: 3000 },
    { minCollateral: 3000, maxCollateral: 3090 },
    { minCollateral: 1000, maxCollateral: 4000 },
    { minCollateral: 5000 },
    { maxCollateral: 1200 },
    { minCollateral: 7000 },
    { minCollateral: 2000, maxCollateral: 2500, chain: 'bitcoin-signet' },
    { minCollateral: 2000, maxCollateral: 2200, question: 'rain' },
    { minCollateral: 2000, maxCollateral: 2200, maker: `02${hex('maker3')}` },
    { minCollateral: 2000, maxCollateral: 2400, oracle: `02${hex('oracle2')}`, status: 'cancelled' },
    { minCollateral: 1500, maxCollateral: 1700, announcement: hex('ann4') },
    { question: 'price', chain: 'bitcoin-regtest' },
    { chain: 'bitcoin-signet' },
    { chain: 'bitcoin-mainnet' },
    { chain: 'bitcoin-regtest', maker: `02${hex('maker4')}` },
    { chain: 'bitcoin-signet', maker: `02${hex('maker4')}` },
    { chain: 'bitcoin-signet', oracle: `02${hex('oracle3')}` },
    { chain: 'bitcoin-regtest', announcement: hex('ann6') },
    { chain: 'bitcoin-signet', status: 'cancelled' },
    { chain: 'bitcoin-signet', status: 'taken' },
    { chain: 'bitcoin-regtest', oracle: `02${hex('oracle1')}`, question: 'rain in', maxCollateral: 4000 },
    { maker: `02${hex('nobody')}` },
    { oracle: `02${hex('oracle2')}`, question: 'rain price' },
  ];
  for (const f of filters) {
    it(`matches the reference for ${JSON.stringify(f)}`, () => {
      for (const [page, chunkSize] of [[0, 10], [1, 10], [3, 7], [0, 100], [40, 25]] as const) {
        const got = s.list({ page, chunkSize }, f).map((e) => e.id);
        assert.deepEqual(got, reference(all(), page, chunkSize, f), `expected page ${page} x ${chunkSize} of ${JSON.stringify(f)} to equal the brute-force listing`);
      }
    });
  }

  it('pages ?chain= alone and with every other filter in listing order: consecutive pages concatenate to the whole listing, none repeats or skips an offer', () => {
    const four = store(3000, undefined, ALL_CHAINS);
    const combos: OfferFilter[] = [{}, { status: 'cancelled' }, { maker: `02${hex('maker5')}` }, { oracle: `02${hex('oracle4')}` }, { announcement: hex('ann9') }, { question: 'price' }, { minCollateral: 2000, maxCollateral: 2600 }, { minCollateral: 3000, maxCollateral: 3000 }];
    for (const chain of ALL_CHAINS) {
      for (const extra of combos) {
        const f: OfferFilter = { ...extra, chain };
        const whole = reference(four.all(), 0, 1e9, f);
        for (const chunkSize of [1, 7, 10]) {
          const seen: string[] = [];
          for (let page = 0; ; page++) {
            const got = four.s.list({ page, chunkSize }, f).map((e) => e.id);
            assert.deepEqual(got, whole.slice(page * chunkSize, (page + 1) * chunkSize), `expected page ${page} x ${chunkSize} of ${JSON.stringify(f)} to be that slice of the ${whole.length}-offer listing`);
            if (got.length === 0) break;
            seen.push(...got);
          }
          assert.deepEqual(seen, whole, `expected the pages of ${JSON.stringify(f)} x ${chunkSize} to concatenate to the whole listing`);
        }
      }
    }
  });

  it('keeps the chain and other key indexes right across status changes and removal (the entry that first held an index key included)', () => {
    const small = store(400, undefined, ALL_CHAINS);
    const ctx = (e: StoredOffer, i: number) => ({ oraclePubKey: e.oraclePubKey, maturityEpoch: e.maturityEpoch, question: QUESTIONS[i % 3] as string });
    // Offers 0..3 were the first of their chain (their strings keyed the chain indexes): cancel them and a few more, one on every chain.
    for (const i of [0, 1, 2, 3, 8, 13, 42]) {
      const id = hex(`offer${i}`);
      const e = small.s.get(id) as StoredOffer;
      if (e.msg.status !== 'open') continue;
      const r = small.s.add(offer(i, 'cancelled', 1, ALL_CHAINS), id, ctx(e, i), hex(`v${i}c`));
      assert.equal(r.status, 'accepted', `expected the cancel of offer ${i} accepted, got ${JSON.stringify(r)}`);
    }
    for (const chain of ALL_CHAINS) {
      for (const f of [{ chain }, { chain, status: 'cancelled' as const }, { chain, maker: `02${hex('maker1')}` }, { chain, announcement: hex('ann0'), status: 'cancelled' as const }]) {
        assert.deepEqual(small.s.list({ page: 0, chunkSize: 1000 }, f).map((e) => e.id), reference(small.all(), 0, 1000, f), `expected ${JSON.stringify(f)} to equal the reference after the cancels`);
      }
    }
    // A new version back to open moves it again (seqNo 2).
    const id0 = hex('offer0');
    const r = small.s.add(offer(0, 'open', 2, ALL_CHAINS), id0, ctx(small.s.get(id0) as StoredOffer, 0), hex('v0o'));
    assert.equal(r.status, 'accepted', `expected the reopen accepted, got ${JSON.stringify(r)}`);
    const regtest = small.s.list({ page: 0, chunkSize: 1000 }, { chain: 'bitcoin-regtest' }).map((e) => e.id);
    assert.ok(regtest.includes(id0), 'expected the reopened offer back in its chain listing');
    assert.deepEqual(regtest, reference(small.all(), 0, 1000, { chain: 'bitcoin-regtest' }), 'expected the regtest listing to equal the reference after the reopen');
    assert.deepEqual(small.s.list({ page: 0, chunkSize: 1000 }, { chain: 'bitcoin-regtest', status: 'cancelled' }).map((e) => e.id), reference(small.all(), 0, 1000, { chain: 'bitcoin-regtest', status: 'cancelled' }), 'expected the reopened offer gone from the cancelled chain listing');
    assert.equal(small.s.counts().open, reference(small.all(), 0, 1e9, {}).length, 'expected counts().open to follow the open index');
  });

  it('pages a range over few collateral values (the merged runs) in listing order, at every page boundary', () => {
    // 3000 offers on 6 collateral values (~430 open per value): ranges of one, two and every value.
    const few = store(3000, (i) => 1000 + (i % 6) * 10);
    for (const f of [{ minCollateral: 1000, maxCollateral: 1000 }, { minCollateral: 1010, maxCollateral: 1020 }, { minCollateral: 0 }, { minCollateral: 1015, maxCollateral: 1045, chain: 'bitcoin-signet' as OfferChain }, { minCollateral: 1020, maxCollateral: 1030, status: 'cancelled' as const }, { minCollateral: 1001, maxCollateral: 1009 }]) {
      const total = reference(few.all(), 0, 1e9, f).length;
      const pages: [number, number][] = [[0, 10], [1, 10], [0, 1], [total, 1], [total - 1, 1], [Math.floor(total / 10), 10], [Math.floor(total / 10) + 1, 10], [5, 43], [0, 1000]];
      for (const [page, chunkSize] of pages) {
        if (page < 0) continue;
        const got = few.s.list({ page, chunkSize }, f).map((e) => e.id);
        assert.deepEqual(got, reference(few.all(), page, chunkSize, f), `expected page ${page} x ${chunkSize} of ${JSON.stringify(f)} (${total} in range) to equal the brute-force listing`);
      }
    }
  });

  it('follows status changes and removal in the collateral index', () => {
    const small = store(1500);
    const id = hex('offer10');
    const e = small.s.get(id) as StoredOffer;
    const c = e.msg.content.takerCollateral;
    const before = small.s.list({ page: 0, chunkSize: 1000 }, { minCollateral: c, maxCollateral: c }).map((x) => x.id);
    assert.ok(before.includes(id), 'expected the open offer in the open listing of its collateral');
    // A cancel (next seqNo) moves it to the cancelled listing.
    const r = small.s.add(offer(10, 'cancelled', 1), id, { oraclePubKey: e.oraclePubKey, maturityEpoch: e.maturityEpoch, question: QUESTIONS[1] as string }, hex('v10b'));
    assert.equal(r.status, 'accepted', `expected the cancel accepted, got ${JSON.stringify(r)}`);
    const open = small.s.list({ page: 0, chunkSize: 1000 }, { minCollateral: c, maxCollateral: c }).map((x) => x.id);
    const cancelled = small.s.list({ page: 0, chunkSize: 1000 }, { status: 'cancelled', minCollateral: c, maxCollateral: c }).map((x) => x.id);
    assert.ok(!open.includes(id), 'expected the cancelled offer gone from the open listing');
    assert.ok(cancelled.includes(id), 'expected the cancelled offer in the cancelled listing');
    assert.deepEqual(open, reference(small.all(), 0, 1000, { minCollateral: c, maxCollateral: c }), 'expected the open listing to equal the reference after the cancel');
  });
});
