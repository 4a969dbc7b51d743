// test/unit/protocol/schema.test.ts - owns tests of message schema validation through SchemaRegistry.load() (wolfram-mega-spec.yaml).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import type { EntityKind } from '../../../src/protocol/types.ts';
import { clone, loadVectors, signatureVector } from './_helpers.ts';

const registry = SchemaRegistry.load();
const v = loadVectors();

const oracle = (): Record<string, unknown> => clone(signatureVector(v, 'oracle-id').input) as Record<string, unknown>;
const rotated = (): Record<string, unknown> => clone(signatureVector(v, 'oracle-id-rotated').input) as Record<string, unknown>;
const capability = (): Record<string, unknown> => clone(signatureVector(v, 'oracle-capability').input) as Record<string, unknown>;
const fact = (): Record<string, unknown> => clone(signatureVector(v, 'fact-yes').input) as Record<string, unknown>;
const report = (type: string): Record<string, unknown> => {
  const r = v.ids.reports.find((x) => x.input.content.type === type);
  if (!r) throw new Error(type);
  return clone(r.input) as unknown as Record<string, unknown>;
};
const dispute = (): Record<string, unknown> => clone(v.ids.dispute.input) as unknown as Record<string, unknown>;

function ok(kind: EntityKind, value: unknown): void {
  assert.deepEqual(registry.validateEntity(kind, value), { ok: true });
}
function bad(kind: EntityKind, value: unknown, message?: RegExp): void {
  const r = registry.validateEntity(kind, value);
  assert.equal(r.ok, false, 'expected r.ok to be false');
  if (message && !r.ok) assert.match(r.message, message);
}
/** `base` with `value` set at `path` (created as needed). */
function withAt(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = clone(base);
  let o = copy;
  for (const p of path.slice(0, -1)) o = o[p] as Record<string, unknown>;
  o[path[path.length - 1] as string] = value;
  return copy;
}

describe('schema: well-formed messages are accepted', () => {
  it('the vector OracleIds (plain and rotated), capability and dispute', () => {
    ok('oracle', oracle());
    ok('oracle', rotated());
    ok('capability', capability());
    ok('dispute', dispute());
  });
  for (const type of ['fact-conflict', 'fact-missing', 'fact-disagrees-with-public']) {
    it(`report ${type}, as in the vectors`, () => {
      ok('report', report(type));
    });
  }
  it('report content types with only their required fields', () => {
    const r = report('fact-conflict');
    const content = r.content as Record<string, unknown>;
    ok('report', { ...r, content: { type: 'fact-conflict', request: content.request, facts: content.facts } });
    ok('report', { ...r, content: { type: 'fact-missing', request: content.request } });
    ok('report', { ...r, content: { type: 'fact-disagrees-with-public', request: content.request, fact: fact() } });
    ok('report', { ...r, content: { type: 'fact-disagrees-with-public', request: content.request, fact: fact(), capability: capability() } });
  });
  it('a minimal OracleId and capability (optional fields absent), and limits at their edge', () => {
    const o = oracle();
    delete o.tags;
    delete o.manifestUri;
    ok('oracle', o);
    ok('oracle', { ...o, seqNo: 9007199254740991, cTTL: 255, tags: Array.from({ length: 32 }, (_, i) => `t${i}`) });
    ok('oracle', { ...o, cTTL: 0, seqNo: 0 });
    const c = capability();
    for (const k of ['tags', 'params', 'answers', 'endpoint']) delete c[k];
    ok('capability', c);
    ok('capability', { ...c, off: true, question: 'q'.repeat(1024) });
  });
  it('a JSON round trip through text (JSON.parse) validates the same', () => {
    ok('oracle', JSON.parse(JSON.stringify(oracle())));
    ok('report', JSON.parse(JSON.stringify(report('fact-conflict'))));
  });
});

