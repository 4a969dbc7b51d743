// test/unit/protocol/ingest-fast-paths.test.ts - the shortcuts of issue #21 (ingest CPU) answer exactly as the code they replaced: low-S by string comparison = by BigInt, the verifier batch's bytes = the hex checks in order, the byte budget's capability order = the order of the joined keys, the rank tie-break by key prefix = by the key strings, an LRU without TTL never reads its clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { isLowS, signHash, collectSignatureWork, verifyHash, isPublicKey, clearVerifiedCaches } from '../../../src/protocol/keys.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { countChecks, KEY_CHECK_BYTES, packBatch, SIG_CHECK_BYTES, VerifyPool } from '../../../src/protocol/verify-pool.ts';
import { compareForBytes, type Budgeted } from '../../../src/mempool/byte-budget.ts';
import { compareCapabilities, compareOracles, idPrefix, OracleEntry } from '../../../src/mempool/stored.ts';
import type { StoredCapability } from '../../../src/mempool/types.ts';
import { LruMap, LruSet } from '../../../src/util/lru.ts';
import { answeredScope } from '../../../src/protocol/scope.ts';
import { canonicalPick, canonicalWithout, HashMemo, memoHash } from '../../../src/protocol/canonical.ts';
import { fakeCapability, fakeOracle, makeKeys, offCurvePubKey } from '../../helpers/factory.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF = (N - 1n) / 2n;
const hex64 = (x: bigint): string => x.toString(16).padStart(64, '0');

describe('isLowS by string comparison', () => {
  it('answers as the BigInt comparison for random s, the boundary and the extremes', () => {
    const r = '1'.repeat(64);
    const cases = [0n, 1n, HALF - 1n, HALF, HALF + 1n, N - 1n, 2n ** 256n - 1n, 2n ** 255n, 2n ** 255n - 1n];
    for (let i = 0; i < 2000; i++) cases.push(BigInt('0x' + crypto.randomBytes(32).toString('hex')));
    for (let i = 0; i < 200; i++) cases.push(HALF + BigInt(crypto.randomInt(-1000, 1000)));
    for (const s of cases) assert.equal(isLowS(r + hex64(s)), s <= HALF, `s = ${hex64(s)}: expected low-S iff s <= n/2`);
  });
  it('still answers for a signature outside the checked form (uppercase hex: the BigInt path)', () => {
    assert.equal(isLowS('1'.repeat(64) + hex64(HALF).toUpperCase()), true, 'expected n/2 in uppercase to be low-S');
    assert.equal(isLowS('1'.repeat(64) + hex64(HALF + 1n).toUpperCase()), false, 'expected n/2 + 1 in uppercase to be high-S');
  });
});

describe('verifier batch bytes', () => {
  const K = [makeKeys(1), makeKeys(2), makeKeys(3)];
  it('packs every signature check (sig · hash · key) and then every public key, in work order', () => {
    clearVerifiedCaches();
    const works = K.map((k, i) => {
      const h = sha256Hex(`m${i}`);
      return collectSignatureWork((scope) => {
        verifyHash(signHash(h, k.privateKey), h, k.publicKey, scope);
        if (i !== 1) verifyHash(signHash(sha256Hex(`n${i}`), k.privateKey), sha256Hex(`n${i}`), k.publicKey, scope);
        isPublicKey(k.publicKey, scope);
      });
    });
    const nSigs = works.reduce((n, w) => n + w.sigs.length, 0);
    const nKeys = works.reduce((n, w) => n + w.pubkeys.length, 0);
    assert.equal(nSigs, 5);
    assert.equal(nKeys, 3);
    const bytes = Buffer.from(packBatch(works, countChecks(works)));
    assert.equal(bytes.length, nSigs * SIG_CHECK_BYTES + nKeys * KEY_CHECK_BYTES, 'expected 129 bytes per signature check and 33 per key');
    const expected = works.flatMap((w) => w.sigs.map((t) => t.join(''))).join('') + works.flatMap((w) => w.pubkeys).join('');
    assert.equal(bytes.toString('hex'), expected, 'expected the checks as bytes in work order, signature checks first');
  });
  it('refuses to pack a check that is not hex of the right length (never sends a half-written batch)', () => {
    const bad = { sigs: [['ab', 'cd', 'ef'] as [string, string, string]], pubkeys: [] };
    assert.throws(() => packBatch([bad], countChecks([bad])), /packed/);
  });
  it('a thread answers per check across works: true, wrong key, r >= n (unparsable), off-curve and on-curve keys', async () => {
    clearVerifiedCaches();
    const pool = new VerifyPool(1);
    try {
      const h = sha256Hex('x');
      const good = signHash(h, K[0]!.privateKey);
      const rTooBig = 'f'.repeat(64) + good.slice(64); // r >= n: libsecp256k1 refuses to parse it
      const a = collectSignatureWork((scope) => {
        verifyHash(rTooBig, h, K[0]!.publicKey, scope);
        verifyHash(good, h, K[1]!.publicKey, scope);
      });
      const b = collectSignatureWork((scope) => {
        isPublicKey(offCurvePubKey(5), scope);
        verifyHash(good, h, K[0]!.publicKey, scope);
        isPublicKey(K[2]!.publicKey, scope);
      });
      await pool.run([a, b]);
      assert.deepEqual(Array.from(a.sigOk ?? []), [0, 0], 'expected both checks of the first work refused');
      assert.deepEqual(Array.from(b.sigOk ?? []), [1], 'expected the valid signature of the second work accepted');
      const again = collectSignatureWork((scope) => {
        isPublicKey(K[2]!.publicKey, scope);
        isPublicKey(K[0]!.publicKey, scope);
        isPublicKey(offCurvePubKey(5), scope);
      });
      assert.deepEqual(again.pubkeys, [offCurvePubKey(5)], 'expected the on-curve keys remembered (K2 checked, K0 by its signature), the off-curve one not');
    } finally {
      await pool.close();
    }
  });
});

