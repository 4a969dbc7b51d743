// test/unit/protocol/pow.test.ts - owns tests of hashcash: preimages, leading zero bits, checkPow and the synchronous miner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize } from '../../../src/protocol/canonical.ts';
import { sha256Hex } from '../../../src/protocol/hash.ts';
import { capabilityPreimage, checkPow, leadingZeroBits, MAX_DIFFICULTY, minePowSync, oraclePreimage, powHash, reportPreimage, verifyPow } from '../../../src/protocol/pow.ts';
import type { Pow } from '../../../src/protocol/types.ts';
import { CAPABILITY, loadVectors, makeReport, makeRequest, ORACLE } from './_helpers.ts';

const v = loadVectors();

describe('leadingZeroBits', () => {
  const table: [string, number][] = [
    ['', 0],
    ['f', 0],
    ['8', 0],
    ['7', 1],
    ['4', 1],
    ['3', 2],
    ['2', 2],
    ['1', 3],
    ['0', 4],
    ['0f', 4],
    ['08', 4],
    ['07', 5],
    ['01', 7],
    ['00', 8],
    ['0080', 8],
    ['0001', 15],
    ['000000ff', 24],
    ['0'.repeat(63) + '1', 255],
    ['0'.repeat(64), 256],
  ];
  for (const [hex, bits] of table) {
    it(`${hex.length > 12 ? hex.slice(0, 8) + '..' + hex.slice(-4) : JSON.stringify(hex)} -> ${bits}`, () => {
      assert.equal(leadingZeroBits(hex), bits);
    });
  }
  it('agrees with a bit-by-bit count on every first byte', () => {
    for (let b = 0; b < 256; b++) {
      const hex = b.toString(16).padStart(2, '0') + 'ff'.repeat(31);
      const bits = b === 0 ? 8 : 8 - b.toString(2).length;
      assert.equal(leadingZeroBits(hex), bits, hex.slice(0, 2));
    }
  });
});

describe('preimages', () => {
  it('oracle: the pubkey', () => {
    assert.equal(oraclePreimage({ pubkey: ORACLE.publicKey }), ORACLE.publicKey);
  });
  it('capability: oraclePubKey followed by capabilityPubKey (132 hex chars)', () => {
    const p = capabilityPreimage({ oraclePubKey: ORACLE.publicKey, capabilityPubKey: CAPABILITY.publicKey });
    assert.equal(p, ORACLE.publicKey + CAPABILITY.publicKey);
    assert.equal(p.length, 132);
  });
  it('report: canonical {oraclePubKey, content}, independent of seqNo, cTTL and pow', () => {
    const r = makeReport({ type: 'fact-missing', request: makeRequest() });
    const expected = canonicalize({ oraclePubKey: r.oraclePubKey, content: r.content });
    assert.equal(reportPreimage(r), expected);
    assert.equal(reportPreimage({ ...r, seqNo: 9, cTTL: 1 } as typeof r), expected);
  });
});

describe('powHash', () => {
  it('is SHA-256 of preimage + decimal magicNo + magicString', () => {
    assert.equal(powHash('abc', 42, 'xyz'), sha256Hex('abc42xyz'));
    assert.equal(powHash('abc', 0), sha256Hex('abc0'));
    assert.equal(powHash('abc', 9007199254740991), sha256Hex('abc9007199254740991'));
  });
  it('an absent magicString is the same as an empty one', () => {
    assert.equal(powHash('abc', 7), powHash('abc', 7, ''));
  });
  it('hashes UTF-8', () => {
    assert.equal(powHash('é', 1, '€'), sha256Hex(Buffer.from('é1€', 'utf8')));
  });
});

