// test/unit/service/admission-checked.test.ts - the REST API's schema vouch (service/admission-checked.ts): held only during the synchronous admit call, for one object and kind, consumed once; REST bodies are validated once, everything else still by admission.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { admitVouched, takeVouched } from '../../../src/service/admission-checked.ts';
import { buildApp } from '../../api/_app.ts';
import { makeKeys, makeOracle } from '../../helpers/factory.ts';

describe('admission-checked vouch', () => {
  it('is seen only for the same object and kind, inside the call, once', () => {
    const a = { x: 1 };
    const b = { x: 1 };
    assert.equal(takeVouched('oracle', a), false, 'nothing vouched outside admitVouched');
    assert.equal(admitVouched('oracle', a, () => takeVouched('oracle', a)), true, 'the vouched object and kind inside the call');
    assert.equal(admitVouched('oracle', a, () => takeVouched('oracle', a) && takeVouched('oracle', a)), false, 'a vouch is consumed by the first ask');
    assert.equal(admitVouched('oracle', a, () => takeVouched('oracle', b)), false, 'an equal but different object is not vouched for');
    assert.equal(admitVouched('oracle', a, () => takeVouched('capability', a)), false, 'another kind is not vouched for');
    assert.equal(takeVouched('oracle', a), false, 'cleared when the call returned');
    assert.throws(() => admitVouched('oracle', a, () => { throw new Error('boom'); }), /boom/);
    assert.equal(takeVouched('oracle', a), false, 'cleared when the call threw');
  });

  it('is not seen by work after the synchronous part of the call (a later turn)', async () => {
    const a = { x: 1 };
    const later = admitVouched('oracle', a, () => Promise.resolve().then(() => takeVouched('oracle', a)));
    assert.equal(await later, false, 'expected the vouch to be gone once admitVouched returned');
  });

  it('POST /oracle validates the body once (the API), direct admission still validates', async () => {
    const t = buildApp();
    const calls: string[] = [];
    const original = t.schemas.validateEntity.bind(t.schemas);
    t.schemas.validateEntity = (kind, value, root) => {
      calls.push(kind);
      return original(kind, value, root);
    };
    const res = await request(t.app).post('/oracle').send(makeOracle({ keys: makeKeys(1) }));
    assert.equal(res.status, 201, `expected 201, got ${res.status} ${JSON.stringify(res.body)}`);
    assert.deepEqual(calls, [], 'expected admission not to validate again a body the API has just validated');
    const bad = await request(t.app).post('/oracle').send({ ...makeOracle({ keys: makeKeys(2) }), extra: 1 });
    assert.deepEqual([bad.status, bad.body.error?.code], [400, 'schema-violation'], 'an invalid body is still refused by the API');
    const direct = await t.service.admit('oracle', { ...makeOracle({ keys: makeKeys(3) }), extra: 1 });
    assert.deepEqual([direct.status, direct.status === 'rejected' ? direct.reason : null], ['rejected', 'schema-violation'], 'expected admission outside REST to validate the schema itself');
    assert.deepEqual(calls, ['oracle'], 'expected exactly one admission-side validation (the direct admit)');
  });
});
