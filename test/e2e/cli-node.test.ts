/** test/e2e/cli-node.test.ts - the `mega` CLI against a spawned daemon: post CLI-made ads, facts' reports and a dispute, read them back over REST, duplicates, tampering, clean SIGTERM. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { disputeId, reportId } from '../../src/protocol/ids.ts';
import type { Dispute, OracleCapability, OracleId, Report } from '../../src/protocol/types.ts';
import { startDaemon, stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { removeDir, runCli, runJson, tempDir, writeJson } from '../unit/cli/run-cli.ts';

const D = ['-d', '8', '--workers', '1'];
/** How long the daemon may take to exit after SIGTERM. */
const STOP_DEADLINE_MS = 5000;

let dir: string;
let daemon: Daemon | undefined;
let node: string;
const file = (name: string) => path.join(dir, name);

interface Keys {
  privateKey: string;
  publicKey: string;
}
interface Answer {
  result?: string;
  id?: string;
  error?: { code: string; message: string };
}
interface StoredReport {
  id: string;
  report: Report;
  dispute: Dispute | null;
}

let oracleKeys: Keys;
let capKeys: Keys;
let oracle: OracleId;
let capability: OracleCapability;
let reports: Record<string, Report>;

/** Run mega, keep its stdout as `name` in the temp dir and return it parsed. */
async function make<T>(name: string, args: string[]): Promise<T> {
  const out = await runJson<T>(args);
  fs.writeFileSync(file(name), JSON.stringify(out));
  return out;
}

/** `mega post <file> --node …`: exit code and the node's answer. */
async function post(name: string): Promise<{ code: number | null; answer: Answer; stderr: string }> {
  const r = await runCli(['post', file(name), '--node', node]);
  return { code: r.code, answer: JSON.parse(r.stdout) as Answer, stderr: r.stderr };
}

