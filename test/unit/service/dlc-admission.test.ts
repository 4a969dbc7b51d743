// test/unit/service/dlc-admission.test.ts - admission of DLC announcements and attestations and of a capability's dlc binding: every refusal reason with its ban score, ranking, retention, the nonce index, and the proof reports the node builds from an equivocation or a nonce reuse, with real BIP340 signatures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAttestation, encodeAttestation, toHex, xOnlyFromSecret } from '../../../src/dlc/index.ts';
import type { AdmissionResult } from '../../../src/service/types.ts';
import type { DlcProof } from '../../../src/service/service.ts';
import { newServiceForTest, type TestService } from '../../helpers/factory.ts';
import { assertRejected } from '../../helpers/assert-admission.ts';
import { waitFor } from '../../helpers/wait.ts';
import type { DlcEquivocationContent, DlcNonceReuseContent } from '../../../src/protocol/types.ts';
import { announcementEntity, dlcSecret, makeDlcAttestation, makeDlcEvent, makeDlcOracle, makeEquivocationReport, type DlcOracle } from '../../helpers/dlc.ts';
import { VerifyPool } from '../../../src/protocol/verify-pool.ts';

const DAY_MS = 24 * 3600 * 1000;

async function rig(mempool = {}, service = {}): Promise<TestService & { o: DlcOracle; soon: number; proofs: DlcProof[] }> {
  const t = newServiceForTest({ mempool, service });
  const o = makeDlcOracle(1);
  assert.equal((await t.service.admit('oracle', o.oracle)).status, 'accepted', 'expected the oracle ad accepted');
  assert.equal((await t.service.admit('capability', o.capability)).status, 'accepted', 'expected the dlc capability accepted');
  const proofs: DlcProof[] = [];
  t.service.on('report:proof', (p) => proofs.push(p));
  return { ...t, o, soon: Math.floor(t.clock.now() / 1000) + 30 * 24 * 3600, proofs };
}

const status = (r: AdmissionResult): string => r.status;

describe('DLC capability binding', () => {
  it('refuses a dlc key equal to the x coordinate of an ECDSA key (dlc-key-reuse, ban 100) and a key off the curve', async () => {
    const t = newServiceForTest();
    const base = makeDlcOracle(2);
    await t.service.admit('oracle', base.oracle);
    const reuse = makeDlcOracle(2, 'dlcspecs-v0', 'q', { oracleKey: base.capKeys.publicKey.slice(2), signingVersion: 'dlcspecs-v0' });
    assertRejected(await t.service.admit('capability', reuse.capability), 'dlc-key-reuse', 100);
    const reuseOracle = makeDlcOracle(2, 'dlcspecs-v0', 'q', { oracleKey: base.oracleKeys.publicKey.slice(2), signingVersion: 'basic-sha256' });
    assertRejected(await t.service.admit('capability', reuseOracle.capability), 'dlc-key-reuse', 100);
    // x = 5 has no curve point (5^3 + 7 = 132 is not a square mod p).
    const off = makeDlcOracle(2, 'dlcspecs-v0', 'q', { oracleKey: '00'.repeat(31) + '05', signingVersion: 'dlcspecs-v0' });
    assertRejected(await t.service.admit('capability', off.capability), 'capability-invalid', 100);
    assert.equal(status(await t.service.admit('capability', base.capability)), 'accepted', 'expected a distinct x-only key accepted');
  });
});

