// test/unit/contract/messages-bounds.test.ts - malformed offer_dlc / accept_dlc / sign_dlc: every limit (size, inputs, CETs, lengths checked before allocation) and every refused field gives ContractError `bad-message` naming the field; random truncations, bit flips and byte overwrites of valid messages throw nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ContractError, MAX_DLC_MESSAGE_BYTES, decodeAcceptDlc, decodeOfferDlc, decodeSignDlc, encodeSignDlc } from '../../../src/contract/index.ts';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const vectors = (JSON.parse(fs.readFileSync(new URL('../../fixtures/dlc-messages/dlcspecs-serialized.json', import.meta.url), 'utf8')) as { vectors: Record<string, { offer_message: string; accept_message: string; sign_message: string }> }).vectors;
const ENUM = vectors.enum_single_oracle_test!;
const NUMERIC = vectors.single_oracle_numerical_test!;
const bad = (field: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ContractError, `expected a ContractError, got ${String(e)}`);
  assert.equal(e.code, 'bad-message');
  assert.match(e.message, field);
  return true;
};
const offer = (b: Uint8Array) => decodeOfferDlc(b, 'basic-sha256');
/** A copy of `b` with `bytes` written at `at`. */
const patch = (b: Uint8Array, at: number, bytes: number[]): Uint8Array => {
  const c = Uint8Array.from(b);
  c.set(bytes, at);
  return c;
};
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
/** sign_dlc header: type 42782, protocol_version 1, contract_id. */
const signHead = cat(h('a71e00000001'), new Uint8Array(32));

describe('contract message limits and refusals', () => {
  it('size, type and version come first', () => {
    assert.throws(() => decodeSignDlc(new Uint8Array(MAX_DLC_MESSAGE_BYTES + 1)), bad(/limit/));
    assert.throws(() => decodeSignDlc('a71e' as unknown as Uint8Array), bad(/expected bytes/));
    assert.throws(() => offer(h(ENUM.accept_message)), bad(/expected message type 42778, got 42780/));
    assert.throws(() => decodeAcceptDlc(patch(h(ENUM.accept_message), 2, [0, 0, 0, 2])), bad(/protocol_version 2/));
    assert.throws(() => decodeSignDlc(new Uint8Array(0)), bad(/message type/));
  });

  it('a count is checked against its limit and against the bytes left before anything is allocated', () => {
    assert.throws(() => decodeSignDlc(cat(signHead, h('feffffffff'))), bad(/nb_signatures: 4294967295, limit 20000/));
    assert.throws(() => decodeSignDlc(cat(signHead, h('fd4e20'), new Uint8Array(200))), bad(/nb_signatures: 20000 items cannot fit/));
    assert.throws(() => decodeSignDlc(cat(signHead, h('fd0004'))), bad(/shortest form/));
    // accept_dlc: num_funding_inputs sits after temp id, collateral, key, payout spk (22 bytes) and serial id.
    const a = h(ENUM.accept_message);
    const at = 2 + 4 + 32 + 8 + 33 + 2 + 22 + 8;
    assert.equal(a[at], 1, 'the vector has one funding input');
    assert.throws(() => decodeAcceptDlc(patch(a, at, [65])), bad(/num_funding_inputs: 65, limit 64/));
    assert.throws(() => decodeAcceptDlc(patch(a, at, [50])), bad(/num_funding_inputs: 50 items cannot fit/));
  });

  it('funding inputs: a bad key, sequence, redeem script, vout or prev_tx is named', () => {
    const a = h(ENUM.accept_message);
    const { accept } = decodeAcceptDlc(a);
    assert.throws(() => decodeAcceptDlc(patch(a, 46, [5])), bad(/funding_pubkey/));
    const inp = 2 + 4 + 32 + 8 + 33 + 2 + 22 + 8 + 1;
    const prevLen = accept.inputs[0]!.prevTx!.length;
    const vout = inp + 8 + 1 + prevLen;
    assert.throws(() => decodeAcceptDlc(patch(a, vout, [0, 0, 0, 9])), bad(/prev_tx_vout 9 is not an output/));
    assert.throws(() => decodeAcceptDlc(patch(a, vout + 4, [0xff, 0xff, 0xff, 0xfd])), bad(/sequence/));
    assert.throws(() => decodeAcceptDlc(patch(a, vout + 10, [0, 1])), bad(/redeemscript/));
    assert.throws(() => decodeAcceptDlc(patch(a, inp + 9 + 5, [0x02])), bad(/prev_tx is not a transaction/)); // the segwit flag byte
  });

  it('contract_info: disjoint contracts, num_digits that differ from the event, extra precision and a wrong announcement type are named', () => {
    const e = h(ENUM.offer_message);
    const n = h(NUMERIC.offer_message);
    assert.throws(() => offer(patch(e, 71, [1])), bad(/disjoint_contract_info/));
    assert.throws(() => offer(patch(e, 80, [7])), bad(/contract_descriptor: unknown type 7/));
    assert.throws(() => offer(patch(n, 81, [0, 11])), bad(/num_digits 11 differs/));
    assert.throws(() => offer(patch(n, 100, [0, 1])), bad(/endpoint 0 extra_precision 1/));
    const o = offer(e);
    // The announcement follows the enum descriptor: find its TLV type (fdd824 = 55332) and break it.
    const ann = Buffer.from(e).indexOf(Buffer.from('fdd824', 'hex'), 71);
    assert.ok(ann > 71 && o.terms.announcement.event.descriptor.kind === 'enum');
    assert.throws(() => offer(patch(e, ann + 2, [0x25])), bad(/oracle_announcement: expected TLV type 55332/));
    assert.throws(() => offer(patch(e, ann + 3, [0x10])), bad(/oracle_announcement: /)); // a 16-byte announcement
  });

  it('accept_dlc negotiation_fields and the trailing TLV stream: odd types skipped, even types and disorder refused', () => {
    const a = h(ENUM.accept_message);
    assert.throws(() => decodeAcceptDlc(patch(a, a.length - 1, [1])), bad(/negotiation_fields are not supported/));
    assert.throws(() => decodeAcceptDlc(patch(a, a.length - 1, [2])), bad(/negotiation_fields: optional prefix/));
    const s = h(ENUM.sign_message);
    assert.doesNotThrow(() => decodeSignDlc(cat(s, h('0100'), h('0301ff'))), 'odd TLV records are skipped');
    assert.throws(() => decodeSignDlc(cat(s, h('0200'))), bad(/unknown even TLV type 2/));
    assert.throws(() => decodeSignDlc(cat(s, h('0300'), h('0100'))), bad(/strictly increase/));
    assert.throws(() => decodeSignDlc(cat(s, h('0105'))), bad(/sign_tlvs record 1/));
  });

  it('sign_dlc: an empty funding witness is refused; a witness item length past the end is named', () => {
    const base = decodeSignDlc(h(ENUM.sign_message));
    const empty = encodeSignDlc({ contractId: base.contractId, msg: { ...base.msg, fundingWitnesses: [] } });
    assert.throws(() => decodeSignDlc(cat(empty.subarray(0, empty.length - 1), h('010000'))), bad(/funding witness 0 is empty/));
    assert.throws(() => decodeSignDlc(cat(empty.subarray(0, empty.length - 1), h('0101fd0100'))), bad(/funding witness 0 element 0/));
  });
});

