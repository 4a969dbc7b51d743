/** oracle-facts/report-answerer.ts - watches the configured nodes for fact-missing reports against the oracle and disputes each one it can answer (PROTOCOL 8.4): polls GET /reports in bounded pages, asks an answer callback for the signed fact, posts the dispute, remembers outcomes (bounded by count and bytes) and backs off from failing nodes. Imports protocol, util and oracle-facts; never a node's modules. */
import type { Logger } from '../log.ts';
import { reportId } from '../protocol/ids.ts';
import { SchemaRegistry } from '../protocol/schema.ts';
import { buildDispute } from '../protocol/sign.ts';
import type { Dispute, Fact, Report } from '../protocol/types.ts';
import { verifyDispute } from '../protocol/verify.ts';
import { LruMap } from '../util/lru.ts';
import type { FactDesk } from './fact-desk.ts';
import { NodeClient, type StoredReportEntry } from './node-client.ts';

/** Gives the signed fact answering a fact-missing report, or null when the oracle cannot answer it (yet). */
export type AnswerFn = (report: Report, reportId: string) => Promise<Fact | null>;

/** Options of a {@link ReportAnswerer}. */
export interface ReportAnswererOptions {
  /** The oracle's identity key; older keys of its rotation chain are followed by the node (GET /reports). Extra keys may be listed. */
  oraclePubKeys: readonly string[];
  /** Base URLs of the nodes' REST APIs. */
  nodes: readonly string[];
  answer: AnswerFn;
  log: Logger;
  /** Between two polls of one node (default 15 s: a report is disputed well within a minute). */
  intervalMs?: number;
  /** Reports per page (`chunkSize`, 1–1000; default 100) and pages per poll (default 10). */
  pageSize?: number;
  maxPages?: number;
  /** Most disputes posted to one node in one poll (default 100); the rest wait for the next poll. */
  maxAnswersPerPoll?: number;
  /** Deadline of one node call (default 10 s) and the most bytes read of one page (default 16 MiB). */
  requestTimeoutMs?: number;
  maxResponseBytes?: number;
  /** Longest wait after repeated node failures (default 5 min); the wait doubles from intervalMs. */
  maxBackoffMs?: number;
  /** When a report that could not be answered, or whose dispute was refused, is tried again (default 10 min). */
  retryAfterMs?: number;
  /** Outcomes and built disputes remembered (count and bytes; defaults 10,000 and 16 MiB each). */
  maxRemembered?: number;
  maxRememberedBytes?: number;
  now?: () => number;
}

/** What happened to one report on one node. */
export interface ReportOutcome {
  reportId: string;
  node: string;
  outcome: 'disputed' | 'refused' | 'unanswerable';
  /** The node's reason code for a refusal, or why there is no answer. */
  code?: string;
  message?: string;
  at: string;
}

/** Per-node polling state. */
export interface NodeStatus {
  url: string;
  lastPollAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextPollAt: string | null;
  /** Undisputed fact-missing reports the last poll saw. */
  open: number;
}

/** {@link ReportAnswerer.status}. */
export interface AnswererStatus {
  running: boolean;
  nodes: NodeStatus[];
  counts: { disputed: number; refused: number; unanswerable: number; nodeErrors: number };
  recent: ReportOutcome[];
  remembered: { outcomes: number; outcomeBytes: number; disputes: number; disputeBytes: number };
}

const RECENT_MAX = 50;

/** The default answer: the desk signs the fact from the capability's data source with the capability key. */
export function deskAnswer(desk: FactDesk): AnswerFn {
  return async (report) => {
    if (report.content.type !== 'fact-missing') return null;
    const r = await desk.answer(report.content.request);
    return r.status === 'answered' ? r.fact : null;
  };
}

interface NodeState {
  client: NodeClient;
  status: NodeStatus;
  timer: NodeJS.Timeout | null;
}

/** Lifecycle: start() polls every node at once, then every `intervalMs` (longer after failures); stop() clears timers and waits for polls in progress. */
export class ReportAnswerer {
  private readonly o: Required<Omit<ReportAnswererOptions, 'now'>> & { now: () => number };
  private readonly log: Logger;
  private readonly nodes: NodeState[];
  private readonly outcomes: LruMap<string, ReportOutcome & { retryAt: number }>;
  private readonly disputes: LruMap<string, Dispute>;
  private readonly recent: ReportOutcome[] = [];
  private readonly counts = { disputed: 0, refused: 0, unanswerable: 0, nodeErrors: 0 };
  private readonly polls = new Set<Promise<void>>();
  private schemas: SchemaRegistry | null = null;
  private running = false;
  /** Set by stop(): polls in progress end early (pollNow works without start(), for the admin API and tests). */
  private stopping = false;

