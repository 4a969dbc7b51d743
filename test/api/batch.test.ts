// test/api/batch.test.ts - POST /entities on the real Express app over a real service: every kind answered exactly as its own POST, request order as admission order, bad items failing alone, envelope errors with codes and nothing admitted, the item and byte limits, one rate-limit token per entity, the durability guard.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { pino } from 'pino';
import request from 'supertest';
import { createApiApp } from '../../src/api/app.ts';
import type { RateLimitOptions } from '../../src/api/rate-limit.ts';
import type { EntityKind } from '../../src/protocol/types.ts';
import { ENTITY_SCHEMA } from '../../src/protocol/schema.ts';
import { EXAMPLE_DIFFICULTY, EXAMPLE_KINDS, EXAMPLE_NOW_MS, SPEC_FILE } from '../../scripts/gen-examples.ts';
import { FakeClock, makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, newServiceForTest, reportId, type TestServiceOptions } from '../helpers/factory.ts';

interface SetupOptions extends TestServiceOptions {
  maxBodyBytes?: number;
  maxBatchItems?: number;
  rateLimit?: RateLimitOptions;
  isDurable?: () => boolean;
}

function setup(opts: SetupOptions = {}) {
  const t = newServiceForTest(opts);
  const app = createApiApp(
    { isTest: false, maxBodyBytes: opts.maxBodyBytes ?? 1 << 20, maxBatchItems: opts.maxBatchItems, rateLimit: opts.rateLimit },
    {
      service: t.service,
      schemas: t.schemas,
      spec: t.schemas.doc,
      log: pino({ level: 'silent' }),
      now: t.clock.now,
      isDurable: opts.isDurable,
      info: { version: 't', network: 'regtest', startedAt: 0, limits: {}, shard: { count: 1, index: 0 }, facilitatorId: null },
    },
  );
  return { ...t, app };
}

type Item = { kind: EntityKind; entity: unknown };
type Result = { httpStatus: number; result?: string; id?: string; error?: { code: string; message: string } };

const postBatch = (app: Parameters<typeof request>[0], items: unknown) => request(app).post('/entities').set('content-type', 'application/json').send(JSON.stringify({ items }));
const resultsOf = (res: request.Response): Result[] => (res.body as { results: Result[] }).results;
const summary = (rs: Result[]): string[] => rs.map((r) => `${r.httpStatus} ${r.result ?? r.error?.code}`);

const O = makeKeys(31);
const C = makeKeys(32);
const ARGS = { city: 'Oslo', day: '2024-06-01' };

/** An oracle, its capability, a fact-missing report and the dispute answering it: each needs the one before. */
function chain() {
  const oracle = makeOracle({ keys: O });
  const capability = makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it snow in Oslo?' });
  const report = makeReport({ type: 'fact-missing', oraclePubKey: O.publicKey, capKeys: C, args: ARGS, payment: { proof: 'paid' } });
  const dispute = makeDispute({ reportId: reportId(report), oraclePubKey: O.publicKey, fact: makeFact({ capKeys: C, args: ARGS, answer: 'no' }) });
  return { oracle, capability, report, dispute };
}

/** The spec's request examples of every kind, in the order a fresh node accepts them. */
function specExamples(): Item[] {
  const doc = yaml.load(fs.readFileSync(SPEC_FILE, 'utf8')) as { paths: Record<string, { post: { requestBody: { content: { 'application/json': { examples: Record<string, { value: unknown }> } } } } }> };
  return EXAMPLE_KINDS.flatMap((kind) => Object.values(doc.paths[`/${kind}`]!.post.requestBody.content['application/json'].examples).map((e) => ({ kind, entity: e.value })));
}
const exampleNode = () => {
  const d = EXAMPLE_DIFFICULTY;
  return setup({ clock: new FakeClock(EXAMPLE_NOW_MS), service: { powThresholdOracles: d, powThresholdCapabilities: d, powThresholdReports: d } });
};