/** xorshift32: reproducible randomness (the seed is in every failure message). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

describe('fuzz: mangled messages throw only ContractError bad-message', () => {
  const cases: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
    ['offer_dlc (enum)', h(ENUM.offer_message), offer],
    ['offer_dlc (numeric)', h(NUMERIC.offer_message), offer],
    ['accept_dlc', h(ENUM.accept_message), decodeAcceptDlc],
    ['sign_dlc', h(ENUM.sign_message), decodeSignDlc],
  ];
  for (const [name, valid, decode] of cases) {
    it(`${name}: 400 truncations, bit flips and overwrites`, () => {
      const seed = 0x5eed + valid.length;
      const rand = rng(seed);
      let decoded = 0;
      for (let i = 0; i < 400; i++) {
        let m: Uint8Array;
        const kind = i % 4;
        if (kind === 0) m = valid.subarray(0, Math.floor(rand() * valid.length));
        else {
          m = Uint8Array.from(valid);
          const flips = kind === 3 ? 4 : 1;
          for (let k = 0; k < flips; k++) {
            const at = Math.floor(rand() * m.length);
            if (kind === 2) m[at] = Math.floor(rand() * 256);
            else m[at]! ^= 1 << Math.floor(rand() * 8);
          }
        }
        try {
          decode(m);
          decoded++;
        } catch (e) {
          if (!(e instanceof ContractError) || e.code !== 'bad-message') {
            assert.fail(`seed ${seed} case ${i}: expected ContractError bad-message, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
          }
        }
      }
      // Truncations never decode; most single flips land in signatures or values and still decode.
      assert.ok(decoded < 400, 'some mangled messages are refused');
    });
  }
});
