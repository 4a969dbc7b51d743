// test/unit/service/dlc-proof-reports.test.ts - dlc-equivocation and dlc-nonce-reuse reports through the one admission door with real BIP340 signatures: valid proofs are stored as proofs (also against an oracle the node does not store, when they embed the capability), every forged case is refused with its own code and ban score; and a fact-missing naming an announcement: refused before maturity + grace, stored after, answered by the attestation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAttestation, encodeAttestation, toHex, xOnlyFromSecret } from '../../../src/dlc/index.ts';
import { reportId } from '../../../src/protocol/ids.ts';
import { signCapability } from '../../../src/protocol/sign.ts';
import type { DlcEquivocationContent, DlcNonceReuseContent, OracleCapability, Report } from '../../../src/protocol/types.ts';
import { isAnswered, reportClass } from '../../../src/mempool/report-class.ts';
import { fakePow, makeReport, mine, newServiceForTest, type TestService } from '../../helpers/factory.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { dlcSecret, makeDlcAttestation, makeDlcEvent, makeDlcOracle, makeEquivocationReport, makeNonceReuseReport, remine, type DlcOracle } from '../../helpers/dlc.ts';

const DAY_MS = 24 * 3600 * 1000;

async function rig(withOracle = true): Promise<TestService & { o: DlcOracle; soon: number }> {
  const t = newServiceForTest();
  const o = makeDlcOracle(21);
  if (withOracle) {
    assert.equal((await t.service.admit('oracle', o.oracle)).status, 'accepted', 'expected the oracle ad accepted');
    assert.equal((await t.service.admit('capability', o.capability)).status, 'accepted', 'expected the dlc capability accepted');
  }
  return { ...t, o, soon: Math.floor(t.clock.now() / 1000) + 30 * 24 * 3600 };
}

/** A capability ad of `o` with no dlc binding (same keys), signed and mined. */
function plainCapability(o: DlcOracle): OracleCapability {
  const { dlc: _d, oracleSignature: _s, oracleSignatureType: _t, ...unsigned } = o.capability;
  void _d;
  void _s;
  void _t;
  return mine(signCapability(unsigned, o.oracleKeys.privateKey), 'capability', 2);
}

