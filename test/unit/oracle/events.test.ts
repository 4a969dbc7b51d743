// test/unit/oracle/events.test.ts - owns src/oracle-daemon/events.ts: an announcement is published only after its nonce secrets and its event record are on disk; an attestation only after it is in the log; a failing source is retried with backoff and shown; a value the event cannot sign is never signed; a restart publishes the logged attestation instead of asking the source again; manual outcomes.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { decodeAttestation, verifyAnnouncement, verifyAttestation, decodeAnnouncement } from '../../../src/dlc/index.ts';
import { AttestationLog } from '../../../src/oracle/attestation-log.ts';
import { DlcOracleState } from '../../../src/oracle/dlc-oracle.ts';
import { KeyFileSigner } from '../../../src/oracle/signer.ts';
import { AdBook } from '../../../src/oracle-daemon/ads.ts';
import { parseOracleConfig } from '../../../src/oracle-daemon/config.ts';
import { EventEngine } from '../../../src/oracle-daemon/events.ts';
import { DaemonState } from '../../../src/oracle-daemon/state.ts';
import type { Announcement, Attestation } from '../../../src/protocol/types.ts';
import { waitFor } from '../../helpers/wait.ts';

let dir: string;
let engine: EventEngine | undefined;
const DLC = KeyFileSigner.fromHex('33'.repeat(32));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-events-'));
});
afterEach(() => {
  engine?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Published {
  kind: string;
  entity: Announcement | Attestation;
  /** What was on disk at the moment of publishing. */
  noncesOnDisk: boolean;
  recorded: boolean;
  logged: boolean;
}

async function setup(source: object, descriptor: object = { kind: 'digits', base: 10, nbDigits: 4 }, clock = { now: 1_900_000_000 }) {
  const cfg = parseOracleConfig({ dataDir: dir, nodes: ['http://127.0.0.1:1'], identity: { keyFile: 'x', difficulty: 0 }, dlcKeyFile: 'x', capabilities: [{ name: 'c', keyFile: 'x', question: 'Q', difficulty: 0, event: { descriptor, eventId: 'c-{epoch}', maturity: { type: 'every', seconds: 10 }, announceBeforeSec: 10 }, source }], retry: { initialMs: 50, maxMs: 200 } }, 't', dir);
  const state = new DaemonState(dir);
  const dlc = new DlcOracleState(path.join(dir, 'dlc'), DLC);
  const ads = new AdBook(cfg, { identity: KeyFileSigner.fromHex('11'.repeat(32)), dlc: DLC, capabilities: new Map([['c', KeyFileSigner.fromHex('22'.repeat(32))]]) }, state);
  await ads.prepare();
  const published: Published[] = [];
  const make = (): EventEngine =>
    new EventEngine({
      cfg,
      state,
      dlc,
      ads,
      log: pino({ level: 'silent' }),
      nowSec: () => clock.now,
      publish: (kind, entity) => {
        const id = kind === 'announcement' ? crypto.createHash('sha256').update(Buffer.from((entity as Announcement).announcement, 'hex')).digest('hex') : (entity as Attestation).announcementId;
        published.push({ kind, entity, noncesOnDisk: fs.existsSync(path.join(dir, 'dlc', 'nonces', `${id}.json`)), recorded: JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).events.some((e: { announcementId: string }) => e.announcementId === id), logged: new AttestationLog(path.join(dir, 'dlc', 'attestations.log')).get(id) !== undefined });
      },
    });
  return { cfg, state, dlc, ads, published, clock, make };
}


describe('EventEngine', () => {
  it('publishes an announcement only after its nonces and record are durable, and an attestation only after it is logged', async () => {
    const f = path.join(dir, 'v.json');
    fs.writeFileSync(f, JSON.stringify({ v: 1234 }));
    const s = await setup({ type: 'file', path: f, pointer: '/v' });
    engine = s.make();
    engine.start();
    await waitFor(() => s.published.some((p) => p.kind === 'announcement'), { message: 'an announcement' });
    const ann = s.published.find((p) => p.kind === 'announcement')!;
    assert.equal(ann.noncesOnDisk, true, 'nonce secrets were on disk before the announcement left');
    assert.equal(ann.recorded, true, 'the event was recorded before the announcement left');
    const a = decodeAnnouncement((ann.entity as Announcement).announcement);
    assert.equal(a.event.maturityEpoch, 1_900_000_010);
    assert.equal(a.event.eventId, 'c-1900000010');
    assert.equal(verifyAnnouncement(a, 'dlcspecs-v0'), null);
    s.clock.now = 1_900_000_010; // maturity
    await waitFor(() => s.published.some((p) => p.kind === 'attestation'), { message: 'an attestation' });
    const att = s.published.find((p) => p.kind === 'attestation')!;
    assert.equal(att.logged, true, 'the attestation was logged before it left');
    assert.equal(att.noncesOnDisk, false, 'the nonce secrets are gone once logged');
    const decoded = decodeAttestation((att.entity as Attestation).attestation);
    assert.deepEqual(decoded.outcomes, ['1', '2', '3', '4']);
    assert.equal(verifyAttestation(a, decoded, 'dlcspecs-v0'), null);
    assert.equal(engine.status().attested, 1);
  });

  it('retries a failing source with backoff, shows it, and never signs a value the event cannot sign', async () => {
    const f = path.join(dir, 'v.json');
    fs.writeFileSync(f, JSON.stringify({ v: 'not a number' }));
    const s = await setup({ type: 'file', path: f, pointer: '/v' }, { kind: 'digits', base: 10, nbDigits: 4 }, { now: 1_900_000_005 });
    engine = s.make();
    engine.start();
    await waitFor(() => s.published.some((p) => p.kind === 'announcement'));
    s.clock.now = 1_900_000_010;
    await waitFor(() => (engine!.status().failures[0]?.attempts ?? 0) >= 2, { message: 'two failed attempts' });
    const fail = engine.status().failures[0]!;
    assert.equal(fail.code, 'not-a-number');
    assert.equal(fail.capability, 'c');
    assert.equal(s.published.filter((p) => p.kind === 'attestation').length, 0, 'nothing signed');
    fs.writeFileSync(f, JSON.stringify({ v: 7 }));
    await waitFor(() => s.published.some((p) => p.kind === 'attestation'), { message: 'the attestation once the source answers' });
    assert.deepEqual(engine.status().failures, []);
  });

  it('after a restart publishes the logged attestation, never asking the source again', async () => {
    const f = path.join(dir, 'v.json');
    fs.writeFileSync(f, JSON.stringify({ v: 11 }));
    const s = await setup({ type: 'file', path: f, pointer: '/v' });
    engine = s.make();
    engine.start();
    await waitFor(() => s.published.some((p) => p.kind === 'announcement'));
    s.clock.now = 1_900_000_010;
    await waitFor(() => s.published.some((p) => p.kind === 'attestation'));
    engine.stop();
    fs.writeFileSync(f, JSON.stringify({ v: 22 })); // the source changed its mind
    engine = s.make();
    engine.start();
    const pub = engine.published().find((e) => e.attestation !== null)!;
    assert.deepEqual(decodeAttestation(pub.attestation!.attestation).outcomes, ['0', '0', '1', '1'], 'the logged outcome, not the new value');
    assert.equal(engine.status().awaitingOutcome, 0);
  });

  it('manual: waits for an outcome, checks it against the descriptor, attests at maturity, refuses a second one', async () => {
    const s = await setup({ type: 'manual' }, { kind: 'enum', outcomes: ['yes', 'no'] });
    engine = s.make();
    engine.start();
    await waitFor(() => s.published.some((p) => p.kind === 'announcement'));
    assert.deepEqual(engine.postManual('c', { maturityEpoch: 1_900_000_010 }, 'maybe'), { status: 'invalid', code: 'not-an-outcome', message: '"maybe" is not one of the outcomes ["yes","no"]' });
    assert.deepEqual(engine.postManual('c', { eventId: 'nope' }, 'yes'), { status: 'unknown-event' });
    assert.deepEqual(engine.postManual('other', { eventId: 'nope' }, 'yes'), { status: 'unknown-event' });
    s.clock.now = 1_900_000_010;
    await waitFor(() => engine!.status().failures[0]?.code === 'waiting-for-manual-outcome', { message: 'waiting shown in the status' });
    assert.equal(engine.postManual('c', { eventId: 'c-1900000010' }, 'no').status, 'stored');
    await waitFor(() => s.published.some((p) => p.kind === 'attestation'));
    assert.deepEqual(decodeAttestation((s.published.find((p) => p.kind === 'attestation')!.entity as Attestation).attestation).outcomes, ['no']);
    assert.deepEqual(engine.postManual('c', { maturityEpoch: 1_900_000_010 }, 'yes'), { status: 'attested', event: 'c@1900000010', outcomes: ['no'] });
  });
});
