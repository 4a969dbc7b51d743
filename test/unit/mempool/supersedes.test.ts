// test/unit/mempool/supersedes.test.ts - replacement rules: supersedesAd (seqNo, then the greater signing hash between same-seqNo forks, then PoW upgrade of the same signed content) and supersedesReport (no downgrade) truth tables and order properties.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { supersedesAd, supersedesReport } from '../../../src/mempool/mempool.ts';
import type { OracleCapability, OracleId, Report } from '../../../src/protocol/types.ts';
import { signingHash } from '../../../src/protocol/canonical.ts';
import { fakeCapability, fakeOracle, fakePow, fakePubKey, fakeReport, makeCapability, makeKeys, makeOracle, mine, resignOracle } from '../../helpers/factory.ts';

const pk = fakePubKey;
type Cmp = 'lower' | 'equal' | 'higher';
const BASE_SEQ = 5;
const BASE_DIFF = 4;
const shift = (c: Cmp): number => (c === 'lower' ? -1 : c === 'equal' ? 0 : 1);

/** [seqNo vs stored, PoW vs stored, signed content vs stored, supersedes?] - every combination, spelled out; 'fork': the greater signing hash wins, whatever the PoW. */
const AD_TABLE: [Cmp, Cmp, 'same' | 'different', boolean | 'fork'][] = [
  ['lower', 'lower', 'same', false],
  ['lower', 'equal', 'same', false],
  ['lower', 'higher', 'same', false],
  ['lower', 'lower', 'different', false],
  ['lower', 'equal', 'different', false],
  ['lower', 'higher', 'different', false],
  ['equal', 'lower', 'same', false],
  ['equal', 'equal', 'same', false],
  ['equal', 'higher', 'same', true], // the PoW upgrade
  ['equal', 'lower', 'different', 'fork'],
  ['equal', 'equal', 'different', 'fork'],
  ['equal', 'higher', 'different', 'fork'],
  ['higher', 'lower', 'same', true],
  ['higher', 'equal', 'same', true],
  ['higher', 'higher', 'same', true],
  ['higher', 'lower', 'different', true],
  ['higher', 'equal', 'different', true],
  ['higher', 'higher', 'different', true],
];

/** The unsigned fields of `x` made different from the stored copy (they must never matter). */
function withOtherUnsigned<T extends OracleId | OracleCapability>(x: T): T {
  return { ...x, cTTL: x.cTTL + 1, oracleSignature: 'a'.repeat(128), pow: { ...x.pow, magicNo: x.pow.magicNo + 99, hash: 'e'.repeat(64) } };
}

/** Between two same-seqNo forks, does `a` win? (the greater signing hash) */
const forkWins = (a: OracleId | OracleCapability, b: OracleId | OracleCapability): boolean => signingHash(a, 'oracleSignature') > signingHash(b, 'oracleSignature');