describe('byte budget order of capabilities', () => {
  /** The comparator as it was: ids joined into one string. */
  function reference(a: Budgeted, b: Budgeted): number {
    const bid = (e: Budgeted): number => (e instanceof OracleEntry ? e.verifiedBid : 0);
    const kind = (e: Budgeted): number => (e instanceof OracleEntry ? 2 : 'dispute' in e ? 0 : 1);
    const key = (e: Budgeted): string => (e instanceof OracleEntry ? e.msg.pubkey : 'dispute' in e ? e.id : e.msg.capabilityPubKey + e.msg.oraclePubKey);
    const ka = key(a);
    const kb = key(b);
    return bid(a) - bid(b) || a.msg.pow.difficulty - b.msg.pow.difficulty || kind(a) - kind(b) || (ka < kb ? 1 : ka > kb ? -1 : 0);
  }
  const keyArb = fc.oneof(fc.constantFrom('02aa', '02ab', '02aab', '03', '02'), fc.stringMatching(/^0[23][0-9a-f]{0,4}$/), fc.constant('02' + 'ab'.repeat(32)));
  const capArb = fc.record({ o: keyArb, c: keyArb, d: fc.integer({ min: 0, max: 2 }) }).map(({ o, c, d }) => ({ msg: fakeCapability(o, c, d), bytes: 1 }) as unknown as StoredCapability);
  const oracleArb = fc.record({ o: keyArb, d: fc.integer({ min: 0, max: 2 }) }).map(({ o, d }) => new OracleEntry(fakeOracle(o, d), 'v', 0, 1));
  it('orders as the joined keys did, for keys of equal and of different lengths and across kinds', () => {
    fc.assert(
      fc.property(fc.oneof(capArb, oracleArb), fc.oneof(capArb, oracleArb), (a, b) => {
        assert.equal(Math.sign(compareForBytes(a, b)), Math.sign(reference(a, b)));
      }),
      { seed: 21, numRuns: 3000 },
    );
  });
});

describe('rank tie-break by key prefix (mempool/stored.ts idPrefix)', () => {
  it('reads the first 7 lowercase hex digits, and refuses anything else', () => {
    assert.equal(idPrefix('02' + 'ab'.repeat(32)), 0x02ababa, 'expected 02ababa');
    assert.equal(idPrefix('0' + 'f'.repeat(6) + 'zz'), 0x0ffffff, 'only the first 7 characters are read');
    for (const bad of ['02abab', '02ABABAB', '02abab-x', '', '02abgbab']) assert.equal(idPrefix(bad), -1, `expected no prefix for ${JSON.stringify(bad)}`);
  });

  /** The order as it was: by the key strings, larger = lower. */
  const byString = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);
  // Real keys, keys sharing 7 or more leading digits, short and non-hex ones (test fakes and anything a bug let through).
  const keyArb = fc.oneof(
    fc.stringMatching(/^0[23][0-9a-f]{64}$/),
    fc.stringMatching(/^0[23]abcde[0-9a-f]{0,4}$/),
    fc.constantFrom('02abcde', '02abcdf', '02abcd', '02ABCDEF', '03', 'oracle-a', '02abcdeg'),
  );
  it('orders oracles and capabilities as the key strings do, for keys with and without prefixes', () => {
    fc.assert(
      fc.property(keyArb, keyArb, fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), (ka, kb, da, db) => {
        const oa = new OracleEntry(fakeOracle(ka, da), 'v', 0, 1);
        const ob = new OracleEntry(fakeOracle(kb, db), 'v', 0, 1);
        assert.equal(Math.sign(compareOracles(oa, ob)), Math.sign(da - db || byString(ka, kb)), `oracles ${ka} / ${kb}`);
        const o = '02' + '11'.repeat(32);
        const ca = { msg: fakeCapability(o, ka, da), keyPrefix: idPrefix(ka) } as unknown as StoredCapability;
        const cb = { msg: fakeCapability(o, kb, db), keyPrefix: idPrefix(kb) } as unknown as StoredCapability;
        assert.equal(Math.sign(compareCapabilities(ca, cb)), Math.sign(da - db || byString(ka, kb)), `capabilities ${ka} / ${kb}`);
      }),
      { seed: 21, numRuns: 5000 },
    );
  });
});