describe('announcement admission', () => {
  it('accepts a valid announcement, answers duplicate for the same one, and lists it with its event summary', async () => {
    const t = await rig();
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    const r = await t.service.admit('announcement', ev.entity);
    assert.deepEqual([r.status, r.id], ['accepted', ev.id], 'expected the announcement accepted under its TLV hash');
    assert.equal(status(await t.service.admit('announcement', ev.entity)), 'duplicate', 'expected the same announcement a duplicate');
    const list = t.service.listAnnouncements({ page: 0, chunkSize: 10 }, { question: 'rain berlin' });
    assert.deepEqual(list.map((e) => e.id), [ev.id], 'expected the announcement found by its capability question words');
    assert.deepEqual(t.service.listAnnouncements({ page: 0, chunkSize: 10 }, { question: 'paris' }), [], 'expected no match for another word');
  });

  it('refuses each fault with its reason and ban score', async () => {
    const t = await rig({}, { powThresholdAnnouncements: 1 });
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    assertRejected(await t.service.admit('announcement', { ...ev.entity, announcement: ev.entity.announcement.slice(0, -2) }), 'dlc-invalid', 100);
    assertRejected(await t.service.admit('announcement', { ...ev.entity, pow: { ...ev.entity.pow, magicNo: ev.entity.pow.magicNo + 1 } }), 'pow-invalid', 100);
    const low = announcementEntity(t.o, ev.entity.announcement, 0);
    assertRejected(await t.service.admit('announcement', low), 'pow-below-threshold', 0);
    // Another oracle's capability (not stored): an orphan reason, ban 0.
    const stranger = makeDlcOracle(7);
    assertRejected(await t.service.admit('announcement', makeDlcEvent(stranger, { maturityEpoch: t.soon }).entity), 'unknown-capability', 0);
    // The TLV signed by a different x-only key than the capability binds.
    const other = { ...t.o, sk: dlcSecret('other-key'), oracleKey: toHex(xOnlyFromSecret(dlcSecret('other-key'))) };
    assertRejected(await t.service.admit('announcement', makeDlcEvent(other, { maturityEpoch: t.soon }).entity), 'dlc-key-mismatch', 100);
    // Maturity past the horizon (default 400 days).
    assertRejected(await t.service.admit('announcement', makeDlcEvent(t.o, { maturityEpoch: t.soon + 500 * 24 * 3600 }).entity), 'maturity-too-far', 0);
    // Signed under the other signing version than the capability binds.
    const wrongVersion = makeDlcEvent({ ...t.o, version: 'basic-sha256' }, { maturityEpoch: t.soon });
    assertRejected(await t.service.admit('announcement', wrongVersion.entity), 'dlc-signature-invalid', 100);
  });

  it('refuses capability-not-dlc for a capability without a dlc binding', async () => {
    const t = newServiceForTest();
    const o = makeDlcOracle(11);
    const { dlc: _dlc, ...rest } = o.capability;
    void _dlc;
    const { signCapability } = await import('../../../src/protocol/sign.ts');
    const { mine } = await import('../../helpers/factory.ts');
    const { oracleSignature: _s, oracleSignatureType: _st, ...unsigned } = rest;
    void _s;
    void _st;
    const cap = mine(signCapability(unsigned, o.oracleKeys.privateKey), 'capability', 2);
    await t.service.admit('oracle', o.oracle);
    assert.equal(status(await t.service.admit('capability', cap)), 'accepted', 'expected the plain capability accepted');
    assertRejected(await t.service.admit('announcement', makeDlcEvent(o, { maturityEpoch: 1_800_000_000 }).entity), 'capability-not-dlc', 100);
  });

  it('refuses a nonce already committed by another announcement of the key (dlc-nonce-reuse, ban 0) and reports it as a dlc-nonce-reuse proof', async () => {
    const t = await rig();
    const a = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: 'a', nonceLabel: 'shared' });
    const b = makeDlcEvent(t.o, { maturityEpoch: t.soon + 60, eventId: 'b', nonceLabel: 'shared' });
    assert.equal(status(await t.service.admit('announcement', a.entity)), 'accepted', 'expected the first announcement accepted');
    assertRejected(await t.service.admit('announcement', b.entity), 'dlc-nonce-reuse', 0);
    // The node builds the proof report itself and admits it through the intake, a turn later.
    await waitFor(() => t.service.dlcEvidence(a.id).nonceReuse !== null, { message: 'the node-built dlc-nonce-reuse report stored' });
    const stored = t.service.dlcEvidence(a.id).nonceReuse;
    assert.equal(t.service.dlcEvidence(b.id).nonceReuse?.id, stored?.id, 'expected the report found under both announcements');
    const content = stored?.msg.content as DlcNonceReuseContent;
    assert.deepEqual(content.announcements, [a.entity.announcement, b.entity.announcement].sort(), 'expected both announcements in the report, ascending');
    assert.deepEqual(content.capability, t.o.capability, 'expected the capability ad embedded (the proof stands alone)');
    assert.deepEqual(t.proofs.map((p) => [p.type, p.evidence.nonce]), [['dlc-nonce-reuse', a.ann.event.nonces[0]]], 'expected one report:proof event naming the shared nonce');
    assert.equal(t.service.getOracle(t.o.oracleKeys.publicKey)?.proofCount, 1, 'expected the oracle to hold the proof');
  });

  it('evicts the lowest PoW past maxAnnouncementsPerCapability and refuses a newcomer no better', async () => {
    const t = await rig({ announcements: { maxAnnouncementsPerCapability: 2 } });
    const e1 = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: '1', difficulty: 3 });
    const e2 = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: '2', difficulty: 5 });
    const e3 = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: '3', difficulty: 4 });
    const e4 = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: '4', difficulty: 1 });
    for (const e of [e1, e2]) assert.equal(status(await t.service.admit('announcement', e.entity)), 'accepted', 'expected room for two');
    const r3 = await t.service.admit('announcement', e3.entity);
    assert.equal(r3.status, 'accepted', 'expected a higher PoW to enter');
    assert.deepEqual(r3.status === 'accepted' ? r3.evicted.map((x) => [x.kind, x.id]) : [], [['announcement', e1.id]], 'expected the lowest PoW evicted');
    assertRejected(await t.service.admit('announcement', e4.entity), 'rank-too-low', 0);
  });

  it('expires unattested announcements at maturity + grace and attested ones after the retention, on the injected clock', async () => {
    const t = await rig();
    const a = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: 'a' });
    const b = makeDlcEvent(t.o, { maturityEpoch: t.soon, eventId: 'b' });
    await t.service.admit('announcement', a.entity);
    await t.service.admit('announcement', b.entity);
    assert.equal(status(await t.service.admit('attestation', makeDlcAttestation(t.o, b, ['sun']))), 'accepted', 'expected the attestation accepted');
    t.clock.advance(31 * DAY_MS + 7 * DAY_MS);
    assert.equal(t.service.sweepAnnouncements(), 0, 'expected the unattested announcement kept past maturity + grace (a fact-missing may name it)');
    t.clock.advance(7 * DAY_MS);
    assert.equal(t.service.sweepAnnouncements(), 1, 'expected the unattested announcement swept after maturity + 2 x 7 days');
    assert.equal(t.service.getAnnouncement(a.id), undefined, 'expected the unattested announcement gone');
    assert.equal(t.service.getAnnouncement(b.id)?.attestation?.decoded.outcomes[0], 'sun', 'expected the attested one kept');
    t.clock.advance(365 * DAY_MS);
    assert.equal(t.service.sweepAnnouncements(), 2, 'expected the attested announcement and its attestation swept after the retention');
    assertRejected(await t.service.admit('announcement', a.entity), 'announcement-expired', 0);
  });
});

