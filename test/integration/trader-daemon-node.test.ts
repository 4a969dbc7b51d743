// test/integration/trader-daemon-node.test.ts - owns mega-trader's view of a real node (src/trader-daemon/node-port.ts, attestations.ts): reads fail over from a dead node to a live one, the announcement, capability and oracle standing come back as the node holds them (conflicted after an equivocation), unknown ids are null, no node at all is `unreachable`; the attestation watcher delivers an attestation from the /events live feed (the poll set too slow to be the one) and, for a watcher started later, from its first poll.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { MegaNode } from '../../src/node.ts';
import type { Attestation } from '../../src/protocol/types.ts';
import { AttestationWatcher } from '../../src/trader-daemon/attestations.ts';
import { MegaPortError, NodeRestPort } from '../../src/trader-daemon/node-port.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';
import { createTestNode, freePort, post, stopAll, waitFor } from '../helpers/network.ts';

const log = pino({ level: 'silent' });

describe('mega-trader against a real node', () => {
  let a: MegaNode;
  let base = '';
  let dead = '';
  const watchers: AttestationWatcher[] = [];
  before(async () => {
    a = await createTestNode({ targetOutbound: 0 }, 'trader-port');
    base = `http://127.0.0.1:${a.httpPort}`;
    dead = `http://127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    for (const w of watchers) w.stop();
    await stopAll([a]);
  });

  it('reads announcements, capabilities and standing, failing over from a dead node; delivers the attestation from the live feed', { timeout: 30_000 }, async () => {
    const o = makeDlcOracle(71);
    const ev = makeDlcEvent(o, { maturityEpoch: Math.floor(Date.now() / 1000) + 30 * 24 * 3600 });
    assert.equal((await post(a, '/oracle', o.oracle)).status, 201);
    assert.equal((await post(a, '/capability', o.capability)).status, 201);
    assert.equal((await post(a, '/announcement', ev.entity)).status, 201);

    const port = new NodeRestPort([dead, base], 2000);
    const got = await port.getAnnouncement(ev.id);
    assert.deepEqual(got, { announcement: ev.entity, attestation: null }, 'the announcement as posted, not yet attested');
    assert.equal(await port.getAnnouncement('0'.repeat(64)), null, 'an unknown announcement is null');
    assert.deepEqual(await port.getCapability(o.oracleKeys.publicKey, o.capKeys.publicKey), o.capability);
    assert.equal(await port.getCapability(o.oracleKeys.publicKey, o.oracleKeys.publicKey), null);
    assert.deepEqual(await port.getOracleStanding(o.oracleKeys.publicKey), { known: true, conflicted: false, proofs: 0 });
    await assert.rejects(new NodeRestPort([dead], 2000).getAnnouncement(ev.id), (e: unknown) => e instanceof MegaPortError && e.code === 'unreachable');
    await assert.rejects(port.getAnnouncement('not-an-id'), (e: unknown) => e instanceof MegaPortError && e.code === 'bad-request');

    // The live feed: the poll runs once at start (nothing to find) and then only every 10 minutes.
    const delivered: Attestation[] = [];
    let polls = 0;
    let answered = 0;
    const counted = {
      getAnnouncement: async (id: string) => {
        polls++;
        const r = await port.getAnnouncement(id);
        answered++;
        return r;
      },
    };
    const live = new AttestationWatcher([base], 600_000, { watching: () => [ev.id], mega: counted, deliver: async (x) => void delivered.push(x), log });
    watchers.push(live);
    live.start();
    await waitFor(() => live.connected, { message: 'the watcher connected to /events' });
    // Both polls (at start, and after the feed's hello) asked before the attestation exists: a delivery now comes from the feed.
    await waitFor(() => answered >= 2, { message: 'the start and hello polls answered' });
    const pollsBefore = polls;
    const att = makeDlcAttestation(o, ev, ['rain']);
    assert.equal((await post(a, '/attestation', att)).status, 201);
    await waitFor(() => delivered.length === 1, { timeoutMs: 10_000, message: 'the attestation delivered from the live feed' });
    assert.deepEqual(delivered[0], att);
    assert.equal(polls, pollsBefore + 1, 'one fetch, triggered by the live event');

    // A watcher started after the fact finds it at its first poll.
    const late: Attestation[] = [];
    const w2 = new AttestationWatcher([dead, base], 600_000, { watching: () => [ev.id], mega: port, deliver: async (x) => void late.push(x), log });
    watchers.push(w2);
    w2.start();
    await waitFor(() => late.length === 1, { timeoutMs: 10_000, message: 'the attestation delivered by the first poll' });

    // An equivocation makes the oracle conflicted; the taker's standing check sees the proof.
    const second = makeDlcAttestation(o, ev, ['sun']);
    assert.equal((await post(a, '/attestation', second)).status, 422);
    await waitFor(async () => (await port.getOracleStanding(o.oracleKeys.publicKey)).conflicted, { timeoutMs: 10_000, message: 'the oracle conflicted after the equivocation' });
    assert.deepEqual(await port.getOracleStanding(o.oracleKeys.publicKey), { known: true, conflicted: true, proofs: 1 });
    assert.equal(delivered.length, 1, 'an attestation is delivered once');
  });
});
