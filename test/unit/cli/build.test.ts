/** test/unit/cli/build.test.ts - every building command of `mega` (run as a child process; variants in-process) prints a message that verifies with src/protocol. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { reportId } from '../../../src/protocol/ids.ts';
import { publicKeyOf } from '../../../src/protocol/keys.ts';
import { capabilityPreimage, checkPow, oraclePreimage, reportPreimage } from '../../../src/protocol/pow.ts';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import type { Dispute, Fact, OracleCapability, OracleId, Report } from '../../../src/protocol/types.ts';
import { isFactSignatureValid, verifyCapability, verifyDispute, verifyOracleId, verifyReportFacts } from '../../../src/protocol/verify.ts';
import { removeDir, runCli, runJson, runMain, tempDir, type CliRunOptions } from './run-cli.ts';
import { makeKeys, makePaymentProof } from '../../helpers/factory.ts';

const D = '6'; // difficulty: milliseconds of mining, still checked exactly
const schemas = SchemaRegistry.load();
let dir: string;
const file = (name: string) => path.join(dir, name);
const readJson = <T>(name: string): T => JSON.parse(fs.readFileSync(file(name), 'utf8')) as T;

interface KeyFile {
  privateKey: string;
  publicKey: string;
}
let oracleKey: KeyFile;
let capKey: KeyFile;
let oracle: OracleId;
let capability: OracleCapability;
let yes: Fact;
let no: Fact;
let conflict: Report;
let missing: Report;
let disagrees: Report;
let disagreesStderr: string;
let missingFact: Fact;
let dispute: Dispute;
let disputeById: Dispute;

/** Run mega, save its stdout as `name` and return the parsed JSON. */
async function save<T>(name: string, args: string[]): Promise<T> {
  const out = await runJson<T>(args);
  fs.writeFileSync(file(name), JSON.stringify(out));
  return out;
}

