// test/unit/mempool/lookups.test.ts - Mempool lookups by question words and tags: matching rules, combined filters, rank order, paging, counts.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Mempool } from '../../../src/mempool/mempool.ts';
import { fakeCapability, fakeOracle, fakePubKey, newMempoolForTest } from '../../helpers/factory.ts';

const ALL = { page: 0, chunkSize: 1000 };
const pk = fakePubKey;
const oracleKeys = (list: { msg: { pubkey: string } }[]): string[] => list.map((o) => o.msg.pubkey);
const capKeys = (list: { msg: { capabilityPubKey: string } }[]): string[] => list.map((c) => c.msg.capabilityPubKey);

/**
 * O1 (d 3, tags sports)   : C11 "Who won the World Cup final?" d4 [football]; C12 "Bitcoin price in USD" d1 [crypto]
 * O2 (d 7, tags crypto)   : C21 "BTC/USD price at close" d6 [crypto, markets]; C22 "Who won the election?" d2
 * O3 (d 5, no tags)       : C31 "Will it RAIN in Berlin tomorrow?" d3 [weather]
 * O4 (d 1, tags Sports)   : no capabilities
 */
function fixture(): Mempool {
  const { mempool } = newMempoolForTest();
  mempool.addOracle(fakeOracle(pk(1), 3, { tags: ['sports'] }));
  mempool.addOracle(fakeOracle(pk(2), 7, { tags: ['crypto'] }));
  mempool.addOracle(fakeOracle(pk(3), 5));
  mempool.addOracle(fakeOracle(pk(4), 1, { tags: ['Sports'] }));
  mempool.addCapability(fakeCapability(pk(1), pk(11), 4, { question: 'Who won the World Cup final?', tags: ['football'] }));
  mempool.addCapability(fakeCapability(pk(1), pk(12), 1, { question: 'Bitcoin price in USD', tags: ['crypto'] }));
  mempool.addCapability(fakeCapability(pk(2), pk(21), 6, { question: 'BTC/USD price at close', tags: ['crypto', 'markets'] }));
  mempool.addCapability(fakeCapability(pk(2), pk(22), 2, { question: 'Who won the election?' }));
  mempool.addCapability(fakeCapability(pk(3), pk(31), 3, { question: 'Will it RAIN in Berlin tomorrow?', tags: ['weather'] }));
  return mempool;
}

describe('Mempool lookups: question words', () => {
  let m: Mempool;
  before(() => {
    m = fixture();
  });

  it('matches words case-insensitively', () => {
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'rain' })), [pk(31)]);
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'BERLIN' })), [pk(31)]);
  });

  it('ignores punctuation and word order in the query', () => {
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'usd, PRICE?' })), [pk(21), pk(12)]);
  });

  it('requires every query word to occur in one capability question', () => {
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'who won' })), [pk(11), pk(22)]);
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'who won election' })), [pk(22)]);
    // "final" is in C11 and "election" in C22, never both in one question
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'final election' })), []);
    // words spread over two capabilities of one oracle do not match that oracle either
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { question: 'bitcoin final' })), []);
  });

  it('matches whole words only, not substrings', () => {
    assert.deepEqual(m.listCapabilities(ALL, { question: 'bit' }), []);
    assert.deepEqual(m.listCapabilities(ALL, { question: 'wo' }), []);
  });

  it('a query without words matches nothing', () => {
    assert.deepEqual(m.listCapabilities(ALL, { question: '?!' }), []);
    assert.deepEqual(m.listOracles(ALL, { question: ' - ' }), []);
  });

  it('listOracles by question returns the owners of matching capabilities, highest rank first, once each', () => {
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { question: 'who won' })), [pk(2), pk(1)]);
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { question: 'price' })), [pk(2), pk(1)]);
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { question: 'tomorrow' })), [pk(3)]);
  });

  it('listCapabilities orders matches by PoW, highest first, across oracles', () => {
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'the' })), [pk(11), pk(22)]);
  });
});

