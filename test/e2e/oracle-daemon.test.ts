// test/e2e/oracle-daemon.test.ts - owns mega-oracle end to end: two real nodes (the second gossips from the first) and the daemon with a local HTTP data source and a manual capability; the ad, capabilities and announcements reach both nodes, the attestations appear at maturity, `mega dlc verify` accepts them, `mega oracle status|outcome|pause|resume` work; a node that evicts the oracle gets it back (the daemon mines past the evicter within its budget); a bad config exits 78.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeAnnouncement, decodeAttestation } from '../../src/dlc/index.ts';
import { minePowSync } from '../../src/protocol/pow.ts';
import { generateKeyPair } from '../../src/protocol/keys.ts';
import { signOracleId } from '../../src/protocol/sign.ts';
import type { Attestation } from '../../src/protocol/types.ts';
import { stopDaemon, postJson, type Daemon } from '../helpers/daemon.ts';
import { waitFor, waitForValue } from '../helpers/wait.ts';
import { collect, REPO_ROOT, removeDir, runCli, runMain, tempDir } from '../unit/cli/run-cli.ts';
import { getJson, makeKeys, spawnOracle, startDataSource, startNode, startOracle, stopOracle, type DataSource, type OracleProc } from './oracle-daemon-harness.ts';

let dir: string;
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
let nodeA: (Daemon & { p2pPort: number }) | undefined;
let nodeB: (Daemon & { p2pPort: number }) | undefined;
let source: DataSource;
let oracle: OracleProc | undefined;

before(async () => {
  dir = tempDir('mega-oracled-');
  source = await startDataSource(() => ({ data: { price: '97250.4' } }));
});
after(async () => {
  await stopOracle(oracle).catch(() => undefined);
  await stopDaemon(nodeB, 10_000).catch(() => undefined);
  await stopDaemon(nodeA, 10_000).catch(() => undefined);
  await source.close();
  removeDir(dir);
});

