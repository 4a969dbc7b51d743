// test/unit/mempool/compact.test.ts - stored messages share strings with what they hang on (mempool/compact.ts) and still answer byte for byte as received: the JSON of every stored oracle, capability, report (fact-missing, fact-conflict, fact-disagrees), replaced ad and offer equals the text it arrived as, its version hash and inventory entry are unchanged; only an exactly empty bid is shared; the constant table returns every value unchanged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compactOracle, constant, same } from '../../../src/mempool/compact.ts';
import { versionHash } from '../../../src/protocol/ids.ts';
import { offerId } from '../../../src/protocol/offer.ts';
import { REPORT_TYPES, SIGNATURE_TYPE, type EntityKind } from '../../../src/protocol/types.ts';
import type { MegaService } from '../../../src/service/service.ts';
import type { Mempool } from '../../../src/mempool/mempool.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, newServiceForTest } from '../../helpers/factory.ts';
import { makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys, reissue } from '../../helpers/offer.ts';

const O = makeKeys(11);
const C = makeKeys(12);

/** Admit `entity` from its JSON text (as REST and the wire hand it over: a fresh parse) and return that text. */
async function admitText(service: MegaService, kind: EntityKind, entity: object): Promise<string> {
  const text = JSON.stringify(entity);
  const r = await service.admit(kind, JSON.parse(text));
  assert.equal(r.status, 'accepted', `expected the ${kind} accepted: ${JSON.stringify(r)}`);
  return text;
}

/** The stored message answers exactly as it arrived: same JSON text, same version hash, and the inventory serves the same text. */
function assertSameAsReceived(mempool: Mempool, label: string, stored: object | undefined, text: string): void {
  assert.ok(stored, `expected the ${label} stored`);
  assert.equal(JSON.stringify(stored), text, `expected the stored ${label} to serialize byte for byte as received`);
  assert.equal(versionHash(stored), versionHash(JSON.parse(text)), `expected the stored ${label} to keep its version hash`);
  const inv = [...mempool.inventory()].find((e) => e.msg === stored);
  assert.ok(inv, `expected the ${label} in the inventory`);
  assert.equal(JSON.stringify(inv.msg), text, `expected sync to send the ${label} byte for byte as received`);
}

describe('compact stored messages: byte for byte as received', () => {
  it('oracle, capability, the three fact report types and replaced ads', async () => {
    const { service, mempool } = newServiceForTest();
    const oText = await admitText(service, 'oracle', makeOracle({ keys: O, tags: ['weather'] }));
    const cText = await admitText(service, 'capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'rain in paris tomorrow' }));
    assertSameAsReceived(mempool, 'oracle', mempool.getOracle(O.publicKey)?.msg, oText);
    assertSameAsReceived(mempool, 'capability', mempool.getCapability(O.publicKey, C.publicKey)?.msg, cText);
    const reports = [
      makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: { day: '1' } }),
      makeReport({ type: 'fact-conflict', oraclePubKey: O.publicKey, capKeys: C, args: { day: '2' } }),
      makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: O.publicKey, capKeys: C, args: { day: '3' }, comment: 'it rained' }),
    ];
    for (const rep of reports) {
      const text = await admitText(service, 'report', rep);
      const stored = mempool.listReports(O.publicKey, { page: 0, chunkSize: 10 }).find((r) => JSON.stringify(r.msg) === text);
      assertSameAsReceived(mempool, `${rep.content.type} report`, stored?.msg, text);
    }
    // Replacements share the replaced version's key strings.
    const o2Text = await admitText(service, 'oracle', makeOracle({ keys: O, seqNo: 1, tags: ['weather', 'paris'] }));
    const c2Text = await admitText(service, 'capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'rain in paris tomorrow', seqNo: 1 }));
    assertSameAsReceived(mempool, 'replaced oracle', mempool.getOracle(O.publicKey)?.msg, o2Text);
    assertSameAsReceived(mempool, 'replaced capability', mempool.getCapability(O.publicKey, C.publicKey)?.msg, c2Text);
  });

  it('offers: a first offer, a second of the same maker, and a replacement', async () => {
    const { service, mempool, clock } = newServiceForTest();
    const o = makeDlcOracle(21, 'dlcspecs-v0', 'rain in paris');
    await admitText(service, 'oracle', o.oracle);
    await admitText(service, 'capability', o.capability);
    const nowS = Math.floor(clock.now() / 1000);
    const ev = makeDlcEvent(o, { maturityEpoch: nowS + 10 * 86_400 });
    await admitText(service, 'announcement', ev.entity);
    const M = makerKeys(3);
    const first = makeOffer(M, enumTerms(ev, nowS));
    const second = makeOffer(M, enumTerms(ev, nowS, { feeRate: 3 }));
    const t1 = await admitText(service, 'offer', first);
    const t2 = await admitText(service, 'offer', second);
    assertSameAsReceived(mempool, 'offer', service.getOffer(offerId(first))?.msg, t1);
    assertSameAsReceived(mempool, "maker's second offer", service.getOffer(offerId(second))?.msg, t2);
    const cancel = reissue(first, M, 'cancelled');
    const t3 = await admitText(service, 'offer', cancel);
    assertSameAsReceived(mempool, 'replaced offer', service.getOffer(offerId(first))?.msg, t3);
    assert.deepEqual(service.getOffer(offerId(second))?.words, ['rain', 'in', 'paris'], "expected the offer's question words from its capability");
  });
});

describe('compact helpers', () => {
  it('constant() returns the value it was given, for every protocol constant and anything else', () => {
    for (const s of [SIGNATURE_TYPE, ...REPORT_TYPES, 'bitcoin-regtest', 'bitcoin-mainnet', 'not-a-constant-at-all']) assert.equal(constant(s), s, `expected constant(${s}) to equal ${s}`);
  });

  it('only an exactly empty bid is shared: other members, another member order or a real bid keep their JSON', () => {
    const base = makeOracle({ keys: O });
    for (const bid of [{ amount: 0, proof: '' }, { proof: '', amount: 0 }, { amount: 0, proof: '', paymentType: 'lightning' }, { amount: 5, proof: 'ab'.repeat(32), paymentType: 'lightning' }]) {
      const msg = JSON.parse(JSON.stringify({ ...base, bid }));
      const text = JSON.stringify(msg);
      compactOracle(msg, undefined);
      assert.equal(JSON.stringify(msg), text, `expected the ad with bid ${JSON.stringify(bid)} to serialize as received`);
    }
    const a = JSON.parse(JSON.stringify(base));
    const b = JSON.parse(JSON.stringify(base));
    compactOracle(a, undefined);
    compactOracle(b, undefined);
    assert.equal(a.bid, b.bid, 'two ads that bid nothing share one bid object');
    assert.ok(Object.isFrozen(a.bid), 'the shared bid is frozen (a stored message is never changed in place)');
  });

  it('same() keeps the received value unless the held one equals it', () => {
    assert.equal(same('abc', 'abc'), 'abc');
    assert.equal(same('abc', 'abd'), 'abc', 'a different held string must never replace the received one');
    assert.equal(same('abc', undefined), 'abc');
  });
});
