// test/unit/oracle/ads.test.ts - owns src/oracle-daemon/ads.ts and state.ts: the ads the daemon signs through the Signer verify as the node checks them; seqNo is kept in the state file and bumped only when the signed content changes; PoW only grows and survives a content change; a node's higher seqNo is adopted; raising the PoW keeps the signature.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyFileSigner } from '../../../src/oracle/signer.ts';
import { AdBook } from '../../../src/oracle-daemon/ads.ts';
import { parseOracleConfig, type OracleDaemonConfig } from '../../../src/oracle-daemon/config.ts';
import { DaemonState } from '../../../src/oracle-daemon/state.ts';
import { signingHash } from '../../../src/protocol/canonical.ts';
import { verifyHash } from '../../../src/protocol/keys.ts';
import { verifyPow, oraclePreimage, capabilityPreimage } from '../../../src/protocol/pow.ts';

let dir: string;
const ID = KeyFileSigner.fromHex('11'.repeat(32));
const CAP = KeyFileSigner.fromHex('22'.repeat(32));
const DLC = KeyFileSigner.fromHex('33'.repeat(32));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-ads-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function cfg(over: { tags?: string[]; question?: string; difficulty?: number } = {}): OracleDaemonConfig {
  return parseOracleConfig(
    {
      dataDir: dir,
      nodes: ['http://127.0.0.1:1'],
      identity: { keyFile: 'unused', difficulty: over.difficulty ?? 4, tags: over.tags ?? ['a'] },
      dlcKeyFile: 'unused',
      capabilities: [{ name: 'c', keyFile: 'unused', question: over.question ?? 'Q?', difficulty: 3, event: { descriptor: { kind: 'enum', outcomes: ['y', 'n'] }, eventId: 'e', maturity: { type: 'daily', time: '00:00' } }, source: { type: 'manual' } }],
    },
    'test',
    dir,
  );
}

async function book(c: OracleDaemonConfig): Promise<AdBook> {
  const b = new AdBook(c, { identity: ID, dlc: DLC, capabilities: new Map([['c', CAP]]) }, new DaemonState(dir));
  await b.prepare();
  return b;
}

describe('AdBook', () => {
  it('signs ads that verify like a node checks them, binding the DLC key', async () => {
    const b = await book(cfg());
    const o = b.oracle;
    assert.equal(o.pubkey, ID.publicKey);
    assert.equal(verifyHash(o.oracleSignature, signingHash(o, 'oracleSignature'), o.pubkey), true, 'the ad signature verifies');
    assert.equal(verifyPow(o.pow, oraclePreimage(o)), true);
    assert.ok(o.pow.difficulty >= 4);
    const c = b.capabilities[0]!;
    assert.equal(verifyHash(c.oracleSignature, signingHash(c, 'oracleSignature'), o.pubkey), true, 'the capability is signed by the identity key');
    assert.equal(verifyPow(c.pow, capabilityPreimage(c)), true);
    assert.equal(c.capabilityPubKey, CAP.publicKey);
    assert.deepEqual(c.dlc, { oracleKey: DLC.dlcKey, signingVersion: 'dlcspecs-v0' });
    assert.equal(fs.statSync(path.join(dir, 'state.json')).mode & 0o777, 0o600);
  });

  it('keeps the seqNo and the signature across restarts with the same config, and bumps it only on change', async () => {
    const first = await book(cfg());
    const again = await book(cfg());
    assert.deepEqual(again.oracle, first.oracle, 'same content: the same signed ad (seqNo, PoW and signature)');
    assert.deepEqual(again.capabilities, first.capabilities);
    const changed = await book(cfg({ tags: ['a', 'b'] }));
    assert.equal(changed.oracle.seqNo, 1, 'a new tag is a new version');
    assert.deepEqual(changed.oracle.pow, first.oracle.pow, 'the PoW (over the pubkey) is kept');
    assert.equal(changed.capabilities[0]?.seqNo, 0, 'the capability did not change');
    const capChanged = await book(cfg({ tags: ['a', 'b'], question: 'Other?' }));
    assert.equal(capChanged.oracle.seqNo, 1);
    assert.equal(capChanged.capabilities[0]?.seqNo, 1);
    const back = await book(cfg());
    assert.equal(back.oracle.seqNo, 2, 'going back to an older content is still a change');
  });

  it('adopts a higher seqNo seen on a node, and raises PoW without changing what is signed', async () => {
    const b = await book(cfg());
    assert.equal(b.adoptSeqNo(7), true);
    assert.equal(b.oracle.seqNo, 8);
    assert.equal(b.adoptSeqNo(3), false, 'a lower seqNo on a node is ours to replace');
    const sig = b.oracle.oracleSignature;
    const pow = await b.raiseOracleDifficulty(9);
    assert.ok(pow.difficulty >= 9);
    assert.equal(b.oracle.oracleSignature, sig, 'the same signed ad carries more PoW');
    assert.equal(verifyPow(b.oracle.pow, oraclePreimage(b.oracle)), true);
    const restarted = await book(cfg());
    assert.equal(restarted.oracle.seqNo, 8, 'the adopted seqNo is stored');
    assert.equal(restarted.oracle.pow.difficulty, pow.difficulty, 'the mined PoW is stored');
  });
});
