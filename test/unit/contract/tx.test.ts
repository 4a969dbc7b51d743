// test/unit/contract/tx.test.ts - the dlcspecs v0 transactions: byte-for-byte equal to rust-dlc's (ddk-ts createDlcTransactions) for funding, every CET and the refund, sighashes equal too; sorted 2-of-2 keys, dust outputs dropped, and every malformed parameter refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContractError, buildDlcTransactions, closingSighash, fundingWitnessScript } from '../../../src/contract/index.ts';
import type { DlcTxParams, PartyParams } from '../../../src/contract/index.ts';
import { newKey } from '../../helpers/regtest.ts';
import type { TestKey } from '../../helpers/regtest.ts';
import { DDK_SKIP, loadDdk, toDdk } from './_ddk.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface PartyInit {
  key: TestKey;
  inputs: { value: bigint; serial: bigint; vout: number }[];
  collateral: bigint;
  payoutSerial: bigint;
  changeSerial: bigint;
}
function party(p: PartyInit): PartyParams {
  return {
    fundPubkey: p.key.pubkey,
    payoutSpk: newKey().spk,
    payoutSerialId: p.payoutSerial,
    changeSpk: newKey().spk,
    changeSerialId: p.changeSerial,
    inputs: p.inputs.map((i, k) => ({ txid: hex(newKey().secret), vout: i.vout + k, value: i.value, scriptPubKey: p.key.spk, serialId: i.serial, maxWitnessLen: 108 })),
    collateral: p.collateral,
  };
}

const CASES: { name: string; params: () => DlcTxParams }[] = [
  {
    name: 'one input each, three outcomes, 2 sat/vB',
    params: () => ({
      offer: party({ key: newKey(), inputs: [{ value: 300_000n, serial: 25n, vout: 1 }], collateral: 100_000n, payoutSerial: 10n, changeSerial: 5n }),
      accept: party({ key: newKey(), inputs: [{ value: 300_000n, serial: 23n, vout: 0 }], collateral: 100_000n, payoutSerial: 12n, changeSerial: 3n }),
      payouts: [
        { offer: 200_000n, accept: 0n },
        { offer: 0n, accept: 200_000n },
        { offer: 100_000n, accept: 100_000n },
      ],
      feeRate: 2n,
      cetLocktime: 1000,
      refundLocktime: 2000,
      fundOutputSerialId: 4n,
    }),
  },
  {
    name: 'several interleaved inputs, dust payouts, timestamps, 7 sat/vB',
    params: () => ({
      offer: party({
        key: newKey(),
        inputs: [
          { value: 40_000n, serial: 9n, vout: 0 },
          { value: 90_000n, serial: 2n, vout: 3 },
        ],
        collateral: 60_000n,
        payoutSerial: 1n,
        changeSerial: 99n,
      }),
      accept: party({
        key: newKey(),
        inputs: [
          { value: 70_000n, serial: 5n, vout: 2 },
          { value: 15_000n, serial: 7n, vout: 0 },
          { value: 20_000n, serial: 1n, vout: 1 },
        ],
        collateral: 40_000n,
        payoutSerial: 8n,
        changeSerial: 0n,
      }),
      payouts: [
        { offer: 999n, accept: 99_001n },
        { offer: 1000n, accept: 99_000n },
        { offer: 99_500n, accept: 500n },
        { offer: 50_000n, accept: 50_000n },
      ],
      feeRate: 7n,
      cetLocktime: 1_800_000_000,
      refundLocktime: 1_800_604_800,
      fundOutputSerialId: 50n,
    }),
  },
  {
    name: 'accepter with the lower payout serial id (CETs order it first, the refund does not)',
    params: () => ({
      ...CASES[0]!.params(),
      offer: party({ key: newKey(), inputs: [{ value: 250_000n, serial: 3n, vout: 0 }], collateral: 100_000n, payoutSerial: 20n, changeSerial: 6n }),
    }),
  },
];