describe('dlc-equivocation reports', () => {
  it('stores a valid proof (embedded capability or known one), as a proof the oracle holds, once per report id', async () => {
    const t = await rig();
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    const rain = makeDlcAttestation(t.o, ev, ['rain']);
    const sun = makeDlcAttestation(t.o, ev, ['sun']);
    const r = makeEquivocationReport(t.o, ev, rain, sun, { embed: false });
    const out = await t.service.admit('report', r);
    assert.deepEqual([out.status, out.id], ['accepted', reportId(r)], 'expected the proof accepted under its report id');
    assert.equal((await t.service.admit('report', r)).status, 'duplicate', 'expected the same proof a duplicate');
    const stored = t.service.getOracle(t.o.oracleKeys.publicKey);
    assert.deepEqual([stored?.proofCount, stored?.openClaims], [1, 0], 'expected one proof held by the oracle, no claim');
    assert.equal(reportClass(r, false), 'proof', 'expected the proof class');
    const embedded = makeEquivocationReport(t.o, ev, rain, sun);
    assert.equal((await t.service.admit('report', embedded)).status, 'accepted', 'expected the embedded-capability variant accepted (another content, another id)');
  });

  it('stores a proof against an oracle this node does not store when it embeds the capability, and refuses it without', async () => {
    const t = await rig(false);
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    const [a, b] = [makeDlcAttestation(t.o, ev, ['rain']), makeDlcAttestation(t.o, ev, ['snow'])];
    assert.equal((await t.service.admit('report', makeEquivocationReport(t.o, ev, a, b))).status, 'accepted', 'expected the self-contained proof accepted into the proof store');
    assert.equal(t.mempool.proofCount(t.o.oracleKeys.publicKey), 1, 'expected one proof kept against the absent oracle');
    assertRejected(await t.service.admit('report', makeEquivocationReport(t.o, ev, a, b, { embed: false })), 'unknown-oracle', 0);
  });

  it('refuses every forged case with its own code', async () => {
    const t = await rig();
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    const rain = makeDlcAttestation(t.o, ev, ['rain']);
    const sun = makeDlcAttestation(t.o, ev, ['sun']);
    const good = makeEquivocationReport(t.o, ev, rain, sun);
    const c = good.content as DlcEquivocationContent;
    const forge = (patch: Partial<DlcEquivocationContent>): Report => remine(good, { ...c, ...patch });
    // Order: the pair must be two different TLVs, ascending (one fault, one id); the same outcome twice is the same bytes.
    assertRejected(await t.service.admit('report', forge({ attestations: [c.attestations[1], c.attestations[0]] })), 'dlc-proof-unordered', 100);
    assertRejected(await t.service.admit('report', forge({ attestations: [rain.attestation, rain.attestation] })), 'dlc-proof-unordered', 100);
    // Unparseable TLVs.
    assertRejected(await t.service.admit('report', forge({ announcement: c.announcement.slice(0, -2) })), 'dlc-invalid', 100);
    const cut = rain.attestation.slice(0, -2);
    assertRejected(await t.service.admit('report', forge({ attestations: cut < sun.attestation ? [cut, sun.attestation] : [sun.attestation, cut] })), 'dlc-invalid', 100);
    // Attestations of another event with the same event id: other nonces than the committed ones.
    const other = makeDlcEvent(t.o, { maturityEpoch: t.soon + 60 });
    const elsewhere = makeDlcAttestation(t.o, other, ['snow']);
    const pair = [rain.attestation, elsewhere.attestation].sort() as [string, string];
    assertRejected(await t.service.admit('report', forge({ attestations: pair })), 'dlc-nonce-mismatch', 100);
    // Another DLC key: messages of another key than the capability binds.
    const stranger = { ...t.o, sk: dlcSecret('stranger'), oracleKey: toHex(xOnlyFromSecret(dlcSecret('stranger'))) };
    const sev = makeDlcEvent(stranger, { maturityEpoch: t.soon });
    const sPair = [makeDlcAttestation(stranger, sev, ['rain']).attestation, makeDlcAttestation(stranger, sev, ['sun']).attestation].sort() as [string, string];
    assertRejected(await t.service.admit('report', forge({ announcement: sev.entity.announcement, attestations: sPair })), 'dlc-key-mismatch', 100);
    // An attestation that names another oracle key than the announcement's (re-encoded with the stranger's key).
    const renamed = toHex(encodeAttestation({ ...decodeAttestation(sun.attestation), oracleKey: stranger.oracleKey }));
    assertRejected(await t.service.admit('report', forge({ attestations: [rain.attestation, renamed].sort() as [string, string] })), 'dlc-key-mismatch', 100);
    // The announcement signed under the other signing version than the capability binds.
    const wrongVersion = { ...t.o, version: 'basic-sha256' as const };
    const wev = makeDlcEvent(wrongVersion, { maturityEpoch: t.soon, eventId: 'wv' });
    const wPair = [makeDlcAttestation(wrongVersion, wev, ['rain']).attestation, makeDlcAttestation(wrongVersion, wev, ['sun']).attestation].sort() as [string, string];
    assertRejected(await t.service.admit('report', forge({ announcement: wev.entity.announcement, attestations: wPair })), 'dlc-signature-invalid', 100);
    // A capability without a dlc binding, and one of another oracle.
    assertRejected(await t.service.admit('report', forge({ capability: plainCapability(t.o) })), 'capability-not-dlc', 100);
    const someoneElse = makeDlcOracle(22);
    assertRejected(await t.service.admit('report', forge({ capability: someoneElse.capability })), 'capability-mismatch', 100);
    // The capability key is not one of this oracle's (nothing embedded).
    const { capability: _cap, ...bare } = c;
    void _cap;
    assertRejected(await t.service.admit('report', remine(good, { ...bare, capabilityPubKey: someoneElse.capKeys.publicKey })), 'unknown-capability', 0);
    // The genuine proof still passes after all that.
    assert.equal((await t.service.admit('report', good)).status, 'accepted', 'expected the genuine proof accepted');
    for (const r of t.service.listReports(t.o.oracleKeys.publicKey, { page: 0, chunkSize: 10 })) {
      assert.equal(JSON.stringify(r).includes(toHex(t.o.sk)), false, 'expected no DLC secret key in anything stored');
    }
  });
});

