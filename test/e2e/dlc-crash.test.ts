// test/e2e/dlc-crash.test.ts - owns the crash safety of `mega dlc attest`: round after round, an attester for one outcome is killed with SIGKILL at a random moment around its signing, then an attester for the other outcome runs to completion; no announcement ever gets two different attestations printed, and whatever was printed is what the log holds. Rounds: DLC_CRASH_ROUNDS (default 12).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeAttestation } from '../../src/dlc/index.ts';
import { AttestationLog } from '../../src/oracle/attestation-log.ts';
import { DlcOracleState } from '../../src/oracle/dlc-oracle.ts';
import { KeyFileSigner } from '../../src/oracle/signer.ts';
import { collect, spawnCli } from '../unit/cli/run-cli.ts';

const ROUNDS = Number(process.env.DLC_CRASH_ROUNDS ?? 12);
let dir: string;
let keyFile: string;
let stateDir: string;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-dlc-crash-'));
  keyFile = path.join(dir, 'oracle.key');
  stateDir = path.join(dir, 'state');
  KeyFileSigner.create(keyFile, '33'.repeat(32));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Outcomes printed by an attester's stdout (none if it was killed before printing, or refused). */
function printed(stdout: string): string | null {
  try {
    const v = JSON.parse(stdout) as { attestation?: string };
    return v.attestation ? decodeAttestation(v.attestation).outcomes.join(',') : null;
  } catch {
    return null; // killed before or while printing
  }
}

describe('mega dlc attest under SIGKILL', () => {
  it(`never prints two different attestations for one announcement (${ROUNDS} rounds)`, { timeout: 600_000 }, async () => {
    const oracle = new DlcOracleState(stateDir, KeyFileSigner.fromFile(keyFile));
    const attest = (annFile: string, outcome: string) => spawnCli(['dlc', 'attest', '--key-file', keyFile, '--state-dir', stateDir, '--announcement', annFile, '--outcome', outcome]);
    // Calibrate: how long one attester takes from spawn to exit here, so kills land around the signing.
    const cal = oracle.announce({ maturityEpoch: 1_800_000_000, descriptor: { kind: 'enum', outcomes: ['A', 'B'] }, eventId: 'cal', version: 'dlcspecs-v0' });
    fs.writeFileSync(path.join(dir, 'cal.hex'), cal.tlv);
    const t0 = Date.now();
    const calRun = await collect(attest(path.join(dir, 'cal.hex'), 'A'));
    const fullMs = Date.now() - t0;
    assert.equal(calRun.code, 0, `the calibration attest must succeed: ${calRun.stderr}`);
    let killedBeforePrint = 0;
    let killedAfterPrint = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const p = oracle.announce({ maturityEpoch: 1_800_000_000, descriptor: { kind: 'enum', outcomes: ['A', 'B'] }, eventId: `r${round}`, version: 'dlcspecs-v0' });
      const annFile = path.join(dir, `r${round}.hex`);
      fs.writeFileSync(annFile, p.tlv);
      const [first, second] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      const victim = attest(annFile, first);
      const done = collect(victim);
      const delay = Math.floor(fullMs * (0.4 + Math.random() * 0.8));
      const timer = setTimeout(() => victim.kill('SIGKILL'), delay);
      const a = await done;
      clearTimeout(timer);
      const b = await collect(attest(annFile, second));
      const outputs = [printed(a.stdout), printed(b.stdout)].filter((o): o is string => o !== null);
      if (a.signal === 'SIGKILL') {
        if (printed(a.stdout) === null) killedBeforePrint++;
        else killedAfterPrint++;
      }
      assert.ok(new Set(outputs).size <= 1, `round ${round}: two different attestations were printed: ${outputs.join(' / ')} (stderr: ${b.stderr})`);
      const logged = new AttestationLog(path.join(stateDir, 'attestations.log')).get(p.id);
      for (const o of outputs) assert.equal(logged?.outcomes.join(','), o, `round ${round}: a printed attestation must be the logged one`);
      if (logged) assert.ok([first, second].includes(logged.outcomes[0] as string), 'the log holds one of the two outcomes');
      else assert.equal(outputs.length, 0, `round ${round}: nothing may be printed that is not logged`);
    }
    process.stderr.write(`# dlc crash loop: ${ROUNDS} rounds, attester ~${fullMs} ms, killed before printing ${killedBeforePrint}, killed after printing ${killedAfterPrint}\n`);
  });
});
