/** test/unit/cli/verify.test.ts - `mega verify` accepts valid messages and names the reason for tampered ones; exit 0 valid, 1 invalid (process runs plus in-process tables). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reportId } from '../../../src/protocol/ids.ts';
import { OWNERSHIP_NOTE } from '../../../src/cli/check.ts';
import { generateKeyPair, type KeyPair } from '../../../src/protocol/keys.ts';
import { capabilityPreimage, minePowSync, oraclePreimage, reportPreimage } from '../../../src/protocol/pow.ts';
import { signCapability, signFact, signOracleId } from '../../../src/protocol/sign.ts';
import type { Dispute, Fact, OracleCapability, OracleId, Pow, Report } from '../../../src/protocol/types.ts';
import { removeDir, runCli, runMain, tempDir, writeJson } from './run-cli.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';

interface VerifyOutput {
  valid: boolean;
  type: string | null;
  id?: string;
  reason?: string;
  message?: string;
  notes?: string[];
}

const placeholder: Pow = { difficulty: 0, algorithm: 'SHA256', hash: '0'.repeat(64), magicNo: 0 };
let dir: string;
let oracleKeys: KeyPair;
let capKeys: KeyPair;
let oracle: OracleId;
let capability: OracleCapability;
let yes: Fact;
let no: Fact;
let conflict: Report;
let missing: Report;
let dispute: Dispute;

const mined = <T extends { pow: Pow }>(m: T, preimage: string): T => ({ ...m, pow: minePowSync(preimage, 4) });
const reportOf = (content: Report['content']): Report => {
  const r: Report = { oraclePubKey: oracleKeys.publicKey, seqNo: 0, cTTL: 5, pow: placeholder, content };
  return mined(r, reportPreimage(r));
};

/** Write `value` to a file and run `mega verify` on it (in-process; the first suite covers the real process). */
async function verify(name: string, value: unknown, extra: string[] = []): Promise<{ code: number | null; out: VerifyOutput; stderr: string }> {
  const p = writeJson(dir, name, value);
  const r = await runMain(['verify', p, ...extra]);
  return { code: r.code, out: JSON.parse(r.stdout) as VerifyOutput, stderr: r.stderr };
}

before(() => {
  dir = tempDir();
  oracleKeys = generateKeyPair();
  capKeys = generateKeyPair();
  const o = signOracleId({ pubkey: oracleKeys.publicKey, seqNo: 0, cTTL: 5, pow: placeholder, bid: { amount: 0, proof: '' } }, oracleKeys.privateKey);
  oracle = mined(o, oraclePreimage(o));
  const c = signCapability({ oraclePubKey: oracleKeys.publicKey, capabilityPubKey: capKeys.publicKey, question: 'Rain?', seqNo: 0, cTTL: 5, pow: placeholder }, oracleKeys.privateKey);
  capability = mined(c, capabilityPreimage(c));
  const request = { capabilityPubKey: capKeys.publicKey, arguments: { city: 'Paris' } };
  yes = signFact(request, 'yes', capKeys.privateKey);
  no = signFact(request, 'no', capKeys.privateKey);
  conflict = reportOf({ type: 'fact-conflict', request, facts: [yes, no], capability });
  missing = reportOf({ type: 'fact-missing', request });
  dispute = { reportId: reportId(missing), oraclePubKey: oracleKeys.publicKey, fact: yes };
});

after(() => removeDir(dir));

describe('the mega verify process', { concurrency: true }, () => {
  test('exits 0 for a valid message and 1 for a tampered one, reading files and stdin', async () => {
    const good = writeJson(dir, 'p-good.json', conflict);
    const [valid, tampered] = await Promise.all([
      runCli(['verify', good]),
      runCli(['verify', '-'], { input: JSON.stringify({ ...oracle, seqNo: 9 }) }),
    ]);
    assert.equal(valid.code, 0, valid.stderr);
    assert.deepEqual(JSON.parse(valid.stdout), { valid: true, type: 'report', id: reportId(conflict) });
    assert.equal(valid.stderr, '');
    assert.equal(tampered.code, 1);
    assert.deepEqual(JSON.parse(tampered.stdout), {
      valid: false,
      type: 'oracle',
      id: oracle.pubkey,
      reason: 'signature-invalid',
      message: 'oracleSignature does not verify against pubkey',
    });
  });
});