describe('LruMap without a TTL', () => {
  it('never reads its clock, with or without a byte budget; with a TTL it still expires', () => {
    let reads = 0;
    const clock = (): number => {
      reads++;
      return 0;
    };
    const plain = new LruMap<string, number>(3, Infinity, clock);
    const budgeted = new LruMap<string, string>(3, Infinity, clock, { maxBytes: 10, sizeOf: (v) => v.length });
    for (let i = 0; i < 10; i++) {
      plain.set(`k${i}`, i);
      budgeted.set(`k${i}`, 'xx');
      plain.get(`k${i - 1}`);
      budgeted.has(`k${i - 2}`);
    }
    assert.deepEqual([...plain.entries()], [['k7', 7], ['k8', 8], ['k9', 9]], 'expected the three newest entries, oldest first');
    assert.equal(reads, 0, 'expected no clock read without a TTL');
    let t = 0;
    const timed = new LruMap<string, number>(3, 10, () => t);
    timed.set('a', 1);
    t = 9;
    assert.equal(timed.get('a'), 1, 'expected the entry alive before its TTL');
    t = 10;
    assert.equal(timed.get('a'), undefined, 'expected the entry expired at its TTL');
    assert.equal(timed.size, 0);
  });
  it('a set of values that are `undefined`-free keeps has/add/delete semantics', () => {
    const s = new LruSet<string>(2);
    s.add('a');
    s.add('b');
    s.add('a'); // refresh: b is now the oldest
    s.add('c');
    assert.equal(s.has('b'), false, 'expected the least recently added key evicted');
    assert.equal(s.has('a') && s.has('c'), true, 'expected the refreshed and the newest key kept');
    assert.equal(s.delete('a'), true);
    assert.equal(s.delete('a'), false);
    assert.equal(s.size, 1);
  });
});

describe('answered checks skip only the syntax checks of the very triple collected', () => {
  it('a high-S twin, a non-string and an uppercase copy of an answered triple are still refused', () => {
    clearVerifiedCaches();
    const k = makeKeys(7);
    const h = sha256Hex('answered');
    const sig = signHash(h, k.privateKey);
    const work = collectSignatureWork((scope) => verifyHash(sig, h, k.publicKey, scope));
    work.sigOk = [1];
    const scope = answeredScope(work, null);
    assert.equal(verifyHash(sig, h, k.publicKey, scope), true, 'expected the answered triple accepted');
    const s = BigInt('0x' + sig.slice(64));
    const twin = sig.slice(0, 64) + hex64(N - s);
    assert.equal(verifyHash(twin, h, k.publicKey, scope), false, 'expected the high-S twin refused');
    assert.equal(verifyHash(sig.toUpperCase(), h, k.publicKey, scope), false, 'expected uppercase hex refused');
    assert.equal(verifyHash(Buffer.from(sig, 'hex') as unknown as string, h, k.publicKey, scope), false, 'expected a non-string refused');
    assert.equal(isPublicKey(k.publicKey.toUpperCase()), false, 'expected an uppercase key refused even though its lowercase form is cached');
    assert.equal(isPublicKey(42), false, 'expected a non-string key refused');
  });
});

describe('HashMemo', () => {
  it('remembers per (object, key) by identity, past its linear list too, and keeps null and empty values', () => {
    const memo = new HashMemo();
    const objs = Array.from({ length: 40 }, (_, i) => ({ i }));
    let computed = 0;
    const value = (o: { i: number }, k: string): string => {
      computed++;
      return `${o.i}/${k}`;
    };
    for (const o of objs) for (const k of ['version', 'sign:x']) assert.equal(memoHash(memo, o, k, () => value(o, k)), `${o.i}/${k}`);
    assert.equal(computed, 80);
    for (const o of objs) for (const k of ['version', 'sign:x']) assert.equal(memoHash(memo, o, k, () => value(o, k)), `${o.i}/${k}`, 'expected the remembered value');
    assert.equal(computed, 80, 'expected every second lookup answered from the memo, before and after 16 entries');
    assert.equal(memoHash(memo, { i: 0 }, 'version', () => 'fresh'), 'fresh', 'expected an equal but distinct object not to hit');
    assert.equal(memoHash(memo, objs[0]!, 'empty', () => ''), '');
    assert.equal(memoHash(memo, objs[0]!, 'empty', () => 'again'), '', 'expected an empty string remembered');
    const o = { a: 1, b: [1, 2] };
    assert.equal(canonicalWithout(o, ['b'], memo), '{"a":1}');
    assert.equal(canonicalPick(o, ['b'], memo), '{"b":[1,2]}', 'expected the member texts reused for another subset');
  });
});