describe('supersedesAd: truth table', () => {
  const kinds = {
    oracle: {
      stored: fakeOracle(pk(1), BASE_DIFF, { seqNo: BASE_SEQ, tags: ['a'] }),
      next: (seq: number, d: number, same: boolean) => withOtherUnsigned(fakeOracle(pk(1), d, { seqNo: seq, tags: same ? ['a'] : ['b'] })),
    },
    capability: {
      stored: fakeCapability(pk(1), pk(101), BASE_DIFF, { seqNo: BASE_SEQ, question: 'who won' }),
      next: (seq: number, d: number, same: boolean) => withOtherUnsigned(fakeCapability(pk(1), pk(101), d, { seqNo: seq, question: same ? 'who won' : 'who lost' })),
    },
  };
  for (const [kind, k] of Object.entries(kinds)) {
    for (const [seq, pow, content, want] of AD_TABLE) {
      it(`${kind}: ${seq} seqNo, ${pow} PoW, ${content} signed content -> ${want === 'fork' ? 'the greater signing hash wins' : want ? 'replaces' : 'duplicate'}`, () => {
        const next = k.next(BASE_SEQ + shift(seq), BASE_DIFF + shift(pow), content === 'same');
        const expected = want === 'fork' ? forkWins(next, k.stored) : want;
        assert.equal(supersedesAd<OracleId | OracleCapability>(next, k.stored), expected, `expected ${expected}`);
        if (want === 'fork') assert.equal(supersedesAd<OracleId | OracleCapability>(k.stored, next), !expected, 'expected exactly one of two forks to win, in either arrival order');
      });
    }
  }

  it('is irreflexive: an ad never supersedes itself or an identical copy', () => {
    const o = fakeOracle(pk(1), 3, { seqNo: 2 });
    const c = fakeCapability(pk(1), pk(101), 3, { seqNo: 2 });
    assert.equal(supersedesAd(o, o), false, 'expected o not to supersede o');
    assert.equal(supersedesAd({ ...o }, o), false, 'expected { ...o } not to supersede o');
    assert.equal(supersedesAd(c, c), false, 'expected c not to supersede c');
    assert.equal(supersedesAd(structuredClone(c), c), false, 'expected structuredClone(c) not to supersede c');
  });

  it('signed content is compared canonically: key order does not matter', () => {
    const o = fakeOracle(pk(1), 3, { seqNo: 2, tags: ['a', 'b'] });
    const reordered = Object.fromEntries(Object.entries({ ...o, pow: fakePow(4) }).reverse()) as unknown as OracleId;
    assert.equal(supersedesAd(reordered, o), true, 'expected reordered to supersede o');
    // but tag order is content (arrays are ordered in the signed form): another fork, decided by signing hash
    const swapped = fakeOracle(pk(1), 4, { seqNo: 2, tags: ['b', 'a'] });
    assert.equal(supersedesAd(swapped, o), forkWins(swapped, o), 'expected the reordered tags treated as other content');
  });

  it('each signed field of an oracle ad counts as content; an absent optional field differs from a present one', () => {
    const stored = fakeOracle(pk(1), 3, { seqNo: 2 });
    const up = (edit: Partial<OracleId>): OracleId => ({ ...stored, pow: fakePow(9), ...edit });
    assert.equal(supersedesAd(up({}), stored), true, 'expected up({}) to supersede stored');
    for (const edit of [{ bid: { amount: 1, proof: '' } }, { tags: [] }, { manifestUri: 'https://x.example/m.json' }, { oracleSignatureType: 'x' as OracleId['oracleSignatureType'] }]) {
      assert.equal(supersedesAd(up(edit), stored), forkWins(up(edit), stored), `expected ${JSON.stringify(edit)} treated as other content`);
      assert.equal(supersedesAd(stored, up(edit)), !forkWins(up(edit), stored), 'expected the other order to agree');
    }
  });

  it('each signed field of a capability ad counts as content', () => {
    const stored = fakeCapability(pk(1), pk(101), 3, { seqNo: 2 });
    const up = (edit: Partial<OracleCapability>): OracleCapability => ({ ...stored, pow: fakePow(9), ...edit });
    assert.equal(supersedesAd(up({}), stored), true, 'expected up({}) to supersede stored');
    const edits: Partial<OracleCapability>[] = [{ question: 'other' }, { tags: ['t'] }, { answers: ['yes'] }, { params: [{ name: 'p', values: ['v'] }] }, { endpoint: 'https://x.example' }, { off: true }];
    for (const edit of edits) assert.equal(supersedesAd(up(edit), stored), forkWins(up(edit), stored), `expected ${JSON.stringify(edit)} treated as other content`);
  });

  it('with real signatures: the same ad re-mined at a higher difficulty supersedes; of a re-signed variant at the same seqNo and the original, the greater signing hash wins whatever the PoW', () => {
    const keys = makeKeys(1);
    const o = makeOracle({ keys, seqNo: 3, difficulty: 2, tags: ['sports'] });
    assert.equal(supersedesAd(mine(o, 'oracle', 5), o), true, "expected mine(o, 'oracle', 5) to supersede o");
    assert.equal(supersedesAd(o, mine(o, 'oracle', 5)), false, "expected o not to supersede mine(o, 'oracle', 5)");
    assert.equal(supersedesAd(mine(o, 'oracle', 2), o), false, "expected mine(o, 'oracle', 2) not to supersede o");
    const variant = mine(resignOracle({ ...o, tags: ['weather'] }, keys), 'oracle', 8);
    assert.equal(supersedesAd(variant, o), forkWins(variant, o), 'expected the fork decided by signing hash');
    assert.equal(supersedesAd(o, variant), forkWins(o, variant), 'expected the same decision in the other arrival order');
    assert.equal(supersedesAd(variant, o) !== supersedesAd(o, variant), true, 'expected exactly one fork to win');
    const c = makeCapability({ oracleKeys: keys, capKeys: makeKeys(101), question: 'Who won?', seqNo: 1, difficulty: 1 });
    assert.equal(supersedesAd(mine(c, 'capability', 4), c), true, "expected mine(c, 'capability', 4) to supersede c");
    assert.equal(supersedesAd(mine({ ...c, cTTL: 1 }, 'capability', 4), c), true, 'expected the first ad to supersede the second');
  });
});