describe('schema: unknown fields are rejected at every level', () => {
  const cases: [EntityKind, () => Record<string, unknown>, string[]][] = [
    ['oracle', oracle, ['extra']],
    ['oracle', oracle, ['pow', 'extra']],
    ['oracle', oracle, ['bid', 'extra']],
    ['oracle', rotated, ['previousId', 'extra']],
    ['capability', capability, ['extra']],
    ['capability', capability, ['pow', 'extra']],
    ['report', () => report('fact-missing'), ['extra']],
    ['report', () => report('fact-missing'), ['content', 'extra']],
    ['report', () => report('fact-missing'), ['content', 'request', 'extra']],
    ['report', () => report('fact-missing'), ['content', 'payment', 'extra']],
    ['report', () => report('fact-disagrees-with-public'), ['content', 'fact', 'extra']],
    ['report', () => report('fact-conflict'), ['content', 'capability', 'extra']],
    ['dispute', dispute, ['extra']],
    ['dispute', dispute, ['fact', 'extra']],
    ['dispute', dispute, ['fact', 'request', 'extra']],
  ];
  for (const [kind, make, path] of cases) {
    it(`${kind}: ${path.join('.')}`, () => {
      bad(kind, withAt(make(), path, 'x'));
    });
  }
  it('the message names the path and the field', () => {
    const r = registry.validateEntity('oracle', withAt(oracle(), ['bid', 'surprise'], 1));
    assert.deepEqual(r, { ok: false, message: 'oracle.bid: unknown field "surprise"' });
  });
  it('a capability param item with an unknown field', () => {
    const c = capability();
    (c.params as Record<string, unknown>[])[0] = { name: 'a', values: [], extra: 1 };
    bad('capability', c);
  });
});

describe('schema: wrong types and out-of-range values are rejected', () => {
  const cases: [string, EntityKind, () => Record<string, unknown>, string[], unknown][] = [
    ['seqNo as a string', 'oracle', oracle, ['seqNo'], '1'],
    ['negative seqNo', 'oracle', oracle, ['seqNo'], -1],
    ['fractional seqNo', 'oracle', oracle, ['seqNo'], 1.5],
    ['seqNo above 2^53 - 1', 'oracle', oracle, ['seqNo'], 9007199254740992],
    ['cTTL 256', 'oracle', oracle, ['cTTL'], 256],
    ['cTTL null', 'oracle', oracle, ['cTTL'], null],
    ['uppercase pubkey', 'oracle', oracle, ['pubkey'], (oracle().pubkey as string).toUpperCase()],
    ['uncompressed-prefix pubkey', 'oracle', oracle, ['pubkey'], '04' + (oracle().pubkey as string).slice(2)],
    ['short signature', 'oracle', oracle, ['oracleSignature'], 'ab'.repeat(63)],
    ['other signature type', 'oracle', oracle, ['oracleSignatureType'], 'schnorr'],
    ['pow algorithm lowercase', 'oracle', oracle, ['pow', 'algorithm'], 'sha256'],
    ['pow difficulty 257', 'oracle', oracle, ['pow', 'difficulty'], 257],
    ['pow negative magicNo', 'oracle', oracle, ['pow', 'magicNo'], -1],
    ['pow magicNo as string', 'oracle', oracle, ['pow', 'magicNo'], '5'],
    ['pow magicString too long', 'oracle', oracle, ['pow', 'magicString'], 'm'.repeat(257)],
    ['pow hash uppercase', 'oracle', oracle, ['pow', 'hash'], 'A'.repeat(64)],
    ['bid amount fractional', 'oracle', oracle, ['bid', 'amount'], 0.5],
    ['bid proof too long', 'oracle', oracle, ['bid', 'proof'], 'p'.repeat(1025)],
    ['manifestUri not a URI', 'oracle', oracle, ['manifestUri'], 'not a uri'],
    ['empty tag', 'oracle', oracle, ['tags'], ['']],
    ['33 tags', 'oracle', oracle, ['tags'], Array.from({ length: 33 }, (_, i) => `t${i}`)],
    ['tags null', 'oracle', oracle, ['tags'], null],
    ['previousId not an object', 'oracle', oracle, ['previousId'], 'x'],
    ['empty question', 'capability', capability, ['question'], ''],
    ['question of 1025 chars', 'capability', capability, ['question'], 'q'.repeat(1025)],
    ['off as a string', 'capability', capability, ['off'], 'true'],
    ['answers not strings', 'capability', capability, ['answers'], [1]],
    ['257 answers', 'capability', capability, ['answers'], Array.from({ length: 257 }, () => 'a')],
    ['33 params', 'capability', capability, ['params'], Array.from({ length: 33 }, (_, i) => ({ name: `p${i}`, values: [] }))],
    ['param without values', 'capability', capability, ['params'], [{ name: 'p' }]],
    ['unknown report type', 'report', () => report('fact-missing'), ['content', 'type'], 'fact-other'],
    ['argument value a number', 'report', () => report('fact-missing'), ['content', 'request', 'arguments', 'date'], 5],
    ['argument value too long', 'report', () => report('fact-missing'), ['content', 'request', 'arguments', 'date'], 'd'.repeat(257)],
    ['33 arguments', 'report', () => report('fact-missing'), ['content', 'request', 'arguments'], Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`a${i}`, 'v']))],
    ['empty argument name', 'report', () => report('fact-missing'), ['content', 'request', 'arguments'], { '': 'v' }],
    ['arguments an array', 'report', () => report('fact-missing'), ['content', 'request', 'arguments'], ['v']],
    ['empty payment proof', 'report', () => report('fact-missing'), ['content', 'payment', 'proof'], ''],
    ['fact-conflict with no facts', 'report', () => report('fact-conflict'), ['content', 'facts'], []],
    ['fact-conflict with 17 facts', 'report', () => report('fact-conflict'), ['content', 'facts'], Array.from({ length: 17 }, fact)],
    ['answer of 4097 chars', 'report', () => report('fact-disagrees-with-public'), ['content', 'fact', 'answer'], 'a'.repeat(4097)],
    ['comment of 4097 chars', 'report', () => report('fact-disagrees-with-public'), ['content', 'comment'], 'c'.repeat(4097)],
    ['dispute reportId not a hash', 'dispute', dispute, ['reportId'], 'xyz'],
    ['dispute fact signatureType', 'dispute', dispute, ['fact', 'signatureType'], 'ecdsa'],
  ];
  for (const [name, kind, make, path, value] of cases) {
    it(name, () => {
      bad(kind, withAt(make(), path, value));
    });
  }
  it('content of one type with the fields of another', () => {
    const r = report('fact-conflict');
    const content = r.content as Record<string, unknown>;
    bad('report', { ...r, content: { type: 'fact-missing', request: content.request, facts: content.facts } });
    bad('report', { ...r, content: { type: 'fact-disagrees-with-public', request: content.request } });
  });
  it('missing required fields, named in the message', () => {
    for (const k of ['pubkey', 'seqNo', 'cTTL', 'pow', 'bid', 'oracleSignature', 'oracleSignatureType']) {
      const o = oracle();
      delete o[k];
      bad('oracle', o, new RegExp(`^oracle: missing required field "${k}"$`));
    }
    const r = report('fact-missing');
    delete (r.content as Record<string, unknown>).type;
    bad('report', r);
  });
  it('non-objects', () => {
    for (const x of [null, 1, 'x', [], true]) {
      bad('oracle', x);
      bad('report', x);
    }
  });
});

