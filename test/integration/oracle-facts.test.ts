// test/integration/oracle-facts.test.ts - the oracle side against a real node on loopback: the capability advertises the fact endpoint, a trader finds it on the node and gets a fact the node itself accepts; a fact-missing report filed on the node is disputed by the report answerer within the deadline and the node lists it answered; an unanswerable one stays open and is recorded as such.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { KeyFileSigner } from '../../src/oracle/signer.ts';
import { FactDesk } from '../../src/oracle-facts/fact-desk.ts';
import { startFactServer, type FactServer } from '../../src/oracle-facts/fact-server.ts';
import { deskAnswer, ReportAnswerer } from '../../src/oracle-facts/report-answerer.ts';
import type { Fact, FactRequest, OracleCapability } from '../../src/protocol/types.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { createTestNode, waitFor } from '../helpers/network.ts';
import { assertFactVerifies, silentLog } from '../unit/oracle-facts/_helpers.ts';

/** The deadline the issue sets: a fact-missing report is disputed within a minute. */
const DISPUTE_DEADLINE_MS = 60_000;

describe('oracle facts and report answering against a real node', () => {
  let node: MegaNode;
  let base: string;
  let server: FactServer;
  let answerer: ReportAnswerer;
  const oracleKeys = makeKeys(61);
  const capKeys = makeKeys(62);
  const desk = new FactDesk({
    capabilities: new Map([
      [
        capKeys.publicKey,
        {
          signer: KeyFileSigner.fromHex(capKeys.privateKey),
          params: [{ name: 'match', values: [] }],
          answers: ['home', 'away', 'draw'],
          // The source: results known for past matches, none yet for future ones.
          resolve: async (r: FactRequest) => ({ 'FCZ-FCB-2026-11-30': 'home', 'GC-YB-2026-11-29': 'draw' })[r.arguments.match as string] ?? null,
        },
      ],
    ]),
    resolveTimeoutMs: 2000,
  });
  const postJson = async (p: string, body: unknown) => {
    const res = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const reports = async () =>
    (await (await fetch(`${base}/reports?pubkey=${oracleKeys.publicKey}&chunkSize=100`)).json()) as { id: string; dispute: { fact: Fact } | null; class: string }[];

  before(async () => {
    node = await createTestNode();
    base = `http://127.0.0.1:${node.httpPort}`;
    server = await startFactServer({
      host: '127.0.0.1',
      port: 0,
      desk,
      limits: { maxBodyBytes: 16 * 1024, ratePerMinutePerClient: 600, maxConcurrent: 16, resolveTimeoutMs: 2000 },
      log: silentLog,
    });
    assert.equal((await postJson('/oracle', makeOracle({ keys: oracleKeys }))).status, 201, 'the oracle ad is admitted');
    const cap = makeCapability({ oracleKeys, capKeys, question: 'Result of {match}?', params: [{ name: 'match', values: [] }], answers: ['home', 'away', 'draw'], endpoint: server.url });
    assert.equal((await postJson('/capability', cap)).status, 201, 'the capability ad with the endpoint is admitted');
  });

  after(async () => {
    await answerer?.stop();
    await server?.close();
    await node?.stop();
  });

  it("a trader finds the endpoint on the node and gets a fact that verifies; the node admits a report carrying it", async () => {
    const caps = (await (await fetch(`${base}/capabilities?question=result`)).json()) as { capability: OracleCapability }[];
    const endpoint = caps.find((c) => c.capability.capabilityPubKey === capKeys.publicKey)?.capability.endpoint;
    assert.equal(endpoint, server.url, 'the node serves the capability with its endpoint (the base URL, PROTOCOL 10.7)');
    const request: FactRequest = { capabilityPubKey: capKeys.publicKey, arguments: { match: 'FCZ-FCB-2026-11-30' } };
    const res = await fetch(`${endpoint as string}/facts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request }) });
    assert.equal(res.status, 200);
    const { fact } = (await res.json()) as { fact: Fact };
    assertFactVerifies(fact, request, 'home');
    // The node's own verification: a report embedding the fact is admitted only if the fact verifies (8.3).
    const report = makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: oracleKeys.publicKey, capKeys, args: request.arguments, fact, comment: 'checking' });
    const admitted = await postJson('/report', report);
    assert.equal(admitted.status, 201, `the node must accept the served fact inside a report, got ${JSON.stringify(admitted.body)}`);
  });

  it('disputes a fact-missing report within a minute; an unanswerable one stays open and is recorded', async () => {
    const answerable = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { match: 'GC-YB-2026-11-29' } });
    const future = makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { match: 'FCZ-SFC-2027-05-01' } });
    assert.equal((await postJson('/report', answerable)).status, 201);
    assert.equal((await postJson('/report', future)).status, 201);
    const filedAt = Date.now();
    answerer = new ReportAnswerer({ oraclePubKeys: [oracleKeys.publicKey], nodes: [base], answer: deskAnswer(desk), log: silentLog, intervalMs: 1000, pageSize: 2 });
    answerer.start();
    await waitFor(async () => (await reports()).some((e) => e.id === reportId(answerable) && e.dispute !== null), {
      timeoutMs: DISPUTE_DEADLINE_MS,
      message: () => `the node lists report ${reportId(answerable)} disputed; answerer status ${JSON.stringify(answerer.status())}`,
    });
    assert.ok(Date.now() - filedAt < DISPUTE_DEADLINE_MS, 'disputed within the deadline');
    const listed = await reports();
    const entry = listed.find((e) => e.id === reportId(answerable));
    assert.equal(entry?.class, 'answered', 'the node classes the disputed report as answered');
    assert.equal(entry?.dispute?.fact.answer, 'draw', "the dispute carries the source's answer");
    assert.equal(answerable.content.type, 'fact-missing');
    if (answerable.content.type === 'fact-missing') assertFactVerifies(entry?.dispute?.fact, answerable.content.request, 'draw');
    assert.equal(listed.find((e) => e.id === reportId(future))?.dispute, null, 'the unanswerable report stays undisputed');
    await waitFor(() => answerer.status().counts.unanswerable >= 1, { timeoutMs: 10_000, message: 'the unanswerable report is recorded' });
    const st = answerer.status();
    assert.equal(st.counts.disputed, 1, `exactly one dispute posted, got ${JSON.stringify(st.counts)}`);
    assert.deepEqual(
      st.recent.filter((o) => o.reportId === reportId(future)).map((o) => [o.outcome, o.code]),
      [['unanswerable', 'no-answer']],
      'the future match is recorded once as unanswerable (not retried before retryAfterMs)',
    );
    assert.equal(st.nodes[0]?.lastError, null, 'no node errors');
    const stats = (await (await fetch(`${base}/status`)).json()) as { counts: { disputes: number } };
    assert.equal(stats.counts.disputes, 1, 'the node stores the one dispute');
  });

  it('after a key rotation, a report filed against the old key is found through the new key and disputed', async () => {
    // A second oracle: old key A rotated to B; its capability is advertised under B only.
    const oldKeys = makeKeys(63);
    const newKeys = makeKeys(64);
    const cap2Keys = makeKeys(65);
    const oldAd = makeOracle({ keys: oldKeys });
    assert.equal((await postJson('/oracle', oldAd)).status, 201);
    assert.equal((await postJson('/oracle', makeOracle({ keys: newKeys, previous: { oracle: oldAd, keys: oldKeys } }))).status, 201, 'the rotated ad is admitted');
    assert.equal((await postJson('/capability', makeCapability({ oracleKeys: newKeys, capKeys: cap2Keys, question: 'Rainfall in {city}?', params: [{ name: 'city', values: [] }] }))).status, 201);
    const rotDesk = new FactDesk({
      capabilities: new Map([[cap2Keys.publicKey, { signer: KeyFileSigner.fromHex(cap2Keys.privateKey), params: [{ name: 'city', values: [] }], resolve: async (r: FactRequest) => `12 mm in ${r.arguments.city}` }]]),
      resolveTimeoutMs: 2000,
    });
    const report = makeReport({ type: 'fact-missing', oraclePubKey: oldKeys.publicKey, capKeys: cap2Keys, args: { city: 'Bern' } });
    const filed = await postJson('/report', report);
    assert.equal(filed.status, 201, `a report against the old key is admitted, got ${JSON.stringify(filed.body)}`);
    const rot = new ReportAnswerer({ oraclePubKeys: [newKeys.publicKey], nodes: [base], answer: deskAnswer(rotDesk), log: silentLog, intervalMs: 1000 });
    rot.start();
    try {
      await waitFor(
        async () => ((await (await fetch(`${base}/reports?pubkey=${newKeys.publicKey}`)).json()) as { id: string; dispute: unknown }[]).some((e) => e.id === reportId(report) && e.dispute !== null),
        { timeoutMs: DISPUTE_DEADLINE_MS, message: () => `the old key's report disputed; answerer status ${JSON.stringify(rot.status())}` },
      );
    } finally {
      await rot.stop();
    }
    assert.deepEqual(
      rot.status().recent.map((o) => [o.reportId, o.outcome]),
      [[reportId(report), 'disputed']],
      'the dispute names the report (old key) and is accepted',
    );
  });
});
