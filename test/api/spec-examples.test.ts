// test/api/spec-examples.test.ts - the spec's request examples are real: a fresh node accepts them in order (oracle, capability, each report type, dispute), and they are exactly what scripts/gen-examples.ts builds with the CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import request from 'supertest';
import { buildApp } from './_app.ts';
import { buildExamples, EXAMPLE_DIFFICULTY, EXAMPLE_KINDS, renderSpec, SPEC_FILE, type ExampleKind } from '../../scripts/gen-examples.ts';

type Examples = Record<string, { summary: string; value: Record<string, unknown> }>;
interface Doc {
  paths: Record<string, { post?: { requestBody: { content: { 'application/json': { examples?: Examples } } } } }>;
}

const specText = fs.readFileSync(SPEC_FILE, 'utf8');
const doc = yaml.load(specText) as Doc;
const examplesOf = (kind: ExampleKind): Examples => doc.paths[`/${kind}`]?.post?.requestBody.content['application/json'].examples ?? {};

describe('spec request examples', () => {
  it('every submit operation has examples, the reports one of each content type', () => {
    for (const kind of EXAMPLE_KINDS) assert.equal(Object.keys(examplesOf(kind)).length > 0, true, `POST /${kind} has no examples`);
    const types = Object.values(examplesOf('report')).map((e) => (e.value.content as { type: string }).type);
    assert.deepEqual(types.sort(), ['fact-conflict', 'fact-disagrees-with-public', 'fact-missing', 'fact-missing']);
  });

  it('a fresh node (PoW thresholds at the examples\' difficulty) accepts them as is, in order', async () => {
    const d = EXAMPLE_DIFFICULTY;
    const { app, service } = buildApp({ service: { powThresholdOracles: d, powThresholdCapabilities: d, powThresholdReports: d } });
    const answers: string[] = [];
    for (const kind of EXAMPLE_KINDS) {
      for (const [name, ex] of Object.entries(examplesOf(kind))) {
        const res = await request(app).post(`/${kind}`).set('content-type', 'application/json').send(JSON.stringify(ex.value));
        answers.push(`${kind}/${name}: ${res.status} ${String(res.body.result ?? res.body.error?.code)}`);
      }
    }
    assert.deepEqual(answers, [
      'oracle/oracle: 201 accepted',
      'capability/capability: 201 accepted',
      'report/factConflict: 201 accepted',
      'report/factMissing: 201 accepted',
      'report/factMissingPaid: 201 accepted',
      'report/factDisagreesWithPublic: 201 accepted',
      'dispute/dispute: 201 accepted',
    ]);
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 1, reports: 4, disputes: 1 });
    const classes = service.listReports(service.listOracles({ page: 0, chunkSize: 1 }, {})[0]!.msg.pubkey, { page: 0, chunkSize: 10 }).map((r) => r.msg.content.type + (r.msg.content.type === 'fact-missing' && r.msg.content.payment?.invoice ? ':paid' : ''));
    assert.equal(classes[1], 'fact-missing:paid', 'expected the paid claim ranked right after the proof');
  });

  it('match what scripts/gen-examples.ts builds with the CLI (if not: npx tsx scripts/gen-examples.ts)', async () => {
    const built = await buildExamples();
    assert.equal(renderSpec(specText, built), specText);
  });
});
