// test/unit/trader/store-envelope.test.ts - the engine's contract store (durable files, count and byte limits, unreadable files left alone, interrupted writes cleaned) and its envelopes (exact shape, size limit, signature bound to every member).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContractStore } from '../../../src/trader/store.ts';
import type { ContractRecord } from '../../../src/trader/store.ts';
import { MAX_BODY_HEX, parseEnvelope, signEnvelope, verifyEnvelope } from '../../../src/trader/envelope.ts';
import { EngineError } from '../../../src/trader/errors.ts';
import { publicKeyOf } from '../../../src/protocol/keys.ts';

const code = (c: string) => (e: unknown) => e instanceof EngineError && e.code === c;
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'mega-trader-store-'));

function record(id: string, extra = ''): ContractRecord {
  return {
    v: 1,
    id,
    role: 'maker',
    phase: 'offered',
    offer: { makerPubKey: '02'.padEnd(66, '1'), seqNo: 1, cTTL: 5, pow: { difficulty: 0, algorithm: 'SHA256', hash: '', magicNo: 0 }, status: 'open', content: {} as never, makerSignature: extra, makerSignatureType: 'ecdsa-secp256k1' },
    announcementHex: '',
    signingVersion: 'dlcspecs-v0',
    oraclePubKey: '',
    exchangeId: null,
    counterparty: null,
    exchangeStartedAt: null,
    offerDlc: null,
    acceptDlc: null,
    signDlc: null,
    answers: {},
    contractId: null,
    fundingTxid: null,
    fundingVout: null,
    fundingTxHex: null,
    closingKind: null,
    closingTxHex: null,
    closingTxid: null,
    attestation: null,
    outcome: null,
    boardPending: null,
    error: null,
    createdAt: 1,
    updatedAt: 1,
  };
}
const id = (n: number): string => n.toString(16).padStart(64, '0');

describe('trader contract store', () => {
  it('writes each record to its own 0600 file and reads them back in a new store', () => {
    const dir = tmp();
    const s = new ContractStore(dir);
    s.put(record(id(1)));
    s.put({ ...record(id(2)), phase: 'funded' });
    const file = path.join(dir, 'contracts', `${id(2)}.json`);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'contract files are private');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'contracts')).sort(), [`${id(1)}.json`, `${id(2)}.json`], 'no temp files remain');
    const again = new ContractStore(dir);
    assert.deepEqual(again.get(id(2)), { ...record(id(2)), phase: 'funded' });
    assert.equal(again.all().length, 2);
    fs.rmSync(dir, { recursive: true });
  });

  it('enforces the count, record and total byte limits with store-full', () => {
    const dir = tmp();
    const s = new ContractStore(dir, { maxContracts: 2, maxRecordBytes: 2000, maxTotalBytes: 3000 });
    s.put(record(id(1)));
    s.put(record(id(2)));
    assert.throws(() => s.put(record(id(3))), code('store-full'), 'a third contract over maxContracts');
    s.put({ ...record(id(1)), phase: 'aborted' }); // replacing an existing one is fine
    assert.throws(() => s.put(record(id(2), 'x'.repeat(2000))), code('store-full'), 'a record over maxRecordBytes');
    assert.throws(() => s.put(record(id(2), 'x'.repeat(1500))), code('store-full'), 'the total over maxTotalBytes');
    assert.equal(new ContractStore(dir).get(id(2))?.offer.makerSignature, '', 'a refused write leaves the old version on disk');
    fs.rmSync(dir, { recursive: true });
  });

  it('leaves an unreadable file alone (listed, never overwritten) and removes interrupted temp files', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'contracts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'contracts', `${id(9)}.json`), '{"v":1,"id":');
    fs.writeFileSync(path.join(dir, 'contracts', `.${id(9)}.123.tmp`), 'half');
    const s = new ContractStore(dir);
    assert.equal(s.unreadable.length, 1);
    assert.equal(s.unreadable[0]!.file, `${id(9)}.json`);
    assert.throws(() => s.put(record(id(9))), code('store-full'), 'never overwrite a file we could not read');
    assert.equal(fs.readFileSync(path.join(dir, 'contracts', `${id(9)}.json`), 'utf8'), '{"v":1,"id":');
    assert.equal(fs.existsSync(path.join(dir, 'contracts', `.${id(9)}.123.tmp`)), false, 'the temp file of an interrupted write is removed');
    fs.rmSync(dir, { recursive: true });
  });
});

describe('trader envelopes', () => {
  const sk = crypto.randomBytes(32).toString('hex');
  const base = { type: 'take' as const, offerId: id(1), from: publicKeyOf(sk), exchangeId: id(2), body: '' };

  it('a signed envelope verifies; changing any member breaks the signature', () => {
    const e = signEnvelope(base, sk);
    assert.deepEqual(verifyEnvelope(JSON.parse(JSON.stringify(e))), e);
    for (const [k, v] of [['type', 'accept_dlc'], ['offerId', id(3)], ['exchangeId', id(4)], ['body', '00']] as const) {
      assert.throws(() => verifyEnvelope({ ...e, [k]: v }), code('bad-envelope-signature'), `changing ${k} must break the signature`);
    }
    const other = crypto.randomBytes(32).toString('hex');
    assert.throws(() => verifyEnvelope({ ...e, from: publicKeyOf(other) }), code('bad-envelope-signature'), 'another from key');
  });

  it('refuses malformed envelopes with bad-envelope before any signature work', () => {
    const e = signEnvelope(base, sk);
    const bad: unknown[] = [
      undefined,
      42,
      [e],
      { ...e, type: 'TAKE' },
      { ...e, offerId: 'AB'.repeat(32) },
      { ...e, exchangeId: 'ab' },
      { ...e, from: '04' + 'a'.repeat(64) },
      { ...e, body: 'abc' },
      { ...e, body: 'a'.repeat(MAX_BODY_HEX + 2) },
      { ...e, signature: 'a'.repeat(130) },
      { ...e, more: true },
    ];
    for (const b of bad) assert.throws(() => parseEnvelope(b), code('bad-envelope'), `must refuse ${JSON.stringify(b)?.slice(0, 60)}`);
  });
});