describe('mega-oracle end to end', () => {
  it('publishes to a node that gossips to a second one, attests at maturity from an HTTP source and a manual outcome, and mega dlc verify accepts it', { timeout: 120_000 }, async () => {
    nodeA = await startNode(dir, 'a', {});
    nodeB = await startNode(dir, 'b', { p2pseed: [{ server: '127.0.0.1', port: nodeA.p2pPort }] });
    const keys = makeKeys(path.join(dir, 'keys'), ['btc', 'vote']);
    const maturity = Math.floor(Date.now() / 1000) + 8;
    const at = new Date(maturity * 1000).toISOString().replace('.000Z', 'Z');
    const cfgPath = path.join(dir, 'oracle-cfg.json');
    fs.writeFileSync(
      cfgPath,
      JSON.stringify({
        '//': 'e2e oracle',
        dataDir: 'odata',
        nodes: [nodeA.base],
        identity: { keyFile: keys.identity, difficulty: 6, tags: ['e2e'] },
        dlcKeyFile: keys.dlc,
        capabilities: [
          { name: 'btc', keyFile: keys.capability('btc'), question: 'BTC/USD price', event: { descriptor: { kind: 'digits', base: 10, nbDigits: 6, unit: 'usd' }, eventId: 'btcusd-{datetime}', maturity: { type: 'list', times: [at] }, announceBeforeSec: 3600 }, source: { type: 'http-json', url: `${source.url}/v1/price`, pointer: '/data/price', timeoutMs: 2000, round: 'nearest' } },
          { name: 'vote', keyFile: keys.capability('vote'), question: 'Who wins the vote', event: { descriptor: { kind: 'enum', outcomes: ['yes', 'no'] }, eventId: 'vote-{epoch}', maturity: { type: 'list', times: [at] }, announceBeforeSec: 3600 }, source: { type: 'manual' } },
        ],
        admin: { port: 0 },
        checkIntervalSec: 2,
        retry: { initialMs: 200, maxMs: 1000 },
      }),
    );
    const t0 = Date.now();
    oracle = await startOracle(cfgPath);
    process.stderr.write(`# oracle started in ${Date.now() - t0} ms\n`);
    const dataDir = path.join(dir, 'odata');
    // The ad, both capabilities and both announcements reach node A and, by gossip, node B.
    for (const node of [nodeA, nodeB] as Daemon[]) {
      await waitFor(async () => (await getJson(node.base, `/oracles/${keys.pubkey}`)).status === 200, { timeoutMs: 20_000, message: `the oracle ad on ${node.base}` });
      await waitFor(async () => (await getJson<unknown[]>(node.base, `/capabilities?pubkey=${keys.pubkey}`)).body.length === 2, { timeoutMs: 20_000, message: `both capabilities on ${node.base}` });
      await waitFor(async () => (await getJson<unknown[]>(node.base, `/announcements?oracle=${keys.pubkey}`)).body.length === 2, { timeoutMs: 20_000, message: `both announcements on ${node.base}` });
    }
    process.stderr.write(`# on both nodes after ${Date.now() - t0} ms\n`);
    const caps = (await getJson<{ capability: { dlc?: { oracleKey: string } } }[]>(nodeB.base, `/capabilities?pubkey=${keys.pubkey}`)).body;
    assert.ok(caps.every((c) => c.capability.dlc !== undefined), 'both capabilities bind the DLC key');
    const anns = (await getJson<{ id: string; announcement: { announcement: string; capabilityPubKey: string } }[]>(nodeA.base, `/announcements?oracle=${keys.pubkey}`)).body;
    const byEvent = new Map(anns.map((a) => [decodeAnnouncement(a.announcement.announcement).event.eventId, a]));
    const btc = byEvent.get(`btcusd-${at.replace(/[-:]/g, '')}`);
    const vote = byEvent.get(`vote-${maturity}`);
    assert.ok(btc && vote, `the event ids follow the templates, got ${[...byEvent.keys()].join(', ')}`);
    assert.equal(decodeAnnouncement(btc.announcement.announcement).event.maturityEpoch, maturity);

    // The admin API through the CLI: status, a manual outcome (a wrong one refused first), pause/resume.
    const status = JSON.parse((await runCli(['oracle', 'status', '--data-dir', dataDir])).stdout) as { nodes: { oracle: string; capabilitiesHeld: number }[]; events: { announced: number; awaitingOutcome: number; attested: number } };
    assert.equal(status.nodes[0]?.oracle, 'held');
    assert.equal(status.nodes[0]?.capabilitiesHeld, 2);
    assert.equal(status.events.announced + status.events.awaitingOutcome + status.events.attested, 2, 'two events recorded');
    const bad = await runMain(['oracle', 'outcome', '--config', cfgPath, '--capability', 'vote', '--maturity', String(maturity), '--value', 'maybe']);
    assert.equal(bad.code, 1, 'an outcome the event cannot sign is refused');
    assert.match(bad.stderr, /not-an-outcome/);
    const notManual = await runMain(['oracle', 'outcome', '--config', cfgPath, '--capability', 'btc', '--maturity', String(maturity), '--value', '1']);
    assert.match(notManual.stderr, /not-manual/);
    const ok = await runMain(['oracle', 'outcome', '--config', cfgPath, '--capability', 'vote', '--event-id', `vote-${maturity}`, '--value', 'yes']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { status: string }).status, 'stored');
    assert.equal((JSON.parse((await runMain(['oracle', 'pause', '--data-dir', dataDir])).stdout) as { paused: boolean }).paused, true);
    assert.equal((JSON.parse((await runMain(['oracle', 'resume', '--data-dir', dataDir])).stdout) as { paused: boolean }).paused, false);
    const unauth = await fetch(`${(JSON.parse(fs.readFileSync(path.join(dataDir, 'admin.json'), 'utf8')) as { url: string }).url}/status`);
    assert.equal(unauth.status, 401, 'the admin API needs the cookie token');
    assert.equal(fs.statSync(path.join(dataDir, '.cookie')).mode & 0o777, 0o600, 'the cookie is private');

    // At maturity both attestations appear on both nodes, and verify.
    for (const [ann, expect] of [
      [btc, '97250'],
      [vote, 'yes'],
    ] as const) {
      for (const node of [nodeA, nodeB] as Daemon[]) {
        const att: Attestation = await waitForValue(
          async (): Promise<Attestation | undefined> => {
            const r = await getJson<Attestation>(node.base, `/attestations/${ann.id}`);
            return r.status === 200 ? r.body : undefined;
          },
          { timeoutMs: 30_000, message: `the attestation of ${ann.id} on ${node.base}` },
        );
        const v = await runMain(['dlc', 'verify', '--announcement', ann.announcement.announcement, '--attestation', att.attestation]);
        assert.equal(v.code, 0, `mega dlc verify must accept it: ${v.stdout} ${v.stderr}`);
        const out = JSON.parse(v.stdout) as { attestation: { value?: string; outcomes: string[] } };
        assert.equal(out.attestation.value ?? out.attestation.outcomes[0], expect, 'the attested value is the source value (rounded to the precision)');
        assert.equal(decodeAttestation(att.attestation).outcomes.length, decodeAnnouncement(ann.announcement.announcement).event.nonces.length);
      }
    }
    const late = await runMain(['oracle', 'outcome', '--config', cfgPath, '--capability', 'vote', '--maturity', String(maturity), '--value', 'no']);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /already-attested/, 'an attested event can never get another outcome');
    await stopOracle(oracle);
    assert.equal(fs.existsSync(path.join(dataDir, '.cookie')), false, 'the cookie goes with the daemon');
    // A restart with the same config publishes the same versions: seqNo bumped only on change.
    oracle = await startOracle(cfgPath);
    const st2 = JSON.parse((await runMain(['oracle', 'status', '--data-dir', dataDir])).stdout) as { oracle: { seqNo: number }; capabilities: { seqNo: number }[]; events: { attested: number } };
    assert.equal(st2.oracle.seqNo, 0, 'same content: same seqNo');
    assert.deepEqual(st2.capabilities.map((c) => c.seqNo), [0, 0]);
    assert.equal(st2.events.attested, 2);
    await stopOracle(oracle);
  });

  it('gets the oracle back onto a node that evicted it: mines past the evicter within the budget and posts again', { timeout: 120_000 }, async () => {
    const node = await startNode(dir, 'c', { maxOracles: 1 });
    try {
      const keys = makeKeys(path.join(dir, 'keys-c'), []);
      const cfgPath = path.join(dir, 'oracle-c.json');
      fs.writeFileSync(cfgPath, JSON.stringify({ dataDir: 'cdata', nodes: [node.base], identity: { keyFile: keys.identity, difficulty: 4 }, admin: { port: 0 }, checkIntervalSec: 1, miningBudget: { maxDifficulty: 14, workers: 1 }, retry: { initialMs: 100, maxMs: 500 } }));
      oracle = await startOracle(cfgPath);
      await waitFor(async () => (await getJson(node.base, `/oracles/${keys.pubkey}`)).status === 200, { timeoutMs: 20_000, message: 'the oracle on node c' });
      // Another oracle with more work evicts it (the node holds one oracle).
      const other = generateKeyPair();
      const ad = signOracleId({ pubkey: other.publicKey, seqNo: 0, cTTL: 0, pow: minePowSync(other.publicKey, 9), bid: { amount: 0, proof: '' } }, other.privateKey);
      assert.equal(await postJson(node.base, 'oracle', ad), 201, 'the evicter is stored');
      // The daemon notices, is refused as rank-too-low, mines 10 bits and takes the place back.
      const back = await waitForValue(
        async () => {
          const r = await getJson<{ oracle: { pow: { difficulty: number } } }>(node.base, `/oracles/${keys.pubkey}`);
          return r.status === 200 ? r.body.oracle.pow.difficulty : undefined;
        },
        { timeoutMs: 60_000, message: () => `the daemon to restore the oracle: ${oracle?.log().slice(-1500)}` },
      );
      assert.ok(back >= 10, `restored with more work than the evicter (got ${back} bits)`);
      assert.equal((await getJson(node.base, `/oracles/${other.publicKey}`)).status, 404, 'the evicter is the one evicted now');
      assert.match(oracle.log(), /rank fell: raising the PoW/);
      const st = JSON.parse((await runMain(['oracle', 'status', '--data-dir', path.join(dir, 'cdata')])).stdout) as { nodes: { restored: number; oracle: string }[] };
      await waitFor(async () => (JSON.parse((await runMain(['oracle', 'status', '--data-dir', path.join(dir, 'cdata')])).stdout) as { nodes: { oracle: string }[] }).nodes[0]?.oracle === 'held', { timeoutMs: 20_000, message: 'the status to show the ad held again' });
      assert.ok((st.nodes[0]?.restored ?? 0) >= 1, 'the status counts the restore');
      await stopOracle(oracle);
    } finally {
      await stopDaemon(node, 10_000);
    }
  });

  it('started through npx, stops cleanly when npx gets SIGTERM', { timeout: 90_000 }, async () => {
    const keys = makeKeys(path.join(dir, 'keys-npx'), []);
    const cfgPath = path.join(dir, 'oracle-npx.json');
    fs.writeFileSync(cfgPath, JSON.stringify({ dataDir: 'npxdata', nodes: ['http://127.0.0.1:1'], identity: { keyFile: keys.identity, difficulty: 0 }, admin: { port: 0 } }));
    const child = spawn('npx', ['mega-oracle', cfgPath], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      await waitFor(() => out.includes('"msg":"oracle daemon started"'), { timeoutMs: 60_000, message: () => `mega-oracle to start under npx: ${out.slice(-800)}` });
      const pid = Number(/"pid":(\d+)/.exec(out)?.[1] ?? 0);
      assert.ok(pid > 0 && pid !== child.pid, 'the daemon runs below the launcher');
      child.kill('SIGTERM');
      await waitFor(() => !alive(pid), { timeoutMs: 10_000, message: () => `the daemon to exit with its launcher: ${out.slice(-800)}` });
      assert.match(out, /"msg":"shutting down"/, 'through its shutdown path');
      assert.equal(fs.existsSync(path.join(dir, 'npxdata', 'daemon.lock')), false, 'the data dir lock is released');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses a bad config with exit 78 and names every problem', { timeout: 30_000 }, async () => {
    const cfgPath = path.join(dir, 'bad.json');
    fs.writeFileSync(cfgPath, JSON.stringify({ dataDir: 'x', nodes: [], identity: { keyFile: 'k' }, colour: 'red' }));
    const r = await collect(spawnOracle(cfgPath).proc);
    assert.equal(r.code, 78);
    assert.match(r.stderr, /colour: unknown key/);
    assert.match(r.stderr, /nodes: must be a list of 1 to 32 items/);
  });
});