describe('supersedesReport: truth table', () => {
  /** [seqNo vs stored, PoW vs stored, supersedes?] - replaces only with strictly more PoW and a seqNo that does not go down. */
  const TABLE: [Cmp, Cmp, boolean][] = [
    ['lower', 'lower', false],
    ['lower', 'equal', false],
    ['lower', 'higher', false],
    ['equal', 'lower', false],
    ['equal', 'equal', false],
    ['equal', 'higher', true],
    ['higher', 'lower', false], // the downgrade attack
    ['higher', 'equal', false], // free churn: the same proof is valid at any seqNo
    ['higher', 'higher', true],
  ];
  const stored = fakeReport(pk(1), BASE_DIFF, { seqNo: BASE_SEQ });
  for (const [seq, pow, want] of TABLE) {
    it(`${seq} seqNo, ${pow} PoW -> ${want ? 'replaces' : 'duplicate'}`, () => {
      const next = fakeReport(pk(1), BASE_DIFF + shift(pow), { seqNo: BASE_SEQ + shift(seq) });
      assert.equal(supersedesReport(next, stored), want);
    });
  }

  it('a big seqNo jump does not excuse a lower PoW; cTTL does not count', () => {
    assert.equal(supersedesReport(fakeReport(pk(1), 3, { seqNo: Number.MAX_SAFE_INTEGER }), fakeReport(pk(1), 4, { seqNo: 0 })), false, 'expected supersedesReport(fakeReport(pk(1), 3, { seqNo: Number.MAX_SAFE_INTEGER }), fakeReport(pk(1), 4, { ...');
    assert.equal(supersedesReport({ ...stored, cTTL: stored.cTTL + 3 }, stored), false, 'expected the first report not to supersede the second');
    assert.equal(supersedesReport(stored, stored), false, 'expected stored not to supersede stored');
  });

  it('is a strict partial order (irreflexive, asymmetric, transitive) over (seqNo, difficulty)', () => {
    const rep = (seq: number, d: number): Report => fakeReport(pk(1), d, { seqNo: seq });
    const point = fc.tuple(fc.nat(3), fc.nat(3));
    fc.assert(
      fc.property(point, point, point, ([sa, da], [sb, db], [sc, dc]) => {
        const a = rep(sa, da);
        const b = rep(sb, db);
        const c = rep(sc, dc);
        assert.equal(supersedesReport(a, a), false, 'expected a not to supersede a');
        assert.equal(supersedesReport(a, b) && supersedesReport(b, a), false, 'expected supersedesReport(a, b) && supersedesReport(b, a) to be false');
        if (supersedesReport(a, b) && supersedesReport(b, c)) assert.equal(supersedesReport(a, c), true, 'expected a to supersede c');
        // exactly: seqNo does not go down and PoW strictly rises
        assert.equal(supersedesReport(a, b), sa >= sb && da > db);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('supersedesAd: order properties', () => {
  it('is irreflexive, asymmetric and transitive over random (seqNo, difficulty, content) ads', () => {
    const ad = fc.tuple(fc.nat(2), fc.nat(3), fc.constantFrom('a', 'b')).map(([seq, d, t]) => fakeOracle(pk(1), d, { seqNo: seq, tags: [t] }));
    fc.assert(
      fc.property(ad, ad, ad, (a, b, c) => {
        assert.equal(supersedesAd(a, a), false, 'expected a not to supersede a');
        assert.equal(supersedesAd(a, b) && supersedesAd(b, a), false, 'expected supersedesAd(a, b) && supersedesAd(b, a) to be false');
        if (supersedesAd(a, b) && supersedesAd(b, c)) assert.equal(supersedesAd(a, c), true, 'expected a to supersede c');
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