describe('attestation admission', () => {
  it('refuses unknown announcement (orphan reason), a malformed or invalid attestation, answers duplicate, and reports an equivocation as a dlc-equivocation proof', async () => {
    const t = await rig();
    const ev = makeDlcEvent(t.o, { maturityEpoch: t.soon });
    const att = makeDlcAttestation(t.o, ev, ['rain']);
    assertRejected(await t.service.admit('attestation', att), 'announcement-not-found', 0);
    await t.service.admit('announcement', ev.entity);
    assertRejected(await t.service.admit('attestation', { ...att, attestation: att.attestation + '00' }), 'dlc-invalid', 100);
    // Another event's attestation against this announcement: event id and nonces differ.
    const otherEv = makeDlcEvent(t.o, { maturityEpoch: t.soon + 1, eventId: 'other' });
    assertRejected(await t.service.admit('attestation', { ...makeDlcAttestation(t.o, otherEv, ['rain']), announcementId: ev.id }), 'dlc-attestation-invalid', 100);
    assert.equal(status(await t.service.admit('attestation', att)), 'accepted', 'expected the attestation accepted');
    assert.equal(status(await t.service.admit('attestation', att)), 'duplicate', 'expected the same attestation a duplicate');
    const second = makeDlcAttestation(t.o, ev, ['snow']);
    assertRejected(await t.service.admit('attestation', second), 'dlc-equivocation', 0);
    assert.equal(t.service.getAnnouncement(ev.id)?.attestation?.msg.attestation, att.attestation, 'expected the first attestation kept');
    await waitFor(() => t.service.dlcEvidence(ev.id).equivocation !== null, { message: 'the node-built dlc-equivocation report stored' });
    const eq = t.service.dlcEvidence(ev.id).equivocation;
    const content = eq?.msg.content as DlcEquivocationContent;
    assert.deepEqual(content.attestations, [att.attestation, second.attestation].sort(), 'expected the pair in the report, ascending');
    assert.equal(content.announcement, ev.entity.announcement, 'expected the announcement in the report');
    assert.deepEqual(t.proofs.map((p) => (p.type === 'dlc-equivocation' ? [p.announcementId, p.evidence.index, p.evidence.nonce] : [])), [[ev.id, 0, ev.ann.event.nonces[0]]], 'expected one report:proof event with the nonce position that revealed the key');
    assert.equal(JSON.stringify(eq).includes(toHex(t.o.sk)), false, 'expected no secret key in the report');
    // A third outcome: refused the same way; its report is another proof (another pair).
    assert.equal(t.service.listReports(t.o.oracleKeys.publicKey, { page: 0, chunkSize: 10 }).length, 1, 'expected one stored proof report');
  });
});

