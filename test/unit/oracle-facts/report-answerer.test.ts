// test/unit/oracle-facts/report-answerer.test.ts - the report answerer against a stub node speaking the node's REST shapes (GET /reports entries {id, report, dispute, class}, POST /dispute answers {result,id} or {error:{code,message}}): which reports it answers, what it posts, refusals, bad answers, node failures with backoff, oversize pages and bounded memory.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReportAnswerer, type ReportAnswererOptions } from '../../../src/oracle-facts/report-answerer.ts';
import { reportId } from '../../../src/protocol/ids.ts';
import { signFact } from '../../../src/protocol/sign.ts';
import type { Dispute, Fact, FactRequest, Report } from '../../../src/protocol/types.ts';
import { verifyDispute } from '../../../src/protocol/verify.ts';
import { makeKeys, makeReport } from '../../helpers/factory.ts';
import { waitFor } from '../../helpers/wait.ts';
import { silentLog } from './_helpers.ts';

const oracleKeys = makeKeys(71);
const capKeys = makeKeys(72);
const missing = (n: number): Report => makeReport({ type: 'fact-missing', oraclePubKey: oracleKeys.publicKey, capKeys, args: { n: String(n) } });
/** The request of a fact-missing report (the only kind the answerer answers). */
const requestOf = (r: Report): FactRequest => {
  if (r.content.type !== 'fact-missing') throw new Error(`expected a fact-missing report, got ${r.content.type}`);
  return r.content.request;
};
const answerOf = async (r: Report): Promise<Fact> => signFact(requestOf(r), `answer ${requestOf(r).arguments.n}`, capKeys.privateKey);

/** A stub node: serves `entries` as GET /reports pages and answers POST /dispute with `disputeStatus`. */
class StubNode {
  entries: unknown[] = [];
  posted: Dispute[] = [];
  reportsStatus = 200;
  disputeStatus: number | ((d: Dispute) => number) = 201;
  disputeCode = 'unknown-capability';
  oversize = false;
  pagesAsked: number[] = [];
  private server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/reports') {
      if (this.reportsStatus !== 200) return send(this.reportsStatus, { error: { code: 'storage-unavailable', message: 'down' } });
      if (this.oversize) return send(200, [{ pad: 'x'.repeat(200_000) }]);
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('chunkSize'));
      this.pagesAsked.push(page);
      return send(200, this.entries.slice(page * size, page * size + size));
    }
    if (req.method === 'POST' && url.pathname === '/dispute') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const d = JSON.parse(body) as Dispute;
        this.posted.push(d);
        const status = typeof this.disputeStatus === 'function' ? this.disputeStatus(d) : this.disputeStatus;
        if (status === 201) return send(201, { result: 'accepted', id: 'x' });
        send(status, { error: { code: status === 422 ? this.disputeCode : 'shutting-down', message: 'no' } });
      });
      return;
    }
    send(404, { error: { code: 'not-found', message: '' } });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
  /** An entry as GET /reports lists it. */
  static entry(r: Report, dispute: Dispute | null = null, cls = dispute ? 'answered' : 'claim'): unknown {
    return { id: reportId(r), report: r, dispute, class: cls };
  }
}