describe('Mempool lookups: tags', () => {
  let m: Mempool;
  before(() => {
    m = fixture();
  });

  it('listOracles by tag matches oracle tags and capability tags', () => {
    // O2 by its own tag and its capability C21, O1 by its capability C12
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { tag: 'crypto' })), [pk(2), pk(1)]);
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { tag: 'weather' })), [pk(3)]);
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { tag: 'sports' })), [pk(1)]);
  });

  it('tags match exactly (case-sensitive, whole tag)', () => {
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { tag: 'Sports' })), [pk(4)]);
    assert.deepEqual(m.listOracles(ALL, { tag: 'sport' }), []);
    assert.deepEqual(m.listCapabilities(ALL, { tag: 'Crypto' }), []);
  });

  it('listCapabilities by tag matches capability tags only', () => {
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { tag: 'crypto' })), [pk(21), pk(12)]);
    assert.deepEqual(m.listCapabilities(ALL, { tag: 'sports' }), []);
  });

  it('question and tag combine (both must match)', () => {
    // per oracle: O1 has a "who won" capability (C11) and a crypto-tagged one (C12), so it matches
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { question: 'who won', tag: 'crypto' })), [pk(2), pk(1)]);
    assert.deepEqual(m.listOracles(ALL, { question: 'who won', tag: 'weather' }), []);
    assert.deepEqual(m.listOracles(ALL, { question: 'rain', tag: 'crypto' }), []);
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { question: 'who won', tag: 'sports' })), [pk(1)]);
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { question: 'price', tag: 'markets' })), [pk(21)]);
    assert.deepEqual(m.listCapabilities(ALL, { question: 'who won', tag: 'crypto' }), []);
  });
});

describe('Mempool lookups: by oracle, order and paging', () => {
  it('listCapabilities by pubkey lists that oracle only, optionally filtered', () => {
    const m = fixture();
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { pubkey: pk(2) })), [pk(21), pk(22)]);
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { pubkey: pk(2), question: 'who' })), [pk(22)]);
    assert.deepEqual(capKeys(m.listCapabilities(ALL, { pubkey: pk(1), tag: 'crypto' })), [pk(12)]);
    assert.deepEqual(m.listCapabilities(ALL, { pubkey: pk(4) }), []);
    assert.deepEqual(m.listCapabilities(ALL, { pubkey: pk(99) }), []);
  });

  it('listCapabilities without any filter returns nothing (a filter is required)', () => {
    assert.deepEqual(fixture().listCapabilities(ALL, {}), []);
  });

  it('listOracles without filter lists all, highest rank first', () => {
    assert.deepEqual(oracleKeys(fixture().listOracles(ALL)), [pk(2), pk(3), pk(1), pk(4)]);
  });

  it('filtered listOracles follows verified bids too', () => {
    const m = fixture();
    m.setVerifiedBid(pk(1), 10);
    assert.deepEqual(oracleKeys(m.listOracles(ALL, { question: 'who won' })), [pk(1), pk(2)]);
  });

  it('pages every listing consistently with the full order', () => {
    const { mempool: m } = newMempoolForTest();
    for (let i = 1; i <= 7; i++) {
      m.addOracle(fakeOracle(pk(i), i % 3, { tags: ['t'] }));
      m.addCapability(fakeCapability(pk(i), pk(100 + i), i % 4, { question: 'same words here', tags: ['t'] }));
    }
    const pages = <T>(f: (p: { page: number; chunkSize: number }) => T[]): T[][] =>
      [0, 1, 2, 3].map((page) => f({ page, chunkSize: 3 }));
    const full = oracleKeys(m.listOracles(ALL));
    assert.deepEqual(pages((p) => oracleKeys(m.listOracles(p))), [full.slice(0, 3), full.slice(3, 6), full.slice(6), []]);
    assert.deepEqual(pages((p) => oracleKeys(m.listOracles(p, { tag: 't' }))), [full.slice(0, 3), full.slice(3, 6), full.slice(6), []]);
    assert.deepEqual(pages((p) => oracleKeys(m.listOracles(p, { question: 'words' }))), [full.slice(0, 3), full.slice(3, 6), full.slice(6), []]);
    const caps = capKeys(m.listCapabilities(ALL, { question: 'same' }));
    assert.equal(caps.length, 7);
    assert.deepEqual(pages((p) => capKeys(m.listCapabilities(p, { question: 'same' }))), [caps.slice(0, 3), caps.slice(3, 6), caps.slice(6), []]);
    assert.deepEqual(pages((p) => capKeys(m.listCapabilities(p, { tag: 't' }))), [caps.slice(0, 3), caps.slice(3, 6), caps.slice(6), []]);
  });
});

describe('Mempool counts', () => {
  it('counts every kind and agrees with the lookups', () => {
    const m = fixture();
    assert.deepEqual(m.counts(), { oracles: 4, capabilities: 5, reports: 0, disputes: 0 });
    let caps = 0;
    for (const o of m.listOracles(ALL)) caps += m.listCapabilities(ALL, { pubkey: o.msg.pubkey }).length;
    assert.equal(caps, 5);
    assert.equal(m.listOracles(ALL).length, 4);
  });
});