describe('schema: prototype-polluting keys are rejected', () => {
  const req = (args: string): string => `{"capabilityPubKey":"${v.keys.capability?.publicKey}","arguments":${args}}`;
  const shapes = [
    '{"__proto__":"x"}',
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":"x"}',
    '{"prototype":"x"}',
    '{"ok":"1","__proto__":{"isAdmin":"true"}}',
  ];
  for (const args of shapes) {
    it(`arguments ${args} in a report request, a fact's request and a dispute`, () => {
      const r = report('fact-missing');
      const parsed = JSON.parse(`{"type":"fact-missing","request":${req(args)}}`) as unknown;
      bad('report', { ...r, content: parsed });
      const d = dispute();
      const f = d.fact as Record<string, unknown>;
      bad('dispute', { ...d, fact: { ...f, request: JSON.parse(req(args)) } });
      const dis = report('fact-disagrees-with-public');
      const content = dis.content as Record<string, unknown>;
      bad('report', { ...dis, content: { ...content, fact: { ...(content.fact as object), request: JSON.parse(req(args)) } } });
      // Nothing leaked into Object.prototype.
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    });
  }
  it('a top-level __proto__ member (own key after JSON.parse) is an unknown field', () => {
    const text = JSON.stringify(oracle()).replace(/^\{/, '{"__proto__":{"seqNo":1},');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed)[0], '__proto__');
    bad('oracle', parsed, /unknown field "__proto__"/);
    bad('capability', JSON.parse(JSON.stringify(capability()).replace(/^\{/, '{"__proto__":{},')));
    bad('report', JSON.parse(JSON.stringify(report('fact-missing')).replace(/^\{/, '{"__proto__":{},')));
  });
});
