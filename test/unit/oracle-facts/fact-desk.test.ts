// test/unit/oracle-facts/fact-desk.test.ts - the fact desk without HTTP: argument rules against a capability's params, a signer that is not the capability key refused at construction, the source's request copy, and the bound on remembered facts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyFileSigner } from '../../../src/oracle/signer.ts';
import { checkArguments, FactDesk } from '../../../src/oracle-facts/fact-desk.ts';
import type { FactRequest } from '../../../src/protocol/types.ts';
import { makeKeys } from '../../helpers/factory.ts';
import { assertFactVerifies } from './_helpers.ts';

const capKeys = makeKeys(81);
const req = (args: Record<string, string>): FactRequest => ({ capabilityPubKey: capKeys.publicKey, arguments: args });

describe('FactDesk', () => {
  it('checkArguments: exactly the declared params, declared values when listed, no arguments without params', () => {
    const params = [
      { name: 'city', values: ['Zurich'] },
      { name: 'date', values: [] },
    ];
    const cases: [Record<string, string>, typeof params | undefined, boolean][] = [
      [{ city: 'Zurich', date: 'any' }, params, true],
      [{ city: 'Bern', date: 'any' }, params, false],
      [{ city: 'Zurich' }, params, false],
      [{ city: 'Zurich', date: 'x', extra: 'y' }, params, false],
      [{}, undefined, true],
      [{}, [], true],
      [{ a: '1' }, undefined, false],
    ];
    for (const [args, p, ok] of cases) {
      assert.equal(checkArguments(req(args), p) === null, ok, `${JSON.stringify(args)} with ${JSON.stringify(p)}: expected ${ok ? 'accepted' : 'refused'}`);
    }
  });

  it('refuses a capability whose signer holds another key', () => {
    assert.throws(
      () => new FactDesk({ capabilities: new Map([[capKeys.publicKey, { signer: KeyFileSigner.fromHex(makeKeys(82).privateKey), resolve: async () => 'x' }]]), resolveTimeoutMs: 100 }),
      /signer's public key/,
    );
  });

  it('the source gets a copy: changing it cannot change what is signed; remembered facts stay within the count bound', async () => {
    const desk = new FactDesk({
      capabilities: new Map([
        [
          capKeys.publicKey,
          {
            signer: KeyFileSigner.fromHex(capKeys.privateKey),
            params: [{ name: 'n', values: [] }],
            resolve: async (r) => {
              const n = r.arguments.n as string;
              r.arguments.n = 'tampered';
              return `answer ${n}`;
            },
          },
        ],
      ]),
      resolveTimeoutMs: 1000,
      maxRemembered: 3,
    });
    const r = await desk.answer(req({ n: '1' }));
    assert.equal(r.status, 'answered');
    if (r.status === 'answered') assertFactVerifies(r.fact, req({ n: '1' }), 'answer 1');
    for (let i = 2; i <= 10; i++) await desk.answer(req({ n: String(i) }));
    assert.equal(desk.remembered.count, 3, 'at most maxRemembered facts are kept');
  });
});
