// test/unit/service/oracle-admission.test.ts - MegaService admission of oracle ads with real signatures and PoW: every oracle reject reason, duplicates, seqNo updates and PoW upgrades.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signingHash } from '../../../src/protocol/canonical.ts';
import { leadingZeroBits } from '../../../src/protocol/pow.ts';
import { MAX_ROTATION_DEPTH } from '../../../src/protocol/verify.ts';
import type { OracleId, Pow } from '../../../src/protocol/types.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { makeKeys, makeOracle, mine, newServiceForTest, offCurvePubKey, resignOracle, type KeyPair } from '../../helpers/factory.ts';

const K1 = makeKeys(1);
const K2 = makeKeys(2);

/** Assert a rejection with its reason and ban score. */
/** A high-S twin of a low-S compact signature (same r, s' = n - s): valid math, refused as malleable. */
function highS(sigHex: string): string {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = BigInt('0x' + sigHex.slice(64));
  return sigHex.slice(0, 64) + (n - s).toString(16).padStart(64, '0');
}

/** A chain of `links` key rotations ending at a fresh key. */
function rotationChain(links: number): OracleId {
  let keys: KeyPair = makeKeys(500);
  let ad = makeOracle({ keys, difficulty: 0 });
  for (let i = 1; i <= links; i++) {
    const next = makeKeys(500 + i);
    ad = makeOracle({ keys: next, difficulty: 0, previous: { oracle: ad, keys } });
    keys = next;
  }
  return ad;
}

