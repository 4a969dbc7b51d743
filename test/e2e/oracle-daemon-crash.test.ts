// test/e2e/oracle-daemon-crash.test.ts - owns the key safety of mega-oracle under SIGKILL (#16 item 7): daemons attesting every second from an HTTP source whose answer changes on every request are killed at random moments, again and again, then run once to completion; no nonce ever signed two outcomes (checked on the attestation logs and on the node, which also keeps equivocation and nonce-reuse evidence), and what the node holds is what the logs hold. Kills: ORACLE_CRASH_ROUNDS (default 50, the run) over ORACLE_CRASH_LANES daemons in parallel (default 2).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeAnnouncement, decodeAttestation } from '../../src/dlc/index.ts';
import { AttestationLog } from '../../src/oracle/attestation-log.ts';
import { stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';
import { removeDir, tempDir } from '../unit/cli/run-cli.ts';
import { getJson, makeKeys, spawnOracle, startDataSource, startNode, startRecordingProxy, stopOracle, type DataSource, type OracleProc, type RecordingProxy } from './oracle-daemon-harness.ts';

const ROUNDS = Number(process.env.ORACLE_CRASH_ROUNDS ?? 50);
const LANES = Math.max(1, Number(process.env.ORACLE_CRASH_LANES ?? 2));

let dir: string;
let node: Daemon | undefined;
let source: DataSource;
let proxy: RecordingProxy;

before(async () => {
  dir = tempDir('mega-oracle-crash-');
  // A different answer on every request: a daemon that asked its source again after attesting would sign another value.
  source = await startDataSource((n) => ({ v: n % 1000 }));
  node = await startNode(dir, 'node', {});
  // The daemons talk to the node through a recording proxy: every attestation that ever left a daemon is checked, not only those the node kept.
  proxy = await startRecordingProxy(node.base);
});
after(async () => {
  await proxy.close();
  await stopDaemon(node, 10_000).catch(() => undefined);
  await source.close();
  removeDir(dir);
});

interface Lane {
  cfg: string;
  dataDir: string;
  pubkey: string;
  kills: number;
  killedBeforeStart: number;
}

function makeLane(i: number): Lane {
  const keys = makeKeys(path.join(dir, `keys${i}`), ['c1', 'c2']);
  const cap = (name: string): object => ({
    name,
    keyFile: keys.capability(name),
    question: `crash test ${name}`,
    difficulty: 0,
    event: { descriptor: { kind: 'digits', base: 10, nbDigits: 3 }, eventId: `${name}-{epoch}`, maturity: { type: 'every', seconds: 1 }, announceBeforeSec: 2 },
    source: { type: 'http-json', url: `${source.url}/value`, pointer: '/v', timeoutMs: 5000 },
  });
  const cfg = path.join(dir, `oracle${i}.json`);
  fs.writeFileSync(cfg, JSON.stringify({ dataDir: `data${i}`, nodes: [proxy.url], identity: { keyFile: keys.identity, difficulty: 0 }, dlcKeyFile: keys.dlc, capabilities: [cap('c1'), cap('c2')], admin: { port: 0 }, checkIntervalSec: 1, retry: { initialMs: 100, maxMs: 1000 }, logLevel: 'info' }));
  return { cfg, dataDir: path.join(dir, `data${i}`), pubkey: keys.pubkey, kills: 0, killedBeforeStart: 0 };
}

/** One round: start the daemon and SIGKILL it at a random moment (a fifth of the time during start-up, else within 1.5 s after it started). */
async function killRound(lane: Lane, startupMs: { v: number }): Promise<void> {
  const o: OracleProc = spawnOracle(lane.cfg);
  const t0 = Date.now();
  const early = Math.random() < 0.2;
  if (early) {
    await waitFor(() => o.exit() !== undefined || Date.now() - t0 >= Math.random() * startupMs.v, { intervalMs: 5, timeoutMs: 60_000 });
    if (!o.log().includes('oracle daemon started')) lane.killedBeforeStart++;
  } else {
    await waitFor(() => o.exit() !== undefined || o.log().includes('"msg":"oracle daemon started"'), { intervalMs: 5, timeoutMs: 60_000, message: () => `start: ${o.log()}` });
    startupMs.v = 0.8 * startupMs.v + 0.2 * (Date.now() - t0);
    const until = Date.now() + Math.random() * 1500;
    await waitFor(() => o.exit() !== undefined || Date.now() >= until, { intervalMs: 5, timeoutMs: 10_000 });
  }
  assert.equal(o.exit(), undefined, `the daemon must not exit by itself: ${o.log().slice(-2000)}`);
  o.proc.kill('SIGKILL');
  await waitFor(() => o.exit() !== undefined, { timeoutMs: 10_000, message: 'the killed daemon to go' });
  lane.kills++;
}

describe('mega-oracle under SIGKILL', () => {
  it(`never signs two outcomes under one nonce (${ROUNDS} kills over ${LANES} daemons)`, { timeout: 1_800_000 }, async () => {
    const lanes = Array.from({ length: LANES }, (_, i) => makeLane(i));
    const t0 = Date.now();
    await Promise.all(
      lanes.map(async (lane, i) => {
        const startupMs = { v: 1500 };
        const rounds = Math.floor(ROUNDS / LANES) + (i < ROUNDS % LANES ? 1 : 0);
        for (let r = 0; r < rounds; r++) await killRound(lane, startupMs);
      }),
    );
    const killMs = Date.now() - t0;
    let attestations = 0;
    let nonces = 0;
    let sent = 0;
    for (const lane of lanes) {
      // A last clean run publishes whatever the kills left unpublished.
      const o = spawnOracle(lane.cfg);
      try {
        await waitFor(
          async () => {
            if (!o.log().includes('oracle daemon started')) return false;
            const log = new AttestationLog(path.join(lane.dataDir, 'dlc', 'attestations.log'));
            const anns = (await getJson<{ id: string; attested: boolean }[]>((node as Daemon).base, `/announcements?oracle=${lane.pubkey}&chunkSize=1000`)).body;
            const onNode = new Set(anns.filter((a) => a.attested).map((a) => a.id));
            const state = JSON.parse(fs.readFileSync(path.join(lane.dataDir, 'state.json'), 'utf8')) as { events: { announcementId: string; maturityEpoch: number }[] };
            const now = Date.now() / 1000;
            return state.events.filter((e) => e.maturityEpoch < now - 1).every((e) => log.get(e.announcementId) !== undefined && onNode.has(e.announcementId));
          },
          { timeoutMs: 120_000, intervalMs: 200, message: () => `every matured event attested and on the node: ${o.log().slice(-1500)}` },
        );
      } finally {
        await stopOracle(o);
      }
      // The checks: the log, the node's copies and its evidence, nonce by nonce.
      const log = new AttestationLog(path.join(lane.dataDir, 'dlc', 'attestations.log'));
      const anns = (await getJson<{ id: string; announcement: { announcement: string } }[]>((node as Daemon).base, `/announcements?oracle=${lane.pubkey}&chunkSize=1000`)).body;
      assert.ok(anns.length < 1000, 'one page holds them all');
      const signedUnder = new Map<string, Set<string>>();
      for (const a of anns) {
        const details = (await getJson<{ attestation: { attestation: string } | null; equivocation: unknown; nonceReuse: unknown }>((node as Daemon).base, `/announcements/${a.id}`)).body;
        assert.equal(details.equivocation, null, `announcement ${a.id}: the node holds equivocation evidence`);
        assert.equal(details.nonceReuse, null, `announcement ${a.id}: the node holds nonce-reuse evidence`);
        const logged = log.get(a.id);
        if (details.attestation) assert.equal(details.attestation.attestation, logged?.attestation, `announcement ${a.id}: the node's attestation must be the logged one`);
        const ann = decodeAnnouncement(a.announcement.announcement);
        for (const tlv of [details.attestation?.attestation, logged?.attestation]) {
          if (!tlv) continue;
          decodeAttestation(tlv).outcomes.forEach((o, i) => {
            const n = ann.event.nonces[i] as string;
            const set = signedUnder.get(n) ?? new Set<string>();
            set.add(o);
            signedUnder.set(n, set);
          });
        }
        if (logged) attestations++;
      }
      // Every attestation any run of this daemon sent, whatever the node did with it.
      const annById = new Map(anns.map((a) => [a.id, decodeAnnouncement(a.announcement.announcement)]));
      for (const p of proxy.posted) {
        if (p.path !== '/attestation') continue;
        const { announcementId, attestation } = JSON.parse(p.body) as { announcementId: string; attestation: string };
        const ann = annById.get(announcementId);
        if (!ann) continue; // another lane's
        sent++;
        decodeAttestation(attestation).outcomes.forEach((o, i) => {
          const n = ann.event.nonces[i] as string;
          const set = signedUnder.get(n) ?? new Set<string>();
          set.add(o);
          signedUnder.set(n, set);
        });
      }
      for (const [n, outs] of signedUnder) assert.equal(outs.size, 1, `nonce ${n} signed ${[...outs].join(' and ')}`);
      nonces += signedUnder.size;
      const listed = (await getJson<{ id: string; standing: { conflicted: boolean } }[]>((node as Daemon).base, `/oracles?chunkSize=1000`)).body.find((x) => x.id === lane.pubkey);
      assert.equal(listed?.standing.conflicted, false, 'the node holds no proof against the oracle');
    }
    const kills = lanes.reduce((s, l) => s + l.kills, 0);
    assert.equal(kills, ROUNDS, 'every round killed a daemon');
    assert.ok(attestations > 0, 'the daemons attested');
    assert.ok(source.requests() >= attestations, `the source was asked at least once per attestation (${source.requests()} answers, ${attestations} attestations)`);
    process.stderr.write(`# oracle crash loop: ${kills} SIGKILLs in ${(killMs / 1000).toFixed(1)} s over ${LANES} daemons (${lanes.reduce((s, l) => s + l.killedBeforeStart, 0)} during start-up), ${attestations} attestations (${sent} sent), ${nonces} nonces each signed once, ${source.requests()} source answers, 0 equivocations\n`);
  });
});