describe('checkPow', () => {
  const b = v.pow.boundaries.find((x) => x.leadingZeroBits === 9);
  assert.notEqual(b, undefined);
  const boundary = b!;
  const pow: Pow = { difficulty: boundary.validAt, algorithm: 'SHA256', hash: boundary.hash, magicNo: boundary.magicNo };

  it('valid at exactly the number of leading zero bits', () => {
    assert.equal(checkPow(pow, boundary.preimage), null);
    assert.equal(verifyPow(pow, boundary.preimage), true, 'expected verifyPow(pow, boundary.preimage) to be true');
  });
  it('pow-insufficient one bit above', () => {
    assert.equal(checkPow({ ...pow, difficulty: boundary.invalidAt }, boundary.preimage), 'pow-insufficient');
    assert.equal(verifyPow({ ...pow, difficulty: boundary.invalidAt }, boundary.preimage), false, 'expected verifyPow({ ...pow, difficulty: boundary.invalidAt }, boundary.preimage) to be false');
  });
  it('any lower difficulty is valid too (difficulty is a claim of at least that many bits)', () => {
    for (let d = 0; d <= boundary.validAt; d++) assert.equal(checkPow({ ...pow, difficulty: d }, boundary.preimage), null);
  });
  it('difficulty 256 needs an all-zero hash', () => {
    assert.equal(checkPow({ ...pow, difficulty: MAX_DIFFICULTY }, boundary.preimage), 'pow-insufficient');
  });
  it('wrong algorithm -> pow-algorithm, checked before anything else', () => {
    assert.equal(checkPow({ ...pow, algorithm: 'sha256' } as unknown as Pow, boundary.preimage), 'pow-algorithm');
    assert.equal(checkPow({ ...pow, algorithm: 'SHA3' } as unknown as Pow, 'other'), 'pow-algorithm');
  });
  it('mismatched hash -> pow-hash-mismatch', () => {
    assert.equal(checkPow({ ...pow, hash: '0'.repeat(64) }, boundary.preimage), 'pow-hash-mismatch');
    assert.equal(checkPow({ ...pow, hash: pow.hash.toUpperCase() }, boundary.preimage), 'pow-hash-mismatch');
    assert.equal(checkPow({ ...pow, magicNo: pow.magicNo + 1 }, boundary.preimage), 'pow-hash-mismatch');
    assert.equal(checkPow({ ...pow, magicString: 'x' }, boundary.preimage), 'pow-hash-mismatch');
    assert.equal(checkPow(pow, boundary.preimage + ' '), 'pow-hash-mismatch');
  });
  it('a proof for one preimage is not valid for another entity', () => {
    const oracle = v.pow.examples.find((e) => e.entity === 'oracle');
    const cap = v.pow.examples.find((e) => e.entity === 'capability');
    assert.notEqual(oracle, undefined);
    assert.notEqual(cap, undefined);
    const p: Pow = { difficulty: oracle!.difficulty, algorithm: 'SHA256', hash: oracle!.hash, magicNo: oracle!.magicNo };
    assert.equal(checkPow(p, oracle!.preimage), null);
    assert.equal(checkPow(p, cap!.preimage), 'pow-hash-mismatch');
  });
});

describe('minePowSync', () => {
  it('returns the first magicNo from `start` with enough zero bits', () => {
    for (const b of v.pow.boundaries) {
      const mined = minePowSync(b.preimage, b.leadingZeroBits);
      assert.equal(checkPow(mined, b.preimage), null);
      assert.ok(mined.magicNo <= b.magicNo, `expected mined.magicNo <= b.magicNo, got mined.magicNo = ${mined.magicNo}, b.magicNo = ${b.magicNo}`);
      for (let m = 0; m < mined.magicNo; m++) assert.ok(leadingZeroBits(powHash(b.preimage, m)) < b.leadingZeroBits, `expected leadingZeroBits(powHash(b.preimage, m)) < b.leadingZeroBits, got b.leadingZeroBits = ${b.leadingZeroBits}`);
    }
  });
  it('finds the vector proofs at their difficulty, with magicString', () => {
    const cap = v.pow.examples.find((e) => e.entity === 'capability');
    assert.notEqual(cap, undefined);
    const mined = minePowSync(cap!.preimage, cap!.difficulty, cap!.magicString ?? undefined);
    assert.deepEqual(mined, { difficulty: cap!.difficulty, algorithm: 'SHA256', hash: cap!.hash, magicNo: cap!.magicNo, magicString: cap!.magicString });
  });
  it('starts at `start`', () => {
    const mined = minePowSync('abc', 4, undefined, 1000);
    assert.ok(mined.magicNo >= 1000, `expected mined.magicNo >= 1000, got mined.magicNo = ${mined.magicNo}`);
    assert.equal(checkPow(mined, 'abc'), null);
  });
  it('refuses difficulties outside [0, 256] and non-integers', () => {
    assert.throws(() => minePowSync('abc', -1), RangeError);
    assert.throws(() => minePowSync('abc', 257), RangeError);
    assert.throws(() => minePowSync('abc', 1.5), RangeError);
  });
});