describe('service: oracle ads', () => {
  it('accepts a signed, mined ad through admit()', async () => {
    const { service, mempool } = newServiceForTest();
    const o = makeOracle({ keys: K1, tags: ['sports'], manifestUri: 'https://oracle.example/manifest.json' });
    assert.deepEqual(await service.admit('oracle', o), { status: 'accepted', kind: 'oracle', id: K1.publicKey, replaced: false, evicted: [] });
    assert.deepEqual(mempool.getOracle(K1.publicKey)?.msg, o);
    assert.deepEqual(service.getOracle(K1.publicKey)?.msg, o);
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 0, reports: 0, disputes: 0 });
  });

  it('equal or lower seqNo is a duplicate; higher seqNo replaces', async () => {
    const { service } = newServiceForTest();
    await service.admit('oracle', makeOracle({ keys: K1, seqNo: 3 }));
    assert.deepEqual(await service.admit('oracle', makeOracle({ keys: K1, seqNo: 3 })), { status: 'duplicate', kind: 'oracle', id: K1.publicKey });
    assert.deepEqual(await service.admit('oracle', makeOracle({ keys: K1, seqNo: 2, difficulty: 5 })), { status: 'duplicate', kind: 'oracle', id: K1.publicKey });
    const v4 = makeOracle({ keys: K1, seqNo: 4, tags: ['new'] });
    assert.deepEqual(await service.admit('oracle', v4), { status: 'accepted', kind: 'oracle', id: K1.publicKey, replaced: true, evicted: [] });
    assert.deepEqual(service.getOracle(K1.publicKey)?.msg, v4);
  });

  it('PoW upgrade: the same signed ad re-mined at a higher difficulty replaces at the same seqNo', async () => {
    const { service, mempool } = newServiceForTest();
    const accepted: boolean[] = [];
    service.on('mempool:accepted', (e) => accepted.push(e.replaced));
    const o = makeOracle({ keys: K1, seqNo: 3, difficulty: 2, tags: ['sports'] });
    assert.deepEqual(await service.admit('oracle', o), { status: 'accepted', kind: 'oracle', id: K1.publicKey, replaced: false, evicted: [] });
    const up = mine({ ...o, cTTL: 4 }, 'oracle', 7);
    assert.equal(up.oracleSignature, o.oracleSignature);
    assert.deepEqual(await service.admit('oracle', up), { status: 'accepted', kind: 'oracle', id: K1.publicKey, replaced: true, evicted: [] });
    const stored = service.getOracle(K1.publicKey);
    assert.deepEqual(stored?.msg, up);
    assert.deepEqual(stored?.msg.pow, up.pow);
    assert.equal(stored?.msg.pow.difficulty, 7);
    assert.equal(mempool.counts().oracles, 1);
    assert.deepEqual(accepted, [false, true]);
    // the old proof, or the same new one again, is now a duplicate
    assert.deepEqual(await service.admit('oracle', o), { status: 'duplicate', kind: 'oracle', id: K1.publicKey });
    assert.deepEqual(await service.admit('oracle', up), { status: 'duplicate', kind: 'oracle', id: K1.publicKey });
    assert.deepEqual(service.getOracle(K1.publicKey)?.msg, up);
  });

  it('PoW upgrade re-ranks the oracle among others', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1, difficulty: 1 });
    await service.admit('oracle', o);
    await service.admit('oracle', makeOracle({ keys: K2, difficulty: 4 }));
    const order = (): string[] => service.listOracles({ page: 0, chunkSize: 10 }, {}).map((s) => s.msg.pubkey);
    assert.deepEqual(order(), [K2.publicKey, K1.publicKey]);
    assert.equal((await service.admit('oracle', mine(o, 'oracle', 6))).status, 'accepted');
    assert.deepEqual(order(), [K1.publicKey, K2.publicKey]);
  });

  it('of two validly signed ads with the same seqNo (a fork), the greater signing hash is kept in either arrival order, whatever the PoW', async () => {
    const o = makeOracle({ keys: K1, seqNo: 3, difficulty: 2, tags: ['sports'] });
    const other = makeOracle({ keys: K1, seqNo: 3, difficulty: 8, tags: ['weather'] });
    const winner = signingHash(o, 'oracleSignature') > signingHash(other, 'oracleSignature') ? o : other;
    for (const [first, second] of [[o, other], [other, o]] as const) {
      const { service } = newServiceForTest();
      await service.admit('oracle', first);
      const r = await service.admit('oracle', second);
      assert.equal(r.status, second === winner ? 'accepted' : 'duplicate', 'expected the second fork accepted iff it wins');
      assert.deepEqual(service.getOracle(K1.publicKey)?.msg, winner, 'expected the fork with the greater signing hash kept');
    }
  });

  it('a PoW upgrade is still verified: a forged signature or a bad proof is rejected and the stored ad stays', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1, seqNo: 3, difficulty: 2 });
    await service.admit('oracle', o);
    const up = mine(o, 'oracle', 6);
    const byK2 = resignOracle({ ...o, pubkey: K2.publicKey }, K2);
    assertRejected(await service.admit('oracle', { ...up, oracleSignature: byK2.oracleSignature }), 'signature-invalid', 100);
    assertRejected(await service.admit('oracle', { ...o, pow: { ...o.pow, difficulty: 9 } }), 'pow-invalid', 100);
    assert.deepEqual(service.getOracle(K1.publicKey)?.msg, o);
  });

  it('cTTL and pow are not signed: a relayed copy with a lower cTTL or re-mined PoW still verifies', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1, cTTL: 7 });
    const relayed = mine({ ...o, cTTL: 6 }, 'oracle', 5);
    assert.equal((await service.admit('oracle', relayed)).status, 'accepted');
  });

  it('accepts a valid key rotation', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K2, previous: { oracle: makeOracle({ keys: K1 }), keys: K1 } });
    assert.equal((await service.admit('oracle', o)).status, 'accepted');
  });
});

