// test/integration/dlc-relay.test.ts - three real nodes in a pinned line (a - b - c, no other dials; c keeps a data dir): a DLC announcement posted on one end reaches all, its attestation follows, and a second, different attestation posted on the other end is refused there with dlc-equivocation; c builds the dlc-equivocation proof report, which every node then holds (relayed like any report), lists the oracle as conflicted, and c still holds after a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MegaNode } from '../../src/node.ts';
import type { DlcEquivocationContent } from '../../src/protocol/types.ts';
import { connect, createTestNode, get, post, stopAll, waitFor } from '../helpers/network.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';

describe('DLC announcements and attestations across three nodes in a line', () => {
  let a: MegaNode;
  let b: MegaNode;
  let c: MegaNode;
  let dataDir: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-dlc-relay-'));
    // targetOutbound 0: nobody dials on its own, so the line a - b - c is the whole topology.
    a = await createTestNode({ targetOutbound: 0 }, 'dlc-a');
    b = await createTestNode({ targetOutbound: 0 }, 'dlc-b');
    c = await createTestNode({ targetOutbound: 0, dataDir, journalFsyncIntervalMs: 0 }, 'dlc-c');
    await connect(a, b);
    await connect(b, c);
  });
  after(async () => {
    await stopAll([a, b, c]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('relays, attests, and spreads the dlc-equivocation report c builds, which survives c\'s restart', async () => {
    const o = makeDlcOracle(41);
    const pub = o.oracleKeys.publicKey;
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
    // c reports the pair itself; the report travels c -> b -> a like any report.
    await waitFor(() => [a, b, c].every((n) => n.service.dlcEvidence(ev.id).equivocation !== null), { message: 'the dlc-equivocation report on every node' });
    const reportIdOnC = c.service.dlcEvidence(ev.id).equivocation?.id as string;

    for (const n of [a, b, c]) await assertHoldsProof(n, reportIdOnC, [first.attestation, second.attestation].sort());

    // c restarts from its data dir: the report (and the conflicted standing) come back from disk.
    await c.stop();
    c = await createTestNode({ targetOutbound: 0, dataDir, journalFsyncIntervalMs: 0 }, 'dlc-c2');
    assert.equal(c.service.getAnnouncement(ev.id)?.attestation?.msg.attestation, first.attestation, 'expected c to restore the announcement with its first attestation');
    await assertHoldsProof(c, reportIdOnC, [first.attestation, second.attestation].sort());

    const missing = await get(a, `/attestations/${'0'.repeat(64)}`);
    assert.deepEqual([missing.status, (missing.body as { error: { code: string } }).error.code], [404, 'announcement-not-found'], 'expected a machine code for an unknown announcement');

    async function assertHoldsProof(n: MegaNode, id: string, pair: string[]): Promise<void> {
      const where = `node :${n.httpPort}`;
      const details = (await get(n, `/announcements/${ev.id}`)).body as { attested: boolean; outcome: unknown; attestation: unknown; equivocation: { id: string; class: string; report: { content: DlcEquivocationContent } } | null };
      assert.deepEqual([details.attested, details.outcome, details.attestation], [true, 'rain', first], `expected ${where} to keep the first attestation and its outcome`);
      assert.deepEqual([details.equivocation?.id, details.equivocation?.class], [id, 'proof'], `expected ${where} to show the dlc-equivocation report of the announcement`);
      assert.deepEqual(details.equivocation?.report.content.attestations, pair, `expected ${where}'s report to carry both attestations, ascending`);
      const reports = (await get(n, `/reports?pubkey=${pub}`)).body as { id: string; class: string; report: { content: { type: string } } }[];
      assert.deepEqual(reports.map((r) => [r.id, r.class, r.report.content.type]), [[id, 'proof', 'dlc-equivocation']], `expected ${where} to list the report in GET /reports`);
      const oracles = (await get(n, '/oracles')).body as { id: string; standing: { conflicted: boolean; proofs: number } }[];
      const entry = oracles.find((x) => x.id === pub);
      assert.deepEqual(entry?.standing && [entry.standing.conflicted, entry.standing.proofs], [true, 1], `expected ${where} to list the equivocating oracle as conflicted with one proof`);
    }
  });
});