describe('POST /entities', () => {
  it('accepts every entity kind the node has (the spec\'s EntityBatchItem.kind enum is exactly the kinds)', () => {
    const { schemas } = setup();
    const item = (schemas.doc.components.schemas as Record<string, { properties: { kind: { enum: string[] } } }>).EntityBatchItem!;
    assert.deepEqual([...item.properties.kind.enum].sort(), Object.keys(ENTITY_SCHEMA).sort(), 'expected one batch kind per entity kind');
  });

  it('admits a dependent chain in request order (oracle, capability, report, dispute) and answers in that order', async () => {
    const { app, service } = setup();
    const c = chain();
    const res = await postBatch(app, [
      { kind: 'oracle', entity: c.oracle },
      { kind: 'capability', entity: c.capability },
      { kind: 'report', entity: c.report },
      { kind: 'dispute', entity: c.dispute },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(resultsOf(res), [
      { httpStatus: 201, result: 'accepted', id: O.publicKey },
      { httpStatus: 201, result: 'accepted', id: C.publicKey },
      { httpStatus: 201, result: 'accepted', id: reportId(c.report) },
      { httpStatus: 201, result: 'accepted', id: resultsOf(res)[3]!.id },
    ]);
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 1, reports: 1, disputes: 1 });
  });

  it('the capability placed before its oracle is refused unknown-oracle (order is admission order), the oracle after it accepted', async () => {
    const { app } = setup();
    const c = chain();
    const res = await postBatch(app, [
      { kind: 'capability', entity: c.capability },
      { kind: 'oracle', entity: c.oracle },
    ]);
    assert.deepEqual(summary(resultsOf(res)), ['422 unknown-oracle', '201 accepted']);
  });

  it('duplicates: the same entity twice in one batch is accepted then a duplicate; again in a second batch, a duplicate', async () => {
    const { app, service } = setup();
    const c = chain();
    const items = [
      { kind: 'oracle', entity: c.oracle },
      { kind: 'oracle', entity: c.oracle },
      { kind: 'capability', entity: c.capability },
    ];
    assert.deepEqual(summary(resultsOf(await postBatch(app, items))), ['201 accepted', '200 duplicate', '201 accepted']);
    assert.deepEqual(summary(resultsOf(await postBatch(app, items))), ['200 duplicate', '200 duplicate', '200 duplicate']);
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 1, reports: 0, disputes: 0 });
  });

  it('a bad item fails alone: schema violation (400), a lone surrogate (400), a bad signature (422) among accepted ones', async () => {
    const { app, service } = setup();
    const c = chain();
    const other = makeKeys(33);
    const badSig = { ...makeOracle({ keys: other }), oracleSignature: makeOracle({ keys: O }).oracleSignature };
    const res = await postBatch(app, [
      { kind: 'oracle', entity: c.oracle },
      { kind: 'oracle', entity: { ...makeOracle({ keys: makeKeys(34) }), extra: 1 } },
      { kind: 'capability', entity: { ...c.capability, question: 'Snow\ud800?' } },
      { kind: 'oracle', entity: badSig },
      { kind: 'capability', entity: c.capability },
    ]);
    assert.equal(res.status, 200);
    const rs = resultsOf(res);
    assert.deepEqual(summary(rs), ['201 accepted', '400 schema-violation', '400 schema-violation', '422 signature-invalid', '201 accepted']);
    assert.match(rs[1]!.error!.message, /unknown field "extra"/);
    assert.match(rs[2]!.error!.message, /lone UTF-16 surrogate/);
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 1, reports: 0, disputes: 0 });
  });

  it('every result is exactly what POST /<kind> answers for the same entity (status and body), for every kind of the spec examples and bad items', async () => {
    const c = chain();
    const items: Item[] = [
      ...specExamples(),
      { kind: 'oracle', entity: specExamples()[0]!.entity }, // a duplicate
      { kind: 'capability', entity: c.capability }, // its oracle is not there: 422 unknown-oracle
      { kind: 'oracle', entity: { ...c.oracle, seqNo: -1 } }, // 400 schema-violation
      { kind: 'report', entity: { ...c.report, content: { type: 'nope' } } }, // 400 schema-violation
      { kind: 'offer', entity: { note: '\udc00' } }, // 400 schema-violation (the schema's message comes first)
      { kind: 'oracle', entity: { ...c.oracle, oracleSignature: '00'.repeat(64) } }, // 422
    ];
    const single = exampleNode();
    const expected: Result[] = [];
    for (const it of items) {
      const res = await request(single.app).post(`/${it.kind}`).set('content-type', 'application/json').send(JSON.stringify(it.entity));
      expected.push({ httpStatus: res.status, ...(res.body as object) });
    }
    const batched = exampleNode();
    const res = await postBatch(batched.app, items);
    assert.equal(res.status, 200);
    assert.deepEqual(resultsOf(res), expected, 'expected each batch result to equal the single POST answer');
    assert.equal(expected.filter((r) => r.httpStatus === 201).length, specExamples().length, 'expected every spec example accepted');
    assert.deepEqual(batched.service.counts(), single.service.counts());
    assert.deepEqual(batched.service.dlcCounts(), single.service.dlcCounts());
  });

  it('a malformed envelope is 400 with a code and admits nothing', async () => {
    const { app, service } = setup({ maxBatchItems: 3 });
    const oracle = { kind: 'oracle', entity: chain().oracle };
    const cases: [string, unknown, string][] = [
      ['an array body', [oracle], 'schema-violation'],
      ['no items', { entities: [oracle] }, 'schema-violation'],
      ['items not an array', { items: oracle }, 'schema-violation'],
      ['an unknown kind', { items: [oracle, { kind: 'oracles', entity: {} }] }, 'schema-violation'],
      ['an entity that is not an object', { items: [oracle, { kind: 'oracle', entity: 'x' }] }, 'schema-violation'],
      ['an unknown member of an item', { items: [{ ...oracle, note: 1 }] }, 'schema-violation'],
      ['too many items', { items: [oracle, oracle, oracle, oracle] }, 'too-many-items'],
    ];
    for (const [what, body, code] of cases) {
      const res = await request(app).post('/entities').set('content-type', 'application/json').send(JSON.stringify(body));
      assert.deepEqual([res.status, res.body?.error?.code], [400, code], `expected 400 ${code} for ${what}`);
    }
    const notJson = await request(app).post('/entities').set('content-type', 'application/json').send('{"items": [');
    assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'invalid-json']);
    assert.deepEqual(service.counts(), { oracles: 0, capabilities: 0, reports: 0, disputes: 0 }, 'expected nothing admitted');
    const ok = await postBatch(app, [oracle, oracle, oracle]);
    assert.deepEqual(summary(resultsOf(ok)), ['201 accepted', '200 duplicate', '200 duplicate'], 'expected exactly maxBatchItems items accepted');
    assert.deepEqual(resultsOf(await postBatch(app, [])), [], 'expected an empty batch answered with no results');
  });

  it('a body over maxBodyBytes is 413 body-too-large and admits nothing', async () => {
    const { app, service } = setup({ maxBodyBytes: 4096 });
    const c = chain();
    const items = [{ kind: 'oracle', entity: c.oracle }, ...Array.from({ length: 10 }, () => ({ kind: 'capability', entity: c.capability }))];
    assert.equal(JSON.stringify({ items }).length > 4096, true);
    const res = await postBatch(app, items);
    assert.deepEqual([res.status, res.body.error.code], [413, 'body-too-large']);
    assert.deepEqual(service.counts(), { oracles: 0, capabilities: 0, reports: 0, disputes: 0 });
    assert.equal((await postBatch(app, items.slice(0, 2))).status, 200, 'expected a batch under the limit answered');
  });

  it('takes one rate-limit token per entity: items past the client\'s tokens are 429 rate-limited (Retry-After), the rest admitted', async () => {
    const clock = new FakeClock();
    const { app, service } = setup({ clock, rateLimit: { perSecond: 1, burst: 4, limitLoopback: true } });
    const c = chain();
    const other = makeOracle({ keys: makeKeys(35) });
    const items = [
      { kind: 'oracle', entity: c.oracle },
      { kind: 'capability', entity: c.capability },
      { kind: 'report', entity: c.report },
      { kind: 'dispute', entity: c.dispute },
      { kind: 'oracle', entity: other },
      { kind: 'oracle', entity: makeOracle({ keys: makeKeys(36) }) },
    ];
    const res = await postBatch(app, items);
    assert.equal(res.status, 200);
    assert.deepEqual(summary(resultsOf(res)), ['201 accepted', '201 accepted', '201 accepted', '201 accepted', '429 rate-limited', '429 rate-limited']);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(service.getOracle(other.pubkey), undefined, 'expected the rate-limited oracle not admitted');
    // The bucket is empty: the next request of any kind is refused whole.
    const next = await postBatch(app, [{ kind: 'oracle', entity: other }]);
    assert.deepEqual([next.status, next.body.error.code], [429, 'rate-limited']);
    // Two seconds refill two tokens: a batch of three gets two items through; a single POST after it none.
    clock.t += 2000;
    const again = await postBatch(app, items.slice(4).concat([{ kind: 'oracle', entity: c.oracle }]));
    assert.deepEqual(summary(resultsOf(again)), ['201 accepted', '201 accepted', '429 rate-limited']);
    assert.equal((await request(app).post('/oracle').send(c.oracle)).status, 429, 'expected the batch to have spent the tokens of its entities');
  });

  it('a bug while offering one item answers that item 500 internal-error and the others as usual', async () => {
    const { app, service } = setup();
    const c = chain();
    const real = service.admit.bind(service);
    // Stands in for a bug in admission (service.admit never throws by contract).
    service.admit = (kind, payload, source, bytes) => {
      if (kind === 'capability') throw new Error('a bug');
      return real(kind, payload, source, bytes);
    };
    const res = await postBatch(app, [
      { kind: 'oracle', entity: c.oracle },
      { kind: 'capability', entity: c.capability },
      { kind: 'oracle', entity: makeOracle({ keys: makeKeys(37) }) },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(summary(resultsOf(res)), ['201 accepted', '500 internal-error', '201 accepted']);
  });

  it('refuses the whole batch 503 storage-unavailable while the journal cannot be written, and answers an item whose own write failed 503', async () => {
    let durable = false;
    const t = setup({ isDurable: () => durable });
    const c = chain();
    const res = await postBatch(t.app, [{ kind: 'oracle', entity: c.oracle }]);
    assert.deepEqual([res.status, res.body.error.code], [503, 'storage-unavailable']);
    assert.deepEqual(t.service.counts().oracles, 0);
    // Durable at the start, failing from the first admission on (its journal write failed).
    durable = true;
    t.service.on('mempool:accepted', () => {
      durable = false;
    });
    const res2 = await postBatch(t.app, [{ kind: 'oracle', entity: c.oracle }, { kind: 'capability', entity: c.capability }]);
    assert.equal(res2.status, 200);
    assert.deepEqual(summary(resultsOf(res2)), ['503 storage-unavailable', '503 storage-unavailable'], 'expected no change acknowledged once the journal failed');
  });
});