async function get<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${node}${pathAndQuery}`);
  assert.equal(res.status, 200, `GET ${pathAndQuery}`);
  return (await res.json()) as T;
}

before(async () => {
  dir = tempDir('mega-e2e-');
  const cfg = writeJson(dir, 'config.json', { httpPort: 0, p2pPort: 0, isTest: true, listenAddress: '127.0.0.1', logLevel: 'info', dataDir: path.join(dir, 'data') });
  // Build the messages while the daemon starts.
  const starting = startDaemon(cfg);
  const building = (async () => {
    await Promise.all([runJson(['keygen', '--out', file('oracle.key')]), runJson(['keygen', '--out', file('cap.key')])]);
    oracleKeys = JSON.parse(fs.readFileSync(file('oracle.key'), 'utf8')) as Keys;
    capKeys = JSON.parse(fs.readFileSync(file('cap.key'), 'utf8')) as Keys;
    const args = ['--arg', 'city=Paris'];
    [oracle, capability] = await Promise.all([
      make<OracleId>('oracle.json', ['oracle', '--key-file', file('oracle.key'), '--tag', 'weather', ...D]),
      make<OracleCapability>('cap.json', ['capability', '--key-file', file('oracle.key'), '--capability-pubkey', capKeys.publicKey, '--question', 'Will it rain in {city}?', '--param', 'city=Paris,Rome', '--tag', 'weather', ...D]),
      make('yes.json', ['fact', '--key-file', file('cap.key'), ...args, '--answer', 'yes']),
      make('no.json', ['fact', '--key-file', file('cap.key'), ...args, '--answer', 'no']),
      make('mfact.json', ['fact', '--key-file', file('cap.key'), '--arg', 'city=Rome', '--answer', 'no']),
    ]);
    const [conflict, missing, disagrees] = await Promise.all([
      make<Report>('conflict.json', ['report', 'fact-conflict', '--fact', file('yes.json'), '--fact', file('no.json'), '--capability', file('cap.json'), ...D]),
      make<Report>('missing.json', ['report', 'fact-missing', '--oracle', oracleKeys.publicKey, '--capability-pubkey', capKeys.publicKey, '--arg', 'city=Rome', '--payment-proof', 'lnbc1', ...D]),
      make<Report>('disagrees.json', ['report', 'fact-disagrees-with-public', '--oracle', oracleKeys.publicKey, '--fact', file('yes.json'), '--comment', 'sunny all day', ...D]),
    ]);
    reports = { conflict, missing, disagrees };
    await make('dispute.json', ['dispute', '--report', file('missing.json'), '--fact', file('mfact.json')]);
  })();
  daemon = await starting;
  node = daemon.base;
  await building;
});

after(() => {
  if (daemon && daemon.exit() === undefined) daemon.proc.kill('SIGKILL');
  removeDir(dir);
});

describe('mega CLI against a running node', () => {
  test('an oracle ad is accepted (201) and read back unchanged', async () => {
    const r = await post('oracle.json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.answer, { result: 'accepted', id: oracle.pubkey });
    assert.deepEqual((await get<{ oracle: OracleId }[]>('/oracles')).map((e) => e.oracle), [oracle]);
    const details = await get<{ oracle: OracleId; capabilities: number }>(`/oracles/${oracle.pubkey}`);
    assert.deepEqual(details.oracle, oracle);
  });

  test('a capability ad is accepted and listed under its oracle', async () => {
    const r = await post('cap.json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.answer, { result: 'accepted', id: capability.capabilityPubKey });
    assert.deepEqual((await get<{ capability: OracleCapability }[]>(`/capabilities?pubkey=${oracle.pubkey}`)).map((e) => e.capability), [capability]);
  });

  test('each report type is accepted and listed with its id', async () => {
    const names = ['conflict', 'missing', 'disagrees'];
    const posted = await Promise.all(names.map((n) => post(`${n}.json`)));
    posted.forEach((r, i) => {
      const report = reports[names[i] as string] as Report;
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.answer, { result: 'accepted', id: reportId(report) });
    });
    const stored = await get<StoredReport[]>(`/reports?pubkey=${oracle.pubkey}`);
    const byId = new Map(stored.map((s) => [s.id, s]));
    assert.equal(stored.length, 3);
    for (const report of Object.values(reports)) {
      const cls = report.content.type === 'fact-conflict' ? 'proof' : 'claim';
      assert.deepEqual(byId.get(reportId(report)), { id: reportId(report), report, dispute: null, class: cls });
    }
  });

  test('the dispute of the fact-missing report is accepted and attached to it', async () => {
    const dispute = JSON.parse(fs.readFileSync(file('dispute.json'), 'utf8')) as Dispute;
    const r = await post('dispute.json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.answer, { result: 'accepted', id: disputeId(dispute) });
    const stored = await get<StoredReport[]>(`/reports?pubkey=${oracle.pubkey}`);
    const missingId = reportId(reports.missing as Report);
    assert.deepEqual(stored.find((s) => s.id === missingId)?.dispute, dispute);
  });

  test('posting again is a duplicate: HTTP 200 and exit 0', async () => {
    const [o, rep] = await Promise.all([post('oracle.json'), post('conflict.json')]);
    assert.equal(o.code, 0);
    assert.deepEqual(o.answer, { result: 'duplicate', id: oracle.pubkey });
    assert.equal(rep.code, 0);
    assert.equal(rep.answer.result, 'duplicate');
    const res = await fetch(`${node}/oracle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fs.readFileSync(file('oracle.json')) });
    assert.equal(res.status, 200);
  });

  test('a tampered ad is refused with 422 and exit 1', async () => {
    writeJson(dir, 'tampered.json', { ...oracle, seqNo: oracle.seqNo + 1, tags: ['sunny'] });
    const [r, offline] = await Promise.all([post('tampered.json'), runCli(['verify', file('tampered.json')])]);
    assert.equal(r.code, 1);
    assert.equal(r.answer.error?.code, 'signature-invalid');
    assert.match(r.stderr, /^mega: the node refused the oracle: HTTP 422 signature-invalid: /);
    assert.equal(offline.code, 1);
    assert.equal((JSON.parse(offline.stdout) as { reason: string }).reason, 'signature-invalid');
    assert.deepEqual((await get<{ oracle: OracleId }[]>('/oracles')).map((e) => e.oracle), [oracle]);
  });

  test('SIGTERM stops the daemon with exit code 0', async () => {
    assert.equal(daemon?.exit(), undefined);
    await stopDaemon(daemon, STOP_DEADLINE_MS);
  });
});
