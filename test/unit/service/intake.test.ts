// test/unit/service/intake.test.ts - owns the one admission door (service/intake.ts) without sockets: arrival order whatever order verifier answers come back in, orphans re-queued after (never inside) their dependency's admission, the decided cache for peers (no rework, repeats charged; stored versions answered by the store and remembered once superseded or evicted) and its absence for REST, back-pressure through the source's hold, and close().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SignatureWork } from '../../../src/protocol/keys.ts';
import type { VerifyPool } from '../../../src/protocol/verify-pool.ts';
import type { AdmissionResult, AdmissionSource } from '../../../src/service/types.ts';
import { ALONE_GAP_MS, Intake } from '../../../src/service/intake.ts';
import type { AdmissionRules } from '../../../src/service/admission.ts';
import { makeCapability, makeKeys, makeOracle, newServiceForTest } from '../../helpers/factory.ts';
import { waitFor } from '../../helpers/network.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';

const O = makeKeys(1);
const O2 = makeKeys(2);
const C = makeKeys(101);

/** A verifier stand-in whose batches are answered when the test says so (the real pool answers from threads). */
class ManualVerifier {
  readonly batches: { works: readonly SignatureWork[]; answer: () => void }[] = [];
  run(works: readonly SignatureWork[]): Promise<void> {
    return new Promise((resolve) => this.batches.push({ works, answer: resolve }));
  }
  asPool(): VerifyPool {
    return this as unknown as VerifyPool;
  }
}

/** A peer-like source recording outcomes and holds. */
function peerSource(id: string): AdmissionSource & { outcomes: AdmissionResult[]; holds: boolean[]; versions: string[]; fresh: boolean[]; tags: (string | undefined)[] } {
  const s = {
    id,
    isPeer: true,
    outcomes: [] as AdmissionResult[],
    holds: [] as boolean[],
    versions: [] as string[],
    fresh: [] as boolean[],
    tags: [] as (string | undefined)[],
    onVersion: (vid: string, _kind: unknown, _payload: unknown, fresh: boolean) => {
      s.versions.push(vid);
      s.fresh.push(fresh);
    },
    onOutcome: (r: AdmissionResult, _vid: string | null, tag?: string) => {
      s.outcomes.push(r);
      s.tags.push(tag);
    },
    hold: (on: boolean) => void s.holds.push(on),
  };
  return s;
}

const status = (r: AdmissionResult): string => (r.status === 'rejected' ? `rejected:${r.reason}` : r.status);

describe('intake: one door, arrival order', () => {
  it('admits in arrival order even when a later batch of signature checks is answered first', async () => {
    const v = new ManualVerifier();
    const { service } = newServiceForTest({ verifier: v.asPool(), inlineAlone: false });
    const order: string[] = [];
    service.on('admission', (r) => order.push(`${r.kind}:${r.status}`));
    const oracle = service.admit('oracle', makeOracle({ keys: O }));
    await waitFor(() => v.batches.length === 1, { message: 'the oracle batch is sent on the next turn' });
    const cap = service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }));
    await waitFor(() => v.batches.length === 2, { message: 'the capability batch is sent on the next turn' });
    v.batches[1]?.answer(); // the capability's checks come back first ...
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [], 'nothing may be admitted while the head of the queue (the oracle) waits for its checks');
    v.batches[0]?.answer();
    assert.equal(status(await oracle), 'accepted');
    assert.equal(status(await cap), 'accepted', 'the capability must be admitted after its oracle, so it is not unknown-oracle');
    assert.deepEqual(order, ['oracle:accepted', 'capability:accepted']);
  });

  it('validates the schema itself for every caller (there is no door that skips it)', async () => {
    const { service } = newServiceForTest();
    assert.equal(status(await service.admit('oracle', { pubkey: 'nope' })), 'rejected:schema-violation');
    assert.equal(status(await service.admit('capability', { ...makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }), extra: 1 })), 'rejected:schema-violation');
  });
});

