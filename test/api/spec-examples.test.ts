// test/api/spec-examples.test.ts - the spec's examples are real: a fresh node on the examples' clock accepts the request examples in order (oracle, capabilities, DLC announcements and attestation, each report type, dispute), answers the DLC GET operations exactly as their response examples say, admits the POST /entities batch example answering exactly its response example, and all are exactly what scripts/gen-examples.ts builds with the CLI and the dlc library.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import request from 'supertest';
import { buildApp } from './_app.ts';
import { buildExamples, EXAMPLE_DIFFICULTY, EXAMPLE_KINDS, EXAMPLE_NOW_MS, renderSpec, SPEC_FILE, type ExampleKind } from '../../scripts/gen-examples.ts';
import { FakeClock } from '../helpers/factory.ts';

type Examples = Record<string, { summary: string; value: Record<string, unknown> }>;
interface Doc {
  paths: Record<
    string,
    {
      post?: { requestBody: { content: { 'application/json': { examples?: Examples } } } };
      get?: { responses: Record<string, { content?: { 'application/json': { examples?: Examples } } }> };
    }
  >;
}

const specText = fs.readFileSync(SPEC_FILE, 'utf8');
const doc = yaml.load(specText) as Doc;
const examplesOf = (kind: ExampleKind): Examples => doc.paths[`/${kind}`]?.post?.requestBody.content['application/json'].examples ?? {};

describe('spec request examples', () => {
  it('every submit operation has examples, the reports one of each content type', () => {
    for (const kind of EXAMPLE_KINDS) assert.equal(Object.keys(examplesOf(kind)).length > 0, true, `POST /${kind} has no examples`);
    const types = Object.values(examplesOf('report')).map((e) => (e.value.content as { type: string }).type);
    assert.deepEqual(types.sort(), ['dlc-equivocation', 'dlc-nonce-reuse', 'fact-conflict', 'fact-disagrees-with-public', 'fact-missing', 'fact-missing', 'fact-missing']);
  });

  it('a fresh node (PoW thresholds at the examples\' difficulty, clock at the examples\' time) accepts them as is, in order, and answers the DLC GETs as their examples say', async () => {
    const d = EXAMPLE_DIFFICULTY;
    const { app, service } = buildApp({ clock: new FakeClock(EXAMPLE_NOW_MS), service: { powThresholdOracles: d, powThresholdCapabilities: d, powThresholdReports: d } });
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
      'capability/capabilityDlc: 201 accepted',
      'announcement/announcement: 201 accepted',
      'announcement/announcementUnattested: 201 accepted',
      'attestation/attestation: 201 accepted',
      'report/factConflict: 201 accepted',
      'report/factMissing: 201 accepted',
      'report/factMissingPaid: 201 accepted',
      'report/factDisagreesWithPublic: 201 accepted',
      'report/dlcEquivocation: 201 accepted',
      'report/dlcNonceReuse: 201 accepted',
      'report/factMissingAnnouncement: 201 accepted',
      'dispute/dispute: 201 accepted',
      'offer/offer: 201 accepted',
    ]);
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 2, reports: 7, disputes: 1 });
    assert.deepEqual(service.dlcCounts().announcements, 2, 'expected both announcement examples stored');
    // Every DLC GET answers exactly its response example (a path template filled from the example's own summary is not needed: the ids are in the values).
    const annId = (examplesOf('attestation').attestation?.value as { announcementId: string }).announcementId;
    const responses: [string, string][] = [
      ['/announcements', '/announcements?question=paris'],
      ['/announcements/{id}', `/announcements/${annId}`],
      ['/attestations/{announcementId}', `/attestations/${annId}`],
      ['/offers', `/offers?announcement=${annId}`],
    ];
    for (const [template, url] of responses) {
      const examples = Object.values(doc.paths[template]?.get?.responses['200']?.content?.['application/json'].examples ?? {});
      assert.equal(examples.length, 1, `expected one response example on GET ${template}`);
      const res = await request(app).get(url);
      assert.deepEqual([res.status, res.body], [200, examples[0]!.value], `expected GET ${url} to answer its spec example`);
    }
    const classes = service.listReports(service.listOracles({ page: 0, chunkSize: 1 }, {})[0]!.msg.pubkey, { page: 0, chunkSize: 10 }).map((r) => r.msg.content.type + (r.msg.content.type === 'fact-missing' && r.msg.content.payment?.invoice ? ':paid' : ''));
    assert.deepEqual(classes.slice(0, 3).sort(), ['dlc-equivocation', 'dlc-nonce-reuse', 'fact-conflict'], 'expected the three proofs ranked first');
    assert.equal(classes[3], 'fact-missing:paid', 'expected the paid claim ranked right after the proofs');
  });

  it('the POST /entities example: a fresh node admits the batch in order and answers exactly its response example', async () => {
    const d = EXAMPLE_DIFFICULTY;
    const { app, service } = buildApp({ clock: new FakeClock(EXAMPLE_NOW_MS), service: { powThresholdOracles: d, powThresholdCapabilities: d, powThresholdReports: d } });
    const op = (doc.paths['/entities'] as unknown as { post: { requestBody: { content: { 'application/json': { examples: Examples } } }; responses: Record<string, { content: { 'application/json': { examples: Examples } } }> } }).post;
    const reqEx = Object.values(op.requestBody.content['application/json'].examples);
    const resEx = Object.values(op.responses['200']?.content['application/json'].examples ?? {});
    assert.deepEqual([reqEx.length, resEx.length], [1, 1], 'expected one request and one response example on POST /entities');
    const res = await request(app).post('/entities').set('content-type', 'application/json').send(JSON.stringify(reqEx[0]!.value));
    assert.deepEqual([res.status, res.body], [200, resEx[0]!.value], 'expected the batch example answered as its response example');
    const statuses = (res.body as { results: { httpStatus: number }[] }).results.map((r) => r.httpStatus);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 201, 200], 'expected seven accepted then the repeated oracle a duplicate');
    assert.deepEqual(service.counts(), { oracles: 1, capabilities: 2, reports: 1, disputes: 0 });
  });

  it('match what scripts/gen-examples.ts builds with the CLI (if not: npx tsx scripts/gen-examples.ts)', async () => {
    const built = await buildExamples();
    assert.equal(renderSpec(specText, built), specText);
  });
});