/** In-process `mega` (same main() as the binary) for variants of what before() ran as real processes. */
async function mainJson<T>(args: string[], opts: CliRunOptions = {}): Promise<T> {
  const r = await runMain(args, opts);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

const lookup = (o: string, c: string) => (o === capability.oraclePubKey && c === capability.capabilityPubKey ? capability : undefined);

before(async () => {
  dir = tempDir();
  await Promise.all([runJson(['keygen', '--out', file('oracle.key')]), runJson(['keygen', '--out', file('cap.key')])]);
  oracleKey = readJson('oracle.key');
  capKey = readJson('cap.key');
  const args = ['--arg', 'city=Paris', '--arg', 'date=2024-06-01'];
  [oracle, capability, yes, no] = await Promise.all([
    save<OracleId>('oracle.json', ['oracle', '--key-file', file('oracle.key'), '--seq', '3', '--ttl', '7', '-d', D, '--workers', '1',
      '--tag', 'weather', '-t', 'eu', '--manifest-uri', 'https://example.org/oracle.json', '--bid-amount', '1000', '--bid-proof', 'lnproof', '--bid-type', 'lightning']),
    save<OracleCapability>('cap.json', ['capability', '--oracle-key-file', file('oracle.key'), '--capability-pubkey', capKey.publicKey,
      '--question', 'Will it rain in {city} on {date}?', '--param', 'city=Paris,Berlin', '--param', 'date=', '--answer', 'yes', '--answer', 'no',
      '--tag', 'weather', '--endpoint', 'https://example.org/ask', '--seq', '2', '-d', D, '--workers', '1']),
    save<Fact>('yes.json', ['fact', '--key-file', file('cap.key'), ...args, '--answer', 'yes']),
    save<Fact>('no.json', ['fact', '--capability-key', capKey.privateKey, ...args, '--answer', 'no']),
  ]);
  const common = ['-d', D, '--workers', '1'];
  const dis = await runCli(['report', 'fact-disagrees-with-public', '--oracle', oracleKey.publicKey, '--fact', file('yes.json'), '--comment', 'it was sunny', ...common]);
  assert.equal(dis.code, 0, dis.stderr);
  disagrees = JSON.parse(dis.stdout) as Report;
  disagreesStderr = dis.stderr;
  [conflict, missing] = await Promise.all([
    save<Report>('conflict.json', ['report', 'fact-conflict', '--fact', file('yes.json'), '--fact', file('no.json'), '--capability', file('cap.json'), '--ttl', '4', ...common]),
    save<Report>('missing.json', ['report', 'fact-missing', '--oracle', oracleKey.publicKey, '--capability-pubkey', capKey.publicKey,
      '--arg', 'city=Berlin', '--payment-proof', 'lnbc1', '--payment-amount', '5000', '--payment-type', 'lightning', '--seq', '1', ...common]),
  ]);
  missingFact = await save<Fact>('mfact.json', ['fact', '--key-file', file('cap.key'), '--request', file('missing.json'), '--answer', 'rain']);
  [dispute, disputeById] = await Promise.all([
    runJson<Dispute>(['dispute', '--report', file('missing.json'), '--fact', file('mfact.json')]),
    runJson<Dispute>(['dispute', '--report-id', reportId(missing), '--oracle', oracleKey.publicKey, '--fact', file('mfact.json')]),
  ]);
});

after(() => removeDir(dir));

describe('mega keygen', () => {
  test('--out writes a private (0600) key file and prints only the public key', () => {
    assert.equal(fs.statSync(file('oracle.key')).mode & 0o777, 0o600);
    assert.equal(publicKeyOf(oracleKey.privateKey), oracleKey.publicKey);
    assert.notEqual(oracleKey.publicKey, capKey.publicKey);
  });

  test('without --out it prints a key pair; an existing --out file is not overwritten', async () => {
    const pair = await mainJson<KeyFile>(['keygen']);
    assert.equal(publicKeyOf(pair.privateKey), pair.publicKey);
    const again = await runMain(['keygen', '--out', file('oracle.key')]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists; refusing to overwrite/);
    assert.deepEqual(readJson<KeyFile>('oracle.key'), oracleKey);
  });
});

describe('mega oracle', () => {
  test('prints a schema-valid, signed, mined OracleId with the flags applied', () => {
    assert.deepEqual(schemas.validateEntity('oracle', oracle), { ok: true });
    assert.equal(verifyOracleId(oracle), null);
    assert.equal(checkPow(oracle.pow, oraclePreimage(oracle)), null);
    assert.equal(oracle.pow.difficulty, 6);
    assert.equal(oracle.pubkey, oracleKey.publicKey);
    assert.equal(oracle.seqNo, 3);
    assert.equal(oracle.cTTL, 7);
    assert.deepEqual(oracle.tags, ['weather', 'eu']);
    assert.deepEqual(oracle.bid, { amount: 1000, proof: 'lnproof', paymentType: 'lightning' });
    assert.equal(oracle.manifestUri, 'https://example.org/oracle.json');
  });

  test('--key-file, --key and $MEGA_PRIVATE_KEY sign the same ad (one mining thread makes the PoW deterministic)', async () => {
    const args = ['oracle', '-d', '4', '--workers', '1'];
    const [a, b, c] = await Promise.all([
      mainJson<OracleId>([...args, '--key-file', file('oracle.key')]),
      mainJson<OracleId>([...args, '--key', oracleKey.privateKey]),
      mainJson<OracleId>(args, { env: { MEGA_PRIVATE_KEY: oracleKey.privateKey } }),
    ]);
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    assert.equal(verifyOracleId(a), null);
  });

  test('--previous with --previous-key-file rotates to a new key', async () => {
    await mainJson(['keygen', '--out', file('new.key')]);
    const rotated = await mainJson<OracleId>(['oracle', '--key-file', file('new.key'), '--previous', file('oracle.json'), '--previous-key-file', file('oracle.key'), '-d', '4']);
    assert.equal(verifyOracleId(rotated), null);
    assert.deepEqual(rotated.previousId, oracle);
    assert.equal(checkPow(rotated.pow, oraclePreimage(rotated)), null);
  });
});

describe('mega capability and mega fact', () => {
  test('the capability is signed by the oracle key, mined, and carries params, answers and tags', () => {
    assert.deepEqual(schemas.validateEntity('capability', capability), { ok: true });
    assert.equal(verifyCapability(capability), null);
    assert.equal(checkPow(capability.pow, capabilityPreimage(capability)), null);
    assert.equal(capability.oraclePubKey, oracleKey.publicKey);
    assert.equal(capability.capabilityPubKey, capKey.publicKey);
    assert.deepEqual(capability.params, [{ name: 'city', values: ['Paris', 'Berlin'] }, { name: 'date', values: [] }]);
    assert.deepEqual(capability.answers, ['yes', 'no']);
    assert.equal(capability.endpoint, 'https://example.org/ask');
    assert.equal(capability.seqNo, 2);
  });

  test('facts are signed by the capability key over their request', () => {
    for (const f of [yes, no, missingFact]) {
      assert.equal(schemas.component('Fact')(f), true, 'expected the built fact to match the Fact schema');
      assert.equal(isFactSignatureValid(f), true, "expected the fact's signature to verify");
    }
    assert.deepEqual(yes.request, { capabilityPubKey: capKey.publicKey, arguments: { city: 'Paris', date: '2024-06-01' } });
    assert.equal(yes.answer, 'yes');
    assert.deepEqual(missingFact.request, (missing.content as { request: unknown }).request);
  });
});

describe('mega report', () => {
  test('each report type is schema-valid, mined over its id preimage, and its facts verify', () => {
    for (const r of [conflict, missing, disagrees]) {
      assert.deepEqual(schemas.validateEntity('report', r), { ok: true });
      assert.equal(checkPow(r.pow, reportPreimage(r)), null);
      assert.equal(r.pow.difficulty, 6);
      assert.equal(r.oraclePubKey, oracleKey.publicKey);
      assert.equal(verifyReportFacts(r, lookup), null);
    }
  });

  test('fact-conflict embeds both facts and the capability; its ownership proof needs no store', () => {
    assert.equal(conflict.content.type, 'fact-conflict');
    assert.deepEqual(conflict.content, { type: 'fact-conflict', request: yes.request, facts: [yes, no], capability });
    assert.equal(conflict.cTTL, 4);
    assert.equal(verifyReportFacts(conflict, () => undefined), null);
  });

  test('fact-missing carries the request and the payment proof', () => {
    assert.deepEqual(missing.content, {
      type: 'fact-missing',
      request: { capabilityPubKey: capKey.publicKey, arguments: { city: 'Berlin' } },
      payment: { proof: 'lnbc1', amount: 5000, paymentType: 'lightning' },
    });
    assert.equal(missing.seqNo, 1);
  });

  test('fact-missing with --capability, --payment-invoice and --preimage embeds the ad and a payment proof that verifies', async () => {
    const ln = makeKeys(1481);
    const paidCap = await mainJson<OracleCapability>(['capability', '--oracle-key-file', file('oracle.key'), '--capability-pubkey', capKey.publicKey,
      '--question', 'Will it rain in {city}?', '--lightning-node-id', ln.publicKey, '-d', D, '--workers', '1']);
    assert.equal(paidCap.lightningNodeId, ln.publicKey, 'expected the capability to carry the node id');
    fs.writeFileSync(file('paidcap.json'), JSON.stringify(paidCap));
    const request = { capabilityPubKey: capKey.publicKey, arguments: { city: 'Oslo' } };
    const pay = makePaymentProof(ln, request);
    const base = ['report', 'fact-missing', '--oracle', oracleKey.publicKey, '--capability-pubkey', capKey.publicKey, '--arg', 'city=Oslo', '--capability', file('paidcap.json'), '-d', D, '--workers', '1'];
    const paid = await mainJson<Report>([...base, '--payment-invoice', pay.invoice as string, '--preimage', pay.preimage as string]);
    assert.deepEqual(paid.content, { type: 'fact-missing', request, payment: { proof: 'lightning invoice and preimage', invoice: pay.invoice, preimage: pay.preimage }, capability: paidCap }, 'expected invoice, preimage and ad in the report');
    assert.equal(verifyReportFacts(paid, () => undefined), null, 'expected the report to verify with its embedded ad');
    const wrong = await runMain([...base, '--payment-invoice', pay.invoice as string, '--preimage', '00'.repeat(32)]);
    assert.equal(wrong.code, 1, 'expected a wrong preimage refused offline');
    assert.match(wrong.stdout + wrong.stderr, /payment-invalid|preimage/, 'expected the reason named');
    const half = await runMain([...base, '--preimage', pay.preimage as string]);
    assert.equal(half.code, 2, 'expected --preimage without --payment-invoice to be a usage error');
  });

  test('fact-disagrees-with-public carries the fact and comment, and notes the capability is not embedded', () => {
    assert.deepEqual(disagrees.content, { type: 'fact-disagrees-with-public', request: yes.request, fact: yes, comment: 'it was sunny' });
    assert.match(disagreesStderr, /capability ad is not embedded/);
  });
});

describe('mega dispute and mega id', () => {
  test('the dispute answers the stored fact-missing report and verifies against it', () => {
    assert.deepEqual(schemas.validateEntity('dispute', dispute), { ok: true });
    assert.deepEqual(dispute, { reportId: reportId(missing), oraclePubKey: oracleKey.publicKey, fact: missingFact });
    assert.deepEqual(disputeById, dispute);
    assert.equal(verifyDispute(dispute, missing, lookup), null);
  });

  test('mega id prints the ids a node uses', async () => {
    const [r, o, c] = await Promise.all([
      runJson<{ type: string; id: string }>(['id', file('missing.json')]),
      mainJson<{ type: string; id: string }>(['id', '-'], { input: JSON.stringify(oracle) }),
      mainJson<{ type: string; id: string }>(['id', file('cap.json'), '--type', 'capability']),
    ]);
    assert.deepEqual(r, { type: 'report', id: reportId(missing) });
    assert.deepEqual(o, { type: 'oracle', id: oracle.pubkey });
    assert.deepEqual(c, { type: 'capability', id: capability.capabilityPubKey });
  });
});