describe('DLC admission with a verifier thread', () => {
  /** A service whose checks all go to one real verifier thread, with DLC oracle `seed`'s ad (and capability) stored; the thread is stopped after `fn`. */
  async function withThread(seed: number, withCapability: boolean, fn: (t: TestService, o: DlcOracle, pool: VerifyPool) => Promise<void>): Promise<void> {
    const pool = new VerifyPool(1);
    try {
      const t = newServiceForTest({ verifier: pool, inlineAlone: false });
      const o = makeDlcOracle(seed);
      assert.equal(status(await t.service.admit('oracle', o.oracle)), 'accepted');
      if (withCapability) assert.equal(status(await t.service.admit('capability', o.capability)), 'accepted');
      await fn(t, o, pool);
    } finally {
      await pool.close();
    }
  }

  it("hands an announcement's points and signature and its attestation's signatures to the thread (the attestation right behind, before its announcement is stored), and still refuses a forged one", async () => {
    await withThread(3, true, async (t, o, pool) => {
      const base = { ...pool.answered };
      const soon = Math.floor(t.clock.now() / 1000) + 30 * 24 * 3600;
      const digits = { kind: 'digits', base: 10, isSigned: false, unit: 'usd', precision: 0, nbDigits: 4 } as const;
      const ev = makeDlcEvent(o, { maturityEpoch: soon, eventId: 'num', descriptor: digits });
      const att = makeDlcAttestation(o, ev, ['1', '2', '3', '4']);
      // Offered together: the attestation is prepared while its announcement still waits for the thread.
      const [ra, rt] = await Promise.all([t.service.admit('announcement', ev.entity), t.service.admit('attestation', att)]);
      assert.deepEqual([ra.status, rt.status], ['accepted', 'accepted'], 'expected both accepted');
      assert.equal(pool.answered.schnorr - base.schnorr, 1 + 4, 'expected the announcement signature and the 4 attestation signatures checked on the thread');
      assert.equal(pool.answered.points - base.points, 4 + 1, 'expected the 4 nonces and the oracle key checked on the thread');
      // A forged attestation signature: the thread says false, the inline check refuses it.
      const ev2 = makeDlcEvent(o, { maturityEpoch: soon + 1, eventId: 'enum' });
      const good = makeDlcAttestation(o, ev2, ['sun']);
      const decoded = decodeAttestation(good.attestation);
      const sig = decoded.signatures[0]!;
      const forged = { ...good, attestation: toHex(encodeAttestation({ ...decoded, signatures: [sig.slice(0, 126) + (sig.endsWith('00') ? '01' : '00')] })) };
      const [r2, rf] = await Promise.all([t.service.admit('announcement', ev2.entity), t.service.admit('attestation', forged)]);
      assert.equal(r2.status, 'accepted');
      assertRejected(rf, 'dlc-attestation-invalid', 100);
      assert.match(rf.status === 'rejected' ? rf.message : '', /bad-signature/, 'expected the refusal to name the signature');
      assert.equal(pool.answered.schnorr - base.schnorr, 5 + 1 + 1, 'expected the second announcement and the forged attestation checked on the thread too');
    });
  });

  it("checks a dlc-equivocation proof report's announcement and attestation signatures on the thread when it embeds the capability", async () => {
    await withThread(4, false, async (t, o, pool) => {
      const ev = makeDlcEvent(o, { maturityEpoch: Math.floor(t.clock.now() / 1000) + 86_400 });
      const report = makeEquivocationReport(o, ev, makeDlcAttestation(o, ev, ['rain']), makeDlcAttestation(o, ev, ['sun']));
      const base = { ...pool.answered };
      assert.equal(status(await t.service.admit('report', report)), 'accepted', 'expected the proof accepted');
      assert.equal(pool.answered.schnorr - base.schnorr, 1 + 2, 'expected the announcement signature and both attestation signatures checked on the thread');
      assert.equal(pool.answered.points - base.points, 1 + 1, 'expected the nonce and the DLC key checked on the thread');
    });
  });
});