describe('dlcspecs v0 transactions', () => {
  it('the funding script is 2-of-2 over the keys in lexicographic order, whichever party is first', () => {
    const a = newKey().pubkey;
    const b = newKey().pubkey;
    assert.equal(hex(fundingWitnessScript(a, b)), hex(fundingWitnessScript(b, a)));
    const [lo, hi] = Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0 ? [a, b] : [b, a];
    assert.equal(hex(fundingWitnessScript(a, b)), `5221${hex(lo)}21${hex(hi)}52ae`);
  });

  it('CETs drop outputs below 1,000 sat, keep 1,000, pay exactly the payouts, and spend the funding output', () => {
    const t = CASES[1]!.params();
    const d = buildDlcTransactions(t);
    const values = d.cets.map((c) => c.outs.map((o) => o.value));
    assert.deepEqual(values[0], [99_001n], 'the 999 sat offer output is dust');
    assert.deepEqual(values[1], [1000n, 99_000n], 'offer (serial 1) before accept (serial 8)');
    assert.deepEqual(values[2], [99_500n]);
    for (const c of [...d.cets, d.refund]) {
      assert.equal(c.ins.length, 1);
      assert.equal(hex(c.ins[0]!.hash), hex(d.fund.getHash()));
      assert.equal(c.ins[0]!.index, d.fundVout);
      assert.equal(c.ins[0]!.sequence, 0xfffffffe);
    }
    assert.equal(d.fund.outs[d.fundVout]!.value, d.fundValue);
    assert.equal(d.cets[0]!.locktime, t.cetLocktime);
    assert.equal(d.refund.locktime, t.refundLocktime);
  });

  const bad: [string, (t: DlcTxParams) => void, string][] = [
    ['payouts not adding up to the collateral', (t) => (t.payouts = [{ offer: 1n, accept: 1n }]), 'bad-terms'],
    ['refund not after the CETs', (t) => (t.refundLocktime = t.cetLocktime), 'bad-terms'],
    ['a reused input serial id', (t) => (t.accept.inputs[0]!.serialId = t.offer.inputs[0]!.serialId), 'bad-terms'],
    ['change serial equal to the funding output serial', (t) => (t.offer.changeSerialId = t.fundOutputSerialId), 'bad-terms'],
    ['a non-P2WPKH input', (t) => (t.offer.inputs[0]!.scriptPubKey = new Uint8Array(34)), 'bad-input'],
    ['the same outpoint twice', (t) => (t.accept.inputs[0] = { ...t.offer.inputs[0]!, serialId: 77n }), 'bad-input'],
    ['a zero fee rate', (t) => (t.feeRate = 0n), 'bad-terms'],
    ['inputs that do not cover the collateral', (t) => (t.offer.collateral = 299_999n), 'bad-terms'],
    ['equal funding keys', (t) => (t.accept.fundPubkey = t.offer.fundPubkey), 'bad-terms'],
    [
      'a CET whose two outputs are both dust',
      (t) => {
        t.offer.collateral = 900n;
        t.accept.collateral = 900n;
        t.payouts = [{ offer: 900n, accept: 900n }];
      },
      'bad-terms',
    ],
  ];
  for (const [name, mutate, code] of bad) {
    it(`refuses ${name} (${code})`, () => {
      const t = CASES[0]!.params();
      mutate(t);
      assert.throws(
        () => buildDlcTransactions(t),
        (e: unknown) => e instanceof ContractError && (e.code === code || (code === 'bad-terms' && e.code === 'insufficient-funds')),
      );
    });
  }
});

describe('dlcspecs v0 transactions: byte-for-byte against rust-dlc (ddk-ts createDlcTransactions)', { skip: DDK_SKIP }, () => {
  const ddk = loadDdk()!;
  for (const c of CASES) {
    it(c.name, () => {
      const t = c.params();
      const ours = buildDlcTransactions(t);
      const theirs = ddk.createDlcTransactions([...t.payouts], toDdk(t.offer), toDdk(t.accept), t.refundLocktime, t.feeRate, 0, t.cetLocktime, t.fundOutputSerialId);
      assert.equal(hex(ours.fund.toBuffer()), hex(theirs.fund.rawBytes), 'funding transaction');
      assert.equal(hex(ours.witnessScript), hex(theirs.fundingScriptPubkey), 'funding witness script');
      assert.equal(ours.cets.length, theirs.cets.length);
      ours.cets.forEach((cet, i) => {
        assert.equal(hex(cet.toBuffer()), hex(theirs.cets[i]!.rawBytes), `CET ${i}`);
        assert.equal(
          hex(closingSighash(cet, ours.witnessScript, ours.fundValue)),
          hex(ddk.getCetSighash(theirs.cets[i]!, theirs.fundingScriptPubkey, ours.fundValue)),
          `CET ${i} sighash`,
        );
      });
      // The refund puts the offerer's output first whatever the serial ids, like rust-dlc and the
      // dlcspecs test vectors (spec-vectors.test.ts), unlike a CET.
      assert.equal(hex(ours.refund.toBuffer()), hex(theirs.refund.rawBytes), 'refund');
      assert.deepEqual(
        ours.refund.outs.map((o) => o.value),
        [t.offer.collateral, t.accept.collateral].filter((v) => v >= 1000n),
        'refund: offerer first',
      );
    });
  }
});
