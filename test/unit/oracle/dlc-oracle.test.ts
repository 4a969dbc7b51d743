// test/unit/oracle/dlc-oracle.test.ts - owns the oracle-side key safety (src/oracle/): nonce secrets stored (0600, fsynced) before an announcement is returned; one attestation per announcement, logged before it is returned, the same outcome answered from the log, a different one refused; a torn log tail cut, a damaged log refused; the state folder lock; key files refused when readable by others and never serialised with the secret.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeAnnouncement, secretFromHex, verifyAnnouncement, verifyAttestation, xOnlyFromSecret, toHex, type EventDescriptor } from '../../../src/dlc/index.ts';
import { AttestationLog, AttestationLogError } from '../../../src/oracle/attestation-log.ts';
import { AttestRefused, DlcOracleState } from '../../../src/oracle/dlc-oracle.ts';
import { withDirLock } from '../../../src/oracle/durable.ts';
import { KeyFileSigner } from '../../../src/oracle/signer.ts';

const SECRET = '11'.repeat(32);
const OTHER = '22'.repeat(32);
const ENUM: EventDescriptor = { kind: 'enum', outcomes: ['yes', 'no'] };
const DIGITS: EventDescriptor = { kind: 'digits', base: 10, isSigned: false, unit: 'usd', precision: 0, nbDigits: 3 };
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-oracle-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const state = (secret = SECRET): DlcOracleState => new DlcOracleState(path.join(dir, 'state'), KeyFileSigner.fromHex(secret));
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

describe('DLC oracle state: announce', () => {
  it('stores the nonce secrets (mode 0600, folder 0700) before returning, and they give exactly the committed nonces', () => {
    const p = state().announce({ maturityEpoch: 1_800_000_000, descriptor: DIGITS, eventId: 'e1', version: 'dlcspecs-v0' });
    assert.equal(verifyAnnouncement(p.announcement, 'dlcspecs-v0'), null, 'the announcement must verify');
    assert.deepEqual(decodeAnnouncement(p.tlv), p.announcement, 'the TLV must decode to the returned announcement');
    const file = path.join(dir, 'state', 'nonces', `${p.id}.json`);
    assert.equal(mode(file), 0o600, 'nonce secrets must be private');
    assert.equal(mode(path.join(dir, 'state', 'nonces')), 0o700);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { secrets: string[]; nonces: string[] };
    assert.deepEqual(stored.secrets.map((s) => toHex(xOnlyFromSecret(secretFromHex(s)))), p.announcement.event.nonces, 'each stored secret must give its committed nonce');
    const again = state().announce({ maturityEpoch: 1_800_000_000, descriptor: DIGITS, eventId: 'e1', version: 'dlcspecs-v0' });
    assert.equal(again.announcement.event.nonces.filter((n) => p.announcement.event.nonces.includes(n)).length, 0, 'a new announcement never reuses a nonce');
  });
});

describe('DLC oracle state: attest', () => {
  it('logs the attestation before returning it, removes the nonce secrets after, and answers the same outcome from the log', () => {
    const st = state();
    const p = st.announce({ maturityEpoch: 1_800_000_000, descriptor: ENUM, eventId: 'e', version: 'dlcspecs-v0' });
    const a = st.attest(p.tlv, ['yes'], 'dlcspecs-v0');
    assert.equal(a.fromLog, false);
    assert.equal(verifyAttestation(p.announcement, a.attestation, 'dlcspecs-v0'), null, 'the attestation must verify against its announcement');
    const log = new AttestationLog(path.join(dir, 'state', 'attestations.log'));
    assert.equal(log.get(p.id)?.attestation, a.tlv, 'the returned attestation is the logged one');
    assert.equal(mode(path.join(dir, 'state', 'attestations.log')), 0o600);
    assert.equal(fs.existsSync(path.join(dir, 'state', 'nonces', `${p.id}.json`)), false, 'the nonce secrets are gone once the attestation is logged');
    const again = st.attest(p.tlv, ['yes'], 'dlcspecs-v0');
    assert.deepEqual([again.fromLog, again.tlv], [true, a.tlv], 'the same outcome again is the logged attestation, byte for byte');
  });

  it('refuses a different outcome for an attested announcement, from any later process (the log survives)', () => {
    const p = state().announce({ maturityEpoch: 1_800_000_000, descriptor: ENUM, eventId: 'e', version: 'basic-sha256' });
    state().attest(p.tlv, ['no'], 'basic-sha256');
    assert.throws(() => state().attest(p.tlv, ['yes'], 'basic-sha256'), (e: unknown) => e instanceof AttestRefused && e.code === 'already-attested-differently');
  });

  it('refuses an announcement it has no nonces for, and one of another key', () => {
    const theirs = new DlcOracleState(path.join(dir, 'theirs'), KeyFileSigner.fromHex(OTHER)).announce({ maturityEpoch: 1, descriptor: ENUM, eventId: 'x', version: 'dlcspecs-v0' });
    assert.throws(() => state().attest(theirs.tlv, ['yes'], 'dlcspecs-v0'), (e: unknown) => e instanceof AttestRefused && e.code === 'wrong-key');
    const mine = state().announce({ maturityEpoch: 1, descriptor: ENUM, eventId: 'y', version: 'dlcspecs-v0' });
    fs.rmSync(path.join(dir, 'state', 'nonces', `${mine.id}.json`));
    assert.throws(() => state().attest(mine.tlv, ['yes'], 'dlcspecs-v0'), (e: unknown) => e instanceof AttestRefused && e.code === 'unknown-nonces');
  });

  it('refuses outcomes the descriptor does not allow without logging anything', () => {
    const st = state();
    const p = st.announce({ maturityEpoch: 1, descriptor: ENUM, eventId: 'e', version: 'dlcspecs-v0' });
    assert.throws(() => st.attest(p.tlv, ['maybe'], 'dlcspecs-v0'));
    assert.equal(new AttestationLog(path.join(dir, 'state', 'attestations.log')).size, 0, 'a refused outcome leaves no log line');
    assert.equal(st.attest(p.tlv, ['no'], 'dlcspecs-v0').fromLog, false, 'and the event can still be attested');
  });
});