describe('service: oracle reject reasons', () => {
  it('schema-violation (id null, ban 100): unknown field, missing field, wrong type, non-object', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1 });
    const { bid: _bid, ...noBid } = o;
    for (const bad of [{ ...o, extra: 1 }, noBid, { ...o, seqNo: '1' }, { ...o, pubkey: o.pubkey.toUpperCase() }, null, 'oracle', [o]]) {
      const r = await service.admit('oracle', bad);
      assertRejected(r, 'schema-violation', 100);
      assert.equal(r.status === 'rejected' && r.id, null);
      assert.equal(r.kind, 'oracle');
    }
    assert.equal(service.counts().oracles, 0);
  });

  it('pow-invalid: hash that does not recompute', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1 });
    const hash = (o.pow.hash[0] === 'f' ? 'e' : 'f') + o.pow.hash.slice(1);
    assertRejected(await service.admit('oracle', { ...o, pow: { ...o.pow, hash } }), 'pow-invalid', 100);
    // a proof mined for another preimage (another pubkey) does not transfer
    assertRejected(await service.admit('oracle', { ...o, pow: makeOracle({ keys: K2, difficulty: 4 }).pow }), 'pow-invalid', 100);
    assertRejected(await service.admit('oracle', { ...o, pow: { ...o.pow, magicNo: o.pow.magicNo + 1 } }), 'pow-invalid', 100);
  });

  it('pow-invalid: fewer leading zero bits than the claimed difficulty', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1, difficulty: 3 });
    const pow: Pow = { ...o.pow, difficulty: leadingZeroBits(o.pow.hash) + 1 };
    const r = await service.admit('oracle', { ...o, pow });
    assertRejected(r, 'pow-invalid', 100);
    assert.match(r.status === 'rejected' ? r.message : '', /leading zero bits/);
  });

  it('an algorithm other than SHA256 is refused by the schema (there is no door that skips it)', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1 });
    const wrong = { ...o, pow: { ...o.pow, algorithm: 'SHA3' } } as unknown as OracleId;
    assertRejected(await service.admit('oracle', wrong), 'schema-violation', 100);
  });

  it('pow-below-threshold (ban 0): valid PoW under the node minimum; at the minimum is fine', async () => {
    const { service } = newServiceForTest({ service: { powThresholdOracles: 4 } });
    assertRejected(await service.admit('oracle', makeOracle({ keys: K1, difficulty: 3 })), 'pow-below-threshold', 0);
    assert.equal((await service.admit('oracle', makeOracle({ keys: K1, difficulty: 4 }))).status, 'accepted');
  });

  it('pow-below-threshold counts the claimed difficulty, not extra zero bits the hash happens to have', async () => {
    const { service } = newServiceForTest({ service: { powThresholdOracles: 4 } });
    const o = makeOracle({ keys: K1, difficulty: 6 });
    const r = await service.admit('oracle', { ...o, pow: { ...o.pow, difficulty: 2 } });
    assertRejected(r, 'pow-below-threshold', 0);
  });

  it('signature-invalid: a signed field changed after signing', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1, seqNo: 1 });
    assertRejected(await service.admit('oracle', { ...o, seqNo: 2 }), 'signature-invalid', 100);
    assertRejected(await service.admit('oracle', { ...o, bid: { amount: 5, proof: 'x' } }), 'signature-invalid', 100);
    assertRejected(await service.admit('oracle', { ...o, tags: ['added'] }), 'signature-invalid', 100);
  });

  it('signature-invalid: signed by another key', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1 });
    const byK2 = resignOracle({ ...o, pubkey: K2.publicKey }, K2);
    assertRejected(await service.admit('oracle', { ...o, oracleSignature: byK2.oracleSignature }), 'signature-invalid', 100);
  });

  it('signature-invalid: the high-S twin of a valid signature (malleability)', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1 });
    assertRejected(await service.admit('oracle', { ...o, oracleSignature: highS(o.oracleSignature) }), 'signature-invalid', 100);
    assert.equal((await service.admit('oracle', o)).status, 'accepted');
  });

  it('invalid-pubkey: a schema-valid pubkey that is not on the curve', async () => {
    const { service } = newServiceForTest();
    const base = makeOracle({ keys: K1 });
    const bad = mine({ ...base, pubkey: offCurvePubKey() }, 'oracle', 2);
    assertRejected(await service.admit('oracle', bad), 'invalid-pubkey', 100);
  });

  it('invalid-rotation: previousId without its link signature, and the reverse', async () => {
    const { service } = newServiceForTest();
    const rotated = makeOracle({ keys: K2, previous: { oracle: makeOracle({ keys: K1 }), keys: K1 } });
    const { previousIdSignatureToNewPubkey: _sig, ...noSig } = rotated;
    assertRejected(await service.admit('oracle', resignOracle(noSig as OracleId, K2)), 'invalid-rotation', 100);
    const { previousId: _prev, ...noPrev } = rotated;
    assertRejected(await service.admit('oracle', resignOracle(noPrev as OracleId, K2)), 'invalid-rotation', 100);
  });

  it('invalid-rotation: link not signed by the previous key', async () => {
    const { service } = newServiceForTest();
    const K3 = makeKeys(3);
    // K3 signs the link although the previous ad is K1's
    const o = makeOracle({ keys: K2, previous: { oracle: makeOracle({ keys: K1 }), keys: K3 } });
    assertRejected(await service.admit('oracle', o), 'invalid-rotation', 100);
  });

  it('invalid-rotation: previousId with the same pubkey', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: K1, seqNo: 1, previous: { oracle: makeOracle({ keys: K1 }), keys: K1 } });
    assertRejected(await service.admit('oracle', o), 'invalid-rotation', 100);
  });

  it('invalid-rotation: previousId that is not itself a valid ad', async () => {
    const { service } = newServiceForTest();
    const prev = makeOracle({ keys: K1 });
    const o = makeOracle({ keys: K2, previous: { oracle: { ...prev, seqNo: 9 }, keys: K1 } });
    assertRejected(await service.admit('oracle', o), 'invalid-rotation', 100);
  });

  it(`invalid-rotation: a chain longer than ${MAX_ROTATION_DEPTH} links; exactly ${MAX_ROTATION_DEPTH} is accepted`, async () => {
    const { service } = newServiceForTest();
    assert.equal((await service.admit('oracle', rotationChain(MAX_ROTATION_DEPTH))).status, 'accepted');
    assertRejected(await service.admit('oracle', rotationChain(MAX_ROTATION_DEPTH + 1)), 'invalid-rotation', 100);
  });

  it('rank-too-low (ban 0): a full mempool and a newcomer that does not outrank the lowest', async () => {
    const { service } = newServiceForTest({ mempool: { maxOracles: 2 } });
    await service.admit('oracle', makeOracle({ keys: makeKeys(11), difficulty: 4 }));
    await service.admit('oracle', makeOracle({ keys: makeKeys(12), difficulty: 3 }));
    assertRejected(await service.admit('oracle', makeOracle({ keys: makeKeys(13), difficulty: 3 })), 'rank-too-low', 0);
    assertRejected(await service.admit('oracle', makeOracle({ keys: makeKeys(14), difficulty: 1 })), 'rank-too-low', 0);
    const r = await service.admit('oracle', makeOracle({ keys: makeKeys(15), difficulty: 5 }));
    assert.equal(r.status, 'accepted');
    assert.deepEqual(r.status === 'accepted' && r.evicted, [{ kind: 'oracle', id: makeKeys(12).publicKey, oraclePubKey: makeKeys(12).publicKey, cause: 'rank' }]);
  });

  it('a rejected newcomer evicts nothing even when it would outrank the lowest', async () => {
    const { service } = newServiceForTest({ mempool: { maxOracles: 1 } });
    await service.admit('oracle', makeOracle({ keys: K1, difficulty: 0 }));
    const o = makeOracle({ keys: K2, difficulty: 6 });
    assertRejected(await service.admit('oracle', { ...o, seqNo: 1 }), 'signature-invalid', 100);
    assert.equal(service.getOracle(K1.publicKey)?.msg.pubkey, K1.publicKey);
  });
});