describe('ReportAnswerer', () => {
  let node: StubNode;
  let answerer: ReportAnswerer | undefined;
  let clock = 1_000_000;
  const make = (over: Partial<ReportAnswererOptions> = {}) =>
    (answerer = new ReportAnswerer({ oraclePubKeys: [oracleKeys.publicKey], nodes: [node.url], answer: answerOf, log: silentLog, pageSize: 2, now: () => clock, ...over }));
  beforeEach(async () => {
    node = new StubNode();
    await node.start();
  });
  afterEach(async () => {
    await answerer?.stop();
    answerer = undefined;
    await node.stop();
  });

  it('disputes open fact-missing reports only, with disputes a node accepts; stops paging at answered ones', async () => {
    const open = [missing(1), missing(2), missing(3)];
    const answered = missing(4);
    const conflict = makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys, args: { n: '5' } });
    const forged = missing(6);
    node.entries = [
      StubNode.entry(conflict, null, 'proof'),
      ...open.map((r) => StubNode.entry(r)),
      { ...(StubNode.entry(forged) as object), id: 'ab'.repeat(32) }, // an id that is not the report's: skipped
      { id: 'cd'.repeat(32), report: { oraclePubKey: 'zz' }, dispute: null, class: 'claim' }, // schema-invalid: skipped
      StubNode.entry(answered, { reportId: reportId(answered), oraclePubKey: oracleKeys.publicKey, fact: await answerOf(answered) }),
      StubNode.entry(missing(7)), // after an answered entry: never reached
      StubNode.entry(missing(8)),
    ];
    await make().pollNow(node.url);
    assert.deepEqual(node.posted.map((d) => d.reportId).sort(), open.map((r) => reportId(r)).sort(), 'exactly the open fact-missing reports are disputed');
    for (const d of node.posted) {
      const r = open.find((x) => reportId(x) === d.reportId) as Report;
      assert.equal(verifyDispute(d, r, () => undefined)?.reason ?? 'ok', 'unknown-capability', 'each dispute passes every check a node makes but its own store lookup');
      assert.equal(d.oraclePubKey, oracleKeys.publicKey);
    }
    assert.deepEqual(node.pagesAsked, [0, 1, 2, 3], 'paging stops at the page holding the first answered entry');
    const st = answerer?.status();
    assert.equal(st?.counts.disputed, 3);
    assert.equal(st?.nodes[0]?.open, 3);
    // The next poll sees them still open (a lagging node) but does not post again.
    await answerer?.pollNow(node.url);
    assert.equal(node.posted.length, 3, 'a disputed report is not posted twice');
  });

  it('a refused dispute is recorded with the node code and retried only after retryAfterMs; a bad answer is never posted', async () => {
    const a = missing(1);
    const b = missing(2);
    node.entries = [StubNode.entry(a), StubNode.entry(b)];
    node.disputeStatus = 422;
    make({ retryAfterMs: 60_000, answer: async (r) => (reportId(r) === reportId(b) ? signFact(requestOf(a), 'x', capKeys.privateKey) : answerOf(r)) });
    await answerer?.pollNow(node.url);
    const st = answerer?.status();
    assert.deepEqual(
      st?.recent.map((o) => [o.reportId, o.outcome, o.code]),
      [
        [reportId(a), 'refused', 'unknown-capability'],
        [reportId(b), 'unanswerable', 'answer-invalid'],
      ],
    );
    assert.equal(node.posted.length, 1, 'a fact for another request is never posted');
    await answerer?.pollNow(node.url);
    assert.equal(node.posted.length, 1, 'not retried before retryAfterMs');
    clock += 60_001;
    node.disputeStatus = 201;
    await answerer?.pollNow(node.url);
    assert.equal(answerer?.status().counts.disputed, 1, 'retried and disputed after retryAfterMs');
  });

  it('node failures back off (doubling, capped) and recover; an oversize page is a failure, not a crash', async () => {
    node.entries = [StubNode.entry(missing(1))];
    node.reportsStatus = 503;
    make({ intervalMs: 100, maxBackoffMs: 400, maxResponseBytes: 100_000 });
    await answerer?.pollNow(node.url);
    await answerer?.pollNow(node.url);
    let st = answerer?.status().nodes[0];
    assert.equal(st?.consecutiveFailures, 2);
    assert.match(st?.lastError ?? '', /503/);
    node.reportsStatus = 200;
    node.oversize = true;
    await answerer?.pollNow(node.url);
    assert.match(answerer?.status().nodes[0]?.lastError ?? '', /exceeds 100000/, 'an answer over maxResponseBytes is refused');
    node.oversize = false;
    node.disputeStatus = 503;
    await answerer?.pollNow(node.url);
    assert.equal(answerer?.status().nodes[0]?.consecutiveFailures, 4, 'a 503 on POST /dispute is a node failure too');
    assert.equal(answerer?.status().counts.refused, 0, 'and not a refusal');
    node.disputeStatus = 201;
    await answerer?.pollNow(node.url);
    st = answerer?.status().nodes[0];
    assert.deepEqual([st?.consecutiveFailures, st?.lastError, answerer?.status().counts.disputed], [0, null, 1], 'recovers once the node answers');

    // The timer: after failures the next poll is intervalMs · 2^failures, capped at maxBackoffMs.
    node.reportsStatus = 503;
    const t = new ReportAnswerer({ oraclePubKeys: [oracleKeys.publicKey], nodes: [node.url], answer: answerOf, log: silentLog, intervalMs: 100, maxBackoffMs: 400 });
    t.start();
    await waitFor(() => (t.status().nodes[0]?.consecutiveFailures ?? 0) >= 4, { timeoutMs: 10_000, message: 'four failed polls' });
    const s = t.status().nodes[0];
    await t.stop();
    // Uncapped, the wait after 4 failures would be 100 · 2^4 = 1600 ms; the slack covers a slow poll on a busy machine.
    const gap = Date.parse(s?.nextPollAt ?? '') - Date.parse(s?.lastPollAt ?? '');
    assert.ok(gap >= 400 && gap <= 1200, `after 4 failures the next poll waits the 400 ms cap (plus the poll itself), got ${gap} ms`);
  });

  it('memory stays within maxRemembered outcomes and disputes', async () => {
    node.entries = Array.from({ length: 12 }, (_, i) => StubNode.entry(missing(i)));
    make({ maxRemembered: 5, pageSize: 4, maxPages: 10 });
    await answerer?.pollNow(node.url);
    const st = answerer?.status();
    assert.equal(st?.counts.disputed, 12);
    assert.ok((st?.remembered.outcomes ?? 99) <= 5 && (st?.remembered.disputes ?? 99) <= 5, `remembered ${JSON.stringify(st?.remembered)}`);
  });
});