describe('attestation log', () => {
  it('cuts a torn last line (a crash mid-append) and keeps the rest', () => {
    const st = state();
    const p = st.announce({ maturityEpoch: 1, descriptor: ENUM, eventId: 'e', version: 'dlcspecs-v0' });
    st.attest(p.tlv, ['yes'], 'dlcspecs-v0');
    const file = path.join(dir, 'state', 'attestations.log');
    const good = fs.readFileSync(file, 'utf8');
    fs.appendFileSync(file, '{"r":{"announcementId":"ab'); // torn
    const log = new AttestationLog(file);
    assert.equal(log.size, 1);
    assert.equal(fs.readFileSync(file, 'utf8'), good, 'the torn tail is cut so the next line is not glued onto it');
  });

  it('refuses a log with a damaged line before the end (an operator must restore it)', () => {
    const st = state();
    for (const id of ['a', 'b']) {
      const p = st.announce({ maturityEpoch: 1, descriptor: ENUM, eventId: id, version: 'dlcspecs-v0' });
      st.attest(p.tlv, ['yes'], 'dlcspecs-v0');
    }
    const file = path.join(dir, 'state', 'attestations.log');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('"yes"', '"yez"')); // first line damaged, second intact
    assert.throws(() => new AttestationLog(file), AttestationLogError);
  });
});

describe('state folder lock and key files', () => {
  it('a live owner of the LOCK makes another signer fail at once; a dead owner is taken over', () => {
    const d = path.join(dir, 'lockdir');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'LOCK'), String(process.ppid)); // a live process
    assert.throws(() => withDirLock(d, () => 1), /in use by process/);
    fs.writeFileSync(path.join(d, 'LOCK'), '999999999'); // no such process
    assert.equal(withDirLock(d, () => 42), 42);
    assert.equal(fs.existsSync(path.join(d, 'LOCK')), false, 'the lock is released after');
  });

  it('refuses a key file readable by others, writes new ones 0600, and never serialises the secret', () => {
    const f = path.join(dir, 'k.json');
    const s = KeyFileSigner.create(f, SECRET);
    assert.equal(mode(f), 0o600);
    assert.equal(KeyFileSigner.fromFile(f).dlcKey, s.dlcKey);
    assert.equal(JSON.stringify(s).includes(SECRET), false, 'JSON of a signer must not contain the secret');
    fs.chmodSync(f, 0o644);
    assert.throws(() => KeyFileSigner.fromFile(f), /readable by others/);
    assert.throws(() => KeyFileSigner.create(f, SECRET), /EEXIST/);
  });
});

describe('DLC oracle state: what the daemon needs', () => {
  it('reads the log under the lock, and discards only the nonces of announcements never recorded', () => {
    const st = state();
    const kept = st.announce({ maturityEpoch: 1_800_000_000, descriptor: ENUM, eventId: 'kept', version: 'dlcspecs-v0' });
    const orphan = st.announce({ maturityEpoch: 1_800_000_000, descriptor: ENUM, eventId: 'orphan', version: 'dlcspecs-v0' });
    assert.deepEqual(st.discardUnpublished(new Set([kept.id])), [orphan.id]);
    assert.equal(fs.existsSync(path.join(dir, 'state', 'nonces', `${orphan.id}.json`)), false);
    assert.equal(fs.existsSync(path.join(dir, 'state', 'nonces', `${kept.id}.json`)), true, 'recorded announcements keep their nonces');
    st.attest(kept.tlv, ['yes']);
    assert.deepEqual(st.attestations().get(kept.id)?.outcomes, ['yes']);
    assert.throws(() => st.attest(orphan.tlv, ['no']), (e: unknown) => e instanceof AttestRefused && e.code === 'unknown-nonces', 'a discarded announcement can never be attested');
  });

  it('takes over a lifetime lock naming a dead process or this one (a pid reused after kill -9)', async () => {
    const { acquireDirLock } = await import('../../../src/oracle/durable.ts');
    fs.mkdirSync(path.join(dir, 'd'));
    fs.writeFileSync(path.join(dir, 'd', 'daemon.lock'), String(process.pid));
    const release = acquireDirLock(path.join(dir, 'd'), 'daemon.lock');
    assert.equal(fs.readFileSync(path.join(dir, 'd', 'daemon.lock'), 'utf8'), String(process.pid));
    release();
    assert.equal(fs.existsSync(path.join(dir, 'd', 'daemon.lock')), false);
    fs.writeFileSync(path.join(dir, 'd', 'daemon.lock'), String(process.ppid)); // a live other process
    assert.throws(() => acquireDirLock(path.join(dir, 'd'), 'daemon.lock'), /in use by process/);
  });
});
