// test/integration/dlc-relay.test.ts - three real nodes in a pinned line (a - b - c, no other dials): a DLC announcement posted on one end reaches all, its attestation follows, and a second, different attestation posted on the other end is refused there with dlc-equivocation while every node ends up holding the equivocation evidence (GET /announcements/{id}) and lists the oracle as conflicted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { connect, createTestNode, get, post, stopAll, waitFor } from '../helpers/network.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';

describe('DLC announcements and attestations across three nodes in a line', () => {
  let a: MegaNode;
  let b: MegaNode;
  let c: MegaNode;
  before(async () => {
    // targetOutbound 0: nobody dials on its own, so the line a - b - c is the whole topology.
    a = await createTestNode({ targetOutbound: 0 }, 'dlc-a');
    b = await createTestNode({ targetOutbound: 0 }, 'dlc-b');
    c = await createTestNode({ targetOutbound: 0 }, 'dlc-c');
    await connect(a, b);
    await connect(b, c);
  });
  after(() => stopAll([a, b, c]));

  it('relays, attests, and spreads the evidence of an equivocation', async () => {
    const o = makeDlcOracle(41);
    const ev = makeDlcEvent(o, { maturityEpoch: Math.floor(Date.now() / 1000) + 30 * 24 * 3600 });
    assert.equal((await post(a, '/oracle', o.oracle)).status, 201, 'expected the oracle ad accepted on a');
    assert.equal((await post(a, '/capability', o.capability)).status, 201, 'expected the dlc capability accepted on a');
    assert.deepEqual(await post(a, '/announcement', ev.entity), { status: 201, body: { result: 'accepted', id: ev.id } }, 'expected the announcement accepted on a');
    await waitFor(() => [a, b, c].every((n) => n.service.getAnnouncement(ev.id) !== undefined), { message: 'the announcement on every node' });

    const first = makeDlcAttestation(o, ev, ['rain']);
    assert.equal((await post(a, '/attestation', first)).status, 201, 'expected the attestation accepted on a');
    await waitFor(() => [a, b, c].every((n) => n.service.getAnnouncement(ev.id)?.attestation !== null), { message: 'the attestation on every node' });
    const onC = await get(c, `/attestations/${ev.id}`);
    assert.deepEqual(onC, { status: 200, body: first }, 'expected c to serve the attestation as posted');

    const second = makeDlcAttestation(o, ev, ['sun']);
    const refused = await post(c, '/attestation', second);
    assert.equal(refused.status, 422, 'expected the second attestation refused on c');
    assert.equal((refused.body as { error: { code: string } }).error.code, 'dlc-equivocation', 'expected the refusal code dlc-equivocation');
    await waitFor(() => [a, b, c].every((n) => n.service.dlcEvidence(ev.id).equivocation !== null), { message: 'the equivocation evidence on every node' });

    for (const n of [a, b, c]) {
      const details = (await get(n, `/announcements/${ev.id}`)).body as { attested: boolean; outcome: unknown; attestation: unknown; equivocation: { attestations: unknown[]; index: number } };
      assert.deepEqual([details.attested, details.outcome, details.attestation], [true, 'rain', first], `expected node :${n.httpPort} to keep the first attestation and its outcome`);
      assert.equal(details.equivocation.index, 0, 'expected the equivocating nonce position');
      assert.equal(details.equivocation.attestations.length, 2, 'expected both attestations as evidence');
      // The proven fault marks the oracle conflicted on every node, and its listings say so.
      const listed = (await get(n, `/oracles/${o.oracleKeys.publicKey}`)).status;
      assert.equal(listed, 200, 'the oracle is stored');
      const oracles = (await get(n, '/oracles')).body as { id: string; standing: { conflicted: boolean; proofs: number } }[];
      const entry = oracles.find((x) => x.id === o.oracleKeys.publicKey);
      assert.deepEqual(entry?.standing && [entry.standing.conflicted, entry.standing.proofs], [true, 1], `expected node :${n.httpPort} to list the equivocating oracle as conflicted with one proof`);
    }
    const missing = await get(a, `/attestations/${'0'.repeat(64)}`);
    assert.deepEqual([missing.status, (missing.body as { error: { code: string } }).error.code], [404, 'announcement-not-found'], 'expected a machine code for an unknown announcement');
  });
});