describe('intake: orphans', () => {
  it('a peer item refused only for its missing oracle is re-queued when the oracle arrives, and admitted on a later turn, not inside the oracle admission', async () => {
    const { service, mempool } = newServiceForTest();
    const peer = peerSource('p2p:1');
    const cap = makeCapability({ oracleKeys: O, capKeys: C, question: 'q' });
    assert.equal(status(await service.admit('capability', cap, peer)), 'rejected:unknown-oracle');
    let insideOracleAdmission = false;
    let capAdmittedInside: boolean | null = null;
    service.on('mempool:accepted', (e) => {
      if (e.kind === 'oracle') insideOracleAdmission = true;
      if (e.kind === 'capability') capAdmittedInside = insideOracleAdmission;
    });
    const oracleResult = await service.admit('oracle', makeOracle({ keys: O }));
    insideOracleAdmission = false;
    assert.equal(status(oracleResult), 'accepted');
    assert.equal(mempool.getCapability(O.publicKey, C.publicKey), undefined, 'the orphan must not be admitted inside the oracle admission');
    await waitFor(() => mempool.getCapability(O.publicKey, C.publicKey) !== undefined, { message: 'the orphaned capability is admitted once its oracle is stored' });
    assert.equal(capAdmittedInside, false, 'the orphan was admitted on a later turn');
    assert.deepEqual(peer.outcomes.map(status), ['rejected:unknown-oracle', 'accepted'], 'the peer hears both outcomes of its item');
  });

  it('REST items are never kept as orphans (the client got its answer)', async () => {
    const { service, mempool } = newServiceForTest();
    await service.admit('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }), { id: 'http:1' });
    await service.admit('oracle', makeOracle({ keys: O }));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(mempool.getCapability(O.publicKey, C.publicKey), undefined, 'a REST capability refused as unknown-oracle stays refused');
  });
});

describe('intake: decided versions (peers only)', () => {
  it('a refused-for-good version sent again by a peer is answered from the cache, with its ban score, without admission work', async () => {
    const { service } = newServiceForTest();
    const bad = { ...makeOracle({ keys: O }), oracleSignature: makeOracle({ keys: O2 }).oracleSignature };
    const a = peerSource('p2p:a');
    const b = peerSource('p2p:b');
    const first = await service.admit('oracle', bad, a);
    assert.equal(status(first), 'rejected:signature-invalid');
    const second = await service.admit('oracle', bad, b);
    assert.equal(second, first, 'the same refusal object is answered: no signature check ran again');
    assert.equal(second.status === 'rejected' && second.banScore, 100, 'the second sender is charged the same score');
  });

  it('a state-dependent refusal (ban 0) repeated by the same peer is charged repeated-refusal; another peer gets the same ban-0 answer', async () => {
    const { service } = newServiceForTest();
    const cap = makeCapability({ oracleKeys: O, capKeys: C, question: 'q' });
    const a = peerSource('p2p:a');
    assert.equal(status(await service.admit('capability', cap, a)), 'rejected:unknown-oracle');
    const again = await service.admit('capability', cap, a);
    assert.equal(status(again), 'rejected:repeated-refusal');
    assert.equal(again.status === 'rejected' && again.banScore, 20, 'a repeat of a refused version costs 20');
    const other = await service.admit('capability', cap, peerSource('p2p:b'));
    assert.equal(status(other), 'rejected:unknown-oracle');
    assert.equal(other.status === 'rejected' && other.banScore, 0);
  });

  it('a stored version sent again by a peer is a duplicate without rework; knowsVersion says so', async () => {
    const { service } = newServiceForTest();
    const o = makeOracle({ keys: O });
    const a = peerSource('p2p:a');
    assert.equal(status(await service.admit('oracle', o, a)), 'accepted');
    const vid = a.versions[0] as string;
    assert.equal(service.knowsVersion(vid), true, 'a stored version is known (the relay does not fetch it)');
    assert.deepEqual(await service.admit('oracle', o, peerSource('p2p:b')), { status: 'duplicate', kind: 'oracle', id: O.publicKey });
  });

  it('a stored version costs no decided-cache entry; once superseded or evicted it is remembered, so a peer re-sending it gets duplicate with no signature work and the relay does not fetch it', async () => {
    const v = new ManualVerifier();
    const { service, mempool } = newServiceForTest({ verifier: v.asPool(), inlineAlone: false, mempool: { maxOracles: 1 } });
    const intake = (service as unknown as { intake: Intake }).intake;
    const a = peerSource('p2p:a');
    let batches = 0;
    /** Admit from `source`, answering any verifier batch it causes (counted in `batches`: signature work done). */
    const admitAnswered = async (entity: object, source: ReturnType<typeof peerSource>): Promise<AdmissionResult> => {
      const answered = source.outcomes.length;
      const p = service.admit('oracle', entity, source);
      await waitFor(() => v.batches.length > 0 || source.outcomes.length > answered, { message: 'expected a verifier batch or an answer' });
      batches += v.batches.length;
      v.batches.splice(0).forEach((b) => b.answer());
      return p;
    };
    const v0 = makeOracle({ keys: O, seqNo: 0 });
    assert.equal(status(await admitAnswered(v0, a)), 'accepted');
    const vid0 = a.versions[0] as string;
    assert.equal(intake.decidedCount, 0, 'a stored version is answered from the store, not kept in the decided cache');
    const b = peerSource('p2p:b');
    batches = 0;
    assert.deepEqual(await admitAnswered(v0, b), { status: 'duplicate', kind: 'oracle', id: O.publicKey }, 'a stored version from a peer is a duplicate');
    assert.equal(batches, 0, 'no signature work for a stored version');
    // Superseded: the old version leaves the store and is remembered.
    assert.equal(status(await admitAnswered(makeOracle({ keys: O, seqNo: 1 }), a)), 'accepted');
    assert.equal(mempool.tracksVersion(vid0), false, 'the superseded version is no longer stored');
    assert.equal(service.knowsVersion(vid0), true, 'the relay must not fetch a superseded version again');
    assert.equal(intake.decidedCount, 1, 'only the superseded version is remembered');
    const c = peerSource('p2p:c');
    batches = 0;
    assert.equal(status(await admitAnswered(v0, c)), 'duplicate', 'a superseded version re-sent by a peer is a duplicate');
    assert.equal(batches, 0, 'no signature work for a superseded version');
    // Evicted: a higher-ranked oracle takes the only slot; the evicted version is remembered too.
    const vid1 = a.versions[1] as string;
    assert.equal(status(await admitAnswered(makeOracle({ keys: O2, difficulty: 12 }), a)), 'accepted');
    assert.equal(mempool.getOracle(O.publicKey), undefined, 'expected O evicted by rank');
    assert.equal(service.knowsVersion(vid1), true, 'the relay must not fetch an evicted version again');
    batches = 0;
    assert.equal(status(await admitAnswered(makeOracle({ keys: O, seqNo: 1 }), c)), 'duplicate', 'an evicted version re-sent by a peer is a duplicate, not re-admitted');
    assert.equal(batches, 0, 'no signature work for an evicted version');
    assert.equal(mempool.getOracle(O.publicKey), undefined, 'the evicted version did not come back');
  });

  it('DLC announcements and attestations too: stored ones take no decided-cache entry, swept ones are remembered', async () => {
    const { service, mempool, clock } = newServiceForTest();
    const intake = (service as unknown as { intake: Intake }).intake;
    const o = makeDlcOracle(7, 'dlcspecs-v0');
    for (const [kind, body] of [['oracle', o.oracle], ['capability', o.capability]] as const) assert.equal(status(await service.admit(kind, body)), 'accepted');
    const ev = makeDlcEvent(o, { maturityEpoch: Math.floor(clock.now() / 1000) + 30 * 86_400 });
    const a = peerSource('p2p:a');
    assert.equal(status(await service.admit('announcement', ev.entity, a)), 'accepted');
    assert.equal(status(await service.admit('attestation', makeDlcAttestation(o, ev, ['sun']), a)), 'accepted');
    const [annVid, attVid] = a.versions as [string, string];
    const before = intake.decidedCount;
    assert.equal(before, 0, 'stored DLC versions are answered from the store, not cached');
    assert.equal(status(await service.admit('announcement', ev.entity, peerSource('p2p:b'))), 'duplicate');
    clock.advance(500 * 86_400_000);
    assert.equal(service.sweepAnnouncements(), 2, 'expected the announcement and its attestation swept after the retention');
    for (const vid of [annVid, attVid]) {
      assert.equal(mempool.tracksVersion(vid), false, 'a swept version is no longer stored');
      assert.equal(service.knowsVersion(vid), true, 'the relay must not fetch a swept version again');
    }
    assert.equal(intake.decidedCount, 2, 'both swept versions are remembered');
    assert.equal(status(await service.admit('announcement', ev.entity, peerSource('p2p:c'))), 'duplicate', 'a swept announcement re-sent by a peer is not admitted again');
  });

  it('REST always gets a full admission: its answer reflects the mempool now, not a cache', async () => {
    const { service } = newServiceForTest();
    const cap = makeCapability({ oracleKeys: O, capKeys: C, question: 'q' });
    const rest = { id: 'http:1' };
    assert.equal(status(await service.admit('capability', cap, rest)), 'rejected:unknown-oracle');
    assert.equal(status(await service.admit('capability', cap, rest)), 'rejected:unknown-oracle', 'no repeated-refusal for REST');
    await service.admit('oracle', makeOracle({ keys: O }));
    assert.equal(status(await service.admit('capability', cap, rest)), 'accepted', 'once the oracle is here the same capability is accepted at once');
  });
});

describe('intake: back-pressure and close', () => {
  it('holds a peer past its entity bound and releases it once drained; close() answers what waits with shutting-down', async () => {
    const v = new ManualVerifier();
    const { service } = newServiceForTest({ verifier: v.asPool(), inlineAlone: false });
    const peer = peerSource('p2p:slow');
    const waiting: Promise<AdmissionResult>[] = [];
    // Distinct oracles, each with signature work, so each waits for the (unanswered) verifier.
    for (let i = 0; i < 1_030; i++) waiting.push(service.admit('oracle', makeOracle({ keys: makeKeys(1_000 + (i % 40)), seqNo: i + 1, difficulty: 0 }), peer, 100));
    assert.deepEqual(peer.holds, [true], 'the peer is held once at 1,024 waiting entities');
    assert.equal(service.intakeBacklog().entities, 1_030);
    // Answer every batch sent so far, including the last partial one sent on the next turn.
    await waitFor(
      () => {
        for (const b of v.batches.splice(0)) b.answer();
        return service.intakeBacklog().entities === 0;
      },
      { message: 'the intake drains once the checks are answered' },
    );
    assert.deepEqual(peer.holds, [true, false], 'the peer is released once drained');
    const late = service.admit('oracle', makeOracle({ keys: O2 }), peer);
    service.close();
    assert.equal(status(await late), 'rejected:shutting-down');
    assert.equal(status(await service.admit('oracle', makeOracle({ keys: O2 }), peer)), 'rejected:shutting-down');
    await Promise.all(waiting);
  });
});

describe('intake: an entity arriving alone is checked inline', () => {
  /** An intake on a service's rules with a hand-driven monotonic clock and a verifier answered by the test. */
  function rig(clock: { t: number }, inlineAlone = true): { v: ManualVerifier; intake: Intake; nowSec: number } {
    const v = new ManualVerifier();
    const { service, clock: serviceClock } = newServiceForTest();
    const rules = (service as unknown as { rules: AdmissionRules }).rules;
    const onBug = (err: unknown): void => {
      throw err;
    };
    return { v, intake: new Intake({ rules, verifier: v.asPool(), inlineAlone, monotonic: () => clock.t, onResult: () => undefined, onBug }), nowSec: Math.floor(serviceClock.now() / 1000) };
  }
  const rest = { id: 'http:test', isPeer: false };

  it('alone (the last arrival at least ALONE_GAP_MS ago, nothing waiting or at a thread): inline, no batch; right behind another: to the thread', async () => {
    const clock = { t: 1_000 };
    const { v, intake } = rig(clock);
    assert.equal(status(await intake.admit('oracle', makeOracle({ keys: O }), rest)), 'accepted');
    assert.equal(v.batches.length, 0, 'expected the first entity, alone, checked inline: no verifier batch');
    clock.t += ALONE_GAP_MS;
    const a = intake.admit('oracle', makeOracle({ keys: O2 }), rest);
    const b = intake.admit('oracle', makeOracle({ keys: makeKeys(3) }), rest); // same instant: not alone
    assert.equal(status(await a), 'accepted', 'expected the entity arriving alone admitted without a thread');
    await waitFor(() => v.batches.length === 1, { message: 'expected the entity right behind it sent to the thread' });
    clock.t += 10 * ALONE_GAP_MS;
    // Long after, but a batch is still at the thread: not alone either (it queues behind b, in order).
    const c = intake.admit('oracle', makeOracle({ keys: makeKeys(4) }), rest);
    await waitFor(() => v.batches.length === 2, { message: 'expected an entity arriving while a batch is at the thread sent to the thread' });
    for (const x of v.batches) x.answer();
    assert.deepEqual([status(await b), status(await c)], ['accepted', 'accepted']);
  });

  it('a heavy entity (a 10-digit announcement: 1 BIP340 check and 11 points) goes to the thread even alone; inlineAlone false sends every entity', async () => {
    const clock = { t: 1_000 };
    const { v, intake, nowSec } = rig(clock);
    const o = makeDlcOracle(7);
    for (const [kind, body] of [['oracle', o.oracle], ['capability', o.capability]] as const) {
      clock.t += ALONE_GAP_MS;
      assert.equal(status(await intake.admit(kind, body, rest)), 'accepted');
    }
    assert.equal(v.batches.length, 0, 'expected the ad and the capability, each alone, checked inline');
    clock.t += ALONE_GAP_MS;
    const ev = makeDlcEvent(o, { maturityEpoch: nowSec + 86_400, descriptor: { kind: 'digits', base: 10, isSigned: false, unit: 'usd', precision: 0, nbDigits: 10 } });
    const ann = intake.admit('announcement', ev.entity, rest);
    await waitFor(() => v.batches.length === 1, { message: 'expected the 10-digit announcement sent to the thread though alone' });
    v.batches[0]?.answer();
    assert.equal(status(await ann), 'accepted');
    const off = rig({ t: 1_000 }, false);
    const p = off.intake.admit('oracle', makeOracle({ keys: O }), rest);
    await waitFor(() => off.v.batches.length === 1, { message: 'expected the entity sent to the thread with inlineAlone false' });
    off.v.batches[0]?.answer();
    assert.equal(status(await p), 'accepted');
  });
});

describe('intake: offer (the P2P door without a Promise)', () => {
  it('queues like admit, in the same order, and hands each outcome to the source with its tag', async () => {
    const v = new ManualVerifier();
    const { service, mempool } = newServiceForTest({ verifier: v.asPool(), inlineAlone: false });
    const peer = peerSource('p2p:offer');
    const oracle = makeOracle({ keys: O });
    const ret: unknown = service.offer('oracle', oracle, peer, 0, 'tag-oracle');
    assert.equal(ret, undefined, 'offer returns nothing (no Promise per entity)');
    service.offer('capability', makeCapability({ oracleKeys: O, capKeys: C, question: 'q' }), peer, 0, 'tag-cap');
    service.offer('oracle', { pubkey: 'nope' }, peer, 0, 'tag-bad');
    assert.deepEqual(peer.tags, ['tag-bad'], 'a schema refusal is answered at once, with its tag');
    await waitFor(() => v.batches.length > 0, { message: 'the signature checks go to the verifier' });
    for (const b of v.batches) b.answer();
    await waitFor(() => peer.outcomes.length === 3, { message: 'all three outcomes reach the source' });
    assert.deepEqual(peer.outcomes.map(status), ['rejected:schema-violation', 'accepted', 'accepted'], 'the capability must be admitted after its oracle');
    assert.deepEqual(peer.tags, ['tag-bad', 'tag-oracle', 'tag-cap'], 'each outcome must come back with the tag it was offered with');
    assert.ok(mempool.getOracle(O.publicKey), 'the oracle is stored');
    // A copy of a stored version is answered at once (from the store), with its tag.
    service.offer('oracle', oracle, peer, 0, 'tag-again');
    assert.deepEqual([status(peer.outcomes[3] as AdmissionResult), peer.tags[3]], ['duplicate', 'tag-again']);
  });

  it('tells the source whether the version is fresh: new (true), stored, waiting or decided (false); REST sources are not asked', async () => {
    const { service } = newServiceForTest({ inlineAlone: false });
    const peer = peerSource('p2p:fresh');
    const oracle = makeOracle({ keys: O2 });
    service.offer('oracle', oracle, peer);
    service.offer('oracle', oracle, peer); // waiting in the queue
    await waitFor(() => peer.outcomes.length === 2, { message: 'both copies answered' });
    service.offer('oracle', oracle, peer); // stored
    const badSig = { ...makeOracle({ keys: makeKeys(3) }), oracleSignature: '00'.repeat(64) };
    service.offer('oracle', badSig, peer);
    await waitFor(() => peer.outcomes.length === 4, { message: 'the bad copy refused' });
    service.offer('oracle', badSig, peer); // decided (refused for good)
    assert.deepEqual(peer.fresh, [true, false, false, true, false], 'fresh must be true exactly for versions neither stored, waiting nor decided');
    let restFresh: boolean | null = null;
    await service.admit('oracle', makeOracle({ keys: makeKeys(4) }), { id: 'http:1', onVersion: (_v, _k, _p, fresh) => void (restFresh = fresh) });
    assert.equal(restFresh, false, 'a REST source is not checked against the caches, so it is never told fresh');
  });
});