describe('dlc-nonce-reuse reports', () => {
  it('stores two announcements sharing a nonce and refuses the forged cases', async () => {
    const t = await rig();
    const a = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: 'a', nonceLabel: 'shared' });
    const b = makeDlcEvent(t.o, { maturityEpoch: t.soon + 60, eventId: 'b', nonceLabel: 'shared' });
    const good = makeNonceReuseReport(t.o, a, b);
    const c = good.content as DlcNonceReuseContent;
    const forge = (patch: Partial<DlcNonceReuseContent>): Report => remine(good, { ...c, ...patch });
    assertRejected(await t.service.admit('report', forge({ announcements: [c.announcements[1], c.announcements[0]] })), 'dlc-proof-unordered', 100);
    assertRejected(await t.service.admit('report', forge({ announcements: [a.entity.announcement, a.entity.announcement] })), 'dlc-proof-unordered', 100);
    const fresh = makeDlcEvent(t.o, { maturityEpoch: t.soon + 120, eventId: 'c' });
    assertRejected(await t.service.admit('report', forge({ announcements: [a.entity.announcement, fresh.entity.announcement].sort() as [string, string] })), 'dlc-no-shared-nonce', 100);
    const stranger = { ...t.o, sk: dlcSecret('stranger-2'), oracleKey: toHex(xOnlyFromSecret(dlcSecret('stranger-2'))) };
    const theirs = makeDlcEvent(stranger, { maturityEpoch: t.soon, eventId: 'x', nonceLabel: 'shared' });
    assertRejected(await t.service.admit('report', forge({ announcements: [a.entity.announcement, theirs.entity.announcement].sort() as [string, string] })), 'dlc-key-mismatch', 100);
    assertRejected(await t.service.admit('report', forge({ announcements: [a.entity.announcement.slice(0, -2), b.entity.announcement].sort() as [string, string] })), 'dlc-invalid', 100);
    assert.equal((await t.service.admit('report', good)).status, 'accepted', 'expected the genuine nonce-reuse proof accepted');
    assert.equal(t.service.getOracle(t.o.oracleKeys.publicKey)?.proofCount, 1, 'expected the oracle to hold one proof');
    assert.equal(t.service.dlcEvidence(a.id).nonceReuse?.id, reportId(good), 'expected the proof found under the first announcement');
    assert.equal(t.service.dlcEvidence(b.id).nonceReuse?.id, reportId(good), 'expected the proof found under the second announcement');
  });
});

describe('fact-missing naming an announcement', () => {
  function missing(o: DlcOracle, announcementId: string, capabilityPubKey = o.capKeys.publicKey): Report {
    const r = makeReport({ type: undefined, oraclePubKey: o.oracleKeys.publicKey, content: { type: 'fact-missing', request: { capabilityPubKey, arguments: { eventId: 'ev' } }, announcementId } });
    return mine({ ...r, pow: fakePow(0) }, 'report', 1);
  }

  it('is refused before maturity + announcementGraceMs, stored after, and answered by the attestation', async () => {
    const t = await rig();
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    const r = missing(t.o, ev.id);
    assertRejected(await t.service.admit('report', r), 'announcement-not-found', 0);
    assert.equal((await t.service.admit('announcement', ev.entity)).status, 'accepted', 'expected the announcement accepted');
    assertRejected(await t.service.admit('report', r), 'announcement-not-due', 0);
    t.clock.advance(30 * DAY_MS + 7 * DAY_MS - 1000);
    assertRejected(await t.service.admit('report', r), 'announcement-not-due', 0);
    t.clock.advance(1000);
    const out = await t.service.admit('report', r);
    assert.equal(out.status, 'accepted', `expected the claim accepted once maturity + grace passed: ${JSON.stringify(out)}`);
    const oracle = t.service.getOracle(t.o.oracleKeys.publicKey);
    assert.deepEqual([oracle?.openClaims, oracle?.answeredClaims], [1, 0], 'expected an open claim');
    // A late attestation still arrives (the unattested announcement is kept a second grace period) and answers the claim.
    const att = makeDlcAttestation(t.o, ev, ['sun']);
    assert.equal((await t.service.admit('attestation', att)).status, 'accepted', 'expected the late attestation accepted');
    const stored = t.mempool.getReport(reportId(r));
    assert.equal(stored?.attestationId, t.service.getAnnouncement(ev.id)?.attestation?.id, 'expected the report answered by the attestation id');
    assert.equal(stored && reportClass(stored.msg, isAnswered(stored)), 'answered', 'expected the answered class');
    assert.deepEqual([oracle?.openClaims, oracle?.answeredClaims], [0, 1], 'expected the claim counted as answered');
    // Now attested: a new claim naming it proves nothing.
    const again = missing(t.o, ev.id);
    const againOther = mine({ ...again, content: { ...again.content, request: { capabilityPubKey: t.o.capKeys.publicKey, arguments: { eventId: 'other' } } } } as Report, 'report', 1);
    assertRejected(await t.service.admit('report', againOther), 'announcement-attested', 0);
  });

  it('refuses a claim naming an announcement of another capability (announcement-mismatch)', async () => {
    const t = await rig();
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    await t.service.admit('announcement', ev.entity);
    const second = makeDlcOracle(23);
    // A second capability of the same oracle (keys of another rig, signed by our oracle key).
    const { oracleSignature: _s, oracleSignatureType: _t, ...unsigned } = { ...second.capability, oraclePubKey: t.o.oracleKeys.publicKey };
    void _s;
    void _t;
    const cap2 = mine(signCapability(unsigned, t.o.oracleKeys.privateKey), 'capability', 2);
    assert.equal((await t.service.admit('capability', cap2)).status, 'accepted', 'expected the second capability accepted');
    t.clock.advance(40 * DAY_MS);
    assertRejected(await t.service.admit('report', missing(t.o, ev.id, cap2.capabilityPubKey)), 'announcement-mismatch', 100);
  });
});
