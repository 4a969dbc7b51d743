// test/integration/fact-requests.test.ts - fact requests through real nodes to a real HTTP oracle endpoint on loopback: verified answers, one upstream call for 100 identical requests, cache, nothing of the trader reaching the oracle, 402 passed through, bad oracle answers refused, and a changed answer turned into a fact-conflict report by the node itself and gossiped to its peer; uploads with POST /facts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MegaNode } from '../../src/node.ts';
import type { Fact, FactRequest, OracleCapability } from '../../src/protocol/types.ts';
import { isFactSignatureValid } from '../../src/protocol/verify.ts';
import { makeCapability, makeFact, makeKeys, makeOracle, makeRequest, type KeyPair } from '../helpers/factory.ts';
import { connect, createTestNode, post, stopAll } from '../helpers/network.ts';
import { waitFor } from '../helpers/wait.ts';

/** One request as the oracle saw it. */
interface Seen {
  headers: http.IncomingHttpHeaders;
  body: { request: FactRequest; paymentHash?: string };
}

/** A minimal oracle fact endpoint: POST /facts answers with a fact signed by the capability key; behaviour switchable per test. */
class TestOracle {
  readonly seen: Seen[] = [];
  answer = 'yes';
  /** 'fact' | 'bad-signature' | 'pay' (402 until paid with PAID_HASH) */
  mode: 'fact' | 'bad-signature' | 'pay' = 'fact';
  gate: Promise<void> | null = null;
  private server: http.Server | null = null;
  constructor(private readonly capKeys: KeyPair) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'];
        this.seen.push({ headers: req.headers, body });
        if (this.gate) await this.gate;
        const send = (status: number, b: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(b));
        };
        if (req.url !== '/facts' || req.method !== 'POST') return send(404, { code: 'not-found' });
        if (this.mode === 'pay' && body.paymentHash !== PAID_HASH) return send(402, { code: 'payment-required', invoice: 'lnbcrt50n1example', paymentHash: PAID_HASH, expiresAt: 1893456000 });
        const fact = makeFact({ capKeys: this.capKeys, args: body.request.arguments, answer: this.answer });
        if (this.mode === 'bad-signature') fact.answer = `${fact.answer}!`;
        send(200, { fact, extra: 'dropped by the node' });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

const PAID_HASH = 'ab'.repeat(32);