describe('mega verify', () => {
  test('valid messages of every type: exit 0, {valid: true, type, id}', async () => {
    const cases: [string, unknown, string, string | undefined][] = [
      ['oracle.json', oracle, 'oracle', oracle.pubkey],
      ['cap.json', capability, 'capability', capability.capabilityPubKey],
      ['fact.json', yes, 'fact', undefined],
      ['conflict.json', conflict, 'report', reportId(conflict)],
    ];
    const runs = await Promise.all(cases.map(([name, v]) => verify(name, v)));
    runs.forEach((r, i) => {
      const [, , type, id] = cases[i] as [string, unknown, string, string | undefined];
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.out, id === undefined ? { valid: true, type } : { valid: true, type, id });
    });
  });

  test('tampered messages: exit 1 with the reason a node would give', async () => {
    const cases: [string, unknown, string][] = [
      ['t-oracle-seq.json', { ...oracle, seqNo: 1 }, 'signature-invalid'],
      ['t-oracle-pow.json', { ...oracle, pow: { ...oracle.pow, magicNo: oracle.pow.magicNo + 1 } }, 'pow-invalid'],
      ['t-oracle-extra.json', { ...oracle, extra: 1 }, 'schema-violation'],
      ['t-cap-question.json', { ...capability, question: 'Snow?' }, 'signature-invalid'],
      ['t-fact-answer.json', { ...yes, answer: 'maybe' }, 'fact-signature-invalid'],
      ['t-conflict-same.json', reportOf({ type: 'fact-conflict', request: yes.request, facts: [yes, yes], capability }), 'conflict-answers-equal'],
      ['t-report-pow.json', { ...conflict, pow: { ...conflict.pow, difficulty: 255 } }, 'pow-invalid'],
    ];
    const runs = await Promise.all(cases.map(([name, v]) => verify(name, v)));
    runs.forEach((r, i) => {
      const [name, , reason] = cases[i] as [string, unknown, string];
      assert.equal(r.code, 1, name);
      assert.equal(r.out.valid, false, name);
      assert.equal(r.out.reason, reason, name);
      assert.equal(typeof r.out.message, 'string', name);
    });
  });

  test('a report whose capability is neither embedded nor given is valid with a note; --capability settles it', async () => {
    const bare = reportOf({ type: 'fact-disagrees-with-public', request: yes.request, fact: yes, comment: 'sunny' });
    const capFile = writeJson(dir, 'known-cap.json', capability);
    const [plain, withCap] = await Promise.all([verify('bare.json', bare), verify('bare2.json', bare, ['--capability', capFile])]);
    assert.equal(plain.code, 0);
    assert.equal(plain.out.notes?.length, 1);
    assert.match(plain.out.notes?.[0] ?? '', /capability ownership not checked/);
    assert.equal(withCap.code, 0);
    assert.deepEqual(withCap.out, { valid: true, type: 'report', id: reportId(bare) });
  });

  test('a dispute is checked against --report: reportId and the fact request must match', async () => {
    const reportFile = writeJson(dir, 'missing.json', missing);
    const capFile = writeJson(dir, 'cap2.json', capability);
    const other = reportOf({ type: 'fact-missing', request: { ...yes.request, arguments: { city: 'Rome' } } });
    const otherFile = writeJson(dir, 'other.json', other);
    const [good, wrongReport, wrongRequest] = await Promise.all([
      verify('dispute.json', dispute, ['--report', reportFile, '--capability', capFile]),
      verify('dispute2.json', dispute, ['--report', otherFile]),
      verify('dispute3.json', { ...dispute, reportId: reportId(other) }, ['--report', otherFile]),
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.deepEqual(good.out, { valid: true, type: 'dispute', id: good.out.id });
    assert.equal(wrongReport.out.reason, 'report-id-mismatch');
    assert.equal(wrongRequest.out.reason, 'fact-request-mismatch');
    assert.equal(wrongRequest.code, 1);
  });

  test('stdin, --type, non-JSON and unrecognisable input', async () => {
    const [stdin, forced, notJson, unknown] = await Promise.all([
      runMain(['verify', '-'], { input: JSON.stringify(missing) }),
      runMain(['verify', '-', '--type', 'capability'], { input: JSON.stringify(oracle) }),
      runMain(['verify', '-'], { input: '{"pubkey": ' }),
      runMain(['verify', '-'], { input: '{"hello": "world"}' }),
    ]);
    assert.equal(stdin.code, 0);
    // A fact-missing names a capability the oracle must have (PROTOCOL 8.3): offline, that is a note.
    assert.deepEqual(JSON.parse(stdin.stdout), { valid: true, type: 'report', id: reportId(missing), notes: [OWNERSHIP_NOTE] });
    assert.equal(forced.code, 1);
    assert.equal((JSON.parse(forced.stdout) as VerifyOutput).reason, 'schema-violation');
    assert.equal(notJson.code, 1);
    assert.equal((JSON.parse(notJson.stdout) as VerifyOutput).reason, 'invalid-json');
    assert.equal(unknown.code, 1);
    assert.deepEqual(JSON.parse(unknown.stdout), { valid: false, type: null, reason: 'unknown-type', message: (JSON.parse(unknown.stdout) as VerifyOutput).message });
  });
  test('DLC announcement and attestation: the announcement PoW is checked over its own preimage; an attestation (no PoW) verifies', async () => {
    const o = makeDlcOracle(7);
    const ev = makeDlcEvent(o, { maturityEpoch: 1_900_000_000 });
    const att = makeDlcAttestation(o, ev, ['rain']);
    // The same announcement with work done over the report preimage (what `mega verify` used to check).
    const wrongWork = { ...ev.entity, pow: minePowSync(reportPreimage({ oraclePubKey: ev.entity.oraclePubKey, content: ev.entity as unknown as Report['content'] }), 4) };
    const [ann, bad, a] = await Promise.all([verify('ann.json', ev.entity), verify('ann-bad.json', wrongWork), verify('att.json', att)]);
    assert.equal(ann.code, 0, `a well-mined announcement verifies: ${JSON.stringify(ann.out)}`);
    assert.deepEqual(ann.out, { valid: true, type: 'announcement', id: ev.id });
    assert.equal(bad.out.reason, 'pow-invalid', 'work over another preimage is refused');
    assert.equal(a.code, 0, `an attestation has no PoW and must not crash the check: ${a.stderr}`);
    assert.equal(a.out.type, 'attestation');
  });
});
