// test/e2e/dlc-cli-node.test.ts - the DLC flow end to end with the `mega` CLI against a spawned daemon (issue #15): keygen, an oracle ad, a capability binding the DLC key, announce (nonces stored first) → post, attest (logged first) → post, the node serves the attested outcome, `mega dlc verify` accepts it, and a second outcome is refused by the CLI before anything leaves the oracle; then `mega report dlc-equivocation` / `dlc-nonce-reuse` build proofs from files and hex (messages of a faulty oracle built in the test), `mega post` submits them, and the node lists them as proofs and the oracle as conflicted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { removeDir, runCli, runJson, tempDir, writeJson } from '../unit/cli/run-cli.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';

const D = ['-d', '4', '--workers', '1'];
let dir: string;
let daemon: Daemon | undefined;
const file = (name: string): string => path.join(dir, name);

before(async () => {
  dir = tempDir('mega-e2e-dlc-');
  const cfg = writeJson(dir, 'config.json', { httpPort: 0, p2pPort: 0, listenAddress: '127.0.0.1', logLevel: 'info', dataDir: path.join(dir, 'data') });
  daemon = await startDaemon(cfg);
});
after(async () => {
  if (daemon) await stopDaemon(daemon, 5000);
  removeDir(dir);
});

/** Run mega and keep stdout in a file; fail with its stderr otherwise. */
async function make(name: string, args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `mega ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  fs.writeFileSync(file(name), r.stdout);
  return r.stdout;
}

async function post(name: string): Promise<{ result?: string; error?: { code: string } }> {
  const r = await runCli(['post', file(name), '--node', (daemon as Daemon).base]);
  return JSON.parse(r.stdout) as { result?: string; error?: { code: string } };
}

describe('DLC oracle with the mega CLI and a node', () => {
  it('keygen → capability with dlc → announce → post → attest → post → the node serves the outcome → verify', { timeout: 180_000 }, async () => {
    const keys = await runJson<{ publicKey: string }>(['keygen', '--out', file('oracle.key')]);
    const dlcKeys = await runJson<{ dlcKey: string }>(['dlc', 'keygen', '--out', file('dlc.key')]);
    const capKeys = await runJson<{ publicKey: string }>(['keygen', '--out', file('cap.key')]);
    await make('oracle.json', ['oracle', '--key-file', file('oracle.key'), ...D]);
    await make('cap.json', ['capability', '--key-file', file('oracle.key'), '--capability-pubkey', capKeys.publicKey, '--question', 'Will it rain in Paris tomorrow?', '--answer', 'yes', '--answer', 'no', '--dlc-key', dlcKeys.dlcKey, ...D]);
    assert.equal((await post('oracle.json')).result, 'accepted');
    assert.equal((await post('cap.json')).result, 'accepted', 'a capability with a dlc binding is accepted');
    const maturity = new Date(Date.now() + 3_600_000).toISOString();
    const ann = JSON.parse(await make('ann.json', ['dlc', 'announce', '--key-file', file('dlc.key'), '--state-dir', file('state'), '--event-id', 'rain-paris', '--maturity', maturity, '--outcome', 'yes', '--outcome', 'no', '--capability', file('cap.json'), ...D])) as { oraclePubKey: string; announcement: string };
    assert.equal(ann.oraclePubKey, keys.publicKey, 'announce --capability prints the Mega announcement entity');
    const posted = await post('ann.json');
    assert.equal(posted.result, 'accepted', `the node accepts the announcement: ${JSON.stringify(posted)}`);
    const list = (await (await fetch(`${(daemon as Daemon).base}/announcements?oracle=${keys.publicKey}`)).json()) as { id: string; attested: boolean }[];
    assert.equal(list.length, 1, 'the node lists the announcement under its oracle');
    assert.equal(list[0]?.attested, false);
    const id = list[0]?.id as string;
    await make('att.json', ['dlc', 'attest', '--key-file', file('dlc.key'), '--state-dir', file('state'), '--announcement', file('ann.json'), '--outcome', 'no']);
    assert.equal((await post('att.json')).result, 'accepted', 'the node accepts the attestation');
    const one = (await (await fetch(`${(daemon as Daemon).base}/announcements/${id}`)).json()) as { attested: boolean; outcome: unknown };
    assert.deepEqual([one.attested, one.outcome], [true, 'no'], 'the node serves the attested outcome');
    const v = await runCli(['dlc', 'verify', '--announcement', file('ann.json'), '--attestation', file('att.json')]);
    assert.equal(v.code, 0, `mega dlc verify accepts the pair: ${v.stdout}`);
    const twice = await runCli(['dlc', 'attest', '--key-file', file('dlc.key'), '--state-dir', file('state'), '--announcement', file('ann.json'), '--outcome', 'yes']);
    assert.equal(twice.code, 1, 'a second outcome is refused by the oracle side, before anything is signed');
  });

  it('mega report dlc-equivocation and dlc-nonce-reuse: built from files and hex, posted, listed as proofs', { timeout: 180_000 }, async () => {
    const base = (daemon as Daemon).base;
    // A faulty oracle (its messages signed in the test: the oracle side of mega never signs twice).
    const o = makeDlcOracle(77);
    const maturityEpoch = Math.floor(Date.now() / 1000) + 7 * 24 * 3600;
    const ev = makeDlcEvent(o, { maturityEpoch, eventId: 'e1', nonceLabel: 'reused' });
    const ev2 = makeDlcEvent(o, { maturityEpoch: maturityEpoch + 60, eventId: 'e2', nonceLabel: 'reused' });
    writeJson(dir, 'f-oracle.json', o.oracle);
    writeJson(dir, 'f-cap.json', o.capability);
    writeJson(dir, 'f-ann.json', ev.entity);
    writeJson(dir, 'f-att1.json', makeDlcAttestation(o, ev, ['rain']));
    writeJson(dir, 'f-att2.json', makeDlcAttestation(o, ev, ['snow']));
    for (const f of ['f-oracle.json', 'f-cap.json', 'f-ann.json', 'f-att1.json']) assert.equal((await post(f)).result, 'accepted', `the node accepts ${f}`);

    const same = await runCli(['report', 'dlc-equivocation', '--announcement', file('f-ann.json'), '--attestation', file('f-att1.json'), '--attestation', file('f-att1.json'), '--capability', file('f-cap.json'), ...D]);
    assert.equal(same.code, 1, 'the same attestation twice is refused by the CLI');
    assert.match(same.stderr, /two different/, 'and it says why');

    const eq = JSON.parse(await make('f-eq.json', ['report', 'dlc-equivocation', '--announcement', file('f-ann.json'), '--attestation', file('f-att2.json'), '--attestation', file('f-att1.json'), '--capability', file('f-cap.json'), ...D])) as { content: { type: string; attestations: string[] } };
    assert.equal(eq.content.type, 'dlc-equivocation');
    assert.deepEqual(eq.content.attestations, [...eq.content.attestations].sort(), 'the CLI puts the pair in ascending order');
    const posted = await post('f-eq.json');
    assert.equal(posted.result, 'accepted', `the node accepts the equivocation proof: ${JSON.stringify(posted)}`);

    // The nonce reuse from hex on the command line, the oracle named by flags (the node knows the capability).
    const nr = await make('f-nr.json', ['report', 'dlc-nonce-reuse', '--announcement', ev.entity.announcement, '--announcement', ev2.entity.announcement, '--oracle', o.oracleKeys.publicKey, '--capability-pubkey', o.capKeys.publicKey, ...D]);
    assert.equal((JSON.parse(nr) as { content: { type: string } }).content.type, 'dlc-nonce-reuse');
    const posted2 = await post('f-nr.json');
    assert.equal(posted2.result, 'accepted', `the node accepts the nonce-reuse proof: ${JSON.stringify(posted2)}`);

    const reports = (await (await fetch(`${base}/reports?pubkey=${o.oracleKeys.publicKey}`)).json()) as { class: string; report: { content: { type: string } } }[];
    assert.deepEqual(reports.map((r) => [r.class, r.report.content.type]).sort(), [['proof', 'dlc-equivocation'], ['proof', 'dlc-nonce-reuse']], 'the node lists both proofs');
    const oracles = (await (await fetch(`${base}/oracles?chunkSize=100`)).json()) as { id: string; standing: { conflicted: boolean; proofs: number } }[];
    const entry = oracles.find((x) => x.id === o.oracleKeys.publicKey);
    assert.deepEqual(entry?.standing && [entry.standing.conflicted, entry.standing.proofs], [true, 2], 'the faulty oracle is conflicted with two proofs');
  });
});
