// test/unit/cli/dlc.test.ts - owns `mega dlc`: keygen writes a private key file, announce prints a verifiable announcement only after its nonces are stored, attest prints a verifiable attestation and refuses a second outcome with exit 1, verify exits 0 for valid and 1 for tampered input, usage errors exit 2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeAttestation } from '../../../src/dlc/index.ts';
import { runCli } from './run-cli.ts';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-cli-dlc-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mega dlc', () => {
  it('keygen → announce → attest → verify, and a second outcome is refused', async () => {
    const key = path.join(dir, 'dlc.key');
    const k = await runCli(['dlc', 'keygen', '--out', key]);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(fs.statSync(key).mode & 0o777, 0o600, 'the key file is private');
    const dlcKey = (JSON.parse(k.stdout) as { dlcKey: string }).dlcKey;
    assert.match(dlcKey, /^[0-9a-f]{64}$/);
    const state = path.join(dir, 'state');
    const a = await runCli(['dlc', 'announce', '--key-file', key, '--state-dir', state, '--event-id', 'temp-paris', '--maturity', '2027-06-01T12:00:00Z', '--digits', '4', '--base', '10', '--signed', '--unit', 'C', '--precision=-1']);
    assert.equal(a.code, 0, a.stderr);
    const ann = JSON.parse(a.stdout) as { id: string; announcement: string; event: { oracleKey: string; nonces: string[]; maturity: string } };
    assert.equal(ann.event.oracleKey, dlcKey);
    assert.equal(ann.event.nonces.length, 5, 'a signed 4-digit event commits 5 nonces (sign + digits)');
    assert.equal(ann.event.maturity, '2027-06-01T12:00:00.000Z');
    assert.ok(fs.existsSync(path.join(state, 'nonces', `${ann.id}.json`)), 'the nonce secrets are on disk');
    const annFile = path.join(dir, 'ann.json');
    fs.writeFileSync(annFile, a.stdout);
    const t = await runCli(['dlc', 'attest', '--key-file', key, '--state-dir', state, '--announcement', annFile, '--value=-123']);
    assert.equal(t.code, 0, t.stderr);
    const entity = JSON.parse(t.stdout) as { announcementId: string; attestation: string };
    assert.equal(entity.announcementId, ann.id, 'attest prints the Mega attestation entity of this announcement');
    assert.deepEqual(decodeAttestation(entity.attestation).outcomes, ['-', '0', '1', '2', '3']);
    assert.match(t.stderr, /attested \[-, 0, 1, 2, 3\]/);
    const attFile = path.join(dir, 'att.json');
    fs.writeFileSync(attFile, t.stdout);
    const v = await runCli(['dlc', 'verify', '--announcement', annFile, '--attestation', attFile]);
    assert.equal(v.code, 0, v.stdout);
    assert.equal((JSON.parse(v.stdout) as { attestation: { value: string } }).attestation.value, '-123');
    const twice = await runCli(['dlc', 'attest', '--key-file', key, '--state-dir', state, '--announcement', annFile, '--value', '5']);
    assert.equal(twice.code, 1, 'a second, different outcome must be refused');
    assert.match(twice.stderr, /already-attested-differently/);
    const wrongVersion = await runCli(['dlc', 'verify', '--announcement', annFile, '--signing-version', 'basic-sha256']);
    assert.equal(wrongVersion.code, 1, 'an announcement does not verify under the other signing version');
  });

  it('usage errors exit 2', async () => {
    assert.equal((await runCli(['dlc'])).code, 2);
    assert.equal((await runCli(['dlc', 'frobnicate'])).code, 2);
    assert.equal((await runCli(['dlc', 'verify', '--announcement', 'ab', '--signing-version', 'v9'])).code, 2);
  });
});
