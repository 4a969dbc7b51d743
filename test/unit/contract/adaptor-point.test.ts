// test/unit/contract/adaptor-point.test.ts - src/dlc/adaptor-point.ts: a real attestation's scalar s (from src/dlc signing) is the discrete log of the computed point, for enum outcomes and digit prefixes under both signing versions; equal to rust-dlc's adaptor points.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ecc from 'tiny-secp256k1';
import { fromHex, outcomesForValue } from '../../../src/dlc/index.ts';
import type { DigitsDescriptor, SigningVersion } from '../../../src/dlc/index.ts';
import { attestationPoint, attestationSecret, digitPointTable, digitPrefixPoint } from '../../../src/dlc/adaptor-point.ts';
import { attestationMessage } from '../../../src/dlc/schnorr.ts';
import { decompose } from '../../../src/contract/index.ts';
import { makeOracle } from './_helpers.ts';
import { DDK_SKIP, loadDdk } from './_ddk.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const times = (s: Uint8Array): string => hex(ecc.pointFromScalar(s, true)!);
const DIGITS: DigitsDescriptor = { kind: 'digits', base: 2, isSigned: false, unit: 'BTCUSD', precision: 0, nbDigits: 8 };

for (const version of ['dlcspecs-v0', 'basic-sha256'] as SigningVersion[]) {
  describe(`adaptor points (${version})`, () => {
    it("enum: s·G of the attestation equals the attested outcome's point, and no other outcome's", () => {
      const o = makeOracle({ kind: 'enum', outcomes: ['a', 'b', 'c'] }, 1_700_000_000, version);
      const att = o.attest(['b']);
      const key = fromHex(o.ann.oracleKey);
      const nonce = fromHex(o.ann.event.nonces[0]!);
      const s = attestationSecret(att, 1);
      assert.equal(hex(s), att.signatures[0]!.slice(64), 'the secret of one signature is its s');
      assert.equal(times(s), hex(attestationPoint(key, nonce, version, 'b')), 's must be the discrete log of the point of b');
      assert.notEqual(times(s), hex(attestationPoint(key, nonce, version, 'a')));
      assert.notEqual(times(s), hex(attestationPoint(key, nonce, version === 'dlcspecs-v0' ? 'basic-sha256' : 'dlcspecs-v0', 'b')), 'the signing version changes the point');
    });

    it('digits: the sum of the first m scalars is the discrete log of the m-digit prefix point, for every m', () => {
      const o = makeOracle(DIGITS, 1_700_000_000, version);
      const att = o.attest(outcomesForValue(DIGITS, 181n));
      const table = digitPointTable(fromHex(o.ann.oracleKey), o.ann.event.nonces.map(fromHex), version, 2);
      const digits = decompose(181n, 2, 8);
      for (let m = 1; m <= 8; m++) {
        assert.equal(times(attestationSecret(att, m)), hex(digitPrefixPoint(table, digits.slice(0, m))), `prefix of ${m} digits`);
      }
      const wrong = [...digits];
      wrong[3] = 1 - wrong[3]!;
      assert.notEqual(times(attestationSecret(att, 8)), hex(digitPrefixPoint(table, wrong)), 'another value has another point');
    });
  });
}

describe("adaptor points equal rust-dlc's (ddk-ts createCetAdaptorPointsFromOracleInfo)", { skip: DDK_SKIP }, () => {
  const ddk = loadDdk()!;
  it('for enum outcomes and digit prefixes, with the dlcspecs-v0 tagged message', () => {
    const e = makeOracle({ kind: 'enum', outcomes: ['x', 'y'] }, 1_700_000_000);
    const eInfo = [{ publicKey: Buffer.from(e.ann.oracleKey, 'hex'), nonces: e.ann.event.nonces.map((n) => Buffer.from(n, 'hex')) }];
    const eMsgs = ['x', 'y'].map((out) => [[Buffer.from(attestationMessage('dlcspecs-v0', out))]]);
    const ePts = ddk.createCetAdaptorPointsFromOracleInfo(eInfo, eMsgs).map(hex);
    assert.deepEqual(
      ePts,
      ['x', 'y'].map((out) => hex(attestationPoint(fromHex(e.ann.oracleKey), fromHex(e.ann.event.nonces[0]!), 'dlcspecs-v0', out))),
    );

    const d = makeOracle(DIGITS, 1_700_000_000);
    const dInfo = [{ publicKey: Buffer.from(d.ann.oracleKey, 'hex'), nonces: d.ann.event.nonces.map((n) => Buffer.from(n, 'hex')) }];
    const prefixes = [[0], [1, 0, 1], [1, 1, 1, 1, 0, 0, 0, 1]];
    const dMsgs = prefixes.map((p) => [p.map((digit) => Buffer.from(attestationMessage('dlcspecs-v0', String(digit))))]);
    const table = digitPointTable(fromHex(d.ann.oracleKey), d.ann.event.nonces.map(fromHex), 'dlcspecs-v0', 2);
    assert.deepEqual(
      ddk.createCetAdaptorPointsFromOracleInfo(dInfo, dMsgs).map(hex),
      prefixes.map((p) => hex(digitPrefixPoint(table, p))),
    );
  });
});