describe('fact requests through the node (PROTOCOL 10.7)', () => {
  const oracleKeys = makeKeys(9101);
  const capKeys = makeKeys(9102);
  const freshKeys = makeKeys(9103);
  const oracle = new TestOracle(capKeys);
  const fresh = new TestOracle(freshKeys);
  let a: MegaNode;
  let b: MegaNode;
  let cached: OracleCapability;
  let uncached: OracleCapability;

  before(async () => {
    await oracle.start();
    await fresh.start();
    a = await createTestNode();
    b = await createTestNode();
    await connect(a, b);
    cached = makeCapability({ oracleKeys, capKeys, question: 'Will it rain in Lisbon?', endpoint: oracle.url, factLifetime: 3600 });
    uncached = makeCapability({ oracleKeys, capKeys: freshKeys, question: 'BTC/USD now?', endpoint: `${fresh.url}/`, factLifetime: 0 });
    for (const [path, body] of [['/oracle', makeOracle({ keys: oracleKeys })], ['/capability', cached], ['/capability', uncached]] as const) {
      const r = await post(a, path, body);
      assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    }
  });

  after(async () => {
    await stopAll([a, b]);
    await oracle.stop();
    await fresh.stop();
  });

  const ask = (node: MegaNode, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${node.httpPort}/fact-requests`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('answers with a verified fact; the oracle sees the node only, never the trader\'s headers', async () => {
    const request = makeRequest(capKeys.publicKey, { city: 'Lisbon' });
    const r = await ask(a, { oraclePubKey: oracleKeys.publicKey, request }, { 'user-agent': 'trader-secret-agent', authorization: 'Bearer trader-token', 'x-forwarded-for': '203.0.113.7' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const fact = r.body.fact as Fact;
    assert.equal(r.body.cached, false);
    assert.deepEqual(Object.keys(fact).sort(), ['answer', 'request', 'signature', 'signatureType'], 'only the signed members are passed on');
    assert.ok(isFactSignatureValid(fact), 'the fact must verify against the capability key');
    assert.deepEqual(fact.request, request);
    const seen = oracle.seen.at(-1) as Seen;
    const leaked = JSON.stringify(seen.headers);
    for (const secret of ['trader-secret-agent', 'trader-token', '203.0.113.7']) assert.ok(!leaked.includes(secret), `the oracle must not see "${secret}": ${leaked}`);
    assert.deepEqual(seen.body, { request }, 'the oracle receives the request only');
  });

  it('pools 100 concurrent identical requests into one upstream call, then serves from cache', async () => {
    const request = makeRequest(capKeys.publicKey, { city: 'Porto' });
    const before = oracle.seen.length;
    let release!: () => void;
    oracle.gate = new Promise((resolve) => (release = resolve));
    const pooledBefore = a.facts.proxy.pooledCalls;
    const all = Array.from({ length: 100 }, () => ask(a, { oraclePubKey: oracleKeys.publicKey, request }));
    await waitFor(() => a.facts.proxy.pooledCalls - pooledBefore === 99, { timeoutMs: 20_000, message: 'expected 99 requests to join the first one in flight' });
    oracle.gate = null;
    release();
    const answers = await Promise.all(all);
    assert.ok(answers.every((r) => r.status === 200 && (r.body.fact as Fact).answer === 'yes'), 'every caller gets the fact');
    assert.equal(oracle.seen.length - before, 1, 'exactly one upstream request for 100 identical ones');
    const again = await ask(a, { oraclePubKey: oracleKeys.publicKey, request });
    assert.equal(again.status, 200);
    assert.equal(again.body.cached, true, 'a later request is served from cache');
    assert.equal(oracle.seen.length - before, 1, 'the cached answer makes no upstream call');
  });

  it('passes a payment demand through unchanged and forwards the payment hash; paid answers are not served to others', async () => {
    fresh.mode = 'pay';
    try {
      const request = makeRequest(freshKeys.publicKey, { pair: 'BTCUSD', paid: '1' });
      const demand = await ask(a, { oraclePubKey: oracleKeys.publicKey, request });
      assert.equal(demand.status, 402, JSON.stringify(demand.body));
      assert.deepEqual(demand.body, { code: 'payment-required', invoice: 'lnbcrt50n1example', paymentHash: PAID_HASH, expiresAt: 1893456000 });
      const paid = await ask(a, { oraclePubKey: oracleKeys.publicKey, request, paymentHash: PAID_HASH });
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      assert.equal(fresh.seen.at(-1)?.body.paymentHash, PAID_HASH, 'the oracle must receive the payment hash');
      const other = await ask(a, { oraclePubKey: oracleKeys.publicKey, request });
      assert.equal(other.status, 402, 'an answer bought by one payer is not served to another');
    } finally {
      fresh.mode = 'fact';
    }
  });

  it('refuses an answer whose signature does not verify (502 oracle-answer-invalid) and reports clear errors', async () => {
    fresh.mode = 'bad-signature';
    try {
      const r = await ask(a, { oraclePubKey: oracleKeys.publicKey, request: makeRequest(freshKeys.publicKey, { pair: 'bad' }) });
      assert.equal(r.status, 502);
      assert.equal((r.body.error as { code: string }).code, 'oracle-answer-invalid');
    } finally {
      fresh.mode = 'fact';
    }
    const unknown = await ask(a, { oraclePubKey: oracleKeys.publicKey, request: makeRequest(makeKeys(9199).publicKey) });
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body.error as { code: string }).code, 'unknown-capability');
    const malformed = await ask(a, { oraclePubKey: oracleKeys.publicKey, request: { capabilityPubKey: 'zz' } });
    assert.equal(malformed.status, 400, JSON.stringify(malformed.body));
  });

  it('a changed answer becomes a fact-conflict report built by the node and gossiped to its peer', async () => {
    const request = makeRequest(freshKeys.publicKey, { pair: 'ETHUSD' });
    fresh.answer = '3000';
    const first = await ask(a, { oraclePubKey: oracleKeys.publicKey, request });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    fresh.answer = '3001';
    const second = await ask(a, { oraclePubKey: oracleKeys.publicKey, request });
    assert.equal((second.body.fact as Fact).answer, '3001', 'factLifetime 0: the second request reaches the oracle');
    const conflictOn = (n: MegaNode) => n.service.listReports(oracleKeys.publicKey, { page: 0, chunkSize: 50 }).find((r) => r.msg.content.type === 'fact-conflict' && r.msg.content.request.arguments.pair === 'ETHUSD');
    await waitFor(() => conflictOn(a) !== undefined && conflictOn(b) !== undefined, { timeoutMs: 15_000, message: 'expected the fact-conflict report on both nodes' });
    const report = conflictOn(b)?.msg;
    assert.ok(report && report.content.type === 'fact-conflict');
    if (report?.content.type === 'fact-conflict') {
      assert.deepEqual(report.content.facts.map((f) => f.answer), ['3000', '3001']);
      assert.equal(report.content.capability?.capabilityPubKey, freshKeys.publicKey, 'the report embeds the capability ad');
    }
  });

  it('POST /facts: a held fact is recorded; a different answer to the same request is reported with its id', async () => {
    const upload = (fact: Fact) => post(a, '/facts', { oraclePubKey: oracleKeys.publicKey, fact });
    const f1 = makeFact({ capKeys, args: { city: 'Faro' }, answer: 'no' });
    const r1 = await upload(f1);
    assert.deepEqual(r1, { status: 200, body: { outcome: 'new', reportId: null } });
    assert.deepEqual((await upload(f1)).body, { outcome: 'same', reportId: null });
    const r2 = await upload(makeFact({ capKeys, args: { city: 'Faro' }, answer: 'yes' }));
    const body = r2.body as { outcome: string; reportId: string };
    assert.equal(body.outcome, 'conflict', JSON.stringify(r2));
    assert.match(body.reportId, /^[0-9a-f]{64}$/);
    await waitFor(() => a.service.listReports(oracleKeys.publicKey, { page: 0, chunkSize: 50 }).some((r) => r.id === body.reportId), { timeoutMs: 15_000, message: 'expected the reported id stored' });
    assert.deepEqual((await upload(makeFact({ capKeys, args: { city: 'Faro' }, answer: 'maybe' }))).body, { outcome: 'conflict-known', reportId: null });
    const forged = { ...makeFact({ capKeys, args: { city: 'Evora' }, answer: 'no' }), answer: 'yes' };
    const bad = await upload(forged);
    assert.equal(bad.status, 422);
    assert.equal((bad.body as { error: { code: string } }).error.code, 'fact-signature-invalid');
  });
});