  constructor(opts: ReportAnswererOptions) {
    this.o = {
      intervalMs: 15_000,
      pageSize: 100,
      maxPages: 10,
      maxAnswersPerPoll: 100,
      requestTimeoutMs: 10_000,
      maxResponseBytes: 16 * 1024 * 1024,
      maxBackoffMs: 300_000,
      retryAfterMs: 600_000,
      maxRemembered: 10_000,
      maxRememberedBytes: 16 * 1024 * 1024,
      now: Date.now,
      ...(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as ReportAnswererOptions),
    };
    if (!(this.o.pageSize >= 1 && this.o.pageSize <= 1000)) throw new RangeError('pageSize must be 1-1000');
    if (this.o.oraclePubKeys.length === 0) throw new RangeError('oraclePubKeys must name the oracle key');
    this.log = opts.log.child({ mod: 'report-answerer' });
    this.nodes = opts.nodes.map((url) => ({
      client: new NodeClient({ baseUrl: url, timeoutMs: this.o.requestTimeoutMs, maxResponseBytes: this.o.maxResponseBytes }),
      status: { url, lastPollAt: null, lastError: null, consecutiveFailures: 0, nextPollAt: null, open: 0 },
      timer: null,
    }));
    const now = this.o.now;
    this.outcomes = new LruMap(this.o.maxRemembered, Infinity, now, { maxBytes: this.o.maxRememberedBytes, sizeOf: (v) => 2 * (v.node.length + (v.message?.length ?? 0)) + 400 });
    this.disputes = new LruMap(this.o.maxRemembered, Infinity, now, { maxBytes: this.o.maxRememberedBytes, sizeOf: (d) => 2 * JSON.stringify(d).length + 100 });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.schemas ??= SchemaRegistry.load();
    for (const n of this.nodes) this.schedule(n, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    for (const n of this.nodes) {
      if (n.timer) clearTimeout(n.timer);
      n.timer = null;
    }
    await Promise.allSettled([...this.polls]);
  }

  status(): AnswererStatus {
    return {
      running: this.running,
      nodes: this.nodes.map((n) => ({ ...n.status })),
      counts: { ...this.counts },
      recent: [...this.recent],
      remembered: { outcomes: this.outcomes.size, outcomeBytes: this.outcomes.bytes, disputes: this.disputes.size, disputeBytes: this.disputes.bytes },
    };
  }

  /** Poll one node now, started or not (the timer runs the same); resolves when the poll is over. Never rejects. */
  async pollNow(url: string): Promise<void> {
    const n = this.nodes.find((x) => x.status.url === url);
    if (n) await this.runPoll(n);
  }

  private schedule(n: NodeState, delayMs: number): void {
    if (!this.running) return;
    n.status.nextPollAt = new Date(this.o.now() + delayMs).toISOString();
    n.timer = setTimeout(() => {
      n.timer = null;
      void this.runPoll(n).then(() => {
        const f = n.status.consecutiveFailures;
        this.schedule(n, f === 0 ? this.o.intervalMs : Math.min(this.o.maxBackoffMs, this.o.intervalMs * 2 ** Math.min(f, 20)));
      });
    }, delayMs);
  }

  private runPoll(n: NodeState): Promise<void> {
    const p = this.poll(n).catch((err: unknown) => {
      // A bug in an answer callback or here: logged, counted as a failure, never a crash.
      this.fail(n, `poll failed: ${(err as Error)?.message ?? String(err)}`);
    });
    this.polls.add(p);
    return p.finally(() => this.polls.delete(p));
  }

  private fail(n: NodeState, message: string): void {
    n.status.consecutiveFailures += 1;
    n.status.lastError = message.slice(0, 300);
    this.counts.nodeErrors += 1;
    this.log.warn({ node: n.status.url, err: n.status.lastError, failures: n.status.consecutiveFailures }, 'node call failed; backing off');
  }

  /** The undisputed, well-formed fact-missing reports against the oracle on this node; null after a node failure. */
  private async openReports(n: NodeState): Promise<Map<string, Report> | null> {
    const found = new Map<string, Report>();
    const schemas = this.schemas ?? SchemaRegistry.load();
    for (const key of this.o.oraclePubKeys) {
      for (let page = 0; page < this.o.maxPages; page++) {
        const r = await n.client.reports(key, page, this.o.pageSize);
        if (r.status === 'error') {
          this.fail(n, r.message);
          return null;
        }
        let answeredReached = false;
        for (const e of r.value as unknown[]) {
          const entry = e as Partial<StoredReportEntry> | null;
          if (typeof entry !== 'object' || entry === null) continue;
          // The listing orders answered claims last (PROTOCOL 10.6): nothing open follows.
          if (entry.class === 'answered') {
            answeredReached = true;
            break;
          }
          if (entry.dispute !== null || typeof entry.id !== 'string' || found.has(entry.id)) continue;
          if (!schemas.validateEntity('report', entry.report).ok) continue;
          const report = entry.report as Report;
          // A node's word is not taken for the id: the dispute names the id we compute.
          if (report.content.type !== 'fact-missing' || reportId(report) !== entry.id) continue;
          found.set(entry.id, report);
        }
        if (answeredReached || r.value.length < this.o.pageSize) break;
      }
    }
    return found;
  }

  private async poll(n: NodeState): Promise<void> {
    if (this.stopping) return;
    n.status.lastPollAt = new Date(this.o.now()).toISOString();
    const open = await this.openReports(n);
    if (open === null) return;
    n.status.open = open.size;
    let posted = 0;
    for (const [id, report] of open) {
      if (this.stopping || posted >= this.o.maxAnswersPerPoll) break;
      const key = `${n.status.url}|${id}`;
      const prev = this.outcomes.get(key);
      if (prev && (prev.outcome === 'disputed' || prev.retryAt > this.o.now())) continue;
      const dispute = await this.disputeFor(id, report);
      if (dispute === null) {
        this.record(key, { reportId: id, node: n.status.url, outcome: 'unanswerable', code: 'no-answer', message: 'the answer callback had no fact for this request' });
        continue;
      }
      if (typeof dispute === 'string') {
        this.record(key, { reportId: id, node: n.status.url, outcome: 'unanswerable', code: 'answer-invalid', message: dispute });
        continue;
      }
      posted += 1;
      const r = await n.client.postDispute(dispute);
      if (r.status === 'error') {
        this.fail(n, r.message);
        return;
      }
      const a = r.value;
      if (a.http === 200 || a.http === 201 || a.http === 202) {
        this.record(key, { reportId: id, node: n.status.url, outcome: 'disputed', code: a.result ?? 'accepted' });
      } else if (a.http === 400 || a.http === 422) {
        this.record(key, { reportId: id, node: n.status.url, outcome: 'refused', code: a.code ?? `http-${a.http}`, message: a.message ?? '' });
      } else {
        // 429, 503, 5xx: the node cannot take it now; back off and try again.
        this.fail(n, `POST /dispute answered ${a.http}${a.code ? ` ${a.code}` : ''}`);
        return;
      }
    }
    n.status.consecutiveFailures = 0;
    n.status.lastError = null;
  }

  /** The dispute for a report (built once, remembered), null when unanswerable, or a string when the callback's fact does not answer it. */
  private async disputeFor(id: string, report: Report): Promise<Dispute | null | string> {
    const known = this.disputes.get(id);
    if (known) return known;
    let fact: Fact | null;
    try {
      fact = await this.o.answer(report, id);
    } catch (err) {
      this.log.warn({ reportId: id, err: (err as Error)?.message }, 'answer callback failed');
      return null;
    }
    if (fact === null) return null;
    const dispute = buildDispute(report, fact);
    // Check what a node checks (8.4) before posting; capability ownership is the node's to judge.
    const bad = verifyDispute(dispute, report, () => undefined);
    if (bad && bad.reason !== 'unknown-capability') {
      this.log.error({ reportId: id, reason: bad.reason }, 'the answer callback gave a fact that does not answer the report');
      return `${bad.reason}: ${bad.message}`;
    }
    this.disputes.set(id, dispute);
    return dispute;
  }

  private record(key: string, o: Omit<ReportOutcome, 'at'>): void {
    const full: ReportOutcome = { ...o, at: new Date(this.o.now()).toISOString() };
    this.outcomes.set(key, { ...full, retryAt: this.o.now() + this.o.retryAfterMs });
    this.counts[o.outcome] += 1;
    this.recent.push(full);
    if (this.recent.length > RECENT_MAX) this.recent.shift();
    const level = o.outcome === 'disputed' ? 'info' : 'warn';
    this.log[level]({ reportId: o.reportId, node: o.node, outcome: o.outcome, code: o.code }, 'fact-missing report handled');
  }
}
